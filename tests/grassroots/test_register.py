"""The 民情 register: bad input refused beside the field, constraints, lists, public requests."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import Organization, Person
from core.models import Role
from grassroots.models import Grid, GridWorker, Request, Visit
from tests.conftest import OTHER_STREET, STREET

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 3, 1)


@pytest.fixture
def community(community_in):
    return community_in(STREET)


@pytest.fixture
def street_client(client, make_user, zhuhai):
    client.force_login(make_user(Role.STREET, STREET))
    return client


def new_request(community, **extra) -> Request:
    values = {
        "community": community,
        "received_on": DAY,
        "channel": "phone",
        "category": "request",
        "summary": "楼道灯不亮",
        "due_on": DAY + datetime.timedelta(days=7),
        **extra,
    }
    return Request.objects.create(**values)


GOOD = {"received_on": "2024-03-01", "channel": "phone", "category": "request", "summary": "漏水"}


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"due_on": "2024-02-28"}, "due_on", "办理时限不能早于受理日期"),
        ({"answer": "已修复"}, "answered_on", "请填写答复日期"),
        ({"closed_on": "2024-03-05"}, "closed_on", "尚未答复的事项不能办结"),
        ({"summary": "x" * 20000}, "summary", "2000"),
        ({"summary": "漏水\x07"}, "summary", "控制字符"),
        ({"phone": "12345"}, "phone", "手机号"),
    ],
)
def test_it_refuses_bad_input_beside_the_field_and_saves_nothing(
    street_client, community, extra, field, message
):
    url = reverse("grassroots:request_create", args=[community.code])
    response = street_client.post(url, {**GOOD, **extra})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Request.objects.exists()


def test_it_sets_the_due_date_from_the_category_time_limit(street_client, community):
    url = reverse("grassroots:request_create", args=[community.code])
    response = street_client.post(url, {**GOOD, "category": "safety_hazards"})
    assert response.status_code == 302
    item = Request.objects.get()
    assert item.due_on == datetime.date(2024, 3, 2)  # hazards: one day
    assert item.history.count() == 1


def test_it_lets_a_bureau_lengthen_the_time_limit_in_its_jurisdiction(make_user, community):
    from grassroots import services

    bureau = make_user(Role.BUREAU, "440402")
    services.time_limit_set(actor=bureau, prefix="440402", category="request", days=10)
    item = services.request_save(
        actor=bureau,
        community=community,
        request=None,
        data={"received_on": DAY, "channel": "phone", "category": "request", "summary": "x"},
    )
    assert item.due_on == DAY + datetime.timedelta(days=10)


@pytest.mark.parametrize(
    "extra",
    [
        {"due_on": DAY - datetime.timedelta(days=1)},
        {"answer": "已答复"},
        {"answered_on": DAY},
        {"closed_on": DAY},
        {"satisfaction": "satisfied"},
        {"street_answer": "已协调"},
        {"summary": ""},
    ],
)
def test_it_holds_the_invariants_in_the_database(community, extra):
    with pytest.raises(IntegrityError), transaction.atomic():
        new_request(community, **extra)


def test_it_computes_the_state_from_the_dates(community):
    item = new_request(community)
    assert item.state(DAY) == "open"
    assert item.state(DAY + datetime.timedelta(days=8)) == "overdue"
    item.answer, item.answered_on = "已修", DAY + datetime.timedelta(days=2)
    assert item.state(DAY + datetime.timedelta(days=30)) == "answered"
    item.closed_on = item.answered_on
    assert item.state(DAY) == "closed"


def test_it_refuses_a_grid_covering_another_communitys_building(make_user, community_in):
    from grassroots import services

    community, other = community_in(STREET), community_in(OTHER_STREET)
    building = Organization.objects.create(community=other, kind="building", name="1 栋")
    with pytest.raises(Exception) as refused:
        services.grid_save(
            actor=make_user(Role.STREET, STREET),
            community=community,
            grid=None,
            data={"name": "一网格"},
            covers=[building],
        )
    assert "covers" in refused.value.message_dict  # type: ignore[attr-defined]
    assert not Grid.objects.exists()


def test_it_refuses_a_grid_worker_from_another_community(street_client, community_in):
    community, other = community_in(STREET), community_in(OTHER_STREET)
    grid = Grid.objects.create(community=community, name="一网格")
    stranger = Person.objects.create(community=other, name="外人", gender="male")
    url = reverse("grassroots:worker_create", args=[community.code, grid.pk])
    response = street_client.post(url, {"person": stranger.pk, "start_date": "2024-03-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["person"]
    assert not GridWorker.objects.exists()


def test_a_visit_opens_a_register_entry_in_one_step(street_client, community):
    grid = Grid.objects.create(community=community, name="一网格")
    url = reverse("grassroots:visit_create", args=[community.code])
    response = street_client.post(
        url,
        {
            "visited_on": "2024-03-01",
            "kind": "patrol",
            "grid": grid.pk,
            "households_visited": "0",
            "found": "井盖松动",
            "open_category": "damaged_public_facilities",
            "open_summary": "3 栋前井盖松动",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    item = Request.objects.get()
    assert (item.visit, item.grid, item.channel) == (visit, grid, "patrol")
    assert item.due_on == datetime.date(2024, 3, 4)


def test_the_list_filters_and_stays_constant_in_queries(street_client, community):
    url = reverse("grassroots:requests", args=[community.code])
    new_request(community)
    street_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert street_client.get(url + "?state=overdue").status_code == 200
    grid = Grid.objects.create(community=community, name="一网格")
    building = Organization.objects.create(community=community, kind="building", name="1 栋")
    handler = Person.objects.create(community=community, name="王五", gender="male")
    for n in range(30):
        new_request(community, grid=grid, building=building, handler=handler, summary=f"事{n}")
    with CaptureQueriesContext(connection) as many:
        response = street_client.get(url + "?state=overdue")
    assert len(many) == len(few)
    assert response.context["page"].paginator.count == 31
    answered = new_request(community, answer="好", answered_on=DAY)
    response = street_client.get(url + "?state=answered")
    assert [r.pk for r in response.context["page"]] == [answered.pk]


def test_the_export_and_the_monthly_ledger_open(street_client, community):
    new_request(community, phone="13800001111")
    export = street_client.get(reverse("grassroots:requests_export", args=[community.code]))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    ledger = street_client.get(
        reverse("grassroots:ledger", args=[community.code]) + "?month=2024-03"
    )
    assert "楼道灯不亮" in ledger.content.decode()
    assert (
        street_client.get(
            reverse("grassroots:ledger", args=[community.code]) + "?month=bad"
        ).status_code
        == 200
    )


def test_overdue_requests_are_in_the_todo_list(street_client, community):
    new_request(community, summary="路灯坏了")
    page = street_client.get(reverse("supervision:todo"))
    assert "路灯坏了" in page.content.decode()


def test_a_resident_submits_and_tracks_a_request_without_logging_in(client, community):
    url = reverse("grassroots:public_submit", args=[community.code])
    response = client.post(
        url, {"category": "complaint", "summary": "夜间噪音", "phone": "13800001111"}
    )
    assert response.status_code == 200
    item = Request.objects.get()
    assert item.channel == "public_board" and item.phone == "13800001111"
    assert item.tracking_code in response.content.decode()
    item.answer, item.answered_on = "已联系业主(内部)", item.received_on
    item.public_answer = "已协调处理"
    item.save()
    page = client.get(reverse("grassroots:public_track") + f"?code={item.tracking_code}")
    text = page.content.decode()
    assert "已协调处理" in text and "已答复" in text
    assert "13800001111" not in text and "内部" not in text
    assert client.get(reverse("grassroots:public_track") + "?code=ZZZ").status_code == 404


@pytest.mark.parametrize(
    ("summary", "message"), [("x" * 20000, "不能超过"), ("噪音\x07", "控制字符"), ("  ", "必填")]
)
def test_it_refuses_abusive_public_submissions_clearly(client, community, summary, message):
    url = reverse("grassroots:public_submit", args=[community.code])
    response = client.post(url, {"category": "complaint", "summary": summary})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Request.objects.exists()


def test_it_rate_limits_public_submissions_per_address(client, community):
    url = reverse("grassroots:public_submit", args=[community.code])
    codes = [
        client.post(url, {"category": "other", "summary": f"第{n}件"}).status_code for n in range(7)
    ]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    assert Request.objects.count() == 5


def test_public_submission_refuses_an_unknown_community_and_bad_category(client, community):
    assert client.get(reverse("grassroots:public_submit", args=["999"])).status_code == 404
    url = reverse("grassroots:public_submit", args=[community.code])
    response = client.post(url, {"category": "flats_let", "summary": "x"})
    assert response.status_code == 200 and response.context["form"].errors["category"]
