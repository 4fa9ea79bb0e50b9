"""Rules on work funds, staff pay and assigned tasks (funding/rules.py).

Judges are checked without a database at their boundaries, with the catalogue's own parameters
(不少于/以上/以下 include the number: exactly the required sum is compliant, one cent less is
not). Measures run on real Zhuhai communities with allocations, pay, benchmarks and tasks built
through the ORM, and must cost the same number of queries for one community as for thirty.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from committees.models import Membership, Organization, Person
from compliance.catalog import STANDARDS
from compliance.engine import evaluate_communities
from compliance.models import Finding, Status
from compliance.rules import MISSING_RECORDS, registry
from divisions.models import Community, Division
from funding.models import Allocation, AssignedTask, StaffPay, WageBenchmark
from funding.rules import fmt_money
from tests.conftest import (
    CITY,
    OTHER_DISTRICT,
    OTHER_STREET,
    STREET,
    findings_of,
    judge_standard,
    measure_one,
    refusals,
)

AS_OF = date(2026, 6, 30)
YEAR = 2026
KEYS = [
    "funding.per_households",
    "funding.per_community_bands",
    "funding.pay_vs_benchmark",
    "funding.tasks_approved",
    "funding.tasks_funded",
]
PRD = "440402001001"  # 珠海 香洲区 翠香街道: Pearl River Delta
SHANTOU = "440507001001"  # 汕头 龙湖区: elsewhere in Guangdong
AVERAGE = WageBenchmark.Kind.AVERAGE_WAGE
PUBLIC = WageBenchmark.Kind.PUBLIC_INSTITUTION
D = Decimal


def judge(standard_id: str, value, as_of: date = AS_OF):
    return judge_standard(standard_id, value, as_of)


# --- registration -------------------------------------------------------------------------


def test_it_registers_every_funding_rule_at_community_level():
    for key in KEYS:
        assert registry.get(key).level == "community", key
    # SD-33 is judged from disclosures, so the governance app registers it.
    assert type(registry.get("funding.fund_use_disclosed")).__module__ == "governance.rules"


def test_it_registers_where_to_enter_each_missing_funding_record():
    assert MISSING_RECORDS["funding.allocations"].label == "经费拨付"
    assert MISSING_RECORDS["funding.pay"].label == "工作人员报酬"
    assert MISSING_RECORDS["funding.benchmark"].label == "工资基准"
    for key in ("funding.allocations", "funding.pay", "funding.benchmark"):
        assert MISSING_RECORDS[key].url_name == "funding:ledger"


def test_it_shows_money_as_yuan_with_separators_and_cents():
    assert fmt_money(D("60000")) == "¥60,000.00"
    assert fmt_money(D("59999.99")) == "¥59,999.99"
    assert fmt_money(20000) == "¥20,000.00"


# --- 1. funding.per_households ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("funds", "status"),
    [
        (D("59999.99"), Status.NON_COMPLIANT),
        (D("60000.00"), Status.COMPLIANT),
        (D("60000.01"), Status.COMPLIANT),
    ],
)
def test_it_holds_a_pearl_river_delta_community_to_60_yuan_a_household(funds, status):
    verdict = judge("GD-20b", (PRD, 1000, funds, D("0")))
    assert verdict.status == status
    assert verdict.measured == f"2026 年度 {fmt_money(funds)}"
    assert verdict.expected == "≥ ¥60,000.00(每户 60 元 × 1,000 户)"


@pytest.mark.parametrize(
    ("funds", "status"), [(D("29999.99"), Status.NON_COMPLIANT), (D("30000"), Status.COMPLIANT)]
)
def test_it_holds_the_rest_of_guangdong_to_30_yuan_a_household(funds, status):
    verdict = judge("GD-20b", (SHANTOU, 1000, funds, D("0")))
    assert verdict.status == status
    assert verdict.expected == "≥ ¥30,000.00(每户 30 元 × 1,000 户)"


def test_it_says_how_much_the_funds_fall_short():
    verdict = judge("GD-20b", (PRD, 1000, D("59999.99"), D("0")))
    assert verdict.explanation == "2026 年度工作经费比标准少 ¥0.01。"


@pytest.mark.parametrize(
    ("standard", "rate"), [("SD-31", 20), ("HB07", 10)], ids=["shandong", "hubei"]
)
def test_it_holds_shandong_and_hubei_to_their_rate_exactly(standard, rate):
    required = D(rate * 2345)
    assert judge(standard, ("370102001001", 2345, required, D(0))).status == Status.COMPLIANT
    short = judge(standard, ("370102001001", 2345, required - D("0.01"), D(0)))
    assert short.status == Status.NON_COMPLIANT
    assert short.expected == f"≥ {fmt_money(required)}(每户 {rate} 元 × 2,345 户)"


def test_it_counts_no_household_as_no_requirement():
    assert judge("SD-31", ("370102001001", 0, D("0"), D("0"))).status == Status.COMPLIANT


def test_it_reports_missing_households_before_missing_allocations():
    verdict = judge("GD-20b", (PRD, None, None, D("0")))
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "community.households")
    assert verdict.expected == "每户每年 ≥ 60 元"
    assert verdict.explanation == "尚未填报常住户数。"


def test_it_reports_missing_allocations_as_no_data_not_as_a_shortfall():
    verdict = judge("GD-20b", (PRD, 1000, None, D("0")))
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "funding.allocations")
    assert verdict.expected == "≥ ¥60,000.00(每户 60 元 × 1,000 户)"
    assert verdict.explanation == "尚未登记 2026 年度的经费拨付。"


def test_it_mentions_fundraising_without_counting_it():
    verdict = judge("GD-20b", (PRD, 1000, D("55000"), D("5000")))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.explanation == (
        "2026 年度工作经费比标准少 ¥5,000.00。另有社会募集、共驻共建资金 ¥5,000.00,不计入工作经费。"
    )


def test_it_treats_a_missing_value_as_nothing_recorded():
    assert judge("GD-20b", None).missing == "community.households"
    assert judge("AH07", None).missing == "community.households"


def test_it_applies_the_band_with_the_longest_matching_prefix():
    rule = registry.get("funding.per_households")
    params = rule.clean_params(
        {
            "yuan_per_household": 30,
            "bands": [
                {"prefixes": ["4404"], "yuan_per_household": 60},
                {"prefixes": ["440403"], "yuan_per_household": 80},
            ],
        }
    )
    value = ("440403001001", 100, D("7999.99"), D("0"))
    assert rule.judge(value, params, as_of=AS_OF).expected == "≥ ¥8,000.00(每户 80 元 × 100 户)"
    value = ("440402001001", 100, D("6000"), D("0"))
    assert rule.judge(value, params, as_of=AS_OF).status == Status.COMPLIANT


# --- 2. funding.per_community_bands ---------------------------------------------------------


@pytest.mark.parametrize(
    ("households", "funds", "status", "expected"),
    [
        (2499, D("20000"), Status.COMPLIANT, "≥ ¥20,000.00(2,500 户以下)"),
        (2499, D("19999.99"), Status.NON_COMPLIANT, "≥ ¥20,000.00(2,500 户以下)"),
        # 2,500 is both 以下 and 以上: the stricter band.
        (2500, D("29999.99"), Status.NON_COMPLIANT, "≥ ¥30,000.00(2,500 户以上)"),
        (2500, D("30000"), Status.COMPLIANT, "≥ ¥30,000.00(2,500 户以上)"),
        (2501, D("29999.99"), Status.NON_COMPLIANT, "≥ ¥30,000.00(2,500 户以上)"),
        (2501, D("30000"), Status.COMPLIANT, "≥ ¥30,000.00(2,500 户以上)"),
    ],
)
def test_it_holds_anhui_communities_to_their_size_band(households, funds, status, expected):
    verdict = judge("AH07", (households, funds, D("0")))
    assert verdict.status == status
    assert verdict.expected == expected


def test_it_says_when_the_stricter_of_two_bands_was_applied():
    assert "按较严格的一档核定" in judge("AH07", (2500, D("30000"), D("0"))).explanation
    assert judge("AH07", (2501, D("30000"), D("0"))).explanation == ""


def test_it_reports_missing_households_and_allocations_for_anhui():
    verdict = judge("AH07", (None, D("30000"), D("0")))
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "community.households")
    assert verdict.expected == "2,500 户以下 ≥ ¥20,000.00;2,500 户以上 ≥ ¥30,000.00"
    verdict = judge("AH07", (1200, None, D("0")))
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "funding.allocations")


def test_it_does_not_apply_bands_that_leave_a_community_out():
    rule = registry.get("funding.per_community_bands")
    params = rule.clean_params(
        {"bands": [{"min_households": 100, "max_households": 500, "min_yuan": 5000}]}
    )
    verdict = rule.judge((50, D("0"), D("0")), params, as_of=AS_OF)
    assert verdict.status == Status.NOT_APPLICABLE
    assert verdict.explanation == "常住 50 户,不在本条任何一档内。"
    assert rule.judge((100, D("5000"), D("0")), params, as_of=AS_OF).expected == (
        "≥ ¥5,000.00(100–500 户)"
    )


# --- 3. funding.pay_vs_benchmark --------------------------------------------------------------

LAST_YEAR_AVERAGE = (AVERAGE, 2025, "4404", D("98000"))
THIS_YEAR_PUBLIC = (PUBLIC, 2026, "440402", D("110000"))
BENCHMARKS = (LAST_YEAR_AVERAGE, THIS_YEAR_PUBLIC)


@pytest.mark.parametrize(
    ("lowest", "status"),
    [
        (D("97999.99"), Status.NON_COMPLIANT),
        (D("98000.00"), Status.COMPLIANT),
        (D("98000.01"), Status.COMPLIANT),
    ],
)
def test_it_holds_staff_pay_to_last_years_average_wage(lowest, status):
    verdict = judge("GD-20a", ((lowest, D("120000")), BENCHMARKS))
    assert verdict.status == status
    assert verdict.measured == f"专职人员 2 人,最低年收入 {fmt_money(lowest)}"
    assert verdict.expected == "年收入 ≥ ¥98,000.00(4404 2025 年度当地社会平均工资)"


@pytest.mark.parametrize(
    ("lowest", "status"),
    [(D("109999.99"), Status.NON_COMPLIANT), (D("110000"), Status.COMPLIANT)],
)
def test_it_holds_chizhou_staff_pay_to_this_years_public_institution_pay(lowest, status):
    verdict = judge("CZ-05b", ((lowest,), BENCHMARKS))
    assert verdict.status == status
    assert verdict.expected == "年收入 ≥ ¥110,000.00(440402 2026 年度当地相应事业单位人员工资)"


def test_it_counts_everyone_paid_below_the_benchmark():
    verdict = judge("GD-20a", ((D("50000"), D("60000"), D("98000")), BENCHMARKS))
    assert verdict.explanation == "2 人年收入低于基准。"


def test_it_reports_no_data_without_staff_pay_or_benchmark():
    verdict = judge("GD-20a", ((), BENCHMARKS))
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "committee.roster")
    verdict = judge("GD-20a", ((None, None), BENCHMARKS))
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "funding.pay")
    assert verdict.explanation == "尚未登记专职工作人员 2026 年度的报酬。"
    verdict = judge("GD-20a", ((D("99000"),), (THIS_YEAR_PUBLIC,)))
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "funding.benchmark")
    assert verdict.expected == "年收入 ≥ 上年度当地社会平均工资"
    assert verdict.explanation == "尚未登记 2025 年度的当地社会平均工资。"
    assert judge("CZ-05b", None).missing == "committee.roster"


def test_it_uses_only_the_benchmark_of_the_year_the_standard_names():
    # This year's average wage is not "last year's"; judged in 2027 the 2026 figure is.
    this_year = (AVERAGE, 2026, "4404", D("98000"))
    assert judge("GD-20a", ((D("99000"),), (this_year,))).missing == "funding.benchmark"
    verdict = judge("GD-20a", ((D("99000"),), (this_year,)), date(2027, 3, 1))
    assert verdict.status == Status.COMPLIANT


def test_it_finds_low_pay_even_when_some_pay_is_not_recorded():
    verdict = judge("GD-20a", ((None, D("50000"), D("99000")), BENCHMARKS))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.measured == "专职人员 3 人,已登记报酬 2 人,最低年收入 ¥50,000.00"
    verdict = judge("GD-20a", ((None, D("99000")), BENCHMARKS))
    assert (verdict.status, verdict.missing) == (Status.NO_DATA, "funding.pay")
    assert verdict.explanation == "还有 1 名专职工作人员未登记 2026 年度的报酬。"


# --- 4. funding.tasks_approved ---------------------------------------------------------------


def tasks(*rows: tuple[bool, bool, bool, int]) -> tuple:
    """(approved, in_task_list, funding stated, count) rows as the measure gives them."""
    return tuple(sorted(((a, listed, f), n) for a, listed, f, n in rows))


def test_it_finds_a_community_with_no_task_compliant_saying_so():
    for standard in ("N18-20", "BY-07", "CZ-02"):
        verdict = judge(standard, (), date(2025, 6, 30))
        assert verdict.status == Status.COMPLIANT
        assert verdict.measured == "0 项"
        assert verdict.explanation == "未登记交办事项。"
        assert judge(standard, None).status == Status.COMPLIANT


def test_it_holds_n18_20_to_every_task_approved():
    assert judge("N18-20", tasks((True, False, False, 3))).status == Status.COMPLIANT
    verdict = judge("N18-20", tasks((True, False, False, 3), (False, True, True, 2)))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.measured == "在办交办事项 5 项"
    assert verdict.expected == "交办事项均经审批同意"
    assert verdict.explanation == "2 项未经同意。"


def test_it_holds_by_07_to_approval_by_the_street_and_funding_stated():
    assert judge("BY-07", tasks((True, False, True, 2))).status == Status.COMPLIANT
    verdict = judge("BY-07", tasks((True, False, True, 2), (True, False, False, 1)))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.expected == "交办事项均经街道办事处同意,并明确经费"
    assert verdict.explanation == "1 项未明确经费。"
    verdict = judge("BY-07", tasks((False, True, False, 1)))
    assert verdict.explanation == "1 项未经同意。1 项未明确经费。"


def test_it_lets_cz_02_accept_a_task_on_the_list_instead_of_an_approval():
    assert judge("CZ-02", tasks((False, True, True, 2))).status == Status.COMPLIANT
    assert judge("CZ-02", tasks((True, False, True, 2))).status == Status.COMPLIANT
    verdict = judge("CZ-02", tasks((False, False, True, 1), (False, True, False, 1)))
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.expected == (
        "交办事项均列入社区工作事项清单或经县级以上社区治理领导机构同意,并明确经费"
    )
    assert verdict.explanation == "1 项既未列入清单也未经同意。1 项未明确经费。"


# --- 5. funding.tasks_funded ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ((0, 0), Status.COMPLIANT),
        (None, Status.COMPLIANT),
        ((3, 3), Status.COMPLIANT),
        ((3, 2), Status.NON_COMPLIANT),
        ((1, 0), Status.NON_COMPLIANT),
    ],
)
def test_it_holds_n25_fund_to_every_task_in_hand_funded(value, status):
    assert judge("N25-fund", value).status == status


def test_it_words_the_funding_of_tasks():
    verdict = judge("N25-fund", (3, 2))
    assert verdict.measured == "在办交办事项 3 项,已拨付经费 2 项"
    assert verdict.expected == "交办事项均由委托部门拨付经费"
    assert verdict.explanation == "1 项未拨付经费(空或为 0)。"
    assert judge("N25-fund", (0, 0)).explanation == "未登记交办事项。"


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


BAND = {"prefixes": ["4401"], "yuan_per_household": 60}


@pytest.mark.parametrize(
    ("key", "params", "message"),
    [
        ("funding.per_households", {}, "每户每年金额(元):该字段是必填项。"),
        ("funding.per_households", {"yuan_per_household": 0}, "每户每年金额(元)"),
        ("funding.per_households", {"yuan_per_household": "三十"}, "输入整数"),
        ("funding.per_households", {"yuan_per_household": 30, "rate": 1}, "未知参数:rate"),
        ("funding.per_households", {"yuan_per_household": 30, "bands": BAND}, "分档应为列表"),
        (
            "funding.per_households",
            {"yuan_per_household": 30, "bands": [{"prefixes": ["4401"]}]},
            "分档应为列表",
        ),
        (
            "funding.per_households",
            {"yuan_per_household": 30, "bands": [{**BAND, "prefixes": []}]},
            "至少一个区划代码前缀",
        ),
        (
            "funding.per_households",
            {"yuan_per_household": 30, "bands": [{**BAND, "prefixes": ["440"]}]},
            "2、4、6、9 或 12 位数字:440",
        ),
        (
            "funding.per_households",
            {"yuan_per_household": 30, "bands": [{**BAND, "prefixes": ["４４01"]}]},
            "位数字",
        ),
        (
            "funding.per_households",
            {"yuan_per_household": 30, "bands": [BAND, BAND]},
            "区划代码前缀重复:4401",
        ),
        (
            "funding.per_households",
            {"yuan_per_household": 30, "bands": [{**BAND, "yuan_per_household": "60"}]},
            "每户金额应为正整数",
        ),
        ("funding.per_community_bands", {}, "按户数分档:该字段是必填项。"),
        ("funding.per_community_bands", {"bands": {"min_yuan": 1}}, "分档应为列表"),
        (
            "funding.per_community_bands",
            {"bands": [{"max_households": 2500}]},
            "分档应为列表",
        ),
        (
            "funding.per_community_bands",
            {"bands": [{"min_yuan": 20000}]},
            "应填写最少户数或最多户数之一",
        ),
        (
            "funding.per_community_bands",
            {"bands": [{"max_households": 2500, "min_yuan": 2.5}]},
            "应为正整数",
        ),
        (
            "funding.per_community_bands",
            {"bands": [{"max_households": True, "min_yuan": 20000}]},
            "户数应为不小于 0 的整数",
        ),
        (
            "funding.per_community_bands",
            {"bands": [{"min_households": 3000, "max_households": 2500, "min_yuan": 20000}]},
            "最少户数不能大于最多户数",
        ),
        (
            "funding.per_community_bands",
            {"bands": [{"max_households": 2500, "min_yuan": 20000}], "overlap": "lenient"},
            "档次重叠时",
        ),
        ("funding.pay_vs_benchmark", {}, "比较基准:该字段是必填项。"),
        ("funding.pay_vs_benchmark", {"benchmark": "minimum_wage"}, "比较基准"),
        ("funding.tasks_approved", {"requires_funding": "yes"}, "应为 true 或 false。"),
        ("funding.tasks_approved", {"approver": "mayor"}, "审批机关"),
        ("funding.tasks_approved", {"funded": True}, "未知参数:funded"),
        ("funding.tasks_funded", {"min": 1}, "未知参数:min"),
        ("funding.tasks_funded", [], "参数应为 JSON 对象"),
    ],
)
def test_it_refuses_bad_parameters_in_chinese(key, params, message):
    messages = refusals(key, params)
    assert any(message in m for m in messages), messages
    assert all(re.search(r"[\u4e00-\u9fff]", m) for m in messages), messages


# --- measures on the database --------------------------------------------------------------

names = count(1)


def allocate(community: Community, amount: str, source=Allocation.Source.STREET, year=YEAR):
    return Allocation.objects.create(
        community=community,
        year=year,
        source=source,
        amount=D(amount),
        received_on=date(year, 3, 1),
    )


def staff(
    community: Community, pay: str | None = None, *, full_time: bool = True, **extra
) -> Person:
    committee = Organization.objects.get_or_create(
        community=community,
        kind=Organization.Kind.RESIDENTS_COMMITTEE,
        defaults={"name": "社区居民委员会"},
    )[0]
    who = Person.objects.create(
        community=community, name=f"工作人员{next(names)}", gender=Person.Gender.FEMALE
    )
    extra.setdefault("start_date", date(2024, 1, 1))
    Membership.objects.create(
        person=who,
        organization=committee,
        position=Membership.Position.STAFF,
        full_time=full_time,
        **extra,
    )
    if pay is not None:
        StaffPay.objects.create(person=who, year=YEAR, annual_pay=D(pay))
    return who


def benchmark(code: str, year: int, kind: str, amount: str) -> WageBenchmark:
    return WageBenchmark.objects.create(code=code, year=year, kind=kind, annual_amount=D(amount))


def task(community: Community, **extra) -> AssignedTask:
    extra.setdefault("assigned_on", date(2026, 2, 1))
    return AssignedTask.objects.create(
        community=community, department="区民政局", title=f"事项{next(names)}", **extra
    )


def measure(key: str, community: Community, as_of: date = AS_OF):
    return measure_one(key, community, as_of)


@pytest.fixture
def shantou(zhuhai) -> Community:
    """A community outside the Pearl River Delta: 汕头市龙湖区."""
    province = Division.objects.get(code="44")
    city = Division.objects.create(code="4405", name="汕头市", level=2, parent=province)
    district = Division.objects.create(code="440507", name="龙湖区", level=3, parent=city)
    street = Division.objects.create(code="440507001", name="珠池街道", level=4, parent=district)
    return Community.objects.create(
        code=SHANTOU, name="金涛社区居民委员会", street=street, households=1000
    )


def test_it_sums_the_work_funds_of_the_year_without_fundraising(community_in):
    community = community_in(STREET)
    allocate(community, "30000.50", Allocation.Source.DISTRICT)
    allocate(community, "14999.50", Allocation.Source.STREET)
    allocate(community, "1000", Allocation.Source.OTHER)
    allocate(community, "4000", Allocation.Source.FUNDRAISING)
    allocate(community, "1000", Allocation.Source.JOINT)
    allocate(community, "99999", year=2025)  # last year's money
    value = measure("funding.per_households", community)
    assert value == (community.code, 1000, D("46000.00"), D("5000.00"))
    assert isinstance(value[2], Decimal)
    assert measure("funding.per_community_bands", community) == (1000, D("46000"), D("5000"))
    assert judge("GD-20b", value).status == Status.NON_COMPLIANT


def test_it_tells_no_allocation_from_no_government_money(community_in):
    nothing = community_in(STREET)
    assert measure("funding.per_households", nothing) == (nothing.code, 1000, None, D("0"))
    raised = community_in(OTHER_STREET)
    allocate(raised, "70000", Allocation.Source.FUNDRAISING)
    value = measure("funding.per_households", raised)
    assert value == (raised.code, 1000, D("0"), D("70000"))
    verdict = judge("GD-20b", value)
    assert verdict.status == Status.NON_COMPLIANT
    assert verdict.measured == "2026 年度 ¥0.00"


def test_it_measures_households_as_recorded(community_in):
    community = community_in(STREET)
    Community.objects.filter(pk=community.pk).update(households=None)
    assert measure("funding.per_households", community)[1] is None
    assert measure("funding.per_community_bands", community)[0] is None


def test_it_measures_full_time_staff_pay_against_the_most_specific_benchmark(community_in):
    community = community_in(STREET)
    staff(community, "99000")
    low = staff(community, "90000")
    staff(community)  # pay not recorded
    staff(community, "10000", full_time=False)  # part-time: not staff
    staff(community, "20000", end_date=date(2026, 3, 31))  # left before the date
    staff(community, "20000", start_date=date(2026, 7, 1))  # not yet started
    StaffPay.objects.create(person=low, year=2025, annual_pay=D("1"))  # another year
    benchmark("44", 2025, AVERAGE, "70000")
    benchmark("4404", 2025, AVERAGE, "95000")
    benchmark("440402001", 2025, AVERAGE, "97000")  # the street's own figure wins
    benchmark("4404", 2026, AVERAGE, "1")  # this year's average wage is not "last year's"
    benchmark("44", 2026, PUBLIC, "85000")
    benchmark("440403", 2026, PUBLIC, "1")  # the neighbouring district's
    value = measure("funding.pay_vs_benchmark", community)
    assert value == (
        (None, D("90000"), D("99000")),
        (
            (AVERAGE, 2025, "440402001", D("97000")),
            (PUBLIC, 2026, "44", D("85000")),
        ),
    )
    hash(value)
    assert judge("GD-20a", value).status == Status.NON_COMPLIANT
    assert judge("CZ-05b", value).missing == "funding.pay"


def test_it_counts_a_person_with_two_full_time_posts_once(community_in):
    community = community_in(STREET)
    who = staff(community, "99000")
    station = Organization.objects.create(
        community=community, kind=Organization.Kind.SERVICE_STATION, name="公共服务站"
    )
    Membership.objects.create(
        person=who,
        organization=station,
        position=Membership.Position.STAFF,
        full_time=True,
        start_date=date(2024, 1, 1),
    )
    assert measure("funding.pay_vs_benchmark", community) == ((D("99000"),), ())


def test_it_gives_no_staff_and_no_benchmark_where_nothing_is_recorded(community_in):
    community = community_in(OTHER_STREET)
    assert measure("funding.pay_vs_benchmark", community) == ((), ())


def test_it_measures_the_tasks_in_hand_on_the_date(community_in):
    community = community_in(STREET)
    approved = {"approved_by": "翠香街道办事处", "approved_on": date(2026, 1, 20)}
    task(community, **approved, funding=D("5000"))
    task(community, **approved, funding=D("0"))
    task(community, in_task_list=True)
    task(community, approved_by="香洲区人民政府", approved_on=date(2026, 7, 1))  # approved later
    task(community, ended_on=AS_OF)  # its last day: still in hand
    task(community, ended_on=date(2026, 6, 29))  # ended before the date
    task(community, assigned_on=date(2026, 7, 1))  # not yet assigned
    value = measure("funding.tasks_approved", community)
    assert value == (
        ((False, False, False), 2),
        ((False, True, False), 1),
        ((True, False, True), 2),
    )
    hash(value)
    assert measure("funding.tasks_funded", community) == (5, 1)
    assert judge("N18-20", value).explanation == "3 项未经同意。"
    assert judge("CZ-02", value).explanation == "2 项既未列入清单也未经同意。3 项未明确经费。"
    assert judge("N25-fund", (5, 1)).explanation == "4 项未拨付经费(空或为 0)。"


def test_it_gives_no_tasks_where_none_is_recorded(community_in):
    community = community_in(OTHER_STREET)
    assert measure("funding.tasks_approved", community) == ()
    assert measure("funding.tasks_funded", community) == (0, 0)


def test_it_measures_with_the_same_number_of_queries_for_1_and_30_communities(zhuhai):
    thirty = list(Community.objects.filter(code__startswith=CITY).order_by("code")[:30])
    for i, community in enumerate(thirty):
        allocate(community, "60000")
        allocate(community, "500", Allocation.Source.FUNDRAISING)
        staff(community, "99000" if i % 2 else None)
        task(community, approved_by="街道办事处", approved_on=date(2026, 2, 2), funding=D("1"))
        task(community, in_task_list=i % 3 == 0)
    benchmark("4404", 2025, AVERAGE, "95000")
    benchmark("440403", 2026, PUBLIC, "90000")
    one = Community.objects.filter(pk=thirty[0].pk)
    many = Community.objects.filter(pk__in=[c.pk for c in thirty])
    for key in KEYS:
        rule = registry.get(key)
        with CaptureQueriesContext(connection) as single:
            assert len(rule.measure(one, AS_OF)) == 1
        with CaptureQueriesContext(connection) as several:
            values = rule.measure(many, AS_OF)
        assert len(values) == 30
        assert 1 <= len(single) == len(several) <= 3, key
        for value in values.values():
            hash(value)  # the engine memoizes verdicts by value


# --- end to end ----------------------------------------------------------------------------


def findings(community: Community) -> dict[str, Finding]:
    return findings_of(community, AS_OF)


def test_it_evaluates_guangdong_work_funds_in_mid_2026(community_in, shantou):
    enough = community_in(STREET)
    short = community_in(OTHER_STREET)
    unrecorded = community_in(OTHER_DISTRICT)
    for community, amounts in (
        (enough, ["40000", "20000"]),
        (short, ["40000", "19999.99"]),
        (shantou, ["30000"]),
    ):
        for amount in amounts:
            allocate(community, amount)
    allocate(short, "10000", Allocation.Source.FUNDRAISING)
    chosen = [enough.pk, short.pk, unrecorded.pk, shantou.pk]
    evaluate_communities(Community.objects.filter(pk__in=chosen), AS_OF)

    found = findings(enough)
    assert found["GD-20b"].status == Status.COMPLIANT
    assert found["GD-20b"].measured == "2026 年度 ¥60,000.00"
    assert found["GD-20b"].expected == "≥ ¥60,000.00(每户 60 元 × 1,000 户)"
    # Nothing assigned: compliant, saying so; no staff yet: the roster is missing.
    assert found["N25-fund"].status == Status.COMPLIANT
    assert found["N25-fund"].explanation == "未登记交办事项。"
    assert (found["GD-20a"].status, found["GD-20a"].missing) == (
        Status.NO_DATA,
        "committee.roster",
    )
    # Standards of other provinces, and the 2018 law (ended 2025-12-31), do not apply.
    assert not {"SD-31", "AH07", "HB07", "N18-20", "BY-07", "CZ-02", "CZ-05b"} & set(found)

    found = findings(short)
    assert found["GD-20b"].status == Status.NON_COMPLIANT
    assert found["GD-20b"].explanation == (
        "2026 年度工作经费比标准少 ¥0.01。另有社会募集、共驻共建资金 ¥10,000.00,不计入工作经费。"
    )

    found = findings(unrecorded)
    assert (found["GD-20b"].status, found["GD-20b"].missing) == (
        Status.NO_DATA,
        "funding.allocations",
    )

    found = findings(shantou)
    assert found["GD-20b"].status == Status.COMPLIANT
    assert found["GD-20b"].expected == "≥ ¥30,000.00(每户 30 元 × 1,000 户)"


def test_it_evaluates_staff_pay_and_tasks_of_a_zhuhai_community(community_in):
    community = community_in(STREET)
    staff(community, "96000")
    staff(community, "120000")
    benchmark("4404", 2025, AVERAGE, "96000.01")
    task(community, funding=D("0"))
    evaluate_communities(Community.objects.filter(pk=community.pk), AS_OF)
    found = findings(community)
    assert found["GD-20a"].status == Status.NON_COMPLIANT
    assert found["GD-20a"].explanation.startswith("1 人年收入低于基准。")
    assert "一般" in found["GD-20a"].explanation  # GD-20a is a 原则上 default
    assert found["N25-fund"].status == Status.NON_COMPLIANT
