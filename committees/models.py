"""Organizations, people, memberships, training and qualifications."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.ethnicities import ETHNICITIES
from divisions.models import Community


def membership_active_q(on: datetime.date, prefix: str = "") -> Q:
    """Memberships active on a date: started on or before it, not ended before it."""
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def organization_active_q(on: datetime.date, prefix: str = "") -> Q:
    """Organizations in existence on a date (a dissolution date is the first day without it)."""
    return (
        Q(**{f"{prefix}established_on__isnull": True}) | Q(**{f"{prefix}established_on__lte": on})
    ) & (Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": on}))


class Organization(models.Model):
    """A body of a community: its committee, party organization, subcommittees, groups…"""

    class Kind(models.TextChoices):
        RESIDENTS_COMMITTEE = "residents_committee", _("社区居民委员会")
        PARTY_BRANCH = "party_branch", _("社区党支部")
        PARTY_GENERAL_BRANCH = "party_general_branch", _("社区党总支")
        PARTY_COMMITTEE = "party_committee", _("社区党委")
        SUBCOMMITTEE = "subcommittee", _("下属委员会")
        SERVICE_STATION = "service_station", _("社区公共服务站")
        SERVICE_HALL = "service_hall", _("一站式服务大厅")
        RESIDENTS_COUNCIL = "residents_council", _("居民议事协调会")
        REPRESENTATIVES_ASSEMBLY = "representatives_assembly", _("居民代表会议")
        ELECTION_COMMITTEE = "election_committee", _("居民选举委员会")
        SUPERVISION_COMMITTEE = "supervision_committee", _("居务监督委员会")
        OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
        PROPERTY_COMPANY = "property_company", _("物业服务企业")
        SOCIAL_ORGANIZATION = "social_organization", _("社区社会组织")
        RESIDENTS_GROUP = "residents_group", _("居民小组")
        BUILDING = "building", _("楼栋")

    class Subkind(models.TextChoices):
        MEDIATION = "mediation", _("人民调解委员会")
        SECURITY = "security", _("治安保卫委员会")
        PUBLIC_HEALTH = "public_health", _("公共卫生委员会")
        PUBLIC_WELFARE = "public_welfare", _("公共福利委员会")
        FAMILY_PLANNING = "family_planning", _("计划生育(卫生健康)委员会")
        CULTURE_SPORTS = "culture_sports", _("群众文体委员会")
        ELDERLY_WOMEN_CHILDREN = "elderly_women_children", _("老年人和妇女儿童工作委员会")
        OTHER = "other", _("其他")

    PARTY_KINDS = (Kind.PARTY_BRANCH, Kind.PARTY_GENERAL_BRANCH, Kind.PARTY_COMMITTEE)

    community = models.ForeignKey(
        Community, verbose_name=_("社区"), on_delete=models.CASCADE, related_name="organizations"
    )
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    subkind = models.CharField(
        _("委员会类别"),
        max_length=30,
        choices=Subkind.choices,
        blank=True,
        help_text=_("仅下属委员会填写。"),
    )
    name = models.CharField(_("名称"), max_length=100)
    party_member_count = models.PositiveIntegerField(
        _("党员人数"), null=True, blank=True, help_text=_("党组织填写登记在册的党员人数。")
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["community", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="subcommittee", subkind__gt="")
                | (~Q(kind="subcommittee") & Q(subkind="")),
                name="organization_subkind_only_for_subcommittees",
                violation_error_message=_("只有下属委员会需要填写委员会类别,且必须填写。"),
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(dissolved_on__gte=models.F("established_on")),
                name="organization_dissolved_after_established",
                violation_error_message=_("撤销日期不能早于成立日期。"),
            ),
            models.CheckConstraint(
                condition=Q(party_member_count__isnull=True)
                | Q(kind__in=["party_branch", "party_general_branch", "party_committee"]),
                name="organization_member_count_only_for_party",
                violation_error_message=_("只有党组织填写党员人数。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_party(self) -> bool:
        return self.kind in self.PARTY_KINDS


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    class Political(models.TextChoices):
        PARTY_MEMBER = "party_member", _("中共党员")
        PROBATIONARY = "probationary", _("中共预备党员")
        LEAGUE = "league", _("共青团员")
        DEMOCRATIC_PARTY = "democratic_party", _("民主党派")
        MASSES = "masses", _("群众")

    class Education(models.TextChoices):
        PRIMARY = "primary", _("小学及以下")
        JUNIOR = "junior", _("初中")
        SENIOR = "senior", _("高中/中专")
        COLLEGE = "college", _("大专")
        BACHELOR = "bachelor", _("本科")
        POSTGRADUATE = "postgraduate", _("研究生")

    community = models.ForeignKey(
        Community, verbose_name=_("所属社区"), on_delete=models.CASCADE, related_name="people"
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, choices=ETHNICITIES, default="汉族")
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=Political.choices, default=Political.MASSES
    )
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    lives_in_community = models.BooleanField(_("居住在本社区"), default=False)
    registered_in_community = models.BooleanField(_("户籍在本社区"), default=False)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number=""),
                name="person_unique_id_number",
                violation_error_message=_("该身份证号已登记。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_localized(self) -> bool:
        """属地化: lives in, or is registered in, the community."""
        return self.lives_in_community or self.registered_in_community

    @property
    def is_minority(self) -> bool:
        return bool(self.ethnicity) and self.ethnicity != "汉族"


class Membership(models.Model):
    class Position(models.TextChoices):
        DIRECTOR = "director", _("主任")
        DEPUTY_DIRECTOR = "deputy_director", _("副主任")
        MEMBER = "member", _("委员")
        SECRETARY = "secretary", _("书记")
        DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
        STAFF = "staff", _("专职工作人员")
        GROUP_LEADER = "group_leader", _("居民小组长")
        BUILDING_LEADER = "building_leader", _("楼栋长")
        CHAIR = "chair", _("主席/会长")
        VICE_CHAIR = "vice_chair", _("副主席/副会长")
        OTHER = "other", _("成员")

    class Source(models.TextChoices):
        ELECTED = "elected", _("选举产生")
        APPOINTED = "appointed", _("任命/推选")
        RECRUITED = "recruited", _("公开招聘")
        OTHER = "other", _("其他")

    # Positions that make up a committee (director, deputies, members).
    COMMITTEE_POSITIONS = (Position.DIRECTOR, Position.DEPUTY_DIRECTOR, Position.MEMBER)
    PARTY_COMMITTEE_POSITIONS = (Position.SECRETARY, Position.DEPUTY_SECRETARY, Position.MEMBER)
    # Posts that belong to one kind of organization only: a group leader leads a residents'
    # group, a building leader a building (GD-03 wants them as organizations of their own), never
    # a seat of the residents' committee. Not a database constraint: the kind is on another table.
    POSITION_KINDS: dict[str, str] = {
        Position.GROUP_LEADER: Organization.Kind.RESIDENTS_GROUP,
        Position.BUILDING_LEADER: Organization.Kind.BUILDING,
    }

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="memberships"
    )
    position = models.CharField(_("职务"), max_length=20, choices=Position.choices)
    start_date = models.DateField(_("任职日期"))
    end_date = models.DateField(_("离任日期"), null=True, blank=True)
    end_reason = models.CharField(_("离任原因"), max_length=100, blank=True)
    term_ends_on = models.DateField(
        _("本届任期届满"), null=True, blank=True, help_text=_("选举产生的成员填写,用于换届提醒。")
    )
    full_time = models.BooleanField(_("专职"), default=False)
    source = models.CharField(
        _("产生方式"), max_length=20, choices=Source.choices, default=Source.ELECTED
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["organization", "position", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
                violation_error_message=_("离任日期不能早于任职日期。"),
            ),
            models.UniqueConstraint(
                fields=["person", "organization", "position"],
                condition=Q(end_date__isnull=True),
                name="membership_one_open_per_position",
                violation_error_message=_("此人已在该组织担任这一职务。"),
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(position="director", end_date__isnull=True),
                name="membership_one_current_director",
                violation_error_message=_("该组织已有一位在任主任。"),
            ),
        ]
        indexes = [models.Index(fields=["organization", "end_date"], name="membership_org_end")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_position_display()}"

    def is_active(self, on: datetime.date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)


class Training(models.Model):
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="trainings"
    )
    date = models.DateField(_("培训日期"))
    course = models.CharField(_("培训内容"), max_length=100)
    hours = models.DecimalField(
        _("学时"),
        max_digits=5,
        decimal_places=1,
        validators=[
            MinValueValidator(Decimal("0.5"), _("学时至少为 0.5。")),
            MaxValueValidator(Decimal("500"), _("学时不能超过 500。")),
        ],
    )
    organizer = models.CharField(_("组织单位"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="training_hours_positive",
                violation_error_message=_("学时必须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.date} {self.course}"


class Qualification(models.Model):
    class Kind(models.TextChoices):
        ASSISTANT_SOCIAL_WORKER = "assistant_social_worker", _("助理社会工作师")
        SOCIAL_WORKER = "social_worker", _("社会工作师")
        SENIOR_SOCIAL_WORKER = "senior_social_worker", _("高级社会工作师")
        OTHER = "other", _("其他证书")

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="qualifications"
    )
    kind = models.CharField(_("证书"), max_length=30, choices=Kind.choices)
    name = models.CharField(
        _("证书名称"), max_length=100, blank=True, help_text=_("“其他证书”时填写。")
    )
    obtained_on = models.DateField(_("取得日期"))
    number = models.CharField(_("证书编号"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("职业资格")
        verbose_name_plural = _("职业资格")
        ordering = ["-obtained_on"]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()}"


def staff_q(on: datetime.date) -> Q:
    """Memberships that make their person full-time staff of the organization's community."""
    return membership_active_q(on) & organization_active_q(on, "organization__") & Q(full_time=True)
