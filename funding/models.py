"""Work funds of a community: allocations, spending, staff pay, and tasks assigned to it."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.softdelete import SoftDeletable

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_AMOUNT = Decimal("100000000")  # ¥100 million: beyond any community budget line
YEAR_VALIDATORS = [
    MinValueValidator(2000, _("年度不能早于 2000 年。")),
    MaxValueValidator(2100, _("年度不能晚于 2100 年。")),
]


def amount_field(label: StrOrPromise, **extra) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=12,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.01"), _("金额必须大于 0。")),
            MaxValueValidator(MAX_AMOUNT, _("金额不能超过 1 亿元,请核对。")),
        ],
        **extra,
    )


def positive_amount(name: str, field: str = "amount") -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gt": 0}) & Q(**{f"{field}__lte": MAX_AMOUNT}),
        name=name,
        violation_error_message=_("金额必须大于 0 且不超过 1 亿元。"),
    )


class Allocation(SoftDeletable):
    class Source(models.TextChoices):
        DISTRICT = "district_finance", _("区(县)财政")
        STREET = "street_finance", _("街道财政")
        CITY = "city", _("市级")
        JOINT = "joint_building", _("共驻共建单位")
        FUNDRAISING = "fundraising", _("社会募集")
        OTHER = "other", _("其他")

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="allocations",
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    amount = amount_field(_("金额(元)"))
    received_on = models.DateField(_("到账日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("经费拨付")
        verbose_name_plural = _("经费拨付")
        ordering = ["-year", "-received_on"]
        constraints = [positive_amount("allocation_amount_positive")]
        indexes = [models.Index(fields=["community", "year"], name="allocation_community_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_source_display()} ¥{self.amount}"


class Expenditure(SoftDeletable):
    class Category(models.TextChoices):
        OFFICE = "office", _("办公费")
        ACTIVITIES = "activities", _("活动费")
        STAFF = "staff_subsidies", _("人员补贴")
        PHONE_PRINTING = "phone_printing", _("通讯印刷费")
        UPKEEP = "facility_upkeep", _("设施维护费")
        OTHER = "other", _("其他")

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="expenditures",
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    date = models.DateField(_("支出日期"))
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    amount = amount_field(_("金额(元)"))
    description = models.CharField(_("用途"), max_length=200)
    approved_by = models.CharField(_("审批人"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("经费支出")
        verbose_name_plural = _("经费支出")
        ordering = ["-date"]
        constraints = [positive_amount("expenditure_amount_positive")]
        indexes = [models.Index(fields=["community", "year"], name="expenditure_community_year")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_category_display()} ¥{self.amount}"


class StaffPay(SoftDeletable):
    person = models.ForeignKey(
        "committees.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="pay"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    annual_pay = amount_field(_("年收入(元)"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作人员报酬")
        verbose_name_plural = _("工作人员报酬")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"],
                condition=Q(deleted_at__isnull=True),
                name="staffpay_one_per_year",
                violation_error_message=_("该人员这一年度的报酬已登记。"),
            ),
            positive_amount("staffpay_amount_positive", "annual_pay"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.year} ¥{self.annual_pay}"


class WageBenchmark(models.Model):
    """Reference pay a standard compares staff pay with, per division and year."""

    class Kind(models.TextChoices):
        AVERAGE_WAGE = "local_average_wage", _("上年度当地社会平均工资")
        PUBLIC_INSTITUTION = "public_institution_pay", _("相应事业单位人员工资")

    code = models.CharField(
        _("区划代码"), max_length=9, help_text=_("适用的区划代码前缀,如 4404 表示珠海市。")
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=YEAR_VALIDATORS, help_text=_("工资数据所属年度。")
    )
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    annual_amount = amount_field(_("年工资(元)"))
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工资基准")
        verbose_name_plural = _("工资基准")
        ordering = ["code", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "year", "kind"],
                name="benchmark_unique_code_year_kind",
                violation_error_message=_("该地区这一年度的基准已登记。"),
            ),
            positive_amount("benchmark_amount_positive", "annual_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.year} {self.get_kind_display()}"


class AssignedTask(models.Model):
    """Work a government department asks the community to do (社区工作事项准入)."""

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="assigned_tasks",
    )
    department = models.CharField(_("交办部门"), max_length=100)
    title = models.CharField(_("事项"), max_length=200)
    legal_basis = models.CharField(_("法律法规依据"), max_length=200, blank=True)
    assigned_on = models.DateField(_("交办日期"))
    in_task_list = models.BooleanField(_("列入社区工作事项清单"), default=False)
    approved_by = models.CharField(
        _("审批机关"), max_length=100, blank=True, help_text=_("如区政府、街道办事处。")
    )
    approved_on = models.DateField(_("审批日期"), null=True, blank=True)
    funding = models.DecimalField(
        _("随事转移经费(元)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0"), _("经费不能为负数。")),
            MaxValueValidator(MAX_AMOUNT, _("金额不能超过 1 亿元,请核对。")),
        ],
        help_text=_("“费随事转”:交办部门随事项拨付的经费;空表示未拨付。"),
    )
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("交办事项")
        verbose_name_plural = _("交办事项")
        ordering = ["-assigned_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_on__isnull=True) | ~Q(approved_by=""),
                name="task_approval_names_the_approver",
                violation_error_message=_("填写审批日期时须填写审批机关。"),
            ),
            models.CheckConstraint(
                condition=Q(funding__isnull=True) | Q(funding__gte=0),
                name="task_funding_not_negative",
                violation_error_message=_("经费不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title
