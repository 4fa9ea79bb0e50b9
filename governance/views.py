from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, locking
from core.uploads import attachment_response
from core.users import SignedInRequest
from divisions import selectors as committee_selectors
from divisions.models import Community
from divisions.pages import (
    add_row_errors,
    add_service_errors,
    community_page,
    edit_page,
    guarded_save,
    version_context,
    writable_community,
)
from governance import selectors, services
from governance.forms import (
    AttachmentForm,
    CovenantForm,
    DisclosureForm,
    FinanceLineFormSet,
    MajorMatterForm,
    MatterStepForm,
    MeetingForm,
    PublicServiceForm,
    ResolutionForm,
)
from governance.matters import ORDER, STEP_NAMES, progress
from governance.models import (
    Attachment,
    Disclosure,
    FinanceLine,
    MajorMatter,
    MatterStep,
    Resolution,
)

governance_edit_page = partial(edit_page, tab="governance")


@login_required
def meetings(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    page = Paginator(selectors.meetings(community), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return community_page(
        request, community, "governance/meetings.html", tab="governance", page=page
    )


@login_required
def meeting_detail(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, code, pk)
    return community_page(
        request,
        meeting.community,
        "governance/meeting_detail.html",
        tab="governance",
        meeting=meeting,
        resolutions=selectors.meeting_resolutions(meeting),
        attachments=selectors.meeting_attachments(meeting),
        attendees=selectors.meeting_attendees(meeting),
    )


# How a record page saves: the service for its model, given the community, the record (None
# for a new one) and the form's validated values.
Save = Callable[[Community, Any, dict[str, Any]], object]


def _record_edit(
    request: SignedInRequest,
    code: str,
    pk: int | None,
    form_class: type[forms.ModelForm],
    *,
    save: Save,
    headings: tuple[str, str],
    done: str,
    list_name: str,
    with_community: bool = False,
) -> HttpResponse:
    """Add (no pk) or edit one record of a community: the loop every governance form shares."""
    model = form_class._meta.model
    record = selectors.record_for(request.user, code, model, pk) if pk else None
    community = writable_community(request, code)
    extra: dict[str, Any] = {"community": community} if with_community else {}
    form = form_class(request.POST or None, instance=record or model(community=community), **extra)
    return governance_edit_page(
        request,
        community,
        form,
        lambda f: save(community, record, f.cleaned_data),
        heading=headings[record is not None],
        done=done,
        next_url=reverse(list_name, args=[code]),
    )


@login_required
def meeting_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    def save(community: Community, meeting: Any, data: dict[str, Any]) -> object:
        fields = {k: v for k, v in data.items() if k != "attendees"}
        return services.meeting_save(
            actor=request.user,
            community=community,
            meeting=meeting,
            data=fields,
            # Only bodies with a roster keep a list; editing a count-only meeting keeps none.
            attendees=list(data["attendees"]),
        )

    return _record_edit(
        request,
        code,
        pk,
        MeetingForm,
        save=save,
        headings=(_("登记会议"), _("编辑会议")),
        done=_("会议已保存。"),
        list_name="governance:meetings",
        with_community=True,
    )


@login_required
def resolution_create(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, code, pk)
    community = writable_community(request, code)
    form = ResolutionForm(
        request.POST or None, meeting=meeting, instance=Resolution(meeting=meeting)
    )
    return governance_edit_page(
        request,
        community,
        form,
        lambda f: services.resolution_save(
            actor=request.user, meeting=meeting, data=f.cleaned_data
        ),
        heading=_("登记决议:%(m)s") % {"m": meeting.title},
        done=_("决议已登记。"),
        next_url=reverse("governance:meeting", args=[code, pk]),
    )


@login_required
def disclosures(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    page = Paginator(selectors.disclosures(community), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return community_page(
        request, community, "governance/disclosures.html", tab="governance", page=page
    )


@login_required
def disclosure_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    return _record_edit(
        request,
        code,
        pk,
        DisclosureForm,
        save=lambda community, disclosure, data: services.disclosure_save(
            actor=request.user, community=community, disclosure=disclosure, data=data
        ),
        headings=(_("登记公开事项"), _("编辑公开事项")),
        done=_("公开事项已保存。"),
        list_name="governance:disclosures",
    )


def _finance_lines(
    formset: forms.BaseInlineFormSet,
) -> tuple[list[services.FinanceLineData], list[int], list[forms.BaseForm]]:
    """The formset as data: lines to keep (and the form of each), ids of lines to delete."""
    lines, deleted, rows = [], [], []
    for form in formset.forms:
        data = form.cleaned_data
        if not data:  # an extra row left blank
            continue
        existing = data.get("id")
        if data.get("DELETE"):
            if existing is not None:
                deleted.append(existing.pk)
            continue
        lines.append(
            services.FinanceLineData(
                direction=data["direction"],
                item=data["item"],
                amount=data["amount"],
                pk=existing.pk if existing is not None else None,
            )
        )
        rows.append(form)
    return lines, deleted, rows


@login_required
def disclosure_lines(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    """The income and spending lines of a financial disclosure, edited together."""
    disclosure = selectors.disclosure_for(request.user, code, pk)
    community = writable_community(request, code)
    if disclosure.category != Disclosure.Category.FINANCE:
        raise Http404
    formset = FinanceLineFormSet(request.POST or None, instance=disclosure, prefix="lines")
    # The lines are edited together: the version is the disclosure's and its lines' (a line
    # added, changed or deleted by someone else meanwhile refuses the save).
    submitted = request.POST.get(locking.FIELD) if request.method == "POST" else None
    children = FinanceLine.history.filter(disclosure_id=disclosure.pk)
    conflict = None
    if request.method == "POST" and formset.is_valid():
        lines, deleted, rows = _finance_lines(formset)
        try:
            guarded_save(
                disclosure,
                submitted,
                lambda: services.finance_lines_save(
                    actor=request.user, disclosure=disclosure, lines=lines, deleted=deleted
                ),
                children,
            )
        except locking.EditConflict as error:
            conflict = error
            formset.non_form_errors().append(error.message)
        except ValidationError as error:
            add_row_errors(formset, rows, error, key="lines")
        else:
            messages.success(request, _("收支明细已保存。"))
            return redirect("governance:disclosures", code)
    return community_page(
        request,
        community,
        "governance/finance_lines.html",
        tab="governance",
        disclosure=disclosure,
        formset=formset,
        **version_context(request, community, disclosure, submitted, conflict, children),
    )


# --- attachments of meetings and disclosures -------------------------------------------


def _attachment_upload(
    request: SignedInRequest,
    code: str,
    record: Model,
    title: str,
    add: Callable[[UploadedFile], Attachment],
    back: str,
) -> HttpResponse:
    community = writable_community(request, code)
    # Bound on every POST: an empty one (no file chosen) must say so, not show a blank form.
    form = AttachmentForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        try:
            add(form.cleaned_data["file"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("附件已上传。"))
            return redirect(back)
    return community_page(
        request,
        community,
        "divisions/object_form.html",
        tab="governance",
        form=form,
        heading=_("上传附件:%(title)s") % {"title": title},
        cancel=back,
    )


@login_required
def meeting_attachment_add(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, code, pk)
    back = reverse("governance:meeting", args=[code, pk])
    return _attachment_upload(
        request,
        code,
        meeting,
        meeting.title,
        lambda upload: services.meeting_attachment_add(
            actor=request.user, meeting=meeting, upload=upload
        ),
        back,
    )


@login_required
def disclosure_attachment_add(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    disclosure = selectors.disclosure_for(request.user, code, pk)
    back = reverse("governance:disclosures", args=[code])
    return _attachment_upload(
        request,
        code,
        disclosure,
        disclosure.title,
        lambda upload: services.disclosure_attachment_add(
            actor=request.user, disclosure=disclosure, upload=upload
        ),
        back,
    )


def _download(attachment) -> FileResponse:
    if not attachment.file or not attachment.file.storage.exists(attachment.file.name):
        raise Http404
    return attachment_response(attachment.file, filename=attachment.name)


@login_required
def meeting_attachment(request: SignedInRequest, code: str, pk: int) -> FileResponse:
    """A meeting's file, only inside the jurisdiction, always as a download."""
    return _download(selectors.meeting_attachment_for(request.user, code, pk))


@login_required
def disclosure_attachment(request: SignedInRequest, code: str, pk: int) -> FileResponse:
    return _download(selectors.disclosure_attachment_for(request.user, code, pk))


def public_attachment(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """Anyone may download the file of a disclosure that is published; nothing else."""
    return _download(selectors.published_attachment(code, pk, timezone.localdate()))


# --- major matters: “四议两公开” (GD-07) ---------------------------------------------------


def _matter_progress(matter: MajorMatter):
    return progress(
        (s.step, s.date, s.resolution.passed if s.resolution else None) for s in matter.steps.all()
    )


@login_required
def matters(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    page = Paginator(selectors.matters(community), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today, days = timezone.localdate(), selectors.matter_step_days()
    rows = []
    for matter in page:
        current = _matter_progress(matter)
        rows.append(
            (matter, current, STEP_NAMES.get(current.next_step, ""), current.overdue(today, days))
        )
    return community_page(
        request,
        community,
        "governance/matters.html",
        tab="governance",
        page=page,
        rows=rows,
    )


@login_required
def matter_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    return _record_edit(
        request,
        code,
        pk,
        MajorMatterForm,
        save=lambda community, matter, data: services.matter_save(
            actor=request.user, community=community, matter=matter, data=data
        ),
        headings=(_("登记重大事项"), _("编辑重大事项")),
        done=_("重大事项已保存,请按“四议两公开”逐步登记。"),
        list_name="governance:matters",
    )


@login_required
def matter_detail(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    """The six steps of one matter; the next one is recorded here, in order only."""
    matter = selectors.matter_for(request.user, code, pk)
    current = _matter_progress(matter)
    form = None
    if request.method == "POST":
        writable_community(request, code)
        form = MatterStepForm(
            request.POST,
            matter=matter,
            progress=current,
            instance=MatterStep(matter=matter),
        )
        if form.is_valid():
            try:
                services.matter_step_record(
                    actor=request.user, matter=matter, data=form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("步骤已登记。"))
                return redirect("governance:matter", code, pk)
    elif current.next_step and access.can_write(request.user, code):
        form = MatterStepForm(matter=matter, progress=current, instance=MatterStep(matter=matter))
    done = {s.step: s for s in matter.steps.all()}
    today, days = timezone.localdate(), selectors.matter_step_days()
    return community_page(
        request,
        matter.community,
        "governance/matter_detail.html",
        tab="governance",
        matter=matter,
        progress=current,
        steps=[(key, STEP_NAMES[key], done.get(key)) for key in ORDER],
        form=form,
        next_name=STEP_NAMES.get(current.next_step, ""),
        overdue=current.overdue(today, days),
        waiting=current.waiting_days(today),
        max_days=days,
    )


# --- the residents' covenant (N18-15) and the “six publics” of services (GD-17) ---------


@login_required
def covenants(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    return community_page(
        request,
        community,
        "governance/covenants.html",
        tab="governance",
        covenants=selectors.covenants(community),
    )


@login_required
def covenant_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    return _record_edit(
        request,
        code,
        pk,
        CovenantForm,
        save=lambda community, covenant, data: services.covenant_save(
            actor=request.user, community=community, covenant=covenant, data=data
        ),
        headings=(_("登记居民公约"), _("编辑居民公约")),
        done=_("居民公约已保存。"),
        list_name="governance:covenants",
        with_community=True,
    )


@login_required
def public_services(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    return community_page(
        request,
        community,
        "governance/services.html",
        tab="governance",
        services=selectors.public_services(community),
        today=timezone.localdate(),
    )


@login_required
def public_service_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    return _record_edit(
        request,
        code,
        pk,
        PublicServiceForm,
        save=lambda community, service, data: services.public_service_save(
            actor=request.user, community=community, service=service, data=data
        ),
        headings=(_("登记公共服务事项"), _("编辑公共服务事项")),
        done=_("公共服务事项已保存。"),
        list_name="governance:services",
    )


# --- the public board: anonymous, read-only ----------------------------------------------


def public_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:50]
    page = Paginator(selectors.search_communities(query), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/public_search.html",
        {"q": query, "page": page, "query": f"q={query}" if query else ""},
    )


def public_board(request: HttpRequest, code: str) -> HttpResponse:
    community = selectors.public_community(code)
    today = timezone.localdate()
    disclosures_ = selectors.published_disclosures(community, today)
    current = [d for d in disclosures_ if d.displayed_until is None or d.displayed_until >= today]
    past = [d for d in disclosures_ if d not in current][:50]
    return render(
        request,
        "governance/public_board.html",
        {
            "community": community,
            "current": current,
            "past": past,
            "resolutions": selectors.published_resolutions(community)[:50],
            "roster": selectors.public_roster(community, today),
            "services": selectors.published_services(community, today),
            "covenant": selectors.current_covenant(community, today),
            "matters": selectors.published_matters(community, today),
            "today": today,
        },
    )
