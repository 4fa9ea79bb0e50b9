"""Reminders (待办) from governance records: elections overdue, and the next “四议两公开” step
waiting too long."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import User
from core.reminders import ITEMS_SHOWN, Due, Section, register
from elections import selectors as elections_selectors
from governance import selectors


@register("elections.counting", order=15)
def elections(user: User, prefix: str, today: datetime.date) -> Section:
    count, late = elections_selectors.overdue_elections(prefix, today, limit=ITEMS_SHOWN)
    return Section(
        "elections.counting",
        _("任期已届满、尚未完成换届选举"),
        count,
        [
            Due(
                _("第%(n)s届居委会任期已于 %(date)s 届满")
                % {"n": community.term_number, "date": f"{community.term_ends:%Y-%m-%d}"},
                community.name,
                community.code,
                community.term_ends,
                reverse("elections:elections", args=[community.code]),
                True,
            )
            for community in late
        ],
    )


@register("governance.matters", order=45)
def matters(user: User, prefix: str, today: datetime.date) -> Section:
    count, late = selectors.overdue_matters(prefix, today)
    days = selectors.matter_step_days()
    return Section(
        "governance.matters",
        _("“四议两公开”步骤等待超过 %(n)s 天") % {"n": days},
        count,
        [
            Due(
                _("%(title)s:上一步于 %(date)s 办理,下一步待办")
                % {"title": matter.title, "date": f"{matter.last:%Y-%m-%d}"},
                matter.community.name,
                matter.community.code,
                matter.last + datetime.timedelta(days=days),
                reverse("governance:matter", args=[matter.community.code, matter.pk]),
                True,
            )
            for matter in late
        ],
    )
