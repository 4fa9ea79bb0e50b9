"""Election rules (elections/rules.py).

Every judge at its boundaries with the catalogue's own parameters (过半数 excludes exactly half,
三分之一 and 二十日以前 include the number), then the measures on real Zhuhai communities:
which election is judged, and as many queries for thirty communities as for one.
"""

from __future__ import annotations

import datetime
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.catalog import STANDARDS
from compliance.engine import evaluate_communities, evaluate_jurisdictions
from compliance.models import Finding, JurisdictionFinding, Status
from compliance.rules import MISSING_RECORDS, registry
from core.dates import add_years
from divisions.models import Community
from elections import services
from tests.conftest import (
    CITY,
    DISTRICT,
    OTHER_STREET,
    STREET,
    judge_standard,
    measure_one,
    refusals,
)
from tests.elections.builders import ballots, certified, election, person, stand

AS_OF = date(2026, 6, 30)
KEYS = {
    "election.turnout": {"EL-valid"},
    "election.winning_threshold": {"EL-win"},
    "election.rerun_threshold": {"EL-rerun"},
    "election.competitive": {"EL-cand", "N25-cand"},
    "election.voter_list_lead": {"EL-list", "N25-vl"},
    "election.method": {"N18-08a", "SD-11b"},
    "election.term_length": {"N18-08b", "N25-term"},
    "election.candidate_age": {"N18-08c"},
}
JURISDICTION = {"jurisdiction.direct_election_rate": {"GD-06a"}}
C, N, D, NA = Status.COMPLIANT, Status.NON_COMPLIANT, Status.NO_DATA, Status.NOT_APPLICABLE
DIRECTOR, DEPUTY, MEMBER = "director", "deputy_director", "member"


def judge(standard_id: str, value, as_of: date = AS_OF):
    return judge_standard(standard_id, value, as_of)


def measure(key: str, community: Community, as_of: date = AS_OF):
    return measure_one(key, community, as_of)


# --- registration and parameters ------------------------------------------------------------------


def test_it_registers_every_election_rule_at_the_level_of_its_standards():
    for key in KEYS:
        assert registry.get(key).level == "community", key
    assert registry.get("jurisdiction.direct_election_rate").level == "jurisdiction"
    assert MISSING_RECORDS["elections.elections"].url_name == "elections:elections"


def test_it_accepts_the_params_of_every_catalogue_standard_of_these_rules_unchanged():
    checked = set()
    for standard in STANDARDS:
        expected = {**KEYS, **JURISDICTION}.get(standard["rule_key"])
        if expected is not None:
            cleaned = registry.get(standard["rule_key"]).clean_params(standard["params"])
            assert set(cleaned) == set(standard["params"]), standard["id"]
            checked.add(standard["id"])
    assert checked == set().union(*KEYS.values(), *JURISDICTION.values())


@pytest.mark.parametrize(
    ("key", "params", "message"),
    [
        ("election.turnout", {"numerator": 1, "denominator": 0}, "分母"),
        ("election.turnout", {"numerator": 3, "denominator": 2}, "分子"),
        (
            "election.winning_threshold",
            {"numerator": 1, "denominator": 2, "strict": "yes"},
            "strict",
        ),
        ("election.rerun_threshold", {"numerator": True, "denominator": 3}, "整数"),
        ("election.voter_list_lead", {"days": 0}, "提前天数"),
        ("election.voter_list_lead", {"weeks": 3}, "未知参数"),
        ("election.method", {"allowed": ["vote"]}, "未知类别"),
        ("election.method", {"allowed": ["direct"], "reps_per_group": [3, 2]}, "[最少, 最多]"),
        ("election.term_length", {"max_years": "five"}, "每届任期"),
        ("election.candidate_age", {"min_age": 0}, "最低年龄"),
        (
            "jurisdiction.direct_election_rate",
            {"targets": [{"from": "2015", "min": "0.4"}]},
            "日期",
        ),
    ],
)
def test_it_refuses_bad_parameters_in_chinese(key, params, message):
    messages = refusals(key, params)
    assert any(message in m for m in messages), messages


# --- judges at their boundaries -------------------------------------------------------------------


def test_every_judge_asks_for_an_election_when_none_was_held():
    for ids in KEYS.values():
        for standard_id in ids:
            verdict = judge(standard_id, None)
            assert verdict.status == D and verdict.missing == "elections.elections", standard_id


@pytest.mark.parametrize(("cast", "status"), [(500, N), (501, C), (0, N), (1000, C)])
def test_el_valid_needs_more_than_half_of_the_electorate(cast, status):
    assert judge("EL-valid", ("direct", 1000, cast)).status == status


def test_el_valid_names_the_households_in_a_household_election_and_waits_for_data():
    verdict = judge("EL-valid", ("household", 300, 100))
    assert "户代表" in verdict.measured and "选举无效" in verdict.explanation
    assert judge("EL-valid", ("direct", None, None)).explanation == "尚未登记选民名单。"
    assert judge("EL-valid", ("direct", 1000, None)).explanation == "尚未登记投票情况。"


@pytest.mark.parametrize(("votes", "status"), [(300, N), (301, C)])
def test_el_win_refuses_exactly_half_of_the_ballots_cast(votes, status):
    assert judge("EL-win", (True, 600, ((votes, "elected"), (100, "not_elected")))).status == status


def test_el_win_waits_for_the_count():
    assert judge("EL-win", (False, 600, ((400, ""),))).status == D


@pytest.mark.parametrize(("votes", "status"), [(99, N), (100, C), (101, C)])
def test_el_rerun_accepts_exactly_a_third(votes, status):
    value = (True, 3, 2, 300, True, ((votes, "elected_rerun"),))
    assert judge("EL-rerun", value).status == status


def test_el_rerun_applies_only_to_unfilled_seats_and_wants_the_re_run_held():
    assert judge("EL-rerun", (True, 3, 3, None, True, ())).status == NA
    certified_without = judge("EL-rerun", (True, 3, 2, None, True, ()))
    assert certified_without.status == N and "1 个名额空缺" in certified_without.explanation
    assert judge("EL-rerun", (True, 3, 2, None, False, ())).status == D  # still under way
    assert judge("EL-rerun", (False, 3, 0, None, False, ())).status == D


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (((DIRECTOR, 1, 2), (MEMBER, 3, 4)), C),
        (((DIRECTOR, 1, 1), (MEMBER, 3, 4)), N),  # 等额 for the director
        (((DIRECTOR, 1, 2), (MEMBER, 3, 3)), N),
        (((DIRECTOR, 1, 0), (MEMBER, 3, 0)), D),
    ],
)
def test_el_cand_and_n25_cand_want_more_candidates_than_seats_in_each_position(value, status):
    assert judge("EL-cand", value).status == status
    assert judge("N25-cand", value).status == status


def test_el_cand_names_the_position_without_competition():
    verdict = judge("EL-cand", ((DIRECTOR, 1, 1),))
    assert "主任候选人 1 名,应选 1 名" in verdict.explanation


@pytest.mark.parametrize(("lead", "status"), [(19, N), (20, C), (21, C), (0, N)])
def test_el_list_and_n25_vl_include_the_twentieth_day(lead, status):
    day = date(2026, 5, 10)
    value = (day - datetime.timedelta(days=lead), day)
    assert judge("EL-list", value).status == status
    assert judge("N25-vl", value).status == status
    assert judge("EL-list", (None, day)).status == D


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (("direct", None), C),
        (("household", None), C),
        (("group_representative", 2), C),
        (("group_representative", 3), C),
        (("group_representative", 4), N),
        (("group_representative", 1), N),
    ],
)
def test_n18_08a_allows_three_methods_and_two_or_three_representatives(value, status):
    assert judge("N18-08a", value, date(2021, 5, 1)).status == status


def test_sd_11b_does_not_count_representatives_and_a_local_rule_may_narrow_the_methods():
    assert judge("SD-11b", ("group_representative", 5)).status == C
    rule = registry.get("election.method")
    verdict = rule.judge(
        ("household", None), rule.clean_params({"allowed": ["direct"]}), as_of=AS_OF
    )
    assert verdict.status == N and verdict.expected == "直接选举"


@pytest.mark.parametrize(
    ("ends", "as_of", "status"),
    [
        (date(2026, 5, 1), date(2026, 5, 1), C),  # the last day of the term
        (date(2026, 5, 1), date(2026, 5, 2), N),  # overdue from the next day
        (date(2026, 5, 2), date(2026, 4, 1), N),  # a term of five years and a day
    ],
)
def test_n25_term_holds_five_years_and_finds_an_overdue_election(ends, as_of, status):
    verdict = judge("N25-term", (7, date(2021, 5, 1), ends), as_of)
    assert verdict.status == status


def test_the_overdue_finding_says_since_when():
    verdict = judge("N25-term", (7, date(2021, 5, 1), date(2026, 5, 1)), date(2026, 6, 30))
    assert "换届选举逾期" in verdict.explanation and "60 天" in verdict.explanation
    assert judge("N18-08b", (7, date(2021, 5, 1), date(2026, 5, 1)), date(2024, 1, 1)).status == C


@pytest.mark.parametrize(
    ("ages", "unknown", "status"), [((18, 40), 0, C), ((17, 40), 0, N), ((18,), 1, D), ((), 0, D)]
)
def test_n18_08c_wants_18_on_election_day(ages, unknown, status):
    verdict = judge("N18-08c", (ages, unknown), date(2021, 5, 1))
    assert verdict.status == status
    if status == D and unknown:
        assert verdict.missing == "committee.roster"


@pytest.mark.parametrize(
    ("value", "as_of", "status"),
    [
        ((40, 100), date(2015, 12, 31), C),
        ((39, 100), date(2015, 12, 31), N),
        ((69, 100), date(2020, 12, 31), N),
        ((70, 100), date(2020, 12, 31), C),
        ((10, 100), date(2015, 12, 30), NA),  # before the first target
        ((0, 0), date(2021, 1, 1), D),
    ],
)
def test_gd_06a_holds_the_direct_rate_to_its_dated_targets(value, as_of, status):
    assert judge("GD-06a", value, as_of).status == status


# --- measures -------------------------------------------------------------------------------------


def test_it_judges_the_latest_election_held_by_the_date(community):
    older = ballots(election(community, day=date(2021, 5, 1), term=7), 700, 600, 590, 10)
    later = election(community, day=date(2026, 5, 10), term=8, lead_days=19)
    election(community, day=date(2026, 9, 1), kind="by_election", term=8)  # after the date
    assert measure("election.voter_list_lead", community) == (
        date(2026, 4, 21),
        date(2026, 5, 10),
    )
    assert measure("election.turnout", community) == ("direct", 1000, None)
    assert measure("election.turnout", community, date(2026, 5, 9)) == ("direct", 1000, 600)
    assert measure("election.voter_list_lead", community, date(2020, 1, 1)) is None
    assert older.pk != later.pk


def test_it_measures_candidates_results_and_ages(community):
    e = ballots(election(community, day=date(2026, 5, 10), seats=(1, 0, 2)), 700, 600, 590, 10)
    stand(e, DIRECTOR, 400, born=date(2008, 5, 10))  # 18 on the day
    stand(e, DIRECTOR, 100, born=None)
    stand(e, MEMBER, 500)
    stand(e, MEMBER, 300)  # exactly half: not elected
    services.refresh_outcomes(e, None)
    assert measure("election.competitive", community) == ((DIRECTOR, 1, 2), (MEMBER, 2, 2))
    assert measure("election.candidate_age", community) == ((18, 46, 46), 1)
    assert measure("election.winning_threshold", community) == (
        True,
        600,
        ((100, "not_elected"), (300, "not_elected"), (400, "elected"), (500, "elected")),
    )
    assert measure("election.rerun_threshold", community) == (True, 3, 2, None, False, ())
    assert measure("election.method", community) == ("direct", None)


def test_the_term_is_the_latest_certified_general_election_whose_term_has_started(community):
    first = certified(community, date(2016, 5, 1), term=6)
    assert measure("election.term_length", community) == (6, date(2016, 5, 1), date(2021, 5, 1))
    certified(community, date(2021, 5, 1), term=7)
    certified(community, date(2024, 5, 1), term=7, kind="by_election")  # completes a term
    election(community, day=date(2026, 6, 1), term=8)  # not certified
    assert measure("election.term_length", community) == (7, date(2021, 5, 1), date(2026, 5, 1))
    assert judge("N25-term", measure("election.term_length", community)).status == N
    assert measure("election.term_length", community, date(2020, 1, 1))[0] == first.term_number


def test_it_measures_the_direct_election_rate_by_division(community_in):
    in_street = list(Community.objects.filter(code__startswith=STREET).order_by("code")[:3])
    for c, method in zip(in_street, ["direct", "direct", "household"], strict=True):
        certified(c, date(2021, 5, 1), method=method)
    other = community_in(OTHER_STREET)
    certified(other, date(2016, 5, 1), method="household", term=6)
    certified(other, date(2021, 5, 1), method="direct")  # the current term's method counts
    election(in_street[0], day=date(2026, 5, 1), method="household", term=8)  # not certified
    rule = registry.get("jurisdiction.direct_election_rate")
    assert rule.measure_divisions(CITY, 9, AS_OF) == {STREET: (2, 3), OTHER_STREET: (1, 1)}
    assert rule.measure_divisions(CITY, 6, AS_OF) == {DISTRICT: (3, 4)}
    assert rule.measure_divisions("", 9, AS_OF, codes=[STREET]) == {STREET: (2, 3)}
    assert rule.measure_divisions(CITY, 9, date(2020, 1, 1)) == {OTHER_STREET: (0, 1)}


def populate(community: Community) -> None:
    e = ballots(election(community, day=date(2026, 5, 10), seats=(1, 0, 2)), 700, 600, 590, 10)
    stand(e, DIRECTOR, 400)
    stand(e, MEMBER, 500)
    stand(e, MEMBER, 250, born=None)
    services.refresh_outcomes(e, None)
    certified(community, date(2021, 5, 1), term=7)


def test_it_measures_every_rule_in_as_many_queries_for_thirty_communities_as_for_one(zhuhai):
    communities = list(Community.objects.order_by("code")[:30])
    for community in communities:
        populate(community)
    one = Community.objects.filter(pk=communities[0].pk)
    many = Community.objects.filter(pk__in=[c.pk for c in communities])
    for key in KEYS:
        rule = registry.get(key)
        with CaptureQueriesContext(connection) as single:
            small = rule.measure(one, AS_OF)
        with CaptureQueriesContext(connection) as thirty:
            large = rule.measure(many, AS_OF)
        assert 1 <= len(single) == len(thirty) <= 3, key
        assert len(large) == 30 and small[communities[0].pk] == large[communities[0].pk], key
        for value in large.values():
            hash(value)
    rule = registry.get("jurisdiction.direct_election_rate")
    with CaptureQueriesContext(connection) as street:
        rule.measure_divisions(STREET, 9, AS_OF)
    with CaptureQueriesContext(connection) as city:
        rule.measure_divisions(CITY, 9, AS_OF)
    with CaptureQueriesContext(connection) as chosen:
        rule.measure_divisions("", 6, AS_OF, codes=[DISTRICT, "440403"])
    assert len(street) == len(city) == len(chosen) == 1


def test_it_evaluates_the_election_standards_of_a_zhuhai_community(community):
    e = ballots(
        election(community, day=date(2026, 5, 10), seats=(1, 0, 1), lead_days=19), 700, 600, 590, 10
    )
    stand(e, DIRECTOR, 400)
    stand(e, MEMBER, 500)
    stand(e, MEMBER, 40)
    services.refresh_outcomes(e, None)
    certified(community, date(2021, 5, 1), term=7)
    evaluate_communities(Community.objects.filter(pk=community.pk), AS_OF)
    found = dict(
        Finding.objects.filter(
            community=community, standard__rule_key__startswith="election."
        ).values_list("standard__code", "status")
    )
    assert found == {
        "EL-valid": C,
        "EL-win": C,
        "EL-rerun": NA,
        "EL-cand": N,  # one director candidate for one seat
        "N25-cand": N,
        "EL-list": N,  # 19 days
        "N25-vl": N,
        "N25-term": N,  # the 7th term ended on 2026-05-01 and the 8th is not certified
    }


def test_a_person_without_a_birth_date_is_asked_for(community):
    e = election(community, day=date(2021, 5, 10))
    stand(e, DIRECTOR, who=person(community, born=None))
    verdict = judge("N18-08c", measure("election.candidate_age", community, date(2021, 6, 1)))
    assert verdict.status == D and "缺少出生日期" in verdict.explanation


def test_it_evaluates_the_direct_election_rate_of_the_city(community_in):
    for i, c in enumerate(Community.objects.filter(code__startswith=STREET).order_by("code")[:10]):
        certified(c, date(2021, 5, 1), method="direct" if i < 7 else "household")
    evaluate_jurisdictions(CITY, AS_OF)
    rows = {
        f.code: f
        for f in JurisdictionFinding.objects.filter(standard__code="GD-06a", is_current=True)
    }
    assert (rows[STREET].numerator, rows[STREET].denominator) == (7, 10)
    assert rows[STREET].status == C and rows[STREET].expected == "≥ 70.0%"
    assert add_years(date(2021, 5, 1), 5) == date(2026, 5, 1)
