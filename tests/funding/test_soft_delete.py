"""Money records are deleted softly: kept (with their history), never counted again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from core.models import Role
from divisions.models import Community
from funding import selectors
from funding.ledger import year_funds
from funding.models import Allocation, Expenditure, StaffPay
from tests.conftest import STREET
from tests.funding.test_rules import YEAR, allocate, measure, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client, make_user):
    client.force_login(make_user(Role.STREET, STREET))
    return client


def delete(client, record, route: str, reason: str = "重复登记"):
    community = (record.person if isinstance(record, StaffPay) else record).community
    url = reverse(route, args=[community.code, record.pk])
    return client.post(url, {"reason": reason})


def test_a_deleted_allocation_leaves_every_total_and_rule(clerk, community_in):
    community = community_in(STREET)
    kept = allocate(community, "50000")
    gone = allocate(community, "70000")
    fundraising = allocate(community, "9000", Allocation.Source.FUNDRAISING)
    assert delete(clerk, gone, "funding:allocation_delete").status_code == 302
    assert delete(clerk, fundraising, "funding:allocation_delete").status_code == 302

    assert selectors.ledger(community, YEAR).received == kept.amount
    row = selectors.comparison(Community.objects.filter(pk=community.pk), YEAR).get()
    assert row.received == kept.amount
    assert year_funds(Community.objects.filter(pk=community.pk), YEAR) == {
        community.pk: (D("50000"), D("0"))
    }
    assert measure("funding.per_households", community)[2:] == (D("50000"), D("0"))
    assert measure("governance.fundraising_disclosed", community) == ((), ())
    # Kept in the database, with who deleted it and why.
    gone = Allocation.all_objects.get(pk=gone.pk)
    assert gone.is_deleted
    assert gone.history.first().history_change_reason == "重复登记"
    assert not Allocation.objects.filter(pk=gone.pk).exists()


def test_a_deleted_expenditure_leaves_the_ledger_and_the_comparison(clerk, community_in):
    community = community_in(STREET)
    spent = Expenditure.objects.create(
        community=community,
        year=YEAR,
        date=date(YEAR, 3, 1),
        category="office",
        amount=D("300"),
        description="纸张",
    )
    assert delete(clerk, spent, "funding:expenditure_delete").status_code == 302
    assert selectors.ledger(community, YEAR).spent == 0
    row = selectors.comparison(Community.objects.filter(pk=community.pk), YEAR).get()
    assert row.spent == 0
    page = clerk.get(reverse("funding:ledger", args=[community.code]), {"year": YEAR})
    assert page.context["deleted"] == [Expenditure.all_objects.get(pk=spent.pk)]


def test_deleted_staff_pay_leaves_the_pay_rule_and_can_be_recorded_again(clerk, community_in):
    community = community_in(STREET)
    low = staff(community, "10000")
    pay = StaffPay.objects.get(person=low)
    assert measure("funding.pay_vs_benchmark", community)[0] == (D("10000"),)
    assert delete(clerk, pay, "funding:pay_delete", "录入错误").status_code == 302
    assert measure("funding.pay_vs_benchmark", community)[0] == (None,)
    assert selectors.ledger(community, YEAR).pay == []
    # The same person and year may be recorded again: only live rows must be unique.
    response = clerk.post(
        reverse("funding:pay_create", args=[community.code]),
        {"person": low.pk, "year": YEAR, "annual_pay": "60000"},
    )
    assert response.status_code == 302
    assert StaffPay.all_objects.filter(person=low, year=YEAR).count() == 2


def test_deleting_asks_for_a_reason_and_a_deleted_record_cannot_be_edited(clerk, community_in):
    community = community_in(STREET)
    allocation = allocate(community, "50000")
    response = delete(clerk, allocation, "funding:allocation_delete", reason="  ")
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["该字段是必填项。"]
    assert Allocation.objects.filter(pk=allocation.pk).exists()
    delete(clerk, allocation, "funding:allocation_delete")
    for route in ("funding:allocation_edit", "funding:allocation_delete"):
        url = reverse(route, args=[community.code, allocation.pk])
        assert clerk.get(url).status_code == 404
        assert clerk.post(url, {"reason": "再删一次"}).status_code == 404
