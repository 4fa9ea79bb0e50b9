"""Demo meetings and disclosures for the Zhuhai slice, so the public board shows something."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from committees.models import Community
from governance.models import (
    Covenant,
    Disclosure,
    FinanceLine,
    MajorMatter,
    MatterStep,
    Meeting,
    PublicService,
    Resolution,
)

SERVICES = [
    (
        "居住证申领",
        "居住证受理、发放",
        "申请→社区受理→派出所审核→领证",
        "身份证、居住登记凭证",
        "《居住证暂行条例》",
        "15 个工作日",
        "免费",
    ),
    (
        "高龄津贴申请",
        "80 周岁以上老人高龄津贴",
        "申请→社区初审→街道审核→区民政局审批",
        "身份证、户口簿、银行卡",
        "省高龄老人津贴制度",
        "20 个工作日",
        "免费",
    ),
    (
        "计划生育服务证明",
        "生育登记服务",
        "申请→社区受理→街道办理",
        "",
        "《广东省人口与计划生育条例》",
        "即时办结",
        "",
    ),
]


def populate_governance(communities: list[Community], today: datetime.date) -> int:
    done = set(
        Meeting.objects.filter(community__in=communities).values_list("community_id", flat=True)
    )
    meetings, resolutions, disclosures, lines = [], [], [], []
    matters, covenants, services = [], [], []
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
        # The lift went through “四议两公开”: the two earlier meetings, the assembly above.
        joint = Meeting(
            community=community,
            kind=Meeting.Kind.JOINT,
            title="“两委”联席会议",
            date=today - datetime.timedelta(days=60),
            entitled=9,
            attended=rng.randint(6, 9),
            agenda="商议小区加装电梯方案",
        )
        party = Meeting(
            community=community,
            kind=Meeting.Kind.PARTY_ASSEMBLY,
            title="党员大会",
            date=today - datetime.timedelta(days=50),
            entitled=rng.randint(30, 80),
            attended=30,
            agenda="审议小区加装电梯方案",
        )
        meetings += [joint, party]
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
        # How far the lift got: some communities stall after the resolution (overdue).
        reached = rng.choice([4, 5, 6, 6, 6]) if resolutions[-1].passed else 5
        published = []
        for step, title, days in (
            (5, "关于小区加装电梯的决议公告", 35),
            (6, "小区加装电梯实施结果公告", 10),
        ):
            if step <= reached:
                notice = Disclosure(
                    community=community,
                    category="residents",
                    title=title,
                    content=f"{title}。",
                    published_on=today - datetime.timedelta(days=days),
                    displayed_until=today + datetime.timedelta(days=20),
                )
                disclosures.append(notice)
                published.append(notice)
        matters.append((community, joint, party, resolutions[-1], published))
        if rng.random() < 0.7:
            adopted = today - datetime.timedelta(days=rng.randint(200, 900))
            filed = rng.random() < 0.8
            covenants.append(
                Covenant(
                    community=community,
                    title="居民公约",
                    text="爱护公共设施,维护环境卫生;邻里互助,文明相处;遵纪守法,移风易俗。",
                    adopted_on=adopted,
                    filed_on=adopted + datetime.timedelta(days=15) if filed else None,
                    filed_with=f"{community.street.name}" if filed else "",
                )
            )
        for row in SERVICES[: rng.randint(0, len(SERVICES))]:
            name, *items = row
            services.append(
                PublicService(
                    community=community,
                    name=name,
                    **dict(zip(PublicService.SIX, items, strict=True)),
                    published_on=today - datetime.timedelta(days=rng.randint(30, 300)),
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
    Covenant.objects.bulk_create(covenants, batch_size=2000)
    PublicService.objects.bulk_create(services, batch_size=2000)
    records = MajorMatter.objects.bulk_create(
        [
            MajorMatter(community=c, title="小区加装电梯", description="加装电梯及费用分摊方案。")
            for c, *_ in matters
        ],
        batch_size=2000,
    )
    steps = []
    for matter, (_community, joint, party, resolution, published) in zip(
        records, matters, strict=True
    ):
        steps += [
            MatterStep(
                matter=matter,
                step="proposal",
                date=joint.date - datetime.timedelta(days=10),
                note="社区党组织提议讨论加装电梯。",
            ),
            MatterStep(matter=matter, step="joint_meeting", date=joint.date, meeting=joint),
            MatterStep(matter=matter, step="party_assembly", date=party.date, meeting=party),
            MatterStep(
                matter=matter,
                step="residents_resolution",
                date=resolution.meeting.date,
                meeting=resolution.meeting,
                resolution=resolution,
            ),
        ]
        for key, notice in zip(
            ("resolution_published", "result_published"), published, strict=False
        ):
            steps.append(
                MatterStep(matter=matter, step=key, date=notice.published_on, disclosure=notice)
            )
    MatterStep.objects.bulk_create(steps, batch_size=2000)
    return len(meetings)
