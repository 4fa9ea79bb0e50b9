"""Local documents and standards are created from field values, never from a form."""

from __future__ import annotations

import pytest

from compliance import services
from compliance.models import PolicyDocument, Standard
from compliance.rules import registry
from core.models import Role
from tests.conftest import DISTRICT

pytestmark = pytest.mark.django_db


def test_a_local_document_and_standard_are_created_with_the_rule_s_level(make_user, zhuhai):
    bureau = make_user(Role.BUREAU, DISTRICT)
    document = services.document_create(
        actor=bureau,
        data={"key": "XZ-1", "title": "香洲区规定", "scope_prefixes": [DISTRICT]},
    )
    assert document.tier == PolicyDocument.Tier.POLICY and document.created_by == bureau
    # A rule judged over a jurisdiction, with parameters it takes (from the library).
    model = Standard.objects.filter(
        level=Standard.Level.JURISDICTION, rule_key__in=list(registry.rules)
    ).first()
    assert model is not None
    standard = services.standard_create(
        actor=bureau,
        data={
            "code": "XZ-1-1",
            "document": document,
            "title": "辖区规定",
            "quote": "原文",
            "rule_key": model.rule_key,
            "params": model.params,
        },
    )
    assert standard.level == Standard.Level.JURISDICTION
    assert standard.history.get().history_user == bureau
