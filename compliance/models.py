"""The compliance engine's data: policy documents, standards, findings, roll-ups."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.status import Status
from compliance.validation import validate_scope_prefixes, validate_standard

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = ["Finding", "JurisdictionFinding", "PolicyDocument", "Rollup", "Standard", "Status"]


class PolicyDocument(models.Model):
    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("现行有效")
        DRAFT = "draft", _("征求意见稿")
        REPEALED = "repealed", _("已废止")

    class Tier(models.TextChoices):
        # National law binds everywhere, alongside local rules; among policies (provincial,
        # local, default profiles) the most specific one wins for each rule.
        LAW = "law", _("国家法律")
        POLICY = "policy", _("政策文件")

    key = models.CharField(_("简称"), max_length=20, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True)
    number = models.CharField(_("文号"), max_length=100, blank=True)
    issued_on = models.DateField(_("发布日期"), null=True, blank=True)
    effective_from = models.DateField(_("施行日期"), null=True, blank=True)
    effective_to = models.DateField(
        _("失效日期"), null=True, blank=True, help_text=_("最后一天有效的日期;空表示长期有效。")
    )
    scope_prefixes = models.JSONField(
        _("适用范围"),
        default=list,
        help_text=_("区划代码前缀列表;空字符串表示全国。"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.IN_FORCE
    )
    tier = models.CharField(_("效力层级"), max_length=10, choices=Tier.choices, default=Tier.POLICY)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # With the standards' own: tells pages that a cached catalogue is out of date.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="document_effective_range",
                violation_error_message=_("失效日期不能早于施行日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, StrOrPromise | list[str]] = {}
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = _("失效日期不能早于施行日期。")
        try:
            self.scope_prefixes = validate_scope_prefixes(self.scope_prefixes, allow_empty=False)
        except ValidationError as error:
            errors["scope_prefixes"] = error.messages
        if errors:
            raise ValidationError(errors)


class Standard(models.Model):
    class Level(models.TextChoices):
        COMMUNITY = "community", _("社区")
        JURISDICTION = "jurisdiction", _("辖区汇总")

    code = models.CharField(
        _("编号"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*$", _("编号只能包含字母、数字、点、横线和下划线。")
            )
        ],
    )
    document = models.ForeignKey(
        PolicyDocument,
        verbose_name=_("政策文件"),
        on_delete=models.PROTECT,
        related_name="standards",
    )
    article = models.CharField(_("条款"), max_length=50, blank=True)
    title = models.CharField(_("标题"), max_length=100)
    quote = models.TextField(_("原文"))
    quote_is_paraphrase = models.BooleanField(_("原文为转述"), default=False)
    rule_key = models.CharField(_("检查规则"), max_length=60)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    level = models.CharField(
        _("层级"), max_length=20, choices=Level.choices, default=Level.COMMUNITY
    )
    scope_prefixes = models.JSONField(
        _("适用范围"),
        null=True,
        blank=True,
        help_text=_("空表示沿用政策文件的适用范围。"),
    )
    effective_from = models.DateField(
        _("施行日期"), null=True, blank=True, help_text=_("空表示沿用政策文件的施行日期。")
    )
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    is_default = models.BooleanField(
        _("一般性规定"),
        default=False,
        help_text=_("原文为“一般”“原则上”等,地方可因地制宜。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("标准条款")
        verbose_name_plural = _("标准条款")
        ordering = ["document__key", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="standard_effective_range",
                violation_error_message=_("失效日期不能早于施行日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def scopes(self) -> list[str]:
        return (
            self.scope_prefixes
            if self.scope_prefixes is not None
            else (self.document.scope_prefixes)
        )

    @property
    def starts(self):
        if self.effective_from and self.document.effective_from:
            return max(self.effective_from, self.document.effective_from)
        return self.effective_from or self.document.effective_from

    @property
    def ends(self):
        if self.effective_to and self.document.effective_to:
            return min(self.effective_to, self.document.effective_to)
        return self.effective_to or self.document.effective_to

    def clean(self) -> None:
        validate_standard(self)


class FindingQuerySet(models.QuerySet):
    def on(self, day: datetime.date) -> FindingQuerySet:
        """The verdicts that held on ``day``: the intervals that contain it."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)


# A verdict holds from valid_from up to, not including, valid_to; open (null) while current.
def _is_current() -> models.GeneratedField:
    return models.GeneratedField(
        expression=Q(valid_to__isnull=True),  # type: ignore[arg-type]  # a Q is an expression
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("最新结果"),
    )


class Finding(models.Model):
    """One community's verdict on one standard over an interval of days.

    Evaluating day D writes only what changed: the open interval is closed at D and a new one
    opened (compliance/intervals.py), so the table grows with the changes, not with the days.
    """

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="findings",
        db_index=False,
    )
    # The community's code, copied so that jurisdiction roll-ups are one indexed prefix scan.
    code = models.CharField(_("社区代码"), max_length=12)
    standard = models.ForeignKey(
        Standard,
        verbose_name=_("标准条款"),
        on_delete=models.CASCADE,
        related_name="findings",
        db_index=False,
    )
    # The standard's history row the verdict was judged with (its parameters then).
    standard_version = models.PositiveIntegerField(_("标准版本"), null=True, blank=True)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)
    is_current = _is_current()
    status = models.CharField(_("结果"), max_length=20, choices=Status.choices)
    measured = models.CharField(_("实际"), max_length=200, blank=True)
    expected = models.CharField(_("标准"), max_length=200, blank=True)
    explanation = models.CharField(_("说明"), max_length=300, blank=True)
    missing = models.CharField(_("缺少的记录"), max_length=60, blank=True)
    evaluated_at = models.DateTimeField(_("评估时间"), auto_now=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("合规结果")
        verbose_name_plural = _("合规结果")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "standard"],
                condition=Q(valid_to__isnull=True),
                name="finding_one_open_interval",
            ),
            models.UniqueConstraint(
                fields=["community", "standard", "valid_from"],
                name="finding_unique_community_standard_from",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="finding_interval_not_empty",
            ),
        ]
        indexes = [
            # Current findings under a code prefix (LIKE '4404%' needs pattern ops on PostgreSQL).
            models.Index(
                fields=["is_current", "code"],
                opclasses=["bool_ops", "varchar_pattern_ops"],
                name="finding_current_code_prefix",
            ),
            # Any date under a code prefix; the batches of an evaluation are code ranges.
            models.Index(
                fields=["code", "valid_from"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                name="finding_code_from",
            ),
            models.Index(fields=["standard", "status"], name="finding_standard_status"),
            # Retention: intervals that ended long ago.
            models.Index(
                fields=["valid_to"], condition=Q(valid_to__isnull=False), name="finding_ended"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.code} {self.standard_id} {self.valid_from}–{self.valid_to or ''} {self.status}"
        )


class JurisdictionFinding(models.Model):
    """A division's verdict on a jurisdiction-level standard (an aggregate) over an interval."""

    code = models.CharField(_("区划代码"), max_length=9, db_index=True)
    standard = models.ForeignKey(
        Standard,
        verbose_name=_("标准条款"),
        on_delete=models.CASCADE,
        related_name="jurisdiction_findings",
    )
    standard_version = models.PositiveIntegerField(_("标准版本"), null=True, blank=True)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)
    is_current = _is_current()
    status = models.CharField(_("结果"), max_length=20, choices=Status.choices)
    numerator = models.PositiveIntegerField(_("分子"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("分母"), null=True, blank=True)
    measured = models.CharField(_("实际"), max_length=200, blank=True)
    expected = models.CharField(_("标准"), max_length=200, blank=True)
    explanation = models.CharField(_("说明"), max_length=300, blank=True)
    evaluated_at = models.DateTimeField(_("评估时间"), auto_now=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("辖区合规结果")
        verbose_name_plural = _("辖区合规结果")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "standard"],
                condition=Q(valid_to__isnull=True),
                name="jfinding_one_open_interval",
            ),
            models.UniqueConstraint(
                fields=["code", "standard", "valid_from"], name="jfinding_unique_code_standard_from"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="jfinding_interval_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.code} {self.standard_id} {self.valid_from}–{self.valid_to or ''} {self.status}"
        )


class Rollup(models.Model):
    """Current findings counted per division and standard (and per community, all standards
    together), kept up to date by the evaluation: a dashboard reads a few of these rows instead
    of counting findings, whose number grows with the country (compliance/rollups.py)."""

    # "" is the whole country; 2 to 9 digits a division; 12 a community (total row only).
    code = models.CharField(_("区划代码"), max_length=12, blank=True)
    length = models.PositiveSmallIntegerField(_("代码位数"))
    # Null: every standard together (the division's or community's total).
    standard = models.ForeignKey(
        Standard,
        verbose_name=_("标准条款"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    as_of = models.DateField(_("评估日期"), null=True, blank=True)
    compliant = models.PositiveIntegerField(_("达标"), default=0)
    non_compliant = models.PositiveIntegerField(_("未达标"), default=0)
    no_data = models.PositiveIntegerField(_("缺少数据"), default=0)
    not_applicable = models.PositiveIntegerField(_("不适用"), default=0)
    # The communities themselves, on total rows only (what the division pages show at the top).
    communities = models.PositiveIntegerField(_("社区数"), default=0)
    streets = models.PositiveIntegerField(_("街道数"), default=0)
    households = models.PositiveBigIntegerField(_("常住户数"), default=0)
    population = models.PositiveBigIntegerField(_("常住人口"), default=0)
    households_missing = models.PositiveIntegerField(_("未填报户数的社区"), default=0)
    # Bumped by each change by delta (rollups.apply): with the ids (a recount makes new rows),
    # what the dashboards' cached sections are keyed by.
    revision = models.PositiveBigIntegerField(_("修订号"), default=0)

    class Meta:
        verbose_name = _("合规汇总")
        verbose_name_plural = _("合规汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "standard"],
                condition=Q(standard__isnull=False),
                name="rollup_unique_code_standard",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(standard__isnull=True), name="rollup_unique_code_total"
            ),
        ]
        indexes = [
            models.Index(fields=["code"], name="rollup_code"),
            # Children of a division, and its communities (prefix scans of one level).
            models.Index(
                fields=["length", "code"],
                condition=Q(standard__isnull=True),
                opclasses=["int2_ops", "varchar_pattern_ops"],
                name="rollup_total_level_code",
            ),
            # The communities with the most failures, nationwide, without a sort.
            models.Index(
                fields=["length", "-non_compliant", "code"],
                condition=Q(standard__isnull=True),
                name="rollup_total_worst",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code or '-'} {self.standard_id or '*'} {self.as_of}"
