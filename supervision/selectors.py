"""Scoped reads of notices, exemptions and assessments. Every list honours a code prefix that
the caller has already checked against the user's jurisdiction (or the user's scope itself)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from compliance import exemptions
from compliance.exemptions import ExemptionNote
from compliance.models import Finding, Standard, Status
from core import access
from core.models import Role, User
from divisions.models import Community
from divisions.selectors import community_record
from supervision import scoring
from supervision.models import (
    Assessment,
    AssessmentItem,
    Exemption,
    NoticeEvent,
    NoticeItem,
    RectificationNotice,
    active_exemption_q,
)

ISSUE_LIMIT = 500  # findings listed at once on the issue page: narrow with the filters beyond
NOT_CLOSED = (
    RectificationNotice.State.ISSUED,
    RectificationNotice.State.RESPONDED,
    RectificationNotice.State.RETURNED,
)


# --- permissions -------------------------------------------------------------------------


def may_supervise(user: User, code: str) -> bool:
    """Issue and review notices, decide disputes: street offices and bureaus over the code."""
    return access.can_evaluate(user, code)


def may_respond(user: User, code: str) -> bool:
    """Respond to a notice, contest a finding: those who keep the community's records."""
    return access.can_write(user, code)


def may_manage_assessments(user: User, code: str | None = None) -> bool:
    """Define and publish assessments: bureaus (over ``code`` when given)."""
    return access.is_unrestricted(user) or access.has_role(user, Role.BUREAU, code)


# --- exemptions as seen by the compliance pages (compliance/exemptions.py) -------------------


class _ExemptionSource:
    def active(self, on: datetime.date) -> QuerySet[Exemption]:
        return Exemption.objects.filter(active_exemption_q(on))

    def notes(
        self,
        on: datetime.date,
        *,
        prefix: str | None = None,
        community_ids: Iterable[int] | None = None,
    ) -> dict[tuple[int, int], ExemptionNote]:
        rows = self.active(on)
        if prefix is not None:
            rows = rows.filter(code__startswith=prefix)
        if community_ids is not None:
            rows = rows.filter(community_id__in=list(community_ids))
        found = {}
        # The latest expiry wins when two exemptions overlap.
        for e in rows.select_related("decided_by").order_by("expires_on", "pk"):
            assert e.expires_on is not None  # granted: always (a constraint)
            found[(e.community_id, e.standard_id)] = ExemptionNote(
                str(e.decided_by or ""), e.expires_on, e.decision_reason, e.code
            )
        return found


EXEMPTION_SOURCE = _ExemptionSource()


# --- notices -----------------------------------------------------------------------------


def _current(field: str):
    return Subquery(
        Finding.objects.filter(
            is_current=True,
            community_id=OuterRef("notice__community_id"),
            standard_id=OuterRef("standard_id"),
        ).values(field)[:1]
    )


def with_progress(notices: QuerySet[RectificationNotice]) -> QuerySet[RectificationNotice]:
    """Notices with their items, each item with the current finding's status: one more query
    for the whole page (``NoticeItem.current_status``)."""
    return notices.select_related("community", "issued_by").prefetch_related(
        Prefetch(
            "items",
            queryset=NoticeItem.objects.select_related("standard").annotate(
                current_status=_current("status"), current_measured=_current("measured")
            ),
        )
    )


def notices_under(prefix: str) -> QuerySet[RectificationNotice]:
    return RectificationNotice.objects.filter(code__startswith=prefix)


def filter_notices(
    notices: QuerySet[RectificationNotice], state: str, today: datetime.date
) -> QuerySet[RectificationNotice]:
    if state == "overdue":
        return notices.filter(state__in=RectificationNotice.OPEN_STATES, due_on__lt=today)
    if state == "open":
        return notices.filter(state__in=NOT_CLOSED)
    if state in RectificationNotice.State.values:
        return notices.filter(state=state)
    return notices


def notice_for(user: User, code: str, pk: int) -> RectificationNotice:
    return community_record(user, code, with_progress(RectificationNotice.objects.all()), pk)


def notice_events(notice: RectificationNotice) -> list[NoticeEvent]:
    return list(notice.events.select_related("actor"))


def response_for(user: User, code: str, pk: int) -> NoticeEvent:
    """A response with an attachment, inside the jurisdiction (404 otherwise)."""
    event = community_record(
        user,
        code,
        NoticeEvent.objects.filter(kind=NoticeEvent.Kind.RESPONDED).exclude(attachment=""),
        pk,
        "notice__community",
    )
    return event


@dataclass(frozen=True)
class NoticeCounts:
    open: int
    overdue: int
    awaiting_review: int
    pending_disputes: int


def notice_counts(prefix: str, today: datetime.date) -> NoticeCounts:
    row = notices_under(prefix).aggregate(
        n_open=Count("pk", filter=Q(state__in=RectificationNotice.OPEN_STATES)),
        n_overdue=Count(
            "pk", filter=Q(state__in=RectificationNotice.OPEN_STATES, due_on__lt=today)
        ),
        n_review=Count("pk", filter=Q(state=RectificationNotice.State.RESPONDED)),
    )
    pending = Exemption.objects.filter(
        code__startswith=prefix, state=Exemption.State.PENDING
    ).count()
    return NoticeCounts(row["n_open"], row["n_overdue"], row["n_review"], pending)


def overdue_notices(prefix: str, today: datetime.date, limit: int = 10):
    return list(
        filter_notices(notices_under(prefix), "overdue", today)
        .select_related("community")
        .annotate(item_count=Count("items"))
        .order_by("due_on", "code")[:limit]
    )


@dataclass(frozen=True)
class IssueCandidate:
    finding: Finding
    key: str  # "<community code>:<standard code>", what the form posts back
    open_notice: bool

    @property
    def selectable(self) -> bool:
        return not self.open_notice


def _open_notice_exists() -> Exists:
    return Exists(
        NoticeItem.objects.filter(
            notice__community_id=OuterRef("community_id"),
            standard_id=OuterRef("standard_id"),
            notice__state__in=NOT_CLOSED,
        )
    )


def issue_candidates(
    prefix: str,
    *,
    status: str = Status.NON_COMPLIANT,
    standard: str | None = None,
    community: str | None = None,
    limit: int = ISSUE_LIMIT,
) -> tuple[int, list[IssueCandidate]]:
    """Failing current findings under ``prefix`` a notice may be issued for (exempted ones are
    excused, so left out), with whether an unfinished notice already covers them."""
    findings = (
        Finding.objects.filter(is_current=True, code__startswith=prefix, status=status)
        .exclude(exemptions.exempted_q(timezone.localdate()))
        .annotate(open_notice=_open_notice_exists())
    )
    if standard:
        findings = findings.filter(standard__code=standard)
    if community:
        findings = findings.filter(code=community)
    findings = findings.select_related("community", "standard").order_by("code", "standard__code")
    total = findings.count()
    return total, [
        IssueCandidate(f, f"{f.code}:{f.standard.code}", f.open_notice) for f in findings[:limit]
    ]


def failing_standards(prefix: str, status: str = Status.NON_COMPLIANT) -> list[dict]:
    """Standards with failing current findings under ``prefix``, with how many: the filter of
    the issue page ("every community below GD-13b in my street")."""
    return list(
        Finding.objects.filter(is_current=True, code__startswith=prefix, status=status)
        .values("standard__code", "standard__title")
        .annotate(n=Count("id"))
        .order_by("standard__code")
    )


def resolve_selection(prefix: str, keys: Iterable[str], status: str) -> list[Finding]:
    """The current failing findings the posted keys name, all under ``prefix`` (others are
    dropped: a key from another jurisdiction finds nothing)."""
    pairs = set()
    for key in keys:
        code, _sep, standard = key.partition(":")
        if code.startswith(prefix) and standard:
            pairs.add((code, standard))
    if not pairs:
        return []
    q = Q(pk__in=[])
    for code, standard in pairs:
        q |= Q(code=code, standard__code=standard)
    return list(
        Finding.objects.filter(q, is_current=True, code__startswith=prefix, status=status)
        .exclude(exemptions.exempted_q(timezone.localdate()))
        .annotate(open_notice=_open_notice_exists())
        .select_related("community", "standard")
        .order_by("code", "standard__code")
    )


def community_notices(community: Community) -> QuerySet[RectificationNotice]:
    return with_progress(community.rectification_notices.order_by("-issued_on", "-pk"))


def open_notices_for_home(code: str) -> list[RectificationNotice]:
    """The unfinished notices of one community, for the committee's home page."""
    return list(
        with_progress(
            RectificationNotice.objects.filter(code=code, state__in=NOT_CLOSED).order_by(
                "due_on", "pk"
            )
        )
    )


# --- disputes and exemptions -------------------------------------------------------------


def exemptions_under(prefix: str) -> QuerySet[Exemption]:
    return Exemption.objects.filter(code__startswith=prefix).select_related(
        "community", "standard", "raised_by", "decided_by"
    )


def filter_exemptions(
    rows: QuerySet[Exemption], state: str, today: datetime.date
) -> QuerySet[Exemption]:
    if state == "active":
        return rows.filter(active_exemption_q(today))
    if state == "expired":
        return rows.filter(state=Exemption.State.GRANTED, expires_on__lt=today)
    if state in Exemption.State.values:
        return rows.filter(state=state)
    return rows


def exemption_for(user: User, code: str, pk: int) -> Exemption:
    return community_record(
        user,
        code,
        Exemption.objects.select_related("community", "standard", "raised_by", "decided_by"),
        pk,
    )


def contestable_findings(community: Community) -> list[Finding]:
    """The community's failing current findings that have no pending dispute and no exemption
    in force: what the committee may contest."""
    today = timezone.localdate()
    return list(
        Finding.objects.filter(
            community=community, is_current=True, status__in=exemptions.EXEMPTIBLE
        )
        .exclude(exemptions.exempted_q(today))
        .exclude(
            Exists(
                Exemption.objects.filter(
                    community_id=OuterRef("community_id"),
                    standard_id=OuterRef("standard_id"),
                    state=Exemption.State.PENDING,
                )
            )
        )
        .select_related("standard")
        .order_by("standard__code")
    )


def community_exemptions(community: Community) -> QuerySet[Exemption]:
    return community.exemptions.select_related("standard", "raised_by", "decided_by").order_by(
        "-raised_on", "-pk"
    )


# --- assessments -------------------------------------------------------------------------


def _overlaps(user: User, code: str) -> bool:
    """The assessment's scope and the user's jurisdiction share communities."""
    return access.is_unrestricted(user) or any(
        p.startswith(code) or code.startswith(p) for p in access.prefixes(user)
    )


def assessments_for(user: User) -> list[Assessment]:
    """Published assessments that cover part of the user's jurisdiction, and the drafts of the
    bureaus the user belongs to."""
    rows = Assessment.objects.annotate(item_count=Count("items")).order_by("-year", "code", "title")
    if not access.is_unrestricted(user):
        # Inside the jurisdiction, or one of the divisions above it: one indexed query.
        above = {p[:n] for p in access.prefixes(user) for n in (2, 4, 6, 9) if n <= len(p)}
        rows = rows.filter(access.scope_q(user) | Q(code__in=above))
    return [
        a
        for a in rows
        if (a.is_published and _overlaps(user, a.code)) or may_manage_assessments(user, a.code)
    ]


def assessment_for(user: User, pk: int) -> Assessment:
    assessment = Assessment.objects.filter(pk=pk).first()
    if assessment is None:
        raise Http404
    if may_manage_assessments(user, assessment.code):
        return assessment
    if assessment.is_published and _overlaps(user, assessment.code):
        return assessment
    raise Http404


def visible_prefix(user: User, assessment: Assessment) -> list[str]:
    """The prefixes of the assessment's scores the user may see (the assessment's code, or the
    parts of the user's jurisdiction inside it)."""
    if access.is_unrestricted(user) or may_manage_assessments(user, assessment.code):
        return [assessment.code]
    inside = [p for p in access.prefixes(user) if p.startswith(assessment.code)]
    return inside or [assessment.code]


def standards_for_assessment() -> QuerySet[Standard]:
    return Standard.objects.filter(level=Standard.Level.COMMUNITY).exclude(rule_key="info")


def assessment_items(assessment: Assessment) -> list[AssessmentItem]:
    """The assessment's weighted standards (found through ``assessment_for``), by code."""
    return list(assessment.items.select_related("standard__document").order_by("standard__code"))


def assessment_community_count(assessment: Assessment) -> int:
    """How many communities the assessment scores (found through ``assessment_for``)."""
    return Community.objects.filter(code__startswith=assessment.code).count()


def scores_for(user: User, assessment: Assessment) -> list[scoring.CommunityScore]:
    """The scores the user may see: frozen ones once published, a live preview before."""
    visible = visible_prefix(user, assessment)
    if assessment.is_published:
        rows = assessment.scores.all()
        if visible != [assessment.code]:
            inside = Q(pk__in=[])
            for prefix in visible:
                inside |= Q(code__startswith=prefix)
            rows = rows.filter(inside)
        return [scoring.from_snapshot(s) for s in rows.order_by("code")]
    return [s for s in scoring.compute(assessment) if any(s.code.startswith(p) for p in visible)]
