"""Rooms and sites of a community: what they are, how big, and on what terms they are held."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MAX_AREA = Decimal("100000")  # m²: larger than any community room; catches typos in units


class Facility(models.Model):
    class Kind(models.TextChoices):
        OFFICE = "office", _("办公用房")
        SERVICE_HALL = "service_hall", _("一站式服务大厅")
        SERVICE_STATION = "service_station", _("社区公共服务站")
        CULTURE_SPORTS = "culture_sports", _("文体活动中心")
        HEALTH = "health_family_planning", _("卫生计生服务中心")
        FAMILY_SERVICE = "family_service", _("家庭服务中心")
        STABILITY = "stability_workstation", _("综治信访维稳工作站")
        ELDERLY_DAYCARE = "elderly_daycare", _("老年人日间照料中心")
        LIBRARY = "library", _("图书室")
        SQUARE_PARK = "square_park", _("小广场或小公园")
        PROPERTY_SERVICE = "property_service", _("物业服务用房")
        OTHER = "other", _("其他")

    class Tenure(models.TextChoices):
        OWNED = "owned", _("自有产权")
        DEVELOPER_FREE = "developer_free", _("开发商无偿提供")
        ALLOCATED = "allocated", _("政府调配")
        RENTED = "rented", _("租用")
        BORROWED = "borrowed", _("借用")

    # Kinds counted as offices and as service rooms in the space standards.
    OFFICE_KINDS = (Kind.OFFICE,)
    SERVICE_KINDS = (
        Kind.SERVICE_HALL,
        Kind.SERVICE_STATION,
        Kind.CULTURE_SPORTS,
        Kind.HEALTH,
        Kind.FAMILY_SERVICE,
        Kind.STABILITY,
        Kind.ELDERLY_DAYCARE,
        Kind.LIBRARY,
    )

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="facilities",
    )
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    indoor = models.BooleanField(_("室内"), default=True)
    area_m2 = models.DecimalField(
        _("面积(平方米)"),
        max_digits=9,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.01"), _("面积必须大于 0。")),
            MaxValueValidator(MAX_AREA, _("面积不能超过 100000 平方米,请核对单位。")),
        ],
    )
    tenure = models.CharField(_("产权形式"), max_length=20, choices=Tenure.choices)
    annual_rent = models.DecimalField(
        _("年租金(元)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"), _("年租金必须大于 0。"))],
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    in_use_since = models.DateField(_("启用日期"), null=True, blank=True)
    retired_on = models.DateField(_("停用日期"), null=True, blank=True)
    handed_over_on = models.DateField(
        _("移交日期"), null=True, blank=True, help_text=_("新建住宅区由开发商移交的用房填写。")
    )
    shared_use = models.BooleanField(_("一室多用"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("设施用房")
        verbose_name_plural = _("设施用房")
        ordering = ["community", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area_m2__gt=0) & Q(area_m2__lte=MAX_AREA),
                name="facility_area_positive_and_plausible",
                violation_error_message=_("面积必须大于 0 且不超过 100000 平方米。"),
            ),
            models.CheckConstraint(
                # NULL > 0 is unknown, which a CHECK lets through: say "not null" explicitly.
                condition=Q(tenure="rented", annual_rent__isnull=False, annual_rent__gt=0)
                | (~Q(tenure="rented") & Q(annual_rent__isnull=True)),
                name="facility_rent_only_and_always_when_rented",
                violation_error_message=_("租用的用房必须填写年租金,其他产权形式不填。"),
            ),
            models.CheckConstraint(
                condition=Q(retired_on__isnull=True)
                | Q(in_use_since__isnull=True)
                | Q(retired_on__gte=models.F("in_use_since")),
                name="facility_retired_after_in_use",
                violation_error_message=_("停用日期不能早于启用日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name
