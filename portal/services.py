"""Writes of the compliance engine: local documents and standards, on-demand evaluation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from committees.models import Community
from portal.compliance import evaluate_communities, evaluate_jurisdictions
from portal.models import PolicyDocument, Standard


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
