"""待办: register items past their time limit without an answer (core/reminders.py)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from core.reminders import ITEMS_SHOWN, Due, Section, register
from grassroots import selectors


@register("grassroots.overdue", order=60, dashboard=True)
def overdue(user, prefix: str, today: datetime.date) -> Section:
    found = selectors.overdue(prefix, today)
    items = found.select_related("community").order_by("due_on", "pk")[:ITEMS_SHOWN]
    return Section(
        "grassroots.overdue",
        _("民情事项超过办理时限未答复"),
        found.count(),
        [
            Due(
                _("%(category)s:%(summary)s")
                % {"category": r.get_category_display(), "summary": r.summary[:30]},
                r.community.name,
                r.community.code,
                r.due_on,
                reverse("grassroots:requests", args=[r.community.code]) + "?state=overdue",
                True,
            )
            for r in items
        ],
    )
