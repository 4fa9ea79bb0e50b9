"""Every write route × role × inside/outside, hostile bodies on each, and the forms' messages.

The routes are read from the router: a write route this file has no body for fails the walk.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from api.models import ApiWrite
from api.urls import router
from committees import services as committee_services
from committees.models import Membership, Organization, Person
from core.models import Role
from divisions.models import Community
from facilities.models import Facility
from funding import services as funding_services
from funding.forms import AllocationForm, ExpenditureForm
from funding.models import Allocation, Expenditure
from governance import services as governance_services
from governance.models import Attendance, Disclosure, FinanceLine, Meeting, Resolution
from tests.api.conftest import room
from tests.conftest import DISTRICT, OTHER_DISTRICT, OTHER_STREET, STREET

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = (TODAY - datetime.timedelta(days=3)).isoformat()
YEAR = TODAY.year if TODAY.month > 1 or TODAY.day > 3 else TODAY.year - 1
WRITTEN = (Allocation, Expenditure, Disclosure, FinanceLine, Meeting, Resolution, Membership,
           Facility)  # fmt: skip


@dataclass
class World:
    """The records of one community that the write routes change or refer to."""

    community: Community
    person: Person
    newcomer: Person
    committee: Organization
    membership: Membership
    meeting: Meeting
    disclosure: Disclosure
    line: FinanceLine
    allocation: Allocation
    expenditure: Expenditure


def world(community: Community, actor) -> World:
    committee = committee_services.organization_save(
        actor=actor,
        organization=Organization(
            community=community, kind=Organization.Kind.RESIDENTS_COMMITTEE, name="居委会"
        ),
    )
    person = committee_services.person_save(
        actor=actor, person=Person(community=community, name="王芳", gender="female")
    )
    newcomer = committee_services.person_save(
        actor=actor, person=Person(community=community, name="李明", gender="male")
    )
    membership = committee_services.membership_save(
        actor=actor,
        membership=Membership(
            person=person,
            organization=committee,
            position=Membership.Position.DIRECTOR,
            start_date=datetime.date(2024, 1, 1),
        ),
    )
    meeting = governance_services.meeting_save(
        actor=actor,
        community=community,
        meeting=None,
        data={
            "kind": Meeting.Kind.COMMITTEE_WORK,
            "title": "工作例会",
            "date": TODAY,
            "held": True,
            "entitled": 5,
            "attended": 4,
        },  # fmt: skip
    )
    disclosure = governance_services.disclosure_save(
        actor=actor,
        community=community,
        disclosure=None,
        data={"category": Disclosure.Category.FINANCE, "title": "一季度收支", "content": "见明细"},
    )
    governance_services.finance_lines_save(
        actor=actor,
        disclosure=disclosure,
        lines=[governance_services.FinanceLineData("income", "拨款", Decimal("1000"))],
    )
    allocation = funding_services.allocation_save(
        actor=actor,
        community=community,
        allocation=None,
        data={
            "year": YEAR,
            "source": "street_finance",
            "amount": Decimal("5000"),
            "received_on": datetime.date(YEAR, 1, 2),
        },  # fmt: skip
    )
    expenditure = funding_services.expenditure_save(
        actor=actor,
        community=community,
        expenditure=None,
        data={
            "year": YEAR,
            "date": datetime.date(YEAR, 1, 2),
            "category": "office",
            "amount": Decimal("100"),
            "description": "文具",
        },  # fmt: skip
    )
    return World(
        community, person, newcomer, committee, membership, meeting, disclosure,
        disclosure.lines.get(), allocation, expenditure,
    )  # fmt: skip


def version(record) -> int:
    return record.history.order_by("-history_id").values_list("history_id", flat=True)[0]


# (route name, method) -> (path, body) in a world. The creates name the world's community.
def _routes(w: World) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    code = w.community.code
    return {
        ("facility-list", "post"): ("/api/v1/facilities/", {
            "community": code, "kind": "service_station", "name": "服务站", "indoor": True,
            "area_m2": "150", "tenure": "owned"}),
        ("facility-detail", "patch"): ("/api/v1/facilities/{room}/", {"name": "改名"}),
        ("facility-detail", "put"): ("/api/v1/facilities/{room}/", {
            "kind": "service_station", "name": "服务站", "indoor": True, "area_m2": "90",
            "tenure": "owned"}),
        ("meeting-list", "post"): ("/api/v1/meetings/", {
            "community": code, "kind": "committee_work", "title": "例会", "date": DAY,
            "held": True, "entitled": 5, "attendees": [w.person.pk]}),
        ("meeting-detail", "patch"): (f"/api/v1/meetings/{w.meeting.pk}/", {"title": "改"}),
        ("meeting-detail", "put"): (f"/api/v1/meetings/{w.meeting.pk}/", {
            "kind": "committee_work", "title": "例会", "date": DAY, "held": True,
            "entitled": 5, "attended": 3}),
        ("meeting-resolutions", "post"): (f"/api/v1/meetings/{w.meeting.pk}/resolutions/", {
            "title": "通过预算", "votes_for": 3, "votes_against": 1, "abstentions": 0}),
        ("disclosure-list", "post"): ("/api/v1/disclosures/", {
            "community": code, "category": "residents", "title": "公示", "content": "内容"}),
        ("disclosure-detail", "patch"): (f"/api/v1/disclosures/{w.disclosure.pk}/", {
            "title": "改"}),
        ("disclosure-detail", "put"): (f"/api/v1/disclosures/{w.disclosure.pk}/", {
            "category": "finance", "title": "二季度", "content": "见明细"}),
        ("disclosure-lines", "put"): (f"/api/v1/disclosures/{w.disclosure.pk}/lines/", {
            "lines": [{"direction": "spending", "item": "水电", "amount": "80.5"},
                      {"id": w.line.pk, "version": version(w.line), "direction": "income",
                       "item": "拨款", "amount": "1200"}]}),
        ("allocation-list", "post"): ("/api/v1/allocations/", {
            "community": code, "year": YEAR, "source": "district_finance", "amount": "300",
            "received_on": f"{YEAR}-01-02"}),
        ("allocation-detail", "patch"): (f"/api/v1/allocations/{w.allocation.pk}/", {
            "amount": "6000"}),
        ("allocation-detail", "put"): (f"/api/v1/allocations/{w.allocation.pk}/", {
            "year": YEAR, "source": "city", "amount": "10", "received_on": f"{YEAR}-01-03"}),
        ("expenditure-list", "post"): ("/api/v1/expenditures/", {
            "community": code, "year": YEAR, "date": f"{YEAR}-01-03", "category": "office",
            "amount": "12.5", "description": "打印纸"}),
        ("expenditure-detail", "patch"): (f"/api/v1/expenditures/{w.expenditure.pk}/", {
            "description": "墨盒"}),
        ("expenditure-detail", "put"): (f"/api/v1/expenditures/{w.expenditure.pk}/", {
            "year": YEAR, "date": f"{YEAR}-01-02", "category": "office", "amount": "99",
            "description": "文具"}),
        ("membership-list", "post"): ("/api/v1/memberships/", {
            "community": code, "person": w.newcomer.pk, "organization": w.committee.pk,
            "position": "member", "start_date": "2024-02-01"}),
        ("membership-detail", "patch"): (f"/api/v1/memberships/{w.membership.pk}/", {
            "full_time": True}),
        ("membership-detail", "put"): (f"/api/v1/memberships/{w.membership.pk}/", {
            "person": w.person.pk, "organization": w.committee.pk, "position": "director",
            "start_date": "2024-01-01", "end_date": "2025-01-01", "end_reason": "辞职"}),
    }  # fmt: skip


def write_routes() -> set[tuple[str, str]]:
    """Every (route name, method) of the router that writes."""
    found = set()
    for pattern in router.urls:
        actions = getattr(pattern.callback, "actions", {})
        for method in actions:
            if method in ("post", "put", "patch", "delete"):
                found.add((pattern.name, method))
    return found


ROUTES = sorted(write_routes())


def test_every_write_route_has_a_body_in_this_walk(make_user, community_in):
    w = world(community_in(STREET), make_user(Role.BUREAU, "44"))
    assert write_routes() == set(_routes(w))


def call(client, method: str, path: str, body: Any, **headers):
    return getattr(client, method)(
        path, json.dumps(body), content_type="application/json", **headers
    )


def history_rows() -> int:
    return sum(model.history.count() for model in WRITTEN) + Attendance.objects.count()


def request_for(w: World, route: tuple[str, str], actor):
    path, body = _routes(w)[route]
    record = _record(w, route[0])
    if "{room}" in path:
        record = room(w.community, actor)
        path = path.format(room=record.pk)
    headers = {}
    if route[1] in ("put", "patch") and record is not None:
        headers["HTTP_IF_MATCH"] = f'"{version(record)}"'
    return path, body, headers


def _record(w: World, name: str):
    return {
        "meeting-detail": w.meeting,
        "disclosure-detail": w.disclosure,
        "allocation-detail": w.allocation,
        "expenditure-detail": w.expenditure,
        "membership-detail": w.membership,
    }.get(name)


ROLES = {
    Role.BUREAU: (DISTRICT, OTHER_DISTRICT),
    Role.STREET: (STREET, OTHER_STREET),
    Role.COMMITTEE: (None, None),
    Role.VIEWER: (DISTRICT, OTHER_DISTRICT),
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("route", ROUTES, ids=[f"{n}-{m}" for n, m in ROUTES])
def test_writes_inside_for_writers_only_and_outside_change_nothing(
    make_user, community_in, token_for, api, role, route
):
    here = community_in(STREET)
    inside = here.code if role == Role.COMMITTEE else ROLES[role][0]
    there = community_in(ROLES[role][1] or OTHER_STREET)
    user = make_user(role, inside)
    setup = make_user(Role.BUREAU, "44")
    mine, theirs = world(here, setup), world(there, setup)
    client = api(token_for(user))
    # Outside: 404 whatever the role, whatever the body, and not one row written.
    path, body, headers = request_for(theirs, route, setup)
    before = history_rows()
    response = call(client, route[1], path, body, **headers)
    assert response.status_code == 404, response.content
    assert history_rows() == before
    path, body, headers = request_for(mine, route, setup)
    before = history_rows()
    response = call(client, route[1], path, body, **headers)
    if role in (Role.STREET, Role.COMMITTEE):
        assert response.status_code in (200, 201), response.content
        assert history_rows() > before
        assert ApiWrite.objects.filter(token__owner=user, status=response.status_code).count() == 1
        assert response["ETag"]
    else:
        assert response.status_code == 403
        assert history_rows() == before
        assert not ApiWrite.objects.exists()


HOSTILE = [
    {"bogus": 1},
    {"title": {"a": 1}, "name": ["x"], "amount": [1], "date": {"y": 1}},
    {"held": "maybe", "indoor": "yes", "full_time": 1},
    {"title": "控制\u0000字符", "name": "控制\u0000字符", "description": "\u0000",
     "item": "\u0000", "content": "\u0000"},
    {"amount": "abc", "year": "二〇二六", "entitled": -3, "votes_for": 2**70, "area_m2": "1e400",
     "date": "2026-13-45", "start_date": 20260101, "person": 2**70, "organization": "x"},
]  # fmt: skip


@pytest.mark.parametrize("route", ROUTES, ids=[f"{n}-{m}" for n, m in ROUTES])
def test_hostile_bodies_get_field_errors_never_a_500(
    make_user, community_in, token_for, api, route
):
    user = make_user(Role.STREET, STREET)
    w = world(community_in(STREET), make_user(Role.BUREAU, "44"))
    client = api(token_for(user))
    for hostile in HOSTILE:
        path, body, headers = request_for(w, route, user)
        if route[0] == "disclosure-lines":
            body = {"lines": [{**body["lines"][0], **hostile}]}
        else:
            body = {**body, **hostile}
        before = history_rows()
        response = call(client, route[1], path, body, **headers)
        assert response.status_code == 400, (hostile, response.content)
        errors = response.json()
        keys = {k.rsplit(".", 1)[-1] for k in errors}
        assert keys & (set(hostile) | {"non_field_errors"}), (hostile, errors)
        assert history_rows() == before
    for raw in ("[1]", '"x"', "{not json", "null"):
        path, _body, headers = request_for(w, route, user)
        response = client.generic(
            route[1].upper(), path, raw, content_type="application/json", **headers
        )
        assert response.status_code == 400, raw


@pytest.mark.parametrize(
    ("form_class", "path", "body"),
    [
        (AllocationForm, "/api/v1/allocations/",
         {"year": YEAR, "source": "city", "amount": "abc", "received_on": "2099-01-01"}),
        (ExpenditureForm, "/api/v1/expenditures/",
         {"year": YEAR, "date": f"{YEAR - 1}-05-01", "category": "nope", "amount": "-1",
          "description": "  "}),
    ],
)  # fmt: skip
def test_errors_are_the_forms_own_messages(
    make_user, community_in, token_for, api, form_class, path, body
):
    community = community_in(STREET)
    client = api(token_for(make_user(Role.STREET, STREET)))
    response = call(client, "post", path, {"community": community.code, **body})
    assert response.status_code == 400
    form = form_class(data=body, instance=form_class._meta.model(community=community))
    assert not form.is_valid()
    assert response.json() == {k: [str(m) for m in v] for k, v in form.errors.items()}


def test_meeting_attendance_resolutions_and_history(make_user, community_in, token_for, api):
    setup = make_user(Role.BUREAU, "44")
    w = world(community_in(STREET), setup)
    user = make_user(Role.STREET, STREET)
    client = api(token_for(user))
    body = {"community": w.community.code, "kind": "committee_work", "title": "例会",
            "date": DAY, "held": True, "entitled": 5, "attendees": [w.person.pk]}  # fmt: skip
    created = call(client, "post", "/api/v1/meetings/", body)
    assert created.status_code == 201, created.content
    meeting = Meeting.objects.get(pk=created.json()["id"])
    assert created.json()["attendees"] == [w.person.pk] and meeting.attended == 1
    assert meeting.history.first().history_user == user
    # Someone who never sat on the committee: refused as on the page.
    outsider = call(client, "post", "/api/v1/meetings/", {**body, "attendees": [w.newcomer.pk]})
    assert outsider.status_code == 400 and outsider.json()["attendees"]
    # PATCH keeps the attendance it does not mention.
    patched = call(client, "patch", f"/api/v1/meetings/{meeting.pk}/", {"title": "改"},
                   HTTP_IF_MATCH=created["ETag"])  # fmt: skip
    assert patched.status_code == 200 and patched.json()["attendees"] == [w.person.pk]
    # A resolution: passed is computed from the attendance; too many votes is refused.
    path = f"/api/v1/meetings/{meeting.pk}/resolutions/"
    ok = call(client, "post", path, {"title": "议题", "votes_for": 1, "votes_against": 0,
                                     "abstentions": 0})  # fmt: skip
    assert ok.status_code == 201 and ok.json()["passed"] is True
    assert Resolution.objects.get(pk=ok.json()["id"]).history.first().history_user == user
    over = call(client, "post", path, {"title": "议题", "votes_for": 3, "votes_against": 0,
                                       "abstentions": 0})  # fmt: skip
    assert over.status_code == 400 and "votes_for" in over.json()
    unheld = governance_services.meeting_save(
        actor=setup, community=w.community, meeting=None,
        data={"kind": "residents_meeting", "title": "待开", "date": TODAY, "held": False,
              "entitled": 40},
    )  # fmt: skip
    refused = call(client, "post", f"/api/v1/meetings/{unheld.pk}/resolutions/",
                   {"title": "x", "votes_for": 1})  # fmt: skip
    assert refused.status_code == 400
    assert refused.json()["non_field_errors"] == ["会议尚未召开,不能登记表决结果。"]


def test_finance_lines_all_or_nothing_and_per_line_versions(
    make_user, community_in, token_for, api
):
    w = world(community_in(STREET), make_user(Role.BUREAU, "44"))
    user = make_user(Role.STREET, STREET)
    client = api(token_for(user))
    path = f"/api/v1/disclosures/{w.disclosure.pk}/lines/"
    read = client.get(f"/api/v1/disclosures/{w.disclosure.pk}/").json()
    line = read["lines"][0]
    assert line["version"] == version(w.line)
    changed = {**line, "amount": "1500"}
    changed.pop("disclosure", None)
    body = {"lines": [{k: changed[k] for k in ("id", "version", "direction", "item", "amount")}]}
    assert call(client, "put", path, body).status_code == 200
    stale = call(client, "put", path, body)
    assert stale.status_code == 412
    bad = call(client, "put", path, {"lines": [
        {"direction": "spending", "item": "电费", "amount": "10"},
        {"direction": "sideways", "item": "", "amount": "x"}]})  # fmt: skip
    assert bad.status_code == 400
    assert {"lines.1.direction", "lines.1.item", "lines.1.amount"} <= set(bad.json())
    assert w.disclosure.lines.count() == 1 and w.disclosure.lines.get().amount == Decimal("1500")
    gone = call(client, "put", path, {"lines": [], "deleted": [w.line.pk]})
    assert gone.status_code == 200 and gone.json()["lines"] == []
    party = {"community": w.community.code, "category": "party", "title": "党务", "content": "x"}
    other = call(client, "post", "/api/v1/disclosures/", party)
    assert other.status_code == 201, other.content
    not_finance = call(client, "put", f"/api/v1/disclosures/{other.json()['id']}/lines/",
                       {"lines": []})  # fmt: skip
    assert not_finance.status_code == 400


def test_membership_rules_of_the_form(make_user, community_in, token_for, api):
    w = world(community_in(STREET), make_user(Role.BUREAU, "44"))
    user = make_user(Role.STREET, STREET)
    client = api(token_for(user))
    second_director = call(client, "post", "/api/v1/memberships/", {
        "community": w.community.code, "person": w.newcomer.pk, "organization": w.committee.pk,
        "position": "director", "start_date": "2024-06-01"})  # fmt: skip
    assert second_director.status_code == 400
    assert "王芳" in second_director.json()["position"][0]
    no_reason = call(client, "patch", f"/api/v1/memberships/{w.membership.pk}/",
                     {"end_date": "2025-01-01", "version": version(w.membership)})  # fmt: skip
    assert no_reason.status_code == 400
    assert no_reason.json() == {"end_reason": ["填写离任日期时请说明离任原因。"]}
    ok = call(client, "patch", f"/api/v1/memberships/{w.membership.pk}/",
              {"end_date": "2025-01-01", "end_reason": "辞职",
               "version": version(w.membership)})  # fmt: skip
    assert ok.status_code == 200, ok.content
    w.membership.refresh_from_db()
    assert w.membership.end_reason == "辞职"
    assert w.membership.history.first().history_user == user
