"""Every API route × role × inside/outside the jurisdiction, reads and writes.

The routes are read from the router: a new endpoint this file does not know fails the walk.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from api.models import ApiToken, ApiWrite
from api.urls import router
from core.models import Role
from facilities.models import Facility
from governance.models import Meeting
from tests.api.conftest import room
from tests.conftest import DISTRICT, OTHER_DISTRICT, OTHER_STREET, STREET

pytestmark = pytest.mark.django_db

ROLES = {
    Role.BUREAU: (DISTRICT, OTHER_DISTRICT),
    Role.STREET: (STREET, OTHER_STREET),
    Role.COMMITTEE: (None, None),  # its own community: filled in below
    Role.VIEWER: (DISTRICT, OTHER_DISTRICT),
}
WRITABLE = {"facilities", "meetings"}
# Public policy text: the same for everyone, so never outside anyone's jurisdiction.
UNSCOPED = {"standards"}
PREFIXES = sorted(prefix for prefix, _viewset, _name in router.registry)


def test_it_knows_every_route_of_the_router():
    assert sorted(
        [
            "allocations", "communities", "disclosures", "divisions", "elections",
            "expenditures", "facilities", "findings", "meetings", "memberships", "notices",
            "organizations", "rollups", "standards", "tasks",
        ]
    ) == PREFIXES  # fmt: skip


@pytest.mark.parametrize("prefix", PREFIXES)
def test_it_answers_401_without_a_token(client, zhuhai, prefix):
    response = client.get(f"/api/v1/{prefix}/")
    assert response.status_code == 401
    assert "detail" in response.json()


def _grant(role, community_in):
    inside, outside = ROLES[role]
    if role == Role.COMMITTEE:
        return community_in(STREET).code, community_in(OTHER_STREET).code
    return inside, outside


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("prefix", PREFIXES)
def test_it_lists_only_inside_and_404s_outside(
    make_user, community_in, token_for, api, role, prefix
):
    inside, outside = _grant(role, community_in)
    user = make_user(role, inside)
    writer = make_user(Role.BUREAU, "44")
    mine = room(community_in(inside), writer)
    theirs = room(community_in(outside), writer)
    client = api(token_for(user))
    response = client.get(f"/api/v1/{prefix}/?page_size=500")
    assert response.status_code == 200
    rows = response.json()["results"]
    codes = {row.get("community") or row.get("code") for row in rows}
    if prefix not in UNSCOPED:
        assert all(c is None or c.startswith(inside) or inside.startswith(c) for c in codes), codes
    if prefix == "facilities":
        assert [r["id"] for r in rows] == [mine.pk]
        assert client.get(f"/api/v1/facilities/{mine.pk}/").status_code == 200
        assert client.get(f"/api/v1/facilities/{theirs.pk}/").status_code == 404
    if prefix in ("communities", "divisions"):
        assert client.get(f"/api/v1/{prefix}/{outside}/").status_code == 404
        if prefix == "communities" and len(inside) == 12:
            assert client.get(f"/api/v1/{prefix}/{inside}/").status_code == 200


def _meeting(code):
    return {"community": code, "kind": "residents_meeting", "title": "居民会议",
            "date": "2026-01-05", "held": True, "entitled": 40, "attended": 30}  # fmt: skip


def _facility(code):
    return {"community": code, "kind": "service_station", "name": "服务站", "indoor": True,
            "area_m2": "150", "tenure": "owned"}  # fmt: skip


BODIES = {"facilities": _facility, "meetings": _meeting}
MODELS = {"facilities": Facility, "meetings": Meeting}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("prefix", sorted(WRITABLE))
def test_writes_inside_for_writers_only_and_outside_change_nothing(
    make_user, community_in, token_for, api, role, prefix
):
    inside, outside = _grant(role, community_in)
    user = make_user(role, inside)
    client = api(token_for(user))
    here, there = community_in(inside).code, community_in(outside).code
    model = MODELS[prefix]
    before = model.objects.count()
    # Outside: a 404, whatever the role, and nothing written.
    response = client.post(
        f"/api/v1/{prefix}/", json.dumps(BODIES[prefix](there)), content_type="application/json"
    )
    assert response.status_code == 404
    assert model.objects.count() == before
    existing = room(community_in(outside), make_user(Role.BUREAU, "44"))
    if prefix == "facilities":
        response = client.patch(
            f"/api/v1/facilities/{existing.pk}/",
            json.dumps({"name": "改名", "version": 999}),
            content_type="application/json",
        )
        assert response.status_code == 404
        existing.refresh_from_db()
        assert existing.name == "活动室"
    response = client.post(
        f"/api/v1/{prefix}/", json.dumps(BODIES[prefix](here)), content_type="application/json"
    )
    if role in (Role.STREET, Role.COMMITTEE):
        assert response.status_code == 201, response.content
        assert ApiWrite.objects.filter(token__owner=user, status=201).count() == 1
    else:
        assert response.status_code == 403
        assert model.objects.filter(community__code=here).exclude(pk=existing.pk).count() == 0


def test_a_read_only_token_cannot_write(make_user, community_in, token_for, api):
    user = make_user(Role.STREET, STREET)
    client = api(token_for(user, read_only=True))
    response = client.post(
        "/api/v1/facilities/",
        json.dumps(_facility(community_in(STREET).code)),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Facility.objects.count() == 0


def test_a_session_does_not_write_without_csrf(make_user, community_in):
    from django.test import Client

    user = make_user(Role.STREET, STREET)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/v1/facilities/").status_code == 200
    response = client.post(
        "/api/v1/facilities/",
        json.dumps(_facility(community_in(STREET).code)),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Facility.objects.count() == 0


def test_token_pages_need_login_and_a_token_of_ones_own(client, make_user, token_for, zhuhai):
    owner, other = make_user(Role.STREET, STREET), make_user(Role.STREET, STREET)
    token_for(owner)
    token = ApiToken.objects.get(owner=owner)
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(other)
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
