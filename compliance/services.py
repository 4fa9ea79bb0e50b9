"""Writes of the compliance engine: local documents and standards, on-demand evaluation; and
the save every community record goes through (validated, who did it, the community re-judged).

Views pass validated field values, never a form."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from compliance.engine import evaluate_communities, evaluate_jurisdictions, reevaluate_community
from compliance.models import PolicyDocument, Standard
from compliance.rules import registry
from core import audit
from core.models import User
from divisions.models import Community

Record = TypeVar("Record", bound=models.Model)


def assign(instance: models.Model, data: Mapping[str, Any], fields: Collection[str]) -> None:
    """Copy validated field values onto a record. ``fields`` are those a caller may set: any
    other name (the community, a computed flag) is a programming error, never saved."""
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(f"{type(instance).__name__} cannot be given {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)


# What a bureau may set on a local document and a local standard.
DOCUMENT_FIELDS = (
    "key",
    "title",
    "issuer",
    "number",
    "issued_on",
    "effective_from",
    "effective_to",
    "status",
    "scope_prefixes",
    "source",
)
STANDARD_FIELDS = (
    "code",
    "document",
    "article",
    "title",
    "quote",
    "rule_key",
    "params",
    "scope_prefixes",
    "effective_from",
    "effective_to",
    "is_default",
)


@transaction.atomic
def document_create(*, actor: User, data: Mapping[str, Any]) -> PolicyDocument:
    """Record a local policy document; local documents never carry the force of law."""
    document = PolicyDocument(tier=PolicyDocument.Tier.POLICY, created_by=actor)
    assign(document, data, DOCUMENT_FIELDS)
    audit.save_as(document, actor=actor)
    return document


@transaction.atomic
def standard_create(*, actor: User, data: Mapping[str, Any]) -> Standard:
    """Record a local standard; it is judged from the next evaluation on."""
    standard = Standard(created_by=actor)
    assign(standard, data, STANDARD_FIELDS)
    # The level follows from the rule: nobody chooses it.
    rule = registry.get(standard.rule_key)
    standard.level = rule.level if rule else Standard.Level.COMMUNITY
    audit.save_as(standard, actor=actor)
    return standard


@transaction.atomic
def evaluate_jurisdiction(*, actor: User, code: str) -> int:
    """Re-evaluate every community under ``code`` as of today, and the aggregates there."""
    today = timezone.localdate()
    written = evaluate_communities(Community.objects.filter(code__startswith=code), today)
    evaluate_jurisdictions(code, today)
    return written


@transaction.atomic
def record_save(*, actor: User, instance, community: Community):
    """Save any community-owned record (room, allocation, task…) and re-judge the community."""
    audit.save_as(instance, actor=actor)
    reevaluate_community(community)
    return instance


@transaction.atomic
def community_record_save(
    *,
    actor: User,
    community: Community,
    record: Record,
    data: Mapping[str, Any],
    fields: Collection[str],
) -> Record:
    """Give a record of ``community`` (one with a ``community`` field) the validated values of
    ``fields`` and save it as ``record_save`` does."""
    if getattr(record, "community_id", None) != community.pk:
        raise ValueError(f"{type(record).__name__} {record.pk} belongs to another community")
    assign(record, data, fields)
    record_save(actor=actor, instance=record, community=community)
    return record


@transaction.atomic
def record_delete(*, actor, instance, community: Community, reason: str):
    """Delete a record softly (core.softdelete): it stays in the database with its history
    (who, when, why) and no list, total or compliance rule counts it any more."""
    instance.deleted_at = timezone.now()
    instance._change_reason = reason[:100]
    return record_save(actor=actor, instance=instance, community=community)
