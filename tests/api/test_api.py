"""Tokens, the sync round trip, hostile JSON, rate limits, query counts and the schema."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import ApiToken, ApiWrite
from core.models import Role
from facilities.models import Facility
from tests.api.conftest import room
from tests.conftest import OTHER_STREET, STREET

pytestmark = pytest.mark.django_db


def test_it_stores_only_a_digest_and_refuses_revoked_and_expired_tokens(
    make_user, zhuhai, token_for, api
):
    user = make_user(Role.STREET, STREET)
    raw = token_for(user)
    token = ApiToken.objects.get(owner=user)
    assert raw not in (token.digest, token.prefix) and token.last_used_at is None
    assert api(raw).get("/api/v1/facilities/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    ApiToken.objects.filter(pk=token.pk).update(expires_on=timezone.localdate())
    ApiToken.objects.filter(pk=token.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert api(raw).get("/api/v1/facilities/").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=1), revoked_at=timezone.now()
    )
    assert api(raw).get("/api/v1/facilities/").status_code == 401


def test_the_token_page_shows_a_new_token_once_and_revokes_it(client, make_user, zhuhai):
    user = make_user(Role.STREET, STREET)
    client.force_login(user)
    expires = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post("/account/tokens/", {"name": "同步", "expires_on": expires})
    raw = response.context["created"][1]
    assert raw in response.content.decode()
    assert raw not in client.get("/account/tokens/").content.decode()
    token = ApiToken.objects.get(owner=user)
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    # A street office may not make a service token; an expiry in the past is refused.
    response = client.post("/account/tokens/", {"name": "x", "expires_on": expires, "code": STREET})
    assert response.status_code == 400 and "code" in response.context["form"].errors


def test_a_service_token_sees_only_its_own_division(make_user, community_in, token_for, api):
    bureau = make_user(Role.BUREAU, "440402")
    room(community_in(STREET), bureau)
    room(community_in(OTHER_STREET), bureau)
    rows = api(token_for(bureau, code=STREET)).get("/api/v1/facilities/").json()["results"]
    assert [r["community"][:9] for r in rows] == [STREET]
    with pytest.raises(Exception):  # noqa: B017  # outside the bureau's own jurisdiction
        token_for(bureau, code="440403")


def test_a_client_round_trip(make_user, community_in, token_for, api):
    user = make_user(Role.STREET, STREET)
    code = community_in(STREET).code
    client = api(token_for(user))
    first = room(community_in(STREET), user)
    listed = client.get("/api/v1/facilities/").json()
    assert [r["id"] for r in listed["results"]] == [first.pk]
    mark = timezone.now().isoformat()
    assert client.get("/api/v1/facilities/", {"updated_since": mark}).json()["results"] == []
    body = {"community": code, "kind": "service_station", "name": "新服务站", "indoor": True,
            "area_m2": "200", "tenure": "owned"}  # fmt: skip
    created = client.post("/api/v1/facilities/", json.dumps(body), content_type="application/json")
    assert created.status_code == 201
    new_id, etag = created.json()["id"], created["ETag"]
    changed = client.get("/api/v1/facilities/", {"updated_since": mark}).json()["results"]
    assert [r["id"] for r in changed] == [new_id]
    ok = client.patch(f"/api/v1/facilities/{new_id}/", json.dumps({"name": "改"}),
                      content_type="application/json", HTTP_IF_MATCH=etag)  # fmt: skip
    assert ok.status_code == 200
    stale = client.patch(f"/api/v1/facilities/{new_id}/", json.dumps({"name": "再改"}),
                         content_type="application/json", HTTP_IF_MATCH=etag)  # fmt: skip
    assert stale.status_code == 412 and stale.json()["version"]
    facility = Facility.objects.get(pk=new_id)
    assert facility.name == "改"
    assert facility.history.first().history_user == user
    assert ApiWrite.objects.filter(token__owner=user).count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {"area_m2": "abc", "indoor": "maybe", "name": 5},
        {"bogus": 1, "name": "x"},
        {"name": "控制\u0000字符", "kind": "service_station"},
        {"name": ["list"], "area_m2": {"a": 1}},
    ],
)
def test_hostile_json_gets_field_errors_never_a_500(make_user, community_in, token_for, api, body):
    user = make_user(Role.STREET, STREET)
    payload = {"community": community_in(STREET).code, **body}
    response = api(token_for(user)).post(
        "/api/v1/facilities/", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    assert set(body) & set(response.json())
    assert Facility.objects.count() == 0


def test_malformed_and_huge_bodies_get_400(make_user, community_in, token_for, api, settings):
    client = api(token_for(make_user(Role.STREET, STREET)))
    for raw in ("{not json", "[1, 2]", '"text"'):
        response = client.post("/api/v1/facilities/", raw, content_type="application/json")
        assert response.status_code == 400, raw
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    huge = json.dumps({"community": community_in(STREET).code, "note": "x" * 5000})
    response = client.post("/api/v1/facilities/", huge, content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


def test_it_answers_429_in_json_over_the_rate(make_user, zhuhai, token_for, api, settings):
    settings.API_RATE_LIMIT = "3/min"
    client = api(token_for(make_user(Role.STREET, STREET)))
    codes = [client.get("/api/v1/divisions/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/divisions/").json()["detail"]


@pytest.mark.parametrize("prefix", ["facilities", "meetings", "memberships", "communities"])
def test_list_queries_do_not_grow_with_the_data(make_user, community_in, token_for, api, prefix):
    user = make_user(Role.BUREAU, "4404")
    client = api(token_for(user))
    client.get(f"/api/v1/{prefix}/")  # the token's last use is recorded once, then not again

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/{prefix}/").status_code == 200
        return len(queries)

    room(community_in(STREET), user)
    few = count()
    for n in range(5):
        room(community_in(OTHER_STREET), user, name=f"室{n}")
    assert count() == few <= 6


def test_the_schema_generates_without_warnings_and_is_checked_in():
    out, err = io.StringIO(), io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=err)
    checked_in = (Path(__file__).parents[2] / "api" / "openapi.yaml").read_text()
    assert out.getvalue() == checked_in, (
        "regenerate: .venv/bin/python manage.py spectacular --file api/openapi.yaml"
    )
