"""The synthetic data generator: deterministic, plausible, and failing each standard in part."""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from committees.models import Membership, Organization, Person, Training
from compliance.engine import evaluate_communities
from compliance.models import Finding, Status
from demo.generate import Builder, generate, profile, tables
from divisions.models import Community
from elections.counting import ElectionRules, Entry, compute_outcomes
from elections.models import Election, ElectionCandidate
from facilities.models import Facility
from funding.models import Allocation, AssignedTask, Expenditure, StaffPay
from governance.models import (
    Attendance,
    Covenant,
    Disclosure,
    FinanceLine,
    MajorMatter,
    MatterStep,
    Meeting,
    PublicService,
    Resolution,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)
GENERATED = (
    Organization,
    Person,
    Membership,
    Training,
    Meeting,
    Resolution,
    Disclosure,
    FinanceLine,
    Allocation,
    Expenditure,
    StaffPay,
    AssignedTask,
    Facility,
    Election,
    ElectionCandidate,
    Covenant,
    PublicService,
    MajorMatter,
    MatterStep,
    Attendance,
)
# Who is elected is computed by the portal with the threshold itself (EL-win): it cannot fail.
NEVER_FAILING = {"EL-win"}


def signature() -> dict:
    """What was generated, by natural keys (ids depend on what the database held before)."""
    return {
        "profiles": list(
            Community.objects.order_by("code").values_list(
                "code", "households", "population", "kind", "multi_ethnic", "occupancy_rate"
            )
        ),
        "people": sorted(
            Person.objects.values_list(
                "community__code", "name", "gender", "birth_date", "ethnicity", "phone"
            )
        ),
        "memberships": sorted(
            Membership.objects.values_list(
                "organization__community__code",
                "organization__kind",
                "organization__name",
                "person__name",
                "position",
                "start_date",
                "full_time",
            )
        ),
        "trainings": sorted(Training.objects.values_list("person__phone", "date", "hours")),
        "meetings": sorted(
            Meeting.objects.values_list("community__code", "kind", "date", "entitled", "attended")
        ),
        "disclosures": sorted(
            Disclosure.objects.values_list("community__code", "category", "published_on")
        ),
        "money": sorted(
            Allocation.objects.values_list("community__code", "year", "source", "amount")
        ),
        "pay": sorted(StaffPay.objects.values_list("person__phone", "year", "annual_pay")),
        "rooms": sorted(Facility.objects.values_list("community__code", "kind", "area_m2")),
        "elections": sorted(
            Election.objects.values_list(
                "community__code",
                "term_number",
                "election_day",
                "method",
                "ballots_cast",
                "certified_on",
            ),
            key=repr,
        ),
        "candidates": sorted(
            ElectionCandidate.objects.values_list(
                "election__community__code", "person__phone", "position", "votes", "outcome"
            ),
            key=repr,
        ),
        "matters": sorted(
            MatterStep.objects.values_list(
                "matter__community__code", "matter__title", "step", "date"
            )
        ),
        "covenants": sorted(
            Covenant.objects.values_list("community__code", "adopted_on", "filed_on"), key=repr
        ),
        "services": sorted(PublicService.objects.values_list("community__code", "name", "fees")),
        "attendance": Attendance.objects.count(),
    }


def wipe() -> None:
    for model in reversed(GENERATED):
        model.objects.all()._raw_delete(model.objects.db)  # no signals, no history rows
    Community.objects.update(households=None)


def test_it_is_deterministic_for_a_seed(zhuhai):
    Community.objects.update(households=None)
    generate(Community.objects.all(), seed=7, today=TODAY, batch=50)
    first = signature()
    wipe()
    generate(Community.objects.all(), seed=7, today=TODAY, batch=200)
    assert signature() == first
    wipe()
    generate(Community.objects.all(), seed=8, today=TODAY)
    assert signature() != first


def test_a_second_run_adds_nothing_and_recorded_profiles_are_kept(zhuhai):
    # The zhuhai fixture recorded 1,000 households everywhere: the generator keeps them.
    counts = generate(Community.objects.all(), seed=1, today=TODAY)
    assert counts["community"] == 213 and counts["profile"] == 0
    assert set(Community.objects.values_list("households", flat=True)) == {1000}
    before = {model: model.objects.count() for model in GENERATED}
    again = generate(Community.objects.all(), seed=1, today=TODAY)
    assert again["community"] == 0
    assert {model: model.objects.count() for model in GENERATED} == before
    # Ids were handed out by the generator: the database's next ones must not collide.
    Person.objects.create(community=Community.objects.first(), name="新人", gender="female")


def test_ids_handed_out_skip_those_of_deleted_money_records(zhuhai):
    """Soft-deleted rows keep their ids: the next run must not hand the highest one out again."""
    codes = sorted(Community.objects.values_list("code", flat=True))
    generate(Community.objects.filter(code__in=codes[:5]), seed=1, today=TODAY)
    Allocation.objects.filter(pk=Allocation.objects.order_by("-pk")[0].pk).update(
        deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    generate(Community.objects.filter(code__in=codes[5:10]), seed=1, today=TODAY)
    assert Allocation.all_objects.filter(community__code__in=codes[5:10]).exists()


def test_households_spread_from_under_100_to_over_9000():
    draws = [profile(random.Random(i), f"4404020010{i:02d}", TODAY) for i in range(4000)]
    households = [d["households"] for d in draws]
    assert min(households) < 100 and max(households) > 9000
    kinds = Counter(d["kind"] for d in draws)
    assert kinds[Community.Kind.URBAN] > kinds[Community.Kind.NEW_RESIDENTIAL] > 0
    new = [d for d in draws if d["kind"] == Community.Kind.NEW_RESIDENTIAL]
    assert all(d["occupancy_rate"] is not None and d["residents_moved_in_on"] for d in new)


@pytest.fixture
def generated(zhuhai):
    Community.objects.update(households=None)
    generate(Community.objects.all(), seed=1, today=TODAY)


def test_committees_have_3_to_11_members_and_some_break_the_5_to_9_rule(generated):
    sizes = list(
        Organization.objects.filter(kind=Organization.Kind.RESIDENTS_COMMITTEE)
        .annotate(
            n=Count(
                "memberships",
                filter=Q(memberships__position__in=Membership.COMMITTEE_POSITIONS),
            )
        )
        .values_list("n", flat=True)
    )
    assert len(sizes) > 150
    assert min(sizes) >= 3 and max(sizes) <= 11
    outside = [n for n in sizes if not 5 <= n <= 9]
    assert 0 < len(outside) < len(sizes) * 0.3


def test_every_community_gets_a_year_of_records(generated):
    today = TODAY
    year_ago = today - datetime.timedelta(days=365)
    for model, field in (
        (Meeting, "community"),
        (Disclosure, "community"),
        (Facility, "community"),
        (Allocation, "community"),
        (Expenditure, "community"),
    ):
        assert model.objects.values(field).distinct().count() == 213, model
    assert Meeting.objects.filter(date__lt=year_ago).exists()
    assert not Meeting.objects.filter(date__gt=today).exists()
    assert Disclosure.objects.filter(published_on__lt=year_ago).exists()
    assert Resolution.objects.exists() and FinanceLine.objects.exists()
    assert StaffPay.objects.exists() and AssignedTask.objects.exists()
    parties = Organization.objects.filter(kind__in=Organization.PARTY_KINDS)
    assert parties.values("community").distinct().count() == 213
    staff = Membership.objects.filter(position=Membership.Position.STAFF, full_time=True)
    assert staff.values("organization__community").distinct().count() > 100


def test_a_realistic_share_of_communities_fails_each_standard(generated):
    """Every standard that applies in Zhuhai has communities passing and communities failing,
    and no standard is failed by nearly everyone (the dashboards mean something)."""
    evaluate_communities(Community.objects.all(), TODAY)
    shares: dict[str, Counter] = defaultdict(Counter)
    for code, status in Finding.objects.values_list("standard__code", "status"):
        shares[code][status] += 1
    judged = {
        code: c for code, c in shares.items() if c[Status.COMPLIANT] + c[Status.NON_COMPLIANT] >= 20
    }
    assert len(judged) >= 15
    for code, counts in judged.items():
        total = counts[Status.COMPLIANT] + counts[Status.NON_COMPLIANT] + counts[Status.NO_DATA]
        failing = counts[Status.NON_COMPLIANT] / total
        if code not in NEVER_FAILING:
            assert 0.01 <= failing <= 0.8, (code, counts)
        assert counts[Status.COMPLIANT] / total >= 0.2, (code, counts)
    failing_communities = (
        Finding.objects.filter(status=Status.NON_COMPLIANT).values("community").distinct().count()
    )
    assert 0.5 * 213 < failing_communities < 213  # most fail something, not all


def test_the_command_imports_the_zhuhai_slice_and_evaluates(db, capsys):
    call_command(
        "generate_demo_data",
        "--scale",
        "demo",
        "--today",
        TODAY.isoformat(),
        "--evaluate",
        "--no-progress",
    )
    out = capsys.readouterr().out
    assert Community.objects.filter(code__startswith="440402").count() == 157
    assert Organization.objects.values("community").distinct().count() == 157
    assert not Organization.objects.exclude(community__code__startswith="440402").exists()
    assert Finding.objects.exists()
    assert "合规评估" in out


def test_every_community_has_an_election_and_its_committee_was_elected_in_it(generated):
    """The current committee came out of a certified general election held the day its term
    started, with results as the portal computes them, and the elected linked to their seats."""
    assert Election.objects.values("community").distinct().count() == 213
    committees = Organization.objects.filter(kind=Organization.Kind.RESIDENTS_COMMITTEE)
    seated: dict[int, dict[int, tuple]] = defaultdict(dict)
    for pk, community, person, position, start, ends in Membership.objects.filter(
        organization__in=committees, position__in=Membership.COMMITTEE_POSITIONS
    ).values_list(
        "pk", "organization__community", "person", "position", "start_date", "term_ends_on"
    ):
        seated[community][pk] = (person, position, start, ends)
    certified = Election.objects.filter(certified_on__isnull=False, kind=Election.Kind.GENERAL)
    assert set(certified.values_list("community", flat=True)) == set(seated)
    candidates: dict[int, list[ElectionCandidate]] = defaultdict(list)
    for c in ElectionCandidate.objects.filter(election__in=certified):
        candidates[c.election_id].append(c)
    for election in certified:
        mine = candidates[election.pk]
        seats = seated[election.community_id]
        assert {(s[2], s[3]) for s in seats.values()} == {
            (election.term_starts_on, election.term_ends_on)
        }
        assert election.term_starts_on == election.final_day
        assert election.registered_voters and election.ballots_cast * 2 > election.electorate
        assert (election.final_day - election.voter_list_published_on).days >= 7
        results = compute_outcomes(
            election.seats,
            [Entry(c.pk, c.position, c.votes, c.rerun_votes) for c in mine],
            election.ballots_cast,
            election.rerun_ballots_cast,
            ElectionRules(),
        )
        assert {c.pk: c.outcome for c in mine} == results.outcomes
        elected = {c.membership_id: (c.person_id, c.position) for c in mine if c.is_elected}
        assert elected == {pk: (s[0], s[1]) for pk, s in seats.items()}
        assert not any(c.membership_id for c in mine if not c.is_elected)
        for position, n in election.seats.items():
            votes = [c.votes for c in mine if c.position == position]
            assert sum(votes) <= n * election.ballots_valid and max(votes, default=0) <= (
                election.ballots_valid
            )
    # The communities without a committee prepare their first election.
    first = Election.objects.exclude(community__in=seated)
    assert first.exists() and not first.filter(ballots_cast__isnull=False).exists()


def test_major_matters_link_the_meetings_resolutions_and_disclosures_of_their_steps(generated):
    order = list(MatterStep.Step.values)
    steps: dict[int, list[MatterStep]] = defaultdict(list)
    for step in MatterStep.objects.select_related(
        "matter", "meeting", "resolution__meeting", "disclosure"
    ):
        steps[step.matter_id].append(step)
    assert MajorMatter.objects.count() == len(steps) > 213
    for rows in steps.values():
        rows.sort(key=lambda s: (s.date, order.index(s.step)))
        assert [s.step for s in rows] == order[: len(rows)]  # in GD-07's order, none skipped
        assert rows[-1].date <= TODAY
        community = rows[0].matter.community_id
        for step in rows:
            if step.step == "joint_meeting":
                assert step.meeting.kind == Meeting.Kind.JOINT
            if step.step == "party_assembly":
                assert step.meeting.kind == Meeting.Kind.PARTY_ASSEMBLY
            if step.step == "residents_resolution":
                assert step.resolution.meeting == step.meeting
                assert step.meeting.kind == Meeting.Kind.REPRESENTATIVES
            if step.meeting:
                assert (step.meeting.community_id, step.meeting.date) == (community, step.date)
            if step.disclosure:
                assert step.disclosure.community_id == community
                assert step.disclosure.published_on == step.date
    # The joint meetings have their attendance list, and it is the count.
    joint = Meeting.objects.filter(kind=Meeting.Kind.JOINT).annotate(n=Count("attendance"))
    assert joint.exists() and all(m.n == m.attended and 2 * m.n > m.entitled for m in joint)
    for covenant in Covenant.objects.filter(meeting__isnull=False).select_related("meeting"):
        assert covenant.meeting.date == covenant.adopted_on
        assert covenant.meeting.kind == Meeting.Kind.REPRESENTATIVES
    assert Covenant.objects.values("community").distinct().count() > 150
    assert PublicService.objects.values("community").distinct().count() > 180


def test_the_governance_standards_fail_in_part(generated):
    """Election, 四议两公开 and six-publics standards: a share of communities fails each one, for
    the reasons the generator plants."""
    evaluate_communities(Community.objects.all(), TODAY)
    shares = status_shares()
    for code in (
        "EL-valid",
        "EL-list",
        "EL-cand",
        "N25-vl",
        "N25-cand",
        "N25-term",
        "GD-07",
        "GD-17",
    ):
        assert 0.02 <= shares[code] <= 0.3, (code, shares[code])
    assert shares["EL-rerun"] > 0


def test_the_2018_law_standards_fail_in_part_too(zhuhai):
    """The 2018 law was in force until the end of 2025: its covenant (N18-15), method (N18-08a)
    and term (N18-08b) rules have failing communities too."""
    day = datetime.date(2025, 11, 22)
    Community.objects.update(households=None)
    generate(Community.objects.all(), seed=1, today=day)
    evaluate_communities(Community.objects.all(), day)
    shares = status_shares()
    for code in ("N18-15", "N18-08b"):
        assert 0.02 <= shares[code] <= 0.3, (code, shares[code])
    assert 0 < shares["N18-08a"] < 0.05


def status_shares() -> dict[str, float]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for code, status in Finding.objects.values_list("standard__code", "status"):
        counts[code][status] += 1
    return {code: c[Status.NON_COMPLIANT] / sum(c.values()) for code, c in counts.items()}


def test_every_kind_of_community_gets_a_consistent_election(db):
    """Thousands of drawn communities (never written): every branch of the election draw runs —
    committees of 3 to 11, re-runs, vacancies, overdue terms — and each row keeps the ballot
    arithmetic the database checks."""
    t = tables()
    builder = Builder(t, TODAY)
    for i in range(2000):
        code = f"4404020{i:05d}"
        values = profile(random.Random(i), code, TODAY)
        builder.community(i + 1, code, f"第{i}社区居委会", values, 1)
    columns = t["election"].columns
    elections = [dict(zip(columns, row, strict=True)) for row in t["election"].rows]
    assert {e["community_id"] for e in elections} == set(range(1, 2001))
    seen = Counter()
    for e in elections:
        electorate = e["voting_units"] or e["registered_voters"]
        if e["ballots_cast"] is not None:
            assert e["ballots_valid"] + e["ballots_invalid"] == e["ballots_cast"]
            assert e["ballots_cast"] <= e["ballots_issued"] <= electorate
        if e["rerun_day"] is not None:
            assert e["rerun_day"] >= e["election_day"]
            assert e["rerun_ballots_cast"] <= e["rerun_ballots_issued"] <= electorate
            seen["rerun"] += 1
        if e["certified_on"] is not None:
            assert e["ballots_cast"] * 2 > electorate
            assert e["election_day"] <= e["certified_on"] <= TODAY
            assert e["term_starts_on"] < e["term_ends_on"]
            seen["overdue"] += e["term_ends_on"] < TODAY
        elif e["ballots_cast"] is not None:
            assert e["ballots_cast"] * 2 <= electorate  # void for want of turnout
            seen["void"] += 1
        if e["voter_list_published_on"] is not None:
            assert e["voter_list_published_on"] <= e["election_day"]
        seen[e["method"]] += 1
    assert all(
        seen[key] for key in ("rerun", "overdue", "void", "household", "group_representative")
    )
    outcomes = Counter(row[7] for row in t["candidate"].rows)
    assert outcomes["elected"] and outcomes["elected_rerun"] and outcomes["not_elected"]
