"""Writes of funding records: benchmarks, and deleting money records (softly)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from committees.models import Community
from committees.services import record_save
from funding.models import SoftDeletable, WageBenchmark
from portal.compliance import evaluate_communities


@transaction.atomic
def benchmark_save(*, actor, benchmark: WageBenchmark) -> WageBenchmark:
    """Record a benchmark and re-judge the communities it covers (pay standards use it)."""
    benchmark.full_clean()
    benchmark.save()
    evaluate_communities(
        Community.objects.filter(code__startswith=benchmark.code), timezone.localdate()
    )
    return benchmark


@transaction.atomic
def record_delete(
    *, actor, instance: SoftDeletable, community: Community, reason: str
) -> SoftDeletable:
    """Mark a money record deleted: it stays in the database and in its history (who, when,
    why), and no list, total or compliance rule counts it any more."""
    instance.deleted_at = timezone.now()
    instance._change_reason = reason[:100]
    return record_save(actor=actor, instance=instance, community=community)
