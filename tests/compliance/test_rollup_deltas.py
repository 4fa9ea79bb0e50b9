"""Roll-ups adjusted by delta on each save: equal to a full recount, and saves in different
streets never wait on each other (PostgreSQL, two real connections)."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction

from compliance import rollups
from compliance.engine import evaluate_communities, reevaluate_community
from compliance.models import Rollup
from divisions.models import Community
from tests.compliance.test_rollups import expected_rollups, stored_rollups
from tests.conftest import OTHER_DISTRICT, STREET

AS_OF = datetime.date(2025, 6, 30)
pytestmark = pytest.mark.usefixtures("only_households_rule")

COLUMNS = (
    "code",
    "standard_id",
    "compliant",
    "non_compliant",
    "no_data",
    "not_applicable",
    "communities",
    "households",
    "population",
    "households_missing",
)


def snapshot() -> set[tuple]:
    """Every roll-up row that counts something (a delta leaves emptied rows at zero, a
    recount leaves them out)."""
    return {
        row
        for row in Rollup.objects.values_list(*COLUMNS)
        if any(row[2:6]) or row[1] is None and any(row[6:])
    }


@pytest.mark.django_db
def test_after_a_series_of_saves_the_delta_roll_ups_equal_a_full_recount(zhuhai):
    evaluate_communities(Community.objects.all(), AS_OF)
    street = list(Community.objects.filter(code__startswith=STREET).order_by("code")[:4])
    other = list(Community.objects.filter(code__startswith=OTHER_DISTRICT).order_by("code")[:3])
    steps = [(2500, AS_OF), (None, AS_OF), (800, AS_OF + datetime.timedelta(1)), (2000, AS_OF)]
    for i, (households, day) in enumerate(steps):
        for community in street + other:
            Community.objects.filter(pk=community.pk).update(
                households=households, population=(households or 0) * 3 + i
            )
            community.refresh_from_db()
            reevaluate_community(community, day)
    assert stored_rollups() == expected_rollups()
    by_delta = snapshot()
    rollups.refresh("")
    assert snapshot() == by_delta


# --- PostgreSQL: who waits for whom ----------------------------------------------------------


def _needs_postgres() -> None:
    # The PostgreSQL pass of `make test` runs it (REQUIRE_POSTGRES makes that pass itself fail
    # without PostgreSQL); in the SQLite pass it has nothing to test.
    if connection.vendor != "postgresql":
        pytest.skip("two concurrent writers need PostgreSQL (scripts/with-postgres)")


def _save_and_hold(community: Community, saved: threading.Event, release: threading.Event):
    """A save (the community re-judged in a transaction), then the transaction kept open."""
    try:
        with transaction.atomic():
            reevaluate_community(community, AS_OF)
            saved.set()
            release.wait(30)
    finally:
        connections.close_all()


def _save(community: Community, done: threading.Event) -> None:
    try:
        reevaluate_community(community, AS_OF)
        done.set()
    finally:
        connections.close_all()


def _race(first: Community, second: Community) -> tuple[bool, bool]:
    """Whether the second save finished while the first one's transaction was still open,
    and whether it finished at all once the first committed."""
    saved, release, done = threading.Event(), threading.Event(), threading.Event()
    holder = threading.Thread(target=_save_and_hold, args=(first, saved, release))
    holder.start()
    assert saved.wait(60)
    other = threading.Thread(target=_save, args=(second, done))
    other.start()
    finished_while_held = done.wait(5)
    release.set()
    holder.join(60)
    other.join(60)
    return finished_while_held, done.is_set()


@pytest.mark.django_db(transaction=True)
def test_saves_in_two_streets_do_not_wait_while_two_in_one_community_do(zhuhai):
    _needs_postgres()
    evaluate_communities(Community.objects.all(), AS_OF)
    one = Community.objects.filter(code__startswith=STREET).order_by("code").first()
    elsewhere = Community.objects.filter(code__startswith=OTHER_DISTRICT).order_by("code").first()
    assert one is not None and elsewhere is not None
    Community.objects.filter(pk__in=[one.pk, elsewhere.pk]).update(households=2500)
    one.refresh_from_db()
    elsewhere.refresh_from_db()
    started = time.monotonic()
    assert _race(one, elsewhere) == (True, True)
    assert time.monotonic() - started < 20
    Community.objects.filter(pk=one.pk).update(households=900)
    one.refresh_from_db()
    assert _race(one, one) == (False, True)
    # Both streets' changes reached every level, as a recount finds them.
    assert stored_rollups() == expected_rollups()
