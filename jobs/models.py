"""The user's view of a background job: who started it, what, where, how far, and the outcome.

The queue itself is django-tasks' database backend (``django_tasks_db``): its rows are the
work to do; a ``Job`` is what the person who asked for that work sees on "我的任务"."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    ACTIVE = (State.QUEUED, State.RUNNING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", null=True
    )
    # Users who asked for the same work while it ran (see ``key``) and were given this job.
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="watched_jobs", blank=True
    )
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    # The jurisdiction the job works on: a user who cannot read this code never sees the job.
    scope_code = models.CharField(_("范围"), max_length=12, blank=True)
    # Work that must not run twice at once (e.g. "evaluate:440402001"): a second request joins
    # the running job instead; the partial unique constraint below enforces it.
    key = models.CharField(max_length=80, blank=True)
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    # The file the job works on (e.g. an uploaded roster), kept until the job finishes.
    upload = models.FileField(upload_to="jobs/uploads/%Y/%m/", blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Bumped at each step: a running job whose heartbeat stops lost its worker (jobs.recovery).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(state__in=["queued", "running"]) & ~Q(key=""),
                name="job_one_active_per_key",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")) | Q(total=0),
                name="job_done_within_total",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]),
                name="job_state_known",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
