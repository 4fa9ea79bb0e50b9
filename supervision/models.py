"""Supervision (监督): rectification notices, disputes and exemptions, annual assessments.

Findings are rewritten at every evaluation (the rows of a date are deleted and inserted again),
so nothing here points at a Finding row: a notice item, an exemption or an assessment line names
the community and the standard, and keeps a copy of what the finding said when it was acted on.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from compliance.models import Status
from core.models import code_validator
from core.uploads import FileKindValidator

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class RectificationNotice(models.Model):
    """整改通知: a street office asks one community to fix one or more failing findings."""

    class State(models.TextChoices):
        ISSUED = "issued", _("待整改")
        RESPONDED = "responded", _("已反馈,待验收")
        RETURNED = "returned", _("已退回,待重新整改")
        ACCEPTED = "accepted", _("已验收办结")

    OPEN_STATES = (State.ISSUED, State.RETURNED)  # the committee has to act

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="rectification_notices",
    )
    # Copied from the community so that jurisdiction lists are one indexed prefix scan.
    code = models.CharField(_("社区代码"), max_length=12, db_index=True)
    instructions = models.TextField(_("整改要求"))
    due_on = models.DateField(_("整改期限"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.ISSUED)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_on = models.DateField(_("下发日期"))
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("issued_on")),
                name="notice_due_not_before_issued",
                violation_error_message=_("整改期限不能早于下发日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(instructions=""),
                name="notice_instructions_not_empty",
                violation_error_message=_("请填写整改要求。"),
            ),
            models.CheckConstraint(
                condition=Q(state="accepted", closed_on__isnull=False)
                | (~Q(state="accepted") & Q(closed_on__isnull=True)),
                name="notice_closed_when_accepted",
                violation_error_message=_("只有已验收的通知才有办结日期。"),
            ),
            models.CheckConstraint(
                condition=Q(Exact(Length("code"), 12)),
                name="notice_code_is_a_community",
                violation_error_message=_("社区代码应为 12 位。"),
            ),
        ]
        indexes = [models.Index(fields=["state", "due_on"], name="notice_state_due")]

    def __str__(self) -> str:
        return f"{self.code} {self.get_state_display()} {self.due_on}"

    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_overdue(self, on: datetime.date) -> bool:
        return self.state in self.OPEN_STATES and self.due_on < on

    # Progress reads the items' current findings, annotated by selectors.with_progress.
    @property
    def n_items(self) -> int:
        return len(self.items.all())

    @property
    def n_fixed(self) -> int:
        return sum(
            1 for i in self.items.all() if getattr(i, "current_status", None) == Status.COMPLIANT
        )

    @property
    def all_fixed(self) -> bool:
        """Every finding the notice is about is compliant now (the notice says so)."""
        return bool(self.n_items) and self.n_fixed == self.n_items


class NoticeItem(models.Model):
    """One finding a notice is about, as it stood when the notice was issued."""

    notice = models.ForeignKey(
        RectificationNotice,
        verbose_name=_("整改通知"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    standard = models.ForeignKey(
        "compliance.Standard",
        verbose_name=_("标准条款"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status_at_issue = models.CharField(_("下发时结果"), max_length=20, choices=Status.choices)
    measured_at_issue = models.CharField(_("下发时实际"), max_length=200, blank=True)
    expected = models.CharField(_("标准"), max_length=200, blank=True)
    as_of_at_issue = models.DateField(_("下发时评估日期"))

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["standard__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "standard"],
                name="notice_item_unique_standard",
                violation_error_message=_("同一通知中一项标准只列一次。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.standard_id}"

    @property
    def fixed(self) -> bool:
        return getattr(self, "current_status", None) == Status.COMPLIANT

    @property
    def current_status_label(self) -> StrOrPromise:
        status = getattr(self, "current_status", None)
        return Status(status).label if status else ""


# A photo, a PDF or an Office document, checked by content as well as name (core.uploads).
EVIDENCE_FILE = FileKindValidator(("docx", "jpg", "pdf", "png", "xlsx"))


def evidence_path(instance: NoticeEvent, filename: str) -> str:
    # Files are served through a scoped view, never from MEDIA_URL: the path is not a secret.
    return f"supervision/{instance.notice.code}/{filename}"


class NoticeEvent(models.Model):
    """The history of a notice: issued, responded (with evidence), accepted, returned."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("下发")
        RESPONDED = "responded", _("反馈整改情况")
        ACCEPTED = "accepted", _("验收通过")
        RETURNED = "returned", _("退回")

    notice = models.ForeignKey(
        RectificationNotice,
        verbose_name=_("整改通知"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("操作"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    text = models.TextField(_("说明"), blank=True)
    evidence_link = models.CharField(_("相关记录链接"), max_length=300, blank=True)
    evidence_note = models.CharField(_("佐证说明"), max_length=500, blank=True)
    attachment = models.FileField(
        _("附件"),
        upload_to=evidence_path,
        max_length=200,
        blank=True,
        validators=[EVIDENCE_FILE],
    )

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="responded")
                | (~Q(text="") & (~Q(evidence_link="") | ~Q(evidence_note="") | ~Q(attachment=""))),
                name="notice_response_has_evidence",
                violation_error_message=_("整改反馈须说明整改情况并提供佐证。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind="returned") | ~Q(text=""),
                name="notice_return_has_reason",
                violation_error_message=_("退回须说明理由。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.get_kind_display()}"

    @property
    def attachment_name(self) -> str:
        return self.attachment.name.rsplit("/", 1)[-1] if self.attachment else ""


class Exemption(models.Model):
    """申诉与豁免: a committee contests a finding; a street or bureau grants or rejects it.

    A granted exemption is active from the day it was granted to its expiry date, both
    included. While active, the finding is shown as exempted in every rate and export."""

    class State(models.TextChoices):
        PENDING = "pending", _("待裁定")
        GRANTED = "granted", _("已豁免")
        REJECTED = "rejected", _("已驳回")

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="exemptions",
    )
    code = models.CharField(_("社区代码"), max_length=12, db_index=True)
    standard = models.ForeignKey(
        "compliance.Standard",
        verbose_name=_("标准条款"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING)
    reason = models.TextField(_("申诉理由"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申诉人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raised_on = models.DateField(_("申诉日期"))
    status_at_request = models.CharField(_("申诉时结果"), max_length=20, choices=Status.choices)
    measured_at_request = models.CharField(_("申诉时实际"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("裁定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_on = models.DateField(_("裁定日期"), null=True, blank=True)
    decision_reason = models.TextField(_("裁定理由"), blank=True)
    expires_on = models.DateField(_("豁免截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("申诉与豁免")
        verbose_name_plural = _("申诉与豁免")
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="exemption_reason_not_empty",
                violation_error_message=_("请填写申诉理由。"),
            ),
            models.CheckConstraint(
                condition=Q(state="pending")
                | (Q(decided_on__isnull=False) & ~Q(decision_reason="")),
                name="exemption_decision_has_reason",
                violation_error_message=_("裁定须填写理由。"),
            ),
            models.CheckConstraint(
                condition=~Q(state="granted")
                | Q(expires_on__isnull=False, expires_on__gte=F("decided_on")),
                name="exemption_granted_has_expiry",
                violation_error_message=_("豁免须有截止日期,且不早于裁定日期。"),
            ),
            models.UniqueConstraint(
                fields=["community", "standard"],
                condition=Q(state="pending"),
                name="exemption_one_pending_per_finding",
                violation_error_message=_("这一项已有待裁定的申诉。"),
            ),
        ]
        indexes = [
            models.Index(fields=["community", "standard", "state"], name="exemption_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.standard_id} {self.get_state_display()}"

    def is_active(self, on: datetime.date) -> bool:
        return (
            self.state == self.State.GRANTED
            and self.decided_on is not None
            and self.expires_on is not None  # always, when granted (a constraint)
            and self.decided_on <= on <= self.expires_on
        )


def active_exemption_q(on: datetime.date) -> Q:
    """Exemptions in force on ``on``: granted, decided on or before, expiring on or after."""
    return Q(state=Exemption.State.GRANTED, decided_on__lte=on, expires_on__gte=on)


class Assessment(models.Model):
    """百分制考核: a bureau's yearly score of every community from its findings."""

    class ExemptedRule(models.TextChoices):
        FULL = "full", _("按满分计")
        EXCLUDED = "excluded", _("不计入,其余权重按比例折算")
        ZERO = "zero", _("按零分计")

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    code = models.CharField(
        _("考核范围"),
        max_length=9,
        validators=[code_validator],
        help_text=_("区划代码:市 4 位、区县 6 位(或省 2 位)。"),
    )
    year = models.PositiveSmallIntegerField(
        _("考核年度"),
        validators=[
            MinValueValidator(2000, _("年度不能早于 2000 年。")),
            MaxValueValidator(2100, _("年度不能晚于 2100 年。")),
        ],
    )
    title = models.CharField(_("考核名称"), max_length=100)
    exempted_rule = models.CharField(
        _("豁免项计分"),
        max_length=20,
        choices=ExemptedRule.choices,
        default=ExemptedRule.EXCLUDED,
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    as_of = models.DateField(_("计分日期"), null=True, blank=True)

    # Not a field: the name of the division, set by the list of assessments.
    scope_name: str

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-year", "code", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "year", "title"],
                name="assessment_unique_title",
                violation_error_message=_("这一年度已有同名的考核。"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="assessment_year_range",
                violation_error_message=_("年度应在 2000 至 2100 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(published_at__isnull=False, as_of__isnull=False),
                name="assessment_published_has_date",
                violation_error_message=_("已发布的考核须有发布时间和计分日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    @property
    def year_end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class AssessmentItem(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("年度考核"), on_delete=models.CASCADE, related_name="items"
    )
    standard = models.ForeignKey(
        "compliance.Standard",
        verbose_name=_("标准条款"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    weight = models.DecimalField(
        _("权重(分)"),
        max_digits=5,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.01"), _("权重须大于 0。")),
            MaxValueValidator(100, _("权重不能超过 100。")),
        ],
    )

    class Meta:
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")
        ordering = ["standard__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "standard"],
                name="assessment_item_unique_standard",
                violation_error_message=_("同一考核中一项标准只能出现一次。"),
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=100),
                name="assessment_item_weight_range",
                violation_error_message=_("权重应大于 0 且不超过 100。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard_id} {self.weight}"


class AssessmentScore(models.Model):
    """A community's published score, frozen at publication so the year stays reproducible."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("年度考核"), on_delete=models.CASCADE, related_name="scores"
    )
    community = models.ForeignKey(
        "divisions.Community", verbose_name=_("社区"), on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(_("社区代码"), max_length=12)
    name = models.CharField(_("社区名称"), max_length=100)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    rank_in_street = models.PositiveIntegerField(_("街道内排名"), null=True, blank=True)
    rank_in_district = models.PositiveIntegerField(_("区县内排名"), null=True, blank=True)
    compliant = models.PositiveIntegerField(_("达标"), default=0)
    non_compliant = models.PositiveIntegerField(_("未达标"), default=0)
    no_data = models.PositiveIntegerField(_("缺少数据"), default=0)
    exempted = models.PositiveIntegerField(_("豁免"), default=0)
    excluded = models.PositiveIntegerField(_("不计入"), default=0)
    # Per standard: [code, status, exempted by (name or ""), points or None, finding date].
    detail = models.JSONField(_("明细"), default=list)

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "community"], name="assessment_score_unique_community"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="assessment_score_range",
                violation_error_message=_("得分应在 0 至 100 之间。"),
            ),
        ]
        indexes = [models.Index(fields=["assessment", "code"], name="assessment_score_code")]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.code} {self.score}"
