"""Term elections (换届选举) and by-elections (补选)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# --- Term elections (换届选举) and by-elections (补选) -------------------------------------------
#
# An election is recorded step by step: planned, voter list published, candidates, voting,
# results, certified. Who is elected is never ticked by hand: it is computed from the votes with
# the rules in force (elections/counting.py) and frozen on each candidate with the rule used,
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
        "divisions.Community",
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

    # Not a field: the current step, set for the lists of elections.
    step: str | None

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

    # Not fields: set for the election's page by elections.selectors.election_page.
    age: int | None
    share: str

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
