"""Plausible, deterministic demo values for the Zhuhai slice shipped with the portal."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from committees.models import Membership, Organization, Person, Training
from divisions.imports import import_divisions
from divisions.models import Community

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
    populate_rosters(list(Community.objects.filter(code__startswith="4404")), datetime.date.today())
    return len(blank)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅琳建国志文海燕晓"
SUBKINDS = [
    Organization.Subkind.MEDIATION,
    Organization.Subkind.SECURITY,
    Organization.Subkind.PUBLIC_HEALTH,
    Organization.Subkind.PUBLIC_WELFARE,
    Organization.Subkind.FAMILY_PLANNING,
    Organization.Subkind.CULTURE_SPORTS,
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def populate_rosters(communities: list[Community], today: datetime.date) -> int:
    """Organizations, people, memberships and training for communities that have none yet.

    Deterministic per community code, and deliberately imperfect: committees of 3 to 11,
    missing subcommittees, overdue training, so that every committee standard has failures.
    """
    existing = set(
        Organization.objects.filter(community__in=communities).values_list(
            "community_id", flat=True
        )
    )
    todo = [c for c in communities if c.pk not in existing]
    organizations, people, plans = [], [], []
    for community in todo:
        rng = random.Random(f"roster-{community.code}")
        term_start = datetime.date(2021, rng.randint(3, 6), rng.randint(1, 28))
        committee = Organization(
            community=community,
            kind=Organization.Kind.RESIDENTS_COMMITTEE,
            name=community.name,
            established_on=community.established_on,
        )
        members = max(0, int(rng.gauss(7, 1.8)))
        party_size = rng.randint(15, 140)
        party_kind = (
            Organization.Kind.PARTY_GENERAL_BRANCH
            if party_size > 50
            else Organization.Kind.PARTY_BRANCH
        )
        if rng.random() < 0.15:  # a share of party organizations of the wrong kind (BY-02)
            party_kind = (
                Organization.Kind.PARTY_BRANCH
                if party_kind != Organization.Kind.PARTY_BRANCH
                else Organization.Kind.PARTY_GENERAL_BRANCH
            )
        party = Organization(
            community=community,
            kind=party_kind,
            name=community.name.replace("居民委员会", "") + "党组织",
            party_member_count=party_size,
        )
        orgs = [committee, party]
        for subkind in SUBKINDS:
            if rng.random() < 0.8:
                orgs.append(
                    Organization(
                        community=community,
                        kind=Organization.Kind.SUBCOMMITTEE,
                        subkind=subkind,
                        name=str(Organization.Subkind(subkind).label),
                    )
                )
        if rng.random() < 0.85:
            orgs.append(
                Organization(
                    community=community,
                    kind=Organization.Kind.SERVICE_STATION,
                    name=community.name.replace("居民委员会", "") + "公共服务站",
                )
            )
        organizations += orgs
        staff = rng.randint(2, 12)
        for i in range(members + staff):
            person = Person(
                community=community,
                name=_name(rng),
                gender=rng.choice([Person.Gender.FEMALE, Person.Gender.MALE]),
                birth_date=datetime.date(
                    rng.randint(1962, 1998), rng.randint(1, 12), rng.randint(1, 28)
                ),
                political_status=rng.choice(
                    [Person.Political.PARTY_MEMBER] * 3 + [Person.Political.MASSES]
                ),
                education=rng.choice(list(Person.Education)[2:]),
                phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                lives_in_community=rng.random() < 0.65,
                registered_in_community=rng.random() < 0.4,
                ethnicity="汉族" if rng.random() < 0.95 else "壮族",
            )
            people.append(person)
            if i < members:
                position = (
                    Membership.Position.DIRECTOR
                    if i == 0
                    else Membership.Position.DEPUTY_DIRECTOR
                    if i <= 2
                    else Membership.Position.MEMBER
                )
                plans.append((person, committee, position, term_start, i == 0))
            else:
                station = next(
                    (o for o in orgs if o.kind == Organization.Kind.SERVICE_STATION), committee
                )
                plans.append((person, station, Membership.Position.STAFF, term_start, True))
    Organization.objects.bulk_create(organizations, batch_size=2000)
    Person.objects.bulk_create(people, batch_size=2000)
    memberships, trainings = [], []
    for person, organization, position, start, full_time in plans:
        rng = random.Random(f"member-{organization.community.code}-{person.name}")
        elected = position != Membership.Position.STAFF
        memberships.append(
            Membership(
                person=person,
                organization=organization,
                position=position,
                start_date=start,
                term_ends_on=start.replace(year=start.year + 5) if elected else None,
                full_time=full_time or rng.random() < 0.5,
                source=Membership.Source.ELECTED if elected else Membership.Source.RECRUITED,
            )
        )
        if rng.random() < 0.7:
            trainings.append(
                Training(
                    person=person,
                    course="社区工作业务培训",
                    date=today - datetime.timedelta(days=rng.randint(20, 900)),
                    hours=Decimal(rng.choice([4, 8, 16])),
                    organizer="区民政局",
                )
            )
    Membership.objects.bulk_create(memberships, batch_size=2000)
    Training.objects.bulk_create(trainings, batch_size=2000)
    return len(todo)
