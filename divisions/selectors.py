"""Scoped reads of divisions and communities. Every query here honours the user's jurisdiction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from core import access
from core.models import User
from divisions.models import Community, Division

ANCESTOR_LENGTHS = (2, 4, 6, 9)


def communities_for(user: User) -> QuerySet[Community]:
    return Community.objects.filter(access.scope_q(user)).select_related("street")


def community_for(user: User, code: str) -> Community:
    """The community with this code; 404 if it does not exist or is outside the jurisdiction."""
    community = communities_for(user).filter(code=code).first()
    if community is None:
        raise Http404
    return community


def divisions_for(user: User) -> QuerySet[Division]:
    return Division.objects.filter(access.scope_q(user))


def division_for(user: User, code: str) -> Division:
    division = divisions_for(user).filter(code=code).first()
    if division is None:
        raise Http404
    return division


def division_communities(user: User, code: str) -> tuple[Division, QuerySet[Community]]:
    """A division inside the jurisdiction (404 otherwise) and every community under it, by
    code."""
    division = division_for(user, code)
    return division, Community.objects.filter(code__startswith=division.code).order_by("code")


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str
    linked: bool


def division_names(codes: Iterable[str]) -> dict[str, str]:
    """Names of divisions by code (one query): names are public, so the codes are not scoped."""
    return dict(Division.objects.filter(code__in=set(codes)).values_list("code", "name"))


def breadcrumbs(user, code: str) -> list[Crumb]:
    """The division path above ``code``; only divisions inside the jurisdiction are links."""
    codes = [code[:n] for n in ANCESTOR_LENGTHS if n < len(code)]
    names = division_names(codes)
    return [Crumb(c, names[c], access.can_read(user, c)) for c in codes if c in names]


def community_record(
    user: User, code: str, queryset: QuerySet, pk: int, community_field: str = "community"
):
    """One record of a community inside the jurisdiction, or 404 — whatever the record is."""
    community = community_for(user, code)
    record = queryset.filter(**{community_field: community}, pk=pk).first()
    if record is None:
        raise Http404
    return record
