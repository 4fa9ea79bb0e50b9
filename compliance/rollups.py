"""Roll-ups per division, kept up to date by every evaluation: what the dashboards read.

A dashboard of the whole country would otherwise count well over a million findings, and sum
the profiles of 124,650 communities, on every request. Instead each evaluation recounts the
``Rollup`` rows it affects, level by level: one total row per community (its findings counted,
its households and population) and the streets' rows per standard from the findings; then each
higher level from the level below (a district from its streets' rows, and so on up to the
country). Re-evaluating one community therefore touches its own row, its street's findings and
a few dozen roll-up rows above it; the nightly national evaluation recounts everything in a few
seconds.

A save does not recount: ``apply`` adds what its evaluation changed (each changed current
finding's old and new status, the community's households and population) to the rows of its
community, street, district, city, province and country, right after the save commits, locking
only those rows. The nightly run recounts (``refresh``), which keeps the roll-ups exact whatever
happened before (a crash between a save's commit and its delta, a standard deleted).
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
        _q(c) for c in ("code", "length", "standard_id", "as_of", *COUNTS, *STATS, "revision")
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
                    "CASE WHEN c.households IS NULL THEN 1 ELSE 0 END, 0 "
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
                f"{zeros}, 0 {source} GROUP BY SUBSTR(code, 1, {length}), standard_id",
                params,
            )
            # Totals from the totals below: communities without findings count too.
            streets = "1" if length == 9 else f"SUM({_q('streets')})"
            cursor.execute(
                f"INSERT INTO {rollup} ({all_columns}) "
                f"SELECT SUBSTR(code, 1, {length}), {length}, NULL, MAX(as_of), "
                f"{_sums(COUNTS)}, SUM({_q('communities')}), {streets}, "
                f"{_sums(('households', 'population', 'households_missing'))}, 0 FROM {rollup} "
                f"WHERE length = {below} AND standard_id IS NULL {where()} "
                f"GROUP BY SUBSTR(code, 1, {length})",
                params,
            )


# --- deltas: what a save does --------------------------------------------------------------

Change = tuple[str, int, str | None, str | None]  # community code, standard, old and new status


def apply(changes: Iterable[Change], codes: Iterable[str], as_of: datetime.date) -> None:
    """Adjust the roll-ups by what an evaluation of the communities ``codes`` changed: each
    changed current finding moves one count of its standard's rows (street, district, city,
    province, country) and of the total rows (those and the community's own) from its old
    status to its new one; a change of the communities' households or population moves the
    total rows' sums. One short transaction of its own that locks only the rows it changes,
    in one global order (totals, then per-standard rows, each by code and standard): two
    saves in different streets share only the rows above them, each for the few milliseconds
    of a handful of UPDATEs, never for a whole evaluation. Work proportional to the change,
    not to the table; ``refresh`` (the nightly run) recounts from scratch."""
    delta: dict[tuple[str, int | None], dict[str, int]] = {}

    def add(code: str, standard: int | None, column: str, n: int) -> None:
        row = delta.setdefault((code, standard), {})
        row[column] = row.get(column, 0) + n

    for code, standard, old, new in changes:
        for length in LEVELS:
            for key in (None,) if length == 12 else (standard, None):
                if old is not None:
                    add(code[:length], key, old, -1)
                if new is not None:
                    add(code[:length], key, new, 1)
    with transaction.atomic():
        codes = sorted(set(codes))
        stored: dict[str, dict[str, int]] = {
            code: {"households": h, "population": p, "households_missing": m}
            for code, h, p, m in Rollup.objects.filter(
                length=12, standard__isnull=True, code__in=codes
            )
            .order_by("code")
            .select_for_update()
            .values_list("code", "households", "population", "households_missing")
        }
        for c in Community.objects.filter(code__in=codes).values(
            "code", "households", "population"
        ):
            now = {
                "households": c["households"] or 0,
                "population": c["population"] or 0,
                "households_missing": int(c["households"] is None),
            }
            before = stored.get(c["code"])
            for column, value in now.items():
                moved = value - (before[column] if before else 0)
                if moved:
                    for length in LEVELS:
                        add(c["code"][:length], None, column, moved)
        _upsert(delta, as_of)


def _upsert(delta: dict[tuple[str, int | None], dict[str, int]], as_of: datetime.date) -> None:
    """Add ``delta`` to the rows, creating those missing: one INSERT … ON CONFLICT DO UPDATE
    per row (a new row gets the clamped values, an existing one the differences)."""
    columns = (*COUNTS, "households", "population", "households_missing")
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    table = _q(Rollup._meta.db_table)
    assignments = ", ".join(
        [f"{_q(c)} = {greatest}(0, {table}.{_q(c)} + %s)" for c in columns]
        + [
            f"{_q('as_of')} = {greatest}(COALESCE({table}.{_q('as_of')}, %s), %s)",
            f"{_q('revision')} = {table}.{_q('revision')} + 1",
        ]
    )
    insert = (
        f"INSERT INTO {table} ({_q('code')}, {_q('length')}, {_q('standard_id')}, {_q('as_of')}, "
        + ", ".join(_q(c) for c in columns)
        + f", {_q('communities')}, {_q('streets')}, {_q('revision')}) VALUES ("
        + ", ".join(["%s"] * (len(columns) + 4))
        + ", 0, 0, 0)"
    )
    standard = _q("standard_id")
    with connection.cursor() as cursor:
        for total, conflict in (
            (True, f"({_q('code')}) WHERE {standard} IS NULL"),
            (False, f"({_q('code')}, {standard}) WHERE {standard} IS NOT NULL"),
        ):
            rows = sorted(
                (key, values)
                for key, values in delta.items()
                if (key[1] is None) == total and any(values.values())
            )
            if not rows:
                continue
            cursor.executemany(
                f"{insert} ON CONFLICT {conflict} DO UPDATE SET {assignments}",
                [
                    (
                        code,
                        len(code),
                        standard_id,
                        as_of,
                        *(max(0, values.get(c, 0)) for c in columns),
                        *(values.get(c, 0) for c in columns),
                        as_of,
                        as_of,
                    )
                    for (code, standard_id), values in rows
                ],
            )


@receiver(divisions_changed)
def _recount_after_import(sender: object, prefix: str, **kwargs: object) -> None:
    refresh(prefix)
