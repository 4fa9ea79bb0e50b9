"""Writes of elections: each step, the results computed and frozen, certification, corrections.

Every write validates the whole election across its steps (``*_errors`` return
``{field: message}`` in Chinese, and forms show the same messages next to their fields), saves,
records who did it, recomputes who is elected with the rules in force and re-judges the
community. A certified election is closed: only ``election_correct`` changes it, as a recorded
act of the street office or a bureau.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Membership, Organization, membership_active_q, organization_active_q
from committees.services import membership_save
from compliance.engine import reevaluate_community
from compliance.rules import meets_fraction
from core import access, audit
from core.dates import add_years
from core.meta import model_field
from core.models import User
from elections.counting import (
    POSITION_NAMES,
    ElectionRules,
    candidate_age,
    election_rules,
    fraction_words,
    frozen_results,
    results_of,
)
from elections.models import Election, ElectionCandidate, ElectionCorrection

if TYPE_CHECKING:
    pass

MAX_VOTERS = 1_000_000
EARLIEST_DAY = datetime.date(1980, 1, 1)
PLAN_AHEAD_DAYS = 366
SEAT_FIELDS = {
    "director": "seats_director",
    "deputy_director": "seats_deputy",
    "member": "seats_member",
}

Errors = dict[str, str]


def _save(instance: models.Model, actor: User) -> None:
    audit.save_as(instance, actor=actor)


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def candidates_of(election: Election) -> list[ElectionCandidate]:
    if election.pk is None:
        return []
    return list(election.candidates.select_related("person").order_by("pk"))


def electorate_label(election: Election) -> str:
    if election.method == Election.Method.HOUSEHOLD:
        return _("参加选举的户数")
    if election.method == Election.Method.GROUP_REPRESENTATIVE:
        return _("居民代表人数")
    return _("登记选民数")


def check_open(election: Election) -> None:
    """Refuse any change to a certified election (as stored, not as edited in memory)."""
    if election.pk and Election.objects.filter(pk=election.pk, certified_on__isnull=False).exists():
        raise ValidationError(
            _("这次选举已经确认,不能直接修改;如需更正,请由街道办事处或民政部门登记更正。")
        )


def voter_list_done(election: Election) -> bool:
    return (
        election.voter_list_published_on is not None
        and election.registered_voters is not None
        and (not election.is_representative or election.voting_units is not None)
    )


def missing_candidates(election: Election, candidates: list[ElectionCandidate]) -> list[str]:
    return [
        str(POSITION_NAMES[position])
        for position, seats in election.seats.items()
        if seats and not any(c.position == position for c in candidates)
    ]


# --- validation across the steps ---------------------------------------------------------------


def plan_errors(
    election: Election, candidates: list[ElectionCandidate], today: datetime.date
) -> Errors:
    errors: Errors = {}
    group = Election.Method.GROUP_REPRESENTATIVE
    if election.method == group and election.reps_per_group is None:
        errors["reps_per_group"] = _("居民代表选举请填写每个居民小组推选代表人数。")
    if election.method != group and election.reps_per_group is not None:
        errors["reps_per_group"] = _("只有居民代表选举填写每个居民小组推选代表人数。")
    if election.kind == Election.Kind.GENERAL and election.seats_director != 1:
        errors["seats_director"] = _("换届选举应选主任 1 名。")
    if election.total_seats < 1:
        errors["seats_member"] = _("应选名额合计至少为 1 名。")
    for position, field in SEAT_FIELDS.items():
        if not election.seats[position] and any(c.position == position for c in candidates):
            errors[field] = _("已登记%(position)s候选人,应选名额不能为 0。") % {
                "position": POSITION_NAMES[position]
            }
    day = election.election_day
    if day < EARLIEST_DAY:
        errors["election_day"] = _("选举日不能早于 1980 年。")
    elif day > today + datetime.timedelta(days=PLAN_AHEAD_DAYS):
        errors["election_day"] = _("选举日不能晚于一年以后。")
    elif election.voter_list_published_on and day < election.voter_list_published_on:
        errors["election_day"] = _("选举日不能早于选民名单公布日期(%(d)s)。") % {
            "d": election.voter_list_published_on.isoformat()
        }
    elif election.has_voting and day > today:
        errors["election_day"] = _("已登记投票结果,选举日不能晚于今天。")
    elif election.rerun_day and day > election.rerun_day:
        errors["election_day"] = _("选举日不能晚于另行选举日期(%(d)s)。") % {
            "d": election.rerun_day.isoformat()
        }
    if election.pk and election.has_voting:
        stored = Election.objects.filter(pk=election.pk).values_list("method", flat=True).first()
        if stored and stored != election.method:
            errors["method"] = _("已登记投票结果,不能再更改选举方式。")
    return errors


def voter_list_errors(election: Election, today: datetime.date) -> Errors:
    errors: Errors = {}
    published = election.voter_list_published_on
    if published is None:
        errors["voter_list_published_on"] = _("请填写选民名单公布日期。")
    elif published > today:
        errors["voter_list_published_on"] = _("公布日期不能晚于今天;尚未公布请不要填写。")
    elif published > election.election_day:
        errors["voter_list_published_on"] = _(
            "选民名单公布日期不能晚于选举日(%(d)s):选举日不能早于名单公布日期。"
        ) % {"d": election.election_day.isoformat()}
    elif published < election.election_day - datetime.timedelta(days=PLAN_AHEAD_DAYS):
        errors["voter_list_published_on"] = _("公布日期早于选举日一年以上,请核对。")
    registered = election.registered_voters
    if registered is None or registered < 1:
        errors["registered_voters"] = _("登记选民数至少为 1。")
    elif registered > MAX_VOTERS:
        errors["registered_voters"] = _("登记选民数不能超过 100 万,请核对。")
    units = election.voting_units
    if election.is_representative:
        if units is None or units < 1:
            errors["voting_units"] = _("%(method)s请填写%(what)s。") % {
                "method": election.get_method_display(),
                "what": electorate_label(election),
            }
        elif registered is not None and units > registered:
            errors["voting_units"] = _("%(what)s不能超过登记选民数(%(n)s)。") % {
                "what": electorate_label(election),
                "n": registered,
            }
    elif units is not None:
        errors["voting_units"] = _("直接选举不填户代表或居民代表数。")
    electorate = election.electorate
    issued = max(election.ballots_issued or 0, election.rerun_ballots_issued or 0)
    if not errors and electorate is not None and issued > electorate:
        field = "voting_units" if election.is_representative else "registered_voters"
        errors[field] = _("已登记发出选票 %(n)s 张,%(what)s不能少于此数。") % {
            "n": issued,
            "what": electorate_label(election),
        }
    return errors


def ballot_errors(
    election: Election,
    issued: int | None,
    cast: int | None,
    valid: int | None,
    invalid: int | None,
    prefix: str = "",
) -> Errors:
    """Ballots of one round against each other and against the electorate."""
    errors: Errors = {}
    names = {k: f"{prefix}ballots_{k}" for k in ("issued", "cast", "valid", "invalid")}
    for key, value in (("issued", issued), ("cast", cast), ("valid", valid), ("invalid", invalid)):
        if value is None:
            errors[names[key]] = _("请填写选票数。")
        elif value < 0:
            errors[names[key]] = _("选票数不能为负数。")
    if errors or issued is None or cast is None or valid is None or invalid is None:
        return errors
    electorate = election.electorate
    if electorate is not None and issued > electorate:
        errors[names["issued"]] = _("发出选票(%(n)s)不能多于%(what)s(%(m)s)。") % {
            "n": issued,
            "what": electorate_label(election),
            "m": electorate,
        }
    if electorate is not None and cast > electorate:
        errors[names["cast"]] = _("参加投票人数(%(n)s)不能多于%(what)s(%(m)s)。") % {
            "n": cast,
            "what": electorate_label(election),
            "m": electorate,
        }
    elif cast > issued:
        errors[names["cast"]] = _("收回选票(%(n)s)不能多于发出选票(%(m)s)。") % {
            "n": cast,
            "m": issued,
        }
    if valid > cast:
        errors[names["valid"]] = _("有效票(%(n)s)不能多于收回选票(%(m)s)。") % {
            "n": valid,
            "m": cast,
        }
    elif valid + invalid != cast:
        errors[names["invalid"]] = _("有效票与无效票之和(%(sum)s)应等于收回选票数(%(cast)s)。") % {
            "sum": valid + invalid,
            "cast": cast,
        }
    return errors


def voting_errors(
    election: Election, candidates: list[ElectionCandidate], today: datetime.date
) -> Errors:
    if not voter_list_done(election):
        return {"__all__": _("请先完成选民登记(公布选民名单),再登记投票情况。")}
    absent = missing_candidates(election, candidates)
    if absent:
        return {
            "__all__": _("请先登记候选人:%(positions)s尚无候选人。")
            % {"positions": "、".join(absent)}
        }
    if election.election_day > today:
        return {
            "__all__": _("选举日(%(d)s)尚未到,不能登记投票结果。")
            % {"d": election.election_day.isoformat()}
        }
    errors = ballot_errors(
        election,
        election.ballots_issued,
        election.ballots_cast,
        election.ballots_valid,
        election.ballots_invalid,
    )
    recorded = [c.votes for c in candidates if c.votes is not None]
    valid = election.ballots_valid
    if not errors and recorded and valid is not None and max(recorded) > valid:
        errors["ballots_valid"] = _("已登记的候选人得票(最多 %(n)s 票)不能多于有效票。") % {
            "n": max(recorded)
        }
    return errors


def votes_errors(
    valid: int,
    seats: dict[str, int],
    votes: Mapping[ElectionCandidate, int | None],
    field: str = "votes",
) -> Errors:
    """Each candidate's votes within the valid ballots, and each position's sum within what the
    valid ballots can hold (a ballot marks at most as many names as there are seats)."""
    errors: Errors = {}
    for candidate, value in votes.items():
        name = f"{field}_{candidate.pk}"
        if value is None:
            errors[name] = _("请填写得票数。")
        elif value < 0:
            errors[name] = _("得票不能为负数。")
        elif value > valid:
            errors[name] = _("得票(%(n)s)不能多于有效票(%(m)s 张)。") % {"n": value, "m": valid}
    if errors:
        return errors
    for position, seat_count in seats.items():
        mine = [(c, v) for c, v in votes.items() if c.position == position]
        total = sum(v for _c, v in mine if v is not None)
        if mine and total > valid * seat_count:
            errors[f"{field}_{mine[0][0].pk}"] = _(
                "%(position)s候选人得票合计(%(n)s)超过有效票 × 应选名额(%(m)s)。"
            ) % {"position": POSITION_NAMES[position], "n": total, "m": valid * seat_count}
    return errors


def candidate_errors(
    election: Election,
    candidate: ElectionCandidate,
    candidates: list[ElectionCandidate],
    rules: ElectionRules,
) -> Errors:
    errors: Errors = {}
    if not voter_list_done(election):
        return {"__all__": _("请先完成选民登记(公布选民名单),再登记候选人。")}
    if election.has_voting:
        return {"__all__": _("已登记投票结果,不能再增加候选人。")}
    person = candidate.person
    if person.community_id != election.community_id:
        errors["person"] = _("候选人必须是本社区登记的人员。")
    elif any(c.person_id == person.pk for c in candidates if c.pk != candidate.pk):
        errors["person"] = _("此人已是本次选举的候选人。")
    else:
        age = candidate_age(candidate, election.election_day)
        if age is not None and age < rules.min_age:
            errors["person"] = _(
                "候选人在选举日(%(d)s)年仅 %(age)s 周岁,未满 %(min)s 周岁,没有被选举权。"
            ) % {"d": election.election_day.isoformat(), "age": age, "min": rules.min_age}
    if not election.seats.get(candidate.position):
        errors["position"] = _("本次选举不选%(position)s。") % {
            "position": POSITION_NAMES.get(candidate.position, candidate.position)
        }
    return errors


# --- results, computed and frozen ----------------------------------------------------------------


def refresh_outcomes(election: Election, actor: User) -> None:
    """Compute who is elected with the rules in force on the day and freeze it on the
    candidates with the rule used; clear it while the results are incomplete."""
    candidates = candidates_of(election)
    rules = election_rules(election.community.code, election.final_day)
    results = results_of(election, candidates, rules)
    for candidate in candidates:
        outcome = results.outcomes[candidate.pk]
        if candidate.outcome != outcome:
            candidate.outcome = outcome
            _save(candidate, actor)
    cite = rules.cite[:200] if results.complete else ""
    if election.result_rule != cite:
        election.result_rule = cite
        _save(election, actor)


def _after_change(election: Election, actor: User) -> Election:
    refresh_outcomes(election, actor)
    reevaluate_community(election.community)
    return election


@transaction.atomic
def election_plan(*, actor: User, election: Election) -> Election:
    """Create or re-plan an election (step 1). Direct elections keep no representatives count."""
    check_open(election)
    if not election.is_representative:
        election.voting_units = None
    _raise(plan_errors(election, candidates_of(election), timezone.localdate()))
    _save(election, actor)
    return _after_change(election, actor)


@transaction.atomic
def voter_list_publish(*, actor: User, election: Election) -> Election:
    check_open(election)
    _raise(voter_list_errors(election, timezone.localdate()))
    _save(election, actor)
    return _after_change(election, actor)


@transaction.atomic
def candidate_add(
    *, actor: User, election: Election, candidate: ElectionCandidate
) -> ElectionCandidate:
    check_open(election)
    rules = election_rules(election.community.code, election.election_day)
    candidate.election = election
    _raise(candidate_errors(election, candidate, candidates_of(election), rules))
    _save(candidate, actor)
    _after_change(election, actor)
    return candidate


@transaction.atomic
def candidate_remove(*, actor: User, election: Election, candidate: ElectionCandidate) -> None:
    check_open(election)
    if election.has_voting:
        raise ValidationError(_("已登记投票结果,不能再删除候选人。"))
    audit.record_actor(candidate, actor)
    candidate.delete()
    _after_change(election, actor)


@transaction.atomic
def voting_record(*, actor: User, election: Election) -> Election:
    check_open(election)
    _raise(voting_errors(election, candidates_of(election), timezone.localdate()))
    _save(election, actor)
    return _after_change(election, actor)


@transaction.atomic
def results_record(*, actor: User, election: Election, votes: dict[int, int | None]) -> Election:
    """Votes per candidate (step 5): who is elected follows from them."""
    check_open(election)
    valid = election.ballots_valid
    if not election.has_voting or valid is None:
        raise ValidationError(_("请先登记投票情况(发出、收回、有效和无效选票),再登记得票。"))
    candidates = candidates_of(election)
    given = {c: votes.get(c.pk) for c in candidates}
    _raise(votes_errors(valid, election.seats, given))
    for candidate, value in given.items():
        if candidate.votes != value:
            candidate.votes = value
            _save(candidate, actor)
    return _after_change(election, actor)


def rerun_places(election: Election, candidates: list[ElectionCandidate]) -> dict[str, int]:
    """Seats the first round left unfilled, by position (from the frozen results)."""
    results = frozen_results(election, candidates)
    if not results.complete:
        return {}
    return {
        p.position: p.unfilled_after_first for p in results.positions if p.unfilled_after_first > 0
    }


def rerun_candidates(
    election: Election, candidates: list[ElectionCandidate]
) -> list[ElectionCandidate]:
    """Those who may stand in the re-run: not elected in the first round, in a position with
    seats left (第一次投票未当选的人员)."""
    places = rerun_places(election, candidates)
    return [
        c
        for c in candidates
        if c.position in places and c.outcome != ElectionCandidate.Outcome.ELECTED
    ]


def rerun_errors(
    election: Election,
    candidates: list[ElectionCandidate],
    votes: dict[ElectionCandidate, int | None],
    today: datetime.date,
) -> Errors:
    results = frozen_results(election, candidates)
    if not results.complete:
        return {"__all__": _("请先登记第一次投票的计票结果。")}
    places = rerun_places(election, candidates)
    if not places:
        return {"__all__": _("第一次投票已选足应选名额,无需另行选举。")}
    errors: Errors = {}
    day = election.rerun_day
    if day is None:
        errors["rerun_day"] = _("请填写另行选举日期。")
    elif day < election.election_day:
        errors["rerun_day"] = _("另行选举日期不能早于选举日(%(d)s)。") % {
            "d": election.election_day.isoformat()
        }
    elif day > today:
        errors["rerun_day"] = _("另行选举日期不能晚于今天。")
    errors.update(
        ballot_errors(
            election,
            election.rerun_ballots_issued,
            election.rerun_ballots_cast,
            election.rerun_ballots_valid,
            election.rerun_ballots_invalid,
            prefix="rerun_",
        )
    )
    valid = election.rerun_ballots_valid
    if errors or valid is None:
        return errors
    entered = {c: v for c, v in votes.items() if v is not None}
    if not entered:
        return {"__all__": _("请至少填写一名另行选举候选人的得票。")}
    return votes_errors(valid, places, entered, field="rerun_votes")


@transaction.atomic
def rerun_record(*, actor: User, election: Election, votes: dict[int, int | None]) -> Election:
    """The re-run for unfilled seats (另行选举): its ballots on the election, votes on the
    candidates who stood in it (blank for those who did not)."""
    check_open(election)
    candidates = candidates_of(election)
    eligible = rerun_candidates(election, candidates)
    given = {c: votes.get(c.pk) for c in eligible}
    _raise(rerun_errors(election, candidates, given, timezone.localdate()))
    _save(election, actor)
    for candidate in candidates:
        value = given.get(candidate)
        if candidate.rerun_votes != value:
            candidate.rerun_votes = value
            _save(candidate, actor)
    return _after_change(election, actor)


# --- certification and correction ----------------------------------------------------------------


def residents_committee(election: Election, on: datetime.date, actor: User) -> Organization:
    """The community's committee on the day the new term starts; created if none is recorded."""
    community = election.community
    found = (
        community.organizations.filter(
            organization_active_q(on), kind=Organization.Kind.RESIDENTS_COMMITTEE
        )
        .order_by("pk")
        .first()
    )
    if found:
        return found
    organization = Organization(
        community=community,
        kind=Organization.Kind.RESIDENTS_COMMITTEE,
        name=community.name,
        established_on=None,
    )
    _save(organization, actor)
    return organization


def current_term_end(election: Election) -> datetime.date | None:
    """For a by-election: the end of the term it completes (the latest certified general
    election's)."""
    return (
        Election.objects.filter(
            community=election.community,
            kind=Election.Kind.GENERAL,
            certified_on__isnull=False,
            term_starts_on__lte=election.final_day,
            term_ends_on__gt=election.final_day,
        )
        .order_by("-term_starts_on")
        .values_list("term_ends_on", flat=True)
        .first()
    )


def certification_errors(
    election: Election,
    candidates: list[ElectionCandidate],
    rules: ElectionRules,
    on: datetime.date,
    today: datetime.date,
) -> Errors:
    results = frozen_results(election, candidates)
    cast, electorate = election.ballots_cast, election.electorate
    # Ballots are recorded only within the electorate (a constraint): it is known then.
    if cast is None or electorate is None or not candidates or not results.complete:
        return {"__all__": _("计票结果尚未登记完整,不能确认。")}
    if not meets_fraction(cast, electorate, rules.turnout):
        return {
            "__all__": _(
                "参加投票 %(cast)s 人,未达%(what)s的%(words)s(%(code)s),选举无效,不能确认;"
                "请重新组织选举。"
            )
            % {
                "cast": election.ballots_cast,
                "what": electorate_label(election),
                "words": fraction_words(rules.turnout),
                "code": rules.turnout_code or _("默认"),
            }
        }
    if on < election.final_day:
        return {"certified_on": _("确认日期不能早于选举日(%(d)s)。") % {"d": election.final_day}}
    if on > today:
        return {"certified_on": _("确认日期不能晚于今天。")}
    return {}


@transaction.atomic
def election_certify(*, actor: User, election: Election, on: datetime.date) -> Election:
    """The street office certifies: the elected take office on the day of the last round, for
    the term in force (a by-election completes the current term), and a general election ends
    the previous term's committee memberships. Nothing is deleted: history stays."""
    if not access.can_certify(actor, election.community.code):
        raise PermissionDenied
    check_open(election)
    candidates = candidates_of(election)
    start = election.final_day
    rules = election_rules(election.community.code, start)
    _raise(certification_errors(election, candidates, rules, on, timezone.localdate()))
    general = election.kind == Election.Kind.GENERAL
    end = (None if general else current_term_end(election)) or add_years(start, rules.term_years)
    committee = residents_committee(election, start, actor)
    # A re-elected member keeps working full time (专职): the flag goes with the person from the
    # seat held the day before the new term into the new one.
    full_time = set(
        Membership.objects.filter(
            membership_active_q(start - datetime.timedelta(days=1)),
            organization=committee,
            position__in=Membership.COMMITTEE_POSITIONS,
            full_time=True,
        ).values_list("person_id", flat=True)
    )
    if general:
        previous = Membership.objects.filter(
            membership_active_q(start - datetime.timedelta(days=1)),
            organization=committee,
            position__in=Membership.COMMITTEE_POSITIONS,
            start_date__lt=start,
        ).select_related("person", "organization")
        for membership in previous:
            membership.end_date = max(membership.start_date, start - datetime.timedelta(days=1))
            membership.end_reason = _("换届(第%(n)s届选举)") % {"n": election.term_number}
            membership_save(actor=actor, membership=membership, reevaluate=False)
    for candidate in candidates:
        if candidate.is_elected:
            candidate.membership = _take_office(
                candidate,
                committee,
                start,
                end,
                actor,
                full_time=candidate.person_id in full_time,
            )
            _save(candidate, actor)
    election.certified_on = on
    election.certified_by = actor
    election.term_starts_on = start
    election.term_ends_on = end
    _save(election, actor)
    reevaluate_community(election.community)
    return election


def _take_office(
    candidate: ElectionCandidate,
    committee: Organization,
    start: datetime.date,
    end: datetime.date,
    actor: User,
    *,
    full_time: bool = False,
) -> Membership:
    membership = Membership(
        person=candidate.person,
        organization=committee,
        position=candidate.position,
        start_date=start,
        term_ends_on=end,
        full_time=full_time,
        source=Membership.Source.ELECTED,
    )
    return membership_save(actor=actor, membership=membership, reevaluate=False)


def _snapshot(election: Election, candidates: Iterable[ElectionCandidate]) -> dict[str, object]:
    values: dict[str, object] = {
        str(model_field(Election, name).verbose_name): getattr(election, name)
        for name in CORRECTABLE_FIELDS
    }
    for c in candidates:
        who = {"name": c.person.name, "position": c.get_position_display()}
        values[_("%(name)s(%(position)s)得票") % who] = c.votes
        if election.has_rerun:
            values[_("%(name)s(%(position)s)另行选举得票") % who] = c.rerun_votes
    return values


CORRECTABLE_FIELDS = (
    "ballots_issued",
    "ballots_cast",
    "ballots_valid",
    "ballots_invalid",
    "rerun_ballots_issued",
    "rerun_ballots_cast",
    "rerun_ballots_valid",
    "rerun_ballots_invalid",
)


def correction_errors(
    election: Election,
    candidates: list[ElectionCandidate],
    votes: dict[ElectionCandidate, int | None],
    rerun_votes: dict[ElectionCandidate, int | None],
) -> Errors:
    errors = ballot_errors(
        election,
        election.ballots_issued,
        election.ballots_cast,
        election.ballots_valid,
        election.ballots_invalid,
    )
    if election.has_rerun:
        errors.update(
            ballot_errors(
                election,
                election.rerun_ballots_issued,
                election.rerun_ballots_cast,
                election.rerun_ballots_valid,
                election.rerun_ballots_invalid,
                prefix="rerun_",
            )
        )
    valid, rerun_valid = election.ballots_valid, election.rerun_ballots_valid
    if errors or valid is None:
        return errors
    errors.update(votes_errors(valid, election.seats, votes))
    if election.has_rerun and rerun_valid is not None:
        entered = {c: v for c, v in rerun_votes.items() if v is not None}
        for c, v in entered.items():
            if v < 0 or v > rerun_valid:
                errors[f"rerun_votes_{c.pk}"] = _("得票(%(n)s)不能多于有效票(%(m)s 张)。") % {
                    "n": v,
                    "m": election.rerun_ballots_valid,
                }
    return errors


@transaction.atomic
def election_correct(
    *,
    actor: User,
    election: Election,
    reason: str,
    votes: dict[int, int | None],
    rerun_votes: dict[int, int | None],
) -> ElectionCorrection:
    """Correct a certified election's counts: a new act with its reason. Who is elected is
    recomputed; a member no longer elected leaves office the day before, one newly elected
    takes office today, both with the election's term."""
    if not access.can_certify(actor, election.community.code):
        raise PermissionDenied
    stored = Election.objects.get(pk=election.pk)
    if not stored.is_certified:
        raise ValidationError(_("这次选举尚未确认,请直接修改计票结果。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明更正原因。")})
    candidates = candidates_of(election)
    before = _snapshot(stored, candidates_of(stored))
    given = {c: votes.get(c.pk) for c in candidates}
    given_rerun = {c: rerun_votes.get(c.pk) for c in candidates} if election.has_rerun else {}
    _raise(correction_errors(election, candidates, given, given_rerun))
    for c in candidates:
        c.votes = given[c]
        if election.has_rerun:
            c.rerun_votes = given_rerun[c]
    rules = election_rules(election.community.code, election.final_day)
    results = results_of(election, candidates, rules)
    cast, electorate = election.ballots_cast, election.electorate
    if cast is None or electorate is None or not meets_fraction(cast, electorate, rules.turnout):
        raise ValidationError(
            {"ballots_cast": _("更正后参加投票人数未过半数,选举无效;请按规定重新组织选举。")}
        )
    after = _snapshot(election, candidates)
    changes = [[k, before.get(k), v] for k, v in after.items() if before.get(k) != v]
    if not changes:
        raise ValidationError(_("没有任何更正内容。"))
    today = timezone.localdate()
    for c in candidates:
        c.outcome = results.outcomes[c.pk]
    # Those who leave first, so that a new director never overlaps the one corrected away.
    for c in candidates:
        if not c.is_elected and c.membership is not None:
            _leave_office(c.membership, today, actor)
            c.membership = None
    starts, ends = election.term_starts_on, election.term_ends_on
    assert starts is not None and ends is not None  # a certified election's term
    committee = None
    for c in candidates:
        if c.is_elected and c.membership_id is None:
            committee = committee or residents_committee(election, today, actor)
            c.membership = _take_office(c, committee, max(today, starts), ends, actor)
        _save(c, actor)
    election.result_rule = rules.cite[:200]
    _save(election, actor)
    correction = ElectionCorrection(
        election=election,
        made_by=actor,
        reason=reason,
        changes=[[k, _json(b), _json(a)] for k, b, a in changes],
    )
    correction.full_clean()
    correction.save()
    reevaluate_community(election.community)
    return correction


def _json(value):
    return value if value is None or isinstance(value, int | str) else str(value)


def _leave_office(membership: Membership, today: datetime.date, actor: User) -> None:
    """A corrected result takes someone out of office: from the day before the correction (the
    row stays, with its reason); a term that had not started yet is simply withdrawn."""
    audit.record_actor(membership, actor)
    if membership.start_date >= today:
        membership.delete()
        return
    membership.end_date = today - datetime.timedelta(days=1)
    membership.end_reason = _("选举结果更正")
    membership_save(actor=actor, membership=membership, reevaluate=False)
