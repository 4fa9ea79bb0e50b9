"""N25-rep (representatives' share of the assembly) and BY-03 (the residents' council's
composition): judges at their boundaries without a database, measures on real communities."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from committees.models import Membership, Organization
from compliance.rules import registry
from divisions.models import Community
from tests.committees.test_rules import join, judge, org, person, refusals
from tests.conftest import OTHER_STREET, STREET

AS_OF = date(2025, 6, 30)
Kind = Organization.Kind
Position = Membership.Position
C, N, D = "compliant", "non_compliant", "no_data"


@pytest.mark.parametrize(
    ("value", "status"),
    [((4, 5), C), ((3, 4), N), ((8, 10), C), ((79, 100), N), ((5, 5), C), (None, D)],
)
def test_it_judges_n25_rep_at_four_fifths_inclusive(value, status):
    assert judge("N25-rep", value, date(2026, 6, 30)).status == status


def test_it_explains_n25_rep_in_chinese():
    verdict = judge("N25-rep", (3, 4), date(2026, 6, 30))
    assert verdict.measured == "居民代表 3 人 / 共 4 人"
    assert verdict.expected == "居民代表不少于 4/5"


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ((10, 1, 1, 1, True), C),
        ((9, 1, 1, 1, True), N),
        ((11, 1, 1, 1, True), N),
        ((10, 2, 1, 1, True), N),
        ((10, 1, 1, 0, True), N),
        ((10, 1, 1, 1, False), N),
        (None, D),
    ],
)
def test_it_judges_by_03_exactly(value, status):
    assert judge("BY-03", value).status == status


def test_it_says_why_the_council_falls_short():
    verdict = judge("BY-03", (10, 1, 1, 1, False))
    assert verdict.explanation == "会长不是社区党组织书记。"
    assert verdict.expected.endswith("会长由社区党组织书记担任")


def test_it_refuses_a_fraction_above_one():
    assert refusals("governance.representatives_share", {"numerator": 6, "denominator": 5}) == [
        "分子不能大于分母。"
    ]


def measure(key: str, communities):
    return registry.get(key).measure(communities, AS_OF)


def build(community: Community, representatives: int) -> None:
    committee = org(community, Kind.RESIDENTS_COMMITTEE)
    assembly = org(community, Kind.REPRESENTATIVES_ASSEMBLY)
    party = org(community, Kind.PARTY_BRANCH)
    council = org(community, Kind.RESIDENTS_COUNCIL)
    secretary = person(community)
    join(secretary, committee, Position.DIRECTOR)
    join(secretary, party, Position.SECRETARY)
    join(secretary, assembly)
    join(secretary, council, Position.CHAIR)
    for i in range(representatives):
        who = person(community)
        join(who, assembly)
        building = org(community, Kind.BUILDING)
        join(who, building, Position.BUILDING_LEADER)
        join(who, council, Position.VICE_CHAIR if i == 0 else Position.MEMBER)
    gone = person(community)  # left before the date: not counted
    join(gone, assembly, end_date=date(2024, 1, 1))


def test_it_measures_the_assembly_and_the_council_in_constant_queries(community_in):
    first, second = community_in(STREET), community_in(OTHER_STREET)
    build(first, 4)
    build(second, 10)
    both = Community.objects.filter(pk__in=[first.pk, second.pk])
    assert measure("governance.representatives_share", both) == {
        first.pk: (4, 5),
        second.pk: (10, 11),
    }
    assert measure("governance.council_composition", both) == {
        first.pk: (4, 1, 1, 1, True),
        second.pk: (10, 1, 1, 1, True),
    }
    everyone = Community.objects.filter(code__startswith="4404")
    for key in ("governance.representatives_share", "governance.council_composition"):
        with CaptureQueriesContext(connection) as queries:
            found = measure(key, everyone)
        assert len(queries) == 2, key
        assert sum(v is None for v in found.values()) == everyone.count() - 2
