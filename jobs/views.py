from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.users import SignedInRequest
from jobs import selectors
from jobs.models import Job

# What a finished job's summary counts, in the words the page shows.
SUMMARY_LABELS = {
    "communities": _("评估社区数"),
    "findings": _("评估结果条数"),
    "people_created": _("新增人员数"),
    "people_reused": _("沿用已有人员数"),
    "people_updated": _("更新信息的人员数"),
    "memberships_created": _("新增任职数"),
}


@login_required
def job_list(request: SignedInRequest) -> HttpResponse:
    page = Paginator(selectors.my_jobs(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page": page})


@login_required
def job_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    job = selectors.my_job(request.user, pk)
    summary = job.summary or {}
    lines = [(label, summary[key]) for key, label in SUMMARY_LABELS.items() if key in summary]
    context = {"job": job, "summary_lines": lines, "row_errors": summary.get("row_errors", [])}
    return render(request, "jobs/job_detail.html", context)


@login_required
def job_status(request: SignedInRequest, pk: int) -> JsonResponse:
    """Polled by static/js/job-progress.js while the job is queued or running."""
    job = selectors.my_job(request.user, pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "finished": job.finished,
        }
    )


@login_required
def job_file(request: SignedInRequest, pk: int) -> FileResponse:
    job = selectors.my_job(request.user, pk)
    if job.state != Job.State.DONE or not job.result_file:
        raise Http404
    return FileResponse(
        job.result_file.open("rb"), as_attachment=True, filename=job.result_name or "result"
    )
