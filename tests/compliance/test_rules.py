"""The rule vocabulary and the first real rule, as pure functions (no database).

Boundaries follow STANDARDS.md: 以上/以下/不少于/不超过 include the number, 过半数 is strictly
more than half. The thresholds are taken from the catalogue, so a change there shows up here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from committees.rules import HouseholdsRange
from compliance.catalog import STANDARDS
from compliance.models import Status
from compliance.rules import (
    FractionField,
    TargetsField,
    judge_share,
    meets_fraction,
    registry,
    target_for,
)

AS_OF = date(2025, 6, 30)
RULE = HouseholdsRange()
PARAMS = {s["id"]: s["params"] for s in STANDARDS}


def _judge(standard_id: str, households: int | None):
    return RULE.judge(households, RULE.clean_params(PARAMS[standard_id]), as_of=AS_OF)


def _messages(params) -> list[str]:
    with pytest.raises(ValidationError) as error:
        RULE.clean_params(params)
    return error.value.messages


# --- HouseholdsRange.judge ---------------------------------------------------------------


def test_it_registers_the_households_rule_under_its_catalogue_key():
    assert isinstance(registry.get("community.households_range"), HouseholdsRange)
    assert registry.get("community.households_range").level == "community"


@pytest.mark.parametrize(
    ("households", "status"),
    [
        (0, Status.NON_COMPLIANT),
        (99, Status.NON_COMPLIANT),
        (100, Status.COMPLIANT),
        (101, Status.COMPLIANT),
        (699, Status.COMPLIANT),
        (700, Status.COMPLIANT),
        (701, Status.NON_COMPLIANT),
    ],
)
def test_it_holds_n18_06_to_100_to_700_households_both_included(households, status):
    assert _judge("N18-06", households).status == status


@pytest.mark.parametrize(
    ("households", "status"),
    [
        (1999, Status.NON_COMPLIANT),
        (2000, Status.COMPLIANT),
        (2001, Status.COMPLIANT),
        (2999, Status.COMPLIANT),
        (3000, Status.COMPLIANT),
        (3001, Status.NON_COMPLIANT),
    ],
)
def test_it_holds_gd_01_to_2000_to_3000_households_both_included(households, status):
    assert _judge("GD-01", households).status == status


@pytest.mark.parametrize(
    ("households", "status"),
    [
        (0, Status.COMPLIANT),
        (1, Status.COMPLIANT),
        (2999, Status.COMPLIANT),
        (3000, Status.COMPLIANT),
        (3001, Status.NON_COMPLIANT),
    ],
)
def test_it_holds_sd_03_to_at_most_3000_households_with_no_lower_bound(households, status):
    assert _judge("SD-03", households).status == status


def test_it_says_which_bound_was_crossed_with_the_measured_and_expected_values():
    low, high = _judge("GD-01", 1999), _judge("GD-01", 3001)
    assert low.explanation == "户数少于标准下限。"
    assert high.explanation == "户数超过标准上限。"
    assert low.measured == "1,999 户"
    assert low.expected == high.expected == "2,000–3,000 户"
    assert _judge("SD-03", 3000).expected == "不超过 3,000 户"
    assert RULE.judge(500, {"min": 100}, as_of=AS_OF).expected == "不少于 100 户"


def test_it_reports_no_data_with_the_record_to_enter_when_households_are_unknown():
    verdict = _judge("N18-06", None)
    assert verdict.status == Status.NO_DATA
    assert verdict.missing == "community.households"
    assert verdict.measured == ""
    assert verdict.expected == "100–700 户"
    assert verdict.explanation == "尚未填报常住户数。"


# --- HouseholdsRange.clean_params --------------------------------------------------------


def test_it_accepts_every_households_range_of_the_catalogue():
    for standard in STANDARDS:
        if standard["rule_key"] == RULE.key:
            assert RULE.clean_params(standard["params"]), standard["id"]


def test_it_keeps_only_the_given_keys_and_turns_numeric_text_into_integers():
    assert RULE.clean_params({"min": "1500", "max": 2500}) == {"min": 1500, "max": 2500}
    assert RULE.clean_params({"min": None, "max": 3000}) == {"min": None, "max": 3000}


def test_it_requires_at_least_one_bound():
    assert _messages({}) == ["至少要填写最少户数或最多户数之一。"]
    assert _messages({"min": None, "max": None}) == ["至少要填写最少户数或最多户数之一。"]


def test_it_refuses_a_minimum_above_the_maximum():
    assert _messages({"min": 3000, "max": 2000}) == ["最少户数不能大于最多户数。"]
    assert RULE.clean_params({"min": 2000, "max": 2000}) == {"min": 2000, "max": 2000}


def test_it_refuses_text_where_a_number_belongs_naming_the_field():
    assert "最少户数:输入整数。" in _messages({"min": "abc", "max": 3000})
    assert "最多户数:输入整数。" in _messages({"min": 100, "max": "七百"})


def test_it_reports_a_bad_bound_once_without_claiming_no_bound_was_given():
    assert _messages({"min": "abc"}) == ["最少户数:输入整数。"]
    assert _messages({"min": -1}) == ["最少户数:确保该值大于或等于0。"]


def test_it_refuses_an_unknown_parameter():
    assert _messages({"min": 100, "max": 700, "maximum": 800}) == ["未知参数:maximum"]


def test_it_refuses_negative_bounds_and_a_zero_maximum():
    assert "最少户数:确保该值大于或等于0。" in _messages({"min": -1, "max": 700})
    assert "最多户数:确保该值大于或等于1。" in _messages({"max": 0})
    assert RULE.clean_params({"min": 0, "max": 1}) == {"min": 0, "max": 1}


def test_it_refuses_params_that_are_not_an_object():
    for params in ([100, 700], "100-700", 700):
        assert _messages(params), params


# --- meets_fraction ----------------------------------------------------------------------

HALF_STRICT = {"numerator": 1, "denominator": 2, "strict": True}  # 过半数
HALF = {"numerator": 1, "denominator": 2, "strict": False}  # 半数以上
THIRD = {"numerator": 1, "denominator": 3, "strict": False}  # 三分之一以上
THIRD_STRICT = {"numerator": 1, "denominator": 3, "strict": True}  # 超过三分之一


def test_it_excludes_exactly_half_from_more_than_half():
    assert not meets_fraction(50, 100, HALF_STRICT)
    assert meets_fraction(51, 100, HALF_STRICT)
    assert not meets_fraction(3, 7, HALF_STRICT)
    assert meets_fraction(4, 7, HALF_STRICT)


def test_it_includes_exactly_half_in_half_or_more():
    assert meets_fraction(50, 100, HALF)
    assert not meets_fraction(49, 100, HALF)


def test_it_compares_a_third_exactly_without_rounding():
    assert meets_fraction(1, 3, THIRD)
    assert meets_fraction(100, 300, THIRD)
    assert not meets_fraction(99, 300, THIRD)
    assert not meets_fraction(100, 300, THIRD_STRICT)
    assert meets_fraction(101, 300, THIRD_STRICT)
    # 0.333… as a float would wrongly fail or pass one of these.
    assert meets_fraction(333_333_334, 1_000_000_000, THIRD)
    assert not meets_fraction(333_333_333, 1_000_000_000, THIRD)


# --- target_for and TargetsField ---------------------------------------------------------

TARGETS = [{"from": "2015-12-31", "min": "0.40"}, {"from": "2020-12-31", "min": "0.70"}]


def test_it_has_no_target_before_the_first_one_starts():
    assert target_for(TARGETS, date(2015, 12, 30)) is None
    assert target_for([], date(2030, 1, 1)) is None


def test_it_picks_the_latest_target_that_has_started_on_its_first_day():
    assert target_for(TARGETS, date(2015, 12, 31)) == Decimal("0.40")
    assert target_for(TARGETS, date(2020, 12, 30)) == Decimal("0.40")
    assert target_for(TARGETS, date(2020, 12, 31)) == Decimal("0.70")
    assert target_for(TARGETS, date(2035, 1, 1)) == Decimal("0.70")


def test_it_normalizes_and_sorts_dated_targets():
    cleaned = TargetsField().clean(list(reversed(TARGETS)))
    assert cleaned == TARGETS
    assert TargetsField().clean([{"from": "2015-12-31", "min": 0.5}]) == [
        {"from": "2015-12-31", "min": "0.5"}
    ]
    assert target_for(TargetsField().clean(list(reversed(TARGETS))), date(2021, 1, 1)) == Decimal(
        "0.70"
    )


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ([{"from": "2015-13-01", "min": "0.4"}], "每个目标应包含日期 from"),
        ([{"from": "31/12/2015", "min": "0.4"}], "每个目标应包含日期 from"),
        ([{"from": None, "min": "0.4"}], "每个目标应包含日期 from"),
        ([{"min": "0.4"}], "每个目标应包含日期 from"),
        ([{"from": "2015-12-31"}], "每个目标应包含日期 from"),
        ([{"from": "2015-12-31", "min": "七成"}], "每个目标应包含日期 from"),
        (["2015-12-31"], "每个目标应包含日期 from"),
        ([{"from": "2015-12-31", "min": "1.01"}], "目标比例应在 0 到 1 之间。"),
        ([{"from": "2015-12-31", "min": "70"}], "目标比例应在 0 到 1 之间。"),
        ([{"from": "2015-12-31", "min": "-0.1"}], "目标比例应在 0 到 1 之间。"),
        (
            [{"from": "2015-12-31", "min": "0.4"}, {"from": "2015-12-31", "min": "0.7"}],
            "目标的起始日期不能重复。",
        ),
        ({"from": "2015-12-31", "min": "0.4"}, "目标应为列表。"),
    ],
)
def test_it_refuses_bad_dated_targets_in_chinese(targets, message):
    with pytest.raises(ValidationError) as error:
        TargetsField().clean(targets)
    assert any(message in m for m in error.value.messages)


def test_it_accepts_targets_of_zero_and_one():
    assert TargetsField().clean([{"from": "2015-12-31", "min": "0"}])[0]["min"] == "0"
    assert TargetsField().clean([{"from": "2015-12-31", "min": "1"}])[0]["min"] == "1"


@pytest.mark.parametrize("minimum", ["NaN", "sNaN"])
def test_it_refuses_a_target_that_is_not_a_number(minimum):
    with pytest.raises(ValidationError):
        TargetsField().clean([{"from": "2015-12-31", "min": minimum}])


# --- FractionField -----------------------------------------------------------------------


def test_it_keeps_an_exact_fraction_and_defaults_to_not_strict():
    assert FractionField().clean({"numerator": 1, "denominator": 3}) == THIRD
    assert FractionField().clean(HALF_STRICT) == HALF_STRICT


@pytest.mark.parametrize(
    "value",
    [
        {"numerator": 1, "denominator": 0},
        {"numerator": 0, "denominator": 0},
        {"numerator": 1, "denominator": -2},
        {"numerator": 1.0, "denominator": 2},
        {"numerator": 1, "denominator": 2.5},
        {"numerator": "1", "denominator": "2"},
        {"numerator": -1, "denominator": 2},
        {"numerator": 3, "denominator": 2},
    ],
)
def test_it_refuses_a_fraction_with_a_zero_denominator_or_non_integers(value):
    with pytest.raises(ValidationError) as error:
        FractionField().clean(value)
    assert error.value.messages == ["分子、分母应为整数,且 0 ≤ 分子 ≤ 分母、分母 > 0。"]


@pytest.mark.parametrize("value", [{"numerator": 1}, [1, 2], "1/2", 0.5])
def test_it_refuses_anything_but_a_fraction_object(value):
    with pytest.raises(ValidationError) as error:
        FractionField().clean(value)
    assert error.value.messages == ["应为 {numerator, denominator, strict} 形式的分数。"]


def test_it_refuses_booleans_as_the_terms_of_a_fraction():
    with pytest.raises(ValidationError):
        FractionField().clean({"numerator": True, "denominator": True})


def test_it_refuses_a_strict_flag_that_is_not_a_boolean():
    with pytest.raises(ValidationError):
        FractionField().clean({"numerator": 1, "denominator": 2, "strict": "false"})


# --- judge_share -------------------------------------------------------------------------

SHARE = {"targets": TARGETS}


def _share(value, as_of=date(2021, 6, 30)):
    return judge_share(value, SHARE, as_of=as_of, noun="居委会")


def test_it_finds_a_share_exactly_at_the_target_compliant():
    verdict = _share((7, 10))
    assert verdict.status == Status.COMPLIANT
    assert verdict.measured == "70.0%(7/10)"
    assert verdict.expected == "≥ 70.0%"
    assert _share((70, 100)).status == Status.COMPLIANT


def test_it_finds_a_share_below_the_target_non_compliant_and_above_it_compliant():
    assert _share((69, 100)).status == Status.NON_COMPLIANT
    assert _share((6_999_999, 10_000_000)).status == Status.NON_COMPLIANT
    assert _share((71, 100)).status == Status.COMPLIANT
    assert _share((10, 10)).status == Status.COMPLIANT


def test_it_holds_a_share_to_the_target_in_force_on_the_date():
    assert _share((5, 10), as_of=date(2020, 12, 30)).status == Status.COMPLIANT
    assert _share((5, 10), as_of=date(2020, 12, 31)).status == Status.NON_COMPLIANT


def test_it_finds_a_share_not_applicable_before_the_first_target():
    verdict = _share((0, 10), as_of=date(2015, 12, 30))
    assert verdict.status == Status.NOT_APPLICABLE
    assert verdict.explanation == "评估日期时目标尚未生效。"


@pytest.mark.parametrize("value", [None, (0, 0)])
def test_it_reports_no_data_for_a_share_with_nothing_to_count(value):
    verdict = _share(value)
    assert verdict.status == Status.NO_DATA
    assert verdict.expected == "≥ 70.0%"
    assert verdict.explanation == "辖区内没有可统计的居委会。"
