"""Calendar arithmetic (core/dates.py): months back and years on, clamped to a month's end."""

from __future__ import annotations

from datetime import date

import pytest

from core.dates import months_before


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 6, 30), 12, date(2024, 6, 30)),
        (date(2025, 6, 30), 24, date(2023, 6, 30)),
        (date(2025, 3, 31), 1, date(2025, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
        (date(2025, 1, 15), 13, date(2023, 12, 15)),
        (date(2025, 6, 30), 36, date(2022, 6, 30)),
    ],
)
def test_it_counts_calendar_months_back_clamping_to_the_end_of_a_month(day, months, expected):
    assert months_before(day, months) == expected
