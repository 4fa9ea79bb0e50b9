"""Scoped reads of funds: a community's ledger for a year, and a street's comparison."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from compliance import exemptions
from compliance.models import Finding
from core import access
from core.models import User
from divisions.models import Community
from divisions.selectors import community_record
from funding.ledger import rate_for, year_funds
from funding.models import Allocation, AssignedTask, Expenditure, StaffPay, WageBenchmark

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


@dataclass
class Ledger:
    year: int
    allocations: list[Allocation]
    expenditures: list[Expenditure]
    pay: list[StaffPay]
    by_source: dict[str, Decimal] = field(default_factory=dict)
    by_category: dict[str, Decimal] = field(default_factory=dict)

    @property
    def received(self) -> Decimal:
        return sum(self.by_source.values(), Decimal("0"))

    @property
    def spent(self) -> Decimal:
        return sum(self.by_category.values(), Decimal("0"))

    @property
    def balance(self) -> Decimal:
        return self.received - self.spent

    def bars(self) -> list[tuple[str, str, Decimal, float]]:
        """(group, label, amount, width 0–100) for the SVG chart of the year's money."""
        rows = [("in", str(Allocation.Source(k).label), v) for k, v in self.by_source.items()]
        rows += [
            ("out", str(Expenditure.Category(k).label), v) for k, v in self.by_category.items()
        ]
        top = max((v for _g, _l, v in rows), default=Decimal("0"))
        return [(g, label, v, float(v / top * 100) if top else 0.0) for g, label, v in rows]


def ledger(community: Community, year: int) -> Ledger:
    allocations = list(community.allocations.filter(year=year).order_by("received_on"))
    expenditures = list(community.expenditures.filter(year=year).order_by("date"))
    pay = list(
        StaffPay.objects.filter(person__community=community, year=year)
        .select_related("person")
        .order_by("person__name")
    )
    result = Ledger(year, allocations, expenditures, pay)
    for a in allocations:
        result.by_source[a.source] = result.by_source.get(a.source, Decimal("0")) + a.amount
    for e in expenditures:
        result.by_category[e.category] = result.by_category.get(e.category, Decimal("0")) + e.amount
    return result


def deleted_records(community: Community, year: int) -> list:
    """The year's deleted money records (their history stays readable), newest deletion first."""
    rows = [
        *Allocation.all_objects.filter(community=community, year=year, deleted_at__isnull=False),
        *Expenditure.all_objects.filter(community=community, year=year, deleted_at__isnull=False),
        *StaffPay.all_objects.filter(
            person__community=community, year=year, deleted_at__isnull=False
        ).select_related("person"),
    ]
    return sorted(rows, key=lambda r: r.deleted_at, reverse=True)


def years(community: Community) -> list[int]:
    found = set(community.allocations.values_list("year", flat=True))
    found |= set(community.expenditures.values_list("year", flat=True))
    return sorted(found, reverse=True)


def _total(model, year: int) -> Coalesce:
    # A subquery per relation: two Sums over two joins would multiply each other's rows.
    rows = (
        model.objects.filter(community=OuterRef("pk"), year=year)
        .order_by()
        .values("community")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=ZERO.output_field), ZERO)


def comparison(communities: QuerySet[Community], year: int) -> QuerySet[Community]:
    """Each community with the year's funds received and spent, in one query."""
    return communities.annotate(
        received=_total(Allocation, year), spent=_total(Expenditure, year)
    ).order_by("code")


@dataclass(frozen=True)
class PerThousand:
    actual: Decimal
    required: Decimal
    standard_code: str

    @property
    def widths(self) -> tuple[float, float]:
        top = max(self.actual, self.required) or Decimal(1)
        return float(self.actual / top * 100), float(self.required / top * 100)


def per_1000_households(community: Community, year: int, finding) -> PerThousand | None:
    """Work funds per 1,000 households against the per-household standard that applies.

    Uses the rule's own definitions (funding/ledger.py: which funds count, which band applies),
    so the chart and the finding cannot disagree. None where the standard is not a
    per-household one.
    """
    if (
        finding is None
        or finding.standard.rule_key != "funding.per_households"
        or not community.households
    ):
        return None
    work, _excluded = year_funds(Community.objects.filter(pk=community.pk), year).get(
        community.pk, (Decimal("0"), Decimal("0"))
    )
    rate = rate_for(finding.standard.params, community.code)
    return PerThousand(
        actual=(work * 1000 / community.households).quantize(Decimal("0.01")),
        required=Decimal(rate * 1000),
        standard_code=finding.standard.code,
    )


# --- records of the pages (the views read nothing else) ---------------------------------

LedgerRecord = TypeVar("LedgerRecord", bound=Allocation | Expenditure | StaffPay | AssignedTask)


def ledger_record_for(user: User, code: str, model: type[LedgerRecord], pk: int) -> LedgerRecord:
    """One record of a community inside the jurisdiction (pay through its person); 404
    otherwise. Deleted money records are not found: they are only read in their history."""
    through = "person__community" if model is StaffPay else "community"
    return community_record(user, code, model.objects.all(), pk, through)


def funding_finding(community: Community, on: datetime.date) -> Finding | None:
    """The funding standard that applies to ``community``, as last judged, with whether an
    exemption covers it on ``on`` (one query)."""
    return (
        Finding.objects.filter(
            community=community, is_current=True, standard__rule_key__startswith="funding.per_"
        )
        .annotate(exempted=exemptions.covered(on))
        .select_related("standard")
        .first()
    )


def assigned_tasks(community: Community) -> QuerySet[AssignedTask]:
    return community.assigned_tasks.order_by("-assigned_on")


def benchmarks_for(user: User) -> QuerySet[WageBenchmark]:
    """The wage benchmarks of the user's jurisdiction."""
    return WageBenchmark.objects.filter(access.scope_q(user)).order_by("code", "-year")
