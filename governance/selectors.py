"""Reads for meetings, disclosures and the anonymous public board.

The public board shows only what was published, and of people only names and positions.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from committees.models import Membership, Organization, membership_active_q, organization_active_q
from compliance.models import Standard
from divisions.models import Community
from governance.matters import DEFAULT_MAX_DAYS
from governance.models import (
    Covenant,
    Disclosure,
    MajorMatter,
    MatterStep,
    PublicService,
    Resolution,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

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
    more about any person ever reaches the public board."""
    kinds = [Organization.Kind.RESIDENTS_COMMITTEE, *Organization.PARTY_KINDS]
    rows = (
        Membership.objects.filter(
            membership_active_q(on), organization__community=community, organization__kind__in=kinds
        )
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


class LastStep(TypedDict):
    last: datetime.date  # the date of the latest step


def overdue_matters(
    prefix: str, today: datetime.date
) -> tuple[int, list[WithAnnotations[MajorMatter, LastStep]]]:
    """Open major matters under ``prefix`` whose next step has waited too long: (count, the
    longest-waiting few). In SQL, so that a district's dashboard never loads its matters."""
    cutoff = today - datetime.timedelta(days=matter_step_days())
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
