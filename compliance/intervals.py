"""Verdicts stored as intervals: evaluating a day writes only what changed.

A row holds one verdict from ``valid_from`` up to (not including) ``valid_to``; the current one
is open (``valid_to`` null), and a partial unique index allows one open row per key. Evaluating
day D, for each key (community × standard, or division × standard):

- the verdict holding on D is the same: nothing is written (a re-run of an unchanged day
  writes no row at all);
- it differs: the interval holding D is closed at D (or, if it starts on D, rewritten in
  place) and the new verdict holds from D until the next recorded change (open if none);
- the standard no longer applies: the interval holding D is closed at D.

Evaluations normally come in date order (the nightly run); a past day evaluated later (an
assessment's year end) corrects history from that day until the next recorded change.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone


@dataclass(frozen=True)
class Store:
    """How one interval table is keyed and what a verdict is made of."""

    model: type[models.Model]
    keys: tuple[str, ...]  # e.g. ("community_id", "standard_id")
    values: tuple[str, ...]  # the verdict: a change in any of these opens a new interval
    extra: tuple[str, ...] = ()  # written with each new interval, not compared (e.g. code)


def holding(queryset: models.QuerySet, day: datetime.date) -> models.QuerySet:
    """The intervals that hold on ``day`` or start after it."""
    return queryset.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def write(
    store: Store,
    scope: models.QuerySet,
    day: datetime.date,
    desired: dict[tuple[Hashable, ...], tuple],
    extra: dict[tuple[Hashable, ...], tuple] | None = None,
    changes: list[tuple[tuple[Hashable, ...], str | None, str | None]] | None = None,
) -> int:
    """Make the verdicts of ``day`` for every key in ``scope`` equal to ``desired``
    (key → values, in the order of ``store.values``; a key in scope but absent from
    ``desired`` has no verdict that day). Returns the number of rows written.

    ``changes``, if given, receives ``(key, old status, new status)`` for every key whose
    current (open) interval changed status or appeared or ended (None: no current verdict):
    what the roll-ups are adjusted by."""
    status = store.values.index("status") if "status" in store.values else None

    def changed(key: tuple, old: dict | None, new: tuple | None) -> None:
        if changes is None or status is None:
            return
        before = old["status"] if old is not None else None
        after = new[status] if new is not None else None
        if before != after:
            changes.append((key, before, after))

    fields = ("pk", *store.keys, "valid_from", "valid_to", *store.values)
    containing: dict[tuple, dict] = {}
    following: dict[tuple, datetime.date] = {}
    # The next recorded change of the same community (or division), whatever the standard: a
    # verdict of a past day that no later interval repeats held until then.
    group_following: dict[Hashable, datetime.date] = {}
    for row in holding(scope, day).values(*fields):
        key = tuple(row[k] for k in store.keys)
        if row["valid_from"] <= day:
            containing[key] = row
            continue
        if key not in following or row["valid_from"] < following[key]:
            following[key] = row["valid_from"]
        if key[0] not in group_following or row["valid_from"] < group_following[key[0]]:
            group_following[key[0]] = row["valid_from"]
    now = timezone.now()
    close: list[int] = []
    delete: list[int] = []
    rewrite: list[models.Model] = []
    insert: list[tuple] = []
    for key in set(desired) | set(containing):
        wanted = desired.get(key)
        held = containing.get(key)
        if held is not None:
            if wanted is not None and tuple(held[v] for v in store.values) == wanted:
                continue
            current = held["valid_to"] is None
            if held["valid_from"] == day:
                if current:
                    changed(key, held, wanted)
                if wanted is None:
                    delete.append(held["pk"])
                else:
                    rewrite.append(
                        store.model(
                            pk=held["pk"],
                            evaluated_at=now,
                            **dict(zip(store.values, wanted, strict=True)),
                        )
                    )
                continue
            close.append(held["pk"])
            ends = held["valid_to"]
            if current:
                changed(key, held, wanted)
        else:
            ends = following.get(key) or group_following.get(key[0])
            if ends is None and wanted is not None:
                changed(key, None, wanted)
        if wanted is not None:
            more = (extra or {}).get(key, ())
            insert.append((*key, *more, day, ends, *wanted, now))
    manager = store.model._default_manager
    if close:
        for ids in _chunks(close):
            manager.filter(pk__in=ids).update(valid_to=day)
    if delete:
        for ids in _chunks(delete):
            manager.filter(pk__in=ids).delete()
    if rewrite:
        manager.bulk_update(rewrite, [*store.values, "evaluated_at"], batch_size=1000)
    columns = (*store.keys, *store.extra, "valid_from", "valid_to", *store.values, "evaluated_at")
    insert_rows(store.model, columns, insert)
    return len(close) + len(delete) + len(rewrite) + len(insert)


def _chunks(ids: list[int], size: int = 5000) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def prune(model: type[models.Model], before: datetime.date) -> int:
    """Delete the intervals that ended before ``before``; returns how many."""
    deleted, _ = model._default_manager.filter(valid_to__lt=before).delete()
    return deleted


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many plain rows fast: COPY on PostgreSQL, executemany elsewhere.

    The ORM's bulk_create spends most of its time building model instances and SQL for
    findings that are thrown away at the next evaluation; this writes the values directly.
    """
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    fields = [model._meta.get_field(c.removesuffix("_id")) for c in columns]
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    # Only dates and datetimes need adapting for SQLite; each distinct one is adapted once.
    adapt = {
        i: (
            connection.ops.adapt_datetimefield_value
            if isinstance(f, models.DateTimeField)
            else connection.ops.adapt_datefield_value
        )
        for i, f in enumerate(fields)
        if isinstance(f, models.DateField)
    }
    cache: dict = {}

    def convert(i: int, value):
        if i not in adapt or value is None:
            return value
        if value not in cache:
            cache[value] = adapt[i](value)
        return cache[value]

    prepared = [tuple(convert(i, v) for i, v in enumerate(row)) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
            prepared,
        )
