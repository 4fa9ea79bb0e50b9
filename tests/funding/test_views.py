"""Funds in the browser: ledger, bad input, the street comparison, tasks and benchmarks."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from committees.models import Person
from core.models import Role
from divisions.models import Community
from funding.models import Allocation, AssignedTask, Expenditure, StaffPay, WageBenchmark
from tests.conftest import DISTRICT, STREET

pytestmark = pytest.mark.django_db
YEAR = datetime.date.today().year


def test_it_keeps_a_ledger_and_summarises_the_year(street_client, community):
    url = reverse("funding:allocation_create", args=[community.code])
    assert (
        street_client.post(
            url,
            {
                "year": YEAR,
                "source": "street_finance",
                "amount": "60000.00",
                "received_on": f"{YEAR}-01-05",
            },
        ).status_code
        == 302
    )
    url = reverse("funding:expenditure_create", args=[community.code])
    assert (
        street_client.post(
            url,
            {
                "year": YEAR,
                "date": f"{YEAR}-01-06",
                "category": "office",
                "amount": "1234.56",
                "description": "办公用品",
            },
        ).status_code
        == 302
    )
    page = street_client.get(reverse("funding:ledger", args=[community.code]))
    ledger = page.context["ledger"]
    assert (ledger.received, ledger.spent) == (Decimal("60000.00"), Decimal("1234.56"))
    assert ledger.balance == Decimal("58765.44")
    html = page.content.decode()
    assert "¥60,000.00" in html and "<svg" in html


@pytest.mark.parametrize(
    ("url_name", "data", "field", "message"),
    [
        ("funding:allocation_create", {"amount": "100.123"}, "amount", "2"),
        ("funding:allocation_create", {"amount": "-1"}, "amount", "大于 0"),
        ("funding:allocation_create", {"amount": "0"}, "amount", "大于 0"),
        ("funding:allocation_create", {"amount": "999999999"}, "amount", ""),
        ("funding:allocation_create", {"received_on": "2019-05-01"}, "received_on", "年内"),
        ("funding:allocation_create", {"year": "1999"}, "year", "2000"),
        ("funding:expenditure_create", {"date": "2019-05-01"}, "date", "年内"),
        ("funding:expenditure_create", {"amount": "1.001"}, "amount", "2"),
        ("funding:expenditure_create", {"description": " "}, "description", ""),
        (
            "funding:expenditure_create",
            {"date": f"{YEAR + 1}-01-01", "year": YEAR + 1},
            "date",
            "不能晚于今天",
        ),
    ],
)
def test_it_refuses_bad_amounts_and_dates_in_chinese(
    street_client, community, url_name, data, field, message
):
    base = {
        "year": YEAR,
        "source": "street_finance",
        "amount": "100.00",
        "received_on": f"{YEAR}-01-02",
        "date": f"{YEAR}-01-02",
        "category": "office",
        "description": "用途",
    }
    response = street_client.post(reverse(url_name, args=[community.code]), {**base, **data})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors and message in errors, response.context["form"].errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors)
    assert not Allocation.objects.exists() and not Expenditure.objects.exists()


def test_the_database_refuses_a_negative_amount(community):
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            community=community,
            year=YEAR,
            source="other",
            amount=Decimal("-1"),
            received_on=datetime.date.today(),
        )


def test_the_database_refuses_pay_twice_for_one_year(community):
    person = Person.objects.create(community=community, name="甲", gender="male")
    StaffPay.objects.create(person=person, year=YEAR, annual_pay=Decimal("50000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffPay.objects.create(person=person, year=YEAR, annual_pay=Decimal("60000"))


def test_a_task_without_approval_shows_and_its_approval_needs_an_approver(street_client, community):
    url = reverse("funding:task_create", args=[community.code])
    bad = street_client.post(
        url,
        {
            "department": "区卫健局",
            "title": "健康宣传",
            "assigned_on": "2025-03-01",
            "approved_on": "2025-02-01",
        },
    )
    assert "approved_by" in bad.context["form"].errors
    assert (
        street_client.post(
            url, {"department": "区卫健局", "title": "健康宣传", "assigned_on": "2025-03-01"}
        ).status_code
        == 302
    )
    page = street_client.get(reverse("funding:tasks", args=[community.code]))
    assert "未经准入" in page.content.decode()
    assert AssignedTask.objects.count() == 1


def test_the_street_comparison_adds_up_without_multiplying_rows(street_client, community):
    for amount in ("100.00", "200.00"):
        Allocation.objects.create(
            community=community,
            year=YEAR,
            source="street_finance",
            amount=Decimal(amount),
            received_on=datetime.date(YEAR, 1, 1),
        )
    for amount in ("10.00", "20.00", "30.00"):
        Expenditure.objects.create(
            community=community,
            year=YEAR,
            date=datetime.date(YEAR, 1, 1),
            category="office",
            amount=Decimal(amount),
            description="x",
        )
    url = reverse("funding:compare", args=[STREET])
    rows = {c.code: c for c in street_client.get(url).context["page"]}
    assert (rows[community.code].received, rows[community.code].spent) == (
        Decimal("300.00"),
        Decimal("60.00"),
    )
    with CaptureQueriesContext(connection) as ctx:
        street_client.get(url)
    before = len(ctx.captured_queries)
    for other in Community.objects.filter(code__startswith=STREET).exclude(pk=community.pk):
        Allocation.objects.create(
            community=other,
            year=YEAR,
            source="other",
            amount=Decimal("1"),
            received_on=datetime.date(YEAR, 1, 1),
        )
    with CaptureQueriesContext(connection) as ctx:
        street_client.get(url)
    assert len(ctx.captured_queries) == before
    export = street_client.get(reverse("funding:compare_export", args=[STREET]))
    data = list(
        load_workbook(BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)
    )
    assert len(data) == Community.objects.filter(code__startswith=STREET).count()


def test_a_bureau_records_a_benchmark_only_inside_its_jurisdiction(client, make_user, zhuhai):
    client.force_login(make_user(Role.BUREAU, DISTRICT))
    url = reverse("funding:benchmarks")
    outside = client.post(
        url,
        {"code": "4405", "year": YEAR - 1, "kind": "local_average_wage", "annual_amount": "90000"},
    )
    assert "code" in outside.context["form"].errors
    inside = client.post(
        url,
        {
            "code": DISTRICT,
            "year": YEAR - 1,
            "kind": "local_average_wage",
            "annual_amount": "90000",
        },
    )
    assert inside.status_code == 200 and not inside.context["form"].errors
    assert WageBenchmark.objects.filter(code=DISTRICT).count() == 1


def test_the_ledger_charts_funds_per_thousand_households_against_the_standard(
    street_client, community
):
    Community.objects.filter(pk=community.pk).update(households=2000)
    street_client.post(
        reverse("funding:allocation_create", args=[community.code]),
        {
            "year": YEAR,
            "source": "street_finance",
            "amount": "100000.00",
            "received_on": f"{YEAR}-01-05",
        },
    )
    page = street_client.get(reverse("funding:ledger", args=[community.code]))
    chart = page.context["per_1000"]
    assert chart.standard_code == "GD-20b"  # Zhuhai is in the Pearl River Delta band
    assert (chart.actual, chart.required) == (Decimal("50000.00"), Decimal("60000"))


def test_the_street_comparison_shows_the_funding_findings(street_client, community):
    Community.objects.filter(pk=community.pk).update(households=1000)
    street_client.post(
        reverse("funding:allocation_create", args=[community.code]),
        {
            "year": YEAR,
            "source": "street_finance",
            "amount": "60000.00",
            "received_on": f"{YEAR}-01-05",
        },
    )
    page = street_client.get(reverse("funding:compare", args=[STREET]))
    findings = {f.standard.code: f.status for f in page.context["findings"][community.pk]}
    assert findings["GD-20b"] == "compliant"  # exactly ¥60 × 1,000 households
