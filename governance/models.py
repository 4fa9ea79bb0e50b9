"""Meetings and resolutions, and what a community discloses to its residents."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.uploads import FileKindValidator


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
        "committees.Community",
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
        "committees.Community",
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
    from committees.models import Organization

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
        "committees.Community",
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
        "committees.Community",
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
        "committees.Community",
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
            str(self._meta.get_field(f).verbose_name)
            for f in self.SIX
            if not getattr(self, f).strip()
        ]


# --- Term elections (换届选举) and by-elections (补选) -------------------------------------------
#
# An election is recorded step by step: planned, voter list published, candidates, voting,
# results, certified. Who is elected is never ticked by hand: it is computed from the votes with
# the rules in force (governance/elections.py) and frozen on each candidate with the rule used,
# like a resolution's "passed". A certified election is not edited in place: a correction is a
# new act (ElectionCorrection) by the street office or a bureau.


class Election(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("换届选举")
        BY_ELECTION = "by_election", _("补选")

    class Method(models.TextChoices):
        DIRECT = "direct", _("直接选举")
        HOUSEHOLD = "household", _("户代表选举")
        GROUP_REPRESENTATIVE = "group_representative", _("居民代表选举")

    REPRESENTATIVE_METHODS = (Method.HOUSEHOLD, Method.GROUP_REPRESENTATIVE)

    community = models.ForeignKey(
        "committees.Community",
        verbose_name=_("社区"),
        on_delete=models.CASCADE,
        related_name="elections",
    )
    kind = models.CharField(
        _("选举类别"), max_length=20, choices=Kind.choices, default=Kind.GENERAL
    )
    term_number = models.PositiveSmallIntegerField(
        _("届次"),
        validators=[
            MinValueValidator(1, _("届次至少为第 1 届。")),
            MaxValueValidator(99, _("届次不能超过第 99 届,请核对。")),
        ],
        help_text=_("本次选举产生第几届居民委员会,如 8 表示第八届。"),
    )
    election_day = models.DateField(_("选举日"))
    method = models.CharField(_("选举方式"), max_length=30, choices=Method.choices)
    reps_per_group = models.PositiveSmallIntegerField(
        _("每个居民小组推选代表人数"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, _("每个居民小组至少推选 1 名代表。")),
            MaxValueValidator(9, _("每个居民小组推选代表不能超过 9 人,请核对。")),
        ],
        help_text=_("居民代表选举时填写,法定为二至三人。"),
    )
    seats_director = models.PositiveSmallIntegerField(
        _("应选主任"), default=1, validators=[MaxValueValidator(1, _("主任只能选 1 名。"))]
    )
    seats_deputy = models.PositiveSmallIntegerField(
        _("应选副主任"),
        default=1,
        validators=[MaxValueValidator(9, _("应选副主任不能超过 9 名,请核对。"))],
    )
    seats_member = models.PositiveSmallIntegerField(
        _("应选委员"),
        default=3,
        validators=[MaxValueValidator(15, _("应选委员不能超过 15 名,请核对。"))],
    )
    election_committee = models.ForeignKey(
        "committees.Organization",
        verbose_name=_("居民选举委员会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "election_committee"},
    )
    election_committee_members = models.CharField(
        _("选举委员会组成人员"),
        max_length=200,
        help_text=_("如:主任 张三;委员 李四、王五。"),
    )
    # Step 2: the voter list.
    voter_list_published_on = models.DateField(_("选民名单公布日期"), null=True, blank=True)
    registered_voters = models.PositiveIntegerField(_("登记选民数"), null=True, blank=True)
    voting_units = models.PositiveIntegerField(
        _("参加选举的户代表或居民代表数"),
        null=True,
        blank=True,
        help_text=_("户代表选举填户数,居民代表选举填居民代表人数;直接选举不填。"),
    )
    # Step 4: the first round of voting.
    ballots_issued = models.PositiveIntegerField(_("发出选票"), null=True, blank=True)
    ballots_cast = models.PositiveIntegerField(_("收回选票(参加投票)"), null=True, blank=True)
    ballots_valid = models.PositiveIntegerField(_("有效票"), null=True, blank=True)
    ballots_invalid = models.PositiveIntegerField(_("无效票"), null=True, blank=True)
    # Step 5b: the re-run (另行选举) for seats the first round left unfilled.
    rerun_day = models.DateField(_("另行选举日期"), null=True, blank=True)
    rerun_ballots_issued = models.PositiveIntegerField(_("另行选举发出选票"), null=True, blank=True)
    rerun_ballots_cast = models.PositiveIntegerField(_("另行选举收回选票"), null=True, blank=True)
    rerun_ballots_valid = models.PositiveIntegerField(_("另行选举有效票"), null=True, blank=True)
    rerun_ballots_invalid = models.PositiveIntegerField(_("另行选举无效票"), null=True, blank=True)
    result_rule = models.CharField(
        _("当选规则"),
        max_length=200,
        blank=True,
        help_text=_("计算当选时适用的规则,随结果一并保存。"),
    )
    # Step 6: certification by the street office.
    certified_on = models.DateField(_("确认日期"), null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    term_starts_on = models.DateField(_("本届任期起始"), null=True, blank=True)
    term_ends_on = models.DateField(_("本届任期届满"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("选举")
        verbose_name_plural = _("选举")
        ordering = ["-election_day", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_number__gte=1),
                name="election_term_number_positive",
                violation_error_message=_("届次至少为第 1 届。"),
            ),
            models.CheckConstraint(
                condition=Q(seats_director__lte=1),
                name="election_one_director",
                violation_error_message=_("主任只能选 1 名。"),
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(
                    F("seats_director") + F("seats_deputy") + F("seats_member"), 1
                ),
                name="election_some_seats",
                violation_error_message=_("应选名额合计至少为 1 名。"),
            ),
            models.CheckConstraint(
                condition=Q(method="group_representative", reps_per_group__gte=1)
                | (~Q(method="group_representative") & Q(reps_per_group__isnull=True)),
                name="election_reps_only_for_representatives",
                violation_error_message=_(
                    "居民代表选举须填写每个居民小组推选代表人数,其他方式不填。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(voter_list_published_on__isnull=True)
                | Q(voter_list_published_on__lte=F("election_day")),
                name="election_voter_list_before_day",
                violation_error_message=_("选举日不能早于选民名单公布日期。"),
            ),
            models.CheckConstraint(
                condition=Q(voting_units__isnull=True)
                | (
                    ~Q(method="direct")
                    & Q(registered_voters__isnull=False, voting_units__lte=F("registered_voters"))
                ),
                name="election_units_for_representative_methods",
                violation_error_message=_(
                    "户代表或居民代表数只在代表选举时填写,且不能超过登记选民数。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    ballots_issued__isnull=True,
                    ballots_cast__isnull=True,
                    ballots_valid__isnull=True,
                    ballots_invalid__isnull=True,
                )
                | Q(
                    ballots_issued__isnull=False,
                    ballots_cast__isnull=False,
                    ballots_valid__isnull=False,
                    ballots_invalid__isnull=False,
                    ballots_cast__lte=F("ballots_issued"),
                    ballots_valid__lte=F("ballots_cast"),
                ),
                name="election_ballots_cast_within_issued",
                violation_error_message=_("收回选票不能多于发出选票,有效票不能多于收回选票。"),
            ),
            models.CheckConstraint(
                condition=Q(ballots_cast__isnull=True)
                | Q(ballots_cast=F("ballots_valid") + F("ballots_invalid")),
                name="election_valid_plus_invalid_is_cast",
                violation_error_message=_("有效票与无效票之和应等于收回选票数。"),
            ),
            models.CheckConstraint(
                condition=Q(ballots_issued__isnull=True)
                | Q(
                    method="direct",
                    registered_voters__isnull=False,
                    ballots_issued__lte=F("registered_voters"),
                )
                | (
                    ~Q(method="direct")
                    & Q(voting_units__isnull=False, ballots_issued__lte=F("voting_units"))
                ),
                name="election_ballots_within_electorate",
                violation_error_message=_("发出选票不能多于登记选民(或户代表、居民代表)数。"),
            ),
            models.CheckConstraint(
                condition=Q(
                    rerun_day__isnull=True,
                    rerun_ballots_issued__isnull=True,
                    rerun_ballots_cast__isnull=True,
                    rerun_ballots_valid__isnull=True,
                    rerun_ballots_invalid__isnull=True,
                )
                | Q(
                    ballots_cast__isnull=False,
                    rerun_day__isnull=False,
                    rerun_day__gte=F("election_day"),
                    rerun_ballots_issued__isnull=False,
                    rerun_ballots_cast__isnull=False,
                    rerun_ballots_valid__isnull=False,
                    rerun_ballots_invalid__isnull=False,
                    rerun_ballots_cast__lte=F("rerun_ballots_issued"),
                    rerun_ballots_valid__lte=F("rerun_ballots_cast"),
                    rerun_ballots_cast=F("rerun_ballots_valid") + F("rerun_ballots_invalid"),
                ),
                name="election_rerun_ballots_consistent",
                violation_error_message=_(
                    "另行选举须在第一次投票之后,且有效票与无效票之和应等于收回选票数。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(rerun_ballots_issued__isnull=True)
                | Q(
                    method="direct",
                    registered_voters__isnull=False,
                    rerun_ballots_issued__lte=F("registered_voters"),
                )
                | (
                    ~Q(method="direct")
                    & Q(voting_units__isnull=False, rerun_ballots_issued__lte=F("voting_units"))
                ),
                name="election_rerun_ballots_within_electorate",
                violation_error_message=_(
                    "另行选举发出选票不能多于登记选民(或户代表、居民代表)数。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(certified_on__isnull=True)
                | Q(
                    ballots_cast__isnull=False,
                    certified_on__gte=F("election_day"),
                    term_starts_on__isnull=False,
                    term_ends_on__isnull=False,
                    term_ends_on__gt=F("term_starts_on"),
                ),
                name="election_certified_has_results_and_term",
                violation_error_message=_("确认的选举须已登记投票结果,并有任期起止日期。"),
            ),
            models.UniqueConstraint(
                fields=["community", "term_number"],
                condition=Q(kind="general"),
                name="election_one_general_per_term",
                violation_error_message=_("本社区这一届的换届选举已经登记。"),
            ),
        ]
        indexes = [models.Index(fields=["community", "election_day"], name="election_day")]

    def __str__(self) -> str:
        return f"{self.community} 第{self.term_number}届{self.get_kind_display()}"

    @property
    def is_representative(self) -> bool:
        return self.method in self.REPRESENTATIVE_METHODS

    @property
    def electorate(self) -> int | None:
        """Who votes: registered voters, or the households / representatives who vote for them."""
        return self.voting_units if self.is_representative else self.registered_voters

    @property
    def seats(self) -> dict[str, int]:
        return {
            "director": self.seats_director,
            "deputy_director": self.seats_deputy,
            "member": self.seats_member,
        }

    @property
    def total_seats(self) -> int:
        return self.seats_director + self.seats_deputy + self.seats_member

    @property
    def has_voting(self) -> bool:
        return self.ballots_cast is not None

    @property
    def has_rerun(self) -> bool:
        return self.rerun_ballots_cast is not None

    @property
    def is_certified(self) -> bool:
        return self.certified_on is not None

    @property
    def final_day(self) -> datetime.date:
        """The day the last round was held: the new committee takes office on it."""
        return self.rerun_day or self.election_day


class ElectionCandidate(models.Model):
    class Position(models.TextChoices):
        DIRECTOR = "director", _("主任")
        DEPUTY_DIRECTOR = "deputy_director", _("副主任")
        MEMBER = "member", _("委员")

    class Nomination(models.TextChoices):
        VOTERS = "voters", _("选民联名提名")
        HOUSEHOLDS = "households", _("户代表提名")
        REPRESENTATIVES = "representatives", _("居民代表提名")
        SELF = "self", _("本人自荐")
        ORGANIZATION = "organization", _("组织推荐")

    class Outcome(models.TextChoices):
        PENDING = "", _("待计票")
        ELECTED = "elected", _("当选")
        ELECTED_RERUN = "elected_rerun", _("另行选举当选")
        TIED = "tied", _("得票相等,未能当选")
        NOT_ELECTED = "not_elected", _("未当选")

    ELECTED_OUTCOMES = (Outcome.ELECTED, Outcome.ELECTED_RERUN)

    election = models.ForeignKey(
        Election, verbose_name=_("选举"), on_delete=models.CASCADE, related_name="candidates"
    )
    person = models.ForeignKey(
        "committees.Person",
        verbose_name=_("候选人"),
        on_delete=models.PROTECT,
        related_name="candidacies",
    )
    position = models.CharField(_("竞选职务"), max_length=20, choices=Position.choices)
    nomination = models.CharField(_("提名方式"), max_length=20, choices=Nomination.choices)
    votes = models.PositiveIntegerField(_("得票"), null=True, blank=True)
    rerun_votes = models.PositiveIntegerField(_("另行选举得票"), null=True, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=20, choices=Outcome.choices, blank=True, default=Outcome.PENDING
    )
    membership = models.ForeignKey(
        "committees.Membership",
        verbose_name=_("任职记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("确认选举时为当选人建立的任职记录。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("候选人")
        verbose_name_plural = _("候选人")
        ordering = ["election", "position", "-votes", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "person"],
                name="candidate_once_per_election",
                violation_error_message=_("此人已是本次选举的候选人。"),
            ),
            models.CheckConstraint(
                condition=Q(position__in=["director", "deputy_director", "member"]),
                name="candidate_committee_position",
                violation_error_message=_("竞选职务只能是主任、副主任或委员。"),
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(votes__isnull=False),
                name="candidate_outcome_needs_votes",
                violation_error_message=_("没有得票数的候选人不能有选举结果。"),
            ),
            models.CheckConstraint(
                condition=~Q(outcome="elected_rerun") | Q(rerun_votes__isnull=False),
                name="candidate_rerun_outcome_needs_rerun_votes",
                violation_error_message=_("另行选举当选须有另行选举得票。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_position_display()}"

    @property
    def is_elected(self) -> bool:
        return self.outcome in self.ELECTED_OUTCOMES


class ElectionCorrection(models.Model):
    """A correction of a certified election's results: a new act with its reason and author."""

    election = models.ForeignKey(
        Election, verbose_name=_("选举"), on_delete=models.CASCADE, related_name="corrections"
    )
    made_at = models.DateTimeField(_("更正时间"), auto_now_add=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更正人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("更正原因"))
    changes = models.JSONField(
        _("更正内容"), default=list, help_text=_("[项目, 更正前, 更正后] 的列表。")
    )

    class Meta:
        verbose_name = _("选举结果更正")
        verbose_name_plural = _("选举结果更正")
        ordering = ["-made_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="correction_has_reason",
                violation_error_message=_("请说明更正原因。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election} {self.made_at:%Y-%m-%d}"


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
