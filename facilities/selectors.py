"""Scoped reads of facilities: a community's rooms and totals, and a street's comparison."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from committees.models import Community
from facilities.models import Facility

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))
# The "六个一" of the Guangdong standard (GD-13a), in the order the document lists them.
SIX_ONES = [
    Facility.Kind.SERVICE_STATION,
    Facility.Kind.CULTURE_SPORTS,
    Facility.Kind.HEALTH,
    Facility.Kind.FAMILY_SERVICE,
    Facility.Kind.STABILITY,
    Facility.Kind.SQUARE_PARK,
]


def in_use_q(on: datetime.date, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}in_use_since__isnull": True}) | Q(**{f"{prefix}in_use_since__lte": on})
    ) & (Q(**{f"{prefix}retired_on__isnull": True}) | Q(**{f"{prefix}retired_on__gt": on}))


def area_sums(prefix: str = "facilities__", on: datetime.date | None = None) -> dict:
    """Annotations summing the areas that the space standards look at."""
    on = on or datetime.date.today()
    live = in_use_q(on, prefix)
    kinds = f"{prefix}kind__in"

    def total(condition: Q):
        return Coalesce(Sum(f"{prefix}area_m2", filter=live & condition), ZERO)

    return {
        "indoor": total(Q(**{f"{prefix}indoor": True})),
        "outdoor": total(Q(**{f"{prefix}indoor": False})),
        "office": total(Q(**{kinds: Facility.OFFICE_KINDS})),
        "service": total(Q(**{kinds: Facility.SERVICE_KINDS})),
        "rooms": Count(f"{prefix}id", filter=live),
    }


@dataclass
class Totals:
    indoor: Decimal
    outdoor: Decimal
    office: Decimal
    service: Decimal
    rooms: int
    households: int | None

    def per_100(self, area: Decimal) -> Decimal | None:
        if not self.households:
            return None
        return (area * 100 / self.households).quantize(Decimal("0.1"))

    @property
    def indoor_per_100(self) -> Decimal | None:
        return self.per_100(self.indoor)

    @property
    def outdoor_per_100(self) -> Decimal | None:
        return self.per_100(self.outdoor)


def community_facilities(
    community: Community, on: datetime.date
) -> tuple[list[Facility], Totals, list[tuple[str, bool]]]:
    rooms = list(community.facilities.order_by("retired_on", "kind", "name"))
    live = [
        r
        for r in rooms
        if (r.in_use_since is None or r.in_use_since <= on)
        and (r.retired_on is None or r.retired_on > on)
    ]

    def total(rooms_, condition) -> Decimal:
        return sum((r.area_m2 for r in rooms_ if condition(r)), Decimal("0"))

    totals = Totals(
        indoor=total(live, lambda r: r.indoor),
        outdoor=total(live, lambda r: not r.indoor),
        office=total(live, lambda r: r.kind in Facility.OFFICE_KINDS),
        service=total(live, lambda r: r.kind in Facility.SERVICE_KINDS),
        rooms=len(live),
        households=community.households,
    )
    kinds = {r.kind for r in live}
    if Facility.Kind.SERVICE_HALL in kinds:  # a one-stop hall serves as the service station
        kinds.add(Facility.Kind.SERVICE_STATION)
    checklist = [(str(Facility.Kind(k).label), k in kinds) for k in SIX_ONES]
    return rooms, totals, checklist


def comparison(communities: QuerySet[Community], on: datetime.date) -> QuerySet[Community]:
    """Each community with its area totals and how many of the six facilities it has."""
    live = in_use_q(on, "facilities__")
    return communities.annotate(
        **area_sums("facilities__", on),
        six_ones=Count(
            "facilities__kind", distinct=True, filter=live & Q(facilities__kind__in=SIX_ONES)
        ),
    ).order_by("code")
