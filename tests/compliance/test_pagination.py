"""The community list pages through the roll-ups' counts: the same rows as OFFSET would give."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance import rollups
from compliance.counts import CodeOrderPaginator
from compliance.models import Rollup
from core.models import Role
from divisions.models import Community, Division
from tests.conftest import CITY, DISTRICT, STREET

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefixes", [[""], [CITY], [DISTRICT], [STREET, "440403"], ["440404"]])
@pytest.mark.parametrize("per_page", [7, 50])
def test_every_page_holds_the_rows_offset_would_give(zhuhai, prefixes, per_page):
    queryset = Community.objects.filter(code__regex="^(" + "|".join(prefixes) + ")").select_related(
        "street"
    )
    seek = CodeOrderPaginator(queryset, per_page, prefixes)
    plain = Paginator(queryset.order_by("code"), per_page)
    assert seek.count == plain.count
    for number in plain.page_range:
        assert [c.code for c in seek.page(number)] == [c.code for c in plain.page(number)]


def test_without_roll_ups_it_pages_the_ordinary_way(zhuhai):
    Rollup.objects.all().delete()
    seek = CodeOrderPaginator(Community.objects.all(), 50, [""])
    assert seek.count == 213
    assert [c.code for c in seek.page(5)] == list(
        Community.objects.order_by("code").values_list("code", flat=True)[200:]
    )


def test_a_deep_page_costs_what_the_first_page_costs(client, make_user, zhuhai):
    province = Division.objects.create(code="45", name="广西壮族自治区", level=1)
    city = Division.objects.create(code="4501", name="南宁市", level=2, parent=province)
    district = Division.objects.create(code="450102", name="兴宁区", level=3, parent=city)
    street = Division.objects.create(code="450102001", name="民生街道", level=4, parent=district)
    Community.objects.bulk_create(
        Community(code=f"450102001{i:03d}", name=f"民生{i}", street=street) for i in range(1, 200)
    )
    rollups.refresh("")
    client.force_login(make_user(is_superuser=True))
    url = reverse("committees:community_list")

    def queries(page: int) -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"page": page})
        return len(ctx.captured_queries), [c.code for c in response.context["page"]]

    first, _rows = queries(1)
    last, rows = queries(9)
    assert last <= first + 4  # the descent: province, city, district, street
    assert rows == list(Community.objects.order_by("code").values_list("code", flat=True)[400:])
    # Searching by name pages the ordinary way.
    response = client.get(url, {"q": "民生", "page": 2})
    assert len(response.context["page"]) == 50


def test_a_street_filter_pages_within_the_jurisdiction(client, make_user, zhuhai):
    client.force_login(make_user(Role.BUREAU, DISTRICT))
    response = client.get(reverse("committees:community_list"), {"street": STREET})
    expected = Community.objects.filter(code__startswith=STREET).count()
    assert response.context["page"].paginator.count == expected
    response = client.get(reverse("committees:community_list"), {"street": "440403"})
    assert response.context["page"].paginator.count == 0
