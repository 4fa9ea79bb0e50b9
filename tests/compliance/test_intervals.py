"""Findings as intervals: the store answers every date exactly as per-date snapshots would."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.engine import evaluate_communities, judge_communities
from compliance.models import Finding
from divisions.models import Community
from tests.conftest import STREET

pytestmark = pytest.mark.usefixtures("only_households_rule")

# Around 2026-01-01, when N25 replaces N18 (the applicable standards change too).
START = datetime.date(2025, 12, 20)
HOUSEHOLDS = st.sampled_from([None, 150, 500, 1000, 2500, 3500])


def verdicts(rows) -> set[tuple]:
    return {(r[0], r[1], r[2], r[3], r[4]) for r in rows}


def snapshot(communities, day: datetime.date) -> set[tuple]:
    outcomes = judge_communities(communities, day)
    return {
        (pk, o.candidate.standard.pk, o.verdict.status, str(o.verdict.measured), o.verdict.missing)
        for pk, results in outcomes.items()
        for o in results
    }


def stored(day: datetime.date) -> set[tuple]:
    return verdicts(
        Finding.objects.on(day).values_list(
            "community_id", "standard_id", "status", "measured", "missing"
        )
    )


# One step: days after the previous evaluation (0: the same day again), and new households
# for some of the communities before evaluating.
STEPS = st.lists(
    st.tuples(st.integers(0, 12), st.dictionaries(st.integers(0, 3), HOUSEHOLDS, max_size=4)),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_it_answers_every_date_as_per_date_snapshots_would(zhuhai, steps):
    Finding.objects.all().delete()
    pks = list(
        Community.objects.filter(code__startswith=STREET)
        .order_by("code")
        .values_list("pk", flat=True)
    )[:4]
    communities = Community.objects.filter(pk__in=pks)
    communities.update(households=1000)
    day = START
    snapshots: dict[datetime.date, set[tuple]] = {}
    for gap, households in steps:
        day += datetime.timedelta(days=gap)
        for index, value in households.items():
            Community.objects.filter(pk=pks[index]).update(households=value)
        evaluate_communities(communities, day)
        snapshots[day] = snapshot(communities, day)
    # Every day from the first evaluation to a week after the last: the latest snapshot on or
    # before it (what a per-date store answered with "the latest evaluation on or before").
    first, last = min(snapshots), max(snapshots)
    probe = first - datetime.timedelta(days=1)
    assert stored(probe) == set()
    while probe <= last + datetime.timedelta(days=7):
        probe += datetime.timedelta(days=1)
        latest = max(d for d in snapshots if d <= probe)
        assert stored(probe) == snapshots[latest], probe
    assert Finding.objects.filter(is_current=True).count() == len(snapshots[last])


def test_it_writes_nothing_when_re_evaluating_an_unchanged_day(zhuhai):
    communities = Community.objects.filter(code__startswith=STREET)
    written = evaluate_communities(communities, START)
    assert written == Finding.objects.count() > 0
    assert evaluate_communities(communities, START) == 0
    assert evaluate_communities(communities, START + datetime.timedelta(days=1)) == 0
    assert Finding.objects.count() == written


def test_it_closes_the_old_interval_and_opens_one_when_a_verdict_changes(zhuhai):
    community = Community.objects.filter(code__startswith=STREET).order_by("code").first()
    one = Community.objects.filter(pk=community.pk)
    evaluate_communities(one, START)
    later = START + datetime.timedelta(days=3)
    one.update(households=2500)
    assert evaluate_communities(one, later) == 4  # two closed, two opened
    gd01 = Finding.objects.filter(community=community, standard__code="GD-01").order_by(
        "valid_from"
    )
    assert [(f.valid_from, f.valid_to, f.status) for f in gd01] == [
        (START, later, "non_compliant"),
        (later, None, "compliant"),
    ]


def test_it_refuses_a_second_open_interval_in_the_database(zhuhai):
    community = Community.objects.filter(code__startswith=STREET).first()
    evaluate_communities(Community.objects.filter(pk=community.pk), START)
    open_one = Finding.objects.filter(community=community, is_current=True).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(
            community=community,
            code=community.code,
            standard=open_one.standard,
            valid_from=START + datetime.timedelta(days=5),
            status="compliant",
        )
