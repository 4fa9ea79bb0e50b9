"""The jurisdiction export: JSON Lines of what the token may read, streamed, nothing else."""

from __future__ import annotations

import json

import pytest

from api.export import EXPORTED
from core.models import Role
from tests.api.conftest import room
from tests.conftest import OTHER_STREET, STREET

pytestmark = pytest.mark.django_db


def test_it_needs_a_token(client, zhuhai):
    assert client.get("/api/v1/export/").status_code == 401


def test_it_streams_the_records_of_the_jurisdiction_only(make_user, community_in, token_for, api):
    setup = make_user(Role.BUREAU, "44")
    mine = room(community_in(STREET), setup)
    theirs = room(community_in(OTHER_STREET), setup)
    client = api(token_for(make_user(Role.STREET, STREET)))
    response = client.get("/api/v1/export/")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("application/jsonl")
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    kinds = [row["type"] for row in rows]
    assert set(kinds) <= set(EXPORTED) and kinds == sorted(kinds, key=list(EXPORTED).index)
    rooms = [row["record"]["id"] for row in rows if row["type"] == "facilities"]
    assert rooms == [mine.pk] and theirs.pk not in rooms
    for row in rows:
        code = row["record"].get("community") or row["record"].get("code")
        assert code is None or code.startswith(STREET) or STREET.startswith(code), row
    # Each record as its list endpoint gives it.
    listed = client.get("/api/v1/facilities/").json()["results"]
    assert [row["record"] for row in rows if row["type"] == "facilities"] == listed


def test_it_exports_only_the_types_asked_for(make_user, community_in, token_for, api):
    room(community_in(STREET), make_user(Role.BUREAU, "44"))
    client = api(token_for(make_user(Role.VIEWER, STREET)))
    response = client.get("/api/v1/export/", {"types": "facilities,communities"})
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert {row["type"] for row in rows} == {"facilities", "communities"}
    bad = client.get("/api/v1/export/", {"types": "facilities,passwords"})
    assert bad.status_code == 400 and "passwords" in bad.json()["types"][0]
