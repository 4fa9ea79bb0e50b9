"""Writes of the compliance engine: local documents and standards, on-demand evaluation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from compliance.engine import evaluate_communities, evaluate_jurisdictions, reevaluate_community
from compliance.models import PolicyDocument, Standard
from core import audit
from core.models import User
from divisions.models import Community


@transaction.atomic
def document_create(*, actor: User, form) -> PolicyDocument:
    document = form.save(commit=False)
    document.tier = PolicyDocument.Tier.POLICY  # local documents never carry the force of law
    document.created_by = actor
    document.full_clean()
    document.save()
    return document


@transaction.atomic
def standard_create(*, actor: User, form) -> Standard:
    standard = form.save(commit=False)
    standard.created_by = actor
    standard.full_clean()
    standard.save()
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
def record_delete(*, actor: User, instance, community: Community, reason: str):
    """Delete a record softly (core.softdelete): it stays in the database with its history
    (who, when, why) and no list, total or compliance rule counts it any more."""
    instance.deleted_at = timezone.now()
    instance._change_reason = reason[:100]
    return record_save(actor=actor, instance=instance, community=community)
