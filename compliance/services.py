"""Writes of the compliance engine: local documents and standards, on-demand evaluation."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from compliance.engine import evaluate_communities, evaluate_jurisdictions, reevaluate_community
from compliance.models import PolicyDocument, Standard
from core import audit
from divisions.models import Community


@transaction.atomic
def document_create(*, actor, form) -> PolicyDocument:
    document = form.save(commit=False)
    document.tier = PolicyDocument.Tier.POLICY  # local documents never carry the force of law
    document.created_by = actor
    document.full_clean()
    document.save()
    return document


@transaction.atomic
def standard_create(*, actor, form) -> Standard:
    standard = form.save(commit=False)
    standard.created_by = actor
    standard.full_clean()
    standard.save()
    return standard


@transaction.atomic
def evaluate_jurisdiction(*, actor, code: str) -> int:
    """Re-evaluate every community under ``code`` as of today, and the aggregates there."""
    today = timezone.localdate()
    written = evaluate_communities(Community.objects.filter(code__startswith=code), today)
    evaluate_jurisdictions(code, today)
    return written


def assign(instance: models.Model, data: Mapping[str, Any], fields: Collection[str]) -> None:
    """Copy validated field values onto a record. ``fields`` are those a caller may set: any
    other name (the community, a computed flag) is a programming error, never saved."""
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(f"{type(instance).__name__} cannot be given {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)


@transaction.atomic
def record_save(*, actor, instance, community: Community):
    """Save any community-owned record (room, allocation, task…) and re-judge the community."""
    audit.save_as(instance, actor=actor)
    reevaluate_community(community)
    return instance


@transaction.atomic
def record_delete(*, actor, instance, community: Community, reason: str):
    """Delete a record softly (core.softdelete): it stays in the database with its history
    (who, when, why) and no list, total or compliance rule counts it any more."""
    instance.deleted_at = timezone.now()
    instance._change_reason = reason[:100]
    return record_save(actor=actor, instance=instance, community=community)
