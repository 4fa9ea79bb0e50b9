"""Compliance rules on community rooms and sites (设施用房).

Which rooms count on a date, their areas and kinds are facilities/areas.py (the pages show the
same figures). Each measure is two queries whatever the number of communities: one over the
communities, one aggregate over their facilities. Each judge is pure and its value hashable
(tuples of Decimals, dates and frozensets), so that verdicts are shared.

Thresholds are computed with Decimal arithmetic, never floats, so that 20 m² per 100 households
for 2,000 households is 400.00 m² exactly and 399.99 m² falls short of it.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance.rules import (
    ParamsForm,
    Rule,
    ShareField,
    Verdict,
    compliant,
    fmt_int,
    no_data,
    non_compliant,
    not_applicable,
    register,
    register_missing,
)
from divisions.models import Community
from facilities.areas import (
    CENT,
    EQUIVALENT_KINDS,
    Areas,
    facility_areas,
    facility_in_use_q,
    has_kind,
    kinds_in_use,
)
from facilities.models import Facility

register_missing("facilities.rooms", _("设施用房"), "facilities:list")
register_missing("community.moved_in", _("居民入住日期"), "committees:community_edit")
register_missing("community.estate_area", _("住宅区总建筑面积"), "committees:community_edit")

Kind = Facility.Kind
NEW_RESIDENTIAL = Community.Kind.NEW_RESIDENTIAL
HUNDRED = Decimal(100)


def fmt_area(value: Decimal, rounding: str = ROUND_FLOOR) -> str:
    """``Decimal("1234.50")`` → ``"1,234.5 m²"``: to the cent, without trailing zeros.

    Measured areas are floored and required ones ceiled (``ROUND_CEILING``), so that an area just
    short of a threshold never reads as reaching it.
    """
    text = f"{value.quantize(CENT, rounding=rounding):,.2f}"
    return text.rstrip("0").rstrip(".") + " m²"


def fmt_per_100(area: Decimal, households: int) -> str:
    """Square metres per 100 households, one decimal, rounded down."""
    per_100 = (area * HUNDRED / Decimal(households)).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    return gettext("每百户 %(n)s m²") % {"n": f"{per_100:,}"}


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months later, clamped to the end of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def kind_label(kind: str) -> str:
    return str(Facility.Kind(kind).label)


def community_kinds_text(kinds: Iterable[str]) -> str:
    return "、".join(str(Community.Kind(k).label) for k in kinds)


# --- areas ------------------------------------------------------------------------------------


# What each ``measure`` parameter adds up:
# - indoor (GD-13b "社区办公用房和室内服务设施"): every indoor room of the community, offices and
#   service rooms alike (a room recorded as "other" is still community space);
# - outdoor (GD-13c "室外活动场所"): every outdoor site;
# - service (P14 "社区综合服务设施"): offices plus SERVICE_KINDS whether indoor or not — the plan
#   counts the comprehensive service facility as a whole, and a culture and sports centre's
#   open-air court is part of it; a plain square or park (not a service kind) is not;
# - office (SD-27a "社区工作用房"): OFFICE_KINDS;
# - office_and_service (SD-27b "工作和服务用房", NAT "办公、活动用房"): offices plus SERVICE_KINDS.
MEASURES = {
    "indoor": _("办公及室内服务设施面积"),
    "outdoor": _("室外活动场所面积"),
    "service": _("社区综合服务设施面积"),
    "office": _("社区工作用房面积"),
    "office_and_service": _("社区工作和服务用房面积"),
}


def area_of(areas: Areas, measure: str) -> Decimal:
    if measure in ("service", "office_and_service"):
        return areas.office + areas.services
    return getattr(areas, measure)


# --- parameter fields -------------------------------------------------------------------------


class ChoicesListField(forms.Field):
    """A non-empty JSON list of distinct values out of ``choices``."""

    def __init__(self, *, choices, example: str, **kwargs):
        self.choices = choices
        self.example = example
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, "", []):
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise forms.ValidationError(
                _("应为类别的列表,如 %(example)s。") % {"example": self.example}
            )
        unknown = [v for v in value if v not in self.choices.values]
        if unknown:
            raise forms.ValidationError(_("未知的类别:%(kinds)s") % {"kinds": "、".join(unknown)})
        if len(set(value)) != len(value):
            raise forms.ValidationError(_("类别不能重复。"))
        return list(value)


def facility_kinds_field(label) -> ChoicesListField:
    return ChoicesListField(
        choices=Facility.Kind, example='["service_station", "square_park"]', label=label
    )


def community_kinds_field(label, required: bool = False) -> ChoicesListField:
    return ChoicesListField(
        choices=Community.Kind, example='["new_residential"]', label=label, required=required
    )


def applies(kind: str | None, params: dict, default: Sequence[str] | None = None) -> bool:
    kinds = params.get("applies_to_kinds") or default
    return not kinds or kind in kinds


def not_applicable_kind(
    params: dict, expected: str, default: Sequence[str] | None = None
) -> Verdict:
    kinds = params.get("applies_to_kinds") or default or []
    return not_applicable(
        gettext("本条仅适用于%(kinds)s。") % {"kinds": community_kinds_text(kinds)}, expected
    )


# --- 1. the "six ones" (GD-13a) ----------------------------------------------------------------


class SixOnesParams(ParamsForm):
    kinds = facility_kinds_field(_("应设的设施"))


@register
class SixOnes(Rule):
    """Every listed kind of facility is in use. Value: the kinds in use (a frozenset), or None
    when no facility is in use on the date."""

    key = "facilities.six_ones"
    label = _("“六个一”设施")
    params_form = SixOnesParams

    def measure(self, communities, as_of):
        found = kinds_in_use(communities, as_of)
        return {pk: found.get(pk) for pk in communities.values_list("id", flat=True)}

    @staticmethod
    def name(kind: str) -> str:
        alternatives = EQUIVALENT_KINDS.get(kind, (kind,))
        names = [kind_label(k) for k in alternatives]
        if len(names) == 1:
            return names[0]
        return gettext("%(kind)s(或%(others)s)") % {
            "kind": names[0],
            "others": "、".join(names[1:]),
        }

    def judge(self, value, params, *, as_of):
        kinds = params["kinds"]
        expected = gettext("设有%(kinds)s") % {"kinds": "、".join(self.name(k) for k in kinds)}
        if value is None:
            return no_data("facilities.rooms", expected, gettext("尚未登记在用的设施用房。"))
        missing = [kind_label(k) for k in kinds if not has_kind(value, k)]
        measured = gettext("已设 %(have)s/%(want)s 项") % {
            "have": len(kinds) - len(missing),
            "want": len(kinds),
        }
        if missing:
            explanation = gettext("缺少以下在用的设施用房:%(missing)s。") % {
                "missing": "、".join(missing)
            }
            if not has_kind(value, Facility.Kind.SERVICE_STATION) and (
                Facility.Kind.SERVICE_STATION in kinds
            ):
                # GD-05 counts the station as an organization; this counts its rooms.
                explanation += gettext(
                    "社区公共服务站已登记为组织的,还须在设施中登记其用房(用途为社区公共服务站"
                    "或一站式服务大厅)。"
                )
            return non_compliant(measured, expected, explanation)
        return compliant(measured, expected)


# --- 2. area per 100 households (GD-13b, GD-13c, P14-area) ---------------------------------------


class AreaPerHouseholdsParams(ParamsForm):
    per_100_households = forms.IntegerField(label=_("每百户面积(平方米)"), min_value=1)
    measure = forms.ChoiceField(label=_("计算口径"), choices=[(k, v) for k, v in MEASURES.items()])


@register
class AreaPerHouseholds(Rule):
    """Area ≥ N m² per 100 households. Value: ``(households, Areas or None)``, None when no
    facility is in use on the date."""

    key = "facilities.area_per_households"
    label = _("每百户设施面积")
    params_form = AreaPerHouseholdsParams

    def measure(self, communities, as_of):
        areas = facility_areas(communities, as_of)
        return {
            pk: (households, areas.get(pk))
            for pk, households in communities.values_list("id", "households")
        }

    def precedence_key(self, params: dict) -> str:
        """Standards on different measures are different requirements: none displaces another
        (GD-13b, GD-13c and P14-area all hold in Guangdong). For the engine's precedence."""
        return params["measure"]

    @staticmethod
    def required(params: dict, households: int) -> Decimal:
        return Decimal(params["per_100_households"] * households) / HUNDRED

    def judge(self, value, params, *, as_of):
        per = params["per_100_households"]
        name = str(MEASURES[params["measure"]])
        households, areas = value if value is not None else (None, None)
        rate = gettext("每百户 ≥ %(n)s m²") % {"n": per}
        if households is None:
            return no_data("community.households", rate, gettext("尚未填报常住户数。"))
        required = self.required(params, households)
        expected = gettext("≥ %(area)s(%(rate)s)") % {
            "area": fmt_area(required, ROUND_CEILING),
            "rate": rate,
        }
        if areas is None:
            return no_data("facilities.rooms", expected, gettext("尚未登记在用的设施用房。"))
        area = area_of(areas, params["measure"])
        measured = fmt_area(area)
        if households:
            measured = gettext("%(area)s(%(per_100)s)") % {
                "area": measured,
                "per_100": fmt_per_100(area, households),
            }
        if area >= required:
            return compliant(measured, expected)
        return non_compliant(
            measured,
            expected,
            gettext("常住 %(households)s 户,%(name)s应不少于 %(required)s,尚差 %(short)s。")
            % {
                "households": fmt_int(households),
                "name": name,
                "required": fmt_area(required, ROUND_CEILING),
                "short": fmt_area(required - area, ROUND_CEILING),
            },
        )


# --- 3. minimum area (SD-27a, SD-27b, NAT-rooms) -------------------------------------------------


class MinAreaParams(ParamsForm):
    min_m2 = forms.IntegerField(label=_("最小面积(平方米)"), min_value=1)
    measure = forms.ChoiceField(label=_("计算口径"), choices=[(k, v) for k, v in MEASURES.items()])
    applies_to_kinds = community_kinds_field(_("适用的社区类型"))
    service_m2 = forms.IntegerField(
        label=_("服务设施参考面积(平方米)"), required=False, min_value=1
    )
    tolerance = ShareField(label=_("允许偏差"), required=False, include_one=False, example="0.10")

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in self.fields):
            return data
        if data.get("tolerance") is not None and data.get("service_m2") is None:
            raise forms.ValidationError(_("填写允许偏差时,须同时填写服务设施参考面积。"))
        return data


@register
class MinArea(Rule):
    """Area ≥ a floor for the community kinds it applies to; SD-27a also expects service rooms of
    "about 900 m²" (左右). Value: ``(community kind, Areas or None)``.

    "左右" is read as a floor with a tolerance: service rooms reach "about 900 m²" from
    900 × (1 − 10%) = 810 m² up. More than 990 m² is not held against a community: the clause
    sets how much to provide for in planning, and more service space is never a shortfall.
    """

    key = "facilities.min_area"
    label = _("社区用房面积")
    params_form = MinAreaParams

    def measure(self, communities, as_of):
        areas = facility_areas(communities, as_of)
        return {pk: (kind, areas.get(pk)) for pk, kind in communities.values_list("id", "kind")}

    def precedence_key(self, params: dict) -> str:
        """Standards on different measures are different requirements: none displaces another
        (GD-13b, GD-13c and P14-area all hold in Guangdong). For the engine's precedence."""
        return params["measure"]

    @staticmethod
    def service_floor(params: dict) -> Decimal | None:
        if params.get("service_m2") is None:
            return None
        tolerance = Decimal(params.get("tolerance") or "0")
        return Decimal(params["service_m2"]) * (1 - tolerance)

    def expected(self, params: dict) -> str:
        name = str(MEASURES[params["measure"]])
        expected = gettext("%(name)s ≥ %(area)s") % {
            "name": name,
            "area": fmt_area(Decimal(params["min_m2"]), ROUND_CEILING),
        }
        floor = self.service_floor(params)
        if floor is not None:
            expected += gettext(";服务设施约 %(about)s(≥ %(floor)s)") % {
                "about": fmt_area(Decimal(params["service_m2"]), ROUND_CEILING),
                "floor": fmt_area(floor, ROUND_CEILING),
            }
        return expected

    def judge(self, value, params, *, as_of):
        expected = self.expected(params)
        kind, areas = value if value is not None else (None, None)
        if not applies(kind, params):
            return not_applicable_kind(params, expected)
        if areas is None:
            return no_data("facilities.rooms", expected, gettext("尚未登记在用的设施用房。"))
        name = str(MEASURES[params["measure"]])
        area = area_of(areas, params["measure"])
        measured = gettext("%(name)s %(area)s") % {"name": name, "area": fmt_area(area)}
        problems = []
        minimum = Decimal(params["min_m2"])
        if area < minimum:
            problems.append(
                gettext("%(name)s少于 %(area)s。")
                % {"name": name, "area": fmt_area(minimum, ROUND_CEILING)}
            )
        floor = self.service_floor(params)
        if floor is not None:
            measured += gettext(";服务设施 %(area)s") % {"area": fmt_area(areas.services)}
            if areas.services < floor:
                problems.append(
                    gettext("服务设施少于约 %(about)s 的下限 %(floor)s。")
                    % {
                        "about": fmt_area(Decimal(params["service_m2"]), ROUND_CEILING),
                        "floor": fmt_area(floor, ROUND_CEILING),
                    }
                )
        if problems:
            return non_compliant(measured, expected, "".join(problems))
        return compliant(measured, expected)


# --- 4. handover of developer-provided rooms (SD-29) -------------------------------------------


class HandoverWithinParams(ParamsForm):
    months = forms.IntegerField(label=_("移交期限(月)"), min_value=1, max_value=120)
    applies_to_kinds = community_kinds_field(_("适用的社区类型"))


def sort_dates(dates) -> tuple:
    """Dates first in order, then the Nones (not handed over)."""
    return tuple(sorted(dates, key=lambda d: (d is None, d or datetime.date.min)))


@register
class HandoverWithin(Rule):
    """Rooms provided free by the developer are handed over within N calendar months of residents
    moving in (new residential communities unless ``applies_to_kinds`` says otherwise).

    Value: ``(community kind, moved-in date or None, handover dates)`` where the handover dates
    are those of the developer-provided rooms in use on the date, None for a room not handed
    over, sorted. A handover recorded after the date of evaluation has not happened yet on it.
    """

    key = "facilities.handover_within"
    label = _("开发商用房移交期限")
    params_form = HandoverWithinParams
    default_kinds = [NEW_RESIDENTIAL]

    def measure(self, communities, as_of):
        found: dict[int, list] = {}
        rows = (
            Facility.objects.filter(
                facility_in_use_q(as_of),
                tenure=Facility.Tenure.DEVELOPER_FREE,
                community__in=communities.values("pk"),
            )
            .values_list("community_id", "handed_over_on")
            .order_by()
        )
        for community_id, handed_over_on in rows:
            found.setdefault(community_id, []).append(handed_over_on)
        return {
            pk: (kind, moved_in, sort_dates(found.get(pk, ())))
            for pk, kind, moved_in in communities.values_list("id", "kind", "residents_moved_in_on")
        }

    def judge(self, value, params, *, as_of):
        months = params["months"]
        kind, moved_in, handovers = value if value is not None else (None, None, ())
        expected = gettext("居民入住后 %(n)s 个月内移交") % {"n": months}
        if not applies(kind, params, self.default_kinds):
            return not_applicable_kind(params, expected, self.default_kinds)
        if moved_in is None:
            return no_data("community.moved_in", expected, gettext("尚未填报居民入住日期。"))
        if moved_in > as_of:
            return not_applicable(
                gettext("居民自 %(date)s 起入住,尚未入住。") % {"date": moved_in.isoformat()},
                expected,
            )
        deadline = months_after(moved_in, months)
        expected = gettext("%(date)s 前移交(入住后 %(n)s 个月内)") % {
            "date": deadline.isoformat(),
            "n": months,
        }
        if not handovers:
            return no_data(
                "facilities.rooms", expected, gettext("尚未登记开发商无偿提供的社区用房。")
            )
        done = [d for d in handovers if d is not None and d <= as_of]
        late = [d for d in done if d > deadline]
        pending = len(handovers) - len(done)
        measured = gettext("已移交 %(done)s/%(total)s 处") % {
            "done": len(done),
            "total": len(handovers),
        }
        problems = []
        if late:
            problems.append(
                gettext("%(n)s 处逾期移交(最晚 %(date)s)。")
                % {"n": len(late), "date": max(late).isoformat()}
            )
        if pending and as_of > deadline:
            problems.append(gettext("%(n)s 处逾期未移交。") % {"n": pending})
        if problems:
            return non_compliant(measured, expected, "".join(problems))
        if pending:
            return compliant(
                measured,
                expected,
                gettext("移交期限未到:尚有 %(n)s 处未移交,期限为 %(date)s。")
                % {"n": pending, "date": deadline.isoformat()},
            )
        return compliant(measured, expected)


# --- 5. property-service rooms (SD-30) ----------------------------------------------------------


class PropertyRoomsParams(ParamsForm):
    permille = forms.IntegerField(label=_("占总建筑面积的千分比"), min_value=1, max_value=1000)
    min_m2 = forms.IntegerField(label=_("最小面积(平方米)"), min_value=1)
    applies_to_kinds = community_kinds_field(_("适用的社区类型"))


@register
class PropertyRooms(Rule):
    """Property-service rooms ≥ max(permille ‰ of the estate's total floor area, min_m2).
    Value: ``(community kind, estate floor area or None, property-service area or None)``, the
    area None when no facility at all is in use on the date (0 when rooms are recorded but no
    property-service room among them)."""

    key = "facilities.property_rooms"
    label = _("物业服务用房")
    params_form = PropertyRoomsParams
    default_kinds = [NEW_RESIDENTIAL]

    def measure(self, communities, as_of):
        areas = facility_areas(communities, as_of)
        return {
            pk: (kind, estate, areas[pk].property if pk in areas else None)
            for pk, kind, estate in communities.values_list("id", "kind", "estate_floor_area_m2")
        }

    @staticmethod
    def rate(params: dict) -> str:
        return gettext("总建筑面积 %(permille)s‰,且不少于 %(min)s") % {
            "permille": params["permille"],
            "min": fmt_area(Decimal(params["min_m2"]), ROUND_CEILING),
        }

    def judge(self, value, params, *, as_of):
        kind, estate, area = value if value is not None else (None, None, None)
        rate = self.rate(params)
        if not applies(kind, params, self.default_kinds):
            return not_applicable_kind(params, rate, self.default_kinds)
        if estate is None:
            return no_data("community.estate_area", rate, gettext("尚未填报住宅区总建筑面积。"))
        share = Decimal(estate) * params["permille"] / Decimal(1000)
        required = max(share, Decimal(params["min_m2"]))
        expected = gettext("≥ %(area)s(%(rate)s)") % {
            "area": fmt_area(required, ROUND_CEILING),
            "rate": rate,
        }
        if area is None:
            return no_data("facilities.rooms", expected, gettext("尚未登记在用的设施用房。"))
        measured = gettext("物业服务用房 %(area)s") % {"area": fmt_area(area)}
        if area >= required:
            return compliant(measured, expected)
        return non_compliant(
            measured,
            expected,
            gettext("住宅区总建筑面积 %(estate)s,物业服务用房应不少于 %(required)s。")
            % {
                "estate": fmt_area(Decimal(estate)),
                "required": fmt_area(required, ROUND_CEILING),
            },
        )
