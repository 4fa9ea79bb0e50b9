"""What the election rules read of the records, shared with the pages that show the same facts.

Which election a community is judged on (the latest held, or the latest certified general one
whose term has started), what each election rule reads of one election (``ELECTION_VALUES``, by
rule key: the rules measure it for every community, the election page for one election) and the
direct-election rate of a division (GD-06a). Queries and plain values only: the verdicts are
the rules' (elections/rules.py), reached through the compliance engine.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable
from typing import Any, NamedTuple

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr

from compliance.rules import division_scope
from divisions.models import Community
from elections.counting import (
    AGE_KEY,
    COMPETITIVE_KEY,
    METHOD_KEY,
    RERUN_KEY,
    TERM_KEY,
    TURNOUT_KEY,
    VOTER_LIST_KEY,
    WIN_KEY,
    age_on,
    birth_date_of,
)
from elections.models import Election, ElectionCandidate

Outcome = ElectionCandidate.Outcome


# --- which election is judged ---------------------------------------------------------------


def latest_held(communities: QuerySet[Community], as_of: datetime.date) -> QuerySet[Election]:
    """Each community's latest election held on or before the date (one subquery)."""
    newest = (
        Election.objects.filter(community=OuterRef("pk"), election_day__lte=as_of)
        .order_by("-election_day", "-pk")
        .values("pk")[:1]
    )
    return Election.objects.filter(
        pk__in=communities.order_by().annotate(latest=Subquery(newest)).values("latest")
    )


def latest_certified_general(
    communities: QuerySet[Community], as_of: datetime.date
) -> QuerySet[Election]:
    """Each community's latest certified general election whose term started by the date."""
    newest = (
        Election.objects.filter(
            community=OuterRef("pk"),
            kind=Election.Kind.GENERAL,
            certified_on__lte=as_of,
            term_starts_on__lte=as_of,
        )
        .order_by("-term_starts_on", "-pk")
        .values("pk")[:1]
    )
    return Election.objects.filter(
        pk__in=communities.order_by().annotate(latest=Subquery(newest)).values("latest")
    )


# --- what each rule reads of one election ------------------------------------------------------


class CandidateRow(NamedTuple):
    """What the rules read of a candidate: a row, not a model instance (a national evaluation
    reads some 1.4 million candidates)."""

    election_id: int
    position: str
    votes: int | None
    rerun_votes: int | None
    outcome: str
    birth_date: datetime.date | None
    id_number: str

    @classmethod
    def of(cls, candidate: ElectionCandidate) -> CandidateRow:
        """The row of a candidate loaded as a model instance (an election's own page)."""
        return cls(
            candidate.election_id,
            candidate.position,
            candidate.votes,
            candidate.rerun_votes,
            candidate.outcome,
            candidate.person.birth_date,
            candidate.person.id_number,
        )


def results_complete(election: Election, candidates: Collection[CandidateRow]) -> bool:
    return (
        election.ballots_cast is not None
        and bool(candidates)
        and all(c.votes is not None and c.outcome for c in candidates)
    )


def turnout(election: Election, candidates: Collection[CandidateRow]) -> tuple:
    """``(method, electorate, cast)``."""
    return (election.method, election.electorate, election.ballots_cast)


def winning(election: Election, candidates: Collection[CandidateRow]) -> tuple:
    """``(complete, cast, ((votes, outcome), …) sorted)``."""
    return (
        results_complete(election, candidates),
        election.ballots_cast,
        tuple(sorted((c.votes, c.outcome) for c in candidates if c.votes is not None)),
    )


def rerun(election: Election, candidates: Collection[CandidateRow]) -> tuple:
    """``(complete, seats, elected in the first round, re-run ballots cast, certified,
    ((re-run votes, outcome), …) sorted)``."""
    return (
        results_complete(election, candidates),
        election.total_seats,
        sum(c.outcome == Outcome.ELECTED for c in candidates),
        election.rerun_ballots_cast,
        election.is_certified,
        tuple(sorted((c.rerun_votes, c.outcome) for c in candidates if c.rerun_votes is not None)),
    )


def competitive(election: Election, candidates: Collection[CandidateRow]) -> tuple:
    """``((position, seats, candidates), …)`` for the positions with seats, in the order
    director, deputies, members."""
    return tuple(
        (position, seats, sum(c.position == position for c in candidates))
        for position, seats in election.seats.items()
        if seats
    )


def voter_list_lead(election: Election, candidates: Collection[CandidateRow]) -> tuple:
    """``(published on, election day)``."""
    return (election.voter_list_published_on, election.election_day)


def method(election: Election, candidates: Collection[CandidateRow]) -> tuple:
    """``(method, representatives per group)``."""
    return (election.method, election.reps_per_group)


def term(election: Election, candidates: Collection[CandidateRow]) -> tuple | None:
    """``(term number, term starts, term ends)``; None before certification (no term yet)."""
    if election.term_starts_on is None or election.term_ends_on is None:
        return None
    return (election.term_number, election.term_starts_on, election.term_ends_on)


def candidate_ages(election: Election, candidates: Collection[CandidateRow]) -> tuple:
    """``((ages known on election day, sorted), number of candidates of unknown age)``."""
    ages = [
        age_on(birth_date_of(c.birth_date, c.id_number), election.election_day) for c in candidates
    ]
    return (tuple(sorted(a for a in ages if a is not None)), sum(a is None for a in ages))


ElectionValue = Callable[[Election, Collection[CandidateRow]], Any]

# Each election rule's value of one election, by rule key: hashable, so that the engine shares
# verdicts between communities, and the same for the evaluation and for the election page.
ELECTION_VALUES: dict[str, ElectionValue] = {
    TURNOUT_KEY: turnout,
    WIN_KEY: winning,
    RERUN_KEY: rerun,
    COMPETITIVE_KEY: competitive,
    VOTER_LIST_KEY: voter_list_lead,
    METHOD_KEY: method,
    TERM_KEY: term,
    AGE_KEY: candidate_ages,
}


# --- a division's direct-election rate (GD-06a) -------------------------------------------------


def direct_election_rates(
    prefix: str, length: int, as_of: datetime.date, codes: Iterable[str] | None = None
) -> dict[str, tuple[int, int]]:
    """``{division code: (direct, communities)}`` for the divisions of ``length`` digits under
    ``prefix`` (or only ``codes``): communities whose current committee (latest certified
    general election whose term has started) was chosen by direct election, over those with
    such an election recorded. One query."""
    last_method = (
        Election.objects.filter(
            community=OuterRef("pk"),
            kind=Election.Kind.GENERAL,
            certified_on__lte=as_of,
            term_starts_on__lte=as_of,
        )
        .order_by("-term_starts_on", "-pk")
        .values("method")[:1]
    )
    rows = (
        Community.objects.filter(division_scope("code", prefix, codes))
        .annotate(last_method=Subquery(last_method))
        .filter(last_method__isnull=False)
        .annotate(division=Substr("code", 1, length))
        .values("division")
        .annotate(
            whole=Count("pk"),
            part=Count("pk", filter=Q(last_method=Election.Method.DIRECT)),
        )
        .order_by()
    )
    wanted = set(codes) if codes is not None else None
    return {
        r["division"]: (r["part"], r["whole"])
        for r in rows
        if wanted is None or r["division"] in wanted
    }
