"""The history ("历史") page of any community record."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from committees.pages import community_page
from portal import access, audit

# Which tab of the community a record belongs to, and the list to go back to.
TABS = {
    "committees": ("people", "committees:people"),
    "facilities": ("facilities", "facilities:list"),
    "funding": ("funding", "funding:ledger"),
    "governance": ("governance", "governance:meetings"),
}
BACK = {
    "committees.community": ("profile", "committees:community"),
    "funding.assignedtask": ("funding", "funding:tasks"),
    "governance.disclosure": ("governance", "governance:disclosures"),
    "governance.financeline": ("governance", "governance:disclosures"),
}


@login_required
def record_history(
    request: HttpRequest, code: str, app_label: str, model_name: str, pk: int
) -> HttpResponse:
    """Who changed the record, when, and each field before → after; any reader may look."""
    record, community = audit.record_for(request.user, code, app_label, model_name, pk)
    unmask = access.may_see_personal_data(request.user, code)
    page, entries = audit.page_of_history(
        record, request.GET.get("page"), unmask=unmask, per_page=settings.PAGE_SIZE
    )
    label = f"{app_label}.{model_name}".lower()
    tab, back = BACK.get(label) or TABS.get(app_label, ("profile", "committees:community"))
    return community_page(
        request,
        community,
        "portal/history.html",
        tab=tab,
        record=record,
        kind=record._meta.verbose_name,
        deleted=getattr(record, "deleted_at", None),
        page=page,
        entries=entries,
        back=reverse(back, args=[code]),
    )
