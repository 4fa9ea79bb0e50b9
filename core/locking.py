"""Optimistic locking for every edit form: the second of two overlapping edits is refused.

A record's version is the id of its newest historical row (django-simple-history writes one on
every save), so no model needs a version column. The edit page sends the version it showed in a
hidden field; on save the record's row is locked (``SELECT … FOR UPDATE``) and its version read
again: if someone saved in between, nothing is written and the user is shown what changed, with a
link to the record's history. The lock makes check-and-save one step when two saves race.

Forms of new records have nothing to compare. A request without the field (a script, not the
portal's own forms) is not checked.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from core import audit

FIELD = "_version"


def version_of(record: models.Model | None, children: models.QuerySet | None = None) -> str | None:
    """The record's version; 0 for a record saved before it had any history (bulk imports).

    ``children`` (the historical rows of records edited together with it, e.g. a disclosure's
    finance lines) join the version as ``<record>.<newest child row>``: adding, changing or
    deleting any of them changes it too.
    """
    if record is None or record.pk is None or not hasattr(record, "history"):
        return None
    version = str(audit.latest_version(record) or 0)
    if children is not None:
        newest = children.order_by("-history_id").values_list("history_id", flat=True).first()
        version += f".{newest or 0}"
    return version


def base_of(submitted: str | None) -> int | None:
    """The record's own history id within a submitted version (None if absent or tampered)."""
    try:
        return int(str(submitted).split(".", 1)[0])
    except (TypeError, ValueError):
        return None


class EditConflict(Exception):
    """Someone saved the record after the version the user's form was based on."""

    def __init__(self, record: models.Model, submitted: int | None, current: str):
        super().__init__(f"{record._meta.label} {record.pk}: version {submitted} < {current}")
        self.record, self.submitted, self.current = record, submitted, current

    @property
    def message(self) -> str:
        return _(
            "保存未成功:在您打开此页面之后,这条记录已被他人修改。为避免覆盖对方的修改,"
            "您填写的内容尚未保存。请先核对对方的修改;确认仍要以您填写的内容为准,请再次点击“保存”。"
        )


def ensure_current(
    record: models.Model | None,
    submitted: str | None,
    children: models.QuerySet | None = None,
) -> None:
    """Lock the record's row, then refuse (EditConflict) if it changed since ``submitted``.

    Call inside the transaction that saves the record, so the lock lasts until the save commits.
    """
    if record is None or record.pk is None or not hasattr(record, "history"):
        return
    if submitted is None or submitted == "":
        return
    # The row lock serializes concurrent saves of this record (a no-op on SQLite, whose writers
    # are serialized anyway). Only this row: a default ordering by a foreign key would join, and
    # lock, the community row too (scripts/load found the deadlock that made).
    rows = type(record)._base_manager.filter(pk=record.pk).order_by()
    list(rows.select_for_update(of=("self",)).values_list("pk"))
    current = version_of(record, children) or "0"
    # A tampered value never equals the current version: safer to treat as stale.
    if str(submitted).strip() != current:
        raise EditConflict(record, base_of(submitted), current)
