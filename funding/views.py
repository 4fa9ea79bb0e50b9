from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import exemptions
from compliance import selectors as compliance
from compliance.models import Finding
from compliance.services import record_delete, record_save
from core import access
from core.exports import xlsx_response
from core.users import SignedInRequest
from divisions import selectors as committee_selectors
from divisions.models import Community
from divisions.pages import community_page, edit_page, writable_community
from funding import selectors
from funding.forms import (
    AllocationForm,
    AssignedTaskForm,
    DeleteRecordForm,
    ExpenditureForm,
    StaffPayForm,
    WageBenchmarkForm,
)
from funding.models import Allocation, AssignedTask, Expenditure, StaffPay, WageBenchmark
from funding.services import benchmark_save

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

funding_edit_page = partial(edit_page, tab="funding")


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def ledger(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    year = _year(request)
    # The applicable funding standard, as judged for this community (one query).
    standard = (
        Finding.objects.filter(
            community=community, is_current=True, standard__rule_key__startswith="funding.per_"
        )
        .annotate(exempted=exemptions.covered(timezone.localdate()))
        .select_related("standard")
        .first()
    )
    return community_page(
        request,
        community,
        "funding/ledger.html",
        tab="funding",
        ledger=selectors.ledger(community, year),
        deleted=selectors.deleted_records(community, year),
        year=year,
        years=sorted({year, timezone.localdate().year, *selectors.years(community)}, reverse=True),
        standard=standard,
        per_1000=selectors.per_1000_households(community, year, standard),
    )


@login_required
def ledger_export(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    year = _year(request)
    data = selectors.ledger(community, year)
    return xlsx_response(
        f"{community.name}-{year}-{_('经费台账')}.xlsx",
        [
            (
                _("拨付"),
                [_("到账日期"), _("来源"), _("金额(元)"), _("备注")],
                (
                    (a.received_on, a.get_source_display(), a.amount, a.note)
                    for a in data.allocations
                ),
            ),
            (
                _("支出"),
                [_("支出日期"), _("类别"), _("金额(元)"), _("用途"), _("审批人")],
                (
                    (e.date, e.get_category_display(), e.amount, e.description, e.approved_by)
                    for e in data.expenditures
                ),
            ),
        ],
    )


def _record_page(
    request: SignedInRequest,
    code: str,
    model,
    form_class,
    pk: int | None,
    heading: StrOrPromise,
    **form_kwargs,
) -> HttpResponse:
    """Add or edit one ledger record of a community (allocation, expenditure, pay, task)."""
    community = committee_selectors.community_for(request.user, code)
    if pk is None:
        instance = model() if model is StaffPay else model(community=community)
    else:
        instance = committee_selectors.community_record(
            request.user,
            code,
            model.objects.all(),
            pk,
            "person__community" if model is StaffPay else "community",
        )
    community = writable_community(request, code)
    form = form_class(request.POST or None, instance=instance, **form_kwargs)
    target = "funding:tasks" if model is AssignedTask else "funding:ledger"
    return funding_edit_page(
        request,
        community,
        form,
        lambda f: record_save(actor=request.user, instance=f.instance, community=community),
        heading=heading,
        done=_("已保存。"),
        next_url=reverse(target, args=[code]),
    )


@login_required
def allocation_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    return _record_page(request, code, Allocation, AllocationForm, pk, _("经费拨付"))


@login_required
def expenditure_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    return _record_page(request, code, Expenditure, ExpenditureForm, pk, _("经费支出"))


@login_required
def pay_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    return _record_page(
        request, code, StaffPay, StaffPayForm, pk, _("工作人员报酬"), community=community
    )


@login_required
def task_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    return _record_page(request, code, AssignedTask, AssignedTaskForm, pk, _("交办事项"))


def _delete_page(request: SignedInRequest, code: str, model, pk: int) -> HttpResponse:
    """Delete one money record (softly: see funding.services.record_delete)."""
    instance = committee_selectors.community_record(
        request.user,
        code,
        model.objects.all(),
        pk,
        "person__community" if model is StaffPay else "community",
    )
    community = writable_community(request, code)
    form = DeleteRecordForm(request.POST or None)
    return funding_edit_page(
        request,
        community,
        form,
        lambda f: record_delete(
            actor=request.user,
            instance=instance,
            community=community,
            reason=f.cleaned_data["reason"],
        ),
        heading=_("删除%(kind)s:%(record)s")
        % {"kind": model._meta.verbose_name, "record": instance},
        done=_("已删除。这条记录不再计入台账和合规检查,它的内容和历史仍然保留。"),
        next_url=reverse("funding:ledger", args=[code]) + f"?year={instance.year}",
        template="funding/delete.html",
        record=instance,
    )


@login_required
def allocation_delete(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    return _delete_page(request, code, Allocation, pk)


@login_required
def expenditure_delete(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    return _delete_page(request, code, Expenditure, pk)


@login_required
def pay_delete(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    return _delete_page(request, code, StaffPay, pk)


@login_required
def tasks(request: SignedInRequest, code: str) -> HttpResponse:
    community = committee_selectors.community_for(request.user, code)
    return community_page(
        request,
        community,
        "funding/tasks.html",
        tab="funding",
        page=Paginator(
            community.assigned_tasks.order_by("-assigned_on"), settings.PAGE_SIZE
        ).get_page(request.GET.get("page")),
    )


def _comparison(request: SignedInRequest, code: str):
    division = committee_selectors.division_for(request.user, code)
    year = _year(request)
    return (
        division,
        year,
        selectors.comparison(Community.objects.filter(code__startswith=code), year),
    )


@login_required
def compare(request: SignedInRequest, code: str) -> HttpResponse:
    division, year, rows = _comparison(request, code)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/compare.html",
        {
            "division": division,
            "year": year,
            "query": f"year={year}",
            "crumbs": committee_selectors.breadcrumbs(request.user, code),
            "page": page,
            "findings": compliance.findings_by_community([c.pk for c in page], "funding."),
        },
    )


@login_required
def compare_export(request: SignedInRequest, code: str) -> HttpResponse:
    division, year, rows = _comparison(request, code)

    def per_1000(amount, households):
        return round(amount * 1000 / households, 2) if households else None

    data = (
        (c.code, c.name, c.households, c.received, c.spent, per_1000(c.received, c.households))
        for c in rows.iterator(chunk_size=2000)
    )
    header = [
        _("社区代码"),
        _("社区"),
        _("常住户数"),
        _("拨付(元)"),
        _("支出(元)"),
        _("每千户经费(元)"),
    ]
    return xlsx_response(
        f"{division.name}-{year}-{_('经费对比')}.xlsx", [(_("经费对比"), header, data)]
    )


@login_required
def benchmarks(request: SignedInRequest) -> HttpResponse:
    """Wage benchmarks: bureaus record the reference pay of their own divisions."""
    if not (
        access.is_unrestricted(request.user)
        or any(g.role == "bureau" for g in access.grants(request.user))
    ):
        raise Http404
    form = WageBenchmarkForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        benchmark_save(actor=request.user, benchmark=form.instance)
        form = WageBenchmarkForm(user=request.user)
    rows = WageBenchmark.objects.filter(access.scope_q(request.user)).order_by("code", "-year")
    return render(request, "funding/benchmarks.html", {"form": form, "rows": rows})
