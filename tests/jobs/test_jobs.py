"""Background jobs: the re-evaluation button queues a job, a worker (the package's own
``db_worker``, run in-process here) runs it, and "我的任务" shows it to its owner only."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from compliance.models import Finding
from core.models import Role
from jobs.models import Job
from tests.conftest import DISTRICT, OTHER_STREET, STREET

# The worker (db_worker, run in-process) closes a connection that is not in autocommit before
# each task, as it must between tasks: on PostgreSQL that is the test's own transaction, so these
# tests commit for real and the tables are flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)


def work_off_the_queue() -> None:
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
    )


def test_it_runs_the_street_reevaluation_as_a_job_and_shows_its_counts(client, make_user, zhuhai):
    user = make_user(Role.STREET, STREET)
    client.force_login(user)
    response = client.post(reverse("compliance:division_evaluate", args=[STREET]))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.state, job.user, job.scope_code, job.total) == ("queued", user, STREET, 17)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "job-progress.js" in page and "<progress" in page
    assert Finding.objects.count() == 0

    work_off_the_queue()

    job.refresh_from_db()
    assert job.state == "done" and job.done == job.total == 17 and job.attempts == 1
    assert job.summary["findings"] == Finding.objects.count() > 0
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "评估社区数" in page and str(job.summary["findings"]) in page
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["finished"] and status["percent"] == 100
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_second_request_joins_the_running_reevaluation(client, make_user, zhuhai):
    first, second = make_user(Role.STREET, STREET), make_user(Role.BUREAU, DISTRICT)
    client.force_login(first)
    client.post(reverse("compliance:division_evaluate", args=[STREET]))
    client.force_login(second)
    response = client.post(reverse("compliance:division_evaluate", args=[STREET]), follow=True)
    assert Job.objects.count() == 1 and DBTaskResult.objects.count() == 1
    assert "已在进行" in response.content.decode()
    assert response.status_code == 200  # the joiner may open the job they were given
    work_off_the_queue()
    # Once it is done, a new request starts a new job.
    client.post(reverse("compliance:division_evaluate", args=[STREET]))
    assert Job.objects.count() == 2


def test_the_database_refuses_two_active_jobs_for_one_key(make_user, zhuhai):
    from django.db import IntegrityError, transaction

    Job.objects.create(kind="k", title="t", key="evaluate_division:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind="k", title="t", key="evaluate_division:1")
    Job.objects.create(kind="k", title="t", key="evaluate_division:1", state="done")


@pytest.mark.parametrize("view", ["jobs:detail", "jobs:status", "jobs:file"])
def test_another_users_job_and_a_job_outside_the_jurisdiction_are_404(
    client, make_user, zhuhai, view
):
    owner = make_user(Role.STREET, STREET)
    job = Job.objects.create(user=owner, kind="k", title="t", scope_code=STREET, state="done")
    job.result_file.save("r.xlsx", ContentFile(b"data"))
    client.force_login(owner)
    assert client.get(reverse(view, args=[job.pk])).status_code == 200
    client.force_login(make_user(Role.STREET, STREET))  # same street, another user
    assert client.get(reverse(view, args=[job.pk])).status_code == 404
    moved = make_user(Role.STREET, OTHER_STREET)
    job.user = moved
    job.save()
    client.force_login(moved)  # their own job, but its street is no longer theirs
    assert client.get(reverse(view, args=[job.pk])).status_code == 404
    assert (
        reverse("jobs:detail", args=[job.pk])
        not in client.get(reverse("jobs:list")).content.decode()
    )


def test_a_job_is_claimed_once_even_if_its_task_is_delivered_twice(make_user, zhuhai):
    from compliance import tasks

    job, _ = tasks.start_division_evaluation(actor=make_user(Role.STREET, STREET), code=STREET)
    tasks.evaluate_division.enqueue(job.pk)
    work_off_the_queue()
    job.refresh_from_db()
    assert job.attempts == 1 and job.state == "done"


def test_finished_jobs_and_their_files_expire(make_user, zhuhai, settings):
    import datetime

    from django.utils import timezone

    job = Job.objects.create(kind="k", title="t", state="done")
    job.result_file.save("r.xlsx", ContentFile(b"data"))
    path = job.result_file.path
    Job.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=settings.JOBS_RESULT_DAYS + 1)
    )
    fresh = Job.objects.create(kind="k", title="t", state="done", finished_at=timezone.now())
    call_command("jobs_maintain", verbosity=0)
    assert list(Job.objects.all()) == [fresh]
    import os

    assert not os.path.exists(path)


def test_healthz_reports_the_queue_without_a_worker(client, make_user, zhuhai):
    from compliance import tasks

    tasks.start_division_evaluation(actor=make_user(Role.STREET, STREET), code=STREET)
    body = client.get(reverse("healthz")).json()
    assert body["status"] == "ok"
    assert body["queue"]["waiting"] == 1 and body["queue"]["workers_seen_15min"] == 0
