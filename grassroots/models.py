"""Daily grassroots work: grids and their workers, visits and patrols, and the 民情 register.

The register holds every request, complaint, suggestion, building leader's report (the eight
"八必报" kinds of Baiyin's plan) and visit finding, with its time limit, answer and feedback
("件件有回应、事事有反馈"). A request's state is computed from its dates, never stored, so that
"overdue" cannot go stale overnight.
"""

from __future__ import annotations

import datetime
import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Organization, Person
from core.validators import validate_phone
from divisions.models import Community

MAX_TEXT = 2000  # characters of a summary, an answer or a finding: a page, not a file
MAX_HOUSEHOLDS = 100000

# The eight kinds of Baiyin's "八必报" (seed 002 三(一)3), keyed as in the BY-06 standard.
EIGHT_REPORTS = (
    "damaged_public_facilities",
    "unclean_back_lanes",
    "new_pregnancies",
    "incoming_non_residents",
    "residents_hospitalized",
    "flats_let",
    "safety_hazards",
    "instability_factors",
)


class Grid(models.Model):
    """A grid (网格) of the community: the groups and buildings it covers, its households."""

    community = models.ForeignKey(
        Community, verbose_name=_("社区"), on_delete=models.CASCADE, related_name="grids"
    )
    name = models.CharField(_("网格名称"), max_length=50)
    households = models.PositiveIntegerField(
        _("户数"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_HOUSEHOLDS, _("户数不能超过 100000,请核对。"))],
    )
    covers = models.ManyToManyField(
        Organization,
        verbose_name=_("覆盖的居民小组和楼栋"),
        blank=True,
        related_name="grids",
        limit_choices_to={"kind__in": ["residents_group", "building"]},
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="grid_name_unique_in_community",
                violation_error_message=_("本社区已有同名网格。"),
            ),
            models.CheckConstraint(
                condition=Q(households__isnull=True) | Q(households__lte=MAX_HOUSEHOLDS),
                name="grid_households_plausible",
                violation_error_message=_("户数不能超过 100000。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GridWorker(models.Model):
    """A person of the community serving as a grid's worker (网格员) from one date to another."""

    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="workers"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("网格员"), on_delete=models.CASCADE, related_name="grid_duties"
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("网格员")
        verbose_name_plural = _("网格员")
        ordering = ["grid", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="gridworker_end_after_start",
                violation_error_message=_("结束日期不能早于起始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid} · {self.person}"


class Visit(models.Model):
    """A grid worker's home visit or patrol (走访/巡查) and what was found."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("入户走访")
        PATROL = "patrol", _("网格巡查")

    community = models.ForeignKey(
        Community, verbose_name=_("社区"), on_delete=models.CASCADE, related_name="visits"
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="visits"
    )
    worker = models.ForeignKey(
        Person,
        verbose_name=_("走访人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.VISIT)
    visited_on = models.DateField(_("日期"))
    households_visited = models.PositiveIntegerField(
        _("走访户数"),
        default=0,
        validators=[MaxValueValidator(MAX_HOUSEHOLDS, _("走访户数不能超过 100000。"))],
    )
    found = models.TextField(_("发现的情况"), max_length=MAX_TEXT, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("走访巡查")
        verbose_name_plural = _("走访巡查")
        ordering = ["community", "-visited_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(LessThanOrEqual(Length("found"), MAX_TEXT)),
                name="visit_found_length",
                violation_error_message=_("发现的情况不能超过 2000 字。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.grid}"


class TimeLimit(models.Model):
    """A bureau's time limit for one category in its jurisdiction (code prefix), overriding the
    portal default (DEFAULT_DAYS); the longest matching prefix wins."""

    prefix = models.CharField(_("辖区代码"), max_length=12)
    category = models.CharField(_("类别"), max_length=30)
    days = models.PositiveSmallIntegerField(
        _("办理时限(天)"),
        validators=[
            MinValueValidator(1, _("时限至少 1 天。")),
            MaxValueValidator(90, _("时限不能超过 90 天。")),
        ],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "category"],
                name="timelimit_unique_per_prefix_category",
                violation_error_message=_("这个辖区已设置该类别的时限。"),
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1) & Q(days__lte=90),
                name="timelimit_days_range",
                violation_error_message=_("时限应为 1 至 90 天。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.category} {self.days}"


def new_tracking_code() -> str:
    # Unguessable: the code is all a resident needs to read a request's state.
    return secrets.token_hex(6).upper()


class Request(models.Model):
    """One item of the 民情 register."""

    class Channel(models.TextChoices):
        VISIT = "visit", _("入户走访")
        PHONE = "phone", _("电话")
        WALK_IN = "walk_in", _("来访")
        PUBLIC_BOARD = "public_board", _("居民网上提交")
        HOTLINE = "hotline", _("12345 热线转办")
        PATROL = "patrol", _("网格巡查")
        BUILDING_LEADER = "building_leader", _("楼栋长报告")

    class Category(models.TextChoices):
        DAMAGED_PUBLIC_FACILITIES = "damaged_public_facilities", _("公共设施损坏")
        UNCLEAN_BACK_LANES = "unclean_back_lanes", _("背街小巷不洁")
        NEW_PREGNANCIES = "new_pregnancies", _("新增孕妇")
        INCOMING_NON_RESIDENTS = "incoming_non_residents", _("外来人员流入")
        RESIDENTS_HOSPITALIZED = "residents_hospitalized", _("居民病重住院")
        FLATS_LET = "flats_let", _("居民房屋出租")
        SAFETY_HAZARDS = "safety_hazards", _("不安全隐患")
        INSTABILITY_FACTORS = "instability_factors", _("不稳定因素")
        REQUEST = "request", _("诉求")
        COMPLAINT = "complaint", _("投诉")
        SUGGESTION = "suggestion", _("意见建议")
        HELP = "help", _("困难求助")
        DISPUTE = "dispute", _("矛盾纠纷")
        OTHER = "other", _("其他")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    class State(models.TextChoices):
        OPEN = "open", _("办理中")
        OVERDUE = "overdue", _("已超期")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已办结")

    community = models.ForeignKey(
        Community, verbose_name=_("社区"), on_delete=models.CASCADE, related_name="requests"
    )
    tracking_code = models.CharField(
        _("查询码"), max_length=12, unique=True, default=new_tracking_code, editable=False
    )
    received_on = models.DateField(_("受理日期"))
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("类别"), max_length=30, choices=Category.choices)
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("网格"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    building = models.ForeignKey(
        Organization,
        verbose_name=_("楼栋"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        limit_choices_to={"kind": "building"},
    )
    resident_name = models.CharField(_("居民姓名"), max_length=50, blank=True)
    # "phone": masked for roles that may not see personal data, here and in the history.
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    summary = models.TextField(_("事项摘要"), max_length=MAX_TEXT)
    handler = models.ForeignKey(
        Person,
        verbose_name=_("首问责任人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests_handled",
    )
    due_on = models.DateField(_("办理时限"))
    steps = models.TextField(_("办理过程"), max_length=MAX_TEXT, blank=True)
    answer = models.TextField(_("答复内容"), max_length=MAX_TEXT, blank=True)
    public_answer = models.TextField(
        _("公开答复"),
        max_length=MAX_TEXT,
        blank=True,
        help_text=_("居民凭查询码可见的答复;不要写入姓名、电话等个人信息。"),
    )
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    satisfaction = models.CharField(
        _("居民评价"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    escalated_on = models.DateField(_("上报街道日期"), null=True, blank=True)
    street_answer = models.TextField(_("街道答复"), max_length=MAX_TEXT, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("来自走访"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("民情事项")
        verbose_name_plural = _("民情事项")
        ordering = ["community", "-received_on", "-pk"]
        indexes = [models.Index(fields=["community", "received_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("received_on")),
                name="request_due_after_received",
                violation_error_message=_("办理时限不能早于受理日期。"),
            ),
            models.CheckConstraint(
                condition=(Q(answered_on__isnull=True) & Q(answer=""))
                | (Q(answered_on__isnull=False) & ~Q(answer="")),
                name="request_answer_with_its_date",
                violation_error_message=_("答复内容和答复日期须同时填写。"),
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=F("received_on")),
                name="request_answered_after_received",
                violation_error_message=_("答复日期不能早于受理日期。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | (Q(answered_on__isnull=False) & Q(closed_on__gte=F("answered_on"))),
                name="request_closed_after_answer",
                violation_error_message=_("办结前须先答复,办结日期不能早于答复日期。"),
            ),
            models.CheckConstraint(
                condition=Q(satisfaction="") | Q(answered_on__isnull=False),
                name="request_satisfaction_after_answer",
                violation_error_message=_("答复后才能登记居民评价。"),
            ),
            models.CheckConstraint(
                condition=Q(street_answer="") | Q(escalated_on__isnull=False),
                name="request_street_answer_after_escalation",
                violation_error_message=_("上报街道后才能登记街道答复。"),
            ),
            models.CheckConstraint(
                condition=Q(escalated_on__isnull=True) | Q(escalated_on__gte=F("received_on")),
                name="request_escalated_after_received",
                violation_error_message=_("上报日期不能早于受理日期。"),
            ),
            models.CheckConstraint(
                condition=Q(GreaterThan(Length("summary"), 0))
                & Q(LessThanOrEqual(Length("summary"), MAX_TEXT)),
                name="request_summary_length",
                violation_error_message=_("事项摘要须填写,且不超过 2000 字。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.get_category_display()}"

    def state(self, today: datetime.date) -> str:
        if self.closed_on is not None:
            return self.State.CLOSED
        if self.answered_on is not None:
            return self.State.ANSWERED
        return self.State.OVERDUE if self.due_on < today else self.State.OPEN

    def state_label(self, today: datetime.date) -> str:
        return str(self.State(self.state(today)).label)

    @property
    def answered_in_time(self) -> bool:
        return self.answered_on is not None and self.answered_on <= self.due_on


def state_q(state: str, today: datetime.date) -> Q:
    """The requests in ``state`` on ``today`` (the same as ``Request.state``)."""
    if state == Request.State.CLOSED:
        return Q(closed_on__isnull=False)
    if state == Request.State.ANSWERED:
        return Q(closed_on__isnull=True, answered_on__isnull=False)
    if state == Request.State.OVERDUE:
        return Q(answered_on__isnull=True, due_on__lt=today)
    return Q(answered_on__isnull=True, due_on__gte=today)
