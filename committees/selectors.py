"""Scoped reads of divisions and communities. Every query here honours the user's jurisdiction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from committees.models import (
    COMMUNITY_CODE_LENGTH,
    Community,
    Division,
    Membership,
    Organization,
    Person,
    membership_active_q,
)
from portal import access
from portal.models import Role, Rollup

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


def division_totals(code: str) -> Totals:
    """The counts of a division ("" for the country) from its roll-up, which every evaluation
    and every import keeps up to date (portal/rollups.py); counted live before the first."""
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
        return self._get_page(list(rows), number, self)


def community_paginator(user, filterset, per_page: int) -> Paginator:
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


# --- organizations and people -----------------------------------------------------------


def community_record(
    user, code: str, queryset: QuerySet, pk: int, community_field: str = "community"
):
    """One record of a community inside the jurisdiction, or 404 — whatever the record is."""
    community = community_for(user, code)
    record = queryset.filter(**{community_field: community}, pk=pk).first()
    if record is None:
        raise Http404
    return record


def person_for(user, code: str, pk: int) -> Person:
    return community_record(user, code, Person.objects.all(), pk)


def organization_for(user, code: str, pk: int) -> Organization:
    return community_record(user, code, Organization.objects.all(), pk)


def membership_for(user, code: str, pk: int) -> Membership:
    return community_record(
        user,
        code,
        Membership.objects.select_related("person", "organization"),
        pk,
        "organization__community",
    )


@dataclass
class OrgNode:
    organization: Organization
    members: list[Membership]


@dataclass
class PeopleOverview:
    as_of: datetime.date
    committee: OrgNode | None
    party: OrgNode | None
    subcommittees: list[OrgNode]
    stations: list[OrgNode]
    groups: list[OrgNode]
    others: list[OrgNode]
    dissolved: list[Organization]
    cross_appointed: list[Person]
    staff: list[Membership]

    @property
    def localization(self) -> tuple[int, int]:
        members = self.committee.members if self.committee else []
        people = {m.person.pk: m.person for m in members}
        return sum(p.is_localized for p in people.values()), len(people)


POSITION_ORDER = [p.value for p in Membership.Position]


def people_overview(community: Community, on: datetime.date) -> PeopleOverview:
    """The organization chart of a community on a date, in three queries."""
    organizations = list(community.organizations.order_by("kind", "name"))
    memberships = list(
        Membership.objects.filter(membership_active_q(on), organization__community=community)
        .select_related("person", "organization")
        .annotate(
            last_training=Max("person__trainings__date", filter=Q(person__trainings__date__lte=on))
        )
    )
    by_org: dict[int, list[Membership]] = {}
    for m in sorted(memberships, key=lambda m: (POSITION_ORDER.index(m.position), m.person.name)):
        by_org.setdefault(m.organization_id, []).append(m)
    active = [
        o
        for o in organizations
        if (o.established_on is None or o.established_on <= on)
        and (o.dissolved_on is None or o.dissolved_on > on)
    ]
    nodes = {o.pk: OrgNode(o, by_org.get(o.pk, [])) for o in active}
    kind = Organization.Kind

    def of(*kinds) -> list[OrgNode]:
        return [nodes[o.pk] for o in active if o.kind in kinds]

    committee = next(iter(of(kind.RESIDENTS_COMMITTEE)), None)
    party = next(iter(of(*Organization.PARTY_KINDS)), None)
    committee_people = {m.person_id for m in committee.members} if committee else set()
    party_people = {m.person_id for m in party.members} if party else set()
    cross = {
        m.person_id: m.person for m in memberships if m.person_id in committee_people & party_people
    }
    shown = {
        kind.RESIDENTS_COMMITTEE,
        *Organization.PARTY_KINDS,
        kind.SUBCOMMITTEE,
        kind.SERVICE_STATION,
        kind.SERVICE_HALL,
        kind.RESIDENTS_GROUP,
        kind.BUILDING,
    }
    return PeopleOverview(
        as_of=on,
        committee=committee,
        party=party,
        subcommittees=of(kind.SUBCOMMITTEE),
        stations=of(kind.SERVICE_STATION, kind.SERVICE_HALL),
        groups=of(kind.RESIDENTS_GROUP, kind.BUILDING),
        others=[nodes[o.pk] for o in active if o.kind not in shown],
        dissolved=[o for o in organizations if o not in active],
        cross_appointed=sorted(cross.values(), key=lambda p: p.name),
        staff=[m for m in memberships if m.full_time],
    )


@dataclass(frozen=True)
class Reminder:
    community_code: str
    community_name: str
    person_name: str
    what: str
    due: datetime.date | None


def term_reminders(
    prefix: str, on: datetime.date, days: int = 90, limit: int = 20
) -> tuple[int, list[Membership]]:
    """Active memberships whose term ends within ``days`` (or has ended without a successor)."""
    qs = (
        Membership.objects.filter(
            membership_active_q(on),
            organization__community__code__startswith=prefix,
            term_ends_on__lte=on + datetime.timedelta(days=days),
        )
        .select_related("person", "organization__community")
        .only(*REMINDER_FIELDS)
        .order_by("term_ends_on", "organization__community__code")
    )
    return qs.count(), list(qs[:limit])


# What the reminders show: loading every column of four models per row was most of their cost.
REMINDER_FIELDS = (
    "position",
    "term_ends_on",
    "person__name",
    "organization__community__code",
    "organization__community__name",
)


def training_overdue(
    prefix: str, on: datetime.date, months: int = 24, limit: int = 20
) -> tuple[int, list[Membership]]:
    """Committee members and full-time staff with no training in the last ``months`` months."""
    since = on - datetime.timedelta(days=round(months * 30.44))
    qs = (
        Membership.objects.filter(
            membership_active_q(on), organization__community__code__startswith=prefix
        )
        .filter(
            Q(full_time=True)
            | Q(
                organization__kind=Organization.Kind.RESIDENTS_COMMITTEE,
                position__in=Membership.COMMITTEE_POSITIONS,
            )
        )
        .annotate(last_training=Max("person__trainings__date"))
        .filter(Q(last_training__isnull=True) | Q(last_training__lt=since))
        .select_related("person", "organization__community")
        .only(*REMINDER_FIELDS)
        .order_by("organization__community__code", "person__name")
    )
    return qs.count(), list(qs[:limit])
