from __future__ import annotations

import datetime
from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access
from core.exports import xlsx_response
from core.users import SignedInRequest
from core.validators import mask_phone
from divisions import selectors as division_selectors
from divisions.pages import (
    CONTROL_CHARACTERS,
    add_service_errors,
    community_page,
    edit_page,
    writable_community,
)
from grassroots import selectors, services
from grassroots.forms import (
    GridForm,
    GridWorkerForm,
    PublicRequestForm,
    RequestFilter,
    RequestForm,
    TrackForm,
    VisitForm,
)
from grassroots.models import Request

grassroots_edit_page = partial(edit_page, tab="grassroots")

# Per address and hour: a resident sends a few requests; more is a script.
SUBMISSIONS_PER_HOUR = 5
LOOKUPS_PER_HOUR = 60


@login_required
def request_list(request: SignedInRequest, code: str) -> HttpResponse:
    community = division_selectors.community_for(request.user, code)
    today = timezone.localdate()
    filtered = RequestFilter(
        request.GET or None,
        queryset=selectors.requests_of(community),
        community=community,
        today=today,
    )
    page = Paginator(filtered.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.state_value = item.state(today)
        item.state_text = item.state_label(today)
    return community_page(
        request,
        community,
        "grassroots/requests.html",
        tab="grassroots",
        filter=filtered,
        page=page,
        today=today,
        counts=selectors.counts(community, today),
        query=_query_without_page(request),
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def request_create(request: SignedInRequest, code: str) -> HttpResponse:
    community = writable_community(request, code)
    form = RequestForm(
        request.POST or None,
        instance=Request(community=community),
        community=community,
        initial={"received_on": timezone.localdate()},
    )
    return grassroots_edit_page(
        request,
        community,
        form,
        lambda f: services.request_save(
            actor=request.user, community=community, request=None, data=f.cleaned_data
        ),
        heading=_("登记民情事项"),
        done=_("民情事项已登记。"),
        next_url=reverse("grassroots:requests", args=[code]),
    )


@login_required
def request_edit(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    item = selectors.request_for(request.user, code, pk)
    community = writable_community(request, code)
    form = RequestForm(request.POST or None, instance=item, community=community)
    return grassroots_edit_page(
        request,
        community,
        form,
        lambda f: services.request_save(
            actor=request.user, community=community, request=item, data=f.cleaned_data
        ),
        heading=_("办理民情事项"),
        done=_("民情事项已保存。"),
        next_url=reverse("grassroots:requests", args=[code]),
    )


@login_required
def request_export(request: SignedInRequest, code: str) -> HttpResponse:
    community = division_selectors.community_for(request.user, code)
    today = timezone.localdate()
    unmask = access.may_see_personal_data(request.user, code)
    filtered = RequestFilter(
        request.GET or None,
        queryset=selectors.requests_of(community),
        community=community,
        today=today,
    )
    header = [
        _("受理日期"), _("来源渠道"), _("类别"), _("网格"), _("楼栋"), _("居民姓名"),
        _("联系电话"), _("事项摘要"), _("首问责任人"), _("办理时限"), _("办理过程"),
        _("答复内容"), _("答复日期"), _("居民评价"), _("上报街道日期"), _("街道答复"),
        _("办结日期"), _("状态"),
    ]  # fmt: skip

    def line(r: Request) -> tuple:
        return (
            r.received_on, r.get_channel_display(), r.get_category_display(),
            r.grid.name if r.grid else "", r.building.name if r.building else "",
            r.resident_name if unmask else "", r.phone if unmask else mask_phone(r.phone),
            r.summary, r.handler.name if r.handler else "", r.due_on, r.steps, r.answer,
            r.answered_on, r.get_satisfaction_display(), r.escalated_on, r.street_answer,
            r.closed_on, r.state_label(today),
        )  # fmt: skip

    return xlsx_response(
        f"{community.name}-{_('民情台账')}.xlsx",
        [(_("民情台账"), header, (line(r) for r in filtered.qs.iterator(chunk_size=2000)))],
    )


@login_required
def ledger(request: SignedInRequest, code: str) -> HttpResponse:
    """The printable 民情台账 of one month (``?month=YYYY-MM``, this month by default)."""
    community = division_selectors.community_for(request.user, code)
    today = timezone.localdate()
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-"))
        first = datetime.date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    return community_page(
        request,
        community,
        "grassroots/ledger.html",
        tab="grassroots",
        first=first,
        rows=selectors.month_ledger(community, first.year, first.month),
        today=today,
    )


@login_required
def grid_list(request: SignedInRequest, code: str) -> HttpResponse:
    community = division_selectors.community_for(request.user, code)
    return community_page(
        request,
        community,
        "grassroots/grids.html",
        tab="grassroots",
        grids=selectors.grids_of(community, timezone.localdate()),
    )


def _grid_page(request: SignedInRequest, code: str, pk: int | None) -> HttpResponse:
    grid = selectors.grid_for(request.user, code, pk) if pk is not None else None
    community = writable_community(request, code)
    form = GridForm(request.POST or None, instance=grid, community=community)
    return grassroots_edit_page(
        request,
        community,
        form,
        lambda f: services.grid_save(
            actor=request.user,
            community=community,
            grid=grid,
            data={k: v for k, v in f.cleaned_data.items() if k != "covers"},
            covers=f.cleaned_data["covers"],
        ),
        heading=_("编辑网格") if grid else _("划分网格"),
        done=_("网格已保存。"),
        next_url=reverse("grassroots:grids", args=[code]),
    )


@login_required
def grid_create(request: SignedInRequest, code: str) -> HttpResponse:
    return _grid_page(request, code, None)


@login_required
def grid_edit(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    return _grid_page(request, code, pk)


@login_required
def worker_create(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    grid = selectors.grid_for(request.user, code, pk)
    community = writable_community(request, code)
    form = GridWorkerForm(
        request.POST or None, community=community, initial={"start_date": timezone.localdate()}
    )
    return grassroots_edit_page(
        request,
        community,
        form,
        lambda f: services.grid_worker_save(
            actor=request.user, grid=grid, worker=None, data=f.cleaned_data
        ),
        heading=_("%(grid)s · 指派网格员") % {"grid": grid.name},
        done=_("网格员已指派。"),
        next_url=reverse("grassroots:grids", args=[code]),
    )


@login_required
def visit_list(request: SignedInRequest, code: str) -> HttpResponse:
    community = division_selectors.community_for(request.user, code)
    page = Paginator(selectors.visits_of(community), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return community_page(request, community, "grassroots/visits.html", tab="grassroots", page=page)


@login_required
def visit_create(request: SignedInRequest, code: str) -> HttpResponse:
    community = writable_community(request, code)
    form = VisitForm(
        request.POST or None, community=community, initial={"visited_on": timezone.localdate()}
    )
    return grassroots_edit_page(
        request,
        community,
        form,
        lambda f: services.visit_save(
            actor=request.user,
            community=community,
            visit=None,
            data={k: v for k, v in f.cleaned_data.items() if not k.startswith("open_")},
            opens=f.opens(),
        ),
        heading=_("登记走访巡查"),
        done=_("走访巡查已登记。"),
        next_url=reverse("grassroots:visits", args=[code]),
    )


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _over_limit(kind: str, request: HttpRequest, limit: int) -> bool:
    """Count one more use by the address this hour; True once it is past ``limit``."""
    key = f"grassroots:{kind}:{_client(request)}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) > limit
    except ValueError:  # evicted between add and incr: count afresh
        cache.set(key, 1, 3600)
        return False


def public_submit(request: HttpRequest, code: str) -> HttpResponse:
    """A resident's request from the public board: no login, a tracking code back."""
    community = selectors.public_community(code)
    form = PublicRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _over_limit("submit", request, SUBMISSIONS_PER_HOUR):
            form.add_error(None, _("提交过于频繁,请一小时后再试,或直接到社区居委会反映。"))
            status = 429
        elif form.is_valid():
            bad = [
                name
                for name, value in form.cleaned_data.items()
                if isinstance(value, str) and CONTROL_CHARACTERS.search(value)
            ]
            for name in bad:
                form.add_error(name, _("不能包含控制字符(不可见的特殊字符),请删除后重新填写。"))
            if not bad:
                try:
                    item = services.public_request_submit(
                        community=community, data=form.cleaned_data
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    return render(
                        request,
                        "grassroots/public_done.html",
                        {"community": community, "item": item},
                    )
    return render(
        request,
        "grassroots/public_submit.html",
        {"community": community, "form": form},
        status=status,
    )


def public_track(request: HttpRequest) -> HttpResponse:
    """A request's state and public answer by its tracking code; nothing personal."""
    form = TrackForm(request.GET or None)
    item = None
    status = 200
    if form.is_bound:
        if _over_limit("track", request, LOOKUPS_PER_HOUR):
            form.add_error(None, _("查询过于频繁,请一小时后再试。"))
            status = 429
        elif form.is_valid():
            item = selectors.tracked(form.cleaned_data["code"])
            if item is None:
                form.add_error("code", _("没有找到这个查询码,请核对后重新输入。"))
                status = 404
    return render(
        request,
        "grassroots/public_track.html",
        {
            "form": form,
            "item": item,
            "state": item.state_label(timezone.localdate()) if item else "",
        },
        status=status,
    )
