"""Writes of meetings, resolutions and disclosures."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from committees.models import Person
from compliance.engine import reevaluate_community
from compliance.models import Standard
from compliance.rules import meets_fraction
from compliance.services import record_save
from core.models import User
from governance.matters import STEP_NAMES, progress
from governance.models import Attendance, MajorMatter, MatterStep, Meeting, Resolution

# N18-09 第九条: decisions need more than half of those present.
DEFAULT_MAJORITY = {"numerator": 1, "denominator": 2, "strict": True}


def majority_rule() -> tuple[dict, str]:
    """The voting fraction of the meeting standard on record, and how to cite it."""
    standard = Standard.objects.filter(code="N18-09").select_related("document").first()
    fraction = (standard.params.get("votes") if standard else None) or DEFAULT_MAJORITY
    if not isinstance(fraction, dict) or not {"numerator", "denominator"} <= set(fraction):
        fraction = DEFAULT_MAJORITY
    cite = _("赞成票%(cmp)s到会人数的 %(n)s/%(d)s(%(code)s)") % {
        "cmp": _("超过") if fraction.get("strict", True) else _("不少于"),
        "n": fraction["numerator"],
        "d": fraction["denominator"],
        "code": standard.code if standard else "N18-09",
    }
    return fraction, cite


@transaction.atomic
def resolution_save(*, actor: User, resolution: Resolution, meeting: Meeting) -> Resolution:
    """Freeze the attendance and the rule used, and compute whether it passed."""
    fraction, cite = majority_rule()
    resolution.meeting = meeting
    assert meeting.attended is not None  # ResolutionForm: only a held meeting's attendance
    resolution.present = meeting.attended
    resolution.passed = meets_fraction(
        resolution.votes_for, resolution.present, {**DEFAULT_MAJORITY, **fraction}
    )
    resolution.rule = cite[:100]
    return record_save(actor=actor, instance=resolution, community=meeting.community)


@transaction.atomic
def meeting_save(
    *, actor: User, meeting: Meeting, attendees: list[Person] | None = None
) -> Meeting:
    """Save a meeting; a list of attendees (bodies with a roster) replaces the recorded one."""
    record_save(actor=actor, instance=meeting, community=meeting.community)
    if attendees is not None:
        wanted = {person.pk for person in attendees}
        meeting.attendance.exclude(person__in=wanted).delete()
        present = set(meeting.attendance.values_list("person", flat=True))
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, person_id=pk) for pk in sorted(wanted - present)
        )
    return meeting


@transaction.atomic
def matter_step_record(*, actor: User, step: MatterStep) -> MatterStep:
    """Record the next step of a major matter; out of order is refused (GD-07 步骤有序).

    The matter row is locked so that two people recording at once cannot both add a step."""
    matter = MajorMatter.objects.select_for_update().get(pk=step.matter_id)
    current = progress(matter.steps.values_list("step", "date", "resolution__passed").order_by())
    if current.next_step != step.step:
        if current.next_step is None:
            raise ValidationError(_("该事项的“四议两公开”已全部完成,不能再登记步骤。"))
        raise ValidationError(
            _("请按顺序办理:下一步应为“%(step)s”。") % {"step": STEP_NAMES[current.next_step]}
        )
    if current.last_date and step.date < current.last_date:
        raise ValidationError(_("该步骤的日期早于上一步骤的日期,顺序不符。"))
    return record_save(actor=actor, instance=step, community=matter.community)


@transaction.atomic
def finance_lines_save(*, actor: User, formset) -> None:
    """Save the income and spending lines of a financial disclosure as one change."""
    for form in formset.forms:
        form.instance._history_user = actor  # deletions: the history middleware's request user
    formset.save()
    reevaluate_community(formset.instance.community)


@transaction.atomic
def attachment_add(*, actor: User, attachment, upload):
    """Keep an uploaded file (already checked by type, content and size) with its record."""
    attachment.name = upload.name[:200]
    attachment.size = upload.size
    attachment.file = upload
    attachment._history_user = actor
    attachment.full_clean()
    attachment.save()
    return attachment
