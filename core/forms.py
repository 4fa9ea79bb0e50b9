"""Typed access to the fields a form builds for itself (a model form's, say).

``form.fields[name]`` is typed as a plain ``forms.Field``: these return the field as the kind it
is, checked, so that a view or form may set its choices or queryset.
"""

from __future__ import annotations

from django import forms


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), name
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), name
    return field
