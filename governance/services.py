"""Writes of meetings, resolutions, disclosures, major matters, covenants and public services.

Views pass the validated field values, never a form. Each write validates, saves with who did it
(the record's history) and re-judges the community.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees.models import Person
from compliance.engine import Candidate, applicable_standards, reevaluate_community
from compliance.rules import meets_fraction
from compliance.services import assign, community_record_save, record_save
from core import audit
from core.models import User
from divisions.models import Community
from governance.matters import STEP_NAMES, progress
from governance.models import (
    Attachment,
    Attendance,
    Covenant,
    Disclosure,
    DisclosureAttachment,
    FinanceLine,
    MajorMatter,
    MatterStep,
    Meeting,
    MeetingAttachment,
    PublicService,
    Resolution,
)

# 第九条 of the law (N89-09, N18-09; N25-quorum from 2026): more than half of those present.
# Used only when no meeting standard applies (a bureau retired them), and then cited as such,
# never as a clause that was not in force on the day.
DEFAULT_MAJORITY = {"numerator": 1, "denominator": 2, "strict": True}
DEFAULT_CITE = gettext_lazy("无适用标准,按默认")
MEETING_QUORUM_KEY = "governance.meeting_quorum"  # the rule of N18-09 (governance/rules.py)

# What a user may set on each record; the community (meeting, matter) comes from the page.
MEETING_FIELDS = (
    "kind",
    "title",
    "date",
    "held",
    "entitled",
    "attended",
    "facility",
    "place",
    "convened_by",
    "agenda",
    "minutes",
)
RESOLUTION_FIELDS = ("title", "text", "votes_for", "votes_against", "abstentions", "published")
DISCLOSURE_FIELDS = (
    "category",
    "title",
    "content",
    "period_start",
    "period_end",
    "published_on",
    "displayed_until",
    "channel",
)
MATTER_FIELDS = ("title", "description")
STEP_FIELDS = ("step", "date", "meeting", "resolution", "disclosure", "note")
COVENANT_FIELDS = ("title", "text", "adopted_on", "meeting", "filed_on", "filed_with")
PUBLIC_SERVICE_FIELDS = ("name", *PublicService.SIX, "published_on", "withdrawn_on")


def _demand(candidate: Candidate) -> tuple[Fraction, bool]:
    votes = candidate.params["votes"]
    return Fraction(votes["numerator"], votes["denominator"]), votes["strict"]


def majority_rule(community: Community, on: datetime.date) -> tuple[dict, str]:
    """The voting fraction a resolution of the community needs on the day of its meeting, and
    how to cite it: of the meeting standards in force that day (the law's version of the day —
    N89-09, N18-09 or N25-quorum — or a local one asking more), the strictest: a resolution
    that meets it meets them all."""
    applicable = applicable_standards(community, on, [MEETING_QUORUM_KEY])
    standards = applicable.get(MEETING_QUORUM_KEY, [])
    chosen = max(standards, key=_demand) if standards else None
    fraction = chosen.params["votes"] if chosen else DEFAULT_MAJORITY
    cite = _("赞成票%(cmp)s到会人数的 %(n)s/%(d)s(%(code)s)") % {
        "cmp": _("超过") if fraction["strict"] else _("不少于"),
        "n": fraction["numerator"],
        "d": fraction["denominator"],
        "code": chosen.standard.code if chosen else DEFAULT_CITE,
    }
    return fraction, cite


@transaction.atomic
def meeting_save(
    *,
    actor: User,
    community: Community,
    meeting: Meeting | None,
    data: Mapping[str, Any],
    attendees: Sequence[Person] | None = None,
) -> Meeting:
    """Record a meeting of ``community`` (``meeting`` None) or change one; a list of
    attendees (bodies with a roster) replaces the recorded one."""
    meeting = community_record_save(
        actor=actor,
        community=community,
        record=meeting or Meeting(community=community),
        data=data,
        fields=MEETING_FIELDS,
    )
    if attendees is not None:
        wanted = {person.pk for person in attendees}
        meeting.attendance.exclude(person__in=wanted).delete()
        present = set(meeting.attendance.values_list("person", flat=True))
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, person_id=pk) for pk in sorted(wanted - present)
        )
    return meeting


@transaction.atomic
def resolution_save(*, actor: User, meeting: Meeting, data: Mapping[str, Any]) -> Resolution:
    """Record a resolution of a held meeting: freeze the attendance and the rule used, and
    compute whether it passed. The rule is the standard that applies to the community on the
    day of the meeting."""
    if not meeting.held or meeting.attended is None:
        raise ValidationError(_("会议尚未召开,不能登记表决结果。"))
    resolution = Resolution(meeting=meeting)
    assign(resolution, data, RESOLUTION_FIELDS)
    fraction, cite = majority_rule(meeting.community, meeting.date)
    resolution.present = meeting.attended
    resolution.passed = meets_fraction(
        resolution.votes_for, resolution.present, {**DEFAULT_MAJORITY, **fraction}
    )
    resolution.rule = cite[:100]
    record_save(actor=actor, instance=resolution, community=meeting.community)
    return resolution


@transaction.atomic
def disclosure_save(
    *,
    actor: User,
    community: Community,
    disclosure: Disclosure | None,
    data: Mapping[str, Any],
) -> Disclosure:
    return community_record_save(
        actor=actor,
        community=community,
        record=disclosure or Disclosure(community=community),
        data=data,
        fields=DISCLOSURE_FIELDS,
    )


@dataclass(frozen=True)
class FinanceLineData:
    """One income or spending line of a financial disclosure."""

    direction: str
    item: str
    amount: Decimal
    pk: int | None = None  # a line the disclosure has; None: a new one


@transaction.atomic
def finance_lines_save(
    *,
    actor: User,
    disclosure: Disclosure,
    lines: Sequence[FinanceLineData],
    deleted: Sequence[int] = (),
) -> None:
    """Save the income and spending lines of a financial disclosure as one change: ``lines``
    are added or changed, the lines ``deleted`` names removed; the others are left as they are
    (someone else may have added one meanwhile).

    Refusals are keyed ``lines.<index in lines>.<field>``, so that a page can show each next to
    its row. Nothing is saved unless every line is valid.
    """
    if disclosure.category != Disclosure.Category.FINANCE:
        raise ValueError("only a financial disclosure has lines")
    existing = {line.pk: line for line in disclosure.lines.all()}
    errors: dict[str, list[str]] = {}
    changed: list[FinanceLine] = []
    for index, data in enumerate(lines):
        line = FinanceLine(disclosure=disclosure) if data.pk is None else existing.get(data.pk)
        if line is None:
            errors[f"lines.{index}.{NON_FIELD_ERRORS}"] = [
                _("这一行已被删除或不属于本公开事项,请刷新后重新填写。")
            ]
            continue
        values = {"direction": data.direction, "item": data.item, "amount": data.amount}
        if not line._state.adding and all(getattr(line, k) == v for k, v in values.items()):
            continue  # unchanged: no new version in its history
        assign(line, values, values.keys())
        try:
            # The disclosure is the one given: checking that it exists, once per line, is waste.
            line.full_clean(exclude=["disclosure"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"lines.{index}.{field}"] = messages
        changed.append(line)
    if errors:
        raise ValidationError(errors)
    for line in changed:
        audit.record_actor(line, actor)
        line.save()
    for pk in deleted:
        gone = existing.get(pk)
        if gone is not None:
            audit.record_actor(gone, actor)
            gone.delete()
    reevaluate_community(disclosure.community)


def _attachment_add(*, actor: User, attachment: Attachment, upload: UploadedFile) -> None:
    """Keep an uploaded file (already checked by type, content and size) with its record."""
    attachment.name = (upload.name or "")[:200]
    attachment.size = upload.size or 0
    attachment.file = upload
    audit.save_as(attachment, actor=actor)


@transaction.atomic
def meeting_attachment_add(
    *, actor: User, meeting: Meeting, upload: UploadedFile
) -> MeetingAttachment:
    attachment = MeetingAttachment(meeting=meeting)
    _attachment_add(actor=actor, attachment=attachment, upload=upload)
    return attachment


@transaction.atomic
def disclosure_attachment_add(
    *, actor: User, disclosure: Disclosure, upload: UploadedFile
) -> DisclosureAttachment:
    attachment = DisclosureAttachment(disclosure=disclosure)
    _attachment_add(actor=actor, attachment=attachment, upload=upload)
    return attachment


@transaction.atomic
def matter_save(
    *,
    actor: User,
    community: Community,
    matter: MajorMatter | None,
    data: Mapping[str, Any],
) -> MajorMatter:
    return community_record_save(
        actor=actor,
        community=community,
        record=matter or MajorMatter(community=community),
        data=data,
        fields=MATTER_FIELDS,
    )


@transaction.atomic
def matter_step_record(*, actor: User, matter: MajorMatter, data: Mapping[str, Any]) -> MatterStep:
    """Record the next step of a major matter; out of order is refused (GD-07 步骤有序).

    A step linked to a meeting (or to a resolution, so its meeting) or to a disclosure takes
    its date from it. The matter row is locked so that two people recording at once cannot
    both add a step."""
    matter = MajorMatter.objects.select_for_update().get(pk=matter.pk)
    step = MatterStep(matter=matter)
    assign(step, data, STEP_FIELDS)
    if step.resolution is not None:
        step.meeting = step.resolution.meeting
    if step.meeting is not None:
        step.date = step.meeting.date
    elif step.disclosure is not None and step.disclosure.published_on is not None:
        step.date = step.disclosure.published_on
    current = progress(matter.steps.values_list("step", "date", "resolution__passed").order_by())
    if current.next_step != step.step:
        if current.next_step is None:
            raise ValidationError(_("该事项的“四议两公开”已全部完成,不能再登记步骤。"))
        raise ValidationError(
            _("请按顺序办理:下一步应为“%(step)s”。") % {"step": STEP_NAMES[current.next_step]}
        )
    if current.last_date and step.date < current.last_date:
        raise ValidationError(_("该步骤的日期早于上一步骤的日期,顺序不符。"))
    record_save(actor=actor, instance=step, community=matter.community)
    return step


@transaction.atomic
def covenant_save(
    *,
    actor: User,
    community: Community,
    covenant: Covenant | None,
    data: Mapping[str, Any],
) -> Covenant:
    return community_record_save(
        actor=actor,
        community=community,
        record=covenant or Covenant(community=community),
        data=data,
        fields=COVENANT_FIELDS,
    )


@transaction.atomic
def public_service_save(
    *,
    actor: User,
    community: Community,
    service: PublicService | None,
    data: Mapping[str, Any],
) -> PublicService:
    return community_record_save(
        actor=actor,
        community=community,
        record=service or PublicService(community=community),
        data=data,
        fields=PUBLIC_SERVICE_FIELDS,
    )
