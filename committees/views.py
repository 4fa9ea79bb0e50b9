from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from committees import selectors, services
from committees.filters import CommunityFilter
from committees.forms import CommunityForm
from committees.models import Community, Division
from portal import access
from portal import selectors as compliance
from portal.exports import xlsx_response


@login_required
def national(request: HttpRequest) -> HttpResponse:
    """The whole country, province by province: for unrestricted (national) users only."""
    if not access.is_unrestricted(request.user):
        raise Http404
    return render(
        request,
        "committees/division_detail.html",
        {
            "division": None,
            "crumbs": [],
            "rows": selectors.child_rows("", 2),
            "totals": selectors.totals(Community.objects.all()),
            "child_label": Division.Level.PROVINCE.label,
            "board": compliance.dashboard("", 2),
        },
    )


@login_required
def division_detail(request: HttpRequest, code: str) -> HttpResponse:
    division = selectors.division_for(request.user, code)
    return render(request, "committees/division_detail.html", division_context(request, division))


def division_context(request: HttpRequest, division: Division) -> dict:
    """The drill-down and compliance dashboard of one division (also the home page)."""
    code = division.code
    context = {
        "division": division,
        "crumbs": selectors.breadcrumbs(request.user, code),
        "totals": selectors.totals(Community.objects.filter(code__startswith=code)),
        "board": compliance.dashboard(code, division.child_code_length, code),
        "can_evaluate": access.can_evaluate(request.user, code),
    }
    if division.level == Division.Level.STREET:
        page = Paginator(division.communities.order_by("code"), settings.PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context.update(page=page, can_write=access.can_write(request.user, code))
    else:
        context.update(
            rows=selectors.child_rows(code, division.child_code_length),
            child_label=Division.Level(division.level + 1).label,
        )
    return context


@login_required
def community_list(request: HttpRequest) -> HttpResponse:
    filterset = CommunityFilter(
        request.GET, queryset=selectors.communities_for(request.user).order_by("code")
    )
    page = Paginator(filterset.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "committees/community_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
def community_export(request: HttpRequest) -> HttpResponse:
    filterset = CommunityFilter(
        request.GET, queryset=selectors.communities_for(request.user).order_by("code")
    )
    header = [
        _("社区代码"),
        _("名称"),
        _("所属街道"),
        _("类型"),
        _("常住户数"),
        _("常住人口"),
        _("入住率"),
        _("成立日期"),
    ]
    rows = (
        (
            c.code,
            c.name,
            c.street.name,
            c.get_kind_display(),
            c.households,
            c.population,
            float(c.occupancy_rate) if c.occupancy_rate is not None else None,
            c.established_on,
        )
        for c in filterset.qs.iterator(chunk_size=2000)
    )
    return xlsx_response(f"{_('社区名单')}.xlsx", [(_("社区名单"), header, rows)])


@login_required
def community_detail(request: HttpRequest, code: str) -> HttpResponse:
    community = selectors.community_for(request.user, code)
    return render(
        request,
        "committees/community_detail.html",
        {
            "community": community,
            "crumbs": selectors.breadcrumbs(request.user, code),
            "can_write": access.can_write(request.user, code),
            "tab": "profile",
        },
    )


@login_required
def community_edit(request: HttpRequest, code: str) -> HttpResponse:
    community = selectors.community_for(request.user, code)
    if not access.can_write(request.user, code):
        raise PermissionDenied
    form = CommunityForm(request.POST or None, instance=community)
    if request.method == "POST" and form.is_valid():
        services.community_update(actor=request.user, community=community, data=form.cleaned_data)
        messages.success(request, _("社区概况已保存。"))
        return redirect("committees:community", code=code)
    return render(
        request,
        "committees/community_form.html",
        {
            "community": community,
            "form": form,
            "crumbs": selectors.breadcrumbs(request.user, code),
        },
    )
