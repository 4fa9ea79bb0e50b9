"""Soft deletion for records that must never disappear (money, election results).

A model inherits ``SoftDeletable``: deleting one is ``instance.deleted_at = now()`` plus a save
through the app's service (so the history records who, when and — as ``_change_reason`` — why),
e.g. ``funding.services.record_delete``. Register its history page in ``core.audit.AUDITED``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveManager(models.Manager):
    """Rows that are not deleted: what every list, total and compliance rule sees."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeletable(models.Model):
    """Money records are never erased: deleting one marks it, and its history stays readable.

    ``objects`` (the default manager, so also ``community.allocations``) leaves deleted rows
    out; ``all_objects`` keeps them, for the history page. Queries that reach these rows through
    a join (``person__pay__…``) must say ``deleted_at__isnull=True`` themselves.
    """

    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True, editable=False)

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012 — ruff takes a manager for a field

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
