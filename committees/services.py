"""Writes to divisions and communities. Views call these; they never save models directly."""

from __future__ import annotations

from django.db import transaction

from committees.models import Community
from portal.compliance import reevaluate_community


@transaction.atomic
def community_update(*, actor, community: Community, data: dict) -> Community:
    """Apply validated profile fields to a community and record who changed it."""
    for field, value in data.items():
        setattr(community, field, value)
    community._history_user = actor
    community.full_clean()
    community.save()
    # Findings follow the data: re-judge this community (and the aggregates above it) now.
    reevaluate_community(community)
    return community
