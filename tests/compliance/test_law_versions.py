"""The residents' committee law as it stood on each date: the 1989 text (1990-01-01 to
2018-12-28), the 2018 amendment (to 2025-12-31) and the 2025 revision (from 2026-01-01), the
election model rules from the 2010 village-committee law, and the rule a resolution freezes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from compliance.catalog import DOCUMENTS, STANDARDS
from compliance.catalog_sync import sync_catalog
from compliance.engine import applicable_standards, judge_communities
from compliance.models import PolicyDocument, Standard, Status
from core.models import Role
from divisions.models import Community
from elections.counting import election_rules
from governance import services
from tests.conftest import STREET

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "community.households_range"
TERM = "election.term_length"
QUORUM = "governance.meeting_quorum"
BY_ID = {s["id"]: s for s in STANDARDS}


@pytest.fixture
def community(community_in) -> Community:
    return community_in(STREET)


def codes(community: Community, on: date, key: str) -> list[str]:
    return [c.standard.code for c in applicable_standards(community, on, [key]).get(key, [])]


def verdicts(community: Community, on: date) -> dict[str, str]:
    outcomes = judge_communities(Community.objects.filter(pk=community.pk), on)[community.pk]
    return {o.candidate.standard.code: o.verdict.status for o in outcomes}


# --- each version of the law, on the last day before it and on its first day ----------------------


@pytest.mark.parametrize(
    ("day", "law"),
    [
        (date(1989, 12, 31), []),
        (date(1990, 1, 1), ["N89-06"]),
        (date(2018, 12, 28), ["N89-06"]),
        (date(2018, 12, 29), ["N18-06"]),
        (date(2025, 12, 31), ["N18-06"]),
        (date(2026, 1, 1), ["N25-03"]),
    ],
)
def test_it_applies_the_version_of_the_law_in_force_on_the_day(community, day, law):
    # Zhuhai: Guangdong's GD-01 (from 2012-09-11) binds beside the law, never instead of it.
    national = [c for c in codes(community, day, HOUSEHOLDS) if c.startswith("N")]
    assert national == law


def test_it_judges_a_community_by_the_1989_text_before_2018(community):
    Community.objects.filter(pk=community.pk).update(households=800)
    before, first_day = (
        verdicts(community, date(1989, 12, 31)),
        verdicts(community, date(1990, 1, 1)),
    )
    assert not any(code.startswith("N89") for code in before)
    assert first_day["N89-06"] == Status.NON_COMPLIANT  # 800 households > 700
    for clause in ("N89-07a", "N89-07b", "N89-08b", "N89-09"):
        assert clause in first_day, clause
    last_day, amended = (
        verdicts(community, date(2018, 12, 28)),
        verdicts(community, date(2018, 12, 29)),
    )
    assert "N89-06" in last_day and "N18-06" not in last_day
    assert "N18-06" in amended and not any(code.startswith("N89") for code in amended)


def test_it_hands_the_2018_amendment_over_to_the_2025_revision(community):
    Community.objects.filter(pk=community.pk).update(households=800)
    last_day, revised = (
        verdicts(community, date(2025, 12, 31)),
        verdicts(community, date(2026, 1, 1)),
    )
    assert last_day["N18-06"] == Status.NON_COMPLIANT
    assert revised["N25-03"] == Status.NON_COMPLIANT  # 800 < 1000
    assert not any(code.startswith("N18") for code in revised)


def test_it_quotes_the_1989_text_with_its_three_year_term():
    term = BY_ID["N89-08b"]
    assert term["params"] == {"max_years": 3} and "每届任期三年" in term["quote"]
    assert BY_ID["N18-08b"]["params"] == {"max_years": 5}
    # Every other clause has the words of the amended text.
    for standard in STANDARDS:
        if standard["document"] == "N89" and standard["id"] != "N89-08b":
            amended = BY_ID["N18" + standard["id"][3:]]
            assert (standard["quote"], standard["params"]) == (amended["quote"], amended["params"])
            assert standard["quote_is_paraphrase"] is False


# --- the term: the length in force when the election was held ------------------------------------


def test_it_computes_a_term_with_the_length_in_force_on_election_day(community):
    old = election_rules(community.code, date(2018, 12, 28))
    new = election_rules(community.code, date(2018, 12, 29))
    assert (old.term_years, old.term_code) == (3, "N89-08b")
    assert (new.term_years, new.term_code) == (5, "N18-08b")
    revised = election_rules(community.code, date(2026, 1, 1))
    assert (revised.term_years, revised.term_code) == (5, "N25-term")


@pytest.mark.parametrize(
    ("ends", "status"),
    [(date(2019, 5, 1), Status.COMPLIANT), (date(2019, 5, 2), Status.NON_COMPLIANT)],
)
def test_it_holds_a_term_elected_under_the_1989_text_to_three_years(community, ends, status):
    (candidate,) = applicable_standards(community, date(2018, 6, 1), [TERM])[TERM]
    assert candidate.standard.code == "N89-08b"
    verdict = candidate.judge((6, date(2016, 5, 1), ends), as_of=date(2018, 6, 1))
    assert verdict.status == status


# --- the election model rules: dated from the 2010 revision ---------------------------------------


def test_it_applies_the_election_model_rules_from_the_2010_revision(community):
    keys = ["election.turnout", "election.voter_list_lead", "committee.women_members"]
    before = applicable_standards(community, date(2010, 10, 27), keys)
    first_day = applicable_standards(community, date(2010, 10, 28), keys)
    assert before == {}
    assert sorted(c.standard.code for cs in first_day.values() for c in cs) == [
        "EL-list",
        "EL-valid",
        "EL-women",
    ]


# --- a resolution's frozen rule: the meeting's date chooses it ------------------------------------


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(1989, 12, 31), "无适用标准,按默认"),
        (date(1990, 1, 1), "N89-09"),
        (date(2018, 12, 28), "N89-09"),
        (date(2018, 12, 29), "N18-09"),
        (date(2025, 12, 31), "N18-09"),
        (date(2026, 1, 1), "N25-quorum"),
    ],
)
def test_it_chooses_the_majority_rule_by_the_meeting_date(community, day, code):
    fraction, cite = services.majority_rule(community, day)
    assert fraction == {"numerator": 1, "denominator": 2, "strict": True}
    assert f"({code})" in cite


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2026, 1, 1)])
@pytest.mark.parametrize(("votes", "passed"), [(51, True), (50, False)])
def test_it_freezes_the_rule_of_the_meeting_day_with_a_resolution(
    make_user, community, day, votes, passed
):
    clerk = make_user(Role.STREET, STREET)
    meeting = services.meeting_save(
        actor=clerk,
        community=community,
        meeting=None,
        data={
            "kind": "residents_meeting",
            "title": "居民会议",
            "date": day,
            "held": True,
            "entitled": 150,
            "attended": 100,
        },
    )
    data = {"title": "决定", "votes_for": votes, "votes_against": 100 - votes, "abstentions": 0}
    resolution = services.resolution_save(actor=clerk, meeting=meeting, data=data)
    assert resolution.passed is passed  # more than half of the 100 present, strictly
    expected = "N18-09" if day < date(2026, 1, 1) else "N25-quorum"
    assert f"({expected})" in resolution.rule
    assert ("N18-09" in resolution.rule) is (expected == "N18-09")


# --- sync_catalog: idempotent, brings the new versions to an existing database ------------------


def test_it_brings_the_new_law_versions_to_an_existing_database():
    # A database synced before this change: no 1989 text, no N25-quorum.
    Standard.objects.filter(code__startswith="N89").delete()
    Standard.objects.filter(code="N25-quorum").delete()
    PolicyDocument.objects.filter(key="N89").delete()
    first = sync_catalog()
    assert first.created == 1 + 13 + 1
    assert PolicyDocument.objects.get(key="N89").effective_to == date(2018, 12, 28)
    again = sync_catalog()
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == len(DOCUMENTS) + len(STANDARDS)


def test_it_never_overwrites_a_bureaus_standard_that_took_a_new_code(make_user):
    bureau = make_user(Role.BUREAU, "440402")
    Standard.objects.filter(code="N89-06").delete()
    document = PolicyDocument.objects.create(
        key="QX-2017",
        title="区社区规模规定",
        tier=PolicyDocument.Tier.POLICY,
        effective_from=date(2017, 1, 1),
        scope_prefixes=["440402"],
        created_by=bureau,
    )
    local = Standard.objects.create(
        code="N89-06",
        document=document,
        title="社区规模 300–900 户",
        quote="社区一般为三百户至九百户。",
        rule_key=HOUSEHOLDS,
        params={"min": 300, "max": 900},
        created_by=bureau,
    )
    result = sync_catalog()
    assert "N89-06" in result.skipped
    local.refresh_from_db()
    assert (local.document_id, local.params) == (document.pk, {"min": 300, "max": 900})


def test_it_ends_each_version_the_day_before_the_next_begins():
    docs = {d["key"]: d for d in DOCUMENTS}
    for older, newer in (("N89", "N18"), ("N18", "N25")):
        end = date.fromisoformat(docs[older]["effective_to"])
        assert end + timedelta(days=1) == date.fromisoformat(docs[newer]["effective_from"])
    assert docs["N89"]["effective_from"] == "1990-01-01"
    assert docs["EL"]["effective_from"] == "2010-10-28"
