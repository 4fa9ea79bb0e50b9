"""Rules on committees, organizations, party, training and staff (committees/rules.py).

Judges are checked without a database, boundary by boundary, with the catalogue's own parameters
(以上/以下/不少于 include the number, 超过 excludes it). Measures run on real Zhuhai communities
with organizations, people, memberships and trainings built through the ORM, and must cost the
same number of queries for one community as for thirty.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from committees.models import Membership, Organization, Person, Training
from compliance.catalog import STANDARDS
from compliance.engine import evaluate_communities, evaluate_jurisdictions
from compliance.models import Finding, JurisdictionFinding, Status
from compliance.rules import MISSING_RECORDS, JurisdictionRule, registry
from divisions.models import Community
from tests.conftest import (
    CITY,
    DISTRICT,
    OTHER_STREET,
    STREET,
    judge_standard,
    measure_one,
    refusals,
)

AS_OF = date(2025, 6, 30)
SINCE = date(2021, 6, 1)
PARAMS = {s["id"]: s["params"] for s in STANDARDS}
COMMUNITY_KEYS = [
    "committee.size_range",
    "committee.minority_member",
    "committee.women_members",
    "committee.staff_per_households",
    "training.cadence",
    "organization.required_kinds",
    "organization.exists",
    "party.org_kind_by_members",
    "party.committee_size",
    "community.committee_when_occupied",
]
JURISDICTION_KEYS = ["committee.localization_share", "staff.per_population"]
KEYS = COMMUNITY_KEYS + JURISDICTION_KEYS
SIX_KINDS = PARAMS["GD-03"]["kinds"]
Kind = Organization.Kind
Position = Membership.Position


def judge(standard_id: str, value, as_of: date = AS_OF):
    return judge_standard(standard_id, value, as_of)


# --- registration -------------------------------------------------------------------------


def test_it_registers_every_rule_at_the_level_of_its_catalogue_standards():
    for standard in STANDARDS:
        if standard["rule_key"] in KEYS:
            assert registry.get(standard["rule_key"]).level == standard["level"], standard["id"]
    for key in JURISDICTION_KEYS:
        assert isinstance(registry.get(key), JurisdictionRule)


def test_it_registers_where_to_enter_each_missing_record():
    assert MISSING_RECORDS["committee.roster"].label == "居委会成员名单"
    assert MISSING_RECORDS["committee.roster"].url_name == "committees:people"
    assert MISSING_RECORDS["committee.party"].url_name == "committees:people"
    assert MISSING_RECORDS["committee.organizations"].url_name == "committees:people"
    assert MISSING_RECORDS["community.occupancy"].label == "入住率"
    assert MISSING_RECORDS["community.occupancy"].url_name == "committees:community_edit"


# --- 1. committee.size_range ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "status"),
    [
        (4, Status.NON_COMPLIANT),
        (5, Status.COMPLIANT),
        (7, Status.COMPLIANT),
        (9, Status.COMPLIANT),
        (10, Status.NON_COMPLIANT),
    ],
)
def test_it_holds_n18_07a_to_5_to_9_members_both_included(members, status):
    verdict = judge("N18-07a", (members, 0, 1000))
    assert verdict.status == status
    assert verdict.measured == f"{members} 人"
    assert verdict.expected == "5–9 人"


def test_it_says_which_end_of_the_band_a_committee_missed():
    assert judge("N18-07a", (4, 1, 1000)).explanation == "成员少于 5 人。"
    assert judge("N18-07a", (10, 1, 1000)).explanation == "成员多于 9 人。"


def test_it_reports_no_data_for_the_committee_roster_when_no_committee_is_active():
    verdict = judge("N18-07a", None)
    assert verdict.status == Status.NO_DATA
    assert verdict.missing == "committee.roster"
    assert verdict.expected == "5–9 人"


@pytest.mark.parametrize(
    ("women", "status"), [(0, Status.NON_COMPLIANT), (1, Status.COMPLIANT), (4, Status.COMPLIANT)]
)
def test_it_holds_gd_10b_to_at_least_one_woman_as_well(women, status):
    verdict = judge("GD-10b", (7, women, 1000))
    assert verdict.status == status
    assert verdict.measured == f"7 人,其中女性 {women} 人"
    assert verdict.expected == "5–9 人;≥ 1 名女性"


def test_it_lists_every_problem_of_a_committee_at_once():
    verdict = judge("GD-10b", (10, 0, 1000))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.explanation == "成员多于 9 人。女性成员少于 1 人。"


@pytest.mark.parametrize(
    ("members", "households", "status"),
    [
        (5, 1500, Status.COMPLIANT),  # 1500 / 300 = 5 exactly
        (5, 1501, Status.NON_COMPLIANT),  # needs 6
        (6, 1501, Status.COMPLIANT),
        (8, 2700, Status.NON_COMPLIANT),  # needs 9
        (9, 2700, Status.COMPLIANT),
        (8, 3000, Status.NON_COMPLIANT),  # 10, capped at 9
        (9, 9000, Status.COMPLIANT),  # 30, capped at 9
        (5, 0, Status.COMPLIANT),  # no households: the band alone
    ],
)
def test_it_holds_sd_11a_to_one_member_per_300_households_capped_at_9(members, households, status):
    assert judge("SD-11a", (members, 1, households)).status == status


def test_it_states_the_per_household_requirement_of_sd_11a():
    verdict = judge("SD-11a", (8, 1, 3000))
    assert verdict.expected == "5–9 人;≥ 9 人(每 300 户 1 人,至多按 9 人计)"
    assert verdict.explanation == "按常住 3,000 户应至少有 9 人。"


def test_it_reports_missing_households_for_sd_11a_only_when_the_band_is_met():
    verdict = judge("SD-11a", (7, 1, None))
    assert verdict.status == Status.NO_DATA
    assert verdict.missing == "community.households"
    assert verdict.expected == "5–9 人;每 300 户 1 人,至多按 9 人计"
    # A band already missed is a finding in itself, households or not.
    assert judge("SD-11a", (4, 1, None)).status == Status.NON_COMPLIANT
    # N18-07a does not need households at all.
    assert judge("N18-07a", (7, 1, None)).status == Status.COMPLIANT


# --- 2. committee.minority_member ------------------------------------------------------------


def test_it_does_not_apply_n18_07b_outside_multi_ethnic_areas():
    verdict = judge("N18-07b", (False, None))
    assert verdict.status == Status.NOT_APPLICABLE
    assert "多民族" in verdict.explanation


@pytest.mark.parametrize(
    ("minorities", "status"),
    [(0, Status.NON_COMPLIANT), (1, Status.COMPLIANT), (2, Status.COMPLIANT)],
)
def test_it_holds_a_multi_ethnic_committee_to_one_non_han_member(minorities, status):
    verdict = judge("N18-07b", (True, (7, minorities)))
    assert verdict.status == status
    assert verdict.measured == f"少数民族成员 {minorities} 人"
    assert verdict.expected == "≥ 1 名少数民族成员"
    # The portal does not know which group is the smaller one: any non-Han member counts.
    assert "任何非汉族成员均计入" in verdict.explanation


def test_it_reports_no_data_for_a_multi_ethnic_community_without_a_committee():
    verdict = judge("N18-07b", (True, None))
    assert verdict.status == Status.NO_DATA
    assert verdict.missing == "committee.roster"


# --- 3. committee.women_members --------------------------------------------------------------


@pytest.mark.parametrize(("women", "status"), [(0, Status.NON_COMPLIANT), (1, Status.COMPLIANT)])
def test_it_holds_el_women_to_one_woman_included(women, status):
    verdict = judge("EL-women", (6, women))
    assert verdict.status == status
    assert verdict.measured == f"女性 {women} 人(共 6 人)"
    assert verdict.expected == "≥ 1 名女性"


def test_it_reports_no_data_for_women_members_without_a_committee():
    assert judge("EL-women", None).missing == "committee.roster"


# --- 4. committee.staff_per_households --------------------------------------------------------


@pytest.mark.parametrize(
    ("staff", "households", "status", "required"),
    [
        (3, 1200, Status.NON_COMPLIANT, 4),
        (4, 1200, Status.COMPLIANT, 4),  # 1200 / 300 = 4 exactly
        (4, 1201, Status.NON_COMPLIANT, 5),  # one household more needs one person more
        (5, 1201, Status.COMPLIANT, 5),
        (0, 0, Status.COMPLIANT, 0),
        (1, 1, Status.COMPLIANT, 1),
    ],
)
def test_it_holds_gd_10a_to_one_full_time_staff_per_300_households(
    staff, households, status, required
):
    verdict = judge("GD-10a", (staff, households))
    assert verdict.status == status
    assert verdict.measured == f"{staff} 人"
    assert verdict.expected == f"≥ {required} 人(每 300 户 1 人)"


def test_it_reports_missing_households_for_staff_per_households():
    verdict = judge("GD-10a", (4, None))
    assert verdict.status == Status.NO_DATA
    assert verdict.missing == "community.households"


# --- 5. committee.localization_share (judge_share) ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "as_of", "status"),
    [
        ((7, 10), AS_OF, Status.COMPLIANT),  # 70% from 2020-12-31, included
        ((69, 100), AS_OF, Status.NON_COMPLIANT),
        ((1, 2), date(2020, 12, 30), Status.COMPLIANT),  # still the 50% target
        ((1, 2), date(2020, 12, 31), Status.NON_COMPLIANT),
        ((1, 2), date(2015, 12, 30), Status.NOT_APPLICABLE),  # no target yet
        (None, AS_OF, Status.NO_DATA),
        ((0, 0), AS_OF, Status.NO_DATA),
    ],
)
def test_it_judges_gd_06b_against_the_target_in_force(value, as_of, status):
    assert judge("GD-06b", value, as_of).status == status


def test_it_names_committee_members_when_a_division_has_none():
    assert judge("GD-06b", None).explanation == "辖区内没有可统计的居委会成员。"
    assert judge("GD-06b", (7, 10)).measured == "70.0%(7/10)"


# --- 6. training.cadence ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("is_director", "last", "status"),
    [
        (True, date(2024, 6, 30), Status.COMPLIANT),  # exactly 12 months: within
        (True, date(2024, 6, 29), Status.NON_COMPLIANT),
        (True, None, Status.NON_COMPLIANT),
        (False, date(2023, 6, 30), Status.COMPLIANT),  # exactly 24 months: within
        (False, date(2023, 6, 29), Status.NON_COMPLIANT),
        (False, date(2024, 6, 29), Status.COMPLIANT),
    ],
)
def test_it_holds_gd_11_to_12_months_for_the_director_and_24_for_others(is_director, last, status):
    assert judge("GD-11", ((1, is_director, last),)).status == status


def test_it_says_how_many_people_are_overdue_and_whether_the_director_is():
    value = (
        (1, True, date(2024, 1, 1)),
        (2, False, None),
        (3, False, date(2024, 1, 1)),
        (4, False, None),
    )
    verdict = judge("GD-11", value)
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.measured == "逾期 3/4 人"
    assert verdict.expected == "主任每 12 个月、其他人员每 24 个月至少培训一次"
    assert verdict.explanation == "3 人逾期未培训,其中从未培训 2 人。主任逾期未培训。"
    assert judge("GD-11", ((3, False, date(2024, 1, 1)),)).measured == "逾期 0/1 人"


@pytest.mark.parametrize(
    ("is_director", "last", "status"),
    [
        (True, date(2022, 6, 30), Status.COMPLIANT),
        (True, date(2022, 6, 29), Status.NON_COMPLIANT),
        (False, date(2022, 6, 30), Status.COMPLIANT),
        (False, date(2022, 6, 29), Status.NON_COMPLIANT),
    ],
)
def test_it_holds_cz_05a_to_36_months_for_everyone(is_director, last, status):
    verdict = judge("CZ-05a", ((1, is_director, last),))
    assert verdict.status == status
    assert verdict.expected == "每 36 个月至少培训一次"
    # The county's yearly session is the county's duty: noted, not judged.
    assert "县级职责" in verdict.explanation


def test_it_reports_no_data_for_training_when_nobody_is_on_the_roster():
    for value in ((), None):
        verdict = judge("GD-11", value)
        assert verdict.status == Status.NO_DATA
        assert verdict.missing == "committee.roster"


# --- 7. organization.required_kinds ------------------------------------------------------------


def test_it_holds_gd_03_to_six_subcommittees_and_both_kinds_of_leader():
    verdict = judge("GD-03", (frozenset(SIX_KINDS), True, True))
    assert verdict.status == Status.COMPLIANT
    assert verdict.measured == "下属委员会 6/6 类"
    assert verdict.expected.endswith(
        ";有居民小组长(登记在“居民小组”类组织中)、楼栋长(登记在“楼栋”类组织中)"
    )
    assert "人民调解委员会" in verdict.expected


def test_it_names_the_missing_subcommittees_and_leaders_in_chinese():
    verdict = judge("GD-03", (frozenset(SIX_KINDS[:4]) | {"other"}, True, False))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.measured == "下属委员会 4/6 类"
    assert (
        verdict.explanation
        == "缺少:计划生育(卫生健康)委员会、群众文体委员会、楼栋长(登记在“楼栋”类组织中)。"
    )
    verdict = judge("GD-03", (frozenset(SIX_KINDS), False, True))
    assert verdict.explanation == "缺少:居民小组长(登记在“居民小组”类组织中)。"


def test_it_holds_sd_12_to_three_subcommittees_without_leaders():
    three = frozenset({"mediation", "security", "public_health"})
    assert judge("SD-12", (three, False, False)).status == Status.COMPLIANT
    verdict = judge("SD-12", (three - {"security"}, True, True))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.explanation == "缺少:治安保卫委员会。"


def test_it_reports_no_data_when_a_community_has_no_organization_recorded():
    verdict = judge("GD-03", None)
    assert verdict.status == Status.NO_DATA
    assert verdict.missing == "committee.organizations"


# --- 8. organization.exists --------------------------------------------------------------------


def test_it_holds_gd_05_to_a_public_service_station_and_sd_25_to_a_service_hall():
    both = frozenset({Kind.RESIDENTS_COMMITTEE, Kind.SERVICE_STATION})
    assert judge("GD-05", both).status == Status.COMPLIANT
    assert judge("GD-05", both).expected == "设有社区公共服务站"
    verdict = judge("SD-25", both)
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.measured == "未设"
    assert verdict.explanation == (
        "未登记在册的一站式服务大厅(组织机构;其用房作为设施另行登记、另行检查)。"
    )
    assert judge("SD-25", frozenset({Kind.SERVICE_HALL})).status == Status.COMPLIANT
    assert judge("GD-05", None).missing == "committee.organizations"


# --- 9. party.org_kind_by_members ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "members", "status"),
    [
        (Kind.PARTY_BRANCH, 50, Status.COMPLIANT),  # 50名以下: included
        (Kind.PARTY_GENERAL_BRANCH, 50, Status.NON_COMPLIANT),
        (Kind.PARTY_COMMITTEE, 50, Status.NON_COMPLIANT),
        (Kind.PARTY_BRANCH, 51, Status.NON_COMPLIANT),  # 超过50名: excluded
        (Kind.PARTY_GENERAL_BRANCH, 51, Status.COMPLIANT),
        (Kind.PARTY_COMMITTEE, 51, Status.COMPLIANT),
        (Kind.PARTY_BRANCH, 0, Status.COMPLIANT),
    ],
)
def test_it_holds_by_02_to_a_general_branch_above_50_party_members(kind, members, status):
    assert judge("BY-02", (kind, members)).status == status


def test_it_says_which_party_organization_the_count_calls_for():
    verdict = judge("BY-02", (Kind.PARTY_BRANCH, 62))
    assert verdict.measured == "社区党支部,党员 62 名"
    assert verdict.expected == "党总支(或党委)"
    assert verdict.explanation == "党员 62 名,应设党总支(或党委)。"


def test_it_reports_no_data_without_a_party_organization_or_its_count():
    for value in (None, (Kind.PARTY_BRANCH, None)):
        verdict = judge("BY-02", value)
        assert verdict.status == Status.NO_DATA
        assert verdict.missing == "committee.party"


# --- 10. party.committee_size ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "status"),
    [
        (4, Status.NON_COMPLIANT),
        (5, Status.COMPLIANT),
        (9, Status.COMPLIANT),
        (10, Status.NON_COMPLIANT),
    ],
)
def test_it_holds_sd_08_to_5_to_9_on_a_party_committee(members, status):
    verdict = judge("SD-08", (Kind.PARTY_COMMITTEE, members))
    assert verdict.status == status
    assert verdict.expected == "5–9 人"


def test_it_does_not_apply_sd_08_to_a_branch_saying_why():
    verdict = judge("SD-08", (Kind.PARTY_GENERAL_BRANCH, 3))
    assert verdict.status == Status.NOT_APPLICABLE
    assert verdict.explanation == "社区党组织为社区党总支,不是社区党委,本条不适用。"
    assert judge("SD-08", None).missing == "committee.party"


# --- 11. community.committee_when_occupied -----------------------------------------------------


HALF, JUST_BELOW = Decimal("0.500"), Decimal("0.499")


@pytest.mark.parametrize(
    ("standard", "value", "status"),
    [
        ("SD-10", (False, None, False, None), Status.NOT_APPLICABLE),
        ("SD-10", (True, JUST_BELOW, False, None), Status.NOT_APPLICABLE),
        ("SD-10", (True, HALF, True, None), Status.COMPLIANT),  # 达到50%: included
        ("SD-10", (True, HALF, False, None), Status.NON_COMPLIANT),
        ("SD-10", (True, Decimal("1.000"), False, date(2025, 1, 1)), Status.NON_COMPLIANT),
        ("BY-01", (True, HALF, False, date(2025, 1, 1)), Status.COMPLIANT),
        ("BY-01", (True, HALF, False, AS_OF), Status.COMPLIANT),
        ("BY-01", (True, HALF, False, date(2025, 7, 1)), Status.NON_COMPLIANT),
        ("BY-01", (True, HALF, False, None), Status.NON_COMPLIANT),
        ("BY-01", (True, HALF, True, None), Status.COMPLIANT),
        ("BY-01", (True, JUST_BELOW, False, None), Status.NOT_APPLICABLE),
    ],
)
def test_it_expects_a_committee_once_a_new_area_is_half_occupied(standard, value, status):
    assert judge(standard, value).status == status


def test_it_reports_no_data_for_a_new_area_without_an_occupancy_rate():
    verdict = judge("SD-10", (True, None, True, None))
    assert verdict.status == Status.NO_DATA
    assert verdict.missing == "community.occupancy"


def test_it_words_the_occupancy_findings():
    verdict = judge("SD-10", (True, Decimal("0.650"), False, None))
    assert verdict.measured == "入住率 65.0%,未成立居委会"
    assert verdict.expected == "入住率达到 50.0% 后已成立居委会"
    assert "视为已达到社区设置的规模要求" in verdict.explanation
    verdict = judge("BY-01", (True, HALF, False, date(2025, 1, 2)))
    assert verdict.measured == "入住率 50.0%,已于 2025-01-02 申请成立居委会"
    assert judge("BY-01", (True, JUST_BELOW, False, None)).explanation == (
        "入住率 49.9%,未达到 50.0%,尚不要求成立居委会。"
    )


# --- 12. staff.per_population ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ((18, 10_000), Status.COMPLIANT),  # exactly 18 per 10,000
        ((17, 10_000), Status.NON_COMPLIANT),
        ((18, 10_001), Status.NON_COMPLIANT),  # 17.998…
        ((9, 5_000), Status.COMPLIANT),
        ((1, 556), Status.NON_COMPLIANT),
        ((1, 555), Status.COMPLIANT),
        (None, Status.NO_DATA),
        ((3, 0), Status.NO_DATA),
    ],
)
def test_it_holds_p14_staff_to_18_per_10000_residents_exactly(value, status):
    assert judge("P14-staff", value).status == status


def test_it_never_shows_a_ratio_just_short_of_the_floor_as_reaching_it():
    verdict = judge("P14-staff", (17_999, 10_000_000))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.measured == "每万人 17.9 名(17,999 人 / 常住 10,000,000 人)"
    assert verdict.expected == "每万人 ≥ 18 名"
    assert verdict.explanation == "按常住人口应至少有 18,000 名社区工作者。"


# --- parameters ----------------------------------------------------------------------------


def test_it_accepts_the_parameters_of_every_catalogue_standard_on_these_rules_unchanged():
    checked = set()
    for standard in STANDARDS:
        if standard["rule_key"] not in KEYS:
            continue
        cleaned = registry.get(standard["rule_key"]).clean_params(standard["params"])
        assert cleaned == standard["params"], standard["id"]
        json.dumps(cleaned)  # stored as JSON on the standard
        checked.add(standard["rule_key"])
    assert checked == set(KEYS)


@pytest.mark.parametrize(
    ("key", "params", "message"),
    [
        ("committee.size_range", {"min": 9, "max": 5}, "最少人数不能大于最多人数。"),
        ("committee.size_range", {}, "至少要填写最少人数或最多人数之一。"),
        ("committee.size_range", {"min": "五"}, "最少人数:输入整数。"),
        ("committee.size_range", {"min": 0, "max": 9}, "最少人数:确保该值大于或等于1。"),
        (
            "committee.size_range",
            {"min": 5, "cap": 9},
            "填写人数上限时,须同时填写每名成员对应户数。",
        ),
        ("committee.size_range", {"min": 5, "women": 1}, "未知参数:women"),
        ("committee.minority_member", {"min": 1}, "未知参数:min"),
        ("committee.minority_member", [], '参数应为 JSON 对象,如 {"min": 100}。'),
        ("committee.women_members", {}, "最少女性成员数:该字段是必填项。"),
        ("committee.staff_per_households", {"households_per_staff": 0}, "每名专职人员对应户数"),
        ("training.cadence", {"director_months": 12}, "应填写培训间隔"),
        ("training.cadence", {"months": 36, "others_months": 24}, "不能与主任、其他人员"),
        ("training.cadence", {"months": True}, "培训间隔(月):输入整数。"),
        (
            "organization.required_kinds",
            {"kinds": ["mediation", "choir"]},
            "未知的委员会类别:choir",
        ),
        ("organization.required_kinds", {"kinds": "mediation"}, "应为下属委员会类别的列表"),
        ("organization.required_kinds", {"kinds": ["security", "security"]}, "不能重复"),
        ("organization.required_kinds", {"kinds": []}, "应设的下属委员会:该字段是必填项。"),
        ("organization.required_kinds", {"kinds": ["security"], "group_leaders": "yes"}, "true"),
        ("organization.exists", {"kind": "castle"}, "组织类别:"),
        ("party.org_kind_by_members", {"general_branch_above": -1}, "设党总支的党员人数下限"),
        ("party.committee_size", {"min": 9, "max": 5}, "最少人数不能大于最多人数。"),
        ("community.committee_when_occupied", {"min_occupancy": "1.5"}, "0 到 1 之间"),
        ("community.committee_when_occupied", {"min_occupancy": "一半"}, "0 到 1 之间"),
        ("community.committee_when_occupied", {"min_occupancy": True}, "0 到 1 之间"),
        ("community.committee_when_occupied", {"min_occupancy": "NaN"}, "0 到 1 之间"),
        ("community.committee_when_occupied", {}, "入住率门槛:该字段是必填项。"),
        (
            "community.committee_when_occupied",
            {"min_occupancy": "0.5", "application_counts": 1},
            "应为 true 或 false。",
        ),
        ("committee.localization_share", {"targets": [{"from": "2015", "min": "0.5"}]}, "日期"),
        ("committee.localization_share", {}, "目标:该字段是必填项。"),
        ("staff.per_population", {"per_10000": "many"}, "每万人社区工作者数:输入整数。"),
    ],
)
def test_it_refuses_bad_parameters_in_chinese(key, params, message):
    messages = refusals(key, params)
    assert any(message in m for m in messages), messages
    assert all(re.search(r"[\u4e00-\u9fff]", m) for m in messages), messages


def test_it_keeps_an_occupancy_threshold_as_an_exact_decimal_string():
    rule = registry.get("community.committee_when_occupied")
    assert rule.clean_params({"min_occupancy": 1})["min_occupancy"] == "1"
    assert rule.clean_params({"min_occupancy": " 0.50 "})["min_occupancy"] == "0.50"


# --- measures on the database --------------------------------------------------------------


names = count(1)


def org(community: Community, kind: str, **extra) -> Organization:
    extra.setdefault("name", f"{Kind(kind).label}{next(names)}")
    return Organization.objects.create(community=community, kind=kind, **extra)


def person(community: Community, gender: str = Person.Gender.MALE, **extra) -> Person:
    return Person.objects.create(
        community=community, name=f"居民{next(names)}", gender=gender, **extra
    )


def join(who: Person, organization: Organization, position: str = Position.MEMBER, **extra):
    extra.setdefault("start_date", SINCE)
    return Membership.objects.create(
        person=who, organization=organization, position=position, **extra
    )


def train(who: Person, day: date) -> Training:
    return Training.objects.create(person=who, date=day, course="社区治理", hours=Decimal("8"))


@dataclass
class Built:
    community: Community
    committee: Organization
    director: Person
    members: list[Person]  # the seven on the committee, director first
    party: Organization


def full_committee(community: Community, *, localized: int = 5) -> Built:
    """A community that meets GD-03, GD-05, GD-10a (1,000 households), GD-10b and GD-11.

    Committee of 7 (director, 2 deputies, 4 members; 3 women, one of them Zhuang); 4 of them
    full-time; six subcommittees, a residents' group with its leader, a building with its
    leader, a public service station; a general party branch of 60 with 5 on its committee.
    """
    committee = org(community, Kind.RESIDENTS_COMMITTEE, established_on=date(2000, 1, 1))
    women = {1, 3, 4}
    members = [
        person(
            community,
            gender=Person.Gender.FEMALE if i in women else Person.Gender.MALE,
            ethnicity="壮族" if i == 6 else "汉族",
            lives_in_community=i < localized and i % 2 == 0,
            registered_in_community=i < localized and i % 2 == 1,
        )
        for i in range(7)
    ]
    positions = [Position.DIRECTOR, Position.DEPUTY_DIRECTOR, Position.DEPUTY_DIRECTOR]
    for i, who in enumerate(members):
        join(who, committee, positions[i] if i < 3 else Position.MEMBER, full_time=i < 4)
        train(who, date(2025, 1, 10) if i == 0 else date(2024, 3, 1))
    for kind in SIX_KINDS:
        org(community, Kind.SUBCOMMITTEE, subkind=kind)
    join(person(community), org(community, Kind.RESIDENTS_GROUP), Position.GROUP_LEADER)
    join(person(community), org(community, Kind.BUILDING), Position.BUILDING_LEADER)
    org(community, Kind.SERVICE_STATION)
    party = org(community, Kind.PARTY_GENERAL_BRANCH, party_member_count=60)
    join(members[0], party, Position.SECRETARY)
    join(members[1], party, Position.DEPUTY_SECRETARY)
    for who in members[2:5]:
        join(who, party, Position.MEMBER)
    return Built(community, committee, members[0], members, party)


def measure(key: str, community: Community, as_of: date = AS_OF):
    return measure_one(key, community, as_of)


@pytest.fixture
def built(community_in) -> Built:
    return full_committee(community_in(STREET))


def test_it_measures_a_full_committee(built):
    community = built.community
    assert measure("committee.size_range", community) == (7, 3, 1000)
    assert measure("committee.women_members", community) == (7, 3)
    assert measure("committee.minority_member", community) == (False, None)
    assert measure("committee.staff_per_households", community) == (4, 1000)
    assert measure("organization.required_kinds", community) == (frozenset(SIX_KINDS), True, True)
    assert Kind.SERVICE_STATION in measure("organization.exists", community)
    assert measure("party.org_kind_by_members", community) == (Kind.PARTY_GENERAL_BRANCH, 60)
    assert measure("party.committee_size", community) == (Kind.PARTY_GENERAL_BRANCH, 5)
    assert measure("community.committee_when_occupied", community) == (False, None, False, None)
    for key in COMMUNITY_KEYS:
        hash(measure(key, community))  # the engine memoizes verdicts by value


def test_it_gives_none_where_nothing_is_recorded(community_in):
    empty = community_in(OTHER_STREET)
    for key in (
        "committee.size_range",
        "committee.women_members",
        "organization.required_kinds",
        "organization.exists",
        "party.org_kind_by_members",
        "party.committee_size",
    ):
        assert measure(key, empty) is None, key
    assert measure("committee.staff_per_households", empty) == (0, 1000)
    assert measure("training.cadence", empty) == ()


def test_it_ignores_ended_and_future_memberships_and_counts_a_person_once(built):
    community, committee = built.community, built.committee
    gone = person(community, gender=Person.Gender.FEMALE)
    join(gone, committee, start_date=SINCE, end_date=date(2025, 6, 29))
    join(person(community), committee, start_date=date(2025, 7, 1))
    # The last day of a membership still counts (end_date >= as_of).
    last_day = person(community)
    join(last_day, committee, end_date=AS_OF)
    # The same person twice on the committee, and a clerk who is not a committee position.
    join(built.members[3], committee, Position.DEPUTY_DIRECTOR)
    join(person(community), committee, Position.STAFF)
    assert measure("committee.size_range", community) == (8, 3, 1000)
    assert measure("committee.size_range", community, date(2025, 7, 1)) == (8, 3, 1000)


def test_it_ignores_a_dissolved_committee_and_one_not_yet_established(built, community_in):
    Organization.objects.filter(pk=built.committee.pk).update(dissolved_on=AS_OF)
    assert measure("committee.size_range", built.community) is None
    assert measure("committee.size_range", built.community, date(2025, 6, 29)) == (7, 3, 1000)
    later = community_in("440402004")
    join(person(later), org(later, Kind.RESIDENTS_COMMITTEE, established_on=date(2025, 7, 1)))
    assert measure("committee.size_range", later) is None
    assert measure("committee.size_range", later, date(2025, 7, 1)) == (1, 0, 1000)


def test_it_counts_a_committee_with_nobody_on_it_as_zero_members(community_in):
    community = community_in(OTHER_STREET)
    org(community, Kind.RESIDENTS_COMMITTEE)
    assert measure("committee.size_range", community) == (0, 0, 1000)
    assert judge("N18-07a", measure("committee.size_range", community)).status == (
        Status.NON_COMPLIANT
    )


def test_it_counts_non_han_members_of_a_multi_ethnic_community(built):
    Community.objects.filter(pk=built.community.pk).update(multi_ethnic=True)
    assert measure("committee.minority_member", built.community) == (True, (7, 1))
    # Han or not recorded are not counted as a minority.
    Person.objects.filter(pk=built.members[6].pk).update(ethnicity="")
    assert measure("committee.minority_member", built.community) == (True, (7, 0))


def test_it_counts_full_time_staff_in_any_active_organization_once(built):
    community = built.community
    station = Organization.objects.get(community=community, kind=Kind.SERVICE_STATION)
    join(person(community), station, Position.STAFF, full_time=True)
    join(built.members[0], station, Position.STAFF, full_time=True)  # already counted
    join(person(community), station, Position.STAFF, full_time=True, end_date=date(2024, 1, 1))
    join(person(community), station, Position.STAFF, full_time=False)
    closed = org(community, Kind.SERVICE_HALL, dissolved_on=date(2025, 1, 1))
    join(person(community), closed, Position.STAFF, full_time=True)
    assert measure("committee.staff_per_households", community) == (5, 1000)


def test_it_measures_training_for_committee_members_and_staff(built):
    community = built.community
    station = Organization.objects.get(community=community, kind=Kind.SERVICE_STATION)
    clerk = person(community)
    join(clerk, station, Position.STAFF, full_time=True)
    train(built.director, date(2025, 7, 1))  # after the date of evaluation: ignored
    train(built.director, date(2020, 1, 1))
    leader = Membership.objects.get(
        position=Position.GROUP_LEADER, organization__community=community
    )
    value = measure("training.cadence", community)
    expected = tuple(
        sorted(
            [(built.director.pk, True, date(2025, 1, 10))]
            + [(p.pk, False, date(2024, 3, 1)) for p in built.members[1:]]
            + [(clerk.pk, False, None)]
        )
    )
    assert value == expected
    assert leader.person_id not in {pk for pk, _d, _l in value}  # not committee, not full-time
    verdict = judge("GD-11", value)
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.measured == "逾期 1/8 人"


def test_it_measures_subcommittees_and_leaders_ignoring_what_ended(built):
    community = built.community
    Organization.objects.filter(
        community=community, kind=Kind.SUBCOMMITTEE, subkind="culture_sports"
    ).update(dissolved_on=date(2025, 1, 1))
    Membership.objects.filter(
        organization__community=community, position=Position.BUILDING_LEADER
    ).update(end_date=date(2025, 6, 1))
    # A group leader in a building is not a building leader.
    building = Organization.objects.get(community=community, kind=Kind.BUILDING)
    join(person(community), building, Position.GROUP_LEADER)
    value = measure("organization.required_kinds", community)
    assert value == (frozenset(SIX_KINDS) - {"culture_sports"}, True, False)
    assert (
        judge("GD-03", value).explanation == "缺少:群众文体委员会、楼栋长(登记在“楼栋”类组织中)。"
    )


def test_it_ignores_a_dissolved_service_station(built, community_in):
    Organization.objects.filter(community=built.community, kind=Kind.SERVICE_STATION).update(
        dissolved_on=AS_OF
    )
    value = measure("organization.exists", built.community)
    assert Kind.SERVICE_STATION not in value
    assert judge("GD-05", value).status == Status.NON_COMPLIANT
    only_dissolved = community_in(OTHER_STREET)
    org(only_dissolved, Kind.SERVICE_STATION, dissolved_on=date(2020, 1, 1))
    assert measure("organization.exists", only_dissolved) is None


def test_it_takes_the_highest_active_party_organization(built):
    community = built.community
    org(community, Kind.PARTY_BRANCH, party_member_count=20, name="楼宇党支部")
    old = org(community, Kind.PARTY_COMMITTEE, party_member_count=90, dissolved_on=SINCE)
    for who in built.members:
        join(who, old, Position.MEMBER)
    assert measure("party.org_kind_by_members", community) == (Kind.PARTY_GENERAL_BRANCH, 60)
    committee = org(community, Kind.PARTY_COMMITTEE, party_member_count=None)
    join(built.members[0], committee, Position.SECRETARY)
    join(built.members[1], committee, Position.MEMBER, end_date=date(2025, 1, 1))
    join(built.members[2], committee, Position.STAFF)  # not a party committee position
    assert measure("party.org_kind_by_members", community) == (Kind.PARTY_COMMITTEE, None)
    assert measure("party.committee_size", community) == (Kind.PARTY_COMMITTEE, 1)


def test_it_measures_a_new_residential_community(community_in):
    community = community_in(OTHER_STREET)
    Community.objects.filter(pk=community.pk).update(
        kind=Community.Kind.NEW_RESIDENTIAL,
        occupancy_rate=Decimal("0.6"),
        committee_application_on=date(2025, 3, 1),
    )
    value = measure("community.committee_when_occupied", community)
    assert value == (True, Decimal("0.600"), False, date(2025, 3, 1))
    assert judge("SD-10", value).status == Status.NON_COMPLIANT
    assert judge("BY-01", value).status == Status.COMPLIANT
    org(community, Kind.RESIDENTS_COMMITTEE, established_on=date(2025, 5, 1))
    assert measure("community.committee_when_occupied", community)[2] is True
    assert measure("community.committee_when_occupied", community, date(2025, 4, 30))[2] is False


def test_it_measures_with_the_same_number_of_queries_for_1_and_30_communities(zhuhai):
    thirty = list(Community.objects.filter(code__startswith=CITY).order_by("code")[:30])
    for community in thirty[::3]:
        full_committee(community)
    Community.objects.filter(pk__in=[c.pk for c in thirty[1::3]]).update(
        kind=Community.Kind.NEW_RESIDENTIAL, occupancy_rate=Decimal("0.7"), multi_ethnic=True
    )
    one = Community.objects.filter(pk=thirty[0].pk)
    many = Community.objects.filter(pk__in=[c.pk for c in thirty])
    for key in COMMUNITY_KEYS:
        rule = registry.get(key)
        with CaptureQueriesContext(connection) as single:
            assert len(rule.measure(one, AS_OF)) == 1
        with CaptureQueriesContext(connection) as several:
            assert len(rule.measure(many, AS_OF)) == 30
        assert 1 <= len(single) == len(several) <= 3, key
    for key in JURISDICTION_KEYS:
        rule = registry.get(key)
        with CaptureQueriesContext(connection) as street:
            rule.measure_divisions(thirty[0].code[:9], 9, AS_OF)
        with CaptureQueriesContext(connection) as city:
            rule.measure_divisions(CITY, 9, AS_OF)
        with CaptureQueriesContext(connection) as chosen:
            rule.measure_divisions("", 6, AS_OF, codes=[DISTRICT, "440403"])
        assert 1 <= len(street) == len(city) == len(chosen) <= 2, key


# --- jurisdiction measures -------------------------------------------------------------------


@pytest.fixture
def three_committees(community_in) -> list[Built]:
    """Two committees in 翠香街道 and one in the next street; 5 of 7 localized in each."""
    in_street = list(Community.objects.filter(code__startswith=STREET).order_by("code")[:2])
    other = community_in(OTHER_STREET)
    built = [full_committee(c) for c in [*in_street, other]]
    # Noise that must not count: an ended non-localized member, a dissolved committee.
    join(person(other), built[2].committee, end_date=date(2024, 12, 31))
    gone = org(in_street[0], Kind.RESIDENTS_COMMITTEE, dissolved_on=date(2024, 1, 1))
    join(person(in_street[0]), gone)
    return built


def test_it_measures_localization_by_division(three_committees):
    rule = registry.get("committee.localization_share")
    assert rule.measure_divisions(CITY, 9, AS_OF) == {STREET: (10, 14), OTHER_STREET: (5, 7)}
    assert rule.measure_divisions(CITY, 6, AS_OF) == {DISTRICT: (15, 21)}
    assert rule.measure_divisions(CITY, 4, AS_OF) == {CITY: (15, 21)}
    assert rule.measure_divisions("", 9, AS_OF, codes=[STREET]) == {STREET: (10, 14)}
    assert rule.measure_divisions(CITY, 9, AS_OF, codes=[]) == {}
    # Someone who both lives and is registered here counts once.
    Person.objects.filter(pk=three_committees[2].members[0].pk).update(registered_in_community=True)
    assert rule.measure_divisions(STREET[:6], 9, AS_OF)[OTHER_STREET] == (5, 7)


def test_it_measures_staff_per_population_by_division(three_committees):
    rule = registry.get("staff.per_population")
    in_city = Community.objects.filter(code__startswith=CITY).count()
    in_street = Community.objects.filter(code__startswith=STREET).count()
    assert rule.measure_divisions(CITY, 4, AS_OF) == {CITY: (12, 2800 * in_city)}
    assert rule.measure_divisions(CITY, 9, AS_OF)[STREET] == (8, 2800 * in_street)
    # A community without a recorded population drops out of both sides.
    Community.objects.filter(pk=three_committees[2].community.pk).update(population=None)
    assert rule.measure_divisions(CITY, 4, AS_OF) == {CITY: (8, 2800 * (in_city - 1))}


@pytest.mark.parametrize("key", JURISDICTION_KEYS)
def test_it_measures_every_level_in_one_pass_as_level_by_level(three_committees, monkeypatch, key):
    """A national evaluation counts each rule once at street level and adds up; the figures
    are those of one query per level, also when someone serves outside their community."""
    import committees.rules

    rule = registry.get(key)
    codes = {
        length: sorted({c[:length] for c in Community.objects.values_list("code", flat=True)})
        for length in (4, 6, 9)
    }
    level_by_level = {}
    for length, wanted in codes.items():
        level_by_level.update(rule.measure_divisions(CITY, length, AS_OF, wanted))
    monkeypatch.setattr(committees.rules, "SQL_CODES_LIMIT", 0)
    assert rule.measure_levels(CITY, codes, AS_OF) == level_by_level
    # Someone recorded in two streets' committees (around the services): counted once in the
    # district, as level by level.
    stray = person(three_committees[0].community, lives_in_community=True)
    join(stray, three_committees[0].committee, full_time=True)
    join(stray, three_committees[2].committee, full_time=True)
    level_by_level = {}
    for length, wanted in codes.items():
        level_by_level.update(rule.measure_divisions(CITY, length, AS_OF, wanted))
    assert rule.measure_levels(CITY, codes, AS_OF) == level_by_level


# --- end to end ----------------------------------------------------------------------------


def statuses(community: Community) -> dict[str, Finding]:
    return {
        f.standard.code: f
        for f in Finding.objects.on(AS_OF).filter(community=community).select_related("standard")
    }


def test_it_evaluates_a_zhuhai_community_with_a_full_committee(built, community_in):
    empty = community_in(OTHER_STREET)
    evaluate_communities(Community.objects.filter(pk__in=[built.community.pk, empty.pk]), AS_OF)

    found = statuses(built.community)
    for code in ("N18-07a", "GD-10b", "GD-03", "GD-05", "GD-10a", "GD-11", "EL-women"):
        assert found[code].status == Status.COMPLIANT, (code, found[code].explanation)
    assert found["N18-07b"].status == Status.NOT_APPLICABLE
    assert found["N18-07a"].measured == "7 人"
    assert found["GD-10a"].expected == "≥ 4 人(每 300 户 1 人)"
    assert not {"SD-08", "SD-10", "BY-01", "BY-02", "CZ-05a"} & set(found)

    found = statuses(empty)
    for code in ("N18-07a", "GD-10b", "EL-women", "GD-11"):
        assert (found[code].status, found[code].missing) == (Status.NO_DATA, "committee.roster")
    for code in ("GD-03", "GD-05"):
        assert found[code].missing == "committee.organizations"
    assert found["GD-10a"].status == Status.NON_COMPLIANT
    assert found["GD-10a"].measured == "0 人"
    assert "一般" in found["GD-10a"].explanation  # GD-10a is a 原则上 default


def test_it_evaluates_the_city_for_localization_and_staff_per_population(three_committees):
    evaluate_jurisdictions(CITY, AS_OF)
    rows = {
        (r.code, r.standard.code): r
        for r in JurisdictionFinding.objects.on(AS_OF).select_related("standard")
    }
    localization = rows[(CITY, "GD-06b")]
    assert (localization.numerator, localization.denominator) == (15, 21)
    assert localization.status == Status.COMPLIANT  # 71.4% ≥ 70%
    assert localization.expected == "≥ 70.0%"
    staff = rows[(CITY, "P14-staff")]
    in_city = Community.objects.filter(code__startswith=CITY).count()
    assert (staff.numerator, staff.denominator) == (12, 2800 * in_city)
    assert staff.status == Status.NON_COMPLIANT
    assert rows[(STREET, "GD-06b")].numerator == 10
    # A street with no committee recorded has nothing to count.
    empty_street = "440402003"
    assert rows[(empty_street, "GD-06b")].status == Status.NO_DATA
    assert rows[(empty_street, "P14-staff")].numerator == 0


def test_it_finds_no_committee_members_before_anyone_took_office(three_committees):
    early = datetime.date(2021, 5, 31)
    rule = registry.get("committee.localization_share")
    assert rule.measure_divisions(CITY, 4, early) == {}
    assert judge("GD-06b", None, early).status == Status.NO_DATA
