"""Compliance rules on a community's work funds, staff pay and the tasks assigned to it.

The year judged is the calendar year of the evaluation date: on 2026-06-30 the funds of 2026
(allocations recorded with ``year == 2026``, whenever received) are held against the annual
floor. Money is ``Decimal`` yuan throughout and shown as "¥60,000.00".

Each measure costs two or three queries whatever the number of communities (aggregates grouped
by community, never a query per community); each judge is pure and its value hashable, so that
the engine can share one verdict between communities with the same facts.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import BooleanField, Case, Count, Max, Q, When
from django.db.models import Value as V
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from committees.models import Membership, staff_q
from compliance.rules import (
    ParamsForm,
    Rule,
    StrictBooleanField,
    Verdict,
    compliant,
    fmt_int,
    no_data,
    non_compliant,
    not_applicable,
    register,
    register_missing,
)
from core.models import is_code
from funding.ledger import ZERO, rate_for, year_funds
from funding.models import AssignedTask, WageBenchmark

register_missing("funding.allocations", _("经费拨付"), "funding:ledger")
register_missing("funding.pay", _("工作人员报酬"), "funding:ledger")
register_missing("funding.benchmark", _("工资基准"), "funding:ledger")

BAND_PREFIX_LENGTHS = (2, 4, 6, 9, 12)


def fmt_money(amount: Decimal) -> str:
    """Yuan with thousands separators and cents: ``Decimal("60000")`` → "¥60,000.00"."""
    return f"¥{Decimal(amount):,.2f}"


def funds_measured(year: int, funds: Decimal) -> str:
    return gettext("%(year)s 年度 %(amount)s") % {"year": year, "amount": fmt_money(funds)}


def excluded_note(excluded: Decimal) -> str:
    if not excluded:
        return ""
    return gettext("另有社会募集、共驻共建资金 %(amount)s,不计入工作经费。") % {
        "amount": fmt_money(excluded)
    }


def judge_funds(
    funds: Decimal | None,
    excluded: Decimal,
    required: Decimal,
    expected: str,
    *,
    as_of: datetime.date,
    note: str = "",
) -> Verdict:
    """Work funds of the year against a floor, which they may equal (不少于)."""
    year = as_of.year
    if funds is None:
        return no_data(
            "funding.allocations",
            expected,
            gettext("尚未登记 %(year)s 年度的经费拨付。") % {"year": year},
        )
    measured = funds_measured(year, funds)
    after = note + excluded_note(excluded)
    if funds >= required:
        return compliant(measured, expected, after)
    return non_compliant(
        measured,
        expected,
        gettext("%(year)s 年度工作经费比标准少 %(amount)s。")
        % {"year": year, "amount": fmt_money(required - funds)}
        + after,
    )


def strict_int(value: Any) -> bool:
    """A JSON integer (JSON true/false are bools, which are ints in Python)."""
    return type(value) is int


# --- 1. funds per household (GD-20b, SD-31, HB07) ----------------------------------------------


class RateBandsField(forms.Field):
    """Rates by area: ``[{"prefixes": ["4401", …], "yuan_per_household": 60}, …]``."""

    def to_python(self, value):
        if value in (None, "", []):
            return []
        shape = _('分档应为列表,如 [{"prefixes": ["4401"], "yuan_per_household": 60}]。')
        if not isinstance(value, list):
            raise forms.ValidationError(shape)
        seen: set[str] = set()
        for band in value:
            if not isinstance(band, dict) or set(band) != {"prefixes", "yuan_per_household"}:
                raise forms.ValidationError(shape)
            prefixes, rate = band["prefixes"], band["yuan_per_household"]
            if not isinstance(prefixes, list) or not prefixes:
                raise forms.ValidationError(_("每一档应列出至少一个区划代码前缀。"))
            for prefix in prefixes:
                if (
                    not isinstance(prefix, str)
                    or not is_code(prefix)
                    or len(prefix) not in BAND_PREFIX_LENGTHS
                ):
                    raise forms.ValidationError(
                        _("区划代码前缀应为 2、4、6、9 或 12 位数字:%(p)s") % {"p": prefix}
                    )
                if prefix in seen:
                    raise forms.ValidationError(_("区划代码前缀重复:%(p)s") % {"p": prefix})
                seen.add(prefix)
            if not strict_int(rate) or rate < 1:
                raise forms.ValidationError(_("每户金额应为正整数(元)。"))
        return [
            {"prefixes": list(b["prefixes"]), "yuan_per_household": b["yuan_per_household"]}
            for b in value
        ]


class PerHouseholdsParams(ParamsForm):
    yuan_per_household = forms.IntegerField(label=_("每户每年金额(元)"), min_value=1)
    bands = RateBandsField(label=_("分地区标准"), required=False)


@register
class FundsPerHouseholds(Rule):
    """Work funds of the year ≥ rate × resident households; the rate may depend on the area
    (GD-20b: ¥60 in the Pearl River Delta cities, ¥30 elsewhere). Value: ``(code, households,
    work funds or None when no allocation of the year is recorded, excluded funds)`` — the code
    because the area decides the rate."""

    key = "funding.per_households"
    label = _("工作经费(按户数核定)")
    params_form = PerHouseholdsParams

    def measure(self, communities, as_of):
        funds = year_funds(communities, as_of.year)
        found = {}
        for pk, code, households in communities.values_list("id", "code", "households"):
            work, excluded = funds.get(pk, (None, ZERO))
            found[pk] = (code, households, work, excluded)
        return found

    def judge(self, value, params, *, as_of):
        code, households, funds, excluded = value or ("", None, None, ZERO)
        rate = rate_for(params, code)
        if households is None:
            return no_data(
                "community.households",
                gettext("每户每年 ≥ %(rate)s 元") % {"rate": rate},
                gettext("尚未填报常住户数。"),
            )
        required = Decimal(rate) * households
        expected = gettext("≥ %(amount)s(每户 %(rate)s 元 × %(households)s 户)") % {
            "amount": fmt_money(required),
            "rate": rate,
            "households": fmt_int(households),
        }
        return judge_funds(funds, excluded, required, expected, as_of=as_of)


# --- 2. funds per community by size band (AH07) -------------------------------------------------


class SizeBandsField(forms.Field):
    """``[{"max_households": 2500, "min_yuan": 20000}, {"min_households": 2500, …}]``; both
    bounds of a band are included (以上/以下)."""

    KEYS = {"min_households", "max_households", "min_yuan"}

    def to_python(self, value):
        if value in (None, "", []):
            return []
        shape = _('分档应为列表,如 [{"max_households": 2500, "min_yuan": 20000}]。')
        if not isinstance(value, list):
            raise forms.ValidationError(shape)
        for band in value:
            if not isinstance(band, dict) or not set(band) <= self.KEYS or "min_yuan" not in band:
                raise forms.ValidationError(shape)
            if not strict_int(band["min_yuan"]) or band["min_yuan"] < 1:
                raise forms.ValidationError(_("每档金额 min_yuan 应为正整数(元)。"))
            low, high = band.get("min_households"), band.get("max_households")
            if low is None and high is None:
                raise forms.ValidationError(_("每一档应填写最少户数或最多户数之一。"))
            if any(b is not None and (not strict_int(b) or b < 0) for b in (low, high)):
                raise forms.ValidationError(_("户数应为不小于 0 的整数。"))
            if low is not None and high is not None and low > high:
                raise forms.ValidationError(_("最少户数不能大于最多户数。"))
        return [dict(band) for band in value]


class PerCommunityBandsParams(ParamsForm):
    bands = SizeBandsField(label=_("按户数分档"))
    # Where two bands share a boundary (2500户以下 / 2500户以上 both include 2,500), STANDARDS.md
    # applies the stricter one; no other reading is offered.
    overlap = forms.ChoiceField(
        label=_("档次重叠时"), choices=[("stricter", _("取较严格的一档"))], required=False
    )


def size_band(band: dict) -> str:
    low, high = band.get("min_households"), band.get("max_households")
    if low is not None and high is not None:
        return gettext("%(low)s–%(high)s 户") % {"low": fmt_int(low), "high": fmt_int(high)}
    if high is not None:
        return gettext("%(n)s 户以下") % {"n": fmt_int(high)}
    return gettext("%(n)s 户以上") % {"n": fmt_int(low)}


def in_band(band: dict, households: int) -> bool:
    low, high = band.get("min_households"), band.get("max_households")
    return (low is None or households >= low) and (high is None or households <= high)


@register
class FundsPerCommunityBands(Rule):
    """Work funds of the year ≥ a sum per community set by its size band; at a shared boundary
    the stricter band applies. Value: ``(households, work funds or None, excluded funds)``."""

    key = "funding.per_community_bands"
    label = _("工作经费(按社区规模分档)")
    params_form = PerCommunityBandsParams

    def measure(self, communities, as_of):
        funds = year_funds(communities, as_of.year)
        found = {}
        for pk, households in communities.values_list("id", "households"):
            work, excluded = funds.get(pk, (None, ZERO))
            found[pk] = (households, work, excluded)
        return found

    def judge(self, value, params, *, as_of):
        households, funds, excluded = value or (None, None, ZERO)
        bands = params["bands"]
        if households is None:
            expected = ";".join(
                gettext("%(band)s ≥ %(amount)s")
                % {"band": size_band(b), "amount": fmt_money(b["min_yuan"])}
                for b in bands
            )
            return no_data("community.households", expected, gettext("尚未填报常住户数。"))
        matching = [b for b in bands if in_band(b, households)]
        if not matching:
            return not_applicable(
                gettext("常住 %(n)s 户,不在本条任何一档内。") % {"n": fmt_int(households)}
            )
        band = max(matching, key=lambda b: b["min_yuan"])
        expected = gettext("≥ %(amount)s(%(band)s)") % {
            "amount": fmt_money(band["min_yuan"]),
            "band": size_band(band),
        }
        note = ""
        if len(matching) > 1:
            note = gettext("常住 %(n)s 户同时属于多个档次,按较严格的一档核定。") % {
                "n": fmt_int(households)
            }
        return judge_funds(
            funds, excluded, Decimal(band["min_yuan"]), expected, as_of=as_of, note=note
        )


# --- 3. staff pay against a wage benchmark (GD-20a, CZ-05b) -------------------------------------

# Which benchmark a standard names: the kind recorded, and the year relative to the year judged.
BENCHMARKS = {
    # GD-20a "不低于上年度当地社会平均工资": last year's average wage against this year's pay.
    "local_average_wage_previous_year": (WageBenchmark.Kind.AVERAGE_WAGE.value, -1),
    # CZ-05b "不低于当地事业单位管理岗对应等级的职员工资": the same year's pay scale.
    "public_institution_pay": (WageBenchmark.Kind.PUBLIC_INSTITUTION.value, 0),
}
BENCHMARK_NAMES = {
    "local_average_wage_previous_year": _("上年度当地社会平均工资"),
    "public_institution_pay": _("当地相应事业单位人员工资"),
}
# The same, once the year is given: "2025 年度当地社会平均工资".
BENCHMARK_FIGURES = {
    "local_average_wage_previous_year": _("当地社会平均工资"),
    "public_institution_pay": _("当地相应事业单位人员工资"),
}


class PayVsBenchmarkParams(ParamsForm):
    benchmark = forms.ChoiceField(
        label=_("比较基准"), choices=[(k, v) for k, v in BENCHMARK_NAMES.items()]
    )


def longest_prefix(table: dict[str, Decimal], code: str) -> tuple[str, Decimal] | None:
    for length in range(len(code), -1, -1):
        if code[:length] in table:
            return code[:length], table[code[:length]]
    return None


@register
class PayVsBenchmark(Rule):
    """Every full-time staff member (an active full-time membership on the date) paid at least
    the benchmark in the year judged. The benchmark is the one recorded for the longest prefix of
    the community's code (a district's figure before its city's, the city's before the
    province's). Value: ``(pays, benchmarks)``: the annual pay of each full-time staff member for
    the year, ``None`` where not recorded, sorted; and ``(kind, year, code, amount)`` for each
    benchmark found, among last year's average wage and this year's public-institution pay."""

    key = "funding.pay_vs_benchmark"
    label = _("专职工作人员报酬")
    params_form = PayVsBenchmarkParams

    def measure(self, communities, as_of):
        year = as_of.year
        wanted = {(kind, year + offset) for kind, offset in BENCHMARKS.values()}
        tables: dict[tuple[str, int], dict[str, Decimal]] = {key: {} for key in wanted}
        # One query for every benchmark of the two (kind, year) pairs, resolved in Python.
        condition = Q()
        for kind, benchmark_year in sorted(wanted):
            condition |= Q(kind=kind, year=benchmark_year)
        for code, kind, benchmark_year, amount in WageBenchmark.objects.filter(
            condition
        ).values_list("code", "kind", "year", "annual_amount"):
            tables[(kind, benchmark_year)][code] = amount
        rows = (
            Membership.objects.filter(
                staff_q(as_of), organization__community__in=communities.values("pk")
            )
            .values("organization__community_id", "person_id")
            # A join ignores the default manager: deleted pay rows are left out by hand.
            .annotate(
                pay=Max(
                    "person__pay__annual_pay",
                    filter=Q(person__pay__year=year, person__pay__deleted_at__isnull=True),
                )
            )
            .order_by()
        )
        pays: dict[int, list[Decimal | None]] = {}
        for r in rows:
            pays.setdefault(r["organization__community_id"], []).append(r["pay"])
        found = {}
        for pk, code in communities.values_list("id", "code"):
            benchmarks = []
            for kind, benchmark_year in sorted(wanted):
                hit = longest_prefix(tables[(kind, benchmark_year)], code)
                if hit is not None:
                    benchmarks.append((kind, benchmark_year, *hit))
            staff = sorted(pays.get(pk, ()), key=lambda p: (p is not None, p or ZERO))
            found[pk] = (tuple(staff), tuple(benchmarks))
        return found

    def judge(self, value, params, *, as_of):
        name = BENCHMARK_NAMES[params["benchmark"]]
        figure = BENCHMARK_FIGURES[params["benchmark"]]
        kind, offset = BENCHMARKS[params["benchmark"]]
        year = as_of.year + offset
        staff, benchmarks = value or ((), ())
        benchmark = next((b for b in benchmarks if b[0] == kind and b[1] == year), None)
        if benchmark is None:
            expected = gettext("年收入 ≥ %(name)s") % {"name": name}
        else:
            expected = gettext("年收入 ≥ %(amount)s(%(code)s %(year)s 年度%(name)s)") % {
                "amount": fmt_money(benchmark[3]),
                "code": benchmark[2] or gettext("全国"),
                "year": year,
                "name": figure,
            }
        if not staff:
            return no_data("committee.roster", expected, gettext("尚未登记在任的专职工作人员。"))
        recorded = [p for p in staff if p is not None]
        if not recorded:
            return no_data(
                "funding.pay",
                expected,
                gettext("尚未登记专职工作人员 %(year)s 年度的报酬。") % {"year": as_of.year},
            )
        if benchmark is None:
            return no_data(
                "funding.benchmark",
                expected,
                gettext("尚未登记 %(year)s 年度的%(name)s。") % {"year": year, "name": figure},
            )
        measured = gettext("专职人员 %(n)s 人,最低年收入 %(low)s") % {
            "n": len(staff),
            "low": fmt_money(recorded[0]),
        }
        unrecorded = len(staff) - len(recorded)
        if unrecorded:
            measured = gettext("专职人员 %(n)s 人,已登记报酬 %(k)s 人,最低年收入 %(low)s") % {
                "n": len(staff),
                "k": len(recorded),
                "low": fmt_money(recorded[0]),
            }
        below = sum(p < benchmark[3] for p in recorded)
        if below:
            return non_compliant(
                measured,
                expected,
                gettext("%(n)s 人年收入低于基准。") % {"n": below},
            )
        if unrecorded:
            # Everyone recorded is paid enough; whether the others are cannot be told.
            return no_data(
                "funding.pay",
                expected,
                gettext("还有 %(n)s 名专职工作人员未登记 %(year)s 年度的报酬。")
                % {"n": unrecorded, "year": as_of.year},
            )
        return compliant(measured, expected)


# --- 4. tasks assigned to the community approved (N18-20, BY-07, CZ-02) -------------------------
#
# A task is in hand on a date when it was assigned on or before it and has not ended before it
# (its end date is its last day, as for a membership). A community with no task recorded is
# compliant, with the explanation "未登记交办事项": these standards forbid unapproved work, and
# a community that was assigned nothing has none. Reporting no_data instead would ask every
# committee to prove a negative, and would leave the many communities that are never assigned
# anything permanently "missing data"; a task that does exist but is unrecorded is a ledger
# problem the street office answers for, like any other record.

APPROVERS = {
    "street_office": _("街道办事处"),
    "county_governance_body": _("县级以上社区治理领导机构"),
}


def active_task_q(as_of: datetime.date) -> Q:
    return Q(assigned_on__lte=as_of) & (Q(ended_on__isnull=True) | Q(ended_on__gte=as_of))


class TasksApprovedParams(ParamsForm):
    # The approver is shown in the expectation, not checked: approved_by is free text.
    approver = forms.ChoiceField(
        label=_("审批机关"), choices=list(APPROVERS.items()), required=False
    )
    task_list_or_approved = StrictBooleanField(
        label=_("列入社区工作事项清单即视为准入"), required=False
    )
    requires_funding = StrictBooleanField(label=_("须明确经费"), required=False)


@register
class TasksApproved(Rule):
    """Every task in hand approved on or before the date (CZ-02: or in the community's task
    list); with ``requires_funding`` also its funding stated (not blank; ¥0 is a statement).
    Value: ``(((approved, in_task_list, funding stated), count), …)`` sorted, ``()`` without
    tasks."""

    key = "funding.tasks_approved"
    label = _("交办事项准入")
    params_form = TasksApprovedParams

    def measure(self, communities, as_of):
        rows = (
            AssignedTask.objects.filter(
                active_task_q(as_of), community__in=communities.values("pk")
            )
            .annotate(
                approved=Case(
                    When(approved_on__lte=as_of, then=V(True)),
                    default=V(False),
                    output_field=BooleanField(),
                ),
                funded=Case(
                    When(funding__isnull=False, then=V(True)),
                    default=V(False),
                    output_field=BooleanField(),
                ),
            )
            .values("community_id", "approved", "in_task_list", "funded")
            .annotate(n=Count("pk"))
            .order_by()
        )
        tasks: dict[int, Counter] = {}
        for r in rows:
            facts = (bool(r["approved"]), bool(r["in_task_list"]), bool(r["funded"]))
            tasks.setdefault(r["community_id"], Counter())[facts] += r["n"]
        return {
            pk: tuple(sorted(tasks.get(pk, Counter()).items()))
            for pk in communities.values_list("id", flat=True)
        }

    @staticmethod
    def expected(params: dict) -> str:
        approver = APPROVERS.get(params.get("approver", ""))
        approval = (
            gettext("经%(who)s同意") % {"who": approver} if approver else gettext("经审批同意")
        )
        if params.get("task_list_or_approved"):
            approval = gettext("列入社区工作事项清单或%(approval)s") % {"approval": approval}
        text = gettext("交办事项均%(approval)s") % {"approval": approval}
        if params.get("requires_funding"):
            text += gettext(",并明确经费")
        return text

    def judge(self, value, params, *, as_of):
        expected = self.expected(params)
        counts = dict(value or ())
        total = sum(counts.values())
        if not total:
            return compliant(gettext("0 项"), expected, gettext("未登记交办事项。"))
        listed_counts = params.get("task_list_or_approved", False)
        unapproved = sum(
            n
            for (approved, listed, _funded), n in counts.items()
            if not (approved or (listed_counts and listed))
        )
        unfunded = 0
        if params.get("requires_funding"):
            unfunded = sum(n for (_a, _l, funded), n in counts.items() if not funded)
        measured = gettext("在办交办事项 %(n)s 项") % {"n": total}
        problems = []
        if unapproved:
            problems.append(
                (
                    gettext("%(n)s 项既未列入清单也未经同意。")
                    if listed_counts
                    else gettext("%(n)s 项未经同意。")
                )
                % {"n": unapproved}
            )
        if unfunded:
            problems.append(gettext("%(n)s 项未明确经费。") % {"n": unfunded})
        if problems:
            return non_compliant(measured, expected, "".join(problems))
        return compliant(measured, expected)


# --- 5. tasks come with their funding (N25-fund) ----------------------------------------------


class TasksFundedParams(ParamsForm):
    """No parameters."""


@register
class TasksFunded(Rule):
    """经费由委托部门承担: every task in hand has funding above ¥0. The engine applies N25-fund
    from 2026-01-01; from then on every task in hand is judged, whenever it was assigned (a task
    still being done in 2026 still needs its money). No task recorded is compliant, as for
    the approval of tasks. Value: ``(tasks in hand, tasks with funding > 0)``."""

    key = "funding.tasks_funded"
    label = _("交办事项经费")
    params_form = TasksFundedParams

    def measure(self, communities, as_of):
        rows = (
            AssignedTask.objects.filter(
                active_task_q(as_of), community__in=communities.values("pk")
            )
            .values("community_id")
            .annotate(total=Count("pk"), funded=Count("pk", filter=Q(funding__gt=0)))
            .order_by()
        )
        counts = {r["community_id"]: (r["total"], r["funded"]) for r in rows}
        return {pk: counts.get(pk, (0, 0)) for pk in communities.values_list("id", flat=True)}

    def judge(self, value, params, *, as_of):
        expected = gettext("交办事项均由委托部门拨付经费")
        total, funded = value or (0, 0)
        if not total:
            return compliant(gettext("0 项"), expected, gettext("未登记交办事项。"))
        measured = gettext("在办交办事项 %(n)s 项,已拨付经费 %(k)s 项") % {
            "n": total,
            "k": funded,
        }
        if funded == total:
            return compliant(measured, expected)
        return non_compliant(
            measured,
            expected,
            gettext("%(n)s 项未拨付经费(空或为 0)。") % {"n": total - funded},
        )
