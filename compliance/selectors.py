"""Scoped reads of compliance findings and standards for pages and exports."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance import exemptions
from compliance.engine import (
    Applicability,
    applicability,
    judge_communities,
)
from compliance.models import (
    Finding,
    JurisdictionFinding,
    PolicyDocument,
    Rollup,
    Standard,
    Status,
)
from compliance.rules import MISSING_RECORDS, Verdict
from divisions.models import COMMUNITY_CODE_LENGTH, Community

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

STATUS_ORDER: list[str] = [
    Status.NON_COMPLIANT,
    Status.NO_DATA,
    Status.COMPLIANT,
    Status.NOT_APPLICABLE,
]
EXEMPTED_LABEL = _("已豁免")


@dataclass
class Tally:
    compliant: int = 0
    non_compliant: int = 0
    no_data: int = 0
    not_applicable: int = 0
    # Failing findings covered by an exemption in force (compliance/exemptions.py): moved out of
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


def current_findings(prefix: str) -> QuerySet[Finding]:
    return Finding.objects.filter(is_current=True, code__startswith=prefix)


@dataclass
class StandardRow:
    standard: Standard
    tally: Tally


class Dashboard:
    """What a jurisdiction dashboard shows, read from the roll-ups (compliance/rollups.py).

    The division's own rows are read at once (its total and its standards), and so are the
    exempted findings under it (compliance/exemptions.py: an overlay that changes with the date and
    the supervision app's decisions, never stored in the roll-ups; exemptions are few, so this
    is one small query); the children and the worst communities only when a template asks for
    them, so that a page serving its compliance sections from the cache (keyed by
    ``generation``) does not query them at all.
    """

    def __init__(
        self, prefix: str, child_length: int | None, code: str | None = None, worst: int = 10
    ):
        self.prefix, self.child_length, self.code, self.worst_count = (
            prefix,
            child_length,
            code,
            worst,
        )
        # The standards themselves are loaded only if the cached section must be rendered.
        self._own = list(Rollup.objects.filter(code=prefix))
        total_row = next((r for r in self._own if r.standard_id is None), None)
        self.as_of = total_row.as_of if total_row else None
        self._exempted = _exempted_counts(prefix)
        self.tally = _tally(total_row) if total_row else Tally()
        for row in self._exempted:
            self.tally.exempt(row["status"], row["n"])

    @property
    def generation(self) -> str:
        """Changes whenever the roll-ups under this division are recounted (every refresh
        rewrites the division's own rows) or adjusted (each delta bumps a row's revision) or
        an exemption starts or ends: the key of its cached page fragments."""
        newest = max((r.pk for r in self._own), default=0)
        rollups = f"{newest}.{sum(r.revision for r in self._own)}"  # recounts and deltas
        if not self._exempted:
            return str(rollups)
        overlay = sorted((r["standard_id"], r["code"], r["status"], r["n"]) for r in self._exempted)
        digest = hashlib.sha1(repr(overlay).encode()).hexdigest()[:12]
        return f"{rollups}-{digest}"

    @cached_property
    def standards(self) -> list[StandardRow]:
        rows = [r for r in self._own if r.standard_id is not None]
        standards = Standard.objects.select_related("document").in_bulk(
            [r.standard_id for r in rows]
        )
        tallies = {r.standard_id: _tally(r) for r in rows}
        for row in self._exempted:
            if row["standard_id"] in tallies:
                tallies[row["standard_id"]].exempt(row["status"], row["n"])
        return sorted(
            (StandardRow(standards[pk], tally) for pk, tally in tallies.items()),
            key=lambda r: (r.tally.rate if r.tally.rate is not None else 2, r.standard.code),
        )

    def _totals(self) -> QuerySet[Rollup]:
        totals = Rollup.objects.filter(standard__isnull=True)
        return totals.filter(code__startswith=self.prefix) if self.prefix else totals

    @cached_property
    def worst(self) -> list[dict]:
        # Exempted non-compliant findings do not count. A community with exemptions can only
        # move down, so reading as many extra candidates as there are such communities and
        # re-sorting gives the exact list.
        excused: dict[str, int] = {}
        for row in self._exempted:
            if row["status"] == Status.NON_COMPLIANT:
                excused[row["code"]] = excused.get(row["code"], 0) + row["n"]
        names = Community.objects.filter(code=OuterRef("code")).values("name")[:1]
        candidates = [
            {
                "code": r.code,
                "community__name": r.name,
                "n": r.non_compliant - excused.get(r.code, 0),
            }
            for r in self._totals()
            .filter(length=COMMUNITY_CODE_LENGTH, non_compliant__gt=0)
            .annotate(name=Subquery(names))
            .order_by("-non_compliant", "code")[: self.worst_count + len(excused)]
        ]
        ranked = sorted((c for c in candidates if c["n"] > 0), key=lambda c: (-c["n"], c["code"]))
        return ranked[: self.worst_count]

    @cached_property
    def children(self) -> dict[str, Tally]:
        if not self.child_length:
            return {}
        tallies = {r.code: _tally(r) for r in self._totals().filter(length=self.child_length)}
        for row in self._exempted:
            child = tallies.get(row["code"][: self.child_length])
            if child is not None:
                child.exempt(row["status"], row["n"])
        return {code: tally for code, tally in tallies.items() if tally.total}

    @cached_property
    def aggregates(self) -> list[JurisdictionFinding]:
        if not self.code:
            return []
        return list(
            JurisdictionFinding.objects.filter(code=self.code, is_current=True)
            .select_related("standard__document")
            .order_by("standard__code")
        )


def _tally(row: Rollup) -> Tally:
    return Tally(**{status.value: getattr(row, status.value) for status in Status})


def _exempted_counts(prefix: str) -> list[dict]:
    """Current findings under ``prefix`` that an exemption in force covers, counted by standard,
    community and status. Driven by the exempted communities' codes, so it reads a handful of
    findings, not the jurisdiction's."""
    today = timezone.localdate()
    codes = exemptions.active_codes(today, prefix)
    if codes is None:
        return []
    return list(
        current_findings(prefix)
        .filter(code__in=codes)
        .filter(exemptions.exempted_q(today))
        .values("standard_id", "code", "status")
        .annotate(n=Count("id"))
        .order_by()
    )


def dashboard(
    prefix: str, child_length: int | None, code: str | None = None, worst: int = 10
) -> Dashboard:
    """Everything a jurisdiction dashboard shows, from the roll-ups: five queries at most
    whatever the size of the jurisdiction, one when its sections come from the cache."""
    return Dashboard(prefix, child_length, code, worst)


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
    def status_label(self) -> StrOrPromise:
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
    """The community's findings: the current verdicts, or those that held on a chosen date
    (read from the intervals); judged live only for a date before any stored verdict."""
    findings = Finding.objects.filter(community=community).select_related("standard__document")
    stored = list(findings.on(as_of) if as_of else findings.filter(is_current=True))
    if as_of is None or stored:
        date = as_of or max((f.valid_from for f in stored), default=None)
        judged = {f.standard_id for f in stored}
        return CommunityCompliance(
            date,
            _with_exemptions(
                community,
                _order([_row(f.standard, f) for f in stored]),
                as_of or timezone.localdate(),
            ),
            [
                a
                for a in applicability(community, date or datetime.date.today())
                if not a.applies and a.standard.pk not in judged
            ],
            live=False,
        )
    outcomes = judge_communities(Community.objects.filter(pk=community.pk), as_of)
    return CommunityCompliance(
        as_of,
        _with_exemptions(
            community,
            _order([_row(o.candidate.standard, o.verdict) for o in outcomes.get(community.pk, [])]),
            as_of,
        ),
        [a for a in applicability(community, as_of) if not a.applies],
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


def failing_findings(prefix: str, on: datetime.date) -> QuerySet[Finding]:
    """Current non-compliant and no-data findings under ``prefix`` (a division the caller found
    in the jurisdiction), with whether an exemption covers each on ``on``: the street report."""
    return (
        current_findings(prefix)
        .filter(status__in=[Status.NON_COMPLIANT, Status.NO_DATA])
        .annotate(exempted=exemptions.covered(on))
        .select_related("standard__document", "community")
        .order_by("code", "standard__code")
    )


# --- the standards library: national and local rules are public, so not scoped -------------


def standards(query: str = "", document: str | None = None) -> QuerySet[Standard]:
    """The library, searched in codes, titles, quotes, documents and rules, or one document's."""
    found = Standard.objects.select_related("document").order_by("document__key", "code")
    if query:
        found = found.filter(
            Q(code__icontains=query)
            | Q(title__icontains=query)
            | Q(quote__icontains=query)
            | Q(document__title__icontains=query)
            | Q(rule_key__icontains=query)
        )
    if document:
        found = found.filter(document__key=document)
    return found


def documents() -> QuerySet[PolicyDocument]:
    return PolicyDocument.objects.order_by("key")


def standard_for(code: str) -> Standard:
    """One standard of the library by its code; 404 if there is none."""
    standard = Standard.objects.select_related("document").filter(code=code).first()
    if standard is None:
        raise Http404
    return standard
