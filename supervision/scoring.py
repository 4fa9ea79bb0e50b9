"""百分制考核: scoring every community from its findings as of a date, and ranking them.

Findings are intervals (``valid_from``–``valid_to``, compliance/intervals.py), so a year is
scored from the verdicts that held on the year's end. A standard with no verdict holding that
day, for a community that has others, did not apply: it does not count.

Points per standard of weight *w*:

* compliant → *w*; non-compliant, no data or never evaluated → 0 (missing data is never a pass);
* not applicable (or no longer applying) → left out, the other weights scaled up to 100;
* exempted on the date (a failing finding covered by an exemption in force) → by the bureau's
  rule: *w* (full), left out like not applicable (excluded), or 0 (zero).

Score = 100 × points ÷ the weights that count, rounded half up to 0.01; a community for which
nothing counts has no score and no rank. Ranks are competition ranks (1, 2, 2, 4) by score,
within the street and within the district. Publication freezes the scores (AssessmentScore),
so a published year reads the same whatever is evaluated later; ``verify`` recomputes it from
the stored findings to show that it still can be.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from compliance.models import Finding, Status
from divisions.models import Community
from supervision.models import Assessment, AssessmentScore, Exemption, active_exemption_q

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
FAILING = (Status.NON_COMPLIANT, Status.NO_DATA)


@dataclass(frozen=True)
class Line:
    standard: str  # the standard's code
    status: str  # a Status value, or "" when never evaluated on or before the date
    exempted_by: str  # who granted the exemption in force on the date ("" if none)

    @property
    def exempted(self) -> bool:
        return bool(self.exempted_by)

    points: Decimal | None  # None when left out
    as_of: datetime.date | None  # the date of the finding used

    def as_json(self) -> list:
        return [
            self.standard,
            self.status,
            self.exempted_by,
            None if self.points is None else str(self.points),
            self.as_of.isoformat() if self.as_of else None,
        ]

    @classmethod
    def from_json(cls, row: list) -> Line:
        code, status, exempted_by, points, as_of = row
        return cls(
            code,
            status,
            exempted_by,
            None if points is None else Decimal(points),
            datetime.date.fromisoformat(as_of) if as_of else None,
        )


@dataclass
class CommunityScore:
    community_id: int
    code: str
    name: str
    score: Decimal | None
    lines: list[Line]
    rank_in_street: int | None = None
    rank_in_district: int | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def evaluated(self) -> bool:
        return any(line.status for line in self.lines)


def scoring_date(assessment: Assessment, today: datetime.date | None = None) -> datetime.date:
    """The year's end; for a year not yet over, today (a provisional score)."""
    if assessment.as_of:
        return assessment.as_of
    return min(assessment.year_end, today or timezone.localdate())


def points_for(status: str, exempted: bool, weight: Decimal, rule: str) -> Decimal | None:
    """The points one standard earns (None: left out of the score)."""
    if status == Status.COMPLIANT:
        return weight
    if status in FAILING and exempted:
        by_rule: dict[str, Decimal] = {
            Assessment.ExemptedRule.FULL: weight,
            Assessment.ExemptedRule.ZERO: Decimal(0),
        }
        return by_rule.get(rule)  # EXCLUDED: left out
    if status in FAILING or status == "":
        return Decimal(0)
    return None  # not applicable


def total(lines: list[Line], weights: dict[str, Decimal]) -> Decimal | None:
    counted = [(line.standard, line.points) for line in lines if line.points is not None]
    base = sum((weights[standard] for standard, _points in counted), Decimal(0))
    if not base:
        return None
    earned = sum((points for _standard, points in counted), Decimal(0))
    return (earned * HUNDRED / base).quantize(CENT, rounding=ROUND_HALF_UP)


def rank(scores: list[CommunityScore]) -> None:
    """Competition ranks within each street (9 digits) and district (6 digits)."""
    for length, attr in ((9, "rank_in_street"), (6, "rank_in_district")):
        groups: dict[str, list[tuple[Decimal, CommunityScore]]] = defaultdict(list)
        for s in scores:
            if s.score is not None:
                groups[s.code[:length]].append((s.score, s))
        for members in groups.values():
            members.sort(key=lambda member: (-member[0], member[1].code))
            previous, position = None, 0
            for index, (score, s) in enumerate(members, start=1):
                if score != previous:
                    position, previous = index, score
                setattr(s, attr, position)


def compute(assessment: Assessment, as_of: datetime.date | None = None) -> list[CommunityScore]:
    """Score and rank every community under the assessment's code from the stored findings.

    Two queries whatever the number of communities: one over the communities with, per
    standard, the status and date of its latest finding on or before the date (an index
    lookup each), and one for the exemptions in force on that date.
    """
    as_of = as_of or scoring_date(assessment)
    items = list(assessment.items.select_related("standard").order_by("standard__code"))
    weights = {item.standard.code: item.weight for item in items}
    annotations = {}
    for i, item in enumerate(items):
        # The verdict that held on the date (at most one interval holds it).
        findings = Finding.objects.on(as_of).filter(
            community_id=OuterRef("pk"), standard_id=item.standard_id
        )
        annotations[f"s{i}"] = Subquery(findings.values("status")[:1])
        annotations[f"d{i}"] = Subquery(findings.values("valid_from")[:1])
    rows = (
        Community.objects.filter(code__startswith=assessment.code)
        .order_by("code")
        .values("pk", "code", "name")
        .annotate(**annotations)
    )
    exempted = {
        (community_id, standard_id): full_name or username or ""
        for community_id, standard_id, full_name, username in _exemptions(assessment, items, as_of)
    }
    scores = []
    for row in rows:
        dates = [row[f"d{i}"] for i in range(len(items)) if row[f"d{i}"]]
        latest = max(dates) if dates else None
        lines, counts = (
            [],
            dict.fromkeys(("compliant", "non_compliant", "no_data", "exempted", "excluded"), 0),
        )
        for i, item in enumerate(items):
            status, date = row[f"s{i}"] or "", row[f"d{i}"]
            if latest is not None and date is None:
                status = Status.NOT_APPLICABLE  # no verdict held on the date: not applicable
            by = exempted.get((row["pk"], item.standard_id)) if status in FAILING else None
            has_exemption = by is not None
            points = points_for(status, has_exemption, item.weight, assessment.exempted_rule)
            # "—" when the granter's account is gone: the line must still read as exempted.
            lines.append(
                Line(item.standard.code, status, (by or "—") if has_exemption else "", points, date)
            )
            if has_exemption:
                counts["exempted"] += 1
            elif status in counts:
                counts[status] += 1
            elif status == "":
                counts["no_data"] += 1
            else:
                counts["excluded"] += 1
        score = total(lines, weights) if latest else None
        scores.append(
            CommunityScore(row["pk"], row["code"], row["name"], score, lines, counts=counts)
        )
    rank(scores)
    return scores


def _exemptions(assessment: Assessment, items, as_of: datetime.date):
    return (
        Exemption.objects.filter(
            active_exemption_q(as_of),
            code__startswith=assessment.code,
            standard_id__in=[item.standard_id for item in items],
        )
        .order_by("expires_on")
        .values_list("community_id", "standard_id", "decided_by__full_name", "decided_by__username")
    )


def from_snapshot(score: AssessmentScore) -> CommunityScore:
    return CommunityScore(
        score.community_id,
        score.code,
        score.name,
        score.score,
        [Line.from_json(row) for row in score.detail],
        score.rank_in_street,
        score.rank_in_district,
        {
            "compliant": score.compliant,
            "non_compliant": score.non_compliant,
            "no_data": score.no_data,
            "exempted": score.exempted,
            "excluded": score.excluded,
        },
    )


def to_snapshot(assessment: Assessment, s: CommunityScore) -> AssessmentScore:
    return AssessmentScore(
        assessment=assessment,
        community_id=s.community_id,
        code=s.code,
        name=s.name,
        score=s.score,
        rank_in_street=s.rank_in_street,
        rank_in_district=s.rank_in_district,
        detail=[line.as_json() for line in s.lines],
        **s.counts,
    )


@dataclass(frozen=True)
class Difference:
    code: str
    name: str
    published: Decimal | None
    recomputed: Decimal | None


def verify(assessment: Assessment) -> list[Difference]:
    """Recompute a published assessment from the stored findings and list the communities
    whose score differs from the published one (empty: the year is reproduced)."""
    published = dict(
        AssessmentScore.objects.filter(assessment=assessment).values_list("community_id", "score")
    )
    differences = []
    for s in compute(assessment, assessment.as_of):
        if s.community_id not in published or published[s.community_id] != s.score:
            differences.append(Difference(s.code, s.name, published.get(s.community_id), s.score))
    return differences
