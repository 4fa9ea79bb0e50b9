"""Shared set-up of the supervision tests: the households rule alone (GD-01 wants 2,000–3,000
households, N25-03 1,000–3,000 from 2026, N18-06 100–700 before), every community of the
Zhuhai slice at 1,000 households, so GD-01 fails everywhere and a profile edit fixes it."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from compliance.engine import evaluate_communities
from compliance.models import Finding, Standard
from core.models import Role
from divisions.models import Community
from supervision import services
from supervision.models import Exemption, RectificationNotice
from tests.conftest import STREET


@pytest.fixture(autouse=True)
def _households_rule_only(only_households_rule):
    """Supervision reasons about findings; one rule is enough to make them."""


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def evaluated(zhuhai, today):
    evaluate_communities(Community.objects.filter(code__startswith="4404"), today)


@pytest.fixture
def community(evaluated, community_in) -> Community:
    return community_in(STREET)


@pytest.fixture
def login(make_user):
    """A fresh client signed in with a new user of this role and code."""

    def make(role: str | None, code: str | None, **extra) -> Client:
        client = Client()
        client.force_login(make_user(role, code, **extra))
        return client

    return make


@pytest.fixture
def street_user(make_user):
    return make_user(Role.STREET, STREET, full_name="街道王科长")


def gd01() -> Standard:
    return Standard.objects.get(code="GD-01")


def current(community: Community, code: str = "GD-01") -> Finding:
    return Finding.objects.get(community=community, standard__code=code, is_current=True)


def issue(actor, community: Community, due: datetime.date | None = None) -> RectificationNotice:
    finding = current(community)
    (notice,) = services.notices_issue(
        actor=actor,
        findings=[finding],
        due_on=due or timezone.localdate() + datetime.timedelta(days=30),
        instructions="请在期限内整改。",
    )
    return notice


def grant(actor, community: Community, *, expires: datetime.date | None = None) -> Exemption:
    dispute = services.dispute_raise(
        actor=actor, community=community, standard=gd01(), reason="房屋无法扩建"
    )
    return services.dispute_decide(
        actor=actor,
        dispute=dispute,
        grant=True,
        reason="核查属实",
        expires_on=expires or timezone.localdate() + datetime.timedelta(days=90),
    )
