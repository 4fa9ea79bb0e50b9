"""assessment_save takes the assessment's fields and a list of ItemData, never a form."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from compliance.models import Standard
from core.models import Role
from supervision import services
from supervision.models import Assessment, AssessmentItem
from supervision.services import ItemData
from tests.conftest import DISTRICT

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1
FIELDS = {"title": "年度考核", "year": YEAR, "code": DISTRICT, "exempted_rule": "excluded"}


@pytest.fixture
def bureau(make_user, zhuhai):
    return make_user(Role.BUREAU, DISTRICT)


def item(code: str, weight: str) -> ItemData:
    return ItemData(standard=Standard.objects.get(code=code), weight=Decimal(weight))


def weights(assessment: Assessment) -> list[tuple[str, Decimal]]:
    return sorted(assessment.items.values_list("standard__code", "weight"))


def test_a_draft_is_created_then_its_items_become_the_new_list(bureau):
    assessment = services.assessment_save(
        actor=bureau,
        assessment=None,
        data=FIELDS,
        items=[item("GD-01", "60"), item("N18-06", "40")],
    )
    assert assessment.created_by == bureau and assessment.state == "draft"
    assert weights(assessment) == [("GD-01", 60), ("N18-06", 40)]
    services.assessment_save(
        actor=bureau,
        assessment=assessment,
        data={**FIELDS, "title": "改名"},
        items=[item("GD-01", "70"), item("N25-03", "30")],
    )
    assessment.refresh_from_db()
    assert assessment.title == "改名"
    assert weights(assessment) == [("GD-01", 70), ("N25-03", 30)]


@pytest.mark.parametrize(
    ("items", "key", "message"),
    [
        ([], "__all__", "请至少选择一项标准"),
        ([("GD-01", "60"), ("N18-06", "30")], "__all__", "现为 90 分"),
        ([("GD-01", "60"), ("GD-01", "40")], "items.1.standard", "同一标准只能出现一次"),
        ([("GD-01", "100.5"), ("N18-06", "-0.5")], "items.0.weight", "不能超过 100"),
    ],
)
def test_bad_items_are_refused_by_row_and_nothing_is_saved(bureau, items, key, message):
    with pytest.raises(ValidationError) as refused:
        services.assessment_save(
            actor=bureau, assessment=None, data=FIELDS, items=[item(c, w) for c, w in items]
        )
    assert message in " ".join(refused.value.message_dict[key])
    assert not Assessment.objects.exists() and not AssessmentItem.objects.exists()


def test_only_standards_of_the_library_are_scored(bureau):
    other = Standard.objects.exclude(level=Standard.Level.COMMUNITY).first()
    other = other or Standard.objects.filter(rule_key="info").first()
    assert other is not None
    with pytest.raises(ValidationError) as refused:
        services.assessment_save(
            actor=bureau,
            assessment=None,
            data=FIELDS,
            items=[item("GD-01", "50"), ItemData(standard=other, weight=Decimal(50))],
        )
    assert "items.1.standard" in refused.value.message_dict


def test_a_published_assessment_is_not_changed(bureau):
    assessment = services.assessment_save(
        actor=bureau, assessment=None, data=FIELDS, items=[item("GD-01", "100")]
    )
    Assessment.objects.filter(pk=assessment.pk).update(
        state="published", published_at=timezone.now(), as_of=datetime.date(YEAR, 12, 31)
    )
    with pytest.raises(ValidationError, match="已发布的考核不能修改"):
        services.assessment_save(
            actor=bureau, assessment=assessment, data=FIELDS, items=[item("GD-01", "100")]
        )
    assert weights(assessment) == [("GD-01", 100)]


def test_the_edit_page_changes_deletes_and_adds_items(client, bureau):
    assessment = services.assessment_save(
        actor=bureau,
        assessment=None,
        data=FIELDS,
        items=[item("GD-01", "60"), item("N18-06", "40")],
    )
    first, second = assessment.items.order_by("standard__code")
    client.force_login(bureau)
    data = {
        **{k: str(v) for k, v in FIELDS.items()},
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "2",
        "items-0-id": str(first.pk),
        "items-0-standard": str(first.standard_id),
        "items-0-weight": "75",
        "items-1-id": str(second.pk),
        "items-1-standard": str(second.standard_id),
        "items-1-weight": "40",
        "items-1-DELETE": "on",
        "items-2-standard": str(Standard.objects.get(code="N25-03").pk),
        "items-2-weight": "25",
    }
    url = reverse("supervision:assessment_edit", args=[assessment.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["formset"].errors
    assert weights(assessment) == [("GD-01", 75), ("N25-03", 25)]


def test_the_page_shows_a_refusal_next_to_its_row(client, bureau, monkeypatch):
    def refuse(**_kwargs):
        raise ValidationError({"items.0.weight": ["权重不对"], "title": ["名称不对"]})

    monkeypatch.setattr(services, "assessment_save", refuse)
    client.force_login(bureau)
    data = {
        **{k: str(v) for k, v in FIELDS.items()},
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-standard": "",
        "items-0-weight": "",
        "items-1-standard": str(Standard.objects.get(code="GD-01").pk),
        "items-1-weight": "100",
    }
    response = client.post(reverse("supervision:assessment_create"), data)
    assert response.status_code == 200
    # The first item given to the service is the second row: the blank one is left out.
    assert response.context["formset"].forms[1].errors["weight"] == ["权重不对"]
    assert response.context["form"].errors["title"] == ["名称不对"]
