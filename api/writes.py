"""A JSON body checked by the app's own form, as a form POST from its page would be.

The API does not validate a second time in its own words: the body's shape is checked here (an
object, known fields, one scalar per field, a list only where the form takes several), then the
values are bound to the form the page uses, so every field error (the type of a value, a choice,
a date after today, a rule across fields) carries the page's own Chinese message; the model's
and the service's checks follow when the service saves.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from rest_framework import exceptions

MULTIPLE = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("请求内容须为 JSON 对象。")]})
    return body


def shape_errors(
    body: Mapping[str, Any], fields: Mapping[str, forms.Field], extra: Collection[str] = ()
) -> dict[str, list[str]]:
    """Unknown fields, and values of a JSON type the field cannot take (a list for a name,
    a string for a yes/no): what a form POST cannot even send."""
    errors: dict[str, list[str]] = {}
    for name, value in body.items():
        field = fields.get(name)
        if field is None:
            if name not in extra:
                errors[name] = [_("未知字段。")]
            continue
        message = _shape_error(field, value)
        if message:
            errors[name] = [message]
    return errors


def _shape_error(field: forms.Field, value: Any) -> str | None:
    if isinstance(field, MULTIPLE):
        if not isinstance(value, list) or not all(
            isinstance(v, int | str) and not isinstance(v, bool) for v in value
        ):
            return _("请填写编号列表。")
        return None
    if isinstance(value, dict | list):
        return _("请填写单个值。")
    if isinstance(field, forms.NullBooleanField):
        return None if value is None or isinstance(value, bool) else _("请填写 true 或 false。")
    if isinstance(field, forms.BooleanField):
        return None if isinstance(value, bool) else _("请填写 true 或 false。")
    if isinstance(field, forms.CharField) and value is not None and not isinstance(value, str):
        return _("请填写文本。")
    if isinstance(value, bool):  # a number, a date or a choice is never true or false
        return _("请填写单个值。")
    return None


def form_values(body: Mapping[str, Any]) -> dict[str, Any]:
    """JSON values as form data: null is an empty field."""
    return {name: ("" if value is None else value) for name, value in body.items()}


def form_errors(form: forms.BaseForm, prefix: str = "") -> dict[str, list[str]]:
    """A form's errors keyed as in the JSON body (``non_field_errors`` for the whole form)."""
    return {
        prefix + ("non_field_errors" if name == "__all__" else name): [e["message"] for e in errors]
        for name, errors in form.errors.get_json_data().items()
    }


def bound(
    form_class: type[forms.BaseForm],
    body: Mapping[str, Any],
    *,
    initial: Mapping[str, Any] | None = None,
    extra: Collection[str] = (),
    prefix: str = "",
    **kwargs: Any,
) -> forms.BaseForm:
    """The form bound to ``body`` over ``initial`` (a partial update keeps the other values),
    valid, or a 400 with the form's messages per field."""
    probe = form_class(**kwargs)
    errors = shape_errors(body, probe.fields, extra)
    if errors:
        raise exceptions.ValidationError({prefix + k: v for k, v in errors.items()})
    values = dict(initial or {}) | form_values({k: v for k, v in body.items() if k not in extra})
    form = form_class(data=values, **kwargs)
    if not form.is_valid():
        raise exceptions.ValidationError(form_errors(form, prefix))
    return form
