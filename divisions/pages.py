"""The shape shared by every page of a community tab: context, and the add/edit loop.

Used by the committees, facilities and funding apps, so that each view stays a few lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core import access, audit, locking
from core.users import SignedInRequest
from divisions import selectors
from divisions.models import Community

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def writable_community(request: SignedInRequest, code: str) -> Community:
    """The community, if inside the jurisdiction (else 404) and writable by the user (else 403)."""
    community = selectors.community_for(request.user, code)
    if not access.can_write(request.user, code):
        raise PermissionDenied
    return community


def community_page(
    request: SignedInRequest, community: Community, template: str, **context
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


# C0 and C1 control characters: invisible, meaningless in a record, refused by Excel exports
# (and NUL by PostgreSQL). Tab and line breaks are ordinary text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def refuse_control_characters(form) -> bool:
    """Add a field error for each text value with control characters; True if any."""
    refused = False
    # A copy: add_error() removes the field from cleaned_data.
    for name, value in list(form.cleaned_data.items()):
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            form.add_error(name, _("不能包含控制字符(不可见的特殊字符),请删除后重新填写。"))
            refused = True
    return refused


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal next to the field it names (unknown or no field: above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


def add_row_errors(
    formset: forms.BaseFormSet,
    rows: Sequence[forms.BaseForm],
    error: ValidationError,
    *,
    key: str,
    form: forms.BaseForm | None = None,
) -> None:
    """A service's refusal of a record and its rows, each message where it belongs.

    ``<key>.<n>.<field>`` is about ``rows[n]`` (the formset's forms in the order the view passed
    their data to the service); anything else is about ``form``, or above the rows without one.
    """
    prefix = f"{key}."
    found = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    rest: dict[str, list[str]] = {}
    for name, field_messages in found.items():
        index, _dot, field = name.removeprefix(prefix).partition(".")
        if name.startswith(prefix) and index.isdigit() and int(index) < len(rows):
            row = rows[int(index)]
            row.add_error(field if field in row.fields else None, field_messages)
        else:
            rest[name] = field_messages
    if form is not None:
        for name, field_messages in rest.items():
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        formset.non_form_errors().extend(m for ms in rest.values() for m in ms)


def edit_page(
    request: SignedInRequest,
    community: Community,
    form,
    save: Callable,
    *,
    heading: StrOrPromise,
    done: StrOrPromise,
    next_url: str,
    tab: str,
    template: str = "divisions/object_form.html",
    record=None,
) -> HttpResponse:
    """Bind, validate, call the service, redirect; service refusals land next to the fields.

    ``record`` is the existing record the page changes (by default the model form's instance):
    its version travels in a hidden field, and a save over someone else's newer save is refused
    (core.locking) with what they changed and a link to the history.
    """
    if record is None:
        instance = getattr(form, "instance", None)
        record = instance if instance is not None and instance.pk is not None else None
    submitted = request.POST.get(locking.FIELD) if request.method == "POST" else None
    conflict = None
    if request.method == "POST" and form.is_valid() and not refuse_control_characters(form):
        try:
            with transaction.atomic():
                locking.ensure_current(record, submitted)
                save(form)
        except locking.EditConflict as error:
            conflict = error
            form.add_error(None, error.message)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(next_url)
    # The version the user's edit is based on: what they were first shown, until they have seen
    # a conflict (then the newest, so that saving again is a deliberate choice).
    version: int | str | None
    if conflict is not None:
        version = conflict.current
    elif submitted:
        version = submitted
    else:
        version = locking.version_of(record)
    unmask = access.may_see_personal_data(request.user, community.code)
    return community_page(
        request,
        community,
        template,
        tab=tab,
        form=form,
        heading=heading,
        cancel=next_url,
        version=version,
        version_field=locking.FIELD,
        history=audit.history_url(record, community.code) if record is not None else None,
        conflict=(
            audit.changes_since(record, conflict.submitted or 0, unmask=unmask)
            if conflict is not None
            else None
        ),
    )
