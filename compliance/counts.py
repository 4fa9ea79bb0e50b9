"""Counts per division (communities, households, population) and the pages they allow.

Read from the roll-up rows that every evaluation and every division import keeps up to date
(compliance/rollups.py), so that no page counts a province's communities per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from compliance.models import Rollup
from core import access
from core.models import Role, User
from divisions.models import COMMUNITY_CODE_LENGTH, Community, Division
from divisions.selectors import ANCESTOR_LENGTHS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Totals:
    streets: int
    communities: int
    households: int
    population: int
    households_missing: int


def totals(queryset: QuerySet[Community]) -> Totals:
    """Counts over a set of communities, in one query."""
    # Aliases differ from field names: Django resolves filter=Q(households…) against them.
    row = queryset.aggregate(
        n_communities=Count("id"),
        n_streets=Count(Substr("code", 1, 9), distinct=True),
        sum_households=Sum("households"),
        sum_population=Sum("population"),
        n_missing=Count("id", filter=Q(households__isnull=True)),
    )
    return Totals(
        streets=row["n_streets"] or 0,
        communities=row["n_communities"] or 0,
        households=row["sum_households"] or 0,
        population=row["sum_population"] or 0,
        households_missing=row["n_missing"] or 0,
    )


def division_totals(code: str) -> Totals:
    """The counts of a division ("" for the country) from its roll-up, which every evaluation
    and every import keeps up to date (compliance/rollups.py); counted live before the first."""
    row = Rollup.objects.filter(code=code, standard__isnull=True).first()
    if row is None:
        return totals(Community.objects.filter(code__startswith=code))
    return Totals(
        streets=row.streets,
        communities=row.communities,
        households=row.households,
        population=row.population,
        households_missing=row.households_missing,
    )


class CodeOrderPaginator(Paginator):
    """Pages of communities in code order under some prefixes, found without OFFSET.

    A deep page of the national list would otherwise make the database walk past a hundred
    thousand rows. The roll-ups know how many communities each division has: descending them
    (province, city, district, street) finds the street where the page starts and how many of
    its communities to skip, so any page costs a handful of small queries. The counts are those
    of the last refresh (every import and evaluation makes one); without roll-ups the ordinary
    paginator is used.
    """

    object_list: QuerySet[Community]

    def __init__(self, queryset: QuerySet[Community], per_page: int, prefixes: list[str]):
        super().__init__(queryset.order_by("code"), per_page)
        self.prefixes = sorted(prefixes)

    @cached_property
    def _totals(self) -> dict[str, int] | None:
        found = dict(
            Rollup.objects.filter(code__in=self.prefixes, standard__isnull=True).values_list(
                "code", "communities"
            )
        )
        return found if len(found) == len(self.prefixes) else None

    @cached_property
    def count(self) -> int:
        totals = self._totals
        if totals is None:
            self.prefixes = []  # no roll-ups yet: page with OFFSET
            return super().count
        return sum(totals.values())

    def _locate(self, offset: int) -> tuple[str, int] | None:
        """(code of the street, or community, where the row at ``offset`` is; rows to skip)."""
        totals = self._totals or {}
        for prefix in self.prefixes:
            if offset >= totals.get(prefix, 0):
                offset -= totals.get(prefix, 0)
                continue
            code = prefix
            for length in ANCESTOR_LENGTHS:
                if length <= len(code):
                    continue
                children = Rollup.objects.filter(
                    standard__isnull=True, length=length, code__startswith=code
                ).order_by("code")
                for child, n in children.values_list("code", "communities"):
                    if offset < n:
                        code = child
                        break
                    offset -= n
                else:
                    return None  # the roll-ups disagree with themselves: page with OFFSET
            return code, offset
        return None

    def page(self, number) -> Page:
        number = self.validate_number(number)
        start = self._locate((number - 1) * self.per_page) if self.prefixes else None
        if start is None:
            return super().page(number)
        code, skip = start
        rows = self.object_list.filter(code__gte=code)[skip : skip + self.per_page]
        return Page(list(rows), number, self)


def community_paginator(user: User, filterset, per_page: int) -> Paginator:
    """The community list's pages: without OFFSET when only the jurisdiction (and a street or
    division prefix) narrows it, the ordinary way when it is searched by name or kind."""
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    if data.get("q") or data.get("kind") or not filterset.is_valid():
        return Paginator(filterset.qs, per_page)
    prefixes = list(access.prefixes(user)) if not access.is_unrestricted(user) else [""]
    within = data.get("street") or ""
    if within:
        if not within.isdigit():
            return Paginator(filterset.qs, per_page)
        # The narrower of the prefix asked for and each one the user may read.
        prefixes = [
            max(p, within, key=len)
            for p in prefixes
            if p.startswith(within) or within.startswith(p)
        ]
    return CodeOrderPaginator(filterset.qs, per_page, prefixes)


@dataclass(frozen=True)
class ChildRow:
    code: str
    name: str
    communities: int
    households: int
    population: int


def child_rows(prefix: str, length: int) -> list[ChildRow]:
    """Each division of code length ``length`` under ``prefix``, with its community counts.

    Two queries whatever the size, from the roll-ups (counted live before the first
    evaluation). Divisions without any residents' committee are left out: the portal is about
    communities.
    """
    rollups = Rollup.objects.filter(standard__isnull=True, length=length, communities__gt=0)
    if prefix:
        rollups = rollups.filter(code__startswith=prefix)
    counts = {
        r.code: {"n": r.communities, "hh": r.households, "pop": r.population} for r in rollups
    }
    if not counts:
        counts = {
            row["prefix"]: row
            for row in Community.objects.filter(code__startswith=prefix)
            .annotate(prefix=Substr("code", 1, length))
            .values("prefix")
            .annotate(n=Count("id"), hh=Sum("households"), pop=Sum("population"))
            .order_by()
        }
    children = Division.objects.filter(code__in=list(counts)).values_list("code", "name")
    return [
        ChildRow(
            code=code,
            name=name,
            communities=counts[code]["n"],
            households=counts[code]["hh"] or 0,
            population=counts[code]["pop"] or 0,
        )
        for code, name in sorted(children)
    ]


@dataclass(frozen=True)
class JurisdictionCard:
    code: str  # "" for the whole country
    name: StrOrPromise
    level_label: str
    role_label: str
    totals: Totals

    @property
    def is_community(self) -> bool:
        return len(self.code) == COMMUNITY_CODE_LENGTH


def jurisdiction_cards(user: User) -> list[JurisdictionCard]:
    """One card per top assigned code for the home page (the whole country for superusers).

    Query count grows with the number of a user's assignments (a handful), never with the data.
    """
    if access.is_unrestricted(user):
        return [JurisdictionCard("", _("全国"), "", "", division_totals(""))]
    roles = {g.code: g.role for g in access.grants(user)}
    codes = access.prefixes(user)
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    levels = dict(Division.objects.filter(code__in=codes).values_list("code", "level"))
    names.update(
        Community.objects.filter(code__in=[c for c in codes if len(c) == 12]).values_list(
            "code", "name"
        )
    )
    return [
        JurisdictionCard(
            code=code,
            name=names[code],
            level_label=(
                str(Community._meta.verbose_name)
                if len(code) == COMMUNITY_CODE_LENGTH
                else str(Division.Level(levels[code]).label)
            ),
            role_label=str(Role(roles[code]).label),
            totals=(
                totals(Community.objects.filter(code=code))
                if len(code) == COMMUNITY_CODE_LENGTH
                else division_totals(code)
            ),
        )
        for code in codes
        if code in names
    ]
