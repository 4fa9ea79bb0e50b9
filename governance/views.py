from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.services import record_save
from core import access
from core.uploads import attachment_response
from core.users import SignedInRequest
from divisions import selectors as committee_selectors
from divisions.models import Community
from divisions.pages import community_page, edit_page, writable_community
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
    Disclosure,
    DisclosureAttachment,
    MajorMatter,
    MatterStep,
    Meeting,
    MeetingAttachment,
    Resolution,
)

governance_edit_page = partial(edit_page, tab="governance")


def _meeting(request: SignedInRequest, code: str, pk: int) -> Meeting:
    return committee_selectors.community_record(request.user, code, Meeting.objects.all(), pk)


@login_required
def meetings(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    page = Paginator(community.meetings.order_by("-date", "-pk"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return community_page(
        request, community, "governance/meetings.html", tab="governance", page=page
    )


@login_required
def meeting_detail(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, code, pk)
    return community_page(
        request,
        meeting.community,
        "governance/meeting_detail.html",
        tab="governance",
        meeting=meeting,
        resolutions=meeting.resolutions.all(),
        attachments=meeting.attachments.all(),
        attendees=[
            a.person
            for a in meeting.attendance.select_related("person").order_by(
                "person__name", "person__pk"
            )
        ],
    )


def _record_edit(
    request: SignedInRequest,
    code: str,
    pk: int | None,
    form_class,
    *,
    headings: tuple[str, str],
    done: str,
    list_name: str,
    with_community: bool = False,
    save=None,
) -> HttpResponse:
    """Add (no pk) or edit one record of a community: the loop every governance form shares."""
    model = form_class._meta.model
    record = (
        committee_selectors.community_record(request.user, code, model.objects.all(), pk)
        if pk
        else None
    )
    community = writable_community(request, code)
    extra = {"community": community} if with_community else {}
    form = form_class(request.POST or None, instance=record or model(community=community), **extra)
    return governance_edit_page(
        request,
        community,
        form,
        save
        or (lambda f: record_save(actor=request.user, instance=f.instance, community=community)),
        heading=headings[record is not None],
        done=done,
        next_url=reverse(list_name, args=[code]),
    )


@login_required
def meeting_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    return _record_edit(
        request,
        code,
        pk,
        MeetingForm,
        headings=(_("登记会议"), _("编辑会议")),
        done=_("会议已保存。"),
        list_name="governance:meetings",
        with_community=True,
        save=lambda f: services.meeting_save(
            actor=request.user,
            meeting=f.instance,
            # Only bodies with a roster keep a list; editing a count-only meeting keeps none.
            attendees=list(f.cleaned_data["attendees"]),
        ),
    )


@login_required
def resolution_create(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, code, pk)
    community = writable_community(request, code)
    form = ResolutionForm(
        request.POST or None, meeting=meeting, instance=Resolution(meeting=meeting)
    )
    return governance_edit_page(
        request,
        community,
        form,
        lambda f: services.resolution_save(
            actor=request.user, resolution=f.instance, meeting=meeting
        ),
        heading=_("登记决议:%(m)s") % {"m": meeting.title},
        done=_("决议已登记。"),
        next_url=reverse("governance:meeting", args=[code, pk]),
    )


@login_required
def disclosures(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    page = Paginator(
        community.disclosures.prefetch_related("attachments").order_by("-published_on", "-pk"),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("page"))
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
        headings=(_("登记公开事项"), _("编辑公开事项")),
        done=_("公开事项已保存。"),
        list_name="governance:disclosures",
    )


@login_required
def disclosure_lines(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    """The income and spending lines of a financial disclosure, edited together."""
    disclosure = committee_selectors.community_record(
        request.user, code, Disclosure.objects.all(), pk
    )
    community = writable_community(request, code)
    if disclosure.category != Disclosure.Category.FINANCE:
        raise Http404
    formset = FinanceLineFormSet(request.POST or None, instance=disclosure, prefix="lines")
    if request.method == "POST" and formset.is_valid():
        services.finance_lines_save(actor=request.user, formset=formset)
        messages.success(request, _("收支明细已保存。"))
        return redirect("governance:disclosures", code)
    return community_page(
        request,
        community,
        "governance/finance_lines.html",
        tab="governance",
        disclosure=disclosure,
        formset=formset,
    )


# --- attachments of meetings and disclosures -------------------------------------------


def _attachment_upload(request: SignedInRequest, code: str, record, attachment, back: str):
    community = writable_community(request, code)
    # Bound on every POST: an empty one (no file chosen) must say so, not show a blank form.
    form = AttachmentForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        services.attachment_add(
            actor=request.user, attachment=attachment, upload=form.cleaned_data["file"]
        )
        messages.success(request, _("附件已上传。"))
        return redirect(back)
    return community_page(
        request,
        community,
        "divisions/object_form.html",
        tab="governance",
        form=form,
        heading=_("上传附件:%(title)s") % {"title": record.title},
        cancel=back,
    )


@login_required
def meeting_attachment_add(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, code, pk)
    back = reverse("governance:meeting", args=[code, pk])
    return _attachment_upload(request, code, meeting, MeetingAttachment(meeting=meeting), back)


@login_required
def disclosure_attachment_add(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    disclosure = committee_selectors.community_record(
        request.user, code, Disclosure.objects.all(), pk
    )
    back = reverse("governance:disclosures", args=[code])
    return _attachment_upload(
        request, code, disclosure, DisclosureAttachment(disclosure=disclosure), back
    )


def _download(attachment) -> FileResponse:
    if not attachment.file or not attachment.file.storage.exists(attachment.file.name):
        raise Http404
    return attachment_response(attachment.file, filename=attachment.name)


@login_required
def meeting_attachment(request: SignedInRequest, code: str, pk: int) -> FileResponse:
    """A meeting's file, only inside the jurisdiction, always as a download."""
    found = MeetingAttachment.objects.filter(
        meeting__community=committee_selectors.community_for(request.user, code), pk=pk
    ).first()
    if found is None:
        raise Http404
    return _download(found)


@login_required
def disclosure_attachment(request: SignedInRequest, code: str, pk: int) -> FileResponse:
    found = DisclosureAttachment.objects.filter(
        disclosure__community=committee_selectors.community_for(request.user, code), pk=pk
    ).first()
    if found is None:
        raise Http404
    return _download(found)


def public_attachment(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """Anyone may download the file of a disclosure that is published; nothing else."""
    found = DisclosureAttachment.objects.filter(
        disclosure__community__code=code,
        disclosure__published_on__lte=timezone.localdate(),
        pk=pk,
    ).first()
    if found is None:
        raise Http404
    return _download(found)


# --- major matters: “四议两公开” (GD-07) ---------------------------------------------------


def _matter_progress(matter: MajorMatter):
    return progress(
        (s.step, s.date, s.resolution.passed if s.resolution else None) for s in matter.steps.all()
    )


def _matters_with_steps_qs():
    return MajorMatter.objects.select_related("community").prefetch_related(
        Prefetch("steps", MatterStep.objects.select_related("resolution", "meeting", "disclosure"))
    )


@login_required
def matters(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    page = Paginator(
        _matters_with_steps_qs().filter(community=community).order_by("-pk"), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
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
        headings=(_("登记重大事项"), _("编辑重大事项")),
        done=_("重大事项已保存,请按“四议两公开”逐步登记。"),
        list_name="governance:matters",
    )


@login_required
def matter_detail(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    """The six steps of one matter; the next one is recorded here, in order only."""
    matter = committee_selectors.community_record(request.user, code, _matters_with_steps_qs(), pk)
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
                services.matter_step_record(actor=request.user, step=form.instance)
            except ValidationError as error:
                form.add_error(None, error)
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
        covenants=community.covenants.select_related("meeting"),
    )


@login_required
def covenant_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    return _record_edit(
        request,
        code,
        pk,
        CovenantForm,
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
        services=community.public_services.all(),
        today=timezone.localdate(),
    )


@login_required
def public_service_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    return _record_edit(
        request,
        code,
        pk,
        PublicServiceForm,
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
    community = Community.objects.filter(code=code).select_related("street").first()
    if community is None:
        raise Http404
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
