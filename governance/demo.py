"""Demo meetings and disclosures for the Zhuhai slice, so the public board shows something."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from committees.models import Community
from governance.models import Disclosure, FinanceLine, Meeting, Resolution


def populate_governance(communities: list[Community], today: datetime.date) -> int:
    done = set(
        Meeting.objects.filter(community__in=communities).values_list("community_id", flat=True)
    )
    meetings, resolutions, disclosures, lines = [], [], [], []
    for community in communities:
        if community.pk in done:
            continue
        rng = random.Random(f"governance-{community.code}")
        for months_ago in range(0, 6):
            day = today.replace(day=1) - datetime.timedelta(days=30 * months_ago)
            if rng.random() < 0.8:
                meetings.append(
                    Meeting(
                        community=community,
                        kind=Meeting.Kind.COUNCIL,
                        title=f"{day.month}月居民议事协调会",
                        date=day,
                        entitled=11,
                        attended=rng.randint(5, 11),
                    )
                )
        entitled = rng.randint(40, 90)
        assembly = Meeting(
            community=community,
            kind=Meeting.Kind.REPRESENTATIVES,
            title="居民代表会议",
            date=today - datetime.timedelta(days=40),
            entitled=entitled,
            attended=rng.randint(entitled // 3, entitled),
            agenda="小区加装电梯方案",
        )
        meetings.append(assembly)
        votes = rng.randint(assembly.attended // 3, assembly.attended)
        resolutions.append(
            Resolution(
                meeting=assembly,
                title="同意小区加装电梯方案",
                present=assembly.attended,
                votes_for=votes,
                votes_against=assembly.attended - votes,
                passed=votes * 2 > assembly.attended,
                rule="赞成票超过到会人数的 1/2(N18-09)",
                published=True,
            )
        )
        for category, title in (
            ("party", "党费收缴使用情况"),
            ("residents", "居务工作安排"),
            ("finance", "社区工作经费收支情况"),
        ):
            if rng.random() < 0.75:
                published = today - datetime.timedelta(days=rng.randint(5, 150))
                disclosure = Disclosure(
                    community=community,
                    category=category,
                    title=title,
                    content=f"{title},请居民监督。",
                    published_on=published,
                    displayed_until=published + datetime.timedelta(days=30),
                )
                disclosures.append(disclosure)
                if category == "finance":
                    lines += [
                        (
                            disclosure,
                            "income",
                            "街道拨付工作经费",
                            Decimal(rng.randint(50, 150) * 1000),
                        ),
                        (
                            disclosure,
                            "spending",
                            "办公及活动支出",
                            Decimal(rng.randint(20, 60) * 1000),
                        ),
                    ]
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    Resolution.objects.bulk_create(resolutions, batch_size=2000)
    Disclosure.objects.bulk_create(disclosures, batch_size=2000)
    FinanceLine.objects.bulk_create(
        [FinanceLine(disclosure=d, direction=k, item=i, amount=a) for d, k, i, a in lines],
        batch_size=2000,
    )
    return len(meetings)
