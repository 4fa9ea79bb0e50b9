"""Residents' satisfaction surveys (CZ-10): a street or bureau defines one for some communities;
residents answer with a one-time code, or staff enter a paper questionnaire.

Anonymity is structural: a ``Response`` stores its survey, community, channel and day, never the
code it was answered with, a time of day, an address or a user; a code only knows it was used.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Person
from divisions.models import Community

MIN_SCORE, MAX_SCORE = 1, 5


class Survey(models.Model):
    code = models.CharField(_("组织单位代码"), max_length=12, db_index=True)
    title = models.CharField(_("名称"), max_length=200)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    published_on = models.DateField(_("结果公布日期"), null=True, blank=True)
    communities = models.ManyToManyField(
        Community, related_name="surveys", verbose_name=_("参加测评的社区")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = _("满意度测评")
        ordering = ["-opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="survey_closes_after_opens"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, on) -> bool:
        return self.opens_on <= on <= self.closes_on


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("问题"), max_length=200)
    # One score per current committee member of the community, instead of one score.
    per_member = models.BooleanField(_("每名居委会成员各评一次"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("测评问题")
        verbose_name_plural = _("测评问题")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_position_unique")
        ]

    def __str__(self) -> str:
        return self.text


class AnswerCode(models.Model):
    """A one-time code printed on a slip for one community. It knows only whether it was used."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("答题码"), max_length=16, unique=True)
    used = models.BooleanField(_("已使用"), default=False)

    class Meta:
        verbose_name = _("答题码")
        verbose_name_plural = _("答题码")

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.community_id}"  # never the code itself (logs, admin)


class Response(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("网上答题")
        PAPER = "paper", _("纸质问卷")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices)
    submitted_on = models.DateField(_("提交日期"))

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        indexes = [models.Index(fields=["survey", "community"])]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.community_id}/{self.pk}"


class Score(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scores")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="scores")
    # The committee member a per-member question is about (None for the other questions).
    person = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("评分"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=MIN_SCORE, score__lte=MAX_SCORE), name="score_in_range"
            ),
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(person__isnull=True),
                name="score_once_per_question",
            ),
            models.UniqueConstraint(
                fields=["response", "question", "person"], name="score_once_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score}"
