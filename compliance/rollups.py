"""Roll-ups per division, kept up to date by every evaluation: what the dashboards read.

A dashboard of the whole country would otherwise count well over a million findings, and sum
the profiles of 124,650 communities, on every request. Instead each evaluation recounts the
``Rollup`` rows it affects, level by level: one total row per community (its findings counted,
its households and population) and the streets' rows per standard from the findings; then each
higher level from the level below (a district from its streets' rows, and so on up to the
country). Re-evaluating one community therefore touches its own row, its street's findings and
a few dozen roll-up rows above it; the nightly national evaluation recounts everything in a few
seconds.

Recounting rather than adding differences keeps the roll-ups exact whatever happened before
(a crashed run, a standard deleted): each refresh makes the rows it covers equal to the data.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.dispatch import receiver

from compliance.models import Finding, Rollup, Status
from divisions.models import Community
from divisions.signals import divisions_changed

# Code lengths from the bottom up: community, street, district, city, province, country.
LEVELS = (12, 9, 6, 4, 2, 0)
DIVISION_LENGTHS = (0, 2, 4, 6, 9, 12)
COUNTS = tuple(status.value for status in Status)
STATS = ("communities", "streets", "households", "population", "households_missing")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _status_sums() -> str:
    return ", ".join(f"SUM(CASE WHEN status = '{s}' THEN 1 ELSE 0 END)" for s in COUNTS)


def _sums(columns: Iterable[str]) -> str:
    return ", ".join(f"SUM({_q(c)})" for c in columns)


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
def refresh(prefix: str, as_of: datetime.date | None = None) -> None:
    """Recount the roll-ups of everything under ``prefix`` and of the divisions above it;
    ``as_of``: the date the communities under it were just evaluated as of (otherwise the
    latest date one of their verdicts started)."""
    _lock()
    rollup, finding = _q(Rollup._meta.db_table), _q(Finding._meta.db_table)
    community = _q(Community._meta.db_table)
    all_columns = ", ".join(
        _q(c) for c in ("code", "length", "standard_id", "as_of", *COUNTS, *STATS)
    )
    with connection.cursor() as cursor:
        for length in LEVELS:
            scope = prefix[:length]
            params = [scope + "%"] if scope else []

            def where(column: str = "code", scope: str = scope) -> str:
                return f"AND {column} LIKE %s" if scope else ""

            cursor.execute(f"DELETE FROM {rollup} WHERE length = %s {where()}", [length, *params])
            if length == 12:
                evaluated = "%s" if as_of else "f.as_of"
                # Every community has a total row, with or without findings.
                counts = ", ".join(f"COALESCE(f.{c}, 0)" for c in COUNTS)
                cursor.execute(
                    f"INSERT INTO {rollup} ({all_columns}) "
                    f"SELECT c.code, 12, NULL, {evaluated}, {counts}, 1, 0, "
                    "COALESCE(c.households, 0), COALESCE(c.population, 0), "
                    "CASE WHEN c.households IS NULL THEN 1 ELSE 0 END "
                    f"FROM {community} c LEFT JOIN ("
                    f"SELECT code, MAX(valid_from) AS as_of, "
                    + ", ".join(
                        f"SUM(CASE WHEN status = '{s}' THEN 1 ELSE 0 END) AS {s}" for s in COUNTS
                    )
                    + f" FROM {finding} WHERE is_current {where()} GROUP BY code"
                    f") f ON f.code = c.code WHERE 1 = 1 {where('c.code')}",
                    [*([as_of] if as_of else []), *params, *params],
                )
                continue
            below = LEVELS[LEVELS.index(length) - 1]
            if length == 9:
                source = f"FROM {finding} WHERE is_current {where()}"
                sums = _status_sums()
                latest = "MAX(valid_from)"
            else:
                source = (
                    f"FROM {rollup} WHERE length = {below} AND standard_id IS NOT NULL {where()}"
                )
                sums = _sums(COUNTS)
                latest = "MAX(as_of)"
            zeros = ", ".join("0" for _ in STATS)  # per-standard rows count findings only
            cursor.execute(
                f"INSERT INTO {rollup} ({all_columns}) "
                f"SELECT SUBSTR(code, 1, {length}), {length}, standard_id, {latest}, {sums}, "
                f"{zeros} {source} GROUP BY SUBSTR(code, 1, {length}), standard_id",
                params,
            )
            # Totals from the totals below: communities without findings count too.
            streets = "1" if length == 9 else f"SUM({_q('streets')})"
            cursor.execute(
                f"INSERT INTO {rollup} ({all_columns}) "
                f"SELECT SUBSTR(code, 1, {length}), {length}, NULL, MAX(as_of), "
                f"{_sums(COUNTS)}, SUM({_q('communities')}), {streets}, "
                f"{_sums(('households', 'population', 'households_missing'))} FROM {rollup} "
                f"WHERE length = {below} AND standard_id IS NULL {where()} "
                f"GROUP BY SUBSTR(code, 1, {length})",
                params,
            )


@receiver(divisions_changed)
def _recount_after_import(sender: object, prefix: str, **kwargs: object) -> None:
    refresh(prefix)
