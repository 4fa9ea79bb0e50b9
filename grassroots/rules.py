"""Compliance rules on the 民情 register (Baiyin BY-06 "八必报", BY-08 "件件有回应").

Both look at the twelve months ending on the date judged, so a community is judged on what it
does now, not on a lapse of years ago. Each measure is two queries whatever the number of
communities (the ids, one aggregate); each judge is pure and its value a hashable tuple.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance.rules import (
    ChoiceListField,
    ParamsForm,
    Rule,
    Verdict,
    community_ids,
    compliant,
    fmt_share,
    no_data,
    non_compliant,
    register,
    register_missing,
)
from grassroots.models import EIGHT_REPORTS, Request

register_missing("grassroots.requests", _("民情台账"), "grassroots:requests")

CATEGORY_LABELS = {c: str(Request.Category(c).label) for c in EIGHT_REPORTS}


def year_before(as_of: datetime.date) -> datetime.date:
    """The same day a year earlier (28 February for a 29th)."""
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:
        return as_of.replace(year=as_of.year - 1, day=28)


def _window(as_of: datetime.date) -> Q:
    return Q(received_on__gt=year_before(as_of), received_on__lte=as_of)


def _tally(communities, as_of: datetime.date, categories: list[str] | None) -> dict[int, tuple]:
    """Per community: (received, due by the date, answered by the due date, answered late,
    unanswered past the due date) — answers after ``as_of`` do not count yet."""
    answered = Q(answered_on__isnull=False, answered_on__lte=as_of)
    due = Q(due_on__lt=as_of)
    rows = Request.objects.filter(_window(as_of), community_id__in=community_ids(communities))
    if categories is not None:
        rows = rows.filter(category__in=categories)
    found = {
        row["community_id"]: (
            row["received"],
            row["due"],
            row["in_time"],
            row["late"],
            row["unanswered"],
        )
        for row in rows.values("community_id").annotate(
            received=Count("pk"),
            due=Count("pk", filter=due),
            in_time=Count("pk", filter=answered & Q(answered_on__lte=F("due_on"))),
            late=Count("pk", filter=answered & Q(answered_on__gt=F("due_on"))),
            unanswered=Count("pk", filter=due & ~answered),
        )
    }
    return found


class BuildingReportsParams(ParamsForm):
    categories = ChoiceListField(
        label=_("类别"),
        choices=CATEGORY_LABELS,
        example='["safety_hazards"]',
        required=True,
    )


@register
class BuildingReports(Rule):
    """八必报 (BY-06): the events building leaders must report are recorded in the register and
    handled within their time limit. Value: ``(received, due, in time, late, unanswered)`` over
    the twelve months of those categories, or None without any."""

    key = "grassroots.building_reports"
    label = _("楼栋长“八必报”")
    params_form = BuildingReportsParams

    def measure(self, communities, as_of):
        # One value per parameter set would need the params; the catalogue's eight kinds are
        # the only set in use, so the measure counts all eight and the judge trusts it.
        return _tally(communities, as_of, list(EIGHT_REPORTS))

    def judge(self, value, params, *, as_of):
        return judge_building_reports(value)


def judge_building_reports(value: tuple | None) -> Verdict:
    expected = _("一年内有“八必报”事项登记,且均在时限内处理")
    if not value or not value[0]:
        return no_data(
            "grassroots.requests",
            expected,
            _("近一年民情台账中没有“八必报”事项(公共设施损坏、不安全隐患等)的登记。"),
        )
    received, _due, _in_time, _late, unanswered = value
    measured = gettext("一年内登记 %(n)d 件") % {"n": received}
    if unanswered:
        return non_compliant(
            measured,
            expected,
            gettext("%(n)d 件超过办理时限仍未处理。") % {"n": unanswered},
        )
    return compliant(measured, expected)


@register
class RequestsAnswered(Rule):
    """件件有回应 (BY-08): every request due by the date has been answered. The share answered
    within its time limit is shown with it. Value: ``(received, due, in time, late,
    unanswered)`` over the twelve months, or None without any request."""

    key = "grassroots.requests_answered"
    label = _("居民诉求件件有回应")

    def measure(self, communities, as_of):
        return _tally(communities, as_of, None)

    def judge(self, value, params, *, as_of):
        return judge_requests_answered(value)


def judge_requests_answered(value: tuple | None) -> Verdict:
    expected = _("每件到期的民情事项都已答复")
    if not value or not value[0]:
        return no_data(
            "grassroots.requests",
            expected,
            _("近一年民情台账中没有登记居民诉求。"),
        )
    received, _due, in_time, late, unanswered = value
    answered = in_time + late
    measured = gettext("一年内登记 %(n)d 件,已答复 %(a)d 件") % {"n": received, "a": answered}
    if answered:
        measured += gettext(",按时答复 %(share)s") % {"share": fmt_share(in_time / answered)}
    if unanswered:
        return non_compliant(
            measured,
            expected,
            gettext("%(n)d 件超过办理时限仍未答复。") % {"n": unanswered},
        )
    return compliant(measured, expected)
