"""Where a major matter stands in “四议两公开” (GD-07): pure functions over its recorded steps.

Shared by the matter pages, the dashboard reminders and the GD-07 rule, so that all three agree
on what is next and what is overdue.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from governance.models import MatterStep

ORDER: tuple[str, ...] = tuple(MatterStep.Step.values)
STEP_NAMES = dict(MatterStep.Step.choices)
# GD-07 sets no time limit between steps: 30 days is the portal's default (a standard's
# "max_days" parameter overrides it, and the finding says it is a default).
DEFAULT_MAX_DAYS = 30


@dataclass(frozen=True)
class Progress:
    done: tuple[str, ...]  # steps recorded, in the order of their dates
    last_date: datetime.date | None
    adopted: bool | None  # the residents' (representatives') resolution passed; None before it

    @property
    def in_order(self) -> bool:
        """The steps recorded are the first steps of GD-07, none skipped or swapped."""
        return self.done == ORDER[: len(self.done)]

    @property
    def closed(self) -> bool:
        """All six steps done, or the resolution failed and that decision was published."""
        if ORDER[-1] in self.done:
            return True
        return self.adopted is False and "resolution_published" in self.done

    @property
    def next_step(self) -> str | None:
        if self.closed or not self.in_order:
            return None
        return ORDER[len(self.done)]

    def waiting_days(self, as_of: datetime.date) -> int:
        return (as_of - self.last_date).days if self.last_date else 0

    def overdue(self, as_of: datetime.date, max_days: int = DEFAULT_MAX_DAYS) -> bool:
        return self.next_step is not None and self.waiting_days(as_of) > max_days


def progress(steps: Iterable[tuple[str, datetime.date, bool | None]]) -> Progress:
    """``steps``: (step, date, resolution passed or None) for each recorded step."""
    rows = sorted(steps, key=lambda s: (s[1], ORDER.index(s[0]) if s[0] in ORDER else 99))
    adopted = next((passed for step, _, passed in rows if step == "residents_resolution"), None)
    return Progress(
        done=tuple(step for step, _, _ in rows),
        last_date=rows[-1][1] if rows else None,
        adopted=adopted,
    )
