"""Compliance rules on term elections (registered from governance/rules.py).

The election a community is judged on is the latest one held on or before the date (election
day ≤ date), whatever its step: an election whose day has passed without its votes recorded is
"no data", never silently compliant. The term rule looks instead at the latest *certified*
general election whose term has started: when that term has ended, the community is overdue
for its election (换届选举逾期) — the finding behind the reminder on the dashboards.

Each measure is two or three queries whatever the number of communities (the latest election
per community is a correlated subquery); each value is hashable and built by ``value``, which
the election page also uses to judge one election on the day it was held.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, NamedTuple

from django import forms
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance.rules import (
    ChoiceListField,
    JurisdictionRule,
    ParamsForm,
    Rule,
    ShareTargetsParams,
    Verdict,
    community_ids,
    compliant,
    division_scope,
    judge_share,
    meets_fraction,
    no_data,
    non_compliant,
    not_applicable,
    register,
    register_missing,
    shared_measure,
)
from core.dates import add_years
from divisions.models import Community
from elections.counting import POSITION_NAMES, age_on, birth_date_of
from elections.models import Election, ElectionCandidate

register_missing("elections.counting", _("选举记录"), "elections:elections")

Outcome = ElectionCandidate.Outcome
METHOD_NAMES = dict(Election.Method.choices)
NO_ELECTION = _("尚未登记已举行的选举。")
INCOMPLETE = _("尚未登记完整的计票结果。")


def latest_held(communities: QuerySet, as_of: datetime.date) -> QuerySet[Election]:
    """Each community's latest election held on or before the date (one subquery)."""
    newest = (
        Election.objects.filter(community=OuterRef("pk"), election_day__lte=as_of)
        .order_by("-election_day", "-pk")
        .values("pk")[:1]
    )
    return Election.objects.filter(
        pk__in=communities.order_by().annotate(latest=Subquery(newest)).values("latest")
    )


def latest_certified_general(communities: QuerySet, as_of: datetime.date) -> QuerySet[Election]:
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


def fraction_of(params: dict) -> dict:
    return {
        "numerator": params["numerator"],
        "denominator": params["denominator"],
        "strict": params.get("strict", False),
    }


def share_words(fraction: dict) -> str:
    n, d = fraction["numerator"], fraction["denominator"]
    if (n, d) == (1, 2) and fraction["strict"]:
        return gettext("过半数")
    if fraction["strict"]:
        return gettext("超过 %(n)s/%(d)s") % {"n": n, "d": d}
    return gettext("不少于 %(n)s/%(d)s") % {"n": n, "d": d}


def electorate_noun(method: str) -> str:
    if method == Election.Method.HOUSEHOLD:
        return gettext("户代表")
    if method == Election.Method.GROUP_REPRESENTATIVE:
        return gettext("居民代表")
    return gettext("登记选民")


class FractionParams(ParamsForm):
    """An exact fraction given as the standard's parameters themselves (EL-valid, EL-win…)."""

    numerator = forms.IntegerField(label=_("分子"), min_value=0)
    denominator = forms.IntegerField(label=_("分母"), min_value=1)
    strict = forms.Field(label=_("严格大于"), required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        raw = self._raw
        n, d = raw.get("numerator"), raw.get("denominator")
        # type() rather than isinstance(): JSON true/false are bools, which are ints in Python.
        if type(n) is not int or type(d) is not int or n > d:
            raise forms.ValidationError(_("分子、分母应为整数,且 0 ≤ 分子 ≤ 分母、分母 > 0。"))
        if not isinstance(raw.get("strict", False), bool):
            raise forms.ValidationError(_("strict 应为 true(超过)或 false(不少于)。"))
        return data


def _latest(which: str) -> Callable[[QuerySet, datetime.date], QuerySet[Election]]:
    return latest_certified_general if which == "certified" else latest_held


@shared_measure
def _elections_of(communities: QuerySet, as_of: datetime.date, which: str) -> dict[int, Election]:
    """Each community's election that the rules judge, by community id: loaded once per batch
    for all the election rules (a national evaluation has some 140,000 elections)."""
    return {e.community_id: e for e in _latest(which)(communities, as_of)}


class _CandidateRow(NamedTuple):
    election_id: int
    position: str
    votes: int | None
    rerun_votes: int | None
    outcome: str
    birth_date: datetime.date | None
    id_number: str


class Candidate(_CandidateRow):
    """What the rules read of a candidate: a row, not a model instance (a national evaluation
    reads some 1.4 million candidates).

    The fields are declared on a bare NamedTuple and the method added by this subclass: mypy
    loops forever on a NamedTuple with methods in a module that the django-stubs plugin defers
    (each ParamsForm here), see python/mypy#16814."""

    __slots__ = ()

    @classmethod
    def of(cls, candidate: ElectionCandidate) -> Candidate:
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


@shared_measure
def _candidates_of(
    communities: QuerySet, as_of: datetime.date, which: str
) -> dict[int, list[Candidate]]:
    """The candidates of those elections, by election id (once per batch, as above)."""
    candidates: dict[int, list[Candidate]] = {}
    elections = _latest(which)(communities, as_of)
    rows = ElectionCandidate.objects.filter(election__in=elections).values_list(
        *Candidate._fields[:5], "person__birth_date", "person__id_number"
    )
    for row in rows:
        candidates.setdefault(row[0], []).append(Candidate._make(row))
    return candidates


class ElectionRule(Rule):
    """A rule judged on one election per community; subclasses build the value."""

    needs_candidates: bool = False
    # Which election: the latest held ("held") or the latest certified general ("certified").
    which: str = "held"

    def measure(self, communities, as_of):
        found = _elections_of(communities, as_of, self.which)
        candidates = _candidates_of(communities, as_of, self.which) if self.needs_candidates else {}
        return {
            pk: self.value(found[pk], candidates.get(found[pk].pk, [])) if pk in found else None
            for pk in community_ids(communities)
        }

    def value(self, election: Election, candidates: list[Candidate]) -> Any:
        raise NotImplementedError


# --- EL-valid: more than half of the electorate voted ---------------------------------------------


@register
class Turnout(ElectionRule):
    """Ballots cast against the electorate (registered voters, or the households or
    representatives who vote). Value: ``(method, electorate, cast)``."""

    key = "election.turnout"
    label = _("选举有效:参加投票人数")
    params_form = FractionParams

    def value(self, election, candidates):
        return (election.method, election.electorate, election.ballots_cast)

    def judge(self, value, params, *, as_of) -> Verdict:
        fraction = fraction_of(params)
        noun = electorate_noun(value[0]) if value else gettext("登记选民")
        expected = gettext("%(noun)s%(words)s参加投票") % {
            "noun": noun,
            "words": share_words(fraction),
        }
        if value is None:
            return no_data("elections.counting", expected, str(NO_ELECTION))
        _method, electorate, cast = value
        if electorate is None:
            return no_data("elections.counting", expected, gettext("尚未登记选民名单。"))
        if cast is None:
            return no_data("elections.counting", expected, gettext("尚未登记投票情况。"))
        measured = gettext("参加投票 %(cast)s / %(noun)s %(n)s") % {
            "cast": cast,
            "noun": noun,
            "n": electorate,
        }
        if meets_fraction(cast, electorate, fraction):
            return compliant(measured, expected)
        return non_compliant(
            measured,
            expected,
            gettext("参加投票人数未达%(words)s,选举无效。") % {"words": share_words(fraction)},
        )


# --- EL-win: the elected had more than half of the ballots cast ----------------------------------


def results_complete(election: Election, candidates: list[Candidate]) -> bool:
    return (
        election.ballots_cast is not None
        and bool(candidates)
        and all(c.votes is not None and c.outcome for c in candidates)
    )


@register
class WinningThreshold(ElectionRule):
    """Everyone recorded as elected in the first round reached the threshold of the ballots
    cast. Value: ``(complete, cast, ((votes, outcome), …) sorted)``."""

    key = "election.winning_threshold"
    label = _("当选票数")
    params_form = FractionParams
    needs_candidates = True

    def value(self, election, candidates):
        return (
            results_complete(election, candidates),
            election.ballots_cast,
            tuple(sorted((c.votes, c.outcome) for c in candidates if c.votes is not None)),
        )

    def judge(self, value, params, *, as_of):
        fraction = fraction_of(params)
        expected = gettext("当选人得票%(words)s参加投票人数") % {"words": share_words(fraction)}
        if value is None:
            return no_data("elections.counting", expected, str(NO_ELECTION))
        complete, cast, entries = value
        if not complete:
            return no_data("elections.counting", expected, str(INCOMPLETE))
        elected = [votes for votes, outcome in entries if outcome == Outcome.ELECTED]
        short = [votes for votes in elected if not meets_fraction(votes, cast, fraction)]
        measured = gettext("第一次投票当选 %(k)s 人(参加投票 %(cast)s 人)") % {
            "k": len(elected),
            "cast": cast,
        }
        if short:
            return non_compliant(
                measured,
                expected,
                gettext("%(n)s 名当选人得票未达参加投票人数的%(words)s。")
                % {"n": len(short), "words": share_words(fraction)},
            )
        return compliant(measured, expected)


# --- EL-rerun: seats left unfilled are re-run, with a third of the ballots ------------------------


@register
class RerunThreshold(ElectionRule):
    """Seats the first round left unfilled are re-run (另行选举), where those elected have at
    least the threshold of the re-run's ballots. Value: ``(complete, seats, elected in the
    first round, re-run ballots cast, certified, ((re-run votes, outcome), …) sorted)``."""

    key = "election.rerun_threshold"
    label = _("另行选举")
    params_form = FractionParams
    needs_candidates = True

    def value(self, election, candidates):
        return (
            results_complete(election, candidates),
            election.total_seats,
            sum(c.outcome == Outcome.ELECTED for c in candidates),
            election.rerun_ballots_cast,
            election.is_certified,
            tuple(
                sorted((c.rerun_votes, c.outcome) for c in candidates if c.rerun_votes is not None)
            ),
        )

    def judge(self, value, params, *, as_of):
        fraction = fraction_of(params)
        expected = gettext("不足的名额另行选举,得票%(words)s已投选票数") % {
            "words": share_words(fraction)
        }
        if value is None:
            return no_data("elections.counting", expected, str(NO_ELECTION))
        complete, seats, elected_first, rerun_cast, certified, entries = value
        if not complete:
            return no_data("elections.counting", expected, str(INCOMPLETE))
        unfilled = seats - elected_first
        if unfilled <= 0:
            return not_applicable(gettext("第一次投票已选足应选名额,无需另行选举。"), expected)
        if rerun_cast is None:
            explanation = gettext("第一次投票后有 %(n)s 个名额空缺,尚未另行选举。") % {
                "n": unfilled
            }
            if certified:
                measured = gettext("空缺 %(n)s 个名额") % {"n": unfilled}
                return non_compliant(measured, expected, explanation)
            return no_data("elections.counting", expected, explanation)
        elected = [votes for votes, outcome in entries if outcome == Outcome.ELECTED_RERUN]
        short = [votes for votes in elected if not meets_fraction(votes, rerun_cast, fraction)]
        measured = gettext("另行选举当选 %(k)s 人,仍空缺 %(left)s 个(收回选票 %(cast)s 张)") % {
            "k": len(elected),
            "left": max(unfilled - len(elected), 0),
            "cast": rerun_cast,
        }
        if short:
            return non_compliant(
                measured,
                expected,
                gettext("%(n)s 名另行选举当选人得票未达已投选票数的%(words)s。")
                % {"n": len(short), "words": share_words(fraction)},
            )
        return compliant(measured, expected)


# --- EL-cand / N25-cand: more candidates than seats -----------------------------------------------


@register
class Competitive(ElectionRule):
    """差额选举, position by position: for each position with seats, more candidates than
    seats. Value: ``((position, seats, candidates), …)`` in the order director, deputies,
    members."""

    key = "election.competitive"
    label = _("差额选举")
    needs_candidates = True

    def value(self, election, candidates):
        return tuple(
            (position, seats, sum(c.position == position for c in candidates))
            for position, seats in election.seats.items()
            if seats
        )

    def judge(self, value, params, *, as_of):
        expected = gettext("各职务候选人均多于应选名额")
        if value is None:
            return no_data("elections.counting", expected, str(NO_ELECTION))
        if not any(n for _p, _s, n in value):
            return no_data("elections.counting", expected, gettext("尚未登记候选人。"))
        measured = ";".join(
            gettext("%(position)s %(n)s 选 %(seats)s")
            % {"position": POSITION_NAMES[p], "n": n, "seats": s}
            for p, s, n in value
        )
        short = [(p, s, n) for p, s, n in value if n <= s]
        if short:
            return non_compliant(
                measured,
                expected,
                "".join(
                    gettext("%(position)s候选人 %(n)s 名,应选 %(seats)s 名,未实行差额选举。")
                    % {"position": POSITION_NAMES[p], "n": n, "seats": s}
                    for p, s, n in short
                ),
            )
        return compliant(measured, expected)


# --- EL-list / N25-vl: the voter list published 20 days before -----------------------------------


class LeadDaysParams(ParamsForm):
    days = forms.IntegerField(label=_("提前天数"), min_value=1, max_value=365)


@register
class VoterListLead(ElectionRule):
    """The voter list published at least ``days`` days before election day (二十日以前
    includes the twentieth day). Value: ``(published on, election day)``."""

    key = "election.voter_list_lead"
    label = _("选民名单提前公布")
    params_form = LeadDaysParams

    def value(self, election, candidates):
        return (election.voter_list_published_on, election.election_day)

    def judge(self, value, params, *, as_of):
        days = params["days"]
        expected = gettext("选举日 %(n)s 日以前公布") % {"n": days}
        if value is None:
            return no_data("elections.counting", expected, str(NO_ELECTION))
        published, day = value
        if published is None:
            return no_data("elections.counting", expected, gettext("尚未登记选民名单公布日期。"))
        lead = (day - published).days
        measured = gettext("%(published)s 公布,提前 %(n)s 日") % {
            "published": published.isoformat(),
            "n": lead,
        }
        if lead >= days:
            return compliant(measured, expected)
        return non_compliant(
            measured, expected, gettext("选民名单公布距选举日不足 %(n)s 日。") % {"n": days}
        )


# --- N18-08a / SD-11b: the method recorded and allowed --------------------------------------------


class RepsRangeField(forms.Field):
    """``[min, max]`` representatives per residents' group, both included."""

    def to_python(self, value):
        if value in (None, "", []):
            return None
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(type(v) is int for v in value)
            or not 1 <= value[0] <= value[1] <= 9
        ):
            raise forms.ValidationError(_("应为 [最少, 最多] 两个 1 到 9 之间的整数,如 [2, 3]。"))
        return list(value)


class MethodParams(ParamsForm):
    allowed = ChoiceListField(
        label=_("允许的选举方式"),
        choices=METHOD_NAMES,
        example='["direct", "household", "group_representative"]',
    )
    reps_per_group = RepsRangeField(label=_("每个居民小组推选代表人数"), required=False)


@register
class ElectionMethod(ElectionRule):
    """The method is one of those allowed; a residents'-representative election has 2–3
    representatives per group when the standard says so. Value: ``(method, reps per group)``."""

    key = "election.method"
    label = _("选举方式")
    params_form = MethodParams

    def value(self, election, candidates):
        return (election.method, election.reps_per_group)

    def judge(self, value, params, *, as_of):
        allowed = params["allowed"]
        reps = params.get("reps_per_group")
        expected = "、".join(str(METHOD_NAMES[m]) for m in allowed)
        if reps and Election.Method.GROUP_REPRESENTATIVE in allowed:
            expected += gettext("(居民代表每组 %(a)s–%(b)s 人)") % {"a": reps[0], "b": reps[1]}
        if value is None:
            return no_data("elections.counting", expected, str(NO_ELECTION))
        method, per_group = value
        measured = str(METHOD_NAMES.get(method, method))
        if per_group is not None:
            measured += gettext("(每组 %(n)s 人)") % {"n": per_group}
        if method not in allowed:
            return non_compliant(measured, expected, gettext("所用选举方式不在规定的方式之内。"))
        if method == Election.Method.GROUP_REPRESENTATIVE and reps:
            if per_group is None:
                return no_data(
                    "elections.counting", expected, gettext("尚未登记每个居民小组推选代表人数。")
                )
            if not reps[0] <= per_group <= reps[1]:
                return non_compliant(
                    measured,
                    expected,
                    gettext("每个居民小组推选代表 %(n)s 人,应为 %(a)s 至 %(b)s 人。")
                    % {"n": per_group, "a": reps[0], "b": reps[1]},
                )
        return compliant(measured, expected)


# --- N18-08b / N25-term: the term, and the next election on time ----------------------------------


class TermParams(ParamsForm):
    max_years = forms.IntegerField(label=_("每届任期(年)"), min_value=1, max_value=10)


@register
class TermLength(ElectionRule):
    """The current term (from the latest certified general election whose term has started)
    lasts at most ``max_years``, and has not ended: a term that has ended without a newer
    certified general election is an overdue election. Value: ``(term number, term starts,
    term ends)``."""

    key = "election.term_length"
    label = _("任期与按期换届")
    params_form = TermParams

    which = "certified"

    def value(self, election, candidates):
        if election.term_starts_on is None or election.term_ends_on is None:
            return None  # not certified yet: no term to judge
        return (election.term_number, election.term_starts_on, election.term_ends_on)

    def judge(self, value, params, *, as_of):
        years = params["max_years"]
        expected = gettext("每届任期 %(n)s 年,届满前完成换届选举") % {"n": years}
        if value is None:
            return no_data(
                "elections.counting", expected, gettext("尚未登记经街道确认的换届选举。")
            )
        number, starts, ends = value
        measured = gettext("第%(n)s届任期 %(start)s 至 %(end)s") % {
            "n": number,
            "start": starts.isoformat(),
            "end": ends.isoformat(),
        }
        if ends > add_years(starts, years):
            return non_compliant(measured, expected, gettext("任期超过 %(n)s 年。") % {"n": years})
        if as_of > ends:
            return non_compliant(
                measured,
                expected,
                gettext("换届选举逾期:本届任期已于 %(end)s 届满,已逾期 %(days)s 天。")
                % {"end": ends.isoformat(), "days": (as_of - ends).days},
            )
        left = (ends - as_of).days
        return compliant(measured, expected, gettext("距任期届满还有 %(n)s 天。") % {"n": left})


# --- N18-08c: candidates aged 18 or more on election day ------------------------------------------


class AgeParams(ParamsForm):
    min_age = forms.IntegerField(label=_("最低年龄"), min_value=1, max_value=99)


@register
class CandidateAge(ElectionRule):
    """Every candidate of at least ``min_age`` years on election day (from the birth date, or
    else the ID number). Value: ``((ages known, sorted), number of candidates of unknown
    age)``."""

    key = "election.candidate_age"
    label = _("候选人年龄")
    params_form = AgeParams
    needs_candidates = True

    def value(self, election, candidates):
        ages = [
            age_on(birth_date_of(c.birth_date, c.id_number), election.election_day)
            for c in candidates
        ]
        return (tuple(sorted(a for a in ages if a is not None)), sum(a is None for a in ages))

    def judge(self, value, params, *, as_of):
        minimum = params["min_age"]
        expected = gettext("选举日年满 %(n)s 周岁") % {"n": minimum}
        if value is None:
            return no_data("elections.counting", expected, str(NO_ELECTION))
        ages, unknown = value
        if not ages and not unknown:
            return no_data("elections.counting", expected, gettext("尚未登记候选人。"))
        measured = gettext("候选人 %(n)s 名") % {"n": len(ages) + unknown}
        if ages:
            measured += gettext(",最小 %(age)s 周岁") % {"age": ages[0]}
        under = [a for a in ages if a < minimum]
        if under:
            return non_compliant(
                measured,
                expected,
                gettext("%(n)s 名候选人在选举日未满 %(min)s 周岁。")
                % {"n": len(under), "min": minimum},
            )
        if unknown:
            return no_data(
                "committee.roster",
                expected,
                gettext("%(n)s 名候选人缺少出生日期或身份证号,无法核对年龄。") % {"n": unknown},
            )
        return compliant(measured, expected)


# --- GD-06a: direct-election rate over a jurisdiction ---------------------------------------------


@register
class DirectElectionRate(JurisdictionRule):
    """Communities whose current committee (latest certified general election whose term has
    started) was chosen by direct election, over the communities with such an election
    recorded: a community without one is not counted either way. ``(part, whole)``."""

    key = "jurisdiction.direct_election_rate"
    label = _("社区居委会直接选举比例")
    params_form = ShareTargetsParams

    def measure_divisions(self, prefix, length, as_of, codes=None):
        method = (
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
            .annotate(last_method=Subquery(method))
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

    def judge(self, value, params, *, as_of):
        return judge_share(value, params, as_of=as_of, noun=gettext("已登记换届选举的社区"))
