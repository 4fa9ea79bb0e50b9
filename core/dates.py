"""Calendar arithmetic shared by rules, reminders and the election count."""

from __future__ import annotations

import calendar
import datetime


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier, clamped to the end of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(first: datetime.date) -> datetime.date:
    return months_before(first, -1) - datetime.timedelta(days=1)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    return months_before(day, -12 * years)
