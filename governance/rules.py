"""Compliance rules on meetings, resolutions and what a community discloses to its residents.

Facts are those recorded on the date of evaluation: a disclosure counts once its publication
date (published_on) is on or before the date (a blank date is a draft), a meeting counts when it
was held on or before the date. Each measure is one or two queries whatever the number of
communities; each judge is pure, and its value is hashable so that verdicts can be shared.

A disclosure "covers" a calendar year when its period overlaps the year; a period with one bound
left blank is taken as the single day of the bound given, and one with neither is covered only
by the year it was published in.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django import forms
from django.db.models import Count, Max, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from committees.models import Organization
from committees.selectors import active_organizations
from compliance.models import Finding, Status
from compliance.rules import (
    ChoiceListField,
    FractionField,
    JurisdictionRule,
    ParamsForm,
    Rule,
    StrictBooleanField,
    TargetsField,
    Verdict,
    community_ids,
    compliant,
    division_scope,
    judge_share,
    meets_fraction,
    no_data,
    non_compliant,
    not_applicable,
    register,
    register_missing,
)
from core.dates import month_end, months_before
from core.meta import model_field
from funding.models import Allocation
from governance.matters import DEFAULT_MAX_DAYS, STEP_NAMES, Progress, progress
from governance.models import Covenant, Disclosure, MatterStep, Meeting, PublicService

register_missing("governance.disclosures", _("公开事项"), "governance:disclosures")
register_missing("governance.meetings", _("会议记录"), "governance:meetings")
register_missing("governance.matters", _("重大事项(四议两公开)"), "governance:matters")
register_missing("governance.covenants", _("居民公约"), "governance:covenants")
register_missing("governance.services", _("公共服务事项"), "governance:services")

FINANCE = Disclosure.Category.FINANCE
CATEGORY_NAMES = dict(Disclosure.Category.choices)
KIND_NAMES = dict(Organization.Kind.choices)
# N18-09 governs the residents' meeting; a representatives' meeting acts for it (第十条).
ASSEMBLY_KINDS = (Meeting.Kind.RESIDENTS, Meeting.Kind.REPRESENTATIVES)
RECENT_MONTHS = 12


def recent_start(as_of: datetime.date) -> datetime.date:
    """The first day of the 12 months up to and including ``as_of``."""
    return months_before(as_of, RECENT_MONTHS) + datetime.timedelta(days=1)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def covers_year_q(year: int) -> Q:
    """Disclosures whose period overlaps ``year`` (see the module docstring), or, without a
    period, published that year."""
    first, last = year_bounds(year)
    both = Q(period_start__lte=last, period_end__gte=first)
    start_only = Q(period_end__isnull=True, period_start__range=(first, last))
    end_only = Q(period_start__isnull=True, period_end__range=(first, last))
    return both | start_only | end_only | Q(published_on__year=year)


def covered_years(
    start: datetime.date | None, end: datetime.date | None, published: datetime.date
) -> range:
    """The years a disclosure's period covers; without a period, the year it was published."""
    first, last = start or end, end or start
    if first is None or last is None:
        return range(published.year, published.year + 1)
    return range(first.year, last.year + 1)


# --- 1. disclosure cadence (GD-09) -------------------------------------------------------------
#
# GD-09 also sets a jurisdiction-wide target (70% of communities up to standard by 2015): see
# DisclosureRate below, judged on its own catalogue row (GD-09r) from these findings.


class DisclosureCadenceParams(ParamsForm):
    categories = ChoiceListField(
        label=_("公开类别"), choices=CATEGORY_NAMES, example='["party", "residents", "finance"]'
    )
    max_days = forms.IntegerField(label=_("最长间隔天数"), min_value=1)
    portal_default = StrictBooleanField(label=_("间隔为门户默认值"), required=False)
    # The jurisdiction aggregate is judged by DisclosureRate (GD-09r); kept here as quoted.
    targets = TargetsField(label=_("达标率目标"), required=False)


@register
class DisclosureCadence(Rule):
    """Each category disclosed within ``max_days`` before the date (the latest publication no
    more than ``max_days`` days old, the day itself included). Value: ``((category, latest
    published_on), …)`` sorted, for every category with a publication on or before the date;
    None when nothing at all has been published."""

    key = "governance.disclosure_cadence"
    label = _("党务、居务、财务公开")
    params_form = DisclosureCadenceParams

    def measure(self, communities, as_of):
        rows = (
            Disclosure.objects.filter(
                published_on__lte=as_of, community__in=communities.values("pk")
            )
            .values("community_id", "category")
            .annotate(latest=Max("published_on"))
            .order_by()
        )
        found: dict[int, list] = {}
        for r in rows:
            found.setdefault(r["community_id"], []).append((r["category"], r["latest"]))
        return {
            pk: tuple(sorted(found[pk])) if pk in found else None
            for pk in community_ids(communities)
        }

    def judge(self, value, params, *, as_of):
        categories, max_days = params["categories"], params["max_days"]
        names = "、".join(str(CATEGORY_NAMES[c]) for c in categories)
        expected = gettext("%(names)s每 %(n)s 天内至少公开一次") % {"names": names, "n": max_days}
        note = ""
        if params.get("portal_default"):
            note = gettext("文件未规定公开间隔,%(n)s 天(按季度)为门户默认值,省级可另行规定。") % {
                "n": max_days
            }
        if not value:
            return no_data(
                "governance.disclosures", expected, gettext("尚未登记任何已公开的公开事项。")
            )
        latest = dict(value)
        ages = {c: (as_of - latest[c]).days for c in categories if c in latest}
        never = [c for c in categories if c not in latest]
        overdue = [c for c in categories if c in ages and ages[c] > max_days]
        measured = ";".join(
            gettext("%(name)s %(days)s 天前") % {"name": CATEGORY_NAMES[c], "days": ages[c]}
            if c in ages
            else gettext("%(name)s 从未公开") % {"name": CATEGORY_NAMES[c]}
            for c in categories
        )
        problems = []
        if overdue:
            problems.append(
                gettext("超过 %(n)s 天未公开:%(names)s。")
                % {"n": max_days, "names": "、".join(str(CATEGORY_NAMES[c]) for c in overdue)}
            )
        if never:
            problems.append(
                gettext("从未公开:%(names)s。")
                % {"names": "、".join(str(CATEGORY_NAMES[c]) for c in never)}
            )
        if problems:
            return non_compliant(measured, expected, "".join(problems) + note)
        return compliant(measured, expected, note)


# --- 2. the residents' council meets monthly (BY-04) ------------------------------------------


class CouncilMonthlyParams(ParamsForm):
    per_month = forms.IntegerField(label=_("每月最少次数"), min_value=1)


COUNCIL_MONTHS = 3


def last_complete_months(as_of: datetime.date, n: int = COUNCIL_MONTHS) -> list[datetime.date]:
    """The first days of the ``n`` calendar months before the month of ``as_of``, oldest
    first: the month of the date itself is not over yet, so it is not judged."""
    first = as_of.replace(day=1)
    return [months_before(first, k) for k in range(n, 0, -1)]


@register
class CouncilMonthly(Rule):
    """At least ``per_month`` held council meetings in each of the last three complete calendar
    months. Value: ``(count in each month, oldest first)`` or None when no council meeting was
    ever held."""

    key = "governance.council_monthly"
    label = _("居民议事协调会每月召开")
    params_form = CouncilMonthlyParams

    def measure(self, communities, as_of):
        months = last_complete_months(as_of)
        counts = {
            f"m{i}": Count("pk", filter=Q(date__range=(first, month_end(first))))
            for i, first in enumerate(months)
        }
        rows = (
            Meeting.objects.filter(
                kind=Meeting.Kind.COUNCIL,
                held=True,
                date__lte=as_of,
                community__in=communities.values("pk"),
            )
            .values("community_id")
            .annotate(**counts)
            .order_by()
        )
        found = {r["community_id"]: tuple(r[f"m{i}"] for i in range(len(months))) for r in rows}
        return {pk: found.get(pk) for pk in community_ids(communities)}

    def judge(self, value, params, *, as_of):
        per_month = params["per_month"]
        months = last_complete_months(as_of)
        span = gettext("%(start)s 至 %(end)s") % {
            "start": months[0].strftime("%Y-%m"),
            "end": months[-1].strftime("%Y-%m"),
        }
        expected = gettext("每月 ≥ %(n)s 次") % {"n": per_month}
        explanation = gettext("按评估日期前 %(k)s 个完整自然月(%(span)s)检查。") % {
            "k": COUNCIL_MONTHS,
            "span": span,
        }
        if value is None:
            return no_data(
                "governance.meetings",
                expected,
                gettext("尚未登记已召开的居民议事协调会。") + explanation,
            )
        measured = ";".join(
            gettext("%(month)s %(n)s 次") % {"month": first.strftime("%Y-%m"), "n": n}
            for first, n in zip(months, value, strict=True)
        )
        short = [first for first, n in zip(months, value, strict=True) if n < per_month]
        if short:
            return non_compliant(
                measured,
                expected,
                gettext("%(months)s 召开次数不足。")
                % {"months": "、".join(m.strftime("%Y-%m") for m in short)}
                + explanation,
            )
        return compliant(measured, expected, explanation)


# --- 3. quorum and majority of residents' meetings (N18-09) -----------------------------------


class MeetingQuorumParams(ParamsForm):
    attendance = FractionField(label=_("出席比例"))
    votes = FractionField(label=_("表决通过比例"))


def fraction_text(fraction: dict) -> str:
    n, d = fraction["numerator"], fraction["denominator"]
    if (n, d) == (1, 2):
        return gettext("过半数") if fraction["strict"] else gettext("半数以上")
    share = f"{n}/{d}"
    if fraction["strict"]:
        return gettext("超过 %(share)s") % {"share": share}
    return gettext("%(share)s 以上") % {"share": share}


@register
class MeetingQuorum(Rule):
    """Every residents' or representatives' meeting held in the 12 months up to the date had
    its quorum, and no resolution of theirs is recorded as passed without the majority of those
    present. Value: ``(((attended, entitled), meetings), …), (((votes_for, present), passed
    resolutions), …)``, both sorted; ``((), ())`` when no such meeting was held."""

    key = "governance.meeting_quorum"
    label = _("居民会议出席与表决")
    params_form = MeetingQuorumParams

    def measure(self, communities, as_of):
        window = Q(kind__in=ASSEMBLY_KINDS, held=True, date__range=(recent_start(as_of), as_of))
        meetings = (
            Meeting.objects.filter(window, community__in=communities.values("pk"))
            .values("community_id", "attended", "entitled")
            .annotate(n=Count("pk"))
            .order_by()
        )
        attendance: dict[int, Counter] = {}
        for r in meetings:
            attendance.setdefault(r["community_id"], Counter())[(r["attended"], r["entitled"])] += (
                r["n"]
            )
        resolutions = (
            Meeting.objects.filter(window, community__in=communities.values("pk"))
            .filter(resolutions__passed=True)
            .values("community_id", "resolutions__votes_for", "resolutions__present")
            .annotate(n=Count("resolutions"))
            .order_by()
        )
        votes: dict[int, Counter] = {}
        for r in resolutions:
            votes.setdefault(r["community_id"], Counter())[
                (r["resolutions__votes_for"], r["resolutions__present"])
            ] += r["n"]
        return {
            pk: (
                tuple(sorted(attendance.get(pk, Counter()).items())),
                tuple(sorted(votes.get(pk, Counter()).items())),
            )
            for pk in community_ids(communities)
        }

    def judge(self, value, params, *, as_of):
        attendance, votes = params["attendance"], params["votes"]
        expected = gettext("%(a)s出席方可举行;决定经出席人%(v)s通过") % {
            "a": fraction_text(attendance),
            "v": fraction_text(votes),
        }
        meetings, passed = value or ((), ())
        held = sum(n for _key, n in meetings)
        if not held:
            return not_applicable(gettext("近 12 个月没有召开居民会议或居民代表会议。"), expected)
        not_quorate = sum(
            n for (came, entitled), n in meetings if not meets_fraction(came, entitled, attendance)
        )
        unfounded = sum(
            n for (yes, present), n in passed if not meets_fraction(yes, present, votes)
        )
        measured = gettext("近 12 个月召开 %(m)s 次,记为通过的决议 %(r)s 项") % {
            "m": held,
            "r": sum(n for _key, n in passed),
        }
        problems = []
        if not_quorate:
            problems.append(gettext("%(n)s 次会议出席人数不足。") % {"n": not_quorate})
        if unfounded:
            problems.append(
                gettext("%(n)s 项决议未获出席人%(v)s赞成却记为通过。")
                % {"n": unfounded, "v": fraction_text(votes)}
            )
        if problems:
            return non_compliant(measured, expected, "".join(problems))
        return compliant(measured, expected)


# --- 4. accounts of fundraising published (N18-16) ---------------------------------------------


class FundraisingDisclosedParams(ParamsForm):
    """No parameters."""


@register
class FundraisingDisclosed(Rule):
    """For every year with fundraising received on or before the date, a finance disclosure
    published on or before the date whose period covers that year (without a period: published
    that year). Value: ``(years with fundraising,
    those of them disclosed)``, both sorted tuples; ``((), ())`` without fundraising."""

    key = "governance.fundraising_disclosed"
    label = _("公益事业筹资收支公布")
    params_form = FundraisingDisclosedParams

    def measure(self, communities, as_of):
        raised: dict[int, set[int]] = {}
        for pk, year in (
            Allocation.objects.filter(
                source=Allocation.Source.FUNDRAISING,
                year__lte=as_of.year,
                received_on__lte=as_of,
                community__in=communities.values("pk"),
            )
            .values_list("community_id", "year")
            .distinct()
            .order_by()
        ):
            raised.setdefault(pk, set()).add(year)
        disclosed: dict[int, set[int]] = {}
        for pk, start, end, published in (
            Disclosure.objects.filter(
                category=FINANCE,
                published_on__lte=as_of,
                community__in=communities.values("pk"),
                community__allocations__source=Allocation.Source.FUNDRAISING,
            )
            .values_list("community_id", "period_start", "period_end", "published_on")
            .distinct()
            .order_by()
        ):
            # The accounts of a period, even published later, are those of its years only.
            assert published is not None  # published_on__lte above
            disclosed.setdefault(pk, set()).update(covered_years(start, end, published))
        found = {}
        for pk in community_ids(communities):
            years = raised.get(pk, set())
            found[pk] = (tuple(sorted(years)), tuple(sorted(years & disclosed.get(pk, set()))))
        return found

    def judge(self, value, params, *, as_of):
        expected = gettext("每年的筹资收支均已在财务公开中公布")
        raised, disclosed = value or ((), ())
        if not raised:
            return not_applicable(gettext("未登记社会募集资金。"), expected)
        measured = gettext("有筹资的年度 %(years)s;已公布 %(k)s 个") % {
            "years": "、".join(map(str, raised)),
            "k": len(disclosed),
        }
        missing = [y for y in raised if y not in disclosed]
        if missing:
            return non_compliant(
                measured,
                expected,
                gettext("%(years)s 年度的筹资收支尚未公布。")
                % {"years": "、".join(map(str, missing))},
            )
        return compliant(measured, expected)


# --- 5. the new bodies of 2025 (N25-bodies) ----------------------------------------------------


class NewBodiesParams(ParamsForm):
    kinds = ChoiceListField(
        label=_("须设立的组织"),
        choices=KIND_NAMES,
        example='["election_committee", "supervision_committee"]',
    )
    democratic_appraisal = StrictBooleanField(label=_("须开展民主评议"), required=False)


@register
class NewBodies(Rule):
    """Each listed kind of organization active on the date; with ``democratic_appraisal``, also
    a democratic appraisal meeting held in the 12 months up to the date. Value: ``(frozenset of
    the kinds active, appraisal held)``."""

    key = "governance.new_bodies"
    label = _("居民选举委员会、居民代表会议、居务监督委员会")
    params_form = NewBodiesParams

    def measure(self, communities, as_of):
        kinds: dict[int, set[str]] = {}
        for pk, rows in active_organizations(communities, as_of).items():
            kinds[pk] = {row[0] for row in rows}
        appraised = set(
            Meeting.objects.filter(
                kind=Meeting.Kind.APPRAISAL,
                held=True,
                date__range=(recent_start(as_of), as_of),
                community__in=communities.values("pk"),
            )
            .values_list("community_id", flat=True)
            .distinct()
            .order_by()
        )
        return {
            pk: (frozenset(kinds.get(pk, ())), pk in appraised) for pk in community_ids(communities)
        }

    def judge(self, value, params, *, as_of):
        wanted = params["kinds"]
        appraisal = params.get("democratic_appraisal", False)
        active, appraised = value or (frozenset(), False)
        names = [str(KIND_NAMES[k]) for k in wanted]
        if appraisal:
            names.append(gettext("近 12 个月召开民主评议会"))
        expected = "、".join(names)
        present = [str(KIND_NAMES[k]) for k in wanted if k in active]
        absent = [str(KIND_NAMES[k]) for k in wanted if k not in active]
        measured = gettext("已设立:%(names)s") % {"names": "、".join(present) or gettext("无")}
        if appraisal:
            measured += ";" + (
                gettext("近 12 个月已开展民主评议")
                if appraised
                else gettext("近 12 个月未开展民主评议")
            )
        problems = []
        if absent:
            problems.append(gettext("未设立:%(names)s。") % {"names": "、".join(absent)})
        if appraisal and not appraised:
            problems.append(gettext("近 12 个月没有召开民主评议会。"))
        if problems:
            return non_compliant(measured, expected, "".join(problems))
        return compliant(measured, expected)


# --- 6. the use of work funds disclosed (SD-33) ------------------------------------------------

PERIODS = {"year": _("每年")}


class FundUseDisclosedParams(ParamsForm):
    per_period = forms.ChoiceField(label=_("公开周期"), choices=list(PERIODS.items()))


@register
class FundUseDisclosed(Rule):
    """At least one finance disclosure published on or before the date in its calendar year, or
    covering that year. Value: the number of such disclosures."""

    key = "funding.fund_use_disclosed"
    label = _("社区工作经费使用情况公开")
    params_form = FundUseDisclosedParams

    def measure(self, communities, as_of):
        counts = dict(
            Disclosure.objects.filter(
                covers_year_q(as_of.year),
                category=FINANCE,
                published_on__lte=as_of,
                community__in=communities.values("pk"),
            )
            .values("community_id")
            .annotate(n=Count("pk"))
            .values_list("community_id", "n")
            .order_by()
        )
        return {pk: counts.get(pk, 0) for pk in community_ids(communities)}

    def judge(self, value: Any, params, *, as_of) -> Verdict:
        expected = gettext("%(period)s至少一次财务公开") % {"period": PERIODS[params["per_period"]]}
        count = value or 0
        measured = gettext("%(year)s 年度财务公开 %(n)s 次") % {"year": as_of.year, "n": count}
        if count:
            return compliant(measured, expected)
        return non_compliant(
            measured,
            expected,
            gettext("%(year)s 年度尚未公开经费使用情况。") % {"year": as_of.year},
        )


# --- 7. the jurisdiction rate of disclosure (GD-09r) -------------------------------------------


class DisclosureRateParams(ParamsForm):
    targets = TargetsField(label=_("达标率目标"), required=True)


@register
class DisclosureRate(JurisdictionRule):
    """居务公开达标率: communities whose current disclosure-cadence finding (GD-09) is compliant,
    over those judged (compliant or not; no_data counts as not up to standard, since nothing
    was disclosed; not_applicable is left out). ``(part, whole)`` per division."""

    key = "governance.disclosure_rate"
    label = _("居务公开达标率")
    params_form = DisclosureRateParams

    def measure_divisions(self, prefix, length, as_of, codes=None):
        rows = (
            Finding.objects.filter(
                division_scope("code", prefix, codes),
                is_current=True,
                standard__rule_key=DisclosureCadence.key,
                status__in=(Status.COMPLIANT, Status.NON_COMPLIANT, Status.NO_DATA),
            )
            .annotate(division=Substr("code", 1, length))
            .values("division")
            .annotate(
                whole=Count("community", distinct=True),
                part=Count("community", distinct=True, filter=Q(status=Status.COMPLIANT)),
            )
            .order_by()
        )
        wanted = set(codes) if codes is not None else None
        return {
            r["division"]: (r["part"], r["whole"])
            for r in rows
            if wanted is None or r["division"] in wanted
        }

    def judge(self, value, params, *, as_of):
        return judge_share(value, params, as_of=as_of, noun=gettext("已评估公开情况的社区"))


# --- 8. major matters through “四议两公开” (GD-07) ---------------------------------------------


class MajorMatterStepsParams(ParamsForm):
    steps = ChoiceListField(
        label=_("步骤"), choices=STEP_NAMES, example='["proposal", "joint_meeting", …]'
    )
    ordered = StrictBooleanField(label=_("须按顺序"), required=False)
    max_days = forms.IntegerField(
        label=_("两步之间最长天数"), required=False, min_value=1, max_value=365
    )
    portal_default = StrictBooleanField(label=_("天数为门户默认值"), required=False)


@register
class MajorMatterSteps(Rule):
    """Major matters with a step in the 12 months up to the date, or still open: each has its
    steps in GD-07 order, and none waits more than ``max_days`` for its next step. Value: one
    ``(steps done, date of the last step, resolution adopted)`` per matter, sorted; () when
    no matter is recorded."""

    key = "governance.major_matter_steps"
    label = _("重大事项“四议两公开”")
    params_form = MajorMatterStepsParams

    def measure(self, communities, as_of):
        steps: dict[tuple[int, int], list] = {}
        for matter, community, step, date, passed in (
            MatterStep.objects.filter(
                matter__community__in=communities.values("pk"), date__lte=as_of
            )
            .values_list("matter_id", "matter__community_id", "step", "date", "resolution__passed")
            .order_by()
        ):
            steps.setdefault((community, matter), []).append((step, date, passed))
        start = recent_start(as_of)
        found: dict[int, list] = {pk: [] for pk in community_ids(communities)}
        for (community, _matter), rows in steps.items():
            current = progress(rows)
            if current.closed and current.last_date is not None and current.last_date < start:
                continue  # finished long ago: not this year's work
            found[community].append((current.done, current.last_date, current.adopted))
        return {pk: tuple(sorted(v, key=repr)) for pk, v in found.items()}

    def judge(self, value, params, *, as_of):
        max_days = params.get("max_days") or DEFAULT_MAX_DAYS
        expected = gettext("重大事项依次经过六个步骤,每步间隔不超过 %(n)s 天") % {"n": max_days}
        note = ""
        if params.get("portal_default") or not params.get("max_days"):
            note = gettext("文件未规定步骤间隔,%(n)s 天为门户默认值。") % {"n": max_days}
        if not value:
            return no_data(
                "governance.matters",
                expected,
                gettext("近 12 个月没有登记重大事项;有重大事务时应按“四议两公开”办理并登记。"),
            )
        matters = [progress_of(done, last, adopted) for done, last, adopted in value]
        wrong = sum(1 for m in matters if not m.in_order)
        late = [m for m in matters if m.in_order and m.overdue(as_of, max_days)]
        closed = sum(1 for m in matters if m.in_order and m.closed)
        measured = gettext("重大事项 %(n)s 项:已完成 %(c)s 项,办理中 %(o)s 项") % {
            "n": len(matters),
            "c": closed,
            "o": len(matters) - closed - wrong,
        }
        problems = []
        if wrong:
            problems.append(gettext("%(n)s 项的步骤缺失或顺序不符。") % {"n": wrong})
        if late:
            worst = max(late, key=lambda m: m.waiting_days(as_of))
            assert worst.next_step is not None  # late: a step is waiting
            problems.append(
                gettext("%(n)s 项的下一步已超过 %(d)s 天未办理(最久:“%(step)s”等待 %(w)s 天)。")
                % {
                    "n": len(late),
                    "d": max_days,
                    "step": STEP_NAMES[worst.next_step],
                    "w": worst.waiting_days(as_of),
                }
            )
        if problems:
            return non_compliant(measured, expected, "".join(problems) + note)
        return compliant(measured, expected, note)


def progress_of(done: tuple, last: datetime.date | None, adopted: bool | None) -> Progress:
    return Progress(done=tuple(done), last_date=last, adopted=adopted)


# --- 9. residents' covenant adopted and filed (N18-15) -----------------------------------------


class CovenantFiledParams(ParamsForm):
    """No parameters."""


@register
class CovenantFiled(Rule):
    """A covenant adopted on or before the date by a residents' meeting (or its representatives'
    meeting) and filed on or before the date. Value: ``(adopted, by a residents' meeting,
    filed)`` of the best covenant; None without one."""

    key = "governance.covenant_filed"
    label = _("居民公约制定与备案")
    params_form = CovenantFiledParams

    def measure(self, communities, as_of):
        best: dict[int, tuple] = {}
        for pk, kind, filed_on in (
            Covenant.objects.filter(community__in=communities.values("pk"), adopted_on__lte=as_of)
            .values_list("community_id", "meeting__kind", "filed_on")
            .order_by()
        ):
            value = (True, kind in ASSEMBLY_KINDS, filed_on is not None and filed_on <= as_of)
            best[pk] = max(best.get(pk, value), value)
        return {pk: best.get(pk) for pk in community_ids(communities)}

    def judge(self, value, params, *, as_of):
        expected = gettext("居民公约经居民会议讨论制定,并已报区政府或街道办事处备案")
        if value is None:
            return no_data("governance.covenants", expected, gettext("尚未登记居民公约。"))
        _adopted, by_meeting, filed = value
        measured = "、".join(
            [
                gettext("已制定"),
                gettext("经居民(代表)会议通过") if by_meeting else gettext("未关联居民会议"),
                gettext("已备案") if filed else gettext("未备案"),
            ]
        )
        problems = []
        if not by_meeting:
            problems.append(gettext("公约未关联通过它的居民会议或居民代表会议。"))
        if not filed:
            problems.append(gettext("公约尚未报备案。"))
        if problems:
            return non_compliant(measured, expected, "".join(problems))
        return compliant(measured, expected)


# --- 10. the “six publics” of public services (GD-17) ------------------------------------------

SIX_NAMES = {name: model_field(PublicService, name).verbose_name for name in PublicService.SIX}


class SixPublicsParams(ParamsForm):
    items = ChoiceListField(
        label=_("公开项目"), choices=SIX_NAMES, example='["content", "procedure", …]'
    )


@register
class SixPublics(Rule):
    """Every public service published on or before the date and not withdrawn by then shows
    each listed item. Value: ``((service, (items left blank…)), …)`` sorted; () without any
    service."""

    key = "governance.six_publics"
    label = _("公共服务“六公开”")
    params_form = SixPublicsParams

    def measure(self, communities, as_of):
        found: dict[int, list] = {pk: [] for pk in community_ids(communities)}
        for row in (
            PublicService.objects.filter(
                Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=as_of),
                community__in=communities.values("pk"),
                published_on__lte=as_of,
            )
            .values_list("community_id", "name", *PublicService.SIX)
            .order_by()
        ):
            pk, name, *items = row
            blank = tuple(f for f, v in zip(PublicService.SIX, items, strict=True) if not v.strip())
            found[pk].append((name, blank))
        return {pk: tuple(sorted(v)) for pk, v in found.items()}

    def judge(self, value, params, *, as_of):
        wanted = params["items"]
        expected = gettext("每项公共服务公开%(items)s") % {
            "items": "、".join(str(SIX_NAMES[i]) for i in wanted)
        }
        if not value:
            return no_data("governance.services", expected, gettext("尚未登记已公开的服务事项。"))
        gaps = [(name, [i for i in blank if i in wanted]) for name, blank in value]
        gaps = [(name, items) for name, items in gaps if items]
        measured = gettext("已公开服务事项 %(n)s 项,内容齐全 %(k)s 项") % {
            "n": len(value),
            "k": len(value) - len(gaps),
        }
        if gaps:
            detail = ";".join(
                f"{name}:"
                + gettext("缺%(items)s") % {"items": "、".join(str(SIX_NAMES[i]) for i in items)}
                for name, items in gaps[:3]
            )
            more = "……" if len(gaps) > 3 else ""
            return non_compliant(measured, expected, detail + more)
        return compliant(measured, expected)
