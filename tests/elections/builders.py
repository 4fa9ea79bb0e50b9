"""Small builders of election records for the election tests (ORM only, no services)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from committees.models import Membership, Organization, Person
from divisions.models import Community
from elections.models import Election, ElectionCandidate

TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=10)
_names = (f"候选人{n}" for n in itertools.count(1))


def person(
    community: Community,
    name: str | None = None,
    *,
    born: datetime.date | None = datetime.date(1980, 5, 1),
    gender: str = Person.Gender.FEMALE,
    **extra,
) -> Person:
    return Person.objects.create(
        community=community, name=name or next(_names), gender=gender, birth_date=born, **extra
    )


def election(
    community: Community,
    *,
    day: datetime.date = DAY,
    method: str = Election.Method.DIRECT,
    seats: tuple[int, int, int] = (1, 1, 3),
    kind: str = Election.Kind.GENERAL,
    term: int = 8,
    registered: int | None = 1000,
    units: int | None = None,
    lead_days: int | None = 25,
    **extra,
) -> Election:
    director, deputy, member = seats
    if method == Election.Method.GROUP_REPRESENTATIVE:
        extra.setdefault("reps_per_group", 3)
    return Election.objects.create(
        community=community,
        kind=kind,
        term_number=term,
        election_day=day,
        method=method,
        seats_director=director,
        seats_deputy=deputy,
        seats_member=member,
        election_committee_members="主任 王五;委员 赵六、钱七",
        voter_list_published_on=(
            None if lead_days is None else day - datetime.timedelta(days=lead_days)
        ),
        registered_voters=registered if lead_days is not None else None,
        voting_units=units,
        **extra,
    )


def stand(
    election: Election,
    position: str,
    votes: int | None = None,
    *,
    rerun: int | None = None,
    outcome: str = "",
    who: Person | None = None,
    born: datetime.date | None = datetime.date(1980, 5, 1),
) -> ElectionCandidate:
    return ElectionCandidate.objects.create(
        election=election,
        person=who or person(election.community, born=born),
        position=position,
        nomination=ElectionCandidate.Nomination.VOTERS,
        votes=votes,
        rerun_votes=rerun,
        outcome=outcome,
    )


def ballots(election: Election, issued: int, cast: int, valid: int, invalid: int) -> Election:
    election.ballots_issued, election.ballots_cast = issued, cast
    election.ballots_valid, election.ballots_invalid = valid, invalid
    election.save()
    return election


def committee(community: Community) -> Organization:
    return Organization.objects.create(
        community=community, kind=Organization.Kind.RESIDENTS_COMMITTEE, name=community.name
    )


def sitting(
    organization: Organization,
    position: str,
    *,
    start: datetime.date = datetime.date(2021, 5, 1),
    who: Person | None = None,
) -> Membership:
    return Membership.objects.create(
        person=who or person(organization.community),
        organization=organization,
        position=position,
        start_date=start,
        term_ends_on=start.replace(year=start.year + 5),
    )


def certified(
    community: Community,
    start: datetime.date,
    *,
    method: str = Election.Method.DIRECT,
    term: int = 7,
    kind: str = Election.Kind.GENERAL,
    years: int = 5,
) -> Election:
    """A certified election with its ballots, whose term runs ``years`` from ``start``."""
    from core.dates import add_years

    units = 800 if method != Election.Method.DIRECT else None
    e = ballots(
        election(community, day=start, method=method, term=term, kind=kind, units=units),
        700,
        690,
        680,
        10,
    )
    Election.objects.filter(pk=e.pk).update(
        certified_on=start, term_starts_on=start, term_ends_on=add_years(start, years)
    )
    e.refresh_from_db()
    return e
