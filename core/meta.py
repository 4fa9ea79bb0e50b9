"""A model's fields by name, typed as fields (``_meta.get_field`` may also return a reverse
relation or a generic foreign key, which have no verbose name, choices or default)."""

from __future__ import annotations

from django.db import models


def model_field(model: type[models.Model] | models.Model, name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), name
    return field
