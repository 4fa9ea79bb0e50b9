"""The audit trail of community records: who changed what, when, before → after.

Every domain model keeps its history with django-simple-history (one historical row per save,
with the user from the request). This module finds a record through its community — so a record
outside the user's jurisdiction is a 404, like everywhere else — and turns its historical rows
into readable changes, masking personal data for those who may not see it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.meta import model_field
from core.validators import mask_id_number, mask_phone

if TYPE_CHECKING:
    from core.models import User


@dataclass(frozen=True)
class Audited:
    """A community-owned model with a history page."""

    community_path: str | None  # from the record to its community (None: the community itself)
    tab: str  # the community tab the record belongs to
    back: str  # URL name of the list to go back to (takes the community code)


# "app_label.model_name" → how its history page finds and shows it. Each app registers its own
# community-owned models (``register`` in its apps.py) so that the history page and the access
# walk know them.
AUDITED: dict[str, Audited] = {}

# Fields shown masked to those who may not see personal data, whatever the model.
MASKED_FIELDS = {"phone": mask_phone, "id_number": mask_id_number}
# Bookkeeping fields that are not what anyone changed.
HIDDEN_FIELDS = {"id", "updated_at"}

KIND_LABELS = {
    "+": gettext_lazy("新建"),
    "~": gettext_lazy("修改"),
    "-": gettext_lazy("删除"),
}


def record_actor(instance: models.Model, actor: User) -> None:
    """The user whom the record's next history row (its save or deletion) names."""
    instance._history_user = actor  # type: ignore[attr-defined]  # read by simple_history


def save_as(instance: models.Model, *, actor: User) -> None:
    """Validate and save a record, its history row naming ``actor`` (django-simple-history)."""
    record_actor(instance, actor)
    instance.full_clean()
    instance.save()


def register(label: str, community_path: str | None, *, tab: str, back: str) -> None:
    AUDITED[label.lower()] = Audited(community_path, tab, back)


def audited_model(app_label: str, model_name: str) -> tuple[type[models.Model], Audited]:
    label = f"{app_label}.{model_name}".lower()
    if label not in AUDITED:
        raise Http404
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as error:
        raise Http404 from error
    return model, AUDITED[label]


def record_for(community: models.Model, app_label: str, model_name: str, pk: int) -> Any:
    """The record (deleted ones included) if it belongs to ``community``, else 404.

    The caller has found ``community`` through the user's jurisdiction."""
    model, audited = audited_model(app_label, model_name)
    path = audited.community_path
    if path is None:
        if community.pk != pk:
            raise Http404
        return community
    # _base_manager: soft-deleted money records stay readable in their history.
    record = model._base_manager.filter(**{path: community}, pk=pk).first()
    if record is None:
        raise Http404
    return record


def history_url(record: models.Model, code: str) -> str | None:
    meta = record._meta
    if meta.label_lower not in AUDITED:
        return None
    return reverse("history", args=[code, meta.app_label, meta.model_name, record.pk])


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    history_id: int
    when: datetime.datetime
    who: str
    kind: str
    kind_label: str
    reason: str
    changes: list[Change]


def _tracked(historical_model: Any) -> list[models.Field]:
    return [f for f in historical_model.tracked_fields if f.name not in HIDDEN_FIELDS]


class Formatter:
    """Field values as people read them: choice labels, names of related records, 是/否."""

    def __init__(self, model: type[models.Model], rows: list, *, unmask: bool):
        self.model = model
        self.unmask = unmask
        self.names: dict[str, dict] = {}
        # One query per related model on the page, whatever the number of rows.
        for field in model._meta.concrete_fields:
            if field.is_relation and field.name not in HIDDEN_FIELDS:
                ids = {getattr(r, field.attname) for r in rows} - {None}
                related_model = field.related_model
                assert isinstance(related_model, type)  # resolved once the apps are loaded
                related = related_model._base_manager.in_bulk(ids) if ids else {}
                self.names[field.name] = {pk: str(obj) for pk, obj in related.items()}

    def field(self, name: str) -> models.Field:
        """A tracked field of the model (a column: never a reverse relation)."""
        return model_field(self.model, name)

    def label(self, name: str) -> str:
        return str(self.field(name).verbose_name)

    def value(self, name: str, value: object) -> str:
        field = self.field(name)
        if value is None or value == "":
            return "—"
        if name in MASKED_FIELDS and not self.unmask:
            return MASKED_FIELDS[name](str(value))
        if field.is_relation:
            return self.names.get(name, {}).get(value, f"#{value}")
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return f"{value:,f}"
        return str(value)


def _changes(row: Any, previous: Any, fields: list[models.Field], fmt: Formatter) -> list[Change]:
    names = [f.name for f in fields]
    if previous is None:
        # Created: every field that has a value.
        return [
            Change(fmt.label(n), "—", fmt.value(n, getattr(row, f.attname)))
            for n, f in zip(names, fields, strict=True)
            if getattr(row, f.attname) not in (None, "")
        ]
    # Like simple_history's diff_against, but over every tracked field: its model_to_dict
    # skips non-editable ones, and "deleted_at" (who deleted a money record) is one of them.
    changes = []
    for name, field in zip(names, fields, strict=True):
        old, new = getattr(previous, field.attname), getattr(row, field.attname)
        if old != new:
            changes.append(Change(fmt.label(name), fmt.value(name, old), fmt.value(name, new)))
    return changes


def entries(record: Any, rows: list[Any], previous_of_last: Any, *, unmask: bool) -> list[Entry]:
    """Readable entries for ``rows`` (newest first); ``previous_of_last`` is the row before the
    oldest of them (None if it is the first), so a page of history needs no query per row."""
    model = type(record)
    fields = _tracked(record.history.model)
    everything = [*rows, *([previous_of_last] if previous_of_last else [])]
    fmt = Formatter(model, everything, unmask=unmask)
    result = []
    for i, row in enumerate(rows):
        previous = rows[i + 1] if i + 1 < len(rows) else previous_of_last
        if row.history_type == "-":
            changes = []
        else:
            changes = _changes(row, previous if row.history_type != "+" else None, fields, fmt)
        user = row.history_user
        result.append(
            Entry(
                history_id=row.history_id,
                when=row.history_date,
                who=(user.get_full_name() or user.get_username()) if user else _("系统"),
                kind=row.history_type,
                kind_label=str(KIND_LABELS.get(row.history_type, row.history_type)),
                reason=row.history_change_reason or "",
                changes=changes,
            )
        )
    return result


def page_of_history(
    record: Any, page_number: int | str | None, *, unmask: bool, per_page: int
) -> tuple[Page, list[Entry]]:
    """A page of the record's history, newest first, in a constant number of queries."""
    queryset = record.history.select_related("history_user").order_by("-history_id")
    page = Paginator(queryset, per_page).get_page(page_number)
    rows = list(page.object_list)
    # The row just older than this page: what its oldest entry changed from.
    previous = queryset[page.end_index()] if page.has_next() else None
    return page, entries(record, rows, previous, unmask=unmask)


def latest_version(record: Any) -> int | None:
    """The id of the record's newest historical row: its version, for optimistic locking."""
    # Ids only grow, and saves of one record are serialized by its row lock (core.locking).
    return record.history.order_by("-history_id").values_list("history_id", flat=True).first()


def changes_since(record: Any, version: int, *, unmask: bool) -> list[Entry]:
    """What others saved after ``version`` (for the edit-conflict message), newest first."""
    queryset = record.history.select_related("history_user").order_by("-history_id")
    rows = list(queryset.filter(history_id__gt=version)[:20])
    base = queryset.filter(history_id=version).first()
    return entries(record, rows, base, unmask=unmask)
