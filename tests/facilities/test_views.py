"""Rooms in the browser: recording, bad input, totals, the street comparison and its export."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from compliance.models import Finding
from divisions.models import Community
from facilities.models import Facility
from tests.conftest import STREET

pytestmark = pytest.mark.django_db

GOOD = {
    "kind": "office",
    "name": "社区办公室",
    "indoor": "on",
    "area_m2": "150.50",
    "tenure": "owned",
}


def test_it_records_a_room_and_the_space_findings_follow(street_client, community):
    Community.objects.filter(pk=community.pk).update(households=500)
    url = reverse("facilities:create", args=[community.code])
    assert street_client.post(url, GOOD).status_code == 302
    finding = Finding.objects.get(community=community, standard__code="GD-13b", is_current=True)
    assert finding.status == "compliant"  # 150.5 m² ≥ 20 × 500 / 100 = 100 m²
    page = street_client.get(reverse("facilities:list", args=[community.code]))
    assert page.context["totals"].areas.indoor == Decimal("150.50")
    assert "150.5 m²" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"area_m2": "0"}, "area_m2", "大于 0"),
        ({"area_m2": "-5"}, "area_m2", "大于 0"),
        ({"area_m2": "12.345"}, "area_m2", "2"),
        ({"area_m2": "250000"}, "area_m2", "100000"),
        ({"area_m2": "abc"}, "area_m2", "数"),
        ({"tenure": "rented"}, "annual_rent", "年租金"),
        ({"annual_rent": "1000"}, "annual_rent", "只有租用"),
        ({"kind": "square_park"}, "indoor", "室外"),
        ({"in_use_since": "2020-01-01", "retired_on": "2019-01-01"}, "retired_on", "不能早于"),
        ({"name": " "}, "name", ""),
        ({"handed_over_on": "2020-01-01"}, "handed_over_on", "开发商"),
    ],
)
def test_it_refuses_bad_rooms_with_a_chinese_message(
    street_client, community, data, field, message
):
    response = street_client.post(
        reverse("facilities:create", args=[community.code]), {**GOOD, **data}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors and message in errors, response.context["form"].errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors)
    assert not Facility.objects.exists()


def _room(community, **extra):
    fields = {"kind": "office", "name": "x", "area_m2": Decimal("10"), "tenure": "owned", **extra}
    return Facility.objects.create(community=community, **fields)


def test_the_database_refuses_a_zero_area(community):
    with pytest.raises(IntegrityError), transaction.atomic():
        _room(community, area_m2=Decimal("0"))


def test_the_database_refuses_a_rented_room_without_rent(community):
    with pytest.raises(IntegrityError), transaction.atomic():
        _room(community, tenure="rented")


def test_the_database_refuses_rent_on_an_owned_room(community):
    with pytest.raises(IntegrityError), transaction.atomic():
        _room(community, annual_rent=Decimal("100"))


def test_retired_rooms_do_not_count(street_client, community):
    _room(community, area_m2=Decimal("100"), retired_on=datetime.date(2020, 1, 1))
    _room(community, area_m2=Decimal("40"))
    totals = street_client.get(reverse("facilities:list", args=[community.code])).context["totals"]
    assert totals.areas.indoor == Decimal("40")


def test_the_six_ones_checklist_counts_a_hall_as_the_station(street_client, community):
    _room(community, kind="service_hall")
    checklist = dict(
        street_client.get(reverse("facilities:list", args=[community.code])).context["checklist"]
    )
    assert checklist["社区公共服务站"] is True
    assert checklist["文体活动中心"] is False


def test_the_street_comparison_has_a_constant_query_count_and_exports(street_client, zhuhai):
    url = reverse("facilities:compare", args=[STREET])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert street_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for community in Community.objects.filter(code__startswith=STREET):
        _room(community, area_m2=Decimal("33.3"))
        _room(community, kind="square_park", indoor=False, area_m2=Decimal("500"))
    assert count() == before
    response = street_client.get(reverse("facilities:compare_export", args=[STREET]))
    sheet = load_workbook(BytesIO(response.content)).active
    data = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(data) == Community.objects.filter(code__startswith=STREET).count()
    assert data[0][3] == pytest.approx(33.3) and data[0][4] == pytest.approx(500)


def test_the_street_comparison_shows_the_space_findings(street_client, community):
    Community.objects.filter(pk=community.pk).update(households=1000)
    street_client.post(reverse("facilities:create", args=[community.code]), GOOD)
    page = street_client.get(reverse("facilities:compare", args=[STREET]))
    findings = {f.standard.code: f.status for f in page.context["findings"][community.pk]}
    assert findings["GD-13b"] == "non_compliant"  # 150.5 m² < 200 m² for 1,000 households
    assert "GD-13b" in page.content.decode()
