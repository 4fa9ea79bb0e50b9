"""A community's space in use on a date: which rooms count, their areas and their kinds.

Shared by the space standards (facilities/rules.py) and the pages (facilities/selectors.py), so
that a page never shows a figure the findings disagree with. A facility counts on a date D when
it is in use (``in_use_since`` empty or on or before D) and not retired (``retired_on`` empty or
after D). Areas are exact Decimals (square metres, two places).

Rooms for the property-management company (物业服务用房) are the estate's, not the community's:
they are held to their own standard (SD-30) and never counted as community office, service or
activity space.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import DecimalField, Q, QuerySet, Sum

from compliance.rules import shared_measure
from divisions.models import Community
from facilities.models import Facility

Kind = Facility.Kind
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Kinds that are not the community's own space: never counted as office, service or activity area
# (the property company's rooms are held to SD-30 instead).
NOT_COMMUNITY_SPACE = (Kind.PROPERTY_SERVICE,)
# Sums of area_m2 (9 digits) over a community's rooms need more digits than one room.
AREA_SUM: DecimalField = DecimalField(max_digits=14, decimal_places=2)

# GD-13a names "一个公共服务站": a community whose services are delivered from a one-stop service
# hall (一站式服务大厅, SD-25's name for the same front office) has its public service station,
# so a listed service_station is met by a facility of either kind.
EQUIVALENT_KINDS: dict[str, tuple[str, ...]] = {
    Kind.SERVICE_STATION: (Kind.SERVICE_STATION, Kind.SERVICE_HALL),
}


def facility_in_use_q(on: datetime.date) -> Q:
    """Facilities in use on ``on``: started on or before it (or unknown), not yet retired."""
    return (Q(in_use_since__isnull=True) | Q(in_use_since__lte=on)) & (
        Q(retired_on__isnull=True) | Q(retired_on__gt=on)
    )


def has_kind(kinds: frozenset[str], kind: str) -> bool:
    """Whether facilities of ``kinds`` include one of ``kind`` (or of a kind that counts as it,
    ``EQUIVALENT_KINDS``)."""
    return bool(kinds & set(EQUIVALENT_KINDS.get(kind, (kind,))))


class Areas(NamedTuple):
    """A community's space in use on a date, in m² (property-service rooms apart)."""

    indoor: Decimal  # indoor rooms of every kind: offices, indoor service rooms, other rooms
    outdoor: Decimal  # outdoor sites: squares, parks, open-air courts
    office: Decimal  # OFFICE_KINDS, indoor or not
    services: Decimal  # SERVICE_KINDS, indoor or not (without offices)
    property: Decimal  # property-service rooms (物业服务用房), for SD-30 only


@shared_measure
def facility_areas(communities: QuerySet[Community], as_of: datetime.date) -> dict[int, Areas]:
    """``{community_id: Areas}`` for communities with at least one facility in use (one query)."""
    community_space = ~Q(kind__in=NOT_COMMUNITY_SPACE)

    def total(condition: Q) -> Sum:
        return Sum("area_m2", filter=condition, output_field=AREA_SUM)

    # Annotations are prefixed: one named "indoor" would shadow the field in later filters.
    rows = (
        Facility.objects.filter(facility_in_use_q(as_of), community__in=communities.values("pk"))
        .values("community_id")
        .annotate(
            area_indoor=total(community_space & Q(indoor=True)),
            area_outdoor=total(community_space & Q(indoor=False)),
            area_office=total(Q(kind__in=Facility.OFFICE_KINDS)),
            area_services=total(Q(kind__in=Facility.SERVICE_KINDS)),
            area_property=total(Q(kind=Kind.PROPERTY_SERVICE)),
        )
        .order_by()
    )
    found = {}
    for r in rows:
        sums = (r[f"area_{name}"] for name in Areas._fields)
        found[r["community_id"]] = Areas(*(ZERO if s is None else s.quantize(CENT) for s in sums))
    return found


def kinds_in_use(
    communities: QuerySet[Community], as_of: datetime.date
) -> dict[int, frozenset[str]]:
    """``{community_id: the kinds of its facilities in use}`` for communities with at least one
    facility in use (one query)."""
    found: dict[int, set[str]] = {}
    rows = (
        Facility.objects.filter(facility_in_use_q(as_of), community__in=communities.values("pk"))
        .values_list("community_id", "kind")
        .order_by()
        .distinct()
    )
    for community_id, kind in rows:
        found.setdefault(community_id, set()).add(kind)
    return {pk: frozenset(kinds) for pk, kinds in found.items()}
