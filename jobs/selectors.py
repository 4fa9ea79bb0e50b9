"""Reads of jobs: a user sees only jobs they started, and only inside their jurisdiction."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import access
from core.models import User
from jobs.models import Job


def my_jobs(user: User) -> QuerySet[Job]:
    mine = Job.objects.filter(
        Q(user=user) | Q(pk__in=Job.objects.filter(watchers=user).values("pk"))
    )
    return mine.filter(access.scope_q(user, "scope_code"))


def my_job(user: User, pk: int) -> Job:
    """The user's own job, or a 404: another user's job and a job whose scope lies outside the
    user's jurisdiction (e.g. after a change of assignment) answer as if it did not exist."""
    return get_object_or_404(my_jobs(user), pk=pk)


def queue_health() -> dict[str, object]:
    """For /healthz: how long the oldest job has waited and which workers ran a task lately."""
    now = timezone.now()
    oldest = (
        DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True)
    ).first()
    recent = DBTaskResult.objects.filter(started_at__gte=now - timedelta(minutes=15)).values_list(
        "worker_ids", flat=True
    )
    workers = sorted({w for ids in recent for w in (ids or [])[-1:]})
    return {
        "waiting": DBTaskResult.objects.ready().count(),
        "running": DBTaskResult.objects.running().count(),
        "oldest_waiting_seconds": int((now - oldest).total_seconds()) if oldest else 0,
        "workers_seen_15min": len(workers),
    }
