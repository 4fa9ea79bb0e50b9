"""Demo meetings, disclosures and elections for the Zhuhai slice, so that the public board, the
election tab and the election rules show something."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from committees.models import Membership, Organization, Person
from core.dates import add_years
from demo.committees import _name
from divisions.models import Community
from elections.counting import Entry, compute_outcomes, election_rules
from elections.models import Election, ElectionCandidate
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
    populate_elections(communities, today)
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
        attended = rng.randint(entitled // 3, entitled)
        assembly = Meeting(
            community=community,
            kind=Meeting.Kind.REPRESENTATIVES,
            title="居民代表会议",
            date=today - datetime.timedelta(days=40),
            entitled=entitled,
            attended=attended,
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
        votes = rng.randint(attended // 3, attended)
        resolutions.append(
            Resolution(
                meeting=assembly,
                title="同意小区加装电梯方案",
                present=attended,
                votes_for=votes,
                votes_against=attended - votes,
                passed=votes * 2 > attended,
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
                published_on = today - datetime.timedelta(days=rng.randint(5, 150))
                disclosure = Disclosure(
                    community=community,
                    category=category,
                    title=title,
                    content=f"{title},请居民监督。",
                    published_on=published_on,
                    displayed_until=published_on + datetime.timedelta(days=30),
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
            assert notice.published_on is not None  # set above
            steps.append(
                MatterStep(matter=matter, step=key, date=notice.published_on, disclosure=notice)
            )
    MatterStep.objects.bulk_create(steps, batch_size=2000)
    return len(meetings)


# --- elections ----------------------------------------------------------------------------------

ELECTION_TERM = 7  # the 2021 round in Guangdong; the next is the 8th
NOMINATIONS = [
    ElectionCandidate.Nomination.VOTERS,
    ElectionCandidate.Nomination.VOTERS,
    ElectionCandidate.Nomination.ORGANIZATION,
    ElectionCandidate.Nomination.SELF,
]


def _ballots(rng: random.Random, electorate: int) -> tuple[int, int, int, int]:
    issued = int(electorate * rng.uniform(0.78, 0.96))
    cast = issued - rng.randint(0, max(1, issued // 50))
    invalid = rng.randint(0, max(1, cast // 60))
    return issued, cast, cast - invalid, invalid


def _plan(rng: random.Random, community: Community, day: datetime.date, members: list) -> dict:
    method = rng.choices(
        [Election.Method.DIRECT, Election.Method.HOUSEHOLD, Election.Method.GROUP_REPRESENTATIVE],
        weights=[72, 16, 12],
    )[0]
    registered = max(200, int((community.population or 2000) * rng.uniform(0.6, 0.8)))
    units = None
    if method == Election.Method.HOUSEHOLD:
        units = min(registered, int((community.households or 800) * rng.uniform(0.85, 1.0)))
    elif method == Election.Method.GROUP_REPRESENTATIVE:
        units = rng.randint(40, 120)
    electorate = units if units is not None else registered
    issued, cast, valid, invalid = _ballots(rng, electorate)
    positions = [m.position for m in members]
    return {
        "community": community,
        "kind": Election.Kind.GENERAL,
        "election_day": day,
        "method": method,
        # Now and then four representatives per group: N18-08a has something to find.
        "reps_per_group": (
            rng.choice([2, 3, 3, 3, 4]) if units and method != "household" else None
        ),
        "seats_director": positions.count(Membership.Position.DIRECTOR),
        "seats_deputy": positions.count(Membership.Position.DEPUTY_DIRECTOR),
        "seats_member": positions.count(Membership.Position.MEMBER),
        "election_committee_members": f"主任 {_person_name(rng)};委员 {_person_name(rng)}、"
        f"{_person_name(rng)}",
        # Mostly 20 days or more before; a few late lists for EL-list / N25-vl to find.
        "voter_list_published_on": day - datetime.timedelta(days=rng.choice([30, 25, 21, 20, 16])),
        "registered_voters": registered,
        "voting_units": units,
        "ballots_issued": issued,
        "ballots_cast": cast,
        "ballots_valid": valid,
        "ballots_invalid": invalid,
    }


def _person_name(rng: random.Random) -> str:
    return _name(rng)


def _candidates(
    rng: random.Random, election: Election, members: list, valid: int
) -> tuple[list[tuple], list[Person]]:
    """(membership or None, person, position, votes, rerun votes) for each candidate, and the new
    people standing without being elected. Shares keep every position's votes within what the
    valid ballots hold, the elected above half of those cast, the others well below."""
    rows, newcomers = [], []
    by_position: dict[str, list] = {}
    for m in members:
        by_position.setdefault(m.position, []).append(m)
    community = election.community
    rerun_member = None
    if len(by_position.get(Membership.Position.MEMBER, [])) >= 2 and rng.random() < 0.12:
        rerun_member = by_position[Membership.Position.MEMBER][-1]
    for position, elected in by_position.items():
        used: set[int] = set()
        for m in elected:
            share = rng.uniform(0.30, 0.45) if m is rerun_member else rng.uniform(0.55, 0.68)
            votes = int(valid * share)
            while votes in used:
                votes -= 1
            used.add(votes)
            rerun = int(valid * rng.uniform(0.5, 0.65)) if m is rerun_member else None
            rows.append((m, m.person, position, votes, rerun))
        # 差额: one more candidate than seats, except now and then (EL-cand to find).
        extra = 0 if rng.random() < 0.08 else min(len(elected), rng.choice([1, 1, 2]))
        for i in range(extra):
            person = Person(
                community=community,
                name=_person_name(rng),
                gender=rng.choice([Person.Gender.FEMALE, Person.Gender.MALE]),
                birth_date=datetime.date(rng.randint(1960, 1996), rng.randint(1, 12), 15),
                lives_in_community=True,
            )
            newcomers.append(person)
            rerun = None
            if rerun_member is not None and position == rerun_member.position and i == 0:
                rerun = int(valid * rng.uniform(0.1, 0.3))
            rows.append((None, person, position, int(valid * rng.uniform(0.05, 0.30)), rerun))
    return rows, newcomers


def populate_elections(communities: list[Community], today: datetime.date) -> int:
    """Certified general elections for the term the demo rosters started (2021), the next round
    certified in most communities whose term has ended, the rest overdue, and one election in
    progress in the demo committee's community. Deterministic per community code."""
    done = set(
        Election.objects.filter(community__in=communities).values_list("community_id", flat=True)
    )
    todo = [c for c in communities if c.pk not in done]
    members: dict[int, list[Membership]] = {}
    for m in (
        Membership.objects.filter(
            organization__community__in=todo,
            organization__kind=Organization.Kind.RESIDENTS_COMMITTEE,
            position__in=Membership.COMMITTEE_POSITIONS,
            end_date__isnull=True,
        )
        .select_related("person", "organization")
        .order_by("pk")
    ):
        members.setdefault(m.organization.community_id, []).append(m)
    in_progress = min((c.code for c in todo if c.code.startswith("440402001")), default=None)
    if not todo:
        return 0
    # The model rules in force for the 2021 round (EL-win, EL-rerun): nationwide, so the same
    # for every demo community; read once, cited with the results.
    rules = election_rules(todo[0].code, datetime.date(2021, 6, 1))
    made = 0
    for community in todo:
        current = members.get(community.pk, [])
        if not current or not any(m.position == Membership.Position.DIRECTOR for m in current):
            continue
        rng = random.Random(f"election-{community.code}")
        start = min(m.start_date for m in current)
        plan = _plan(rng, community, start, current)
        election = Election(term_number=ELECTION_TERM, **plan)
        # _plan records the ballots, within the electorate.
        assert election.ballots_valid is not None and election.electorate is not None
        rows, newcomers = _candidates(rng, election, current, election.ballots_valid)
        if any(r[4] is not None for r in rows):
            issued, cast, valid, invalid = _ballots(rng, election.electorate)
            election.rerun_day = start
            election.rerun_ballots_issued, election.rerun_ballots_cast = issued, cast
            election.rerun_ballots_valid, election.rerun_ballots_invalid = valid, invalid
            # Re-run shares were drawn against the first round's valid ballots: rescale.
            rows = [
                (
                    m,
                    p,
                    pos,
                    v,
                    None if r is None else min(valid, r * valid // plan["ballots_valid"]),
                )
                for m, p, pos, v, r in rows
            ]
        results = compute_outcomes(
            election.seats,
            [_entry(i, row) for i, row in enumerate(rows)],
            election.ballots_cast,
            election.rerun_ballots_cast,
            rules,
        )
        if sorted(
            i for i, o in results.outcomes.items() if o in ElectionCandidate.ELECTED_OUTCOMES
        ) != [i for i, row in enumerate(rows) if row[0] is not None]:
            continue  # the draw did not elect the roster exactly: leave this community out
        election.result_rule = rules.cite[:200]
        election.certified_on = start + datetime.timedelta(days=rng.randint(2, 10))
        election.term_starts_on = start
        election.term_ends_on = add_years(start, 5)
        election.save()
        Person.objects.bulk_create(newcomers)
        ElectionCandidate.objects.bulk_create(
            ElectionCandidate(
                election=election,
                person=person,
                position=position,
                nomination=rng.choice(NOMINATIONS),
                votes=votes,
                rerun_votes=rerun,
                outcome=results.outcomes[i],
                membership=membership,
            )
            for i, (membership, person, position, votes, rerun) in enumerate(rows)
        )
        made += 1
        ended = election.term_ends_on < today - datetime.timedelta(days=30)
        if community.code == in_progress:
            _election_in_progress(rng, community, election, current, today)
        elif ended and rng.random() < 0.7:
            _next_round(rng, community, election, current, today)
    return made


def _entry(key: int, row: tuple):
    _membership, _person, position, votes, rerun = row
    return Entry(key, position, votes, rerun)


def _next_round(
    rng: random.Random,
    community: Community,
    previous: Election,
    current: list[Membership],
    today: datetime.date,
) -> None:
    """The 8th round, held before the 7th term ended and certified: the committee re-elected
    (连选连任), the old memberships ended the day before, the new ones for five years."""
    assert previous.term_ends_on is not None  # certified general elections have a term
    day = min(previous.term_ends_on - datetime.timedelta(days=rng.randint(0, 40)), today)
    plan = _plan(rng, community, day, current)
    election = Election(
        term_number=ELECTION_TERM + 1,
        result_rule=previous.result_rule,
        certified_on=min(day + datetime.timedelta(days=rng.randint(2, 10)), today),
        term_starts_on=day,
        term_ends_on=add_years(day, 5),
        **plan,
    )
    election.save()
    valid = election.ballots_valid
    assert valid is not None  # _plan records the ballots
    candidates, fresh = [], []
    for i, m in enumerate(current):
        m.end_date = max(m.start_date, day - datetime.timedelta(days=1))
        m.end_reason = f"换届(第{ELECTION_TERM + 1}届选举)"
        fresh.append(
            Membership(
                person=m.person,
                organization=m.organization,
                position=m.position,
                start_date=day,
                term_ends_on=election.term_ends_on,
                full_time=m.full_time,
                source=Membership.Source.ELECTED,
            )
        )
        candidates.append((m.person, m.position, int(valid * (0.66 - 0.01 * i))))
    Membership.objects.bulk_update(current, ["end_date", "end_reason"])
    Membership.objects.bulk_create(fresh)
    rows = [
        ElectionCandidate(
            election=election,
            person=person,
            position=position,
            nomination=ElectionCandidate.Nomination.VOTERS,
            votes=votes,
            outcome=ElectionCandidate.Outcome.ELECTED,
            membership=membership,
        )
        for (person, position, votes), membership in zip(candidates, fresh, strict=True)
    ]
    # One defeated candidate per position keeps the election competitive.
    for position in {p for _person, p, _v in candidates}:
        person = Person.objects.create(
            community=community,
            name=_person_name(rng),
            gender=rng.choice([Person.Gender.FEMALE, Person.Gender.MALE]),
            birth_date=datetime.date(rng.randint(1965, 1998), rng.randint(1, 12), 10),
        )
        rows.append(
            ElectionCandidate(
                election=election,
                person=person,
                position=position,
                nomination=ElectionCandidate.Nomination.SELF,
                votes=int(valid * rng.uniform(0.02, 0.2)),
                outcome=ElectionCandidate.Outcome.NOT_ELECTED,
            )
        )
    ElectionCandidate.objects.bulk_create(rows)


def _election_in_progress(
    rng: random.Random,
    community: Community,
    previous: Election,
    current: list[Membership],
    today: datetime.date,
) -> None:
    """The demo committee's next election, under way: planned, voter list published, candidates
    registered and, once its day has passed, the ballots counted — the votes per candidate are
    left for the committee member to type in."""
    day = today - datetime.timedelta(days=2)
    assert previous.term_ends_on is not None  # certified
    if previous.term_ends_on > today:
        day = previous.term_ends_on - datetime.timedelta(days=5)
    plan = _plan(rng, community, day, current)
    if day > today:
        for name in ("ballots_issued", "ballots_cast", "ballots_valid", "ballots_invalid"):
            plan[name] = None
    plan["voter_list_published_on"] = min(day - datetime.timedelta(days=25), today)
    election = Election.objects.create(term_number=ELECTION_TERM + 1, **plan)
    rows = [
        ElectionCandidate(
            election=election,
            person=m.person,
            position=m.position,
            nomination=ElectionCandidate.Nomination.VOTERS,
        )
        for m in current
    ]
    for position in {m.position for m in current}:
        person = Person.objects.create(
            community=community,
            name=_person_name(rng),
            gender=Person.Gender.FEMALE,
            birth_date=datetime.date(1988, 6, 1),
            lives_in_community=True,
        )
        rows.append(
            ElectionCandidate(
                election=election,
                person=person,
                position=position,
                nomination=ElectionCandidate.Nomination.SELF,
            )
        )
    ElectionCandidate.objects.bulk_create(rows)
