"""Demo funds for the Zhuhai slice: a year of allocations and spending per community."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from divisions.models import Community
from funding.models import Allocation, AssignedTask, Expenditure


def populate_funds(communities: list[Community], year: int) -> int:
    done = set(
        Allocation.objects.filter(community__in=communities, year=year).values_list(
            "community_id", flat=True
        )
    )
    allocations, expenditures, tasks = [], [], []
    for community in communities:
        if community.pk in done:
            continue
        rng = random.Random(f"funds-{community.code}-{year}")
        households = community.households or 1000
        # Around the PRD floor of ¥60 per household, so that some fall short (GD-20b).
        total = Decimal(int(households * rng.uniform(35, 90) / 100) * 100)
        for source, share, month in (
            ("district_finance", Decimal("0.6"), 2),
            ("street_finance", Decimal("0.4"), 7),
        ):
            allocations.append(
                Allocation(
                    community=community,
                    year=year,
                    source=source,
                    amount=(total * share).quantize(Decimal("1")),
                    received_on=datetime.date(year, month, 10),
                )
            )
        for month in range(1, 11):
            for category in ("office", "activities", "phone_printing"):
                if rng.random() < 0.6:
                    expenditures.append(
                        Expenditure(
                            community=community,
                            year=year,
                            date=datetime.date(year, month, 15),
                            category=category,
                            amount=Decimal(rng.randint(200, 4000)),
                            description={
                                "office": "办公用品",
                                "activities": "社区活动",
                                "phone_printing": "宣传资料印刷",
                            }[category],
                            approved_by="居委会主任",
                        )
                    )
        if rng.random() < 0.5:
            approved = rng.random() < 0.6
            tasks.append(
                AssignedTask(
                    community=community,
                    department=rng.choice(["区卫健局", "区人社局", "区城管局"]),
                    title=rng.choice(["健康宣传入户", "就业信息采集", "垃圾分类督导"]),
                    assigned_on=datetime.date(year, rng.randint(1, 9), 1),
                    approved_by="街道办事处" if approved else "",
                    approved_on=datetime.date(year, 1, 1) if approved else None,
                    funding=Decimal(rng.randint(2, 20) * 1000) if rng.random() < 0.5 else None,
                )
            )
    Allocation.objects.bulk_create(allocations, batch_size=2000)
    Expenditure.objects.bulk_create(expenditures, batch_size=2000)
    AssignedTask.objects.bulk_create(tasks, batch_size=2000)
    return len(allocations)
