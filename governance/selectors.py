"""Reads for meetings, disclosures and the anonymous public board.

The public board shows only what was published, and of people only names and positions.
"""

from __future__ import annotations

import datetime
from typing import TypeVar

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from committees.models import (
    Membership,
    Organization,
    Person,
    membership_active_q,
    organization_active_q,
)
from compliance.models import Standard
from core.models import User
from divisions.models import Community
from divisions.selectors import community_record
from governance.matters import DEFAULT_MAX_DAYS
from governance.models import (
    Covenant,
    Disclosure,
    DisclosureAttachment,
    MajorMatter,
    MatterStep,
    Meeting,
    MeetingAttachment,
    PublicService,
    Resolution,
)

REMINDER_ROWS = 10


def published_disclosures(community: Community, on: datetime.date) -> QuerySet[Disclosure]:
    return community.disclosures.filter(
        published_on__isnull=False, published_on__lte=on
    ).prefetch_related("lines", "attachments")


def published_resolutions(community: Community) -> QuerySet[Resolution]:
    return (
        Resolution.objects.filter(meeting__community=community, published=True, meeting__held=True)
        .select_related("meeting")
        .order_by("-meeting__date")
    )


def public_roster(community: Community, on: datetime.date) -> list[tuple[str, str, str]]:
    """(organization, position, name) of the committee and the party organization: nothing
    more about any person ever reaches the public board. Only the seats of the two committees
    (主任、副主任、委员; 书记、副书记、委员): not the full-time staff, group or building leaders
    or anyone else recorded in those organizations."""
    seats = Q(
        organization__kind=Organization.Kind.RESIDENTS_COMMITTEE,
        position__in=Membership.COMMITTEE_POSITIONS,
    ) | Q(
        organization__kind__in=Organization.PARTY_KINDS,
        position__in=Membership.PARTY_COMMITTEE_POSITIONS,
    )
    rows = (
        Membership.objects.filter(membership_active_q(on), seats, organization__community=community)
        .filter(organization_active_q(on, "organization__"))
        .values_list("organization__name", "position", "person__name")
    )
    order = [p.value for p in Membership.Position]
    ranked = sorted(rows, key=lambda r: (r[0], order.index(r[1]), r[2]))
    return [(org, str(Membership.Position(pos).label), name) for org, pos, name in ranked]


def search_communities(query: str) -> QuerySet[Community]:
    query = query.strip()
    if not query:
        return Community.objects.none()
    return Community.objects.filter(name__contains=query).select_related("street").order_by("code")


def matter_step_days() -> int:
    """The longest wait between two “四议两公开” steps, as the GD-07 standard on record says."""
    standard = Standard.objects.filter(code="GD-07").only("params").first()
    days = standard.params.get("max_days") if standard else None
    return days if isinstance(days, int) and days > 0 else DEFAULT_MAX_DAYS


def overdue_matters(
    prefix: str, today: datetime.date, days: int | None = None
) -> tuple[int, list[MajorMatter]]:
    """Open major matters under ``prefix`` whose next step has waited more than ``days``
    (``matter_step_days()`` unless given): (count, the longest-waiting few). In SQL, so that a
    district's dashboard never loads its matters."""
    cutoff = today - datetime.timedelta(days=matter_step_days() if days is None else days)
    step = MatterStep.objects.filter(matter=OuterRef("pk"))
    closed = Exists(step.filter(step=MatterStep.Step.RESULT_PUBLISHED)) | (
        Exists(step.filter(step=MatterStep.Step.RESOLUTION_PUBLISHED))
        & Exists(step.filter(step=MatterStep.Step.RESIDENTS_RESOLUTION, resolution__passed=False))
    )
    matters = (
        MajorMatter.objects.filter(community__code__startswith=prefix)
        .annotate(last=Max("steps__date"))
        .filter(last__lt=cutoff)
        .exclude(closed)
    )
    return matters.count(), list(
        matters.select_related("community").order_by("last", "pk")[:REMINDER_ROWS]
    )


def published_services(community: Community, on: datetime.date) -> QuerySet[PublicService]:
    return community.public_services.filter(published_on__lte=on).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on)
    )


def current_covenant(community: Community, on: datetime.date) -> Covenant | None:
    return community.covenants.filter(adopted_on__lte=on).order_by("-adopted_on", "-pk").first()


def published_matters(community: Community, on: datetime.date) -> list[tuple[MajorMatter, list]]:
    """Major matters whose resolution has been published, with their published steps (the
    resolution notice and, once there, the implementation result) — nothing internal."""
    steps = (
        MatterStep.objects.filter(
            matter__community=community,
            step__in=MatterStep.DISCLOSURE_STEPS,
            disclosure__published_on__lte=on,
        )
        .select_related("matter", "disclosure")
        .order_by("-matter_id", "date")
    )
    matters: dict[int, tuple[MajorMatter, list]] = {}
    for step in steps:
        matters.setdefault(step.matter_id, (step.matter, []))[1].append(step)
    return list(matters.values())[:50]


# --- the community's records, as the pages read them ----------------------------------------

Owned = TypeVar("Owned", bound=Meeting | Disclosure | MajorMatter | Covenant | PublicService)


def record_for(user: User, code: str, model: type[Owned], pk: int) -> Owned:
    """One record of a community inside the jurisdiction; 404 otherwise."""
    return community_record(user, code, model.objects.all(), pk)


def meeting_for(user: User, code: str, pk: int) -> Meeting:
    return record_for(user, code, Meeting, pk)


def disclosure_for(user: User, code: str, pk: int) -> Disclosure:
    return record_for(user, code, Disclosure, pk)


def meetings(community: Community) -> QuerySet[Meeting]:
    return community.meetings.order_by("-date", "-pk")


def meeting_resolutions(meeting: Meeting) -> QuerySet[Resolution]:
    return meeting.resolutions.all()


def meeting_attachments(meeting: Meeting) -> QuerySet[MeetingAttachment]:
    return meeting.attachments.all()


def meeting_attendees(meeting: Meeting) -> list[Person]:
    """Those ticked as present (bodies with a roster), by name."""
    return [
        a.person
        for a in meeting.attendance.select_related("person").order_by("person__name", "person__pk")
    ]


def disclosures(community: Community) -> QuerySet[Disclosure]:
    return community.disclosures.prefetch_related("attachments").order_by("-published_on", "-pk")


def meeting_attachment_for(user: User, code: str, pk: int) -> MeetingAttachment:
    """A meeting's file, only inside the jurisdiction (404 otherwise)."""
    return community_record(user, code, MeetingAttachment.objects.all(), pk, "meeting__community")


def disclosure_attachment_for(user: User, code: str, pk: int) -> DisclosureAttachment:
    return community_record(
        user, code, DisclosureAttachment.objects.all(), pk, "disclosure__community"
    )


def published_attachment(code: str, pk: int, on: datetime.date) -> DisclosureAttachment:
    """The file of a disclosure the community has published by ``on``, for anyone; 404 for
    everything else."""
    found = DisclosureAttachment.objects.filter(
        disclosure__community__code=code, disclosure__published_on__lte=on, pk=pk
    ).first()
    if found is None:
        raise Http404
    return found


def _matters_with_steps() -> QuerySet[MajorMatter]:
    return MajorMatter.objects.select_related("community").prefetch_related(
        Prefetch("steps", MatterStep.objects.select_related("resolution", "meeting", "disclosure"))
    )


def matters(community: Community) -> QuerySet[MajorMatter]:
    """The community's major matters, newest first, each with its steps (one more query)."""
    return _matters_with_steps().filter(community=community).order_by("-pk")


def matter_for(user: User, code: str, pk: int) -> MajorMatter:
    """One major matter inside the jurisdiction, with its steps; 404 otherwise."""
    return community_record(user, code, _matters_with_steps(), pk)


def covenants(community: Community) -> QuerySet[Covenant]:
    return community.covenants.select_related("meeting")


def public_services(community: Community) -> QuerySet[PublicService]:
    return community.public_services.all()


def public_community(code: str) -> Community:
    """A community's public board is open to anyone: no jurisdiction, only the code (404 if
    there is no such community)."""
    community = Community.objects.filter(code=code).select_related("street").first()
    if community is None:
        raise Http404
    return community
