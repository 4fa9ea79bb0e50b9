"""The history ("历史") page of any community record."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse

from core import access, audit
from core.users import SignedInRequest
from divisions import selectors
from divisions.pages import community_page


@login_required
def record_history(
    request: SignedInRequest, code: str, app_label: str, model_name: str, pk: int
) -> HttpResponse:
    """Who changed the record, when, and each field before → after; any reader may look."""
    community = selectors.community_for(request.user, code)
    record = audit.record_for(community, app_label, model_name, pk)
    unmask = access.may_see_personal_data(request.user, code)
    page, entries = audit.page_of_history(
        record, request.GET.get("page"), unmask=unmask, per_page=settings.PAGE_SIZE
    )
    audited = audit.AUDITED[f"{app_label}.{model_name}".lower()]
    return community_page(
        request,
        community,
        "divisions/history.html",
        tab=audited.tab,
        record=record,
        kind=record._meta.verbose_name,
        deleted=getattr(record, "deleted_at", None),
        page=page,
        entries=entries,
        back=reverse(audited.back, args=[code]),
    )
