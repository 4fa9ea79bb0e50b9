"""Reminders (待办) from governance records: the next “四议两公开” step waiting too long."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from core.reminders import Due, Section, register
from governance import selectors


@register("governance.matters", order=45, dashboard=True)
def matters(user, prefix: str, today: datetime.date) -> Section:
    days = selectors.matter_step_days()
    count, late = selectors.overdue_matters(prefix, today, days)
    return Section(
        "governance.matters",
        _("“四议两公开”步骤等待超过 %(n)s 天") % {"n": days},
        count,
        [
            Due(
                _("%(title)s:上一步于 %(date)s 办理,下一步待办")
                % {"title": matter.title, "date": f"{matter.last:%Y-%m-%d}"},  # type: ignore[attr-defined]  # annotated
                matter.community.name,
                matter.community.code,
                matter.last + datetime.timedelta(days=days),  # type: ignore[attr-defined]
                reverse("governance:matter", args=[matter.community.code, matter.pk]),
                True,
            )
            for matter in late
        ],
    )
