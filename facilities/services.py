"""Writes of facilities: the rooms and sites of a community.

Views pass the validated field values, never a form. Each write validates the record, saves it
with who did it (its history) and re-judges the community, whose space standards count rooms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from compliance.services import community_record_save
from core.models import User
from divisions.models import Community
from facilities.models import Facility

# What a user may set on a room; its community comes from the page it is recorded on.
FACILITY_FIELDS = (
    "kind",
    "name",
    "indoor",
    "area_m2",
    "tenure",
    "annual_rent",
    "address",
    "in_use_since",
    "retired_on",
    "handed_over_on",
    "shared_use",
    "note",
)


@transaction.atomic
def facility_save(
    *,
    actor: User,
    community: Community,
    facility: Facility | None,
    data: Mapping[str, Any],
) -> Facility:
    """Record a new room of ``community`` (``facility`` None) or change one of its rooms."""
    return community_record_save(
        actor=actor,
        community=community,
        record=facility or Facility(community=community),
        data=data,
        fields=FACILITY_FIELDS,
    )
