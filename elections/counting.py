"""Elections, computed: who is elected, the steps and what is missing, ages, Chinese numerals.

Who is elected is never ticked by hand. ``compute_outcomes`` applies the thresholds of the
standards in force for the community on the day of the vote (EL-win: more than half of the
ballots cast; EL-rerun: at least a third in the re-run, 另行选举), seat by seat:

* in each position (director, deputy directors, members), the candidates who reach the
  threshold are elected in order of votes, up to the seats of the position;
* when candidates tie for the last seat, none of the tied is elected: the seat stays unfilled
  (a tie is never broken by the order the names were typed in);
* seats left unfilled go to a re-run among the candidates not elected, with the lower threshold.

Everything here is pure except ``election_rules``, which asks the compliance engine which
standards apply (``applicable_standards``, one query).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from compliance.engine import Candidate, applicable_standards
from compliance.rules import meets_fraction
from core.validators import id_number_birth_date
from elections.models import Election, ElectionCandidate

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Outcome = ElectionCandidate.Outcome
POSITIONS = [p.value for p in ElectionCandidate.Position]
POSITION_NAMES = dict(ElectionCandidate.Position.choices)

# The model rules (EL-win, EL-rerun) and the law (N18-08b/N25-term, N18-08c), used when no
# standard of the catalogue applies (a bureau may have retired one): never a silent guess in a
# finding, only the arithmetic of a page.
DEFAULT_WIN = {"numerator": 1, "denominator": 2, "strict": True}
DEFAULT_RERUN = {"numerator": 1, "denominator": 3, "strict": False}
DEFAULT_TERM_YEARS = 5
DEFAULT_MIN_AGE = 18

# The keys of the election rules (elections/rules.py registers them; pages and services name
# them from here, never from the rules module).
WIN_KEY = "election.winning_threshold"
RERUN_KEY = "election.rerun_threshold"
TURNOUT_KEY = "election.turnout"
TERM_KEY = "election.term_length"
AGE_KEY = "election.candidate_age"
COMPETITIVE_KEY = "election.competitive"
VOTER_LIST_KEY = "election.voter_list_lead"
METHOD_KEY = "election.method"
DIRECT_RATE_KEY = "jurisdiction.direct_election_rate"


def fraction_words(fraction: dict) -> str:
    n, d = fraction["numerator"], fraction["denominator"]
    if (n, d) == (1, 2):
        return str(_("过半数") if fraction.get("strict") else _("半数以上"))
    if fraction.get("strict"):
        return _("超过 %(n)s/%(d)s") % {"n": n, "d": d}
    return _("不少于 %(n)s/%(d)s") % {"n": n, "d": d}


@dataclass(frozen=True)
class ElectionRules:
    """The thresholds and term in force for one community on one day, with their citations."""

    win: dict = field(default_factory=lambda: dict(DEFAULT_WIN))
    win_code: str = ""
    rerun: dict = field(default_factory=lambda: dict(DEFAULT_RERUN))
    rerun_code: str = ""
    turnout: dict = field(default_factory=lambda: dict(DEFAULT_WIN))
    turnout_code: str = ""
    term_years: int = DEFAULT_TERM_YEARS
    term_code: str = ""
    min_age: int = DEFAULT_MIN_AGE
    age_code: str = ""

    @property
    def cite(self) -> str:
        """How the results were computed, frozen with them (at most 200 characters)."""
        return _(
            "第一次投票得票%(win)s参加投票人数当选(%(wc)s);"
            "另行选举得票%(rerun)s已投选票数当选(%(rc)s)"
        ) % {
            "win": fraction_words(self.win),
            "wc": self.win_code or _("默认"),
            "rerun": fraction_words(self.rerun),
            "rc": self.rerun_code or _("默认"),
        }


def _fraction(params: dict) -> dict:
    return {
        "numerator": params["numerator"],
        "denominator": params["denominator"],
        "strict": params.get("strict", False),
    }


def election_rules(community_code: str, on: datetime.date) -> ElectionRules:
    """The standards that apply to the community on the day (one query for the catalogue)."""
    found = applicable_standards(
        community_code, on, (WIN_KEY, RERUN_KEY, TURNOUT_KEY, TERM_KEY, AGE_KEY)
    )

    def first(key: str) -> Candidate | None:
        items = found.get(key, [])  # sorted by standard code
        return items[0] if items else None

    values: dict = {}
    for key, name in ((WIN_KEY, "win"), (RERUN_KEY, "rerun"), (TURNOUT_KEY, "turnout")):
        chosen = first(key)
        if chosen is not None:
            values[name] = _fraction(chosen.params)
            values[f"{name}_code"] = chosen.standard.code
    # Of several term lengths in force (law and policy alike), the shortest binds.
    terms = sorted(found.get(TERM_KEY, []), key=lambda c: (c.params["max_years"], c.standard.code))
    if terms:
        values.update(term_years=terms[0].params["max_years"], term_code=terms[0].standard.code)
    ages = sorted(found.get(AGE_KEY, []), key=lambda c: (-c.params["min_age"], c.standard.code))
    if ages:
        values.update(min_age=ages[0].params["min_age"], age_code=ages[0].standard.code)
    return ElectionRules(**values)


# --- who is elected ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One candidate as far as counting is concerned."""

    key: int
    position: str
    votes: int | None
    rerun_votes: int | None = None


@dataclass
class PositionResult:
    position: str
    seats: int
    elected: list[int] = field(default_factory=list)
    tied: list[int] = field(default_factory=list)
    elected_rerun: list[int] = field(default_factory=list)
    tied_rerun: list[int] = field(default_factory=list)
    rerun_held: bool = False

    @property
    def label(self) -> str:
        return str(POSITION_NAMES[self.position])

    @property
    def unfilled_after_first(self) -> int:
        return self.seats - len(self.elected)

    @property
    def unfilled(self) -> int:
        return self.unfilled_after_first - len(self.elected_rerun)


@dataclass
class Results:
    complete: bool
    outcomes: dict[int, str]
    positions: list[PositionResult]

    @property
    def elected_first(self) -> int:
        return sum(len(p.elected) for p in self.positions)

    @property
    def unfilled_after_first(self) -> int:
        return sum(p.unfilled_after_first for p in self.positions)

    @property
    def unfilled(self) -> int:
        return sum(p.unfilled for p in self.positions)

    @property
    def ties(self) -> bool:
        return any(p.tied or p.tied_rerun for p in self.positions)


def _select(ranked: list[tuple[int, int]], seats: int) -> tuple[list[int], list[int]]:
    """From (votes, key) sorted by votes descending, those elected and those tied at the cut."""
    if seats <= 0 or not ranked:
        return [], []
    if len(ranked) <= seats:
        return [k for _v, k in ranked], []
    cut = ranked[seats - 1][0]
    if ranked[seats][0] != cut:
        return [k for _v, k in ranked[:seats]], []
    return [k for v, k in ranked if v > cut], [k for v, k in ranked if v == cut]


def compute_outcomes(
    seats: dict[str, int],
    entries: Iterable[Entry],
    cast: int | None,
    rerun_cast: int | None,
    rules: ElectionRules,
) -> Results:
    """Who is elected, position by position (see the module docstring)."""
    entries = list(entries)
    complete = cast is not None and all(e.votes is not None for e in entries)
    positions = [PositionResult(p, seats.get(p, 0)) for p in POSITIONS]
    if not complete or cast is None:  # (cast is None: not complete either)
        return Results(False, {e.key: Outcome.PENDING for e in entries}, positions)
    outcomes = {e.key: str(Outcome.NOT_ELECTED) for e in entries}
    for result in positions:
        mine = [e for e in entries if e.position == result.position]
        ranked = sorted(
            (
                (e.votes, e.key)
                for e in mine
                if e.votes is not None  # (complete: always)
                and meets_fraction(e.votes, cast, rules.win)
            ),
            key=lambda item: -item[0],
        )
        result.elected, result.tied = _select(ranked, result.seats)
        if rerun_cast is not None and result.unfilled_after_first > 0:
            result.rerun_held = True
            ranked = sorted(
                (
                    (e.rerun_votes, e.key)
                    for e in mine
                    if e.key not in result.elected
                    and e.rerun_votes is not None
                    and meets_fraction(e.rerun_votes, rerun_cast, rules.rerun)
                ),
                key=lambda item: -item[0],
            )
            result.elected_rerun, result.tied_rerun = _select(ranked, result.unfilled_after_first)
        for key in result.elected:
            outcomes[key] = Outcome.ELECTED
        for key in result.elected_rerun:
            outcomes[key] = Outcome.ELECTED_RERUN
        # A tie of the first round is settled by the re-run once it is held; one of the
        # re-run itself stands.
        for key in result.tied_rerun if result.rerun_held else result.tied:
            if outcomes[key] == Outcome.NOT_ELECTED:
                outcomes[key] = Outcome.TIED
    return Results(True, outcomes, positions)


def entries_of(candidates: Iterable[ElectionCandidate]) -> list[Entry]:
    return [Entry(c.pk, c.position, c.votes, c.rerun_votes) for c in candidates]


def results_of(
    election: Election, candidates: Iterable[ElectionCandidate], rules: ElectionRules
) -> Results:
    return compute_outcomes(
        election.seats,
        entries_of(candidates),
        election.ballots_cast,
        election.rerun_ballots_cast,
        rules,
    )


def frozen_results(election: Election, candidates: list[ElectionCandidate]) -> Results:
    """The results as saved on the candidates (what was computed when the votes were entered)."""
    complete = election.has_voting and all(c.outcome for c in candidates)
    positions = []
    for position in POSITIONS:
        mine = [c for c in candidates if c.position == position]
        positions.append(
            PositionResult(
                position,
                election.seats[position],
                elected=[c.pk for c in mine if c.outcome == Outcome.ELECTED],
                tied=[c.pk for c in mine if c.outcome == Outcome.TIED],
                elected_rerun=[c.pk for c in mine if c.outcome == Outcome.ELECTED_RERUN],
                rerun_held=election.has_rerun,
            )
        )
    return Results(complete, {c.pk: c.outcome for c in candidates}, positions)


# --- ages -------------------------------------------------------------------------------------


def birth_date_of(birth_date: datetime.date | None, id_number: str) -> datetime.date | None:
    if birth_date is not None:
        return birth_date
    if len(id_number or "") == 18:
        return id_number_birth_date(id_number)
    return None


def age_on(birth: datetime.date | None, day: datetime.date) -> int | None:
    """Whole years on ``day``; someone born on 29 February comes of age on 1 March."""
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def candidate_age(candidate: ElectionCandidate, day: datetime.date) -> int | None:
    person = candidate.person
    return age_on(birth_date_of(person.birth_date, person.id_number), day)


# --- steps --------------------------------------------------------------------------------------

STEP_LABELS = {
    "plan": _("筹备"),
    "voter_list": _("选民登记"),
    "candidates": _("候选人"),
    "voting": _("投票"),
    "results": _("计票结果"),
    "certified": _("公告与确认"),
}


@dataclass(frozen=True)
class Step:
    key: str
    number: int
    done: bool
    missing: tuple[StrOrPromise, ...]

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self.key])


def steps(
    election: Election, candidates: list[ElectionCandidate], today: datetime.date
) -> list[Step]:
    """The six steps in order, each done or not, with what is still missing."""
    missing: dict[str, list[StrOrPromise]] = {key: [] for key in STEP_LABELS}
    if election.voter_list_published_on is None:
        missing["voter_list"].append(_("选民名单公布日期"))
    if election.registered_voters is None:
        missing["voter_list"].append(_("登记选民数"))
    if election.is_representative and election.voting_units is None:
        missing["voter_list"].append(
            _("参加选举的户数")
            if election.method == Election.Method.HOUSEHOLD
            else _("居民代表人数")
        )
    for position, seats in election.seats.items():
        if seats and not any(c.position == position for c in candidates):
            missing["candidates"].append(
                _("%(position)s候选人(应选 %(n)s 名)")
                % {"position": POSITION_NAMES[position], "n": seats}
            )
    if not election.has_voting:
        if election.election_day > today:
            missing["voting"].append(
                _("选举日(%(d)s)尚未到") % {"d": election.election_day.isoformat()}
            )
        missing["voting"].append(_("发出、收回、有效和无效选票数"))
    unvoted = sum(c.votes is None for c in candidates)
    if unvoted:
        missing["results"].append(_("%(n)s 名候选人的得票") % {"n": unvoted})
    if not candidates:
        missing["results"].append(_("候选人得票"))
    if not election.is_certified:
        missing["certified"].append(_("街道办事处确认"))
    out, blocked = [], False
    for number, key in enumerate(STEP_LABELS, start=1):
        done = not blocked and not missing[key]
        blocked = blocked or not done
        out.append(Step(key, number, done, tuple(missing[key])))
    return out


def current_step(all_steps: list[Step]) -> Step | None:
    return next((s for s in all_steps if not s.done), None)


# --- Chinese numerals for the announcement -------------------------------------------------------

DIGITS = "〇一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 99 → 九十九 (届次, months and days)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else DIGITS[tens]
    return head + "十" + (DIGITS[ones] if ones else "")


def cn_date(day: datetime.date) -> str:
    """二〇二六年五月十日: the date as written at the foot of an official announcement."""
    year = "".join(DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{cn_number(day.month)}月{cn_number(day.day)}日"
