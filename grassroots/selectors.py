"""Scoped reads of the grids, visits and the 民情 register: each list in a constant number of
queries whatever the community holds."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.models import User
from divisions.models import Community
from divisions.selectors import community_record
from grassroots.models import Grid, GridWorker, Request, Visit, state_q


def requests_of(community: Community) -> QuerySet[Request]:
    return Request.objects.filter(community=community).select_related("grid", "building", "handler")


def grids_of(community: Community, on: datetime.date) -> list[Grid]:
    """The grids with what they cover and their workers on ``on`` (three queries)."""
    serving = GridWorker.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on
    ).select_related("person")
    return list(
        Grid.objects.filter(community=community)
        .annotate(request_count=Count("requests"))
        .order_by("name")
        .prefetch_related("covers", Prefetch("workers", serving, to_attr="serving"))
    )


def workers_of(grid: Grid) -> list[GridWorker]:
    return list(grid.workers.select_related("person").order_by("-start_date"))


def visits_of(community: Community) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(community=community)
        .select_related("grid", "worker")
        .annotate(opened=Count("requests"))
        .order_by("-visited_on", "-pk")
    )


def month_ledger(community: Community, year: int, month: int) -> list[Request]:
    """The register of a month (民情台账): everything received in it."""
    return list(
        requests_of(community)
        .filter(received_on__year=year, received_on__month=month)
        .order_by("received_on", "pk")
    )


def counts(community: Community, today: datetime.date) -> dict[str, int]:
    """How many requests are in each state (one query)."""
    return Request.objects.filter(community=community).aggregate(
        **{state: Count("pk", filter=state_q(state, today)) for state in Request.State.values}
    )


def overdue(prefix: str, today: datetime.date) -> QuerySet[Request]:
    """Unanswered requests past their time limit in the communities under ``prefix``."""
    return Request.objects.filter(
        state_q(Request.State.OVERDUE, today), community__code__startswith=prefix
    )


def grid_for(user: User, code: str, pk: int) -> Grid:
    return community_record(user, code, Grid.objects.all(), pk)


def request_for(user: User, code: str, pk: int) -> Request:
    return community_record(user, code, Request.objects.all(), pk)


def visit_for(user: User, code: str, pk: int) -> Visit:
    return community_record(user, code, Visit.objects.all(), pk)


def public_community(code: str) -> Community:
    """Any community, for its public board's request form: 404 if there is no such code."""
    return get_object_or_404(Community.objects.select_related("street"), code=code)


def tracked(tracking_code: str) -> Request | None:
    """A request by its tracking code, for the resident who holds it."""
    code = tracking_code.strip().upper()
    if not code.isalnum() or len(code) != 12:
        return None
    return Request.objects.select_related("community").filter(tracking_code=code).first()
