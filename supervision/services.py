"""Writes of supervision: notices and their life, disputes and exemptions, assessments.

Each function checks that the action fits the record's state (a ValidationError in Chinese
otherwise, shown next to the form), saves, and records who did it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.engine import evaluate_communities
from compliance.models import Finding, Standard, Status
from compliance.rules import INFO_RULE
from compliance.services import assign
from core.models import User
from divisions.models import Community
from supervision import scoring
from supervision.models import (
    Assessment,
    AssessmentItem,
    AssessmentScore,
    Exemption,
    NoticeEvent,
    NoticeItem,
    RectificationNotice,
    active_exemption_q,
)

State = RectificationNotice.State
SNAPSHOT_BATCH = 2000


def _save(instance) -> None:
    instance.full_clean()
    instance.save()


# --- notices -----------------------------------------------------------------------------


@transaction.atomic
def notices_issue(
    *,
    actor: User,
    findings: list[Finding],
    due_on: datetime.date,
    instructions: str,
    today: datetime.date | None = None,
) -> list[RectificationNotice]:
    """One notice per community for the selected failing findings (the caller resolved them
    inside the jurisdiction). Findings an unfinished notice already covers are refused."""
    today = today or timezone.localdate()
    if due_on < today:
        raise ValidationError({"due_on": _("整改期限不能早于今天。")})
    covered = [f for f in findings if getattr(f, "open_notice", False)]
    if covered:
        raise ValidationError(
            {
                "selected": _("这些结果已有未办结的整改通知:%(items)s")
                % {"items": "、".join(f"{f.community.name} {f.standard.code}" for f in covered)}
            }
        )
    by_community: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_community[finding.community_id].append(finding)
    notices = []
    for group in by_community.values():
        community = group[0].community
        notice = RectificationNotice(
            community=community,
            code=community.code,
            instructions=instructions,
            due_on=due_on,
            issued_by=actor,
            issued_on=today,
        )
        _save(notice)
        NoticeItem.objects.bulk_create(
            NoticeItem(
                notice=notice,
                standard=f.standard,
                status_at_issue=f.status,
                measured_at_issue=f.measured,
                expected=f.expected,
                as_of_at_issue=f.valid_from,
            )
            for f in group
        )
        NoticeEvent.objects.create(notice=notice, kind=NoticeEvent.Kind.ISSUED, actor=actor)
        notices.append(notice)
    return notices


@transaction.atomic
def notice_respond(*, actor: User, notice: RectificationNotice, event: NoticeEvent) -> NoticeEvent:
    """The committee says what it did, with evidence (issued or returned → responded)."""
    notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state not in RectificationNotice.OPEN_STATES:
        raise ValidationError(
            _("该通知当前为“%(s)s”,不能再反馈。") % {"s": notice.get_state_display()}
        )
    event.notice, event.kind, event.actor = notice, NoticeEvent.Kind.RESPONDED, actor
    _save(event)
    notice.state = State.RESPONDED
    _save(notice)
    return event


@transaction.atomic
def notice_accept(
    *, actor: User, notice: RectificationNotice, comment: str = ""
) -> RectificationNotice:
    """The street office accepts the rectification: the notice is closed (responded →
    accepted)."""
    notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != State.RESPONDED:
        raise ValidationError(_("只有已反馈的通知才能验收。"))
    NoticeEvent.objects.create(
        notice=notice, kind=NoticeEvent.Kind.ACCEPTED, actor=actor, text=comment
    )
    notice.state, notice.closed_on = State.ACCEPTED, timezone.localdate()
    _save(notice)
    return notice


@transaction.atomic
def notice_return(*, actor: User, notice: RectificationNotice, reason: str) -> RectificationNotice:
    """The street office sends it back with a reason (responded → returned)."""
    notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != State.RESPONDED:
        raise ValidationError(_("只有已反馈的通知才能退回。"))
    if not reason.strip():
        raise ValidationError({"comment": _("退回时请说明理由。")})
    _save(NoticeEvent(notice=notice, kind=NoticeEvent.Kind.RETURNED, actor=actor, text=reason))
    notice.state = State.RETURNED
    _save(notice)
    return notice


# --- disputes and exemptions -------------------------------------------------------------


@transaction.atomic
def dispute_raise(
    *, actor: User, community: Community, standard: Standard, reason: str
) -> Exemption:
    """A committee contests a failing current finding of its community."""
    today = timezone.localdate()
    finding = Finding.objects.filter(
        community=community, standard=standard, is_current=True
    ).first()
    if finding is None or finding.status not in (Status.NON_COMPLIANT, Status.NO_DATA):
        raise ValidationError({"standard": _("只能对未达标或缺少数据的结果提出申诉。")})
    if Exemption.objects.filter(active_exemption_q(today), community=community, standard=standard):
        raise ValidationError({"standard": _("这一项已在豁免期内。")})
    if Exemption.objects.filter(
        community=community, standard=standard, state=Exemption.State.PENDING
    ).exists():
        raise ValidationError({"standard": _("这一项已有待裁定的申诉。")})
    dispute = Exemption(
        community=community,
        code=community.code,
        standard=standard,
        reason=reason,
        raised_by=actor,
        raised_on=today,
        status_at_request=finding.status,
        measured_at_request=finding.measured,
    )
    _save(dispute)
    return dispute


@transaction.atomic
def dispute_decide(
    *,
    actor: User,
    dispute: Exemption,
    grant: bool,
    reason: str,
    expires_on: datetime.date | None = None,
) -> Exemption:
    """A street or bureau user grants an exemption until a date, or rejects the dispute."""
    dispute = Exemption.objects.select_for_update().get(pk=dispute.pk)
    if dispute.state != Exemption.State.PENDING:
        raise ValidationError(_("该申诉已裁定(%(s)s)。") % {"s": dispute.get_state_display()})
    today = timezone.localdate()
    if grant and (expires_on is None or expires_on < today):
        raise ValidationError({"expires_on": _("豁免截止日期不能早于今天。")})
    dispute.state = Exemption.State.GRANTED if grant else Exemption.State.REJECTED
    dispute.decided_by, dispute.decided_on = actor, today
    dispute.decision_reason = reason
    dispute.expires_on = expires_on if grant else None
    _save(dispute)
    return dispute


# --- assessments -------------------------------------------------------------------------


ASSESSMENT_FIELDS = ("title", "year", "code", "exempted_rule")


@dataclass(frozen=True)
class ItemData:
    """A standard an assessment scores, and its weight (points out of 100)."""

    standard: Standard
    weight: Decimal


def _item_errors(items: Sequence[ItemData]) -> dict[str, list[str]]:
    """The weighted standards must be community standards (not information), each once, and
    their weights sum to 100. Keyed ``items.<n>.<field>``, or for the whole list."""
    if not items:
        return {NON_FIELD_ERRORS: [_("请至少选择一项标准。")]}
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for n, item in enumerate(items):
        standard = item.standard
        if standard.level != Standard.Level.COMMUNITY or standard.rule_key == INFO_RULE:
            errors[f"items.{n}.standard"] = [_("请选择标准库中的条款。")]
        elif standard.pk in seen:
            errors[f"items.{n}.standard"] = [_("同一标准只能出现一次。")]
        seen.add(standard.pk)
    total = sum((item.weight for item in items), Decimal(0))
    if not errors and total != 100:
        errors[NON_FIELD_ERRORS] = [
            _("各项权重之和应为 100 分,现为 %(total)s 分。") % {"total": f"{total.normalize():f}"}
        ]
    return errors


@transaction.atomic
def assessment_save(
    *,
    actor: User,
    assessment: Assessment | None,
    data: Mapping[str, Any],
    items: Sequence[ItemData],
) -> Assessment:
    """Create a draft assessment (``assessment`` None) or change a draft: its fields, and its
    weighted standards, which become ``items``. Refusals about an item are keyed
    ``items.<index in items>.<field>``; nothing is saved unless all is valid."""
    if assessment is None:
        assessment = Assessment(created_by=actor)
    elif Assessment.objects.get(pk=assessment.pk).is_published:
        raise ValidationError(_("已发布的考核不能修改。"))
    assign(assessment, data, ASSESSMENT_FIELDS)
    errors = _item_errors(items)
    existing = {row.standard_id: row for row in assessment.items.all()} if assessment.pk else {}
    changed: list[AssessmentItem] = []
    for n, item in enumerate(items):
        row = existing.get(item.standard.pk) or AssessmentItem(standard=item.standard)
        if not row._state.adding and row.weight == item.weight:
            continue
        row.weight = item.weight
        try:
            row.full_clean(exclude=["assessment"])  # a new assessment has no id yet
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(f"items.{n}.{field}", messages)
        changed.append(row)
    if errors:
        raise ValidationError(errors)
    _save(assessment)
    assessment.items.exclude(standard_id__in=[item.standard.pk for item in items]).delete()
    for row in changed:
        row.assessment = assessment
        row.save()
    return assessment


@transaction.atomic
def assessment_publish(*, actor: User, assessment: Assessment) -> int:
    """Score every community as of the year's end and freeze the scores. The year must be
    over: a published ranking is final. Returns the number of communities scored."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_published:
        raise ValidationError(_("该考核已发布。"))
    if timezone.localdate() <= assessment.year_end:
        raise ValidationError(
            _("%(year)s 年度尚未结束,年末之后才能发布;现在看到的是截至今天的预览。")
            % {"year": assessment.year}
        )
    if not assessment.items.exists():
        raise ValidationError(_("请先选择考核标准。"))
    scores = scoring.compute(assessment, assessment.year_end)
    AssessmentScore.objects.filter(assessment=assessment).delete()
    AssessmentScore.objects.bulk_create(
        (scoring.to_snapshot(assessment, s) for s in scores), batch_size=SNAPSHOT_BATCH
    )
    assessment.state = Assessment.State.PUBLISHED
    assessment.as_of = assessment.year_end
    assessment.published_by, assessment.published_at = actor, timezone.now()
    _save(assessment)
    return len(scores)


def assessment_evaluate(*, actor: User, assessment: Assessment) -> int:
    """Evaluate the assessment's communities as of the year's end (for a year without stored
    findings then), from the records as they are now. Only drafts: a published year is
    frozen."""
    if assessment.is_published:
        raise ValidationError(_("已发布的考核不再重新评估。"))
    as_of = scoring.scoring_date(assessment)
    return evaluate_communities(Community.objects.filter(code__startswith=assessment.code), as_of)
