"""Scoped reads of organizations, people, memberships and training."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet

from committees.models import (
    Membership,
    Organization,
    Person,
    Qualification,
    Training,
    membership_active_q,
    organization_active_q,
)
from compliance.rules import shared_measure
from core.models import User
from divisions.models import Community
from divisions.selectors import community_record


def person_for(user: User, code: str, pk: int) -> Person:
    return community_record(user, code, Person.objects.all(), pk)


def organization_for(user: User, code: str, pk: int) -> Organization:
    return community_record(user, code, Organization.objects.all(), pk)


def membership_for(user: User, code: str, pk: int) -> Membership:
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


@shared_measure
def organization_rows(communities: QuerySet, as_of: datetime.date) -> list[tuple]:
    """``(pk, community_id, kind, subkind)`` of the active organizations (one query, shared by
    every rule that looks at which bodies a community has)."""
    return list(
        Organization.objects.filter(
            organization_active_q(as_of), community__in=communities.values("pk")
        )
        .values_list("pk", "community_id", "kind", "subkind")
        .order_by()
    )


@shared_measure
def leader_positions(communities: QuerySet, as_of: datetime.date) -> set[tuple[int, str]]:
    """``(organization_id, position)`` for each active group or building leader (one query,
    joined to the communities measured rather than a scan of every membership)."""
    return set(
        Membership.objects.filter(
            membership_active_q(as_of),
            position__in=(Membership.Position.GROUP_LEADER, Membership.Position.BUILDING_LEADER),
            organization__community__in=communities.values("pk"),
        )
        .values_list("organization_id", "position")
        .distinct()
        .order_by()
    )


def active_organizations(
    communities: QuerySet, as_of: datetime.date, *, leaders: bool = False
) -> dict[int, list[tuple]]:
    """Active organizations per community as ``(kind, subkind, group_leader, building_leader)``;
    the leader flags say whether an active group or building leader is recorded (one query,
    two with the leaders)."""
    led = leader_positions(communities, as_of) if leaders else set()
    group, building = Membership.Position.GROUP_LEADER, Membership.Position.BUILDING_LEADER
    found: dict[int, list[tuple]] = {}
    for pk, community_id, kind, subkind in organization_rows(communities, as_of):
        found.setdefault(community_id, []).append(
            (kind, subkind, (pk, group) in led, (pk, building) in led)
        )
    return found


# --- the pages of the people tab (the community or person found through the jurisdiction) ---


def people(community: Community) -> QuerySet[Person]:
    return community.people.order_by("name")


def person_memberships(person: Person) -> QuerySet[Membership]:
    return person.memberships.select_related("organization").order_by("-start_date")


def person_trainings(person: Person) -> QuerySet[Training]:
    return person.trainings.all()


def person_qualifications(person: Person) -> QuerySet[Qualification]:
    return person.qualifications.all()


def training_log(community: Community) -> QuerySet[Training]:
    """Every training of the community's people, newest first."""
    return (
        Training.objects.filter(person__community=community)
        .select_related("person")
        .order_by("-date", "person__name")
    )
