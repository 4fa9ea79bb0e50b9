"""prune_findings: intervals that ended long ago go, current verdicts stay."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from compliance.engine import evaluate_communities
from compliance.models import Finding
from divisions.models import Community

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_households_rule")]


def test_it_keeps_everything_by_default_and_prunes_old_intervals_when_asked(zhuhai, settings):
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=6 * 366)
    communities = Community.objects.order_by("code")[:3]
    chosen = Community.objects.filter(pk__in=[c.pk for c in communities])
    chosen.update(households=2000)
    evaluate_communities(chosen, long_ago)
    chosen.update(households=100)
    evaluate_communities(chosen, long_ago + datetime.timedelta(days=30))
    evaluate_communities(chosen, today - datetime.timedelta(days=30))
    total = Finding.objects.count()
    ended_long_ago = Finding.objects.filter(valid_to__lt=today - datetime.timedelta(days=5 * 365))
    assert ended_long_ago.exists()

    call_command("prune_findings", stdout=StringIO())
    assert Finding.objects.count() == total

    settings.FINDINGS_RETENTION_YEARS = 5
    out = StringIO()
    call_command("prune_findings", stdout=out)
    assert not ended_long_ago.exists()
    assert Finding.objects.filter(is_current=True).count() > 0
    assert Finding.objects.count() < total
    assert "Deleted" in out.getvalue()
