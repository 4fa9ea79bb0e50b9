from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from committees import selectors as committee_selectors
from committees.models import Community
from committees.pages import community_page, edit_page, writable_community
from committees.services import record_save
from governance import selectors, services
from governance.forms import DisclosureForm, MeetingForm, ResolutionForm
from governance.models import Disclosure, Meeting, Resolution

governance_edit_page = partial(edit_page, tab="governance")


def _meeting(request: HttpRequest, code: str, pk: int) -> Meeting:
    return committee_selectors.community_record(request.user, code, Meeting.objects.all(), pk)


@login_required
def meetings(request: HttpRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    page = Paginator(community.meetings.order_by("-date", "-pk"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return community_page(
        request, community, "governance/meetings.html", tab="governance", page=page
    )


@login_required
def meeting_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, code, pk)
    return community_page(
        request,
        meeting.community,
        "governance/meeting_detail.html",
        tab="governance",
        meeting=meeting,
        resolutions=meeting.resolutions.all(),
    )


@login_required
def meeting_edit(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    meeting = _meeting(request, code, pk) if pk else None
    community = writable_community(request, code)
    form = MeetingForm(
        request.POST or None, community=community, instance=meeting or Meeting(community=community)
    )
    return governance_edit_page(
        request,
        community,
        form,
        lambda f: record_save(actor=request.user, instance=f.instance, community=community),
        heading=_("登记会议") if meeting is None else _("编辑会议"),
        done=_("会议已保存。"),
        next_url=reverse("governance:meetings", args=[code]),
    )


@login_required
def resolution_create(request: HttpRequest, code: str, pk: int) -> HttpResponse:
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
def disclosures(request: HttpRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    page = Paginator(
        community.disclosures.order_by("-published_on", "-pk"), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return community_page(
        request, community, "governance/disclosures.html", tab="governance", page=page
    )


@login_required
def disclosure_edit(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    disclosure = None
    if pk:
        disclosure = committee_selectors.community_record(
            request.user, code, Disclosure.objects.all(), pk
        )
    community = writable_community(request, code)
    form = DisclosureForm(
        request.POST or None, instance=disclosure or Disclosure(community=community)
    )
    return governance_edit_page(
        request,
        community,
        form,
        lambda f: record_save(actor=request.user, instance=f.instance, community=community),
        heading=_("登记公开事项") if disclosure is None else _("编辑公开事项"),
        done=_("公开事项已保存。"),
        next_url=reverse("governance:disclosures", args=[code]),
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
            "today": today,
        },
    )
