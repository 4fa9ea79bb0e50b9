"""Writes of meetings, resolutions and disclosures."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from committees.services import record_save
from governance.models import Meeting, Resolution
from portal.models import Standard
from portal.rules import meets_fraction

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
def resolution_save(*, actor, resolution: Resolution, meeting: Meeting) -> Resolution:
    """Freeze the attendance and the rule used, and compute whether it passed."""
    fraction, cite = majority_rule()
    resolution.meeting = meeting
    resolution.present = meeting.attended
    resolution.passed = meets_fraction(
        resolution.votes_for, resolution.present, {**DEFAULT_MAJORITY, **fraction}
    )
    resolution.rule = cite[:100]
    return record_save(actor=actor, instance=resolution, community=meeting.community)
