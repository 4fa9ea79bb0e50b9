"""Roll-ups of current findings per division, kept up to date by every evaluation.

A dashboard of the whole country would otherwise count well over a million findings per request.
Instead, each evaluation recounts the ``Rollup`` rows it affects, level by level: communities
(one total row each) and streets from the findings, then each higher level from the level below
(a district from its streets' rows, and so on up to the country). Re-evaluating one community
therefore touches its own row, its street's findings and a few dozen roll-up rows above it;
the nightly national evaluation recounts everything in a few seconds.

Recounting rather than adding differences keeps the roll-ups exact whatever happened before
(a crashed run, a standard deleted): each refresh makes the rows it covers equal to the findings.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from portal.models import Finding, Rollup, Status

# Code lengths from the bottom up: community, street, district, city, province, country.
LEVELS = (12, 9, 6, 4, 2, 0)
DIVISION_LENGTHS = (0, 2, 4, 6, 9, 12)
COUNTS = tuple(status.value for status in Status)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _status_sums(column: str = "status") -> str:
    return ", ".join(f"SUM(CASE WHEN {column} = '{s}' THEN 1 ELSE 0 END)" for s in COUNTS)


def _count_sums() -> str:
    return ", ".join(f"SUM({_q(c)})" for c in COUNTS)


def division_prefix(codes: Iterable[str]) -> str:
    """The longest division code (0, 2, 4, 6, 9 or 12 digits) that starts every code."""
    codes = list(codes)
    if not codes:
        return ""
    first, last = min(codes), max(codes)
    common = 0
    while common < min(len(first), len(last)) and first[common] == last[common]:
        common += 1
    return first[: max(n for n in DIVISION_LENGTHS if n <= common)]


def _lock() -> None:
    """Refreshes take turns: each recounts from rows the others may be changing. A transaction
    lock, released at commit; SQLite serializes writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('portal.rollup'))")


@transaction.atomic
def refresh(prefix: str) -> None:
    """Recount the roll-ups of everything under ``prefix`` and of the divisions above it."""
    _lock()
    rollup, finding = _q(Rollup._meta.db_table), _q(Finding._meta.db_table)
    columns = ", ".join(_q(c) for c in ("code", "length", "standard_id", "as_of", *COUNTS))
    with connection.cursor() as cursor:
        for length in LEVELS:
            scope = prefix[:length]
            like = "AND code LIKE %s" if scope else ""
            params = [scope + "%"] if scope else []
            cursor.execute(f"DELETE FROM {rollup} WHERE length = %s {like}", [length, *params])
            if length == 12:
                cursor.execute(
                    f"INSERT INTO {rollup} ({columns}) "
                    f"SELECT code, 12, NULL, MAX(as_of), {_status_sums()} FROM {finding} "
                    f"WHERE is_current {like} GROUP BY code",
                    params,
                )
                continue
            if length == 9:
                source = f"FROM {finding} WHERE is_current {like}"
                sums = _status_sums()
            else:
                below = LEVELS[LEVELS.index(length) - 1]
                source = (
                    f"FROM {rollup} WHERE length = {below} AND standard_id IS NOT NULL {like}"
                )
                sums = _count_sums()
            cursor.execute(
                f"INSERT INTO {rollup} ({columns}) "
                f"SELECT SUBSTR(code, 1, {length}), {length}, standard_id, MAX(as_of), {sums} "
                f"{source} GROUP BY SUBSTR(code, 1, {length}), standard_id",
                params,
            )
            cursor.execute(
                f"INSERT INTO {rollup} ({columns}) "
                f"SELECT code, {length}, NULL, MAX(as_of), {_count_sums()} FROM {rollup} "
                f"WHERE length = {length} AND standard_id IS NOT NULL {like} GROUP BY code",
                params,
            )
