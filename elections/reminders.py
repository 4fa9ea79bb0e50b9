"""Reminders (待办) from elections: terms over without a new committee elected."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from core.reminders import ITEMS_SHOWN, Due, Section, register
from elections import selectors


def _under_way() -> str:
    return "(" + _("选举进行中") + ")"


@register("elections.elections", order=15, dashboard=True)
def elections(user, prefix: str, today: datetime.date) -> Section:
    count, late = selectors.overdue_elections(prefix, today, limit=ITEMS_SHOWN)
    return Section(
        "elections.elections",
        _("换届选举逾期"),
        count,
        [
            Due(
                _("第%(n)s届居委会任期已于 %(date)s 届满")
                % {"n": community.term_number, "date": f"{community.term_ends:%Y-%m-%d}"}
                + (_under_way() if community.under_way else ""),
                community.name,
                community.code,
                community.term_ends,
                reverse("elections:elections", args=[community.code]),
                True,
            )
            for community in late
        ],
    )
