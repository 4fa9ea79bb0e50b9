"""Committee work that runs in a worker (``manage.py db_worker``): large roster imports."""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.utils.translation import gettext as _
from django_tasks import task

from committees import roster
from core.models import User
from divisions.models import Community
from jobs import services as jobs
from jobs.models import Job

ROSTER_IMPORT = "roster_import"


class ImportRunning(Exception):
    """An import of this community's roster is already queued or running."""


def start_roster_import(*, actor: User, community: Community, file: File) -> Job:
    """Keep the upload and queue its import. One import per community at a time: a second
    upload meanwhile raises ImportRunning (it would check against data about to change)."""
    key = f"{ROSTER_IMPORT}:{community.code}"
    if Job.objects.filter(key=key, state__in=Job.ACTIVE).exists():
        raise ImportRunning
    job, joined = jobs.start(
        actor=actor,
        task=import_roster,
        kind=ROSTER_IMPORT,
        title=_("导入名单 %(name)s") % {"name": community.name},
        scope_code=community.code,
        key=key,
        upload=file,
        total=1,
    )
    if joined:  # another upload won the race between the look-up and the insert
        raise ImportRunning
    return job


@task()
def import_roster(job_id: int) -> dict[str, Any]:
    return jobs.run(job_id, _import_roster)


def _import_roster(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    community = Community.objects.get(code=job.scope_code)
    if job.user is None:
        raise jobs.JobError(_("发起导入的用户已不存在,未导入任何数据。"))
    with job.upload.open("rb") as upload:
        data = upload.read()
    check = roster.import_roster(actor=job.user, community=community, file=data)
    if check.errors:
        raise jobs.JobError(
            _("发现 %(n)d 处错误,未导入任何数据。") % {"n": len(check.errors)},
            summary={
                "row_errors": [
                    {"row": e.row, "column": e.column, "message": e.message} for e in check.errors
                ]
            },
        )
    progress.step(1)
    return {
        "people_created": check.people_created,
        "people_reused": check.people_reused,
        "people_updated": check.people_updated,
        "memberships_created": check.memberships_created,
    }
