"""Reads for meetings, disclosures and the anonymous public board.

The public board shows only what was published, and of people only names and positions.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from committees.models import (
    Community,
    Membership,
    Organization,
    membership_active_q,
    organization_active_q,
)
from governance.models import Disclosure, Resolution


def published_disclosures(community: Community, on: datetime.date) -> QuerySet[Disclosure]:
    return community.disclosures.filter(
        published_on__isnull=False, published_on__lte=on
    ).prefetch_related("lines")


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
