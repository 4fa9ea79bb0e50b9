"""Scoped reads of divisions and communities. Every query here honours the user's jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from committees.models import COMMUNITY_CODE_LENGTH, Community, Division
from portal import access
from portal.models import Role

ANCESTOR_LENGTHS = (2, 4, 6, 9)


def communities_for(user) -> QuerySet[Community]:
    return Community.objects.filter(access.scope_q(user)).select_related("street")


def community_for(user, code: str) -> Community:
    """The community with this code; 404 if it does not exist or is outside the jurisdiction."""
    community = communities_for(user).filter(code=code).first()
    if community is None:
        raise Http404
    return community


def divisions_for(user) -> QuerySet[Division]:
    return Division.objects.filter(access.scope_q(user))


def division_for(user, code: str) -> Division:
    division = divisions_for(user).filter(code=code).first()
    if division is None:
        raise Http404
    return division


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str
    linked: bool


def breadcrumbs(user, code: str) -> list[Crumb]:
    """The division path above ``code``; only divisions inside the jurisdiction are links."""
    codes = [code[:n] for n in ANCESTOR_LENGTHS if n < len(code)]
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return [Crumb(c, names[c], access.can_read(user, c)) for c in codes if c in names]


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


@dataclass(frozen=True)
class ChildRow:
    code: str
    name: str
    communities: int
    households: int
    population: int


def child_rows(prefix: str, length: int) -> list[ChildRow]:
    """Each division of code length ``length`` under ``prefix``, with its community counts.

    Two queries whatever the size. Divisions without any residents' committee are left out:
    the portal is about communities.
    """
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
    name: str
    level_label: str
    role_label: str
    totals: Totals

    @property
    def is_community(self) -> bool:
        return len(self.code) == COMMUNITY_CODE_LENGTH


def jurisdiction_cards(user) -> list[JurisdictionCard]:
    """One card per top assigned code for the home page (the whole country for superusers).

    Query count grows with the number of a user's assignments (a handful), never with the data.
    """
    if access.is_unrestricted(user):
        return [JurisdictionCard("", _("全国"), "", "", totals(Community.objects.all()))]
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
            totals=totals(Community.objects.filter(code__startswith=code)),
        )
        for code in codes
        if code in names
    ]
