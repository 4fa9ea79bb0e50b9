"""The portal's own pages (portal/views.py): home, the division pages, the country, healthz."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import Role
from divisions.models import Community
from tests.conftest import CITY, DISTRICT, OTHER_DISTRICT, STREET

pytestmark = pytest.mark.django_db


def test_it_shows_the_street_users_jurisdiction_with_counts_on_home(client, make_user, zhuhai):
    client.force_login(make_user(Role.STREET, STREET))
    response = client.get(reverse("home"))
    n = Community.objects.filter(code__startswith=STREET).count()
    assert response.context["division"].code == STREET
    totals = response.context["totals"]
    assert (totals.communities, totals.streets, totals.households) == (n, 1, 1000 * n)
    assert "翠香街道" in response.content.decode()


def test_a_user_with_several_jurisdictions_gets_a_card_for_each(client, make_user, zhuhai):
    from core.models import Assignment

    user = make_user(Role.STREET, STREET)
    Assignment.objects.create(user=user, role=Role.VIEWER, code=OTHER_DISTRICT)
    client.force_login(user)
    cards = client.get(reverse("home")).context["cards"]
    assert [card.code for card in cards] == [STREET, "440403"]
    assert cards[0].totals.communities == Community.objects.filter(code__startswith=STREET).count()


def test_it_drills_down_from_city_to_district_to_street_to_community(client, make_user, zhuhai):
    client.force_login(make_user(Role.BUREAU, CITY))
    city = client.get(reverse("division", args=[CITY]))
    districts = [row.code for row in city.context["rows"]]
    assert districts == ["440402", "440403", "440404"]
    district = client.get(reverse("division", args=[DISTRICT]))
    assert STREET in [row.code for row in district.context["rows"]]
    street = client.get(reverse("division", args=[STREET]))
    first = street.context["page"].object_list[0]
    page = client.get(reverse("committees:community", args=[first.code]))
    assert page.status_code == 200
    crumbs = [c.code for c in page.context["crumbs"]]
    assert crumbs == ["44", CITY, DISTRICT, STREET]
    linked = [c.code for c in page.context["crumbs"] if c.linked]
    assert linked == [CITY, DISTRICT, STREET]  # the province is above this user's jurisdiction


def test_the_superuser_sees_the_whole_country(client, make_user, zhuhai):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    response = client.get(reverse("national"))
    assert [row.code for row in response.context["rows"]] == ["44"]
    assert response.context["totals"].communities == 213


def test_healthz_answers_ok(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
