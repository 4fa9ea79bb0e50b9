"""The shape shared by every page of a community tab: context, and the add/edit loop.

Used by the committees, facilities and funding apps, so that each view stays a few lines.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from committees import selectors
from committees.models import Community
from portal import access


def writable_community(request: HttpRequest, code: str) -> Community:
    """The community, if inside the jurisdiction (else 404) and writable by the user (else 403)."""
    community = selectors.community_for(request.user, code)
    if not access.can_write(request.user, code):
        raise PermissionDenied
    return community


def community_page(
    request: HttpRequest, community: Community, template: str, **context
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "community": community,
            "crumbs": selectors.breadcrumbs(request.user, community.code),
            "can_write": access.can_write(request.user, community.code),
            "unmask": access.may_see_personal_data(request.user, community.code),
            **context,
        },
    )


def edit_page(
    request: HttpRequest,
    community: Community,
    form,
    save: Callable,
    *,
    heading: str,
    done: str,
    next_url: str,
    tab: str,
    template: str = "committees/object_form.html",
) -> HttpResponse:
    """Bind, validate, call the service, redirect; service refusals land next to the fields."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            messages.success(request, done)
            return redirect(next_url)
    return community_page(
        request, community, template, tab=tab, form=form, heading=heading, cancel=next_url
    )
