"""Scoped reads of facilities: a community's rooms and totals, and a street's comparison.

Totals come from the same code the space standards use (facilities/areas.py), so a page never
shows a figure the findings disagree with.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from core.models import User
from divisions.models import Community
from divisions.selectors import community_record
from facilities.areas import ZERO, Areas, facility_areas, has_kind, kinds_in_use
from facilities.models import Facility

# The "六个一" of the Guangdong standard (GD-13a), in the order the document lists them.
SIX_ONES = [
    Facility.Kind.SERVICE_STATION,
    Facility.Kind.CULTURE_SPORTS,
    Facility.Kind.HEALTH,
    Facility.Kind.FAMILY_SERVICE,
    Facility.Kind.STABILITY,
    Facility.Kind.SQUARE_PARK,
]
NO_AREAS = Areas(ZERO, ZERO, ZERO, ZERO, ZERO)


@dataclass
class Totals:
    areas: Areas
    rooms: int
    households: int | None

    def per_100(self, area: Decimal) -> Decimal | None:
        if not self.households:
            return None
        # Rounded down, as in the findings: a shortfall never looks met.
        return (area * 100 / self.households).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)

    @property
    def indoor_per_100(self) -> Decimal | None:
        return self.per_100(self.areas.indoor)

    @property
    def outdoor_per_100(self) -> Decimal | None:
        return self.per_100(self.areas.outdoor)


def six_ones_present(kinds: frozenset[str] | None) -> list[tuple[str, bool]]:
    kinds = kinds or frozenset()
    return [(str(Facility.Kind(k).label), has_kind(kinds, k)) for k in SIX_ONES]


def community_facilities(
    community: Community, on: datetime.date
) -> tuple[list[Facility], Totals, list[tuple[str, bool]]]:
    one = Community.objects.filter(pk=community.pk)
    rooms = list(community.facilities.order_by("retired_on", "kind", "name"))
    in_use = [
        r
        for r in rooms
        if (r.in_use_since is None or r.in_use_since <= on)
        and (r.retired_on is None or r.retired_on > on)
    ]
    totals = Totals(
        facility_areas(one, on).get(community.pk, NO_AREAS), len(in_use), community.households
    )
    return rooms, totals, six_ones_present(kinds_in_use(one, on).get(community.pk))


@dataclass
class ComparisonRow:
    community: Community
    totals: Totals
    six_ones: int


def comparison(communities: list[Community], on: datetime.date) -> list[ComparisonRow]:
    """Rows for a page of communities: two queries whatever the page holds."""
    ids = Community.objects.filter(pk__in=[c.pk for c in communities])
    areas = facility_areas(ids, on)
    kinds = kinds_in_use(ids, on)
    return [
        ComparisonRow(
            c,
            Totals(areas.get(c.pk, NO_AREAS), 0, c.households),
            sum(present for _label, present in six_ones_present(kinds.get(c.pk))),
        )
        for c in communities
    ]


def facility_for(user: User, code: str, pk: int) -> Facility:
    """One room of a community inside the jurisdiction; 404 otherwise."""
    return community_record(user, code, Facility.objects.all(), pk)
