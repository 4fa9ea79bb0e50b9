"""Writes of the grids, visits and the 民情 register.

Views pass validated field values, never a form. Each write checks what a form cannot see (that
a grid, building, worker or handler belongs to the community; the order of the dates), raises a
ValidationError naming the field, and saves with who did it (its history). The database
constraints hold the same invariants for any other writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Organization, Person
from compliance.services import assign, community_record_save, record_save
from core import audit
from core.models import User
from divisions.models import Community
from grassroots.limits import due_date
from grassroots.models import Grid, GridWorker, Request, TimeLimit, Visit

GRID_FIELDS = ("name", "households", "note")
WORKER_FIELDS = ("person", "start_date", "end_date")
VISIT_FIELDS = ("grid", "worker", "kind", "visited_on", "households_visited", "found")
REQUEST_FIELDS = (
    "received_on",
    "channel",
    "category",
    "grid",
    "building",
    "resident_name",
    "phone",
    "summary",
    "handler",
    "due_on",
    "steps",
    "answer",
    "public_answer",
    "answered_on",
    "satisfaction",
    "escalated_on",
    "street_answer",
    "closed_on",
)
# What a resident may send from the public board; the rest is the committee's to fill in.
PUBLIC_FIELDS = ("category", "summary", "resident_name", "phone")
PUBLIC_CATEGORIES = (
    Request.Category.REQUEST,
    Request.Category.COMPLAINT,
    Request.Category.SUGGESTION,
    Request.Category.HELP,
    Request.Category.DAMAGED_PUBLIC_FACILITIES,
    Request.Category.UNCLEAN_BACK_LANES,
    Request.Category.SAFETY_HAZARDS,
    Request.Category.OTHER,
)
COVERED_KINDS = (Organization.Kind.RESIDENTS_GROUP, Organization.Kind.BUILDING)


def _of_community(value: Any, community: Community) -> bool:
    return value is None or value.community_id == community.pk


@transaction.atomic
def grid_save(
    *,
    actor: User,
    community: Community,
    grid: Grid | None,
    data: Mapping[str, Any],
    covers: Iterable[Organization],
) -> Grid:
    """Record a grid of ``community`` (``grid`` None) or change one, with what it covers."""
    covers = list(covers)
    foreign = [o for o in covers if o.community_id != community.pk or o.kind not in COVERED_KINDS]
    if foreign:
        raise ValidationError(
            {
                "covers": _("只能覆盖本社区的居民小组和楼栋:%(names)s 不是。")
                % {"names": "、".join(o.name for o in foreign)}
            }
        )
    grid = grid or Grid(community=community)
    community_record_save(
        actor=actor, community=community, record=grid, data=data, fields=GRID_FIELDS
    )
    grid.covers.set(covers)
    return grid


@transaction.atomic
def grid_worker_save(
    *, actor: User, grid: Grid, worker: GridWorker | None, data: Mapping[str, Any]
) -> GridWorker:
    """Name a person of the grid's community its worker from a date (or change that record)."""
    person: Person | None = data.get("person")
    if person is not None and person.community_id != grid.community_id:
        raise ValidationError({"person": _("网格员须是本社区登记的人员。")})
    worker = worker or GridWorker(grid=grid)
    assign(worker, data, WORKER_FIELDS)
    return record_save(actor=actor, instance=worker, community=grid.community)


def request_errors(community: Community, data: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with a register item's values, by field (empty when nothing is)."""
    errors: dict[str, str] = {}
    for name in ("grid", "building", "handler"):
        if not _of_community(data.get(name), community):
            errors[name] = _("只能选择本社区的记录。")
    building = data.get("building")
    if building is not None and building.kind != Organization.Kind.BUILDING:
        errors["building"] = _("请选择楼栋。")
    received, due = data.get("received_on"), data.get("due_on")
    if received and due and due < received:
        errors["due_on"] = _("办理时限不能早于受理日期。")
    answer, answered = data.get("answer"), data.get("answered_on")
    if answer and not answered:
        errors["answered_on"] = _("填写了答复内容,请填写答复日期。")
    if answered and not answer:
        errors["answer"] = _("填写了答复日期,请填写答复内容。")
    if answered and received and answered < received:
        errors["answered_on"] = _("答复日期不能早于受理日期。")
    closed = data.get("closed_on")
    if closed and not (answer and answered):
        errors["closed_on"] = _("尚未答复的事项不能办结:请先填写答复内容和答复日期。")
    elif closed and answered and closed < answered:
        errors["closed_on"] = _("办结日期不能早于答复日期。")
    if data.get("satisfaction") and not answered:
        errors["satisfaction"] = _("答复后才能登记居民评价。")
    escalated = data.get("escalated_on")
    if data.get("street_answer") and not escalated:
        errors["escalated_on"] = _("填写了街道答复,请填写上报街道日期。")
    if escalated and received and escalated < received:
        errors["escalated_on"] = _("上报日期不能早于受理日期。")
    return errors


@transaction.atomic
def request_save(
    *,
    actor: User,
    community: Community,
    request: Request | None,
    data: Mapping[str, Any],
) -> Request:
    """Record an item of the register (``request`` None) or change one. Without a due date the
    time limit of its category applies (a bureau's for the community, else the portal's)."""
    data = dict(data)
    if not data.get("due_on") and data.get("received_on") and data.get("category"):
        data["due_on"] = due_date(community.code, data["category"], data["received_on"])
    errors = request_errors(community, data)
    if errors:
        raise ValidationError(errors)
    return community_record_save(
        actor=actor,
        community=community,
        record=request or Request(community=community),
        data=data,
        fields=REQUEST_FIELDS,
    )


@transaction.atomic
def visit_save(
    *,
    actor: User,
    community: Community,
    visit: Visit | None,
    data: Mapping[str, Any],
    opens: Mapping[str, Any] | None = None,
) -> Visit:
    """Record a visit or patrol; with ``opens`` (category, summary) it also opens a register
    item for what was found, in the same step."""
    grid: Grid | None = data.get("grid")
    if grid is not None and grid.community_id != community.pk:
        raise ValidationError({"grid": _("只能选择本社区的网格。")})
    worker: Person | None = data.get("worker")
    if worker is not None and worker.community_id != community.pk:
        raise ValidationError({"worker": _("走访人须是本社区登记的人员。")})
    visit = community_record_save(
        actor=actor,
        community=community,
        record=visit or Visit(community=community),
        data=data,
        fields=VISIT_FIELDS,
    )
    if opens:
        request = request_save(
            actor=actor,
            community=community,
            request=None,
            data={
                "received_on": visit.visited_on,
                "channel": (
                    Request.Channel.PATROL
                    if visit.kind == Visit.Kind.PATROL
                    else Request.Channel.VISIT
                ),
                "grid": grid,
                "handler": worker,
                **opens,
            },
        )
        Request.objects.filter(pk=request.pk).update(visit=visit)
    return visit


@transaction.atomic
def public_request_submit(*, community: Community, data: Mapping[str, Any]) -> Request:
    """A resident's request from the public board: no account, so no actor in its history."""
    request = Request(
        community=community,
        channel=Request.Channel.PUBLIC_BOARD,
        received_on=timezone.localdate(),
    )
    assign(request, data, PUBLIC_FIELDS)
    if request.category not in PUBLIC_CATEGORIES:
        raise ValidationError({"category": _("请选择事项类别。")})
    request.due_on = due_date(community.code, request.category, request.received_on)
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def time_limit_set(*, actor: User, prefix: str, category: str, days: int) -> TimeLimit:
    """A bureau's time limit for one category in its jurisdiction (replacing its earlier one)."""
    limit = TimeLimit.objects.filter(prefix=prefix, category=category).first() or TimeLimit(
        prefix=prefix, category=category
    )
    limit.days = days
    audit.save_as(limit, actor=actor)
    return limit
