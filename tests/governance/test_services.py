"""The governance services take plain data: field values, finance lines as FinanceLineData."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import Role
from governance import services
from governance.models import Disclosure, FinanceLine, Meeting
from governance.services import FinanceLineData
from tests.conftest import STREET

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def community(community_in):
    return community_in(STREET)


@pytest.fixture
def clerk(make_user, zhuhai):
    return make_user(Role.STREET, STREET)


def finance(community) -> Disclosure:
    return Disclosure.objects.create(
        community=community, category="finance", title="财务公开", content="收支"
    )


def test_a_meeting_is_recorded_from_its_field_values(clerk, community):
    meeting = services.meeting_save(
        actor=clerk,
        community=community,
        meeting=None,
        data={"kind": "council", "title": "议事会", "date": TODAY, "entitled": 9, "attended": 7},
    )
    assert meeting.community == community and meeting.attended == 7
    assert meeting.history.get().history_user == clerk


def test_a_name_the_service_does_not_take_is_a_programming_error(clerk, community, community_in):
    other = community_in("440402002")
    data = {"kind": "council", "title": "议事会", "date": TODAY, "entitled": 9, "community": other}
    with pytest.raises(TypeError, match="community"):
        services.meeting_save(actor=clerk, community=community, meeting=None, data=data)
    assert not Meeting.objects.exists()


def test_a_record_of_another_community_is_refused(clerk, community, community_in):
    meeting = Meeting.objects.create(
        community=community_in("440402002"),
        kind="council",
        title="议事会",
        date=TODAY,
        entitled=5,
        attended=4,
    )
    with pytest.raises(ValueError):
        services.meeting_save(actor=clerk, community=community, meeting=meeting, data={})


def test_finance_lines_are_added_changed_and_deleted_as_one_change(clerk, community):
    disclosure = finance(community)
    kept, changed, gone = (
        FinanceLine.objects.create(disclosure=disclosure, direction="income", item=i, amount=a)
        for i, a in (("拨款", 100), ("捐赠", 50), ("重复", 10))
    )
    services.finance_lines_save(
        actor=clerk,
        disclosure=disclosure,
        lines=[
            FinanceLineData("income", "拨款", Decimal("100.00"), pk=kept.pk),
            FinanceLineData("income", "捐赠", Decimal("60"), pk=changed.pk),
            FinanceLineData("spending", "办公用品", Decimal("12.50")),
        ],
        deleted=[gone.pk],
    )
    rows = sorted(disclosure.lines.values_list("item", "amount"))
    assert rows == [("办公用品", Decimal("12.50")), ("拨款", 100), ("捐赠", 60)]
    assert kept.history.count() == 1  # unchanged: no new version
    assert changed.history.latest().history_user == clerk
    assert FinanceLine.history.get(id=gone.pk, history_type="-").history_user == clerk


def test_a_bad_line_is_refused_next_to_its_row_and_nothing_is_saved(clerk, community):
    disclosure = finance(community)
    elsewhere = FinanceLine.objects.create(
        disclosure=finance(community), direction="income", item="别处", amount=1
    )
    with pytest.raises(ValidationError) as refused:
        services.finance_lines_save(
            actor=clerk,
            disclosure=disclosure,
            lines=[
                FinanceLineData("income", "拨款", Decimal("100")),
                FinanceLineData("spending", "支出", Decimal("0")),
                FinanceLineData("income", "别处", Decimal("1"), pk=elsewhere.pk),
            ],
        )
    errors = refused.value.message_dict
    assert "大于 0" in " ".join(errors["lines.1.amount"])
    assert "刷新" in " ".join(errors["lines.2.__all__"])
    assert not disclosure.lines.exists()


def test_the_lines_page_shows_a_refusal_next_to_its_row(client, clerk, community, monkeypatch):
    disclosure = finance(community)

    def refuse(**_kwargs):
        raise ValidationError({"lines.1.amount": ["金额不对"], "__all__": ["整体不对"]})

    monkeypatch.setattr(services, "finance_lines_save", refuse)
    client.force_login(clerk)
    rows = [("income", "拨款", "100"), ("", "", ""), ("spending", "支出", "5")]
    data = {"lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0"}
    for i, (direction, item, amount) in enumerate(rows):
        data |= {f"lines-{i}-direction": direction, f"lines-{i}-item": item}
        data |= {f"lines-{i}-amount": amount}
    response = client.post(
        reverse("governance:disclosure_lines", args=[community.code, disclosure.pk]), data
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    # The second line given to the service is the third row: the blank one is left out.
    assert formset.forms[2].errors["amount"] == ["金额不对"]
    assert list(formset.non_form_errors()) == ["整体不对"]
