from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import selectors as compliance
from core import access
from core.exports import xlsx_response
from core.users import SignedInRequest
from divisions import selectors as committee_selectors
from divisions.models import Community, Division
from divisions.pages import add_service_errors, community_page, edit_page, writable_community
from funding import selectors, services
from funding.forms import (
    AllocationForm,
    AssignedTaskForm,
    DeleteRecordForm,
    ExpenditureForm,
    StaffPayForm,
    WageBenchmarkForm,
)
from funding.models import Allocation, AssignedTask, Expenditure, StaffPay

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
    standard = selectors.funding_finding(community, timezone.localdate())
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


# How a ledger page saves: the record's own service, given the community, the record (None
# for a new one) and the form's validated values.
Save = Callable[[Community, Any, dict[str, Any]], object]


def _record_page(
    request: SignedInRequest,
    code: str,
    model: type[Allocation | Expenditure | StaffPay | AssignedTask],
    form_class: type[forms.ModelForm],
    pk: int | None,
    heading: str,
    save: Save,
    **form_kwargs: Any,
) -> HttpResponse:
    """Add or edit one ledger record of a community (allocation, expenditure, pay, task)."""
    community = committee_selectors.community_for(request.user, code)
    record = None if pk is None else selectors.ledger_record_for(request.user, code, model, pk)
    if record is not None:
        instance = record
    elif issubclass(model, StaffPay):
        instance = model()  # its community is its person's, chosen in the form
    else:
        instance = model(community=community)
    community = writable_community(request, code)
    form = form_class(request.POST or None, instance=instance, **form_kwargs)
    target = "funding:tasks" if model is AssignedTask else "funding:ledger"
    return funding_edit_page(
        request,
        community,
        form,
        lambda f: save(community, record, f.cleaned_data),
        heading=heading,
        done=_("已保存。"),
        next_url=reverse(target, args=[code]),
    )


@login_required
def allocation_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    def save(community: Community, allocation: Any, data: dict[str, Any]) -> object:
        return services.allocation_save(
            actor=request.user, community=community, allocation=allocation, data=data
        )

    return _record_page(request, code, Allocation, AllocationForm, pk, _("经费拨付"), save)


@login_required
def expenditure_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    def save(community: Community, expenditure: Any, data: dict[str, Any]) -> object:
        return services.expenditure_save(
            actor=request.user, community=community, expenditure=expenditure, data=data
        )

    return _record_page(request, code, Expenditure, ExpenditureForm, pk, _("经费支出"), save)


@login_required
def pay_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    def save(community: Community, pay: Any, data: dict[str, Any]) -> object:
        return services.pay_save(actor=request.user, community=community, pay=pay, data=data)

    community = committee_selectors.community_for(request.user, code)
    return _record_page(
        request, code, StaffPay, StaffPayForm, pk, _("工作人员报酬"), save, community=community
    )


@login_required
def task_edit(request: SignedInRequest, code: str, pk: int | None = None) -> HttpResponse:
    def save(community: Community, task: Any, data: dict[str, Any]) -> object:
        return services.task_save(actor=request.user, community=community, task=task, data=data)

    return _record_page(request, code, AssignedTask, AssignedTaskForm, pk, _("交办事项"), save)


def _delete_page(
    request: SignedInRequest, code: str, model: type[Allocation | Expenditure | StaffPay], pk: int
) -> HttpResponse:
    """Delete one money record (softly: see funding.services.record_delete)."""
    instance = selectors.ledger_record_for(request.user, code, model, pk)
    community = writable_community(request, code)
    form = DeleteRecordForm(request.POST or None)
    return funding_edit_page(
        request,
        community,
        form,
        lambda f: services.record_delete(
            actor=request.user,
            community=community,
            record=instance,
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
        page=Paginator(selectors.assigned_tasks(community), settings.PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
    )


def _comparison(request: SignedInRequest, code: str) -> tuple[Division, int, QuerySet[Community]]:
    division, communities = committee_selectors.division_communities(request.user, code)
    year = _year(request)
    return division, year, selectors.comparison(communities, year)


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
        (
            c.code,
            c.name,
            c.households,
            c.received,  # type: ignore[attr-defined]  # annotated by selectors.comparison
            c.spent,  # type: ignore[attr-defined]
            per_1000(c.received, c.households),  # type: ignore[attr-defined]
        )
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
        try:
            services.benchmark_save(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = WageBenchmarkForm(user=request.user)
    rows = selectors.benchmarks_for(request.user)
    return render(request, "funding/benchmarks.html", {"form": form, "rows": rows})
