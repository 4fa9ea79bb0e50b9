"""Term elections end to end: each step, bad input refused with nothing saved, who is elected
computed (ties, unfilled seats, the re-run), certification changing the roster, corrections.

Counting is checked as pure arithmetic first (elections/counting.py), then through the
services and the browser, on real Zhuhai communities.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import Membership
from core.dates import add_years
from core.models import Role
from divisions.models import Community
from elections import services
from elections.counting import (
    ElectionRules,
    Entry,
    age_on,
    cn_date,
    cn_number,
    compute_outcomes,
    election_rules,
)
from elections.models import Election, ElectionCandidate, ElectionCorrection
from tests.conftest import STREET
from tests.elections.builders import (
    DAY,
    TODAY,
    ballots,
    certified,
    committee,
    election,
    person,
    sitting,
    stand,
)

pytestmark = pytest.mark.django_db
Outcome = ElectionCandidate.Outcome
DIRECTOR, DEPUTY, MEMBER = "director", "deputy_director", "member"
RULES = ElectionRules()  # 过半数 of the ballots cast; a re-run needs at least a third


@pytest.fixture
def street(make_user, zhuhai):
    return make_user(Role.STREET, STREET)


@pytest.fixture
def street_client(client, street):
    client.force_login(street)
    return client


@pytest.fixture
def member_client(client, make_user, community):
    client.force_login(make_user(Role.COMMITTEE, community.code))
    return client


def counted(community, votes: dict[str, list[int]], *, cast=600, valid=590, seats=(1, 1, 3)):
    """An election with ballots and candidates' votes recorded, its results computed."""
    e = ballots(election(community, seats=seats), 700, cast, valid, cast - valid)
    for position, numbers in votes.items():
        for n in numbers:
            stand(e, position, n)
    services.refresh_outcomes(e, None)
    return e


def outcomes(e: Election) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for c in e.candidates.order_by("position", "-votes", "pk"):
        found.setdefault(c.position, []).append(c.outcome)
    return found


def url(name: str, e: Election) -> str:
    return reverse(f"elections:{name}", args=[e.community.code, e.pk])


# --- counting, as arithmetic ----------------------------------------------------------------------


def entries(position: str, *votes: int) -> list[Entry]:
    return [Entry(i, position, v) for i, v in enumerate(votes)]


def test_it_elects_only_more_than_half_of_the_ballots_cast():
    results = compute_outcomes({DIRECTOR: 1}, entries(DIRECTOR, 300, 200), 600, None, RULES)
    assert results.outcomes == {0: Outcome.NOT_ELECTED, 1: Outcome.NOT_ELECTED}  # 300 = half
    results = compute_outcomes({DIRECTOR: 1}, entries(DIRECTOR, 301, 200), 600, None, RULES)
    assert results.outcomes[0] == Outcome.ELECTED and results.unfilled == 0


def test_it_fills_seats_in_order_of_votes_among_those_above_half():
    results = compute_outcomes({MEMBER: 2}, entries(MEMBER, 400, 500, 350, 100), 600, None, RULES)
    assert [k for k, o in results.outcomes.items() if o == Outcome.ELECTED] == [0, 1]
    assert results.outcomes[2] == Outcome.NOT_ELECTED  # above half, but the seats are taken


def test_a_tie_for_the_last_seat_elects_neither_and_leaves_it_unfilled():
    results = compute_outcomes({MEMBER: 2}, entries(MEMBER, 500, 400, 400), 600, None, RULES)
    assert results.outcomes == {0: Outcome.ELECTED, 1: Outcome.TIED, 2: Outcome.TIED}
    assert results.unfilled_after_first == 1 and results.ties


def test_a_tie_within_the_seats_elects_both():
    results = compute_outcomes({MEMBER: 2}, entries(MEMBER, 400, 400, 100), 600, None, RULES)
    assert results.outcomes == {0: Outcome.ELECTED, 1: Outcome.ELECTED, 2: Outcome.NOT_ELECTED}


def test_a_re_run_elects_with_at_least_a_third_included():
    first = [Entry(0, MEMBER, 500), Entry(1, MEMBER, 250, 100), Entry(2, MEMBER, 200, 99)]
    results = compute_outcomes({MEMBER: 2}, first, 600, 300, RULES)
    assert results.outcomes == {0: Outcome.ELECTED, 1: Outcome.ELECTED_RERUN, 2: "not_elected"}
    first[1] = Entry(1, MEMBER, 250, 99)  # 99 of 300 is less than a third
    results = compute_outcomes({MEMBER: 2}, first, 600, 300, RULES)
    assert results.outcomes[1] == Outcome.NOT_ELECTED and results.unfilled == 1


def test_a_tie_in_the_re_run_leaves_the_seat_unfilled():
    first = [Entry(0, MEMBER, 200, 120), Entry(1, MEMBER, 250, 120)]
    results = compute_outcomes({MEMBER: 1}, first, 600, 300, RULES)
    assert results.outcomes == {0: Outcome.TIED, 1: Outcome.TIED} and results.unfilled == 1


def test_results_stay_pending_until_every_vote_is_in():
    results = compute_outcomes({MEMBER: 1}, [Entry(0, MEMBER, None)], 600, None, RULES)
    assert not results.complete and results.outcomes == {0: Outcome.PENDING}


def test_it_reads_the_thresholds_and_term_of_the_standards_in_force(community):
    rules = election_rules(community.code, DAY)
    assert (rules.win_code, rules.rerun_code, rules.turnout_code) == (
        "EL-win",
        "EL-rerun",
        "EL-valid",
    )
    assert rules.win == {"numerator": 1, "denominator": 2, "strict": True}
    assert rules.rerun == {"numerator": 1, "denominator": 3, "strict": False}
    assert rules.term_years == 5 and rules.term_code in ("N18-08b", "N25-term")
    assert "EL-win" in rules.cite and "EL-rerun" in rules.cite


def test_it_counts_age_in_whole_years_and_writes_dates_the_official_way():
    assert age_on(datetime.date(2008, 5, 11), datetime.date(2026, 5, 10)) == 17
    assert age_on(datetime.date(2008, 5, 10), datetime.date(2026, 5, 10)) == 18
    assert age_on(datetime.date(2008, 2, 29), datetime.date(2026, 2, 28)) == 17
    assert [cn_number(n) for n in (1, 8, 10, 11, 20, 31, 99)] == [
        "一",
        "八",
        "十",
        "十一",
        "二十",
        "三十一",
        "九十九",
    ]
    assert cn_date(datetime.date(2026, 5, 10)) == "二〇二六年五月十日"
    assert add_years(datetime.date(2024, 2, 29), 5) == datetime.date(2029, 2, 28)


# --- the whole election in the browser ------------------------------------------------------------


def test_a_committee_member_records_a_whole_election_and_the_street_certifies_it(
    client, make_user, community, street
):
    org = committee(community)
    old_director = sitting(org, DIRECTOR)
    old_member = sitting(org, MEMBER)
    client.force_login(make_user(Role.COMMITTEE, community.code))
    code = community.code

    response = client.post(
        reverse("elections:election_create", args=[code]),
        {
            "kind": "general",
            "term_number": "8",
            "election_day": DAY.isoformat(),
            "method": "direct",
            "seats_director": "1",
            "seats_deputy": "1",
            "seats_member": "1",
            "election_committee_members": "主任 王五",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    e = Election.objects.get(community=community)
    assert response["Location"] == url("election", e)

    response = client.post(
        url("election_voter_list", e),
        {
            "voter_list_published_on": (DAY - datetime.timedelta(days=25)).isoformat(),
            "registered_voters": "1000",
        },
    )
    assert response.status_code == 302
    people = {}
    for position, names in ((DIRECTOR, "甲乙"), (DEPUTY, "丙丁"), (MEMBER, "戊己")):
        for name in names:
            people[name] = person(community, f"候选{name}")
            response = client.post(
                url("election_candidate_create", e),
                {"person": people[name].pk, "position": position, "nomination": "voters"},
            )
            assert response.status_code == 302, response.context["form"].errors
    response = client.post(
        url("election_voting", e),
        {
            "ballots_issued": "700",
            "ballots_cast": "690",
            "ballots_valid": "680",
            "ballots_invalid": "10",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    votes = {"甲": 400, "乙": 250, "丙": 500, "丁": 100, "戊": 346, "己": 300}
    candidates = {c.person.name[-1]: c for c in e.candidates.select_related("person")}
    response = client.post(
        url("election_results", e), {f"votes_{candidates[k].pk}": v for k, v in votes.items()}
    )
    assert response.status_code == 302
    assert {k: c.outcome for k, c in ((k, c) for k, c in _reload(candidates).items())} == {
        "甲": "elected",
        "乙": "not_elected",
        "丙": "elected",
        "丁": "not_elected",
        "戊": "elected",  # 346 of 690 ballots cast is more than half
        "己": "not_elected",
    }
    page = client.get(url("election", e))
    assert page.status_code == 200 and "EL-win" in page.content.decode()
    # The committee member may not certify.
    assert client.get(url("election_certify", e)).status_code == 403

    client.force_login(street)
    response = client.post(
        url("election_certify", e), {"certified_on": TODAY.isoformat(), "confirm": "on"}
    )
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.is_certified and e.certified_by == street
    assert (e.term_starts_on, e.term_ends_on) == (DAY, add_years(DAY, 5))
    new = Membership.objects.filter(organization=org, start_date=DAY).select_related("person")
    assert sorted((m.person.name, m.position) for m in new) == [
        ("候选丙", DEPUTY),
        ("候选戊", MEMBER),
        ("候选甲", DIRECTOR),
    ]
    assert all(m.term_ends_on == add_years(DAY, 5) and m.source == "elected" for m in new)
    for old in (old_director, old_member):
        old.refresh_from_db()
        assert old.end_date == DAY - datetime.timedelta(days=1) and "换届" in old.end_reason
        assert old.history.count() == 2  # created, then ended: history stays
    assert all(c.membership_id for c in e.candidates.filter(outcome="elected"))
    announcement = client.get(url("election_announcement", e)).content.decode()
    assert "第八届换届选举结果公告" in announcement and "候选甲" in announcement
    assert "选举有效" in announcement and "经翠香街道办事处确认" in announcement


def _reload(candidates: dict) -> dict:
    return {k: ElectionCandidate.objects.get(pk=c.pk) for k, c in candidates.items()}


# --- steps out of order ---------------------------------------------------------------------------


def test_candidates_wait_for_the_voter_list(member_client, community):
    e = election(community, lead_days=None)
    who = person(community)
    response = member_client.post(
        url("election_candidate_create", e),
        {"person": who.pk, "position": DIRECTOR, "nomination": "voters"},
    )
    assert "请先完成选民登记" in str(response.context["form"].non_field_errors())
    assert not e.candidates.exists()


def test_voting_waits_for_candidates_in_every_position(member_client, community):
    e = election(community)
    stand(e, DIRECTOR)
    response = member_client.post(
        url("election_voting", e),
        {
            "ballots_issued": "700",
            "ballots_cast": "690",
            "ballots_valid": "680",
            "ballots_invalid": "10",
        },
    )
    errors = str(response.context["form"].non_field_errors())
    assert "请先登记候选人" in errors and "副主任" in errors and "委员" in errors
    e.refresh_from_db()
    assert e.ballots_cast is None


def test_voting_waits_for_election_day(member_client, community):
    e = election(community, day=TODAY + datetime.timedelta(days=5))
    for position in (DIRECTOR, DEPUTY, MEMBER):
        stand(e, position)
    response = member_client.post(
        url("election_voting", e),
        {
            "ballots_issued": "10",
            "ballots_cast": "10",
            "ballots_valid": "10",
            "ballots_invalid": "0",
        },
    )
    assert "尚未到" in str(response.context["form"].non_field_errors())
    e.refresh_from_db()
    assert e.ballots_cast is None


def test_results_wait_for_the_ballots(community):
    e = election(community)
    c = stand(e, DIRECTOR)
    with pytest.raises(ValidationError, match="请先登记投票情况"):
        services.results_record(actor=None, election=e, votes={c.pk: 10})
    c.refresh_from_db()
    assert c.votes is None


def test_the_results_page_waits_for_the_ballots(member_client, community):
    """Votes posted before the ballots are recorded are refused on the page (it was a 500)."""
    e = election(community)
    c = stand(e, DIRECTOR)
    for extra in ({}, {"preview": "1"}):
        response = member_client.post(url("election_results", e), {f"votes_{c.pk}": "10", **extra})
        assert response.status_code == 200
        assert "请先登记投票情况" in str(response.context["form"].non_field_errors())
    c.refresh_from_db()
    assert c.votes is None


def test_certification_waits_for_complete_results(street, community):
    e = ballots(election(community), 700, 690, 680, 10)
    stand(e, DIRECTOR, 400)
    stand(e, DEPUTY)  # no votes yet
    with pytest.raises(ValidationError, match="尚未登记完整"):
        services.election_certify(actor=street, election=e, on=TODAY)
    e.refresh_from_db()
    assert not e.is_certified and not Membership.objects.exists()


def test_a_re_run_waits_for_unfilled_seats(community):
    e = counted(community, {DIRECTOR: [400, 100], DEPUTY: [400], MEMBER: [400, 350, 320]})
    assert services.rerun_places(e, services.candidates_of(e)) == {}
    e.rerun_day = DAY
    e.rerun_ballots_issued = e.rerun_ballots_cast = e.rerun_ballots_valid = 100
    e.rerun_ballots_invalid = 0
    with pytest.raises(ValidationError, match="无需另行选举"):
        services.rerun_record(actor=None, election=e, votes={})


# --- bad input: field errors in Chinese, nothing saved --------------------------------------------

GOOD_BALLOTS = {
    "ballots_issued": "700",
    "ballots_cast": "690",
    "ballots_valid": "680",
    "ballots_invalid": "10",
}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"ballots_issued": "1001", "ballots_cast": "1001", "ballots_valid": "991"},
            "ballots_issued",
            "不能多于登记选民数",
        ),
        ({"ballots_cast": "701", "ballots_valid": "691"}, "ballots_cast", "不能多于发出选票"),
        ({"ballots_valid": "691", "ballots_invalid": "0"}, "ballots_valid", "不能多于收回选票"),
        ({"ballots_invalid": "11"}, "ballots_invalid", "应等于收回选票数"),
        ({"ballots_cast": "-5"}, "ballots_cast", "不能为负数"),
        ({"ballots_valid": ""}, "ballots_valid", ""),
        ({"ballots_issued": "99999999999999999999"}, "ballots_issued", "数字过大"),
    ],
)
def test_bad_ballots_are_refused_next_to_the_field(member_client, community, data, field, message):
    e = election(community, seats=(1, 0, 0))
    stand(e, DIRECTOR)
    response = member_client.post(url("election_voting", e), {**GOOD_BALLOTS, **data})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors and message in errors, response.context["form"].errors
    e.refresh_from_db()
    assert e.ballots_issued is None and e.ballots_cast is None


def test_ballots_are_held_to_the_households_in_a_household_election(member_client, community):
    e = election(community, method="household", units=300, seats=(1, 0, 0))
    stand(e, DIRECTOR)
    response = member_client.post(
        url("election_voting", e),
        {
            "ballots_issued": "301",
            "ballots_cast": "300",
            "ballots_valid": "300",
            "ballots_invalid": "0",
        },
    )
    assert "参加选举的户数" in " ".join(response.context["form"].errors["ballots_issued"])


@pytest.mark.parametrize(
    ("votes", "field", "message"),
    [
        ({"a": 681, "b": 0}, "a", "不能多于有效票"),
        ({"a": -1, "b": 0}, "a", "不能为负数"),
        ({"a": 400, "b": ""}, "b", ""),
        ({"a": 400, "b": 300}, "a", "超过有效票 × 应选名额"),
    ],
)
def test_bad_votes_are_refused_and_nothing_is_counted(
    member_client, community, votes, field, message
):
    e = ballots(election(community, seats=(1, 0, 0)), 700, 690, 680, 10)
    a, b = stand(e, DIRECTOR), stand(e, DIRECTOR)
    names = {"a": a, "b": b}
    response = member_client.post(
        url("election_results", e), {f"votes_{names[k].pk}": v for k, v in votes.items()}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(f"votes_{names[field].pk}", []))
    assert errors and message in errors, response.context["form"].errors
    assert not e.candidates.filter(votes__isnull=False).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"voter_list_published_on": (DAY + datetime.timedelta(days=1)).isoformat()},
            "voter_list_published_on",
            "选举日不能早于名单公布日期",
        ),
        (
            {"voter_list_published_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "voter_list_published_on",
            "不能晚于今天",
        ),
        ({"registered_voters": "0"}, "registered_voters", "至少为 1"),
        ({"registered_voters": "-3"}, "registered_voters", "不能为负数"),
        ({"voter_list_published_on": "2026-02-30"}, "voter_list_published_on", ""),
    ],
)
def test_a_bad_voter_list_is_refused(member_client, community, data, field, message):
    e = election(community, lead_days=None)
    payload = {
        "voter_list_published_on": (DAY - datetime.timedelta(days=25)).isoformat(),
        "registered_voters": "1000",
        **data,
    }
    response = member_client.post(url("election_voter_list", e), payload)
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors and message in errors, response.context["form"].errors
    e.refresh_from_db()
    assert e.voter_list_published_on is None and e.registered_voters is None


def test_moving_election_day_before_the_voter_list_is_refused(member_client, community):
    e = election(community)
    response = member_client.post(
        url("election_plan", e),
        {
            "kind": "general",
            "term_number": "8",
            "election_day": (e.voter_list_published_on - datetime.timedelta(days=1)).isoformat(),
            "method": "direct",
            "seats_director": "1",
            "seats_deputy": "1",
            "seats_member": "3",
            "election_committee_members": "主任 王五",
        },
    )
    assert "不能早于选民名单公布日期" in " ".join(response.context["form"].errors["election_day"])
    e.refresh_from_db()
    assert e.election_day == DAY


def test_a_voter_list_under_20_days_before_is_saved_with_a_finding(member_client, community):
    e = election(community, lead_days=None)
    response = member_client.post(
        url("election_voter_list", e),
        {
            "voter_list_published_on": (DAY - datetime.timedelta(days=19)).isoformat(),
            "registered_voters": "1000",
        },
        follow=True,
    )
    e.refresh_from_db()
    assert e.voter_list_published_on == DAY - datetime.timedelta(days=19)
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "EL-list" in shown and "不足 20 日" in shown
    statuses = {r.standard.code: r.status for r in response.context["page"].verdicts}
    assert statuses["EL-list"] == "non_compliant"


def test_a_candidate_under_18_on_election_day_is_refused(member_client, community):
    e = election(community)
    young = person(community, born=DAY.replace(year=DAY.year - 18) + datetime.timedelta(days=1))
    response = member_client.post(
        url("election_candidate_create", e),
        {"person": young.pk, "position": DIRECTOR, "nomination": "self"},
    )
    assert "未满 18 周岁" in " ".join(response.context["form"].errors["person"])
    assert not e.candidates.exists()
    adult = person(community, born=DAY.replace(year=DAY.year - 18))
    response = member_client.post(
        url("election_candidate_create", e),
        {"person": adult.pk, "position": DIRECTOR, "nomination": "self"},
    )
    assert response.status_code == 302


def test_an_id_number_tells_the_age_when_the_birth_date_is_missing(community):
    e = election(community)
    young = person(community, born=None, id_number=_id_number("44040220100101"))
    with pytest.raises(ValidationError, match="未满 18 周岁"):
        services.candidate_add(
            actor=None,
            election=e,
            candidate=ElectionCandidate(person=young, position=DIRECTOR, nomination="self"),
        )


def _id_number(head: str) -> str:
    from core.validators import ID_CHECK, ID_WEIGHTS

    body = head + "0012"[: 17 - len(head)]
    body = (body + "0" * 17)[:17]
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def test_someone_else_s_resident_cannot_stand(community, community_in):
    e = election(community)
    outsider = person(community_in("440402002"))
    errors = services.candidate_errors(
        e,
        ElectionCandidate(election=e, person=outsider, position=DIRECTOR),
        [],
        RULES,
    )
    assert "本社区" in errors["person"]


def test_a_general_election_elects_one_director(member_client, community):
    response = member_client.post(
        reverse("elections:election_create", args=[community.code]),
        {
            "kind": "general",
            "term_number": "8",
            "election_day": DAY.isoformat(),
            "method": "group_representative",
            "seats_director": "0",
            "seats_deputy": "0",
            "seats_member": "0",
            "election_committee_members": " ",
        },
    )
    errors = response.context["form"].errors
    assert "主任 1 名" in " ".join(errors["seats_director"])
    assert "组成人员" in " ".join(errors["election_committee_members"])
    assert not Election.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"ballots_cast": 1001, "ballots_issued": 1001, "ballots_valid": 991},  # above registered
        {"ballots_cast": 701},  # above issued
        {"ballots_valid": 689, "ballots_invalid": 10},  # valid + invalid ≠ cast
        {"ballots_valid": None},  # half recorded
        {"voter_list_published_on": DAY + datetime.timedelta(days=1)},
        {"seats_director": 2},
        {"seats_director": 0, "seats_deputy": 0, "seats_member": 0},
        {"reps_per_group": 3},  # only for a residents'-representative election
        {"voting_units": 10},  # only for representative elections
        {"certified_on": TODAY},  # certified without a term
    ],
)
def test_the_database_refuses_what_the_forms_refuse(community, change):
    e = ballots(election(community), 700, 690, 680, 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Election.objects.filter(pk=e.pk).update(**change)


def test_the_database_refuses_a_second_general_election_of_the_same_term(community):
    election(community)
    with pytest.raises(IntegrityError), transaction.atomic():
        election(community)
    election(community, kind="by_election")  # a by-election of the same term is fine


# --- who is elected, through the services ---------------------------------------------------------


def test_results_are_computed_and_frozen_with_the_rule(community):
    e = counted(community, {DIRECTOR: [301, 200], DEPUTY: [300], MEMBER: [400, 350, 320, 10]})
    assert outcomes(e) == {
        DIRECTOR: ["elected", "not_elected"],
        DEPUTY: ["not_elected"],  # exactly half of 600 is not more than half
        MEMBER: ["elected", "elected", "elected", "not_elected"],
    }
    e.refresh_from_db()
    assert "EL-win" in e.result_rule and "EL-rerun" in e.result_rule


def test_a_tie_is_shown_and_a_re_run_fills_the_seat(member_client, community):
    e = counted(community, {DIRECTOR: [400], DEPUTY: [400], MEMBER: [500, 450, 320, 320]})
    assert outcomes(e)[MEMBER] == ["elected", "elected", "tied", "tied"]
    page = member_client.get(url("election", e))
    assert page.context["rerun_needed"] and "得票相等" in page.content.decode()
    tied = list(e.candidates.filter(outcome="tied").order_by("pk"))
    response = member_client.post(
        url("election_rerun", e),
        {
            "rerun_day": DAY.isoformat(),
            "rerun_ballots_issued": "500",
            "rerun_ballots_cast": "480",
            "rerun_ballots_valid": "470",
            "rerun_ballots_invalid": "10",
            f"rerun_votes_{tied[0].pk}": "300",
            f"rerun_votes_{tied[1].pk}": "160",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert outcomes(e)[MEMBER] == ["elected", "elected", "elected_rerun", "not_elected"]


def test_a_re_run_that_reaches_no_one_leaves_the_seat_empty(community):
    e = counted(community, {DIRECTOR: [400], DEPUTY: [400], MEMBER: [500, 450, 100]})
    loser = e.candidates.get(votes=100)
    e.rerun_day, e.rerun_ballots_issued, e.rerun_ballots_cast = DAY, 300, 300
    e.rerun_ballots_valid, e.rerun_ballots_invalid = 300, 0
    services.rerun_record(actor=None, election=e, votes={loser.pk: 99})  # under a third
    loser.refresh_from_db()
    assert loser.outcome == "not_elected" and loser.rerun_votes == 99


def test_a_re_run_is_refused_above_its_valid_ballots(member_client, community):
    e = counted(community, {DIRECTOR: [400], DEPUTY: [400], MEMBER: [500, 450, 100]})
    loser = e.candidates.get(votes=100)
    response = member_client.post(
        url("election_rerun", e),
        {
            "rerun_day": DAY.isoformat(),
            "rerun_ballots_issued": "300",
            "rerun_ballots_cast": "301",
            "rerun_ballots_valid": "301",
            "rerun_ballots_invalid": "0",
            f"rerun_votes_{loser.pk}": "302",
        },
    )
    assert "不能多于发出选票" in " ".join(response.context["form"].errors["rerun_ballots_cast"])
    e.refresh_from_db()
    assert not e.has_rerun


def test_the_preview_shows_winners_without_saving(member_client, community):
    e = ballots(election(community, seats=(1, 0, 0)), 700, 600, 590, 10)
    a, b = stand(e, DIRECTOR), stand(e, DIRECTOR)
    response = member_client.post(
        url("election_results", e),
        {f"votes_{a.pk}": "301", f"votes_{b.pk}": "200", "preview": "1"},
    )
    assert response.status_code == 200
    assert response.context["preview"].outcomes[a.pk] == "elected"
    assert "当选" in response.content.decode() and "election_tally.js" in response.content.decode()
    assert not e.candidates.filter(votes__isnull=False).exists()


def test_a_candidate_is_removed_before_voting_and_not_after(member_client, community):
    e = election(community)
    c = stand(e, DIRECTOR)
    remove = url("election_candidate_remove", e)
    assert member_client.get(remove).status_code == 405
    assert member_client.post(remove, {"candidate": c.pk}).status_code == 302
    assert not e.candidates.exists()
    c = stand(e, DIRECTOR)
    ballots(e, 700, 690, 680, 10)
    response = member_client.post(remove, {"candidate": c.pk}, follow=True)
    assert "不能再删除" in " ".join(str(m) for m in response.context["messages"])
    assert e.candidates.exists()
    for junk in ("abc", "99999999999999999999999", ""):
        assert member_client.post(remove, {"candidate": junk}).status_code == 302


# --- certification --------------------------------------------------------------------------------


def test_only_the_street_office_or_a_bureau_certifies(make_user, community, street):
    e = counted(community, {DIRECTOR: [400], DEPUTY: [400], MEMBER: [500, 450, 400]})
    member = make_user(Role.COMMITTEE, community.code)
    with pytest.raises(PermissionDenied):
        services.election_certify(actor=member, election=e, on=TODAY)
    bureau = make_user(Role.BUREAU, "440402")
    services.election_certify(actor=bureau, election=e, on=TODAY)
    assert Election.objects.get(pk=e.pk).certified_by == bureau


def test_an_election_without_more_than_half_voting_is_not_certified(street, community):
    e = ballots(election(community, seats=(1, 0, 0)), 500, 500, 500, 0)  # 500 of 1000
    stand(e, DIRECTOR, 400)
    services.refresh_outcomes(e, None)
    with pytest.raises(ValidationError, match="选举无效"):
        services.election_certify(actor=street, election=e, on=TODAY)
    assert not Membership.objects.exists()


def test_a_by_election_completes_the_current_term_and_ends_nobody(street, community):
    org = committee(community)
    start = datetime.date(2021, 5, 1)
    general = counted(community, {DIRECTOR: [400], DEPUTY: [400], MEMBER: [500, 450, 400]})
    Election.objects.filter(pk=general.pk).update(
        election_day=start,
        voter_list_published_on=start - datetime.timedelta(days=25),
        certified_on=start,
        term_starts_on=start,
        term_ends_on=add_years(start, 5) + datetime.timedelta(days=3650),  # far, so it runs now
    )
    staying = sitting(org, MEMBER)
    by = ballots(election(community, kind="by_election", seats=(0, 0, 1)), 700, 690, 680, 10)
    stand(by, MEMBER, 500)
    services.refresh_outcomes(by, None)
    services.election_certify(actor=street, election=by, on=TODAY)
    by.refresh_from_db()
    general.refresh_from_db()
    assert by.term_ends_on == general.term_ends_on
    staying.refresh_from_db()
    assert staying.end_date is None
    assert Membership.objects.filter(organization=org, start_date=DAY).count() == 1


def test_certification_creates_the_committee_when_none_is_recorded(street, community):
    e = counted(community, {DIRECTOR: [400], DEPUTY: [400], MEMBER: [500, 450, 400]})
    services.election_certify(actor=street, election=e, on=TODAY)
    assert (
        Membership.objects.filter(
            organization__community=community, organization__kind="residents_committee"
        ).count()
        == 5
    )


def test_a_certified_election_is_not_edited_in_place(member_client, street, community):
    e = counted(community, {DIRECTOR: [400], DEPUTY: [400], MEMBER: [500, 450, 400]})
    services.election_certify(actor=street, election=e, on=TODAY)
    for name in ("election_voting", "election_results", "election_plan", "election_voter_list"):
        response = member_client.post(url(name, e), {**GOOD_BALLOTS, "registered_voters": "5"})
        assert response.status_code == 302 and response["Location"] == url("election", e)
    e.refresh_from_db()
    assert (e.ballots_cast, e.registered_voters) == (600, 1000)
    with pytest.raises(ValidationError, match="已经确认"):
        services.results_record(actor=None, election=e, votes={})


# --- corrections ----------------------------------------------------------------------------------


def test_a_correction_is_a_recorded_act_that_moves_the_seat(client, make_user, street, community):
    e = counted(community, {DIRECTOR: [400, 100], DEPUTY: [400], MEMBER: [500, 450, 400, 50]})
    services.election_certify(actor=street, election=e, on=TODAY)
    loser = e.candidates.get(votes=50)
    third = e.candidates.get(votes=400, position=MEMBER)
    old_membership = third.membership
    # A committee member may not correct.
    client.force_login(make_user(Role.COMMITTEE, community.code))
    assert client.get(url("election_correct", e)).status_code == 403
    client.force_login(street)
    form = client.get(url("election_correct", e)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update({f"votes_{third.pk}": "40", f"votes_{loser.pk}": "410", "reason": "复核计票"})
    response = client.post(url("election_correct", e), data)
    assert response.status_code == 302, response.context["form"].errors
    fix = ElectionCorrection.objects.get(election=e)
    assert fix.made_by == street and fix.reason == "复核计票"
    assert [third.person.name + "(委员)得票", 400, 40] in fix.changes
    third.refresh_from_db()
    loser.refresh_from_db()
    assert (third.outcome, loser.outcome) == ("not_elected", "elected")
    old_membership.refresh_from_db()
    assert (
        old_membership.end_reason == "选举结果更正"
        or not Membership.objects.filter(pk=old_membership.pk).exists()
    )
    assert loser.membership.end_date is None and loser.membership.term_ends_on == e.term_ends_on
    page = client.get(url("election", e)).content.decode()
    assert "更正记录" in page and "复核计票" in page


def test_a_correction_needs_a_reason_and_a_change(street, community):
    e = counted(community, {DIRECTOR: [400], DEPUTY: [400], MEMBER: [500, 450, 400]})
    services.election_certify(actor=street, election=e, on=TODAY)
    votes = {c.pk: c.votes for c in e.candidates.all()}
    with pytest.raises(ValidationError, match="更正原因"):
        services.election_correct(actor=street, election=e, reason=" ", votes=votes, rerun_votes={})
    with pytest.raises(ValidationError, match="没有任何更正内容"):
        services.election_correct(
            actor=street, election=e, reason="核对", votes=votes, rerun_votes={}
        )
    assert not ElectionCorrection.objects.exists()


def test_an_uncertified_election_needs_no_correction(street_client, community):
    e = counted(community, {DIRECTOR: [400], DEPUTY: [400], MEMBER: [500, 450, 400]})
    response = street_client.get(url("election_correct", e))
    assert response.status_code == 200 and response.context["form"] is None


# --- pages ----------------------------------------------------------------------------------------


def test_the_election_page_shows_the_current_step_and_what_is_missing(member_client, community):
    e = election(community)
    stand(e, DIRECTOR)
    page = member_client.get(url("election", e)).context["page"]
    assert page.current.key == "candidates"
    assert any("副主任" in str(m) for m in page.current.missing)
    assert [s.done for s in page.steps] == [True, True, False, False, False, False]


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_tab_and_the_election_page_cost_the_same_with_more_records(street_client, community):
    e = counted(community, {DIRECTOR: [400], DEPUTY: [400], MEMBER: [500, 450, 400]})
    tab = reverse("elections:elections", args=[community.code])
    few_tab, few_page = _queries(street_client, tab), _queries(street_client, url("election", e))
    for term in range(1, 6):
        counted_e = election(community, term=term, kind="general")
        for n in (400, 300, 200):
            stand(counted_e, MEMBER, n)
    for n in (10, 20, 30):
        stand(e, MEMBER, n)
    assert _queries(street_client, tab) == few_tab
    assert _queries(street_client, url("election", e)) == few_page


def test_the_street_sees_overdue_and_upcoming_elections_and_its_direct_rate(
    street_client, community_in
):
    communities = list(Community.objects.filter(code__startswith=STREET).order_by("code")[:3])
    overdue, upcoming, fine = communities
    for c, start in (
        (overdue, TODAY - datetime.timedelta(days=5 * 366)),
        (upcoming, add_years(TODAY, -5) + datetime.timedelta(days=30)),
        (fine, TODAY - datetime.timedelta(days=400)),
    ):
        certified(c, start, method="direct" if c is not upcoming else "household")
    path = reverse("elections:election_overview", args=[STREET])
    response = street_client.get(path)
    data = response.context["data"]
    assert [c.code for c in data.overdue] == [overdue.code]
    assert [c.code for c in data.upcoming] == [upcoming.code]
    assert data.rate == (2, 3)
    assert data.target.status == "non_compliant" and data.target_standard.code == "GD-06a"
    before = _queries(street_client, path)
    for c in Community.objects.filter(code__startswith=STREET).order_by("code")[3:8]:
        certified(c, TODAY - datetime.timedelta(days=6 * 366))
    assert _queries(street_client, path) == before
    division = street_client.get(reverse("division", args=[STREET]))
    sections = {s.key: s for s in division.context["reminders"]}
    assert sections["elections.elections"].count == 6
    assert "换届选举逾期" in division.content.decode()


def test_a_second_general_election_of_the_same_term_is_refused_in_the_form(
    member_client, community
):
    election(community, term=8)
    response = member_client.post(
        reverse("elections:election_create", args=[community.code]),
        {
            "kind": "general",
            "term_number": "8",
            "election_day": DAY.isoformat(),
            "method": "direct",
            "seats_director": "1",
            "seats_deputy": "1",
            "seats_member": "3",
            "election_committee_members": "主任 王五",
        },
    )
    assert response.status_code == 200
    assert "已经登记" in str(response.context["form"].non_field_errors())
    assert Election.objects.filter(community=community).count() == 1


def test_a_committee_member_is_reminded_of_their_overdue_election(member_client, community):
    certified(community, TODAY - datetime.timedelta(days=5 * 366), term=7)
    response = member_client.get(reverse("home"))
    sections = {s.key: s for s in response.context["reminders"]}
    assert sections["elections.elections"].count == 1
    assert "换届选举逾期" in response.content.decode()
