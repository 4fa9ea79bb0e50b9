"""Scoped reads of compliance findings and standards for pages and exports."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace

from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Community
from portal import exemptions
from portal.compliance import Applicability, Resolver, judge_communities, load_candidates
from portal.models import Finding, JurisdictionFinding, Standard, Status
from portal.rules import MISSING_RECORDS, Verdict

STATUS_ORDER = [Status.NON_COMPLIANT, Status.NO_DATA, Status.COMPLIANT, Status.NOT_APPLICABLE]
EXEMPTED_LABEL = _("已豁免")


def _status_counts() -> dict:
    return {f"n_{status.value}": Count("id", filter=Q(status=status)) for status in Status}


@dataclass
class Tally:
    compliant: int = 0
    non_compliant: int = 0
    no_data: int = 0
    not_applicable: int = 0
    # Failing findings covered by an exemption in force (portal/exemptions.py): moved out of
    # non_compliant / no_data, shown apart, and left out of the rate's numerator and denominator.
    exempted: int = 0

    @property
    def judged(self) -> int:
        return self.compliant + self.non_compliant

    @property
    def total(self) -> int:
        return (
            self.compliant + self.non_compliant + self.no_data + self.not_applicable + self.exempted
        )

    def exempt(self, status: str, n: int) -> None:
        """Count ``n`` findings of ``status`` as exempted instead."""
        setattr(self, status, getattr(self, status) - n)
        self.exempted += n

    @property
    def rate(self) -> float | None:
        """Share compliant among the findings that could be judged (no_data is not a pass)."""
        judged = self.compliant + self.non_compliant + self.no_data
        return self.compliant / judged if judged else None

    def share(self, status: str) -> float:
        return getattr(self, status) / self.total if self.total else 0.0

    @property
    def rate_percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"

    @property
    def segments(self) -> list[tuple[str, str, float, float, int]]:
        """(status, label, x, width, count) for a stacked SVG bar 100 units wide."""
        out, x = [], 0.0
        shown = [
            (Status.COMPLIANT.value, Status.COMPLIANT.label),
            (Status.NO_DATA.value, Status.NO_DATA.label),
            ("exempted", EXEMPTED_LABEL),
            (Status.NON_COMPLIANT.value, Status.NON_COMPLIANT.label),
        ]
        judged = self.compliant + self.no_data + self.non_compliant + self.exempted
        for status, label in shown:
            count = getattr(self, status)
            width = 100 * count / judged if judged else 0.0
            if count:
                out.append((str(status), str(label), round(x, 2), round(width, 2), count))
            x += width
        return out

    @classmethod
    def from_row(cls, row: dict) -> Tally:
        return cls(**{status.value: row.get(f"n_{status.value}", 0) for status in Status})


def current_findings(prefix: str) -> QuerySet[Finding]:
    return Finding.objects.filter(is_current=True, code__startswith=prefix)


@dataclass
class StandardRow:
    standard: Standard
    tally: Tally


@dataclass
class Dashboard:
    as_of: datetime.date | None
    tally: Tally
    standards: list[StandardRow]
    worst: list[dict]
    children: dict[str, Tally] = field(default_factory=dict)
    aggregates: list[JurisdictionFinding] = field(default_factory=list)


def _exempted_counts(findings: QuerySet[Finding], child_length: int | None) -> list[dict]:
    """Exempted findings by standard, child division and status: one query (exemptions are
    few, so are the rows)."""
    return list(
        findings.filter(exemptions.exempted_q(timezone.localdate()))
        .annotate(child=Substr("code", 1, child_length or 12))
        .values("standard_id", "child", "status")
        .annotate(n=Count("id"))
        .order_by()
    )


def dashboard(
    prefix: str, child_length: int | None, code: str | None = None, worst: int = 10
) -> Dashboard:
    """Everything a jurisdiction dashboard shows, in a fixed number of queries."""
    findings = current_findings(prefix)
    per_standard = {
        row["standard_id"]: Tally.from_row(row)
        for row in findings.values("standard_id").annotate(**_status_counts()).order_by()
    }
    exempted = _exempted_counts(findings, child_length)
    for row in exempted:
        per_standard[row["standard_id"]].exempt(row["status"], row["n"])
    standards = Standard.objects.filter(pk__in=list(per_standard)).select_related("document")
    rows = sorted(
        (StandardRow(s, per_standard[s.pk]) for s in standards),
        key=lambda r: (r.tally.rate if r.tally.rate is not None else 2, r.standard.code),
    )
    total = Tally()
    for tally in per_standard.values():
        for status in [*Status, "exempted"]:
            setattr(total, status, getattr(total, status) + getattr(tally, status))
    worst_rows = list(
        findings.filter(status=Status.NON_COMPLIANT)
        .exclude(exemptions.exempted_q(timezone.localdate()))
        .values("code", "community__name")
        .annotate(n=Count("id"))
        .order_by("-n", "code")[:worst]
    )
    children = {}
    if child_length:
        children = {
            row["child"]: Tally.from_row(row)
            for row in findings.annotate(child=Substr("code", 1, child_length))
            .values("child")
            .annotate(**_status_counts())
            .order_by()
        }
        for row in exempted:
            children[row["child"]].exempt(row["status"], row["n"])
    as_of = findings.aggregate(latest=Max("as_of"))["latest"]
    aggregates = []
    if code:
        aggregates = list(
            JurisdictionFinding.objects.filter(code=code, is_current=True)
            .select_related("standard__document")
            .order_by("standard__code")
        )
    return Dashboard(as_of, total, rows, worst_rows, children, aggregates)


@dataclass(frozen=True)
class CommunityFindingRow:
    standard: Standard
    status: str
    measured: str
    expected: str
    explanation: str
    missing_label: str
    missing_url_name: str
    exemption: exemptions.ExemptionNote | None = None  # set when an exemption covers it

    @property
    def status_label(self) -> str:
        return Status(self.status).label


@dataclass
class CommunityCompliance:
    as_of: datetime.date | None
    rows: list[CommunityFindingRow]
    not_applicable: list[Applicability]
    live: bool  # True when judged on the fly for a chosen date rather than read from storage

    @property
    def tally(self) -> Tally:
        tally = Tally()
        for row in self.rows:
            setattr(tally, row.status, getattr(tally, row.status) + 1)
            if row.exemption:
                tally.exempt(row.status, 1)
        return tally


def _row(standard: Standard, verdict: Verdict | Finding) -> CommunityFindingRow:
    missing = MISSING_RECORDS.get(verdict.missing)
    return CommunityFindingRow(
        standard,
        verdict.status,
        verdict.measured,
        verdict.expected,
        verdict.explanation,
        str(missing.label) if missing else "",
        missing.url_name if missing else "",
    )


def _order(rows: list[CommunityFindingRow]) -> list[CommunityFindingRow]:
    return sorted(rows, key=lambda r: (STATUS_ORDER.index(r.status), r.standard.code))


def _with_exemptions(
    community: Community, rows: list[CommunityFindingRow], on: datetime.date
) -> list[CommunityFindingRow]:
    """Mark the failing rows an exemption in force covers (one query)."""
    found = exemptions.notes(on, community_ids=[community.pk])
    return [
        replace(row, exemption=found[(community.pk, row.standard.pk)])
        if row.status in exemptions.EXEMPTIBLE and (community.pk, row.standard.pk) in found
        else row
        for row in rows
    ]


def community_compliance(
    community: Community, as_of: datetime.date | None = None
) -> CommunityCompliance:
    """The community's findings: stored current ones, or judged live for a chosen date."""
    if as_of is None:
        stored = list(
            Finding.objects.filter(community=community, is_current=True).select_related(
                "standard__document"
            )
        )
        date = stored[0].as_of if stored else None
        resolver = Resolver(load_candidates(date or datetime.date.today()))
        judged = {f.standard_id for f in stored}
        return CommunityCompliance(
            date,
            _with_exemptions(
                community, _order([_row(f.standard, f) for f in stored]), timezone.localdate()
            ),
            [
                a
                for a in resolver.resolve(community.code)
                if not a.applies and a.standard.pk not in judged
            ],
            live=False,
        )
    resolver = Resolver(load_candidates(as_of))
    outcomes = judge_communities(Community.objects.filter(pk=community.pk), as_of, resolver)
    return CommunityCompliance(
        as_of,
        _with_exemptions(
            community,
            _order([_row(o.candidate.standard, o.verdict) for o in outcomes.get(community.pk, [])]),
            as_of,
        ),
        [a for a in resolver.resolve(community.code) if not a.applies],
        live=True,
    )


def matrix(prefix: str) -> tuple[list[Standard], QuerySet]:
    """Standards in use under a prefix, and the (code, name, standard, status) rows to pivot."""
    findings = current_findings(prefix)
    standards = list(
        Standard.objects.filter(pk__in=findings.values("standard_id").distinct())
        .select_related("document")
        .order_by("code")
    )
    rows = findings.order_by("code").values_list("code", "community__name", "standard_id", "status")
    return standards, rows


def exempted_notes(prefix: str) -> dict[tuple[str, int], exemptions.ExemptionNote]:
    """Exemptions in force today under ``prefix``, by (community code, standard id): the
    matrix export marks the failing findings they cover (one query)."""
    today = timezone.localdate()
    notes = exemptions.notes(today, prefix=prefix)
    return {(note.code, standard): note for (_pk, standard), note in notes.items()}


def findings_by_community(community_ids: list[int], rule_prefix: str) -> dict[int, list[Finding]]:
    """Current findings of the rules under ``rule_prefix`` (e.g. "facilities.") for a page of
    communities, in one query: the comparisons show them beside the figures."""
    found: dict[int, list[Finding]] = {}
    for finding in (
        Finding.objects.filter(
            community_id__in=community_ids,
            is_current=True,
            standard__rule_key__startswith=rule_prefix,
        )
        .annotate(
            exempted=ExpressionWrapper(
                exemptions.exempted_q(timezone.localdate()), output_field=BooleanField()
            )
        )
        .select_related("standard")
        .order_by("standard__code")
    ):
        found.setdefault(finding.community_id, []).append(finding)
    return found
