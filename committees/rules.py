"""Compliance rules on communities and their committees."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.rules import (
    ParamsForm,
    Rule,
    Verdict,
    compliant,
    fmt_int,
    no_data,
    non_compliant,
    register,
    register_missing,
)

register_missing("community.households", _("常住户数"), "committees:community_edit")


class HouseholdsRangeParams(ParamsForm):
    min = forms.IntegerField(label=_("最少户数"), required=False, min_value=0)
    max = forms.IntegerField(label=_("最多户数"), required=False, min_value=1)
    # GD-01 also says one committee per community; checked once committees are recorded.
    committees_per_community = forms.IntegerField(
        label=_("每社区居委会数"), required=False, min_value=1
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("min"), data.get("max")
        if "min" in self.errors or "max" in self.errors:
            return data  # a bad bound is reported on its own field
        if low is None and high is None:
            raise forms.ValidationError(_("至少要填写最少户数或最多户数之一。"))
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(_("最少户数不能大于最多户数。"))
        return data


def households_band(params: dict) -> str:
    low, high = params.get("min"), params.get("max")
    if low is not None and high is not None:
        return _("%(low)s–%(high)s 户") % {"low": f"{low:,}", "high": f"{high:,}"}
    if low is not None:
        return _("不少于 %(n)s 户") % {"n": f"{low:,}"}
    return _("不超过 %(n)s 户") % {"n": f"{high:,}"}


@register
class HouseholdsRange(Rule):
    """Community size in resident households, both bounds inclusive (一般在…范围内)."""

    key = "community.households_range"
    label = _("社区规模(常住户数)")
    params_form = HouseholdsRangeParams

    def measure(self, communities: QuerySet, as_of: datetime.date) -> dict[int, int | None]:
        return dict(communities.values_list("id", "households"))

    def judge(self, value: int | None, params: dict, *, as_of: datetime.date) -> Verdict:
        expected = households_band(params)
        if value is None:
            return no_data("community.households", expected, _("尚未填报常住户数。"))
        measured = fmt_int(value, _(" 户"))
        low, high = params.get("min"), params.get("max")
        if low is not None and value < low:
            return non_compliant(measured, expected, _("户数少于标准下限。"))
        if high is not None and value > high:
            return non_compliant(measured, expected, _("户数超过标准上限。"))
        return compliant(measured, expected)
