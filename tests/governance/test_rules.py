"""Rules on meetings, resolutions and disclosures (governance/rules.py).

Judges are checked without a database at their boundaries with the catalogue's own parameters
(过半数 is strictly more than half: exactly half is not a quorum). Measures run on real Zhuhai
communities with records built through the ORM, and cost the same number of queries for one
community as for thirty.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from committees.models import Organization
from compliance.catalog import STANDARDS
from compliance.engine import evaluate_communities
from compliance.models import Finding, Status
from compliance.rules import MISSING_RECORDS, registry
from divisions.models import Community
from funding.models import Allocation
from governance.models import Disclosure, Meeting, Resolution
from tests.conftest import OTHER_STREET, STREET, findings_of, judge_standard, measure_one, refusals

AS_OF = date(2026, 6, 30)
KEYS = {
    "governance.disclosure_cadence": "GD-09",
    "governance.council_monthly": "BY-04",
    "governance.meeting_quorum": "N18-09",
    "governance.fundraising_disclosed": "N18-16",
    "governance.new_bodies": "N25-bodies",
    "funding.fund_use_disclosed": "SD-33",
}
FINANCE = Disclosure.Category.FINANCE
NEW_KINDS = (
    Organization.Kind.ELECTION_COMMITTEE,
    Organization.Kind.REPRESENTATIVES_ASSEMBLY,
    Organization.Kind.SUPERVISION_COMMITTEE,
)


def judge(standard_id: str, value, as_of: date = AS_OF):
    return judge_standard(standard_id, value, as_of)


def measure(key: str, community: Community, as_of: date = AS_OF):
    return measure_one(key, community, as_of)


# --- registration and parameters ------------------------------------------------------------


def test_it_registers_every_governance_rule_at_community_level():
    for key in KEYS:
        assert registry.get(key).level == "community", key


def test_it_registers_where_to_enter_disclosures_and_meetings():
    assert MISSING_RECORDS["governance.disclosures"].label == "公开事项"
    assert MISSING_RECORDS["governance.disclosures"].url_name == "governance:disclosures"
    assert MISSING_RECORDS["governance.meetings"].label == "会议记录"
    assert MISSING_RECORDS["governance.meetings"].url_name == "governance:meetings"


def test_it_accepts_the_params_of_every_catalogue_standard_of_these_rules():
    checked = set()
    for standard in STANDARDS:
        if standard["rule_key"] in KEYS:
            cleaned = registry.get(standard["rule_key"]).clean_params(standard["params"])
            assert set(cleaned) == set(standard["params"]), standard["id"]
            checked.add(standard["id"])
    assert checked == set(KEYS.values())


def test_it_refuses_bad_params_in_chinese():
    assert any("未知参数" in m for m in refusals("governance.council_monthly", {"per_week": 1}))
    assert refusals("governance.council_monthly", {"per_month": 0})
    assert any(
        "未知类别" in m
        for m in refusals("governance.disclosure_cadence", {"categories": ["x"], "max_days": 92})
    )
    assert any(
        "重复" in m
        for m in refusals(
            "governance.disclosure_cadence", {"categories": ["party", "party"], "max_days": 92}
        )
    )
    assert any(
        "true 或 false" in m
        for m in refusals(
            "governance.disclosure_cadence",
            {"categories": ["party"], "max_days": 92, "portal_default": "yes"},
        )
    )
    assert any(
        "分数" in m for m in refusals("governance.meeting_quorum", {"attendance": 0.5, "votes": 1})
    )
    assert any("未知类别" in m for m in refusals("governance.new_bodies", {"kinds": ["council"]}))
    assert refusals("governance.new_bodies", {"kinds": "election_committee"})
    assert refusals("funding.fund_use_disclosed", {"per_period": "month"})
    assert refusals("governance.fundraising_disclosed", {"x": 1})
    assert refusals("governance.council_monthly", [])
    for messages in (
        refusals("governance.council_monthly", {"per_month": "a"}),
        refusals("governance.new_bodies", {"kinds": []}),
    ):
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages)


# --- judges ---------------------------------------------------------------------------------


def ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def test_it_accepts_a_disclosure_92_days_old_but_not_93():
    value = (("finance", ago(92)), ("party", ago(0)), ("residents", ago(30)))
    verdict = judge("GD-09", value)
    assert verdict.status == Status.COMPLIANT
    assert verdict.measured == "党务公开 0 天前;居务公开 30 天前;财务公开 92 天前"
    assert "门户默认值" in verdict.explanation and "省级可另行规定" in verdict.explanation

    verdict = judge("GD-09", (("finance", ago(93)), ("party", ago(0)), ("residents", ago(30))))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.explanation.startswith("超过 92 天未公开:财务公开。")
    assert "门户默认值" in verdict.explanation


def test_it_names_the_categories_never_disclosed():
    verdict = judge("GD-09", (("party", ago(1)), ("service", ago(1))))
    assert verdict.status == Status.NON_COMPLIANT
    assert "从未公开:居务公开、财务公开。" in verdict.explanation


def test_it_asks_for_disclosures_when_none_was_ever_published():
    for value in (None, ()):
        verdict = judge("GD-09", value)
        assert (verdict.status, verdict.missing) == (Status.NO_DATA, "governance.disclosures")


def test_it_does_not_call_the_interval_a_default_when_a_province_sets_it():
    rule = registry.get("governance.disclosure_cadence")
    params = rule.clean_params({"categories": ["finance"], "max_days": 31})
    verdict = rule.judge((("finance", ago(31)),), params, as_of=AS_OF)
    assert verdict.status == Status.COMPLIANT and verdict.explanation == ""
    assert rule.judge((("finance", ago(32)),), params, as_of=AS_OF).status == "non_compliant"


def test_it_wants_a_council_meeting_in_each_of_the_last_three_complete_months():
    verdict = judge("BY-04", (1, 1, 1))
    assert verdict.status == Status.COMPLIANT
    assert verdict.measured == "2026-03 1 次;2026-04 1 次;2026-05 1 次"
    assert "3 个完整自然月(2026-03 至 2026-05)" in verdict.explanation

    verdict = judge("BY-04", (2, 0, 3))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.explanation.startswith("2026-04 召开次数不足。")

    verdict = judge("BY-04", None)
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "governance.meetings")


def test_it_counts_months_per_standard_when_more_are_required():
    rule = registry.get("governance.council_monthly")
    params = rule.clean_params({"per_month": 2})
    assert rule.judge((2, 2, 2), params, as_of=AS_OF).status == Status.COMPLIANT
    assert rule.judge((2, 1, 2), params, as_of=AS_OF).status == Status.NON_COMPLIANT


def test_it_takes_the_three_months_before_the_month_of_the_date_across_a_new_year():
    verdict = judge("BY-04", (1, 1, 1), as_of=date(2026, 1, 15))
    assert verdict.measured == "2025-10 1 次;2025-11 1 次;2025-12 1 次"


def test_it_holds_exactly_half_attendance_not_quorate_and_half_plus_one_quorate():
    verdict = judge("N18-09", ((((51, 100), 1), ((50, 100), 2)), ()))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.explanation == "2 次会议出席人数不足。"
    assert verdict.measured == "近 12 个月召开 3 次,记为通过的决议 0 项"
    assert judge("N18-09", ((((51, 100), 3),), ())).status == Status.COMPLIANT


def test_it_finds_resolutions_recorded_as_passed_without_a_majority():
    meetings = (((60, 100), 1),)
    assert judge("N18-09", (meetings, (((31, 60), 2),))).status == Status.COMPLIANT
    verdict = judge("N18-09", (meetings, (((30, 60), 1), ((31, 60), 1), ((0, 0), 1))))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.explanation == "2 项决议未获出席人过半数赞成却记为通过。"


def test_it_does_not_judge_quorum_without_a_residents_meeting_in_twelve_months():
    for value in (None, ((), ())):
        verdict = judge("N18-09", value)
        assert verdict.status == Status.NOT_APPLICABLE
        assert verdict.explanation == "近 12 个月没有召开居民会议或居民代表会议。"


def test_it_wants_every_year_of_fundraising_disclosed():
    assert judge("N18-16", ((), ())).status == Status.NOT_APPLICABLE
    assert judge("N18-16", None).status == Status.NOT_APPLICABLE
    assert judge("N18-16", ((2025, 2026), (2025, 2026))).status == Status.COMPLIANT
    verdict = judge("N18-16", ((2024, 2025, 2026), (2025,)))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.explanation == "2024、2026 年度的筹资收支尚未公布。"


def test_it_names_the_missing_bodies_and_appraisal():
    everything = (frozenset({*NEW_KINDS, "residents_committee"}), True)
    assert judge("N25-bodies", everything).status == Status.COMPLIANT
    verdict = judge("N25-bodies", (frozenset({Organization.Kind.ELECTION_COMMITTEE}), False))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.explanation == (
        "未设立:居民代表会议、居务监督委员会。近 12 个月没有召开民主评议会。"
    )
    verdict = judge("N25-bodies", None)
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.measured == "已设立:无;近 12 个月未开展民主评议"


def test_it_wants_a_finance_disclosure_in_the_year():
    assert judge("SD-33", 1).status == Status.COMPLIANT
    verdict = judge("SD-33", 0)
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.explanation == "2026 年度尚未公开经费使用情况。"
    assert judge("SD-33", None).status == Status.NON_COMPLIANT


# --- measures -------------------------------------------------------------------------------


def disclose(community, category=FINANCE, published_on=AS_OF, **extra):
    return Disclosure.objects.create(
        community=community,
        category=category,
        title="公开",
        content="内容",
        published_on=published_on,
        **extra,
    )


def meet(community, kind, day, *, held=True, entitled=100, attended=60):
    return Meeting.objects.create(
        community=community,
        kind=kind,
        title="会议",
        date=day,
        held=held,
        entitled=entitled,
        attended=attended if held else None,
    )


def resolve(meeting, votes_for, present, passed=True):
    return Resolution.objects.create(
        meeting=meeting,
        title="决议",
        present=present,
        votes_for=votes_for,
        passed=passed,
        rule="过半数",
    )


def organize(community, kind, **extra):
    return Organization.objects.create(community=community, kind=kind, name=str(kind), **extra)


def raise_funds(community, year, received_on=None):
    return Allocation.objects.create(
        community=community,
        year=year,
        source=Allocation.Source.FUNDRAISING,
        amount=Decimal("1000"),
        received_on=received_on or date(year, 3, 1),
    )


def populate(community: Community) -> None:
    """A bit of every record, so that every measure has rows to read."""
    disclose(community, published_on=date(2026, 5, 1), period_start=date(2026, 1, 1))
    disclose(community, Disclosure.Category.PARTY, published_on=date(2026, 6, 1))
    meet(community, Meeting.Kind.COUNCIL, date(2026, 4, 10))
    assembly = meet(community, Meeting.Kind.RESIDENTS, date(2026, 2, 1))
    resolve(assembly, 40, 60)
    meet(community, Meeting.Kind.APPRAISAL, date(2026, 1, 20))
    organize(community, Organization.Kind.ELECTION_COMMITTEE)
    raise_funds(community, 2026)


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
        assert len(single) == len(thirty), key
        assert len(large) == 30 and small[communities[0].pk] == large[communities[0].pk], key
        for value in large.values():
            hash(value)


def test_it_measures_the_latest_publication_of_each_category(community_in):
    community = community_in(STREET)
    assert measure("governance.disclosure_cadence", community) is None
    disclose(community, published_on=date(2026, 1, 5))
    disclose(community, published_on=date(2026, 4, 1))
    disclose(community, published_on=date(2026, 7, 1))  # after the date
    disclose(community, published_on=None)  # a draft
    disclose(community, Disclosure.Category.RESIDENTS, published_on=date(2026, 6, 30))
    assert measure("governance.disclosure_cadence", community) == (
        ("finance", date(2026, 4, 1)),
        ("residents", date(2026, 6, 30)),
    )


def test_it_counts_held_council_meetings_per_complete_month(community_in):
    community = community_in(STREET)
    meet(community, Meeting.Kind.COUNCIL, date(2026, 6, 29), held=False)
    assert measure("governance.council_monthly", community) is None
    meet(community, Meeting.Kind.COUNCIL, date(2025, 1, 1))
    assert measure("governance.council_monthly", community) == (0, 0, 0)
    meet(community, Meeting.Kind.COUNCIL, date(2026, 3, 1))
    meet(community, Meeting.Kind.COUNCIL, date(2026, 3, 31))
    meet(community, Meeting.Kind.COUNCIL, date(2026, 5, 31))
    meet(community, Meeting.Kind.COUNCIL, date(2026, 6, 1))  # this month: not over
    meet(community, Meeting.Kind.COUNCIL, date(2026, 2, 28))  # before the window
    meet(community, Meeting.Kind.CONSULTATION, date(2026, 4, 1))  # another kind
    meet(community, Meeting.Kind.COUNCIL, date(2026, 4, 15), held=False)
    assert measure("governance.council_monthly", community) == (2, 0, 1)


def test_it_gathers_attendance_and_passed_votes_of_the_last_twelve_months(community_in):
    community = community_in(STREET)
    assert measure("governance.meeting_quorum", community) == ((), ())
    first = meet(community, Meeting.Kind.RESIDENTS, date(2025, 7, 1), attended=50)
    resolve(first, 26, 50)
    resolve(first, 25, 50)
    resolve(first, 10, 50, passed=False)
    meet(community, Meeting.Kind.REPRESENTATIVES, date(2026, 6, 30), entitled=40, attended=21)
    meet(community, Meeting.Kind.RESIDENTS, date(2025, 6, 30), attended=1)  # 12 months before
    meet(community, Meeting.Kind.COUNCIL, date(2026, 1, 1), attended=1)  # not an assembly
    meet(community, Meeting.Kind.RESIDENTS, date(2026, 1, 1), held=False)
    value = measure("governance.meeting_quorum", community)
    assert value == ((((21, 40), 1), ((50, 100), 1)), (((25, 50), 1), ((26, 50), 1)))
    verdict = judge("N18-09", value)
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.explanation == ("1 次会议出席人数不足。1 项决议未获出席人过半数赞成却记为通过。")


def test_it_finds_the_years_of_fundraising_and_their_disclosure(community_in):
    community = community_in(STREET)
    other = community_in(OTHER_STREET)
    assert measure("governance.fundraising_disclosed", community) == ((), ())
    raise_funds(community, 2024)
    raise_funds(community, 2025)
    raise_funds(community, 2026)
    raise_funds(community, 2026, received_on=date(2026, 7, 1))  # not yet received
    raise_funds(community, 2027, received_on=date(2027, 1, 2))
    # 2024 covered by its period, published the next year; 2025 only by a draft or another
    # category or another community; 2026 published that year without a period.
    disclose(
        community,
        published_on=date(2025, 2, 1),
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
    )
    disclose(community, published_on=None, period_start=date(2025, 1, 1))
    disclose(
        community,
        Disclosure.Category.RESIDENTS,
        published_on=date(2026, 1, 1),
        period_start=date(2025, 1, 1),
    )
    disclose(other, published_on=date(2026, 1, 1), period_start=date(2025, 1, 1))
    disclose(community, published_on=date(2026, 3, 1))
    assert measure("governance.fundraising_disclosed", community) == (
        (2024, 2025, 2026),
        (2024, 2025, 2026)[::2],
    )


def test_it_finds_the_bodies_active_on_the_date_and_a_recent_appraisal(community_in):
    community = community_in(STREET)
    assert measure("governance.new_bodies", community) == (frozenset(), False)
    organize(community, Organization.Kind.ELECTION_COMMITTEE)  # date unknown: active
    organize(community, Organization.Kind.REPRESENTATIVES_ASSEMBLY, established_on=AS_OF)
    organize(
        community,
        Organization.Kind.SUPERVISION_COMMITTEE,
        established_on=date(2020, 1, 1),
        dissolved_on=AS_OF,  # dissolved that day: no longer active
    )
    organize(community, Organization.Kind.OWNERS_COMMITTEE, established_on=date(2026, 7, 1))
    meet(community, Meeting.Kind.APPRAISAL, date(2025, 6, 30))  # just too early
    meet(community, Meeting.Kind.APPRAISAL, date(2026, 6, 1), held=False)
    assert measure("governance.new_bodies", community) == (
        frozenset({"election_committee", "representatives_assembly"}),
        False,
    )
    meet(community, Meeting.Kind.APPRAISAL, date(2025, 7, 1))
    assert measure("governance.new_bodies", community)[1] is True


def test_it_counts_finance_disclosures_published_in_or_covering_the_year(community_in):
    community = community_in(STREET)
    assert measure("funding.fund_use_disclosed", community) == 0
    disclose(community, published_on=date(2025, 12, 31))  # last year
    disclose(community, published_on=date(2026, 7, 1))  # after the date
    disclose(community, Disclosure.Category.PARTY, published_on=date(2026, 1, 1))
    assert measure("funding.fund_use_disclosed", community) == 0
    disclose(community, published_on=date(2026, 1, 1))
    disclose(
        community,
        published_on=date(2025, 12, 1),
        period_start=date(2025, 7, 1),
        period_end=date(2026, 6, 30),
    )
    disclose(community, published_on=date(2025, 12, 2), period_end=date(2026, 1, 1))
    disclose(community, published_on=date(2025, 12, 3), period_start=date(2025, 1, 1))
    assert measure("funding.fund_use_disclosed", community) == 3


# --- end to end -----------------------------------------------------------------------------


def findings(community: Community) -> dict[str, Finding]:
    return findings_of(community, AS_OF)


def test_it_evaluates_disclosure_and_new_bodies_of_zhuhai_communities(community_in):
    good = community_in(STREET)
    poor = community_in(OTHER_STREET)
    for category in ("party", "residents", "finance"):
        disclose(good, category, published_on=ago(92))
    for kind in NEW_KINDS:
        organize(good, kind, established_on=date(2025, 12, 1))
    meet(good, Meeting.Kind.APPRAISAL, date(2026, 3, 1))
    disclose(poor, "party", published_on=ago(93))
    organize(poor, Organization.Kind.ELECTION_COMMITTEE)
    evaluate_communities(Community.objects.filter(pk__in=[good.pk, poor.pk]), AS_OF)

    found = findings(good)
    assert found["GD-09"].status == Status.COMPLIANT
    assert "门户默认值" in found["GD-09"].explanation
    assert found["N25-bodies"].status == Status.COMPLIANT

    found = findings(poor)
    assert found["GD-09"].status == Status.NON_COMPLIANT
    assert found["GD-09"].explanation.startswith(
        "超过 92 天未公开:党务公开。从未公开:居务公开、财务公开。"
    )
    assert found["N25-bodies"].status == Status.NON_COMPLIANT
    assert found["N25-bodies"].explanation == (
        "未设立:居民代表会议、居务监督委员会。近 12 个月没有召开民主评议会。"
    )
    # Baiyin's and Shandong's standards do not reach Zhuhai.
    assert not {"BY-04", "SD-33"} & set(found)
