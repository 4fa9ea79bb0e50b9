"""Administrative divisions and communities, keyed by national statistical division codes.

Codes nest by prefix (province 2 digits, city 4, district 6, street 9, community 12), so
"everything under X" is ``code LIKE 'X%'`` on an indexed column: no recursive queries.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

CODE_LENGTHS = {1: 2, 2: 4, 3: 6, 4: 9}
COMMUNITY_CODE_LENGTH = 12


class Division(models.Model):
    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省")
        CITY = 2, _("市")
        DISTRICT = 3, _("县(区)")
        STREET = 4, _("街道(乡镇)")

    code = models.CharField(_("区划代码"), max_length=9, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    *[
                        Q(Exact(Length("code"), length), level=level)
                        for level, length in CODE_LENGTHS.items()
                    ],
                    _connector=Q.OR,
                ),
                name="division_code_length_matches_level",
                violation_error_message=_("区划代码的位数与级别不符。"),
            ),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="division_parent_matches_level",
                violation_error_message=_("只有省级区划可以没有上级区划。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def child_code_length(self) -> int:
        if self.level == self.Level.STREET:
            return COMMUNITY_CODE_LENGTH
        return CODE_LENGTHS[self.level + 1]


class Community(models.Model):
    class Kind(models.TextChoices):
        URBAN = "urban", _("城市社区")
        FORMER_VILLAGE = "former_village", _("村改居社区")
        ENTERPRISE = "enterprise", _("企业生活区社区")
        NEW_RESIDENTIAL = "new_residential", _("新建住宅区社区")

    code = models.CharField(_("社区代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    street = models.ForeignKey(
        Division,
        verbose_name=_("所属街道"),
        on_delete=models.PROTECT,
        related_name="communities",
        limit_choices_to={"level": Division.Level.STREET},
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.URBAN)
    # Null means "not recorded yet": the compliance engine reports no_data, never a guess.
    households = models.PositiveIntegerField(_("常住户数"), null=True, blank=True)
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    occupancy_rate = models.DecimalField(
        _("入住率"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0, _("入住率不能小于 0。")),
            MaxValueValidator(1, _("入住率不能大于 1。")),
        ],
        help_text=_("新建住宅区填写,0 到 1 之间,如 0.65 表示 65%。"),
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    residents_moved_in_on = models.DateField(
        _("居民入住日期"),
        null=True,
        blank=True,
        help_text=_("新建住宅区居民开始入住的日期,用于检查用房移交期限。"),
    )
    estate_floor_area_m2 = models.DecimalField(
        _("住宅区总建筑面积(平方米)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1, _("总建筑面积必须大于 0。"))],
        help_text=_("新建住宅区填写,用于检查物业服务用房比例。"),
    )
    committee_application_on = models.DateField(
        _("居委会成立申请日期"),
        null=True,
        blank=True,
        help_text=_("新建住宅区尚未成立居委会时,提出成立申请的日期。"),
    )
    multi_ethnic = models.BooleanField(
        _("多民族居住地区"),
        default=False,
        help_text=_("居住着人数较少的民族的社区,委员会中应当有该民族的成员。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    # Not a field: set for the overview of elections (elections.selectors.overview).
    days_overdue: int

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("code"), COMMUNITY_CODE_LENGTH),
                name="community_code_length",
                violation_error_message=_("社区代码必须是 12 位数字。"),
            ),
            models.CheckConstraint(
                condition=Q(occupancy_rate__isnull=True)
                | Q(occupancy_rate__gte=0, occupancy_rate__lte=1),
                name="community_occupancy_rate_0_1",
                violation_error_message=_("入住率必须在 0 到 1 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def street_code(self) -> str:
        return self.code[:9]


# --- Organizations, people, memberships, training -------------------------------------------
