from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import selectors as compliance
from core.exports import xlsx_response
from core.users import SignedInRequest
from divisions import selectors as committee_selectors
from divisions.models import Community, Division
from divisions.pages import community_page, edit_page, writable_community
from facilities import selectors, services
from facilities.forms import FacilityForm
from facilities.models import Facility

facility_edit_page = partial(edit_page, tab="facilities")


@login_required
def facility_list(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    rooms, totals, checklist = selectors.community_facilities(community, timezone.localdate())
    return community_page(
        request,
        community,
        "facilities/list.html",
        tab="facilities",
        rooms=rooms,
        totals=totals,
        checklist=checklist,
    )


@login_required
def facility_create(request: SignedInRequest, code: str) -> HttpResponse:
    community = writable_community(request, code)
    form = FacilityForm(request.POST or None, instance=Facility(community=community))
    return facility_edit_page(
        request,
        community,
        form,
        lambda f: services.facility_save(
            actor=request.user, community=community, facility=None, data=f.cleaned_data
        ),
        heading=_("登记设施用房"),
        done=_("设施用房已登记。"),
        next_url=reverse("facilities:list", args=[code]),
    )


@login_required
def facility_edit(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    facility = selectors.facility_for(request.user, code, pk)
    community = writable_community(request, code)
    form = FacilityForm(request.POST or None, instance=facility)
    return facility_edit_page(
        request,
        community,
        form,
        lambda f: services.facility_save(
            actor=request.user, community=community, facility=facility, data=f.cleaned_data
        ),
        heading=_("编辑设施用房"),
        done=_("设施用房已保存。"),
        next_url=reverse("facilities:list", args=[code]),
    )


def _communities(request: SignedInRequest, code: str) -> tuple[Division, QuerySet[Community]]:
    return committee_selectors.division_communities(request.user, code)


@login_required
def compare(request: SignedInRequest, code: str) -> HttpResponse:
    division, communities = _communities(request, code)
    page = Paginator(communities, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "facilities/compare.html",
        {
            "division": division,
            "crumbs": committee_selectors.breadcrumbs(request.user, code),
            "page": page,
            "rows": selectors.comparison(list(page), timezone.localdate()),
            "findings": compliance.findings_by_community([c.pk for c in page], "facilities."),
            "six": len(selectors.SIX_ONES),
        },
    )


@login_required
def compare_export(request: SignedInRequest, code: str) -> HttpResponse:
    division, communities = _communities(request, code)
    today = timezone.localdate()

    def rows():
        # In chunks, so a province exports in bounded memory.
        chunk: list[Community] = []
        for community in communities.iterator(chunk_size=2000):
            chunk.append(community)
            if len(chunk) == 2000:
                yield from selectors.comparison(chunk, today)
                chunk = []
        yield from selectors.comparison(chunk, today)

    def line(row):
        a, t = row.totals.areas, row.totals
        return (
            row.community.code,
            row.community.name,
            row.community.households,
            float(a.indoor),
            float(a.outdoor),
            float(a.office),
            float(a.services),
            t.indoor_per_100,
            t.outdoor_per_100,
            row.six_ones,
        )

    header = [
        _("社区代码"),
        _("社区"),
        _("常住户数"),
        _("室内面积(平方米)"),
        _("室外面积(平方米)"),
        _("办公用房(平方米)"),
        _("服务用房(平方米)"),
        _("每百户室内面积"),
        _("每百户室外面积"),
        _("“六个一”已具备"),
    ]
    return xlsx_response(
        f"{division.name}-{_('设施对比')}.xlsx",
        [(_("设施对比"), header, (line(r) for r in rows()))],
    )
