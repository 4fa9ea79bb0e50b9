"""Pages of the compliance engine: community tab, reports, matrix export, standards library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import exemptions, services, tasks
from compliance import selectors as compliance
from compliance.engine import applicability
from compliance.forms import AsOfForm, LocalDocumentForm, LocalStandardForm
from compliance.models import Status
from core import access
from core.exports import xlsx_response
from core.models import Role, User
from core.users import SignedInRequest
from divisions import selectors as committee_selectors
from divisions.pages import add_service_errors

if TYPE_CHECKING:
    import datetime

# Beyond this many communities, evaluation from a web request would be too long: use the command.
WEB_EVALUATION_LIMIT = 5000


def _as_of(request: HttpRequest) -> tuple[AsOfForm, datetime.date | None]:
    form = AsOfForm(request.GET or None)
    return form, (form.cleaned_data.get("as_of") if form.is_valid() else None)


@login_required
def community_compliance(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    form, as_of = _as_of(request)
    return render(
        request,
        "compliance/community_compliance.html",
        {
            "community": community,
            "crumbs": committee_selectors.breadcrumbs(request.user, code),
            "tab": "compliance",
            "form": form,
            "result": compliance.community_compliance(community, as_of),
            "can_write": access.can_write(request.user, code),
        },
    )


@login_required
def community_report(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    _form, as_of = _as_of(request)
    return render(
        request,
        "compliance/community_report.html",
        {
            "community": community,
            "crumbs": committee_selectors.breadcrumbs(request.user, code),
            "result": compliance.community_compliance(community, as_of),
            "printed_on": timezone.localdate(),
        },
    )


@login_required
def division_report(request: SignedInRequest, code: str) -> HttpResponse:
    """A printable report for a street (or any division): each community's tally and failures."""
    division = committee_selectors.division_for(request.user, code)
    failing = compliance.failing_findings(division.code, timezone.localdate())
    page = Paginator(failing, 500).get_page(request.GET.get("page"))
    return render(
        request,
        "compliance/division_report.html",
        {
            "division": division,
            "crumbs": committee_selectors.breadcrumbs(request.user, code),
            "board": compliance.dashboard(code, None),
            "page": page,
            "printed_on": timezone.localdate(),
        },
    )


@login_required
def division_matrix(request: SignedInRequest, code: str) -> HttpResponse:
    """The compliance matrix (communities × standards) of a jurisdiction, for Excel."""
    division = committee_selectors.division_for(request.user, code)
    standards, rows = compliance.matrix(code)
    column = {s.pk: i for i, s in enumerate(standards)}
    labels = {s.value: str(s.label) for s in Status}
    exempted = compliance.exempted_notes(code)

    def pivot():
        current: str | None = None
        line: list[str] = []
        for community_code, name, standard_id, status in rows.iterator(chunk_size=5000):
            if community_code != current:
                if line:
                    yield line
                current, line = community_code, [community_code, name] + [""] * len(standards)
            note = exempted.get((community_code, standard_id))
            if note and status in exemptions.EXEMPTIBLE:
                # Never shown as compliant: the result stays, with who exempted it.
                line[2 + column[standard_id]] = _("%(status)s(已豁免:%(who)s)") % {
                    "status": labels[status],
                    "who": note.granted_by,
                }
            else:
                line[2 + column[standard_id]] = labels[status]
        if line:
            yield line

    code_of = {s.pk: s.code for s in standards}
    legend = (
        (
            s.code,
            s.title,
            s.document.title,
            s.document.number,
            s.article,
            s.quote,
            _("是") if s.is_default else "",
        )
        for s in standards
    )
    sheets = [
        (_("合规矩阵"), [_("社区代码"), _("社区"), *[s.code for s in standards]], pivot()),
        (
            _("标准说明"),
            [_("编号"), _("标题"), _("文件"), _("文号"), _("条款"), _("原文"), _("一般性规定")],
            legend,
        ),
    ]
    if exempted:  # who granted each exemption in force
        sheets.append(
            (
                _("豁免"),
                [_("社区代码"), _("标准"), _("批准人"), _("豁免截止日期"), _("理由")],
                [
                    (c, code_of.get(s, ""), n.granted_by, n.expires_on, n.reason)
                    for (c, s), n in sorted(exempted.items())
                ],
            )
        )
    return xlsx_response(f"{division.name}-{_('合规矩阵')}.xlsx", sheets)


@login_required
def division_evaluate(request: SignedInRequest, code: str) -> HttpResponse:
    division, communities = committee_selectors.division_communities(request.user, code)
    if request.method != "POST":  # checked after the scope, so outside codes stay a 404
        return HttpResponseNotAllowed(["POST"])
    if not access.can_evaluate(request.user, code):
        raise PermissionDenied
    job, joined = tasks.start_division_evaluation(actor=request.user, code=code)
    if joined:
        messages.info(
            request, _("%(name)s 的重新评估已在进行,已为您打开该任务。") % {"name": division.name}
        )
    else:
        messages.success(request, _("已在后台开始重新评估 %(name)s。") % {"name": division.name})
    return redirect("jobs:detail", pk=job.pk)


@login_required
def standard_list(request: SignedInRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()
    document = request.GET.get("document")
    page = Paginator(compliance.standards(query, document), settings.PAGE_SIZE * 2).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "compliance/standard_list.html",
        {
            "page": page,
            "documents": compliance.documents(),
            "q": query,
            "document": document,
            "query": params.urlencode(),
            "can_add": _can_manage_standards(request.user),
        },
    )


@login_required
def standard_detail(request: SignedInRequest, code: str) -> HttpResponse:
    standard = compliance.standard_for(code)
    today = timezone.localdate()
    applies_here = None
    for grant_code in access.prefixes(request.user)[:1]:
        resolved = applicability(grant_code, today, level=standard.level)
        applies_here = next((a for a in resolved if a.standard.pk == standard.pk), None)
    return render(
        request,
        "compliance/standard_detail.html",
        {"standard": standard, "applies_here": applies_here, "today": today},
    )


def _can_manage_standards(user: User) -> bool:
    return access.is_unrestricted(user) or any(g.role == Role.BUREAU for g in access.grants(user))


@login_required
def document_create(request: SignedInRequest) -> HttpResponse:
    if not _can_manage_standards(request.user):
        raise Http404
    form = LocalDocumentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已新增本地文件“%(t)s”,现在可以为它添加标准条款。") % {"t": document.title},
            )
            return redirect(f"{reverse('compliance:standard_create')}?document={document.pk}")
    return render(
        request, "compliance/standard_form.html", {"form": form, "heading": _("新增本地政策文件")}
    )


@login_required
def standard_create(request: SignedInRequest) -> HttpResponse:
    if not _can_manage_standards(request.user):
        raise Http404
    initial = {"document": request.GET.get("document")} if request.GET.get("document") else None
    form = LocalStandardForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.standard_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("已新增标准条款 %(c)s。下次评估时生效。") % {"c": standard.code}
            )
            return redirect("compliance:standard_detail", code=standard.code)
    return render(
        request, "compliance/standard_form.html", {"form": form, "heading": _("新增本地标准条款")}
    )
