"""Compliance rules on communities and their committees."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django import forms
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models import Value as V
from django.db.models.functions import Substr
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from committees.models import (
    Membership,
    Organization,
    Person,
    membership_active_q,
    organization_active_q,
    staff_q,
)
from committees.selectors import active_organizations
from compliance.rules import (
    SQL_CODES_LIMIT,
    JurisdictionRule,
    ParamsForm,
    Rule,
    ShareField,
    ShareTargetsParams,
    StrictBooleanField,
    Verdict,
    community_ids,
    compliant,
    division_scope,
    fmt_int,
    fmt_share,
    judge_share,
    meets_fraction,
    no_data,
    non_compliant,
    not_applicable,
    register,
    register_missing,
    shared_measure,
)
from core.dates import months_before
from divisions.models import Community

register_missing("community.households", _("常住户数"), "committees:community_edit")


class HouseholdsRangeParams(ParamsForm):
    min = forms.IntegerField(label=_("最少户数"), required=False, min_value=0)
    max = forms.IntegerField(label=_("最多户数"), required=False, min_value=1)
    # GD-01 also says one committee per community; checked once committees are recorded.
    committees_per_community = forms.IntegerField(
        label=_("每社区居委会数"), required=False, min_value=1
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("min"), data.get("max")
        if "min" in self.errors or "max" in self.errors:
            return data  # a bad bound is reported on its own field
        if low is None and high is None:
            raise forms.ValidationError(_("至少要填写最少户数或最多户数之一。"))
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(_("最少户数不能大于最多户数。"))
        return data


def households_band(params: dict) -> str:
    low, high = params.get("min"), params.get("max")
    if low is not None and high is not None:
        return _("%(low)s–%(high)s 户") % {"low": f"{low:,}", "high": f"{high:,}"}
    if low is not None:
        return _("不少于 %(n)s 户") % {"n": f"{low:,}"}
    return _("不超过 %(n)s 户") % {"n": f"{high:,}"}


@register
class HouseholdsRange(Rule):
    """Community size in resident households, both bounds inclusive (一般在…范围内)."""

    key = "community.households_range"
    label = _("社区规模(常住户数)")
    params_form = HouseholdsRangeParams

    def measure(self, communities: QuerySet, as_of: datetime.date) -> dict[int, int | None]:
        return dict(communities.values_list("id", "households"))

    def judge(self, value: int | None, params: dict, *, as_of: datetime.date) -> Verdict:
        expected = households_band(params)
        if value is None:
            return no_data("community.households", expected, _("尚未填报常住户数。"))
        measured = fmt_int(value, _(" 户"))
        low, high = params.get("min"), params.get("max")
        if low is not None and value < low:
            return non_compliant(measured, expected, _("户数少于标准下限。"))
        if high is not None and value > high:
            return non_compliant(measured, expected, _("户数超过标准上限。"))
        return compliant(measured, expected)


# --- committees, organizations, party, training and staff -------------------------------------
#
# Facts come from organizations, people and memberships as recorded on the date of evaluation:
# a membership is active on D when it started on or before D and has not ended before D; an
# organization is active on D when it was established on or before D (or the date is unknown)
# and not dissolved on or before D. Each measure is one to three queries, whatever the number
# of communities; each judge is pure, and its value is hashable so that verdicts can be shared.

register_missing("committee.roster", _("居委会成员名单"), "committees:people")
register_missing("committee.party", _("社区党组织"), "committees:people")
register_missing("committee.organizations", _("社区组织"), "committees:people")
register_missing("community.occupancy", _("入住率"), "committees:community_edit")

HAN = "汉族"
RESIDENTS_COMMITTEE = Organization.Kind.RESIDENTS_COMMITTEE
# Which party organization is "the" community's when several are active (a general branch with
# building branches under it, say): the highest rank.
PARTY_RANK = {
    Organization.Kind.PARTY_COMMITTEE: 3,
    Organization.Kind.PARTY_GENERAL_BRANCH: 2,
    Organization.Kind.PARTY_BRANCH: 1,
}
# A division filter of at most this many codes is done in SQL (indexed prefixes), else in Python.


def committee_member_q(on: datetime.date) -> Q:
    """Memberships that make their person a member of an active residents' committee."""
    return (
        membership_active_q(on)
        & organization_active_q(on, "organization__")
        & Q(
            organization__kind=RESIDENTS_COMMITTEE,
            position__in=Membership.COMMITTEE_POSITIONS,
        )
    )


def ceil_div(part: int, whole: int) -> int:
    return -(-part // whole)


def people_band(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return gettext("%(low)s–%(high)s 人") % {"low": low, "high": high}
    if low is not None:
        return gettext("≥ %(n)s 人") % {"n": low}
    return gettext("≤ %(n)s 人") % {"n": high}


@shared_measure
def committee_ids(communities: QuerySet, as_of: datetime.date) -> set[int]:
    """Communities with an active residents' committee (one query)."""
    return set(
        Organization.objects.filter(
            organization_active_q(as_of),
            kind=RESIDENTS_COMMITTEE,
            community__in=communities.values("pk"),
        )
        .values_list("community_id", flat=True)
        .order_by()
        .distinct()
    )


@shared_measure
def committee_counts(
    communities: QuerySet, as_of: datetime.date
) -> dict[int, tuple[int, int, int]]:
    """``{community_id: (members, women, non-Han members)}`` for communities with an active
    committee (a committee with nobody on it counts 0), in one query."""
    member = membership_active_q(as_of, "memberships__") & Q(
        memberships__position__in=Membership.COMMITTEE_POSITIONS
    )
    person = "memberships__person"
    rows = (
        Organization.objects.filter(
            organization_active_q(as_of),
            kind=RESIDENTS_COMMITTEE,
            community__in=communities.values("pk"),
        )
        .values("community_id")
        .annotate(
            members=Count(person, distinct=True, filter=member),
            women=Count(
                person,
                distinct=True,
                filter=member & Q(memberships__person__gender=Person.Gender.FEMALE),
            ),
            # Han or not recorded: the rest are members of a minority group (no negated join).
            han=Count(
                person,
                distinct=True,
                filter=member & Q(memberships__person__ethnicity__in=[HAN, ""]),
            ),
        )
        .order_by()
    )
    return {r["community_id"]: (r["members"], r["women"], r["members"] - r["han"]) for r in rows}


@shared_measure
def staff_counts(communities: QuerySet, as_of: datetime.date) -> dict[int, int]:
    """Full-time staff: distinct people with an active full-time membership (one query)."""
    rows = (
        Membership.objects.filter(
            staff_q(as_of), organization__community__in=communities.values("pk")
        )
        .values("organization__community_id")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    return {r["organization__community_id"]: r["n"] for r in rows}


@shared_measure
def party_organizations(
    communities: QuerySet, as_of: datetime.date
) -> dict[int, tuple[str, int | None, int]]:
    """The community's party organization as ``(kind, registered party members, people on its
    committee)``: the highest-ranked active one, then the largest, then the first (one query)."""
    member = membership_active_q(as_of, "memberships__") & Q(
        memberships__position__in=Membership.PARTY_COMMITTEE_POSITIONS
    )
    rows = (
        Organization.objects.filter(
            organization_active_q(as_of),
            kind__in=Organization.PARTY_KINDS,
            community__in=communities.values("pk"),
        )
        .values("pk", "community_id", "kind", "party_member_count")
        .annotate(members=Count("memberships__person", distinct=True, filter=member))
        .order_by()
    )
    best: dict[int, tuple] = {}
    for r in rows:
        count = r["party_member_count"]
        key = (PARTY_RANK[r["kind"]], -1 if count is None else count, -r["pk"])
        if r["community_id"] not in best or key > best[r["community_id"]][0]:
            best[r["community_id"]] = (key, (r["kind"], count, r["members"]))
    return {pk: found for pk, (_key, found) in best.items()}


def by_division(rows: Iterable[tuple[str, int]], codes: Iterable[str] | None) -> dict[str, int]:
    wanted = set(codes) if codes is not None else None
    return {code: n for code, n in rows if wanted is None or code in wanted}


def one_pass(codes_by_length: dict[int, list[str]]) -> bool:
    """Whether to count every level in one scan: for a whole evaluation, not for the few
    ancestors of one community (those are narrow indexed lookups level by level)."""
    return sum(len(codes) for codes in codes_by_length.values()) > SQL_CODES_LIMIT


def add_up(
    rows: Iterable[tuple[str, tuple[int, ...]]], codes_by_length: dict[int, list[str]]
) -> dict[str, tuple[int, ...]]:
    """Counts of the finest divisions summed into each division asked for (their prefixes)."""
    wanted = {code for codes in codes_by_length.values() for code in codes}
    found: dict[str, list[int]] = {}
    for division, counts in rows:
        for length in codes_by_length:
            code = division[:length]
            if code in wanted:
                total = found.setdefault(code, [0] * len(counts))
                for i, n in enumerate(counts):
                    total[i] += n
    return {code: tuple(counts) for code, counts in found.items()}


def people_by_finest_division(
    memberships: QuerySet, prefix: str, finest: int, part: Q | None = None
) -> list[tuple[str, tuple[int, int]]] | None:
    """``(division, (part, whole))`` distinct people of ``memberships`` per division of the
    finest length, to be summed upwards with ``add_up``. That sum is exact because a person
    serves only in their own community (the services refuse anything else); None when some
    membership breaks that anyway (written around the services): the caller then counts
    level by level."""
    field = "organization__community__code"
    rows = (
        memberships.filter(**{f"{field}__startswith": prefix})
        .annotate(division=Substr(field, 1, finest))
        .values("division")
        .annotate(
            whole=Count("person", distinct=True),
            part=Count("person", distinct=True, filter=part) if part is not None else V(0),
            strays=Count("pk", filter=~Q(person__community=F("organization__community"))),
        )
        .order_by()
    )
    found = []
    for r in rows:
        if r["strays"]:
            return None
        found.append((r["division"], (r["part"] if part is not None else r["whole"], r["whole"])))
    return found


# --- 1. committee size (N18-07a, GD-10b, SD-11a) -----------------------------------------------


class PeopleBandParams(ParamsForm):
    min = forms.IntegerField(label=_("最少人数"), required=False, min_value=1)
    max = forms.IntegerField(label=_("最多人数"), required=False, min_value=1)

    def bad_fields(self) -> bool:
        return any(name in self.errors for name in self.fields)

    def clean(self):
        data = super().clean()
        if self.bad_fields():
            return data  # a bad value is reported on its own field
        low, high = data.get("min"), data.get("max")
        if low is None and high is None:
            raise forms.ValidationError(_("至少要填写最少人数或最多人数之一。"))
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(_("最少人数不能大于最多人数。"))
        return data


class CommitteeSizeParams(PeopleBandParams):
    min_women = forms.IntegerField(label=_("最少女性成员数"), required=False, min_value=1)
    households_per_member = forms.IntegerField(
        label=_("每名成员对应户数"), required=False, min_value=1
    )
    cap = forms.IntegerField(label=_("按户数配备的人数上限"), required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if self.bad_fields():
            return data
        if data.get("cap") is not None and data.get("households_per_member") is None:
            raise forms.ValidationError(_("填写人数上限时,须同时填写每名成员对应户数。"))
        return data


@register
class CommitteeSize(Rule):
    """Members of the active committee within a band; optionally enough women, and at least one
    member per so many households (capped). Value: ``(members, women, households)`` or None
    when no committee is active."""

    key = "committee.size_range"
    label = _("居委会成员人数")
    params_form = CommitteeSizeParams

    def measure(self, communities, as_of):
        counts = committee_counts(communities, as_of)
        return {
            pk: (counts[pk][0], counts[pk][1], households) if pk in counts else None
            for pk, households in communities.values_list("id", "households")
        }

    @staticmethod
    def required(params: dict, households: int | None) -> int | None:
        per, cap = params.get("households_per_member"), params.get("cap")
        if per is None or households is None:
            return None
        needed = ceil_div(households, per)
        return needed if cap is None else min(needed, cap)

    @staticmethod
    def expected(params: dict, required: int | None) -> str:
        parts = []
        low, high = params.get("min"), params.get("max")
        if low is not None or high is not None:
            parts.append(people_band(low, high))
        if params.get("min_women") is not None:
            parts.append(gettext("≥ %(n)s 名女性") % {"n": params["min_women"]})
        per, cap = params.get("households_per_member"), params.get("cap")
        if per is not None:
            rate = (
                gettext("每 %(per)s 户 1 人,至多按 %(cap)s 人计") % {"per": per, "cap": cap}
                if cap is not None
                else gettext("每 %(per)s 户 1 人") % {"per": per}
            )
            if required is None:
                parts.append(rate)
            else:
                parts.append(gettext("≥ %(n)s 人(%(rate)s)") % {"n": required, "rate": rate})
        return ";".join(parts)

    def judge(self, value, params, *, as_of):
        households = value[2] if value is not None else None
        required = self.required(params, households)
        expected = self.expected(params, required)
        if value is None:
            return no_data("committee.roster", expected, gettext("尚未登记在任的居委会及其成员。"))
        members, women, households = value
        measured = gettext("%(n)s 人") % {"n": members}
        if params.get("min_women") is not None:
            measured = gettext("%(n)s 人,其中女性 %(women)s 人") % {"n": members, "women": women}
        low, high = params.get("min"), params.get("max")
        problems = []
        if low is not None and members < low:
            problems.append(gettext("成员少于 %(n)s 人。") % {"n": low})
        if high is not None and members > high:
            problems.append(gettext("成员多于 %(n)s 人。") % {"n": high})
        if params.get("min_women") is not None and women < params["min_women"]:
            problems.append(gettext("女性成员少于 %(n)s 人。") % {"n": params["min_women"]})
        if required is not None and members < required:
            problems.append(
                gettext("按常住 %(households)s 户应至少有 %(n)s 人。")
                % {"households": fmt_int(households), "n": required}
            )
        if problems:
            return non_compliant(measured, expected, "".join(problems))
        if params.get("households_per_member") is not None and households is None:
            return no_data(
                "community.households",
                expected,
                gettext("尚未填报常住户数,无法核对按户数配备的人数。"),
            )
        return compliant(measured, expected)


# --- 2. a minority member in multi-ethnic areas (N18-07b) --------------------------------------


class MinorityMemberParams(ParamsForm):
    """No parameters: the flag on the community says where the clause applies."""


@register
class MinorityMember(Rule):
    """Value: ``(multi_ethnic, (members, non-Han members) or None without a committee)``."""

    key = "committee.minority_member"
    label = _("少数民族成员")
    params_form = MinorityMemberParams

    def measure(self, communities, as_of):
        counts = committee_counts(communities, as_of)
        found: dict[int, tuple[bool, tuple[int, int] | None]] = {}
        for pk, multi_ethnic in communities.values_list("id", "multi_ethnic"):
            if not multi_ethnic:
                found[pk] = (False, None)
            else:
                found[pk] = (True, (counts[pk][0], counts[pk][2]) if pk in counts else None)
        return found

    def judge(self, value, params, *, as_of):
        expected = gettext("≥ 1 名少数民族成员")
        multi_ethnic, counts = value if value is not None else (False, None)
        if not multi_ethnic:
            return not_applicable(gettext("本社区未标记为多民族居住地区,本条不适用。"))
        if counts is None:
            return no_data("committee.roster", expected, gettext("尚未登记在任的居委会及其成员。"))
        _members, minorities = counts
        measured = gettext("少数民族成员 %(n)s 人") % {"n": minorities}
        note = gettext("系统不记录本地人数较少的是哪个民族,任何非汉族成员均计入。")
        if minorities >= 1:
            return compliant(measured, expected, note)
        return non_compliant(measured, expected, gettext("委员会中没有少数民族成员。") + note)


# --- 3. women members (EL-women) ---------------------------------------------------------------


class WomenMembersParams(ParamsForm):
    min = forms.IntegerField(label=_("最少女性成员数"), min_value=1)


@register
class WomenMembers(Rule):
    """Value: ``(members, women)`` of the active committee, or None without one."""

    key = "committee.women_members"
    label = _("女性成员")
    params_form = WomenMembersParams

    def measure(self, communities, as_of):
        counts = committee_counts(communities, as_of)
        return {
            pk: (counts[pk][0], counts[pk][1]) if pk in counts else None
            for pk in communities.values_list("id", flat=True)
        }

    def judge(self, value, params, *, as_of):
        expected = gettext("≥ %(n)s 名女性") % {"n": params["min"]}
        if value is None:
            return no_data("committee.roster", expected, gettext("尚未登记在任的居委会及其成员。"))
        members, women = value
        measured = gettext("女性 %(women)s 人(共 %(n)s 人)") % {"women": women, "n": members}
        if women >= params["min"]:
            return compliant(measured, expected)
        return non_compliant(measured, expected, gettext("委员会中女性成员不足。"))


# --- 4. full-time staff per households (GD-10a) ------------------------------------------------


class StaffPerHouseholdsParams(ParamsForm):
    households_per_staff = forms.IntegerField(label=_("每名专职人员对应户数"), min_value=1)


@register
class StaffPerHouseholds(Rule):
    """Full-time staff ≥ ceil(households / N). Value: ``(staff, households)``."""

    key = "committee.staff_per_households"
    label = _("专职工作人员配备")
    params_form = StaffPerHouseholdsParams

    def measure(self, communities, as_of):
        staff = staff_counts(communities, as_of)
        return {
            pk: (staff.get(pk, 0), households)
            for pk, households in communities.values_list("id", "households")
        }

    def judge(self, value, params, *, as_of):
        per = params["households_per_staff"]
        staff, households = value if value is not None else (0, None)
        if households is None:
            return no_data(
                "community.households",
                gettext("每 %(per)s 户 1 名专职人员") % {"per": per},
                gettext("尚未填报常住户数。"),
            )
        required = ceil_div(households, per)
        expected = gettext("≥ %(n)s 人(每 %(per)s 户 1 人)") % {"n": required, "per": per}
        measured = gettext("%(n)s 人") % {"n": staff}
        if staff >= required:
            return compliant(measured, expected)
        return non_compliant(
            measured,
            expected,
            gettext("常住 %(households)s 户应配备 %(n)s 名专职人员。")
            % {"households": fmt_int(households), "n": required},
        )


# --- 5. localization of committee members over a jurisdiction (GD-06b) -------------------------


class LocalizationShareParams(ShareTargetsParams):
    """Dated targets, as for every share over a jurisdiction."""


@register
class LocalizationShare(JurisdictionRule):
    """属地化: committee members who live in or are registered in their community, over all
    committee members of the division. ``(part, whole)`` per division."""

    key = "committee.localization_share"
    label = _("居委会成员属地化比例")
    params_form = LocalizationShareParams

    def measure_divisions(self, prefix, length, as_of, codes=None):
        rows = (
            Membership.objects.filter(
                committee_member_q(as_of),
                division_scope("organization__community__code", prefix, codes),
            )
            .annotate(division=Substr("organization__community__code", 1, length))
            .values("division")
            .annotate(
                whole=Count("person", distinct=True),
                part=Count(
                    "person",
                    distinct=True,
                    filter=Q(person__lives_in_community=True)
                    | Q(person__registered_in_community=True),
                ),
            )
            .order_by()
        )
        wanted = set(codes) if codes is not None else None
        return {
            r["division"]: (r["part"], r["whole"])
            for r in rows
            if wanted is None or r["division"] in wanted
        }

    def measure_levels(self, prefix, codes_by_length, as_of):
        if one_pass(codes_by_length):
            rows = people_by_finest_division(
                Membership.objects.filter(committee_member_q(as_of)),
                prefix,
                max(codes_by_length),
                part=Q(person__lives_in_community=True) | Q(person__registered_in_community=True),
            )
            if rows is not None:
                return add_up(rows, codes_by_length)
        return super().measure_levels(prefix, codes_by_length, as_of)

    def judge(self, value, params, *, as_of):
        return judge_share(value, params, as_of=as_of, noun=gettext("居委会成员"))


# --- 6. training cadence (GD-11, CZ-05a) -------------------------------------------------------


class TrainingCadenceParams(ParamsForm):
    director_months = forms.IntegerField(
        label=_("主任培训间隔(月)"), required=False, min_value=1, max_value=120
    )
    others_months = forms.IntegerField(
        label=_("其他人员培训间隔(月)"), required=False, min_value=1, max_value=120
    )
    months = forms.IntegerField(label=_("培训间隔(月)"), required=False, min_value=1, max_value=120)
    # CZ-05a: the county organises a session every 12 months — the county's duty, not each
    # worker's; accepted, shown, not checked per community.
    county_sessions_months = forms.IntegerField(
        label=_("县级组织培训间隔(月)"), required=False, min_value=1, max_value=120
    )

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in self.fields):
            return data
        months, others = data.get("months"), data.get("others_months")
        if months is None and others is None:
            raise forms.ValidationError(
                _("应填写培训间隔(months),或分别填写主任和其他人员的培训间隔。")
            )
        if months is not None and (others is not None or data.get("director_months") is not None):
            raise forms.ValidationError(_("统一的培训间隔不能与主任、其他人员的培训间隔同时填写。"))
        return data


@register
class TrainingCadence(Rule):
    """Active committee members and full-time staff trained recently enough; the director on a
    shorter cycle. Value: ``((person_id, is_director, last_training or None), …)`` sorted."""

    key = "training.cadence"
    label = _("培训频次")
    params_form = TrainingCadenceParams

    def measure(self, communities, as_of):
        director = Q(position=Membership.Position.DIRECTOR, organization__kind=RESIDENTS_COMMITTEE)
        rows = (
            Membership.objects.filter(
                membership_active_q(as_of),
                organization_active_q(as_of, "organization__"),
                Q(full_time=True)
                | Q(
                    organization__kind=RESIDENTS_COMMITTEE,
                    position__in=Membership.COMMITTEE_POSITIONS,
                ),
                organization__community__in=communities.values("pk"),
            )
            .values("organization__community_id", "person_id")
            .annotate(
                director=Max(
                    Case(When(director, then=V(1)), default=V(0), output_field=IntegerField())
                ),
                last=Max("person__trainings__date", filter=Q(person__trainings__date__lte=as_of)),
            )
            .order_by()
        )
        people: dict[int, list[tuple]] = {}
        for r in rows:
            people.setdefault(r["organization__community_id"], []).append(
                (r["person_id"], bool(r["director"]), r["last"])
            )
        return {
            pk: tuple(sorted(people.get(pk, ()))) for pk in communities.values_list("id", flat=True)
        }

    @staticmethod
    def intervals(params: dict) -> tuple[int, int]:
        # The parameters give others_months or months (TrainingCadenceParams).
        others: int = params.get("others_months") or params["months"]
        return params.get("director_months") or others, others

    def judge(self, value, params, *, as_of):
        director_months, others_months = self.intervals(params)
        if director_months == others_months:
            expected = gettext("每 %(n)s 个月至少培训一次") % {"n": others_months}
        else:
            expected = gettext("主任每 %(d)s 个月、其他人员每 %(o)s 个月至少培训一次") % {
                "d": director_months,
                "o": others_months,
            }
        note = ""
        if params.get("county_sessions_months"):
            note = gettext("县(区)每 %(n)s 个月组织培训属县级职责,此处不作检查。") % {
                "n": params["county_sessions_months"]
            }
        if not value:
            return no_data(
                "committee.roster", expected, gettext("尚未登记在任的居委会成员或专职人员。")
            )
        director_since = months_before(as_of, director_months)
        others_since = months_before(as_of, others_months)
        overdue = [
            (is_director, last)
            for _pk, is_director, last in value
            if last is None or last < (director_since if is_director else others_since)
        ]
        measured = gettext("逾期 %(n)s/%(total)s 人") % {"n": len(overdue), "total": len(value)}
        if not overdue:
            return compliant(measured, expected, note)
        never = sum(last is None for _d, last in overdue)
        explanation = gettext("%(n)s 人逾期未培训,其中从未培训 %(never)s 人。") % {
            "n": len(overdue),
            "never": never,
        }
        if any(is_director for is_director, _last in overdue):
            explanation += gettext("主任逾期未培训。")
        return non_compliant(measured, expected, explanation + note)


# --- 7. required subcommittees, group and building leaders (GD-03, SD-12) ----------------------


class SubkindsField(forms.Field):
    def to_python(self, value):
        if value in (None, "", []):
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise forms.ValidationError(
                _('应为下属委员会类别的列表,如 ["mediation", "security"]。')
            )
        unknown = [v for v in value if v not in Organization.Subkind.values]
        if unknown:
            raise forms.ValidationError(
                _("未知的委员会类别:%(kinds)s") % {"kinds": "、".join(unknown)}
            )
        if len(set(value)) != len(value):
            raise forms.ValidationError(_("委员会类别不能重复。"))
        return list(value)


class RequiredKindsParams(ParamsForm):
    kinds = SubkindsField(label=_("应设的下属委员会"))
    group_leaders = StrictBooleanField(label=_("应有居民小组长"), required=False)
    building_leaders = StrictBooleanField(label=_("应有楼栋长"), required=False)


@register
class RequiredKinds(Rule):
    """Value: ``(active subcommittee kinds, a group leader in a residents' group, a building
    leader in a building)``, or None when the community has no active organization recorded."""

    key = "organization.required_kinds"
    label = _("下属委员会及小组长、楼栋长")
    params_form = RequiredKindsParams

    def measure(self, communities, as_of):
        organizations = active_organizations(communities, as_of, leaders=True)
        found: dict[int, Any] = {}
        for pk in communities.values_list("id", flat=True):
            rows = organizations.get(pk)
            if rows is None:
                found[pk] = None
                continue
            found[pk] = (
                frozenset(s for kind, s, _g, _b in rows if kind == Organization.Kind.SUBCOMMITTEE),
                any(g for kind, _s, g, _b in rows if kind == Organization.Kind.RESIDENTS_GROUP),
                any(b for kind, _s, _g, b in rows if kind == Organization.Kind.BUILDING),
            )
        return found

    def judge(self, value, params, *, as_of):
        wanted = [str(Organization.Subkind(kind).label) for kind in params["kinds"]]
        leaders = []
        if params.get("group_leaders"):
            leaders.append(str(Membership.Position.GROUP_LEADER.label))
        if params.get("building_leaders"):
            leaders.append(str(Membership.Position.BUILDING_LEADER.label))
        expected = gettext("设有%(kinds)s") % {"kinds": "、".join(wanted)}
        if leaders:
            expected += gettext(";有%(leaders)s") % {"leaders": "、".join(leaders)}
        if value is None:
            return no_data("committee.organizations", expected, gettext("尚未登记社区的在册组织。"))
        subkinds, has_group_leader, has_building_leader = value
        missing = [
            str(Organization.Subkind(kind).label)
            for kind in params["kinds"]
            if kind not in subkinds
        ]
        have = len(params["kinds"]) - len(missing)
        measured = gettext("下属委员会 %(have)s/%(want)s 类") % {
            "have": have,
            "want": len(params["kinds"]),
        }
        if params.get("group_leaders") and not has_group_leader:
            missing.append(str(Membership.Position.GROUP_LEADER.label))
        if params.get("building_leaders") and not has_building_leader:
            missing.append(str(Membership.Position.BUILDING_LEADER.label))
        if missing:
            return non_compliant(
                measured, expected, gettext("缺少:%(missing)s。") % {"missing": "、".join(missing)}
            )
        return compliant(measured, expected)


# --- 8. an organization of a kind exists (GD-05, SD-25) ----------------------------------------


class OrganizationExistsParams(ParamsForm):
    kind = forms.ChoiceField(label=_("组织类别"), choices=Organization.Kind.choices)


@register
class OrganizationExists(Rule):
    """Value: the kinds of the community's active organizations (a frozenset), or None when it
    has none recorded."""

    key = "organization.exists"
    label = _("应设组织")
    params_form = OrganizationExistsParams

    def measure(self, communities, as_of):
        organizations = active_organizations(communities, as_of)
        return {
            pk: frozenset(row[0] for row in organizations[pk]) if pk in organizations else None
            for pk in communities.values_list("id", flat=True)
        }

    def judge(self, value, params, *, as_of):
        name = str(Organization.Kind(params["kind"]).label)
        expected = gettext("设有%(kind)s") % {"kind": name}
        if value is None:
            return no_data("committee.organizations", expected, gettext("尚未登记社区的在册组织。"))
        if params["kind"] in value:
            return compliant(gettext("已设"), expected)
        return non_compliant(
            gettext("未设"), expected, gettext("未登记在册的%(kind)s。") % {"kind": name}
        )


# --- 9. party organization kind by party members (BY-02) ---------------------------------------


class PartyKindParams(ParamsForm):
    general_branch_above = forms.IntegerField(label=_("设党总支的党员人数下限(超过)"), min_value=1)
    # "以20人左右建立楼宇党支部": an approximate guide, shown but not checked.
    building_branch_about = forms.IntegerField(
        label=_("楼宇党支部参考人数"), required=False, min_value=1
    )


@register
class PartyKind(Rule):
    """超过 N 名党员 → 党总支 (or a party committee); N 名以下 → 党支部.
    Value: ``(kind, registered party members or None)`` of the community's party organization."""

    key = "party.org_kind_by_members"
    label = _("党组织设置与党员人数")
    params_form = PartyKindParams

    def measure(self, communities, as_of):
        parties = party_organizations(communities, as_of)
        return {
            pk: parties[pk][:2] if pk in parties else None
            for pk in communities.values_list("id", flat=True)
        }

    def judge(self, value, params, *, as_of):
        above = params["general_branch_above"]
        expected = gettext("党员超过 %(n)s 名设党总支,%(n)s 名以下设党支部") % {"n": above}
        if value is None:
            return no_data("committee.party", expected, gettext("尚未登记社区党组织。"))
        kind, count = value
        if count is None:
            return no_data("committee.party", expected, gettext("尚未填报社区党组织的党员人数。"))
        name = str(Organization.Kind(kind).label)
        measured = gettext("%(kind)s,党员 %(n)s 名") % {"kind": name, "n": count}
        if count > above:
            expected = gettext("党总支(或党委)")
            fits = kind in (
                Organization.Kind.PARTY_GENERAL_BRANCH,
                Organization.Kind.PARTY_COMMITTEE,
            )
        else:
            expected = gettext("党支部")
            fits = kind == Organization.Kind.PARTY_BRANCH
        if fits:
            return compliant(measured, expected)
        return non_compliant(
            measured,
            expected,
            gettext("党员 %(n)s 名,应设%(expected)s。") % {"n": count, "expected": expected},
        )


# --- 10. party committee size (SD-08) ----------------------------------------------------------


class PartyCommitteeSizeParams(PeopleBandParams):
    """The same band as a committee's: min and/or max people."""


@register
class PartyCommitteeSize(Rule):
    """Value: ``(kind, people on its committee)`` of the community's party organization."""

    key = "party.committee_size"
    label = _("社区党委班子人数")
    params_form = PartyCommitteeSizeParams

    def measure(self, communities, as_of):
        parties = party_organizations(communities, as_of)
        return {
            pk: (parties[pk][0], parties[pk][2]) if pk in parties else None
            for pk in communities.values_list("id", flat=True)
        }

    def judge(self, value, params, *, as_of):
        low, high = params.get("min"), params.get("max")
        expected = people_band(low, high)
        if value is None:
            return no_data("committee.party", expected, gettext("尚未登记社区党组织。"))
        kind, members = value
        if kind != Organization.Kind.PARTY_COMMITTEE:
            return not_applicable(
                gettext("社区党组织为%(kind)s,不是社区党委,本条不适用。")
                % {"kind": Organization.Kind(kind).label},
                expected,
            )
        measured = gettext("%(n)s 人") % {"n": members}
        if low is not None and members < low:
            return non_compliant(
                measured, expected, gettext("党委班子少于 %(n)s 人。") % {"n": low}
            )
        if high is not None and members > high:
            return non_compliant(
                measured, expected, gettext("党委班子多于 %(n)s 人。") % {"n": high}
            )
        return compliant(measured, expected)


# --- 11. a committee once a new residential area is occupied (SD-10, BY-01) --------------------


class CommitteeWhenOccupiedParams(ParamsForm):
    min_occupancy = ShareField(label=_("入住率门槛"))
    application_counts = StrictBooleanField(label=_("提出成立申请即视为符合"), required=False)
    requires_size_met = StrictBooleanField(label=_("须达到社区设置规模"), required=False)


@register
class CommitteeWhenOccupied(Rule):
    """A new residential community whose occupancy reached the threshold has an active committee
    (BY-01: or has applied for one). Value: ``(is_new_residential, occupancy, has_committee,
    application date)``; every other community gets ``(False, None, False, None)``.

    ``requires_size_met`` (SD-10, 第十条 "达到社区设置的规模要求,居民入住率达到50%的"): the size
    requirement is 第三条's "一般按照3000户的规模设置", an approximate planning size rather than a
    minimum, and by 第四条 a community exists only once the county government has set it up at
    that size. A community recorded in the portal has been set up, so its size requirement is
    taken as met; the parameter is accepted and shown, and occupancy alone decides. Holding the
    recorded households against 3,000 instead would excuse nearly every new area (a new estate
    is rarely 3,000 households at 50% occupancy), the opposite of what the article asks.
    """

    key = "community.committee_when_occupied"
    label = _("新建住宅区成立居委会")
    params_form = CommitteeWhenOccupiedParams

    def measure(self, communities, as_of):
        committees = committee_ids(communities, as_of)
        found = {}
        for pk, kind, occupancy, applied_on in communities.values_list(
            "id", "kind", "occupancy_rate", "committee_application_on"
        ):
            if kind != Community.Kind.NEW_RESIDENTIAL:
                found[pk] = (False, None, False, None)
            else:
                found[pk] = (True, occupancy, pk in committees, applied_on)
        return found

    def judge(self, value, params, *, as_of):
        threshold = Decimal(params["min_occupancy"])
        counts_application = params.get("application_counts", False)
        expected = (
            gettext("入住率达到 %(rate)s 后已成立居委会或已申请成立")
            if counts_application
            else gettext("入住率达到 %(rate)s 后已成立居委会")
        ) % {"rate": fmt_share(threshold)}
        is_new, occupancy, has_committee, applied_on = value or (False, None, False, None)
        if not is_new:
            return not_applicable(gettext("本条仅适用于新建住宅区社区。"), expected)
        if occupancy is None:
            return no_data("community.occupancy", expected, gettext("尚未填报入住率。"))
        occupancy = Decimal(occupancy)
        if occupancy < threshold:
            return not_applicable(
                gettext("入住率 %(rate)s,未达到 %(threshold)s,尚不要求成立居委会。")
                % {"rate": fmt_share(occupancy), "threshold": fmt_share(threshold)},
                expected,
            )
        rate = fmt_share(occupancy)
        note = ""
        if params.get("requires_size_met"):
            note = gettext("社区已由县级政府设立,视为已达到社区设置的规模要求。")
        if has_committee:
            return compliant(
                gettext("入住率 %(rate)s,已成立居委会") % {"rate": rate}, expected, note
            )
        if counts_application and applied_on is not None and applied_on <= as_of:
            return compliant(
                gettext("入住率 %(rate)s,已于 %(date)s 申请成立居委会")
                % {"rate": rate, "date": applied_on.isoformat()},
                expected,
                gettext("成立前由相邻社区居委会代管。"),
            )
        return non_compliant(
            gettext("入住率 %(rate)s,未成立居委会") % {"rate": rate},
            expected,
            gettext("入住率已达标,应成立社区居委会。") + note,
        )


# --- 12. community workers per 10,000 residents (P14-staff) ------------------------------------


class StaffPerPopulationParams(ParamsForm):
    per_10000 = forms.IntegerField(label=_("每万人社区工作者数"), min_value=1)


@register
class StaffPerPopulation(JurisdictionRule):
    """Full-time staff of a division's communities per 10,000 of their resident population.
    ``(staff, population)`` per division, counting only communities whose population is
    recorded (on both sides, so that an unreported community does not inflate the ratio)."""

    key = "staff.per_population"
    label = _("每万人社区工作者数")
    params_form = StaffPerPopulationParams

    def measure_divisions(self, prefix, length, as_of, codes=None):
        population = (
            Community.objects.filter(
                division_scope("code", prefix, codes), population__isnull=False
            )
            .annotate(division=Substr("code", 1, length))
            .values("division")
            .annotate(whole=Sum("population"))
            .order_by()
        )
        staff = (
            Membership.objects.filter(
                staff_q(as_of),
                division_scope("organization__community__code", prefix, codes),
                organization__community__population__isnull=False,
            )
            .annotate(division=Substr("organization__community__code", 1, length))
            .values("division")
            .annotate(part=Count("person", distinct=True))
            .order_by()
        )
        parts = by_division(((r["division"], r["part"]) for r in staff), codes)
        wholes = by_division(((r["division"], r["whole"]) for r in population), codes)
        return {code: (parts.get(code, 0), whole) for code, whole in wholes.items()}

    def measure_levels(self, prefix, codes_by_length, as_of):
        if one_pass(codes_by_length):
            finest = max(codes_by_length)
            staff = people_by_finest_division(
                Membership.objects.filter(
                    staff_q(as_of), organization__community__population__isnull=False
                ),
                prefix,
                finest,
            )
            if staff is not None:
                population = (
                    Community.objects.filter(code__startswith=prefix, population__isnull=False)
                    .annotate(division=Substr("code", 1, finest))
                    .values("division")
                    .annotate(whole=Sum("population"))
                    .values_list("division", "whole")
                    .order_by()
                )
                parts = add_up(((d, (part,)) for d, (part, _w) in staff), codes_by_length)
                wholes = add_up(((d, (w,)) for d, w in population), codes_by_length)
                return {
                    code: (parts.get(code, (0,))[0], whole) for code, (whole,) in wholes.items()
                }
        return super().measure_levels(prefix, codes_by_length, as_of)

    def judge(self, value, params, *, as_of):
        per = params["per_10000"]
        expected = gettext("每万人 ≥ %(n)s 名") % {"n": per}
        if value is None or not value[1]:
            return no_data("", expected, gettext("辖区内社区尚未填报常住人口。"))
        part, whole = value
        # Shown rounded down, so that a ratio just short of the floor never reads as reaching it.
        ratio = (Decimal(part * 10000) / Decimal(whole)).quantize(
            Decimal("0.1"), rounding=ROUND_FLOOR
        )
        measured = gettext("每万人 %(ratio)s 名(%(part)s 人 / 常住 %(whole)s 人)") % {
            "ratio": ratio,
            "part": fmt_int(part),
            "whole": fmt_int(whole),
        }
        if part * 10000 >= per * whole:
            return compliant(measured, expected)
        return non_compliant(
            measured,
            expected,
            gettext("按常住人口应至少有 %(n)s 名社区工作者。")
            % {"n": fmt_int(ceil_div(per * whole, 10000))},
        )


# --- 10. the representatives' assembly and the residents' council (N25-rep, BY-03) ------------


def _holds(position_q: Q, as_of: datetime.date) -> Exists:
    """Whether the membership's person also holds, on ``as_of``, an active membership matching
    ``position_q`` (e.g. a seat on the residents' committee)."""
    return Exists(
        Membership.objects.filter(
            position_q,
            membership_active_q(as_of),
            organization_active_q(as_of, "organization__"),
            person=OuterRef("person"),
        )
    )


def _seats(communities: QuerySet, kind: str, as_of: datetime.date) -> QuerySet:
    return Membership.objects.filter(
        membership_active_q(as_of),
        organization_active_q(as_of, "organization__"),
        organization__kind=kind,
        organization__community__in=communities,
    )


class FractionParams(ParamsForm):
    numerator = forms.IntegerField(label=_("分子"), min_value=0)
    denominator = forms.IntegerField(label=_("分母"), min_value=1)
    strict = StrictBooleanField(label=_("超过(而非不少于)"), required=False)

    def clean(self):
        data = super().clean()
        numerator, denominator = data.get("numerator"), data.get("denominator")
        if numerator is not None and denominator and numerator > denominator:
            raise forms.ValidationError(_("分子不能大于分母。"))
        return data


@register
class RepresentativesShare(Rule):
    """Value: (representatives, seats) of the representatives' assembly on the date, where a
    representative is a member who does not also sit on the residents' committee; None when no
    seat is recorded."""

    key = "governance.representatives_share"
    label = _("居民代表占居民代表会议的比例")
    params_form = FractionParams

    def measure(self, communities, as_of):
        committee = Q(organization__kind=Organization.Kind.RESIDENTS_COMMITTEE)
        rows = (
            _seats(communities, Organization.Kind.REPRESENTATIVES_ASSEMBLY, as_of)
            .annotate(on_committee=_holds(committee, as_of))
            .values("organization__community_id")
            .annotate(
                seats=Count("person", distinct=True),
                representatives=Count("person", distinct=True, filter=Q(on_committee=False)),
            )
        )
        found = {r["organization__community_id"]: (r["representatives"], r["seats"]) for r in rows}
        return {pk: found.get(pk) for pk in community_ids(communities)}

    def judge(self, value, params, *, as_of):
        fraction = {
            "numerator": params["numerator"],
            "denominator": params["denominator"],
            "strict": params.get("strict", False),
        }
        word = gettext("超过") if fraction["strict"] else gettext("不少于")
        expected = gettext("居民代表%(word)s %(n)d/%(d)d") % {
            "word": word,
            "n": fraction["numerator"],
            "d": fraction["denominator"],
        }
        if value is None:
            return no_data(
                "committee.roster", expected, gettext("尚未登记居民代表会议的组成人员。")
            )
        representatives, seats = value
        measured = gettext("居民代表 %(r)d 人 / 共 %(s)d 人") % {"r": representatives, "s": seats}
        if meets_fraction(representatives, seats, fraction):
            return compliant(measured, expected)
        return non_compliant(
            measured, expected, gettext("兼任居委会成员的组成人员过多,居民代表比例不足。")
        )


class CouncilCompositionParams(ParamsForm):
    building_leaders = forms.IntegerField(label=_("楼栋长人数"), min_value=0)
    community_cadres = forms.IntegerField(label=_("社区干部人数"), min_value=0)
    chairs = forms.IntegerField(label=_("会长人数"), min_value=0)
    vice_chairs = forms.IntegerField(label=_("副会长人数"), min_value=0)
    chair_role = forms.ChoiceField(
        label=_("会长由谁担任"), choices=[("party_secretary", _("社区党组织书记"))], required=False
    )


@register
class CouncilComposition(Rule):
    """Value: (building leaders, community cadres, chairs, vice chairs, chair is the party
    secretary) among the residents' council's members on the date; None when it has none.
    A member who leads a building counts as a building leader; any other member who sits on the
    residents' committee or a party organization counts as a cadre."""

    key = "governance.council_composition"
    label = _("居民议事协调会的组成")
    params_form = CouncilCompositionParams

    def measure(self, communities, as_of):
        leader = Q(position=Membership.Position.BUILDING_LEADER)
        cadre = Q(
            organization__kind__in=[
                Organization.Kind.RESIDENTS_COMMITTEE,
                *Organization.PARTY_KINDS,
            ]
        )
        secretary = Q(
            position=Membership.Position.SECRETARY, organization__kind__in=Organization.PARTY_KINDS
        )
        rows = (
            _seats(communities, Organization.Kind.RESIDENTS_COUNCIL, as_of)
            .annotate(
                leads=_holds(leader, as_of),
                cadre=_holds(cadre, as_of),
                secretary=_holds(secretary, as_of),
            )
            .values("organization__community_id")
            .annotate(
                members=Count("person", distinct=True),
                leaders=Count("person", distinct=True, filter=Q(leads=True)),
                cadres=Count("person", distinct=True, filter=Q(leads=False, cadre=True)),
                chairs=Count("id", filter=Q(position=Membership.Position.CHAIR)),
                vice_chairs=Count("id", filter=Q(position=Membership.Position.VICE_CHAIR)),
                secretary_chairs=Count(
                    "id", filter=Q(position=Membership.Position.CHAIR, secretary=True)
                ),
            )
        )
        found = {
            r["organization__community_id"]: (
                r["leaders"],
                r["cadres"],
                r["chairs"],
                r["vice_chairs"],
                r["chairs"] > 0 and r["secretary_chairs"] == r["chairs"],
            )
            for r in rows
        }
        return {pk: found.get(pk) for pk in community_ids(communities)}

    def judge(self, value, params, *, as_of):
        expected = gettext("楼栋长 %(l)d 名、社区干部 %(c)d 名,会长 %(ch)d 名、副会长 %(v)d 名") % {
            "l": params["building_leaders"],
            "c": params["community_cadres"],
            "ch": params["chairs"],
            "v": params["vice_chairs"],
        }
        if params.get("chair_role") == "party_secretary":
            expected += gettext(",会长由社区党组织书记担任")
        if value is None:
            return no_data(
                "committee.roster", expected, gettext("尚未登记居民议事协调会的组成人员。")
            )
        leaders, cadres, chairs, vice_chairs, secretary_chairs = value
        measured = gettext("楼栋长 %(l)d 名、社区干部 %(c)d 名,会长 %(ch)d 名、副会长 %(v)d 名") % {
            "l": leaders,
            "c": cadres,
            "ch": chairs,
            "v": vice_chairs,
        }
        problems = []
        if (leaders, cadres) != (params["building_leaders"], params["community_cadres"]):
            problems.append(gettext("组成人数与规定不符。"))
        if (chairs, vice_chairs) != (params["chairs"], params["vice_chairs"]):
            problems.append(gettext("会长、副会长人数与规定不符。"))
        if params.get("chair_role") == "party_secretary" and chairs and not secretary_chairs:
            problems.append(gettext("会长不是社区党组织书记。"))
        if problems:
            return non_compliant(measured, expected, "".join(problems))
        return compliant(measured, expected)
