"""The reminder providers for the records the portal keeps today (core/reminders.py).

Each looks at the communities under one prefix in two or three queries whatever their number.
Elections, and the steps of 四议两公开, will add theirs from their own app's ``reminders.py``.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from committees import selectors as committee_selectors
from compliance.models import Finding, Standard
from core.dates import month_end
from core.models import User
from core.reminders import ITEMS_SHOWN, Due, Section, register
from divisions.models import COMMUNITY_CODE_LENGTH, Community
from governance.models import Disclosure, Meeting
from supervision.models import Exemption, RectificationNotice, active_exemption_q
from supervision.selectors import may_supervise

REVIEW_WINDOW_DAYS = 14  # rectifications due within two weeks are listed
EXPIRY_WINDOW_DAYS = 30


def _community_url(name: str, code: str) -> str:
    return reverse(name, args=[code])


def _list_url(prefix: str, community_name: str, division_name: str, state: str = "") -> str:
    """The page listing everything of a kind under ``prefix`` (none for the whole country)."""
    if len(prefix) == COMMUNITY_CODE_LENGTH:
        return reverse(community_name, args=[prefix])
    if prefix:
        return reverse(division_name, args=[prefix]) + (f"?state={state}" if state else "")
    return ""


@register("committees.terms", order=10, dashboard=True)
def terms(user, prefix: str, today: datetime.date) -> Section:
    count, memberships = committee_selectors.term_reminders(prefix, today, limit=ITEMS_SHOWN)
    return Section(
        "committees.terms",
        _("任期 90 天内届满或已届满"),
        count,
        [
            Due(
                _("%(name)s(%(position)s)任期届满")
                % {"name": m.person.name, "position": m.get_position_display()},
                m.organization.community.name,
                m.organization.community.code,
                m.term_ends_on,
                _community_url("committees:people", m.organization.community.code),
                m.term_ends_on is not None and m.term_ends_on < today,
            )
            for m in memberships
        ],
    )


def _last_training(last: datetime.date | None) -> str:
    """(最近 2024-05-01), or (无记录) for someone never trained."""
    note = _("最近") + f" {last:%Y-%m-%d}" if last else _("无记录")
    return f"({note})"


@register("committees.training", order=20, dashboard=True)
def training(user, prefix: str, today: datetime.date) -> Section:
    count, memberships = committee_selectors.training_overdue(prefix, today, limit=ITEMS_SHOWN)
    return Section(
        "committees.training",
        _("两年内没有培训记录"),
        count,
        [
            Due(
                _("%(name)s(%(position)s)需参加培训")
                % {"name": m.person.name, "position": m.get_position_display()}
                + _last_training(m.last_training),  # type: ignore[attr-defined]  # annotated by the selector
                m.organization.community.name,
                m.organization.community.code,
                None,
                reverse("committees:person", args=[m.organization.community.code, m.person.pk]),
                True,
            )
            for m in memberships
        ],
    )


def _held_to(prefix: str, rule_key: str):
    """Communities under ``prefix`` whose current findings include a standard of this rule:
    those the rule applies to (a Guangdong cadence, a Baiyin council…)."""
    return Community.objects.filter(code__startswith=prefix).filter(
        Exists(
            Finding.objects.filter(
                community_id=OuterRef("pk"), is_current=True, standard__rule_key=rule_key
            )
        )
    )


def _council_held(start: datetime.date, end: datetime.date) -> Exists:
    return Exists(
        Meeting.objects.filter(
            community_id=OuterRef("pk"),
            kind=Meeting.Kind.COUNCIL,
            held=True,
            date__range=(start, end),
        )
    )


@register("governance.council", order=30)
def council(user: User, prefix: str, today: datetime.date) -> Section:
    """The monthly residents' council (BY-04 and the like): missed last month (overdue), or not
    yet held this month (due at the month's end)."""
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    rows = (
        _held_to(prefix, "governance.council_monthly")
        .annotate(
            this=_council_held(this_month, today),
            last=_council_held(last_month, this_month - datetime.timedelta(days=1)),
        )
        .filter(Q(this=False) | Q(last=False))
        .order_by("code")
    )
    count = rows.count()
    items = []
    for c in rows[:ITEMS_SHOWN]:
        missed = not c.last
        items.append(
            Due(
                _("上月未召开居民议事协调会") if missed else _("本月尚未召开居民议事协调会"),
                c.name,
                c.code,
                None if missed else month_end(this_month),
                _community_url("governance:meetings", c.code),
                missed,
            )
        )
    return Section("governance.council", _("居民议事协调会每月召开"), count, items)


def quarter_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = datetime.date(today.year, first_month, 1)
    end = (
        datetime.date(today.year + 1, 1, 1)
        if first_month == 10
        else datetime.date(today.year, first_month + 3, 1)
    ) - datetime.timedelta(days=1)
    return start, end


@register("governance.disclosures", order=40)
def disclosures(user: User, prefix: str, today: datetime.date) -> Section | None:
    """Each category a disclosure-cadence standard requires (GD-09: party, residents' and
    financial affairs) not yet published this quarter."""
    rule = "governance.disclosure_cadence"
    in_use = Standard.objects.filter(
        rule_key=rule,
        pk__in=Finding.objects.filter(
            is_current=True, code__startswith=prefix, standard__rule_key=rule
        ).values("standard_id"),
    ).values_list("params", flat=True)
    categories = sorted({c for params in in_use for c in (params or {}).get("categories", [])})
    if not categories:
        return None
    start, end = quarter_bounds(today)
    published = {
        category: Exists(
            Disclosure.objects.filter(
                community_id=OuterRef("pk"),
                category=category,
                published_on__range=(start, today),
            )
        )
        for category in categories
    }
    missing = Q(pk__in=[])
    for category in categories:
        missing |= Q(**{f"has_{category}": False})
    rows = (
        _held_to(prefix, rule)
        .annotate(**{f"has_{c}": e for c, e in published.items()})
        .filter(missing)
        .order_by("code")
    )
    names = dict(Disclosure.Category.choices)
    count = rows.count()
    items = [
        Due(
            _("本季度尚未公开:%(names)s")
            % {"names": "、".join(str(names[c]) for c in categories if not getattr(r, f"has_{c}"))},
            r.name,
            r.code,
            end,
            _community_url("governance:disclosures", r.code),
            False,
        )
        for r in rows[:ITEMS_SHOWN]
    ]
    return Section("governance.disclosures", _("本季度应公开的事项"), count, items)


@register("supervision.rectifications", order=50)
def rectifications(user: User, prefix: str, today: datetime.date) -> Section:
    rows = (
        RectificationNotice.objects.filter(
            code__startswith=prefix,
            state__in=RectificationNotice.OPEN_STATES,
            due_on__lte=today + datetime.timedelta(days=REVIEW_WINDOW_DAYS),
        )
        .select_related("community")
        .annotate(item_count=Count("items"))
        .order_by("due_on", "code")
    )
    count = rows.count()
    return Section(
        "supervision.rectifications",
        _("整改期限将到或已逾期"),
        count,
        [
            Due(
                _("整改通知(%(n)d 项,%(state)s)")
                % {"n": n.item_count, "state": n.get_state_display()},
                n.community.name,
                n.code,
                n.due_on,
                reverse("supervision:notice", args=[n.code, n.pk]),
                n.due_on < today,
            )
            for n in rows[:ITEMS_SHOWN]
        ],
        _list_url(prefix, "supervision:community", "supervision:division_notices", "open"),
    )


@register("supervision.reviews", order=60)
def reviews(user: User, prefix: str, today: datetime.date) -> Section | None:
    """Responses waiting for the street office's acceptance (only for those who review)."""
    if not may_supervise(user, prefix):
        return None
    rows = (
        RectificationNotice.objects.filter(
            code__startswith=prefix, state=RectificationNotice.State.RESPONDED
        )
        .select_related("community")
        .order_by("due_on", "code")
    )
    count = rows.count()
    return Section(
        "supervision.reviews",
        _("整改反馈待验收"),
        count,
        [
            Due(
                _("社区已反馈整改情况,待验收"),
                n.community.name,
                n.code,
                None,
                reverse("supervision:notice_review", args=[n.code, n.pk]),
                False,
            )
            for n in rows[:ITEMS_SHOWN]
        ],
        _list_url(prefix, "supervision:community", "supervision:division_notices", "responded"),
    )


@register("supervision.disputes", order=70)
def disputes(user: User, prefix: str, today: datetime.date) -> Section | None:
    if not may_supervise(user, prefix):
        return None
    rows = (
        Exemption.objects.filter(code__startswith=prefix, state=Exemption.State.PENDING)
        .select_related("community", "standard")
        .order_by("raised_on", "code")
    )
    count = rows.count()
    return Section(
        "supervision.disputes",
        _("申诉待裁定"),
        count,
        [
            Due(
                _("对 %(code)s 的申诉待裁定") % {"code": e.standard.code},
                e.community.name,
                e.code,
                None,
                reverse("supervision:dispute_decide", args=[e.code, e.pk]),
                False,
            )
            for e in rows[:ITEMS_SHOWN]
        ],
        _list_url(prefix, "supervision:community", "supervision:division_exemptions", "pending"),
    )


@register("supervision.exemptions", order=80)
def expiring(user: User, prefix: str, today: datetime.date) -> Section:
    rows = (
        Exemption.objects.filter(
            active_exemption_q(today),
            code__startswith=prefix,
            expires_on__lte=today + datetime.timedelta(days=EXPIRY_WINDOW_DAYS),
        )
        .select_related("community", "standard")
        .order_by("expires_on", "code")
    )
    count = rows.count()
    return Section(
        "supervision.exemptions",
        _("豁免 30 天内到期"),
        count,
        [
            Due(
                _("%(code)s 的豁免到期后重新计入达标率") % {"code": e.standard.code},
                e.community.name,
                e.code,
                e.expires_on,
                reverse("supervision:community", args=[e.code]),
                False,
            )
            for e in rows[:ITEMS_SHOWN]
        ],
        _list_url(prefix, "supervision:community", "supervision:division_exemptions", "active"),
    )
