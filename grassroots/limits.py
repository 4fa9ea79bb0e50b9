"""Time limits (限时办结) of the register: the portal's default per category, which a bureau may
override for its jurisdiction; the longest matching code prefix wins."""

from __future__ import annotations

import datetime

from grassroots.models import Request, TimeLimit

C = Request.Category
# Days from receipt to the answer. Events that put people at risk are answered within a day or
# two; an ordinary request within a week (首问负责、限时办结).
DEFAULT_DAYS: dict[str, int] = {
    C.SAFETY_HAZARDS: 1,
    C.INSTABILITY_FACTORS: 1,
    C.RESIDENTS_HOSPITALIZED: 2,
    C.DAMAGED_PUBLIC_FACILITIES: 3,
    C.UNCLEAN_BACK_LANES: 3,
    C.NEW_PREGNANCIES: 7,
    C.INCOMING_NON_RESIDENTS: 7,
    C.FLATS_LET: 7,
    C.HELP: 3,
    C.DISPUTE: 5,
    C.COMPLAINT: 5,
    C.REQUEST: 7,
    C.SUGGESTION: 15,
    C.OTHER: 7,
}


def limits_for(code: str) -> dict[str, int]:
    """Days per category for a community (one query)."""
    prefixes = [code[:n] for n in range(1, len(code) + 1)]
    days = dict(DEFAULT_DAYS)
    for limit in TimeLimit.objects.filter(prefix__in=prefixes).order_by("category", "prefix"):
        # Ordered by prefix length within a category as the prefixes share their start.
        days[limit.category] = limit.days
    return days


def due_date(code: str, category: str, received: datetime.date) -> datetime.date:
    return received + datetime.timedelta(days=limits_for(code).get(category, 7))
