from __future__ import annotations

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from committees import roster, selectors, services, tasks
from committees.forms import (
    CommunityForm,
    EndMembershipForm,
    MembershipForm,
    OrganizationForm,
    PersonForm,
    QualificationForm,
    TrainingForm,
)
from committees.models import Organization, Person, Qualification, Training
from compliance import counts
from core import access
from core.exports import XLSX_CONTENT_TYPE, content_disposition, xlsx_response
from core.users import SignedInRequest
from divisions import selectors as divisions_selectors
from divisions.filters import CommunityFilter
from divisions.pages import community_page, edit_page, writable_community


@login_required
def community_list(request: SignedInRequest) -> HttpResponse:
    filterset = CommunityFilter(
        request.GET, queryset=divisions_selectors.communities_for(request.user).order_by("code")
    )
    paginator = counts.community_paginator(request.user, filterset, settings.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "committees/community_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
def community_export(request: SignedInRequest) -> HttpResponse:
    filterset = CommunityFilter(
        request.GET, queryset=divisions_selectors.communities_for(request.user).order_by("code")
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
def community_detail(request: SignedInRequest, code: str) -> HttpResponse:
    community = divisions_selectors.community_for(request.user, code)
    return render(
        request,
        "committees/community_detail.html",
        {
            "community": community,
            "crumbs": divisions_selectors.breadcrumbs(request.user, code),
            "can_write": access.can_write(request.user, code),
            "tab": "profile",
        },
    )


@login_required
def community_edit(request: SignedInRequest, code: str) -> HttpResponse:
    community = writable_community(request, code)
    form = CommunityForm(request.POST or None, instance=community)
    return edit_page(
        request,
        community,
        form,
        lambda f: services.community_update(
            actor=request.user, community=community, data=f.cleaned_data
        ),
        heading=_("编辑概况"),
        done=_("社区概况已保存。"),
        next_url=reverse("committees:community", args=[code]),
        tab="profile",
        template="committees/community_form.html",
    )


# --- organizations and people -----------------------------------------------------------


# Every add/edit page of this tab has the same shape (divisions/pages.py).
people_edit = partial(edit_page, tab="people")


@login_required
def people(request: SignedInRequest, code: str) -> HttpResponse:
    community = divisions_selectors.community_for(request.user, code)
    today = timezone.localdate()
    return community_page(
        request,
        community,
        "committees/people.html",
        tab="people",
        overview=selectors.people_overview(community, today),
        everyone=Paginator(selectors.people(community), settings.PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
    )


@login_required
def person_detail(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    person = selectors.person_for(request.user, code, pk)
    return community_page(
        request,
        person.community,
        "committees/person_detail.html",
        tab="people",
        person=person,
        memberships=selectors.person_memberships(person),
        trainings=selectors.person_trainings(person),
        qualifications=selectors.person_qualifications(person),
    )


@login_required
def person_create(request: SignedInRequest, code: str) -> HttpResponse:
    community = writable_community(request, code)
    form = PersonForm(request.POST or None, instance=Person(community=community))
    return people_edit(
        request,
        community,
        form,
        lambda f: services.person_save(actor=request.user, person=f.instance),
        heading=_("登记人员"),
        done=_("人员已登记。"),
        next_url=reverse("committees:people", args=[code]),
    )


@login_required
def person_edit(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    person = selectors.person_for(request.user, code, pk)
    community = writable_community(request, code)
    form = PersonForm(request.POST or None, instance=person)
    return people_edit(
        request,
        community,
        form,
        lambda f: services.person_save(actor=request.user, person=f.instance),
        heading=_("编辑人员信息"),
        done=_("人员信息已保存。"),
        next_url=reverse("committees:person", args=[code, pk]),
    )


@login_required
def organization_create(request: SignedInRequest, code: str) -> HttpResponse:
    community = writable_community(request, code)
    form = OrganizationForm(
        request.POST or None,
        instance=Organization(community=community),
        initial={"kind": request.GET.get("kind")},
    )
    return people_edit(
        request,
        community,
        form,
        lambda f: services.organization_save(actor=request.user, organization=f.instance),
        heading=_("新增组织"),
        done=_("组织已新增。"),
        next_url=reverse("committees:people", args=[code]),
    )


@login_required
def organization_edit(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    organization = selectors.organization_for(request.user, code, pk)
    community = writable_community(request, code)
    form = OrganizationForm(request.POST or None, instance=organization)
    return people_edit(
        request,
        community,
        form,
        lambda f: services.organization_save(actor=request.user, organization=f.instance),
        heading=_("编辑组织"),
        done=_("组织已保存。"),
        next_url=reverse("committees:people", args=[code]),
    )


@login_required
def membership_create(request: SignedInRequest, code: str) -> HttpResponse:
    community = writable_community(request, code)
    initial = {
        k: request.GET.get(k) for k in ("person", "organization", "position") if request.GET.get(k)
    }
    form = MembershipForm(request.POST or None, community=community, initial=initial)
    return people_edit(
        request,
        community,
        form,
        lambda f: services.membership_save(actor=request.user, membership=f.instance),
        heading=_("新增任职"),
        done=_("任职已登记。"),
        next_url=reverse("committees:people", args=[code]),
    )


@login_required
def membership_edit(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    membership = selectors.membership_for(request.user, code, pk)
    community = writable_community(request, code)
    form = MembershipForm(request.POST or None, community=community, instance=membership)
    return people_edit(
        request,
        community,
        form,
        lambda f: services.membership_save(actor=request.user, membership=f.instance),
        heading=_("编辑任职"),
        done=_("任职已保存。"),
        next_url=reverse("committees:people", args=[code]),
    )


@login_required
def membership_end(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    membership = selectors.membership_for(request.user, code, pk)
    community = writable_community(request, code)
    form = EndMembershipForm(
        request.POST or None, membership=membership, initial={"end_date": timezone.localdate()}
    )
    return people_edit(
        request,
        community,
        form,
        lambda f: services.membership_end(
            actor=request.user,
            membership=membership,
            end_date=f.cleaned_data["end_date"],
            reason=f.cleaned_data["end_reason"],
        ),
        heading=_("%(name)s 离任(%(position)s)")
        % {"name": membership.person.name, "position": membership.get_position_display()},
        done=_("已登记离任,任职记录保留在历史中。"),
        next_url=reverse("committees:people", args=[code]),
        record=membership,
    )


@login_required
def training_create(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    person = selectors.person_for(request.user, code, pk)
    community = writable_community(request, code)
    form = TrainingForm(request.POST or None, instance=Training(person=person))
    return people_edit(
        request,
        community,
        form,
        lambda f: services.training_save(actor=request.user, training=f.instance),
        heading=_("登记培训:%(name)s") % {"name": person.name},
        done=_("培训记录已登记。"),
        next_url=reverse("committees:person", args=[code, pk]),
    )


@login_required
def qualification_create(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    person = selectors.person_for(request.user, code, pk)
    community = writable_community(request, code)
    form = QualificationForm(request.POST or None, instance=Qualification(person=person))
    return people_edit(
        request,
        community,
        form,
        lambda f: services.qualification_save(actor=request.user, qualification=f.instance),
        heading=_("登记职业资格:%(name)s") % {"name": person.name},
        done=_("职业资格已登记。"),
        next_url=reverse("committees:person", args=[code, pk]),
    )


@login_required
def training_log(request: SignedInRequest, code: str) -> HttpResponse:
    community = divisions_selectors.community_for(request.user, code)
    return community_page(
        request,
        community,
        "committees/training_log.html",
        tab="people",
        page=Paginator(selectors.training_log(community), settings.PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
    )


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("名单文件(.xlsx)"),
        help_text=_("先下载模板,按模板填写后上传;所有行都正确才会导入。"),
    )


@login_required
def roster_template(request: SignedInRequest, code: str) -> HttpResponse:
    community = writable_community(request, code)
    response = HttpResponse(roster.roster_template(community), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(f"{community.name}-{_('名单模板')}.xlsx")
    return response


@login_required
def roster_import(request: SignedInRequest, code: str) -> HttpResponse:
    community = writable_community(request, code)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.ROSTER_JOB_BYTES:  # a large file is imported by a worker
            try:
                job = tasks.start_roster_import(
                    actor=request.user, community=community, file=upload
                )
            except tasks.ImportRunning:
                form.add_error("file", _("本社区已有名单导入正在进行,请在其完成后再导入。"))
            else:
                messages.success(request, _("文件较大,已在后台开始检查并导入。"))
                return redirect("jobs:detail", pk=job.pk)
        if form.is_valid():
            check = roster.import_roster(actor=request.user, community=community, file=upload)
            if not check.errors:
                messages.success(request, _("名单已导入。"))
                return redirect("committees:people", code=code)
    return community_page(
        request, community, "committees/roster_import.html", tab="people", form=form, check=check
    )


@login_required
def roster_export(request: SignedInRequest, code: str) -> HttpResponse:
    community = divisions_selectors.community_for(request.user, code)
    return roster.roster_export(
        community,
        as_of=timezone.localdate(),
        unmask=access.may_see_personal_data(request.user, code),
    )
