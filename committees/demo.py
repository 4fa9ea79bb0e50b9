"""Plausible, deterministic demo values for the Zhuhai slice shipped with the portal."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from committees.imports import import_divisions
from committees.models import Community

ZHUHAI_DIR = Path(__file__).resolve().parent / "fixtures" / "divisions_zhuhai"


def _profile(code: str) -> dict:
    rng = random.Random(code)  # the same community gets the same values on every machine
    # Community size in the source documents ranges from under 100 to over 9,000 households.
    households = max(80, min(9500, int(rng.lognormvariate(7.75, 0.55))))
    kind = rng.choices(
        list(Community.Kind),
        weights=[70, 15, 5, 10],
    )[0]
    profile = {
        "households": households,
        "population": int(households * rng.uniform(2.3, 3.2)),
        "kind": kind,
        "established_on": datetime.date(rng.randint(1985, 2022), rng.randint(1, 12), 1),
        "multi_ethnic": rng.random() < 0.05,
    }
    if kind == Community.Kind.NEW_RESIDENTIAL:
        profile["occupancy_rate"] = Decimal(rng.randint(25, 98)) / 100
    return profile


@transaction.atomic
def load_zhuhai() -> int:
    """Import the slice and fill in profiles the user has not recorded yet. Safe to re-run."""
    import_divisions(ZHUHAI_DIR)
    blank = list(Community.objects.filter(code__startswith="4404", households__isnull=True))
    for community in blank:
        for field, value in _profile(community.code).items():
            setattr(community, field, value)
    Community.objects.bulk_update(
        blank,
        ["households", "population", "kind", "established_on", "multi_ethnic", "occupancy_rate"],
    )
    return len(blank)
