"""Compliance work that runs in a worker (``manage.py db_worker``), not in a request."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from compliance.engine import evaluate_communities, evaluate_jurisdictions
from core.models import User
from divisions.models import Community, Division
from jobs import services as jobs
from jobs.models import Job

EVALUATE = "evaluate_division"


def start_division_evaluation(*, actor: User, code: str) -> tuple[Job, bool]:
    """Queue the re-evaluation of every community under ``code``; a re-evaluation of the same
    division already queued or running is joined instead (``joined`` true)."""
    name = Division.objects.filter(code=code).values_list("name", flat=True).first() or code
    return jobs.start(
        actor=actor,
        task=evaluate_division,
        kind=EVALUATE,
        title=_("重新评估 %(name)s") % {"name": name},
        scope_code=code,
        key=f"{EVALUATE}:{code}",
        total=Community.objects.filter(code__startswith=code).count(),
    )


@task()
def evaluate_division(job_id: int) -> dict[str, Any]:
    return jobs.run(job_id, _evaluate_division)


def _evaluate_division(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    # As of the day the worker runs it, as the button did in the request.
    today: datetime.date = timezone.localdate()
    communities = Community.objects.filter(code__startswith=job.scope_code)
    progress.step(0, communities.count())
    # One transaction inside the engine: a worker killed half-way leaves no findings of its run.
    written = evaluate_communities(communities, today, progress=progress.add)
    evaluate_jurisdictions(job.scope_code, today)
    return {"communities": progress.job.total, "findings": written}
