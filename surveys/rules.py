"""CZ-10: residents' satisfaction as the measure of a community's governance, results published.

``measure`` is set-based (one query for any number of communities); ``judge`` is pure.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Count, F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance.rules import (
    ParamsForm,
    Rule,
    StrictBooleanField,
    community_ids,
    compliant,
    non_compliant,
    register,
)
from surveys.models import Survey

PERIOD_DAYS = {"year": 365}


class SatisfactionParams(ParamsForm):
    per_period = forms.ChoiceField(label=_("测评周期"), choices=[("year", _("每年"))])
    results_published = StrictBooleanField(label=_("结果应公开"), required=False)


@register
class SatisfactionSurvey(Rule):
    """Value: (closing day, published by the date) of the latest survey of the community that
    closed within the year up to the date with at least one answer; None when there is none."""

    key = "governance.satisfaction_survey"
    label = _("居民满意度测评及结果公开")
    params_form = SatisfactionParams

    def measure(self, communities, as_of):
        since = as_of - datetime.timedelta(days=PERIOD_DAYS["year"])
        rows = (
            Survey.objects.filter(
                communities__in=communities, closes_on__gt=since, closes_on__lte=as_of
            )
            .annotate(
                answered=Count(
                    "responses",
                    filter=Q(responses__community=F("communities")),  # its own residents
                )
            )
            .filter(answered__gt=0)
            .values_list("communities", "closes_on", "published_on")
            .order_by("closes_on")
        )
        found: dict[int, tuple[datetime.date, bool]] = {}
        for community_id, closes_on, published_on in rows:
            published = published_on is not None and published_on <= as_of
            found[community_id] = (closes_on, published or found.get(community_id, (0, False))[1])
        return {pk: found.get(pk) for pk in community_ids(communities)}

    def judge(self, value, params, *, as_of):
        expected = gettext("每年开展居民满意度测评")
        if params.get("results_published"):
            expected += gettext(",结果公开")
        if value is None:
            return non_compliant(
                gettext("近一年没有居民作答的满意度测评"),
                expected,
                gettext("应由街道或民政部门组织居民满意度测评(满意度测评)。"),
            )
        closes_on, published = value
        measured = gettext("%(d)s 截止的测评") % {"d": closes_on.isoformat()}
        if params.get("results_published") and not published:
            return non_compliant(
                measured + gettext(",结果未公开"), expected, gettext("测评结果尚未公布。")
            )
        return compliant(measured + (gettext(",结果已公开") if published else ""), expected)
