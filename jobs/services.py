"""Starting, running and recovering jobs. The queue is django-tasks' database backend; these
functions keep the user-facing ``Job`` row in step with it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from core.models import User
from jobs.models import Job

logger = logging.getLogger(__name__)


class JobError(Exception):
    """A failure to show the user as it is (already in Chinese), e.g. a file that cannot be read;
    ``summary`` (e.g. each row's error) is kept on the job for its page."""

    def __init__(self, message: str, *, summary: dict[str, Any] | None = None):
        super().__init__(message)
        self.summary = summary


class Progress:
    """Given to a job's body: ``step(done, total)`` records how far it got and that the worker
    is alive, where the page polling the job can see it at once.

    A body's work is one transaction (all of it or none), so the count cannot go through that
    transaction: on PostgreSQL it is written by a side connection in autocommit. SQLite has one
    writer at a time, so inside the body's transaction the count waits for the end."""

    def __init__(self, job: Job):
        self.job = job
        self._side: Any = None

    def step(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.job.total = total
        self.job.done = min(done, self.job.total) if self.job.total else done
        now = timezone.now()
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(
                done=self.job.done, total=self.job.total, heartbeat_at=now
            )
        elif connection.vendor == "postgresql":
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Job._meta.db_table} SET done = %s, total = %s, heartbeat_at = %s "
                    "WHERE id = %s",
                    [self.job.done, self.job.total, now, self.job.pk],
                )

    def add(self, count: int) -> None:
        self.step(self.job.done + count)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def start(
    *,
    actor: User | None,
    task: Any,
    kind: str,
    title: str,
    scope_code: str = "",
    key: str = "",
    params: dict[str, Any] | None = None,
    total: int = 0,
    upload: File | None = None,
) -> tuple[Job, bool]:
    """Record a job and enqueue ``task(job_id)``. Returns ``(job, joined)``: with a ``key``, a
    job already queued or running for it is returned instead (``joined`` true), so the same
    work never runs twice at once."""
    if key:
        running = Job.objects.filter(key=key, state__in=Job.ACTIVE).first()
        if running is not None:
            _watch(running, actor)
            return running, True
    try:
        with transaction.atomic():
            job = Job.objects.create(
                user=actor,
                kind=kind,
                title=title,
                scope_code=scope_code,
                key=key,
                params=params or {},
                total=total,
            )
            if upload is not None:  # saved before the task is queued: the worker reads it
                job.upload.save(upload.name or "upload", upload, save=True)
    except IntegrityError:  # another request started it between the look-up and the insert
        running = Job.objects.get(key=key, state__in=Job.ACTIVE)
        _watch(running, actor)
        return running, True
    result = task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job, False


def _watch(job: Job, actor: User | None) -> None:
    if actor is not None and actor.pk != job.user_id:
        job.watchers.add(actor)


def run(job_id: int, body: Callable[[Job, Progress], dict[str, Any]]) -> dict[str, Any]:
    """Run a job's body in a worker. Only a queued job is claimed, so a task delivered twice
    does its work once; the body is idempotent, so a job re-queued after its worker died
    (``recover_stale``) finishes with the same outcome."""
    recover_stale()
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return {"skipped": True}
    job = Job.objects.get(pk=job_id)
    progress = Progress(job)
    try:
        # All of the body's writes or none: a worker killed half-way leaves nothing of its run
        # (the database rolls the open transaction back), and the re-queued run starts clean.
        with transaction.atomic():
            summary = body(job, progress)
    except JobError as exc:
        _finish(job, Job.State.FAILED, error=str(exc), summary=exc.summary)
        return {"failed": str(exc)}
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, Job.State.FAILED, error=_("任务执行出错,请稍后重试;如仍失败请联系管理员。"))
        raise
    finally:
        progress.close()
    _finish(job, Job.State.DONE, summary=summary)
    return summary


def _finish(
    job: Job, state: str, *, summary: dict[str, Any] | None = None, error: str = ""
) -> None:
    job.refresh_from_db(fields=["total", "done"])
    values: dict[str, Any] = {"state": state, "finished_at": timezone.now(), "error": error}
    if summary is not None:
        values["summary"] = summary
    if state == Job.State.DONE:
        values["done"] = job.total
    Job.objects.filter(pk=job.pk).update(**values)
    if job.upload:  # the input (e.g. a roster with ID numbers) is not kept once the job ended
        job.upload.delete(save=False)
        Job.objects.filter(pk=job.pk).update(upload="")


def recover_stale() -> tuple[int, int]:
    """Running jobs whose heartbeat stopped lost their worker (killed, machine gone): the
    body's open transaction was rolled back with it. Each is queued again, up to
    ``JOBS_MAX_ATTEMPTS`` runs, then marked failed. Returns (re-queued, failed)."""
    cutoff = timezone.now() - timedelta(seconds=settings.JOBS_STALE_AFTER)
    requeued = failed = 0
    for job in Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=cutoff):
        with transaction.atomic():
            if not Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
                heartbeat_at=timezone.now()
            ):
                continue  # another process recovered it first
            lost = DBTaskResult.objects.filter(id=job.task_id).first()
            if lost is not None and lost.status == "RUNNING":
                DBTaskResult.objects.filter(pk=lost.pk).update(
                    status="FAILED",
                    finished_at=timezone.now(),
                    exception_class_path="jobs.services.WorkerLost",
                    traceback="the worker stopped sending heartbeats",
                )
            if lost is not None and job.attempts < settings.JOBS_MAX_ATTEMPTS:
                Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED, done=0)
                result = lost.task.enqueue(*lost.args_kwargs["args"], **lost.args_kwargs["kwargs"])
                Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
                requeued += 1
            else:
                Job.objects.filter(pk=job.pk).update(
                    state=Job.State.FAILED,
                    finished_at=timezone.now(),
                    error=_("处理任务的进程中断,已尝试 %(n)d 次仍未完成,请重新发起。")
                    % {"n": job.attempts},
                )
                failed += 1
    return requeued, failed


def expire(*, older_than_days: int | None = None) -> int:
    """Delete finished jobs (their rows, result files and queue rows) older than the setting."""
    days = settings.JOBS_RESULT_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    old = Job.objects.filter(state__in=[Job.State.DONE, Job.State.FAILED], finished_at__lt=cutoff)
    count = 0
    for job in old.iterator():
        for file in (job.result_file, job.upload):
            if file:
                file.delete(save=False)
        job.delete()
        count += 1
    DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return count
