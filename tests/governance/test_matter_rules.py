"""GD-07 “四议两公开”, N18-15 residents' covenant, GD-17 “six publics” and GD-09r, the
jurisdiction's disclosure rate: judges at their boundaries, measures on real Zhuhai communities
in a constant number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.catalog import STANDARDS
from compliance.engine import evaluate_communities, evaluate_jurisdictions
from compliance.models import Finding, JurisdictionFinding, Status
from compliance.rules import MISSING_RECORDS, registry
from divisions.models import Community
from governance.models import (
    Covenant,
    Disclosure,
    MajorMatter,
    MatterStep,
    Meeting,
    PublicService,
    Resolution,
)
from governance.selectors import matter_step_days
from tests.conftest import DISTRICT, STREET, judge_standard

AS_OF = date(2026, 6, 30)
ALL_SIX = (
    "proposal",
    "joint_meeting",
    "party_assembly",
    "residents_resolution",
    "resolution_published",
    "result_published",
)
KEYS = {
    "governance.major_matter_steps": "GD-07",
    "governance.covenant_filed": "N18-15",
    "governance.six_publics": "GD-17",
}


def judge(standard_id: str, value, as_of: date = AS_OF):
    return judge_standard(standard_id, value, as_of)


def ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def test_it_registers_the_rules_and_where_to_enter_what_they_lack():
    for key in KEYS:
        assert registry.get(key).level == "community", key
    assert registry.get("governance.disclosure_rate").level == "jurisdiction"
    assert MISSING_RECORDS["governance.matters"].url_name == "governance:matters"
    assert MISSING_RECORDS["governance.covenants"].url_name == "governance:covenants"
    assert MISSING_RECORDS["governance.services"].url_name == "governance:services"


def test_it_accepts_the_params_of_every_catalogue_standard_of_these_rules():
    checked = set()
    for standard in STANDARDS:
        if standard["rule_key"] in {*KEYS, "governance.disclosure_rate"}:
            cleaned = registry.get(standard["rule_key"]).clean_params(standard["params"])
            assert set(cleaned) == set(standard["params"]), standard["id"]
            checked.add(standard["id"])
    assert checked == {*KEYS.values(), "GD-09r"}


def test_it_refuses_unknown_steps_in_chinese():
    rule = registry.get("governance.major_matter_steps")
    with pytest.raises(Exception) as error:
        rule.clean_params({"steps": ["vote"], "max_days": 0})
    assert "未知类别" in str(error.value.messages)


# --- GD-07 --------------------------------------------------------------------------------------


def test_it_allows_thirty_days_before_the_next_step_but_not_thirty_one():
    waiting = ((ALL_SIX[:2], ago(30), None),)
    assert judge("GD-07", waiting).status == Status.COMPLIANT
    verdict = judge("GD-07", ((ALL_SIX[:2], ago(31), None),))
    assert verdict.status == Status.NON_COMPLIANT
    assert "“党员大会审议”等待 31 天" in verdict.explanation
    assert "30 天为门户默认值" in verdict.explanation


def test_it_counts_a_finished_matter_as_done_however_old_its_last_step():
    verdict = judge("GD-07", ((ALL_SIX, ago(200), True),))
    assert verdict.status == Status.COMPLIANT
    assert verdict.measured == "重大事项 1 项:已完成 1 项,办理中 0 项"


def test_it_closes_a_rejected_matter_once_the_rejection_is_published():
    assert judge("GD-07", ((ALL_SIX[:5], ago(90), False),)).status == Status.COMPLIANT
    # Adopted but the implementation result never published: overdue.
    assert judge("GD-07", ((ALL_SIX[:5], ago(90), True),)).status == Status.NON_COMPLIANT


def test_it_finds_steps_skipped_or_swapped():
    skipped = ((("proposal", "party_assembly"), ago(1), None),)
    verdict = judge("GD-07", skipped)
    assert verdict.status == Status.NON_COMPLIANT
    assert "1 项的步骤缺失或顺序不符" in verdict.explanation


def test_it_asks_for_major_matters_when_none_is_recorded():
    verdict = judge("GD-07", ())
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "governance.matters")


def test_it_uses_a_province_s_own_interval_without_calling_it_a_default():
    rule = registry.get("governance.major_matter_steps")
    params = rule.clean_params({"steps": list(ALL_SIX), "ordered": True, "max_days": 10})
    value = ((ALL_SIX[:1], ago(11), None),)
    verdict = rule.judge(value, params, as_of=AS_OF)
    assert verdict.status == Status.NON_COMPLIANT and "默认值" not in verdict.explanation


# --- N18-15 and GD-17 ---------------------------------------------------------------------------


def test_it_wants_the_covenant_adopted_by_a_residents_meeting_and_filed():
    as_of = date(2025, 6, 30)  # N18 is in force until the end of 2025
    assert judge("N18-15", (True, True, True), as_of).status == Status.COMPLIANT
    verdict = judge("N18-15", (True, True, False), as_of)
    assert verdict.status == Status.NON_COMPLIANT and verdict.explanation == "公约尚未报备案。"
    verdict = judge("N18-15", (True, False, True), as_of)
    assert "未关联通过它的居民会议" in verdict.explanation
    verdict = judge("N18-15", None, as_of)
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "governance.covenants")


def test_it_names_the_services_lacking_one_of_the_six_publics():
    assert judge("GD-17", (("居住证", ()),)).status == Status.COMPLIANT
    verdict = judge("GD-17", (("居住证", ("fees",)), ("高龄津贴", ())))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.measured == "已公开服务事项 2 项,内容齐全 1 项"
    assert verdict.explanation == "居住证:缺收费标准"
    verdict = judge("GD-17", ())
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "governance.services")


# --- measures -----------------------------------------------------------------------------------


def populate(community: Community) -> None:
    matter = MajorMatter.objects.create(community=community, title="加装电梯")
    assembly = Meeting.objects.create(
        community=community,
        kind="residents_meeting",
        title="居民会议",
        date=ago(40),
        entitled=100,
        attended=60,
    )
    decided = Resolution.objects.create(
        meeting=assembly, title="同意", present=60, votes_for=40, passed=True, rule="过半数"
    )
    MatterStep.objects.create(matter=matter, step="proposal", date=ago(60))
    MatterStep.objects.create(
        matter=matter,
        step="residents_resolution",
        date=ago(40),
        meeting=assembly,
        resolution=decided,
    )
    future = MajorMatter.objects.create(community=community, title="未来")
    MatterStep.objects.create(matter=future, step="proposal", date=AS_OF + timedelta(days=1))
    Covenant.objects.create(
        community=community,
        text="公约",
        adopted_on=ago(100),
        meeting=assembly,
        filed_on=ago(90),
        filed_with="街道办事处",
    )
    PublicService.objects.create(
        community=community,
        name="居住证",
        content="受理",
        procedure="程序",
        materials="材料",
        legal_basis="条例",
        time_limit="15 日",
        fees="",
        published_on=ago(10),
    )
    PublicService.objects.create(community=community, name="草稿服务")  # unpublished


def test_it_measures_what_was_recorded_by_the_date(community_in):
    community = community_in(STREET)
    populate(community)

    def measure(key):
        rule = registry.get(key)
        return rule.measure(Community.objects.filter(pk=community.pk), AS_OF)[community.pk]

    # The proposal dated after the evaluation date does not exist yet on that date.
    assert measure("governance.major_matter_steps") == (
        (("proposal", "residents_resolution"), ago(40), True),
    )
    assert measure("governance.covenant_filed") == (True, True, True)
    assert measure("governance.six_publics") == (("居住证", ("fees",)),)


def test_it_leaves_out_matters_finished_more_than_a_year_ago(community_in):
    community = community_in(STREET)
    matter = MajorMatter.objects.create(community=community, title="旧事项")
    for offset, step in enumerate(ALL_SIX):
        MatterStep.objects.create(
            matter=matter,
            step=step,
            date=ago(500 - offset),
            note="",
            **_links(community, step, ago(500 - offset)),
        )
    rule = registry.get("governance.major_matter_steps")
    assert rule.measure(Community.objects.filter(pk=community.pk), AS_OF)[community.pk] == ()


def _links(community, step: str, day: date) -> dict:
    if step in ("joint_meeting", "party_assembly", "residents_resolution"):
        meeting = Meeting.objects.create(
            community=community,
            kind="residents_meeting",
            title="会",
            date=day,
            entitled=10,
            attended=8,
        )
        links = {"meeting": meeting}
        if step == "residents_resolution":
            links["resolution"] = Resolution.objects.create(
                meeting=meeting, title="同意", present=8, votes_for=6, passed=True, rule="过半数"
            )
        return links
    if step in ("resolution_published", "result_published"):
        return {
            "disclosure": Disclosure.objects.create(
                community=community,
                category="residents",
                title="公告",
                content="公告",
                published_on=day,
            )
        }
    return {}


def test_it_measures_in_as_many_queries_for_thirty_communities_as_for_one(zhuhai):
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
        assert small[communities[0].pk] == large[communities[0].pk], key
        for value in large.values():
            hash(value)


# --- GD-09r: the share of communities up to the disclosure standard -----------------------------


def test_it_rates_a_jurisdiction_by_its_communities_disclosure_findings(zhuhai):
    street = list(Community.objects.filter(code__startswith=STREET).order_by("code"))
    for community in street[:13]:  # 13 of 17 disclose all three categories recently
        for category in ("party", "residents", "finance"):
            Disclosure.objects.create(
                community=community,
                category=category,
                title="公开",
                content="内容",
                published_on=ago(10),
            )
    evaluate_communities(Community.objects.filter(code__startswith=STREET), AS_OF)
    assert Finding.objects.filter(standard__code="GD-09", code__startswith=STREET).count() == 17
    evaluate_jurisdictions(DISTRICT, AS_OF)
    rate = JurisdictionFinding.objects.get(code=STREET, standard__code="GD-09r", is_current=True)
    assert rate.status == Status.COMPLIANT  # 13/17 = 76.5% ≥ 70%
    assert rate.measured == "76.5%(13/17)"

    rule = registry.get("governance.disclosure_rate")
    params = rule.clean_params({"targets": [{"from": "2015-12-31", "min": "0.70"}]})
    assert rule.judge((7, 10), params, as_of=AS_OF).status == Status.COMPLIANT
    assert rule.judge((69, 100), params, as_of=AS_OF).status == Status.NON_COMPLIANT


def test_it_reads_the_step_interval_from_the_standard_on_record(db):
    assert matter_step_days() == 30
