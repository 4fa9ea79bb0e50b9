"""Reads of elections: a community's history, one election with its steps and verdicts, and the
overview of a division (upcoming, overdue and in progress). Query counts do not grow with the
data: lists are limited or paginated, per-community facts are correlated subqueries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from compliance.engine import applicable_standards
from compliance.models import Standard, Status
from compliance.rules import MISSING_RECORDS, Verdict, meets_fraction, not_applicable
from compliance.selectors import CommunityFindingRow
from divisions.models import Community
from elections.counting import (
    DIRECT_RATE_KEY,
    RERUN_KEY,
    STEP_LABELS,
    TERM_KEY,
    WIN_KEY,
    ElectionRules,
    Results,
    Step,
    candidate_age,
    election_rules,
    fraction_words,
    frozen_results,
    steps,
)
from elections.facts import ELECTION_VALUES, CandidateRow, direct_election_rates
from elections.models import Election, ElectionCandidate

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

    from elections.counting import PositionResult

UPCOMING_DAYS = 180
LIST_LIMIT = 50


class CandidateCounts(TypedDict):
    n_candidates: int
    n_unvoted: int


class ElectionCounts(CandidateCounts):
    n_elected: int
    n_corrections: int


class Terms(TypedDict):
    # None without a certified term: the lists of the overview filter those communities out.
    term_ends: datetime.date
    term_number: int | None
    under_way: bool


def community_elections(
    community: Community,
) -> QuerySet[WithAnnotations[Election, ElectionCounts]]:
    elected = Q(candidates__outcome__in=ElectionCandidate.ELECTED_OUTCOMES)
    return (
        community.elections.annotate(
            n_candidates=Count("candidates", distinct=True),
            n_unvoted=Count("candidates", filter=Q(candidates__votes__isnull=True), distinct=True),
            n_elected=Count("candidates", filter=elected, distinct=True),
            n_corrections=Count("corrections", distinct=True),
        )
        .select_related("certified_by")
        .order_by("-election_day", "-pk")
    )


@dataclass
class ElectionPage:
    election: Election
    candidates: list[ElectionCandidate]
    steps: list[Step]
    results: Results
    rules: ElectionRules
    verdicts: list[CommunityFindingRow]
    corrections: list
    # Why nobody is elected: the turnout did not reach the threshold in force (EL-valid).
    void_reason: str = ""

    @property
    def current(self) -> Step | None:
        return next((s for s in self.steps if not s.done), None)

    def by_position(
        self,
    ) -> list[tuple[str, StrOrPromise, int, list[ElectionCandidate], PositionResult]]:
        """(position, label, seats, its candidates, its result) for the positions elected."""
        out: list[tuple[str, StrOrPromise, int, list[ElectionCandidate], PositionResult]] = []
        results = {r.position: r for r in self.results.positions}
        for value, label in ElectionCandidate.Position.choices:
            mine = [c for c in self.candidates if c.position == value]
            seats = self.election.seats[value]
            if seats or mine:
                out.append((value, label, seats, mine, results[value]))
        return out

    def announced(self) -> list[tuple[StrOrPromise, int, str, int]]:
        """(position label, seats, the elected in order of votes joined by 、, seats unfilled)."""
        if self.void_reason:
            return []
        out = []
        for _value, label, seats, mine, result in self.by_position():
            if seats:
                names = "、".join(c.person.name for c in mine if c.is_elected)
                out.append((label, seats, names, result.unfilled))
        return out

    @property
    def elected(self) -> list[ElectionCandidate]:
        if self.void_reason:
            return []
        order = [p.value for p in ElectionCandidate.Position]
        return sorted(
            (c for c in self.candidates if c.is_elected),
            key=lambda c: (order.index(c.position), -(c.votes or 0)),
        )


def election_page(election: Election, today: datetime.date) -> ElectionPage:
    candidates = list(
        election.candidates.select_related("person", "membership").order_by(
            "position", F("votes").desc(nulls_last=True), "pk"
        )
    )
    for c in candidates:
        # For the page: age on election day, and the share of the ballots cast.
        c.age = candidate_age(c, election.election_day)
        c.share = (
            f"{Decimal(c.votes * 100) / Decimal(election.ballots_cast):.1f}%"
            if c.votes is not None and election.ballots_cast
            else ""
        )
    rules = election_rules(election.community.code, election.final_day)
    void = void_reason(election, rules)
    return ElectionPage(
        election=election,
        candidates=candidates,
        steps=steps(election, candidates, today),
        results=frozen_results(election, candidates),
        rules=rules,
        verdicts=election_verdicts(election, candidates, void),
        corrections=list(election.corrections.select_related("made_by")),
        void_reason=void,
    )


def void_reason(election: Election, rules: ElectionRules) -> str:
    """Why the election is invalid, or "": ballots cast not over the share of the electorate
    the turnout standard in force on its day asks. Counted votes then elect nobody, whatever
    the candidates' stored outcomes say (certification refuses it too)."""
    cast, electorate = election.ballots_cast, election.electorate
    if cast is None or not electorate or meets_fraction(cast, electorate, rules.turnout):
        return ""
    return _("选举无效,无人当选:参加投票 %(cast)s,应参加投票 %(n)s,未达%(words)s(%(code)s)。") % {
        "cast": cast,
        "n": electorate,
        "words": fraction_words(rules.turnout),
        "code": rules.turnout_code or _("默认"),
    }


def election_verdicts(
    election: Election, candidates: list[ElectionCandidate], void: str = ""
) -> list[CommunityFindingRow]:
    """This election judged by the election rules of the standards in force on its day, with
    their citations: the same judges as the compliance tab, on this election alone."""
    day = election.final_day
    rows: list[CommunityFindingRow] = []
    judged = [CandidateRow.of(c) for c in candidates]
    keys = set(ELECTION_VALUES)
    if election.kind != Election.Kind.GENERAL:
        keys.discard(TERM_KEY)  # a by-election completes a term: its length is the general one's
    applicable = applicable_standards(election.community, day, keys)
    for key, standards in applicable.items():
        value = ELECTION_VALUES[key](election, judged)
        for c in standards:
            if void and key in (WIN_KEY, RERUN_KEY):
                # An invalid election elects nobody: no "达标" beside "选举无效".
                verdict = not_applicable(void)
            else:
                verdict = c.judge(value, as_of=day)
            rows.append(_verdict_row(c.standard, verdict))
    return sorted(rows, key=lambda r: r.standard.code)


def _verdict_row(standard: Standard, verdict: Verdict) -> CommunityFindingRow:
    missing = MISSING_RECORDS.get(verdict.missing)
    return CommunityFindingRow(
        standard,
        verdict.status,
        verdict.measured,
        verdict.expected,
        verdict.explanation,
        str(missing.label) if missing else "",
        missing.url_name if missing else "",
    )


# --- a division: the current terms, overdue, upcoming and in progress ---------------------------


def _current_term(field: str) -> Subquery:
    return Subquery(
        Election.objects.filter(
            community=OuterRef("pk"), kind=Election.Kind.GENERAL, certified_on__isnull=False
        )
        .order_by("-term_starts_on", "-pk")
        .values(field)[:1]
    )


def with_terms(prefix: str) -> QuerySet[WithAnnotations[Community, Terms]]:
    """Communities under ``prefix`` with their current term (latest certified general election)
    and whether an election is under way."""
    return Community.objects.filter(code__startswith=prefix).annotate(
        term_ends=_current_term("term_ends_on"),
        term_number=_current_term("term_number"),
        under_way=Exists(
            Election.objects.filter(community=OuterRef("pk"), certified_on__isnull=True)
        ),
    )


@dataclass
class Overview:
    total: int
    recorded: int
    overdue_count: int
    upcoming_count: int
    under_way_count: int
    overdue: list[WithAnnotations[Community, Terms]]
    upcoming: list[WithAnnotations[Community, Terms]]
    under_way: list[WithAnnotations[Election, CandidateCounts]]
    rate: tuple[int, int] | None
    target: Verdict | None
    target_standard: Standard | None

    @property
    def target_label(self) -> str:
        return str(Status(self.target.status).label) if self.target else ""


def overview(prefix: str, today: datetime.date) -> Overview:
    communities = with_terms(prefix)
    soon = today + datetime.timedelta(days=UPCOMING_DAYS)
    counts = communities.aggregate(
        n_total=Count("pk"),
        n_recorded=Count("pk", filter=Q(term_ends__isnull=False)),
        n_overdue=Count("pk", filter=Q(term_ends__lt=today)),
        n_upcoming=Count("pk", filter=Q(term_ends__gte=today, term_ends__lte=soon)),
    )
    under_way = (
        Election.objects.filter(community__code__startswith=prefix, certified_on__isnull=True)
        .select_related("community")
        .annotate(
            n_candidates=Count("candidates"),
            n_unvoted=Count("candidates", filter=Q(candidates__votes__isnull=True)),
        )
        .order_by("election_day", "community__code")
    )
    overdue = list(
        communities.filter(term_ends__lt=today).order_by("term_ends", "code")[:LIST_LIMIT]
    )
    for community in overdue:
        community.days_overdue = (today - community.term_ends).days
    rows = list(under_way[:LIST_LIMIT])
    for election in rows:
        election.step = step_label(election)
    value = direct_election_rates(prefix, len(prefix), today, codes=[prefix]).get(prefix)
    target, standard = _direct_target(prefix, value, today)
    return Overview(
        total=counts["n_total"],
        recorded=counts["n_recorded"],
        overdue_count=counts["n_overdue"],
        upcoming_count=counts["n_upcoming"],
        under_way_count=under_way.count(),
        overdue=overdue,
        upcoming=list(
            communities.filter(term_ends__gte=today, term_ends__lte=soon).order_by(
                "term_ends", "code"
            )[:LIST_LIMIT]
        ),
        under_way=rows,
        rate=value,
        target=target,
        target_standard=standard,
    )


def _direct_target(
    code: str, value: tuple[int, int] | None, today: datetime.date
) -> tuple[Verdict | None, Standard | None]:
    """GD-06a (or whatever standard of the rule applies here) judged on the live rate."""
    applicable = applicable_standards(
        code, today, [DIRECT_RATE_KEY], level=Standard.Level.JURISDICTION
    )
    if DIRECT_RATE_KEY not in applicable:
        return None, None
    chosen = applicable[DIRECT_RATE_KEY][0]  # the first by code, should several apply
    return chosen.judge(value, as_of=today), chosen.standard


def step_label(election: WithAnnotations[Election, CandidateCounts]) -> str:
    """The current step of an election in a list, from its annotated counts (no extra query)."""
    if election.voter_list_published_on is None or election.registered_voters is None:
        key = "voter_list"
    elif not election.n_candidates:
        key = "candidates"
    elif not election.has_voting:
        key = "voting"
    elif election.n_unvoted:
        key = "results"
    else:
        key = "certified"
    return str(STEP_LABELS[key])


def current_term(community: Community, today: datetime.date) -> Election | None:
    """The latest certified general election whose term has started (the committee in office)."""
    return (
        community.elections.filter(
            kind=Election.Kind.GENERAL, certified_on__isnull=False, term_starts_on__lte=today
        )
        .order_by("-term_starts_on", "-pk")
        .first()
    )


def overdue_elections(prefix: str, today: datetime.date, limit: int = 20):
    """Communities whose current term has ended without a newer certified general election:
    (count, the first ``limit`` by how long overdue)."""
    qs = with_terms(prefix).filter(term_ends__lt=today).order_by("term_ends", "code")
    return qs.count(), list(qs[:limit])
