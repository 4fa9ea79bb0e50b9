"""Meetings and resolutions, and what a community discloses to its residents."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Organization
from core.meta import model_field
from core.uploads import FileKindValidator


class Meeting(models.Model):
    class Kind(models.TextChoices):
        RESIDENTS = "residents_meeting", _("居民会议")
        REPRESENTATIVES = "representatives_meeting", _("居民代表会议")
        JOINT = "joint_meeting", _("两委联席会议")
        PARTY_ASSEMBLY = "party_assembly", _("党员大会")
        COUNCIL = "council", _("居民议事协调会")
        CONSULTATION = "consultation", _("民情恳谈会")
        COORDINATION = "coordination", _("民事协调会")
        HEARING = "hearing", _("民意听证会")
        APPRAISAL = "appraisal", _("民主评议会")
        COMMITTEE_WORK = "committee_work", _("居委会工作会议")

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    kind = models.CharField(_("会议类别"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("会议名称"), max_length=100)
    date = models.DateField(_("会议日期"))
    held = models.BooleanField(_("已召开"), default=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    facility = models.ForeignKey(
        "facilities.Facility",
        verbose_name=_("会议场所"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    convened_by = models.CharField(_("召集人"), max_length=50, blank=True)
    entitled = models.PositiveIntegerField(
        _("应到人数"), validators=[MinValueValidator(1, _("应到人数至少为 1。"))]
    )
    attended = models.PositiveIntegerField(_("实到人数"), null=True, blank=True)
    agenda = models.TextField(_("议题"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attended__isnull=True) | Q(attended__lte=F("entitled")),
                name="meeting_attended_not_above_entitled",
                violation_error_message=_("实到人数不能超过应到人数。"),
            ),
            models.CheckConstraint(
                condition=Q(entitled__gte=1),
                name="meeting_entitled_positive",
                violation_error_message=_("应到人数至少为 1。"),
            ),
            models.CheckConstraint(
                condition=Q(held=False) | Q(attended__isnull=False),
                name="meeting_held_has_attendance",
                violation_error_message=_("已召开的会议须填写实到人数。"),
            ),
        ]
        indexes = [models.Index(fields=["community", "kind", "date"], name="meeting_kind_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"

    @property
    def quorate(self) -> bool | None:
        """N18-09: held only if more than half of those entitled attend (strictly)."""
        if self.attended is None:
            return None
        return self.attended * 2 > self.entitled


class Resolution(models.Model):
    """A decision on an agenda item; 'passed' is computed and frozen with the rule used."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="resolutions"
    )
    title = models.CharField(_("决议事项"), max_length=200)
    text = models.TextField(_("决议内容"), blank=True)
    present = models.PositiveIntegerField(_("表决时到会人数"))
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"), default=0)
    abstentions = models.PositiveIntegerField(_("弃权"), default=0)
    passed = models.BooleanField(_("通过"))
    rule = models.CharField(
        _("表决规则"), max_length=100, help_text=_("表决时适用的规则,随决议一并保存。")
    )
    published = models.BooleanField(_("已公开"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(votes_for__lte=F("present") - F("votes_against") - F("abstentions")),
                name="resolution_votes_not_above_present",
                violation_error_message=_("赞成、反对、弃权票合计不能超过到会人数。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Disclosure(models.Model):
    class Category(models.TextChoices):
        PARTY = "party", _("党务公开")
        RESIDENTS = "residents", _("居务公开")
        FINANCE = "finance", _("财务公开")
        SERVICE = "service", _("服务公开")

    class Channel(models.TextChoices):
        BOARD = "board", _("居务公开栏")
        WEBSITE = "website", _("网站")
        GROUP_CHAT = "group_chat", _("微信群等网络群组")
        MEETING = "meeting", _("会议通报")
        OTHER = "other", _("其他")

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="disclosures",
    )
    category = models.CharField(_("公开类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("公开内容"))
    period_start = models.DateField(_("所属期间自"), null=True, blank=True)
    period_end = models.DateField(_("所属期间至"), null=True, blank=True)
    published_on = models.DateField(
        _("公开日期"), null=True, blank=True, help_text=_("空表示尚未公开(草稿),不会出现在公开栏。")
    )
    displayed_until = models.DateField(_("公示截止日期"), null=True, blank=True)
    channel = models.CharField(
        _("公开渠道"), max_length=20, choices=Channel.choices, default=Channel.BOARD
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公开事项")
        verbose_name_plural = _("公开事项")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="disclosure_period_in_order",
                violation_error_message=_("所属期间的结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(displayed_until__isnull=True)
                | Q(published_on__isnull=True)
                | Q(displayed_until__gte=F("published_on")),
                name="disclosure_displayed_after_published",
                violation_error_message=_("公示截止日期不能早于公开日期。"),
            ),
        ]
        indexes = [
            models.Index(
                fields=["community", "category", "published_on"], name="disclosure_category_date"
            )
        ]

    def __str__(self) -> str:
        return self.title


class FinanceLine(models.Model):
    class Direction(models.TextChoices):
        INCOME = "income", _("收入")
        SPENDING = "spending", _("支出")

    disclosure = models.ForeignKey(
        Disclosure, verbose_name=_("公开事项"), on_delete=models.CASCADE, related_name="lines"
    )
    direction = models.CharField(_("收支"), max_length=10, choices=Direction.choices)
    item = models.CharField(_("项目"), max_length=100)
    amount = models.DecimalField(
        _("金额(元)"),
        max_digits=12,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.01"), _("金额必须大于 0。")),
            MaxValueValidator(Decimal("100000000"), _("金额不能超过 1 亿元,请核对。")),
        ],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("收支明细")
        verbose_name_plural = _("收支明细")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="financeline_amount_positive",
                violation_error_message=_("金额必须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.item} ¥{self.amount}"


def roster_kinds() -> dict[str, tuple[str, ...]]:
    """Which organizations' members make up the roster of a body that meets (the people who may
    be ticked as present); bodies without one (residents' meeting, the four meetings) count."""
    kind = Organization.Kind
    party = (kind.PARTY_BRANCH, kind.PARTY_GENERAL_BRANCH, kind.PARTY_COMMITTEE)
    return {
        Meeting.Kind.JOINT: (kind.RESIDENTS_COMMITTEE, *party),
        Meeting.Kind.COMMITTEE_WORK: (kind.RESIDENTS_COMMITTEE,),
        Meeting.Kind.PARTY_ASSEMBLY: party,
        Meeting.Kind.REPRESENTATIVES: (kind.REPRESENTATIVES_ASSEMBLY,),
        Meeting.Kind.COUNCIL: (kind.RESIDENTS_COUNCIL,),
    }


class Attendance(models.Model):
    """One person present at a meeting of a body with a roster."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(
        "committees.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("出席人员")
        verbose_name_plural = _("出席人员")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="attendance_once_per_meeting",
                violation_error_message=_("同一人员不能重复登记出席。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.person}"


class MajorMatter(models.Model):
    """A major community matter decided by “四议两公开” (GD-07), step by step."""

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="major_matters",
    )
    title = models.CharField(_("事项名称"), max_length=200)
    description = models.TextField(_("事项说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("重大事项")
        verbose_name_plural = _("重大事项")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title


class MatterStep(models.Model):
    """One of the six steps; the order is enforced by the service, one row per step."""

    class Step(models.TextChoices):
        # The order of the choices is the order of GD-07.
        PROPOSAL = "proposal", _("党组织提议")
        JOINT_MEETING = "joint_meeting", _("“两委”联席会议商议")
        PARTY_ASSEMBLY = "party_assembly", _("党员大会审议")
        RESIDENTS_RESOLUTION = "residents_resolution", _("居民(代表)会议决议")
        RESOLUTION_PUBLISHED = "resolution_published", _("决议公开")
        RESULT_PUBLISHED = "result_published", _("实施结果公开")

    matter = models.ForeignKey(
        MajorMatter, verbose_name=_("重大事项"), on_delete=models.CASCADE, related_name="steps"
    )
    step = models.CharField(_("步骤"), max_length=30, choices=Step.choices)
    date = models.DateField(_("日期"))
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matter_steps",
    )
    resolution = models.ForeignKey(
        Resolution,
        verbose_name=_("决议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matter_steps",
    )
    disclosure = models.ForeignKey(
        Disclosure,
        verbose_name=_("公开事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matter_steps",
    )
    note = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()

    MEETING_STEPS = (Step.JOINT_MEETING, Step.PARTY_ASSEMBLY, Step.RESIDENTS_RESOLUTION)
    DISCLOSURE_STEPS = (Step.RESOLUTION_PUBLISHED, Step.RESULT_PUBLISHED)

    class Meta:
        verbose_name = _("“四议两公开”步骤")
        verbose_name_plural = _("“四议两公开”步骤")
        ordering = ["matter", "date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "step"],
                name="matter_step_once",
                violation_error_message=_("该步骤已登记。"),
            ),
            models.CheckConstraint(
                condition=~Q(step__in=["joint_meeting", "party_assembly", "residents_resolution"])
                | Q(meeting__isnull=False),
                name="matter_step_meeting_linked",
                violation_error_message=_("该步骤须关联召开的会议。"),
            ),
            models.CheckConstraint(
                condition=~Q(step="residents_resolution") | Q(resolution__isnull=False),
                name="matter_step_resolution_linked",
                violation_error_message=_("决议步骤须关联会议表决的决议。"),
            ),
            models.CheckConstraint(
                condition=~Q(step__in=["resolution_published", "result_published"])
                | Q(disclosure__isnull=False),
                name="matter_step_disclosure_linked",
                violation_error_message=_("公开步骤须关联已公开的公开事项。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter} · {self.get_step_display()}"

    @classmethod
    def order(cls) -> list[str]:
        return list(cls.Step.values)


class Covenant(models.Model):
    """居民公约 (N18-15): adopted by the residents' meeting, filed with the government."""

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="covenants",
    )
    title = models.CharField(_("公约名称"), max_length=100, default=_("居民公约"))
    text = models.TextField(_("公约内容"))
    adopted_on = models.DateField(_("通过日期"))
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("通过会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("讨论制定公约的居民会议。"),
    )
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filed_with = models.CharField(
        _("备案机关"), max_length=100, blank=True, help_text=_("区人民政府或街道办事处。")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("居民公约")
        verbose_name_plural = _("居民公约")
        ordering = ["-adopted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(filed_on__isnull=True) | Q(filed_on__gte=F("adopted_on")),
                name="covenant_filed_after_adopted",
                violation_error_message=_("备案日期不能早于通过日期。"),
            ),
            models.CheckConstraint(
                condition=Q(filed_on__isnull=True) | ~Q(filed_with=""),
                name="covenant_filed_with_named",
                violation_error_message=_("已备案的公约须填写备案机关。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PublicService(models.Model):
    """A public service the community handles, with its “六公开” items (GD-17)."""

    SIX = ("content", "procedure", "materials", "legal_basis", "time_limit", "fees")

    community = models.ForeignKey(
        "divisions.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="public_services",
    )
    name = models.CharField(_("服务事项"), max_length=100)
    content = models.TextField(_("服务内容"), blank=True)
    procedure = models.TextField(_("办事程序"), blank=True)
    materials = models.TextField(_("申报材料"), blank=True)
    legal_basis = models.TextField(_("办理依据"), blank=True)
    time_limit = models.CharField(_("办理期限"), max_length=100, blank=True)
    fees = models.CharField(
        _("收费标准"), max_length=100, blank=True, help_text=_("不收费请填“免费”。")
    )
    published_on = models.DateField(
        _("公开日期"), null=True, blank=True, help_text=_("空表示尚未公开,不会出现在公开栏。")
    )
    withdrawn_on = models.DateField(_("停办日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公共服务事项")
        verbose_name_plural = _("公共服务事项")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True)
                | Q(published_on__isnull=True)
                | Q(withdrawn_on__gt=F("published_on")),
                name="publicservice_withdrawn_after_published",
                violation_error_message=_("停办日期须晚于公开日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def missing_items(self) -> list[str]:
        return [
            str(model_field(self, f).verbose_name) for f in self.SIX if not getattr(self, f).strip()
        ]


def attachment_path(instance, filename: str) -> str:
    # Stored under a random name: the original is kept in ``name`` and only given on download.
    return (
        f"governance/{instance.kind_folder}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"
    )


class Attachment(models.Model):
    """A file kept with a meeting (minutes, sign-in sheet, photo) or a disclosure (the notice)."""

    ALLOWED = ("docx", "jpg", "pdf", "png", "xlsx")

    name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(
        _("文件"),
        upload_to=attachment_path,
        max_length=200,
        validators=[FileKindValidator(ALLOWED)],
    )
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class MeetingAttachment(Attachment):
    kind_folder = "meetings"
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta(Attachment.Meta):
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")


class DisclosureAttachment(Attachment):
    kind_folder = "disclosures"
    disclosure = models.ForeignKey(
        Disclosure, verbose_name=_("公开事项"), on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta(Attachment.Meta):
        verbose_name = _("公开附件")
        verbose_name_plural = _("公开附件")
