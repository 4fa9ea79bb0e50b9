"""Demo rooms for the Zhuhai slice: deterministic, and short of the standards in places."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from divisions.models import Community
from facilities.models import Facility

PLAN = [
    (Facility.Kind.OFFICE, "社区办公室", True, (60, 220)),
    (Facility.Kind.SERVICE_STATION, "社区公共服务站", True, (80, 400)),
    (Facility.Kind.CULTURE_SPORTS, "文体活动室", True, (40, 300)),
    (Facility.Kind.HEALTH, "卫生计生服务室", True, (20, 120)),
    (Facility.Kind.FAMILY_SERVICE, "家庭服务中心", True, (20, 150)),
    (Facility.Kind.STABILITY, "综治信访维稳工作站", True, (15, 60)),
    (Facility.Kind.LIBRARY, "社区图书室", True, (20, 80)),
    (Facility.Kind.SQUARE_PARK, "社区小广场", False, (150, 1500)),
]


def populate_facilities(communities: list[Community]) -> int:
    done = set(
        Facility.objects.filter(community__in=communities).values_list("community_id", flat=True)
    )
    rooms = []
    for community in communities:
        if community.pk in done:
            continue
        rng = random.Random(f"rooms-{community.code}")
        for kind, name, indoor, (low, high) in PLAN:
            if kind != Facility.Kind.OFFICE and rng.random() < 0.2:
                continue  # some communities lack one of the "six ones"
            tenure = rng.choice(
                [
                    Facility.Tenure.OWNED,
                    Facility.Tenure.ALLOCATED,
                    Facility.Tenure.RENTED,
                    Facility.Tenure.OWNED,
                ]
            )
            rooms.append(
                Facility(
                    community=community,
                    kind=kind,
                    name=name,
                    indoor=indoor,
                    area_m2=Decimal(rng.randint(low, high)),
                    tenure=tenure,
                    annual_rent=(
                        Decimal(rng.randint(20, 120) * 1000)
                        if tenure == Facility.Tenure.RENTED
                        else None
                    ),
                    in_use_since=datetime.date(rng.randint(2005, 2022), rng.randint(1, 12), 1),
                    shared_use=rng.random() < 0.3,
                )
            )
    Facility.objects.bulk_create(rooms, batch_size=2000)
    return len(rooms)
