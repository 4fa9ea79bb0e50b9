"""Where reads go with a read replica configured (core/dbrouter.py), on any database.

These tests check the router's decisions; tests/system/test_replica.py checks them against a
real streaming replica of PostgreSQL.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.core import signing
from django.db import router

from core.dbrouter import PIN_COOKIE, PrimaryReplicaRouter
from divisions.models import Community
from tests.conftest import loaded_settings, replica_settings

REPLICA_READS = {"read": "replica", "session": "default"}
PRIMARY_READS = {"read": "default", "session": "default"}

pytestmark = pytest.mark.urls("tests.core.replica_urls")


@pytest.fixture
def routed(settings, db):
    replica_settings(settings)


def test_without_a_replica_url_there_is_no_replica_no_router_and_no_pin():
    loaded = loaded_settings()
    assert list(loaded["databases"]) == ["default"]
    assert loaded["routers"] == []
    assert "core.dbrouter.ReplicaPinMiddleware" not in loaded["middleware"]


def test_a_replica_url_adds_the_alias_the_router_and_the_pin_before_the_sessions():
    loaded = loaded_settings(
        DATABASE_REPLICA_URL="postgres://reader:secret@db2.example:5433/portal",
        REPLICA_PIN_SECONDS="9",
    )
    replica = loaded["databases"]["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"]) == ("db2.example", 5433, "portal")
    assert replica["TEST"]["MIRROR"] == "default"  # never a test database on a standby
    assert not replica.get("ATOMIC_REQUESTS")
    assert loaded["databases"]["default"]["ATOMIC_REQUESTS"] is True
    assert loaded["routers"] == ["core.dbrouter.PrimaryReplicaRouter"]
    middleware = loaded["middleware"]
    assert middleware.index("core.dbrouter.ReplicaPinMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
    assert loaded["pin"] == 9


def test_outside_requests_everything_uses_the_primary():
    # Management commands (evaluate_compliance, imports, generate_demo_data) and cron jobs.
    chooser = PrimaryReplicaRouter()
    assert chooser.db_for_read(Community) == "default"
    assert chooser.db_for_write(Community) == "default"


def test_it_migrates_only_the_primary_and_relates_objects_of_both():
    chooser = PrimaryReplicaRouter()
    assert chooser.allow_migrate("default", "committees") is True
    assert chooser.allow_migrate("replica", "committees") is False
    primary, replica = Community(), Community()
    primary._state.db, replica._state.db = "default", "replica"
    assert chooser.allow_relation(primary, replica) is True


def test_a_get_reads_from_the_replica_but_its_session_from_the_primary(client, routed):
    response = client.get("/where/")
    assert response.json() == REPLICA_READS
    assert PIN_COOKIE not in response.cookies
    assert router.db_for_read(Community) == "default"  # and the request's rule ends with it


def test_a_post_reads_from_the_primary_and_pins_the_next_requests_to_it(client, routed):
    response = client.post("/where/")
    assert response.json() == PRIMARY_READS
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == 5 and pin["httponly"]
    # The redirect after the POST, and anything else in those seconds, reads the primary.
    assert client.get("/where/").json() == PRIMARY_READS


def test_the_pin_expires_and_cannot_be_forged(client, routed, monkeypatch):
    client.post("/where/")
    assert client.get("/where/").json() == PRIMARY_READS
    later = SimpleNamespace(time=lambda: time.time() + 6)
    monkeypatch.setattr(signing, "time", later)
    assert client.get("/where/").json() == REPLICA_READS
    monkeypatch.undo()
    client.cookies[PIN_COOKIE] = "1"
    assert client.get("/where/").json() == REPLICA_READS


def test_a_get_that_writes_reads_from_the_primary_after_and_pins_the_client(client, routed):
    response = client.get("/where/write/")
    assert response.json() == {"before": REPLICA_READS, "after": PRIMARY_READS}
    assert PIN_COOKIE in response.cookies
    assert client.get("/where/").json() == PRIMARY_READS


def test_a_transaction_the_view_opens_itself_reads_from_the_primary(client, routed):
    # ATOMIC_REQUESTS wraps every view in a transaction on the primary: that one still reads
    # from the replica; one the view opens for a read-modify-write does not.
    response = client.get("/where/atomic/")
    assert response.json() == {"inside": PRIMARY_READS, "after": REPLICA_READS}
    response = client.get("/where/non-atomic/")
    assert response.json() == {"outside": REPLICA_READS, "inside": PRIMARY_READS}


def test_pinning_can_be_turned_off(client, routed, settings):
    settings.REPLICA_PIN_SECONDS = 0
    response = client.post("/where/")
    assert PIN_COOKIE not in response.cookies
    assert client.get("/where/").json() == REPLICA_READS
