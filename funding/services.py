"""Writes of funding records that are not tied to one community."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from compliance.engine import evaluate_communities
from core.models import User
from divisions.models import Community
from funding.models import WageBenchmark


@transaction.atomic
def benchmark_save(*, actor: User, benchmark: WageBenchmark) -> WageBenchmark:
    """Record a benchmark and re-judge the communities it covers (pay standards use it)."""
    benchmark.full_clean()
    benchmark.save()
    evaluate_communities(
        Community.objects.filter(code__startswith=benchmark.code), timezone.localdate()
    )
    return benchmark
