"""The shape shared by every page of a community tab: context, and the add/edit loop.

Used by the committees, facilities and funding apps, so that each view stays a few lines.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
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


def keep_their_changes(form: forms.BaseForm, record, conflict: locking.EditConflict) -> None:
    """After a conflict, the fields this user left as they were take the other user's values.

    Saving again then keeps what the other user changed, except where both changed the same
    field: there this user's value stays, with a note beside the field naming the other value,
    so that overwriting it is a deliberate choice. Only fields named like the record's own
    (plain, not many-to-many) are compared: the rest are kept as typed.
    """
    base = record.history.filter(history_id=conflict.submitted).first()
    fresh = type(record)._base_manager.filter(pk=record.pk).first()
    if base is None or fresh is None or not form.is_bound:
        return
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
    changed = False
    for name, field in form.fields.items():
        try:
            model_field = record._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not getattr(model_field, "concrete", False) or model_field.many_to_many:
            continue
        attname = model_field.attname
        before, theirs = getattr(base, attname, None), getattr(fresh, attname)
        if before == theirs:
            continue  # the other user did not change this field
        mine = _submitted_value(form, record, name, attname)
        if mine != before:
            form.add_error(
                name,
                _("对方也修改了此项(现为“%(value)s”);再次保存将以您填写的为准。")
                % {"value": "" if theirs is None else theirs},
            )
            continue
        key = form.add_prefix(name)
        if isinstance(field.widget, forms.CheckboxInput):
            if theirs:
                data[key] = "on"
            else:
                data.pop(key, None)
        elif theirs is None:
            data[key] = ""
        elif isinstance(theirs, datetime.date):
            data[key] = theirs.isoformat()
        else:
            data[key] = str(theirs)
        changed = True
    if changed:
        form.data = data


def _submitted_value(form: forms.BaseForm, record, name: str, attname: str):
    """What this user submitted for a field, in the record's terms (a foreign key as its id)."""
    if isinstance(form, forms.ModelForm) and form.instance is record:
        return getattr(record, attname)  # the form has put the submitted values on the record
    value = form.cleaned_data.get(name)
    return value.pk if isinstance(value, models.Model) else value


def guarded_save(record, submitted: str | None, save: Callable[[], object], children=None):
    """Call ``save`` in one transaction after checking the record's version (core.locking):
    raises EditConflict if someone saved it since the version the form showed."""
    with transaction.atomic():
        locking.ensure_current(record, submitted, children)
        return save()


def version_context(
    request: SignedInRequest,
    community: Community,
    record,
    submitted: str | None,
    conflict: locking.EditConflict | None,
    children=None,
) -> dict:
    """The version the next save is based on, and what changed when there was a conflict.

    The version is what the user was first shown, until they have seen a conflict (then the
    newest, so that saving again is a deliberate choice).
    """
    version: str | None
    if conflict is not None:
        version = conflict.current
    elif submitted:
        version = submitted
    else:
        version = locking.version_of(record, children)
    unmask = access.may_see_personal_data(request.user, community.code)
    return {
        "version": version,
        "version_field": locking.FIELD,
        "history": audit.history_url(record, community.code) if record is not None else None,
        "conflict": (
            audit.changes_since(record, conflict.submitted or 0, unmask=unmask)
            if conflict is not None
            else None
        ),
    }


def edit_page(
    request: SignedInRequest,
    community: Community,
    form,
    save: Callable,
    *,
    heading: StrOrPromise,
    done: StrOrPromise,
    next_url: str | None,
    tab: str,
    template: str = "divisions/object_form.html",
    record=None,
    **context,
) -> HttpResponse:
    """Bind, validate, call the service, redirect; service refusals land next to the fields.

    ``record`` is the existing record the page changes (by default the model form's instance):
    its version travels in a hidden field, and a save over someone else's newer save is refused
    (core.locking) with what they changed and a link to the history; the fields this user did
    not touch then take the other user's values (``keep_their_changes``). Without ``next_url``
    the service's return value is where to go.
    """
    if record is None:
        instance = getattr(form, "instance", None)
        record = instance if instance is not None and instance.pk is not None else None
    cancel = context.pop("cancel", next_url)
    submitted = request.POST.get(locking.FIELD) if request.method == "POST" else None
    conflict = None
    if request.method == "POST" and form.is_valid() and not refuse_control_characters(form):
        try:
            went = guarded_save(record, submitted, lambda: save(form))
        except locking.EditConflict as error:
            conflict = error
            form.add_error(None, error.message)
            keep_their_changes(form, record, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(next_url or went)
    return community_page(
        request,
        community,
        template,
        tab=tab,
        form=form,
        heading=heading,
        cancel=cancel,
        **version_context(request, community, record, submitted, conflict),
        **context,
    )
