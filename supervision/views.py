"""Pages of supervision: notices, disputes and exemptions, 待办, annual assessments."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseInlineFormSet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import Status
from compliance.views import WEB_EVALUATION_LIMIT
from core import reminders
from core.exports import xlsx_response
from core.uploads import attachment_response
from core.users import SignedInRequest
from divisions import selectors as committee_selectors
from divisions.pages import add_row_errors, add_service_errors, community_page
from supervision import scoring, selectors, services
from supervision.forms import (
    AssessmentForm,
    DecisionForm,
    DisputeForm,
    IssueFilterForm,
    ItemFormSet,
    NoticeIssueForm,
    NoticeResponseForm,
    NoticeReviewForm,
)
from supervision.models import Assessment, Exemption, RectificationNotice

TAB = "supervision"


def _page(request: HttpRequest, rows, size: int | None = None):
    return Paginator(rows, size or settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- the community tab -------------------------------------------------------------------


@login_required
def community(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    return community_page(
        request,
        community,
        "supervision/community.html",
        tab=TAB,
        notices=_page(request, selectors.community_notices(community)),
        disputes=selectors.community_exemptions(community)[:100],
        today=timezone.localdate(),
        may_respond=selectors.may_respond(request.user, code),
        may_supervise=selectors.may_supervise(request.user, code),
    )


@login_required
def notice_detail(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    notice = selectors.notice_for(request.user, code, pk)
    return community_page(
        request,
        notice.community,
        "supervision/notice_detail.html",
        tab=TAB,
        notice=notice,
        events=selectors.notice_events(notice),
        today=timezone.localdate(),
        may_respond=selectors.may_respond(request.user, code),
        may_supervise=selectors.may_supervise(request.user, code),
    )


@login_required
def notice_respond(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    notice = selectors.notice_for(request.user, code, pk)
    if not selectors.may_respond(request.user, code):
        raise PermissionDenied
    form = NoticeResponseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and notice.is_open() and form.is_valid():
        try:
            services.notice_respond(actor=request.user, notice=notice, event=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("整改情况已反馈,等待街道验收。"))
            return redirect("supervision:notice", code=code, pk=pk)
    return community_page(
        request,
        notice.community,
        "supervision/notice_action.html",
        tab=TAB,
        notice=notice,
        form=form,
        allowed=notice.is_open(),
        heading=_("反馈整改情况"),
        multipart=True,
        today=timezone.localdate(),
    )


@login_required
def notice_review(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    notice = selectors.notice_for(request.user, code, pk)
    if not selectors.may_supervise(request.user, code):
        raise PermissionDenied
    form = NoticeReviewForm(request.POST or None)
    allowed = notice.state == RectificationNotice.State.RESPONDED
    if request.method == "POST" and allowed and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == NoticeReviewForm.ACCEPT:
                services.notice_accept(actor=request.user, notice=notice, comment=data["comment"])
                messages.success(request, _("已验收,通知办结。"))
            else:
                services.notice_return(actor=request.user, notice=notice, reason=data["comment"])
                messages.success(request, _("已退回,社区将重新整改。"))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("supervision:notice", code=code, pk=pk)
    return community_page(
        request,
        notice.community,
        "supervision/notice_action.html",
        tab=TAB,
        notice=notice,
        form=form,
        allowed=allowed,
        heading=_("验收整改"),
        events=selectors.notice_events(notice),
        today=timezone.localdate(),
    )


@login_required
def notice_file(request: SignedInRequest, code: str, pk: int) -> FileResponse:
    """An attachment of a response: served only inside the jurisdiction, as a download."""
    event = selectors.response_for(request.user, code, pk)
    if not event.attachment or not event.attachment.storage.exists(event.attachment.name):
        raise Http404
    return attachment_response(event.attachment, filename=event.attachment.name.rsplit("/", 1)[-1])


@login_required
def dispute_create(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    if not selectors.may_respond(request.user, code):
        raise PermissionDenied
    findings = selectors.contestable_findings(community)
    initial = {"standard": request.GET.get("standard", "")[:30]}
    form = DisputeForm(request.POST or None, findings=findings, initial=initial)
    if request.method == "POST" and form.is_valid():
        # The form's choices are these findings' standards: no need to read it again.
        standard = {f.standard.code: f.standard for f in findings}[form.cleaned_data["standard"]]
        try:
            services.dispute_raise(
                actor=request.user,
                community=community,
                standard=standard,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("申诉已提交,等待街道或民政部门裁定。"))
            return redirect("supervision:community", code=code)
    return community_page(
        request,
        community,
        "supervision/dispute_form.html",
        tab=TAB,
        form=form,
        findings=findings,
    )


@login_required
def dispute_decide(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    dispute = selectors.exemption_for(request.user, code, pk)
    if not selectors.may_supervise(request.user, code):
        raise PermissionDenied
    form = DecisionForm(request.POST or None)
    allowed = dispute.state == Exemption.State.PENDING
    if request.method == "POST" and allowed and form.is_valid():
        data = form.cleaned_data
        try:
            services.dispute_decide(
                actor=request.user,
                dispute=dispute,
                grant=data["decision"] == DecisionForm.GRANT,
                reason=data["reason"],
                expires_on=data.get("expires_on"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("裁定已保存。"))
            return redirect("supervision:community", code=code)
    return community_page(
        request,
        dispute.community,
        "supervision/dispute_decide.html",
        tab=TAB,
        dispute=dispute,
        form=form,
        allowed=allowed,
        today=timezone.localdate(),
    )


# --- division pages ----------------------------------------------------------------------


def _notice_filters() -> list[tuple[str, str]]:
    return [
        ("", _("全部")),
        ("open", _("未办结")),
        ("overdue", _("已逾期")),
        (RectificationNotice.State.RESPONDED, _("待验收")),
        (RectificationNotice.State.RETURNED, _("已退回")),
        (RectificationNotice.State.ACCEPTED, _("已办结")),
    ]


@login_required
def division_notices(request: SignedInRequest, code: str) -> HttpResponse:
    division = committee_selectors.division_for(request.user, code)
    today = timezone.localdate()
    state = request.GET.get("state", "")
    notices = selectors.filter_notices(selectors.notices_under(code), state, today)
    return render(
        request,
        "supervision/division_notices.html",
        {
            "division": division,
            "crumbs": committee_selectors.breadcrumbs(request.user, code),
            "page": _page(
                request, selectors.with_progress(notices.order_by("due_on", "code", "pk"))
            ),
            "query": _query(request),
            "state": state,
            "filters": _notice_filters(),
            "counts": selectors.notice_counts(code, today),
            "today": today,
            "may_supervise": selectors.may_supervise(request.user, code),
        },
    )


@login_required
def division_notices_export(request: SignedInRequest, code: str) -> HttpResponse:
    division = committee_selectors.division_for(request.user, code)
    today = timezone.localdate()
    notices = selectors.with_progress(
        selectors.filter_notices(
            selectors.notices_under(code), request.GET.get("state", ""), today
        ).order_by("code", "pk")
    )
    labels = {s.value: str(s.label) for s in Status}

    def now(item) -> str:
        # The finding now: current_status is annotated by selectors.with_progress.
        return labels.get(getattr(item, "current_status", ""), _("无结果"))

    def rows():
        for n in notices:
            items = list(n.items.all())
            yield (
                n.code,
                n.community.name,
                n.get_state_display(),
                _("是") if n.is_overdue(today) else "",
                n.issued_on,
                n.due_on,
                n.closed_on,
                str(n.issued_by or ""),
                "、".join(i.standard.code for i in items),
                "、".join(f"{i.standard.code}:{now(i)}" for i in items),
                n.instructions,
            )

    header = [
        _("社区代码"),
        _("社区"),
        _("状态"),
        _("逾期"),
        _("下发日期"),
        _("整改期限"),
        _("办结日期"),
        _("下发人"),
        _("整改事项"),
        _("当前评估结果"),
        _("整改要求"),
    ]
    return xlsx_response(f"{division.name}-{_('整改通知')}.xlsx", [(_("整改通知"), header, rows())])


@login_required
def notice_issue(request: SignedInRequest, code: str) -> HttpResponse:
    """Select failing findings under a division (filtered by standard, community, result) and
    issue one notice per community."""
    division = committee_selectors.division_for(request.user, code)
    if not selectors.may_supervise(request.user, code):
        raise PermissionDenied
    filters = IssueFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    status = chosen.get("status") or Status.NON_COMPLIANT
    total, candidates = selectors.issue_candidates(
        code,
        status=status,
        standard=chosen.get("standard") or None,
        community=chosen.get("community") or None,
    )
    if request.method == "POST":
        # The choices are whatever is selectable under the division now, not only this page.
        posted = selectors.resolve_selection(code, request.POST.getlist("selected"), status)
        choices = [(f"{f.code}:{f.standard.code}", f.standard.code) for f in posted]
    else:
        posted = []
        choices = [(c.key, c.finding.standard.code) for c in candidates if c.selectable]
    form = NoticeIssueForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        selected = set(form.cleaned_data["selected"])
        findings = [f for f in posted if f"{f.code}:{f.standard.code}" in selected]
        try:
            notices = services.notices_issue(
                actor=request.user,
                findings=findings,
                due_on=form.cleaned_data["due_on"],
                instructions=form.cleaned_data["instructions"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已向 %(n)d 个社区下发整改通知,共 %(k)d 项。")
                % {"n": len(notices), "k": len(findings)},
            )
            return redirect(f"{reverse('supervision:division_notices', args=[code])}?state=open")
    selected = set(request.POST.getlist("selected")) if request.method == "POST" else set()
    return render(
        request,
        "supervision/notice_issue.html",
        {
            "division": division,
            "crumbs": committee_selectors.breadcrumbs(request.user, code),
            "filters": filters,
            "standards": selectors.failing_standards(code, status),
            "candidates": candidates,
            "total": total,
            "limit": selectors.ISSUE_LIMIT,
            "form": form,
            "selected": selected,
            "status": status,
            "today": timezone.localdate(),
        },
    )


def _exemption_filters() -> list[tuple[str, str]]:
    return [
        ("", _("全部")),
        (Exemption.State.PENDING, _("待裁定")),
        ("active", _("豁免中")),
        ("expired", _("已到期")),
        (Exemption.State.REJECTED, _("已驳回")),
    ]


@login_required
def division_exemptions(request: SignedInRequest, code: str) -> HttpResponse:
    division = committee_selectors.division_for(request.user, code)
    today = timezone.localdate()
    state = request.GET.get("state", "")
    rows = selectors.filter_exemptions(selectors.exemptions_under(code), state, today)
    return render(
        request,
        "supervision/division_exemptions.html",
        {
            "division": division,
            "crumbs": committee_selectors.breadcrumbs(request.user, code),
            "page": _page(request, rows.order_by("-raised_on", "-pk")),
            "query": _query(request),
            "state": state,
            "filters": _exemption_filters(),
            "today": today,
            "may_supervise": selectors.may_supervise(request.user, code),
        },
    )


@login_required
def division_exemptions_export(request: SignedInRequest, code: str) -> HttpResponse:
    division = committee_selectors.division_for(request.user, code)
    today = timezone.localdate()
    rows = selectors.filter_exemptions(
        selectors.exemptions_under(code), request.GET.get("state", ""), today
    ).order_by("code", "pk")
    header = [
        _("社区代码"),
        _("社区"),
        _("标准"),
        _("状态"),
        _("申诉人"),
        _("申诉日期"),
        _("申诉理由"),
        _("裁定人"),
        _("裁定日期"),
        _("裁定理由"),
        _("豁免截止日期"),
        _("当前有效"),
    ]
    data = (
        (
            e.code,
            e.community.name,
            e.standard.code,
            e.get_state_display(),
            str(e.raised_by or ""),
            e.raised_on,
            e.reason,
            str(e.decided_by or ""),
            e.decided_on,
            e.decision_reason,
            e.expires_on,
            _("是") if e.is_active(today) else "",
        )
        for e in rows.iterator(chunk_size=2000)
    )
    return xlsx_response(
        f"{division.name}-{_('申诉与豁免')}.xlsx", [(_("申诉与豁免"), header, data)]
    )


# --- 待办 ---------------------------------------------------------------------------------


@login_required
def todo(request: SignedInRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "supervision/todo.html",
        {"sections": reminders.collect(request.user, today), "today": today},
    )


# --- assessments -------------------------------------------------------------------------


@login_required
def assessments(request: SignedInRequest) -> HttpResponse:
    rows = selectors.assessments_for(request.user)
    names = committee_selectors.division_names(a.code for a in rows)
    for a in rows:
        a.scope_name = names.get(a.code, "")
    return render(
        request,
        "supervision/assessments.html",
        {"assessments": rows, "may_create": selectors.may_manage_assessments(request.user)},
    )


def _assessment_items(
    formset: BaseInlineFormSet,
) -> tuple[list[services.ItemData], list[forms.BaseForm]]:
    """The weighted standards the formset keeps, and the form of each (deleted and blank rows
    left out: the assessment's items become exactly these)."""
    items, rows = [], []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or data.get("standard") is None:
            continue
        items.append(services.ItemData(standard=data["standard"], weight=data["weight"]))
        rows.append(form)
    return items, rows


def _assessment_form(request: SignedInRequest, assessment: Assessment | None) -> HttpResponse:
    if not selectors.may_manage_assessments(request.user):
        raise Http404
    if assessment is not None and assessment.is_published:
        messages.warning(request, _("已发布的考核不能修改。"))
        return redirect("supervision:assessment", pk=assessment.pk)
    initial = None if assessment else {"year": timezone.localdate().year - 1}
    form = AssessmentForm(
        request.POST or None, instance=assessment, user=request.user, initial=initial
    )
    formset = ItemFormSet(request.POST or None, instance=assessment or Assessment())
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items, rows = _assessment_items(formset)
        try:
            saved = services.assessment_save(
                actor=request.user, assessment=assessment, data=form.cleaned_data, items=items
            )
        except ValidationError as error:
            add_row_errors(formset, rows, error, key="items", form=form)
        else:
            messages.success(request, _("考核方案已保存。下面是按当前结果计算的预览。"))
            return redirect("supervision:assessment", pk=saved.pk)
    return render(
        request,
        "supervision/assessment_form.html",
        {"form": form, "formset": formset, "assessment": assessment},
    )


@login_required
def assessment_create(request: SignedInRequest) -> HttpResponse:
    return _assessment_form(request, None)


@login_required
def assessment_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_for(request.user, pk)
    if not selectors.may_manage_assessments(request.user, assessment.code):
        raise PermissionDenied
    return _assessment_form(request, assessment)


def _division_names(scores: list[scoring.CommunityScore]) -> dict[str, str]:
    codes = {s.code[:9] for s in scores} | {s.code[:6] for s in scores}
    return committee_selectors.division_names(codes)


@login_required
def assessment_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_for(request.user, pk)
    manager = selectors.may_manage_assessments(request.user, assessment.code)
    scores = selectors.scores_for(request.user, assessment)
    street = (request.GET.get("street") or "")[:9]
    shown = [s for s in scores if s.code.startswith(street)] if street.isdigit() else scores
    ordered = sorted(
        shown,
        key=lambda s: (s.code[:6], s.code[:9], s.rank_in_street or 10**9, s.code),
    )
    differences = None
    if assessment.is_published and manager and request.GET.get("verify"):
        differences = scoring.verify(assessment)
    items = selectors.assessment_items(assessment)
    return render(
        request,
        "supervision/assessment_detail.html",
        {
            "assessment": assessment,
            "items": items,
            "page": _page(request, ordered, 100),
            "query": _query(request),
            "names": _division_names(scores),
            "streets": sorted({s.code[:9] for s in scores}),
            "street": street,
            "unevaluated": sum(1 for s in scores if not s.evaluated),
            "as_of": scoring.scoring_date(assessment),
            "manager": manager,
            "differences": differences,
            "can_publish": manager
            and not assessment.is_published
            and timezone.localdate() > assessment.year_end,
            "too_many": selectors.assessment_community_count(assessment) > WEB_EVALUATION_LIMIT
            if manager and not assessment.is_published
            else False,
        },
    )


@login_required
def assessment_publish(request: SignedInRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_for(request.user, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not selectors.may_manage_assessments(request.user, assessment.code):
        raise PermissionDenied
    try:
        n = services.assessment_publish(actor=request.user, assessment=assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已发布,%(n)d 个社区的得分已固定。") % {"n": n})
    return redirect("supervision:assessment", pk=pk)


@login_required
def assessment_evaluate(request: SignedInRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_for(request.user, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not selectors.may_manage_assessments(request.user, assessment.code):
        raise PermissionDenied
    count = selectors.assessment_community_count(assessment)
    if count > WEB_EVALUATION_LIMIT:
        messages.warning(
            request,
            _("社区过多(%(n)d 个),请由管理员用 evaluate_compliance --as-of 命令评估。")
            % {"n": count},
        )
        return redirect("supervision:assessment", pk=pk)
    try:
        written = services.assessment_evaluate(actor=request.user, assessment=assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已按 %(d)s 评估 %(n)d 个社区,共 %(f)d 条结果。")
            % {"d": scoring.scoring_date(assessment).isoformat(), "n": count, "f": written},
        )
    return redirect("supervision:assessment", pk=pk)


@login_required
def assessment_export(request: SignedInRequest, pk: int) -> HttpResponse:
    assessment = selectors.assessment_for(request.user, pk)
    scores = sorted(selectors.scores_for(request.user, assessment), key=lambda s: s.code)
    names = _division_names(scores)
    items = selectors.assessment_items(assessment)
    labels = {s.value: str(s.label) for s in Status}

    def cell(line: scoring.Line):
        if line.points is None:
            return _("不计入")
        return float(line.points)

    header = [
        _("社区代码"),
        _("社区"),
        _("街道"),
        _("区县"),
        _("得分"),
        _("街道内排名"),
        _("区县内排名"),
        _("达标"),
        _("未达标"),
        _("缺少数据"),
        _("豁免"),
        _("不计入"),
        *[f"{item.standard.code}({item.weight.normalize():f})" for item in items],
    ]
    rows = (
        (
            s.code,
            s.name,
            names.get(s.code[:9], ""),
            names.get(s.code[:6], ""),
            None if s.score is None else float(s.score),
            s.rank_in_street,
            s.rank_in_district,
            s.counts.get("compliant", 0),
            s.counts.get("non_compliant", 0),
            s.counts.get("no_data", 0),
            s.counts.get("exempted", 0),
            s.counts.get("excluded", 0),
            *[cell(line) for line in s.lines],
        )
        for s in scores
    )
    legend = [(i.standard.code, i.standard.title, float(i.weight)) for i in items] + [
        ("", _("豁免项计分:%(r)s") % {"r": assessment.get_exempted_rule_display()}, None)
    ]
    exempted = [
        (s.code, s.name, line.standard, labels.get(line.status, ""), line.exempted_by)
        for s in scores
        for line in s.lines
        if line.exempted_by
    ]
    status = _("已发布") if assessment.is_published else _("预览(未发布)")
    return xlsx_response(
        f"{assessment.year}-{assessment.title}.xlsx",
        [
            (_("得分与排名"), header, rows),
            (
                _("考核项目"),
                [_("标准"), _("标题"), _("权重")],
                legend
                + [
                    ("", _("计分日期:%(d)s") % {"d": scoring.scoring_date(assessment)}, None),
                    ("", status, None),
                ],
            ),
            (
                _("豁免明细"),
                [_("社区代码"), _("社区"), _("标准"), _("结果"), _("批准人")],
                exempted,
            ),
        ],
    )
