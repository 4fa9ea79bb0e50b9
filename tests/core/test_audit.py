"""The audit trail: every change of a community record, who made it and what it was."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import Person
from committees.services import person_save
from core.audit import history_url
from core.models import Role
from tests.conftest import DISTRICT, STREET, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(community_in, make_user):
    clerk = make_user(Role.STREET, STREET, first_name="", last_name="")
    p = Person(community=community_in(STREET), name="张三", gender="male", phone="13812345678")
    return person_save(actor=clerk, person=p)


def edit_person(client, person, **changes):
    page = client.get(reverse("committees:person_edit", args=[person.community.code, person.pk]))
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data = {k: v for k, v in data.items() if v is not False}
    data.update(changes, _version=page.context["version"])
    return client.post(
        reverse("committees:person_edit", args=[person.community.code, person.pk]), data
    )


def test_it_records_who_changed_what_and_when_before_and_after(client, make_user, person):
    editor = make_user(Role.STREET, STREET, first_name="", last_name="李")
    client.force_login(editor)
    assert edit_person(client, person, name="张三丰", phone="13900001111").status_code == 302
    page = client.get(history_url(person, person.community.code))
    assert page.status_code == 200
    newest, created = page.context["entries"]
    assert (newest.kind, newest.who) == ("~", "李")
    assert {(c.field, c.before, c.after) for c in newest.changes} == {
        ("姓名", "张三", "张三丰"),
        ("联系电话", "13812345678", "13900001111"),
    }
    assert created.kind == "+" and ("姓名", "—", "张三") in {
        (c.field, c.before, c.after) for c in created.changes
    }
    html = page.content.decode()
    assert "张三丰" in html and "李" in html and "13900001111" in html
    assert abs(newest.when - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)


def test_it_masks_phones_and_id_numbers_for_those_who_may_not_see_them(client, make_user, person):
    client.force_login(make_user(Role.STREET, STREET))
    edit_person(client, person, phone="13900001111", id_number="440402198005010017")
    client.force_login(make_user(Role.BUREAU, DISTRICT))
    html = client.get(history_url(person, person.community.code)).content.decode()
    assert "13900001111" not in html and "13812345678" not in html
    assert "440402198005010017" not in html
    assert "139****1111" in html and "440***********0017" in html


def test_it_shows_choice_labels_and_the_names_of_related_records(client, make_user, person):
    client.force_login(make_user(Role.STREET, STREET))
    edit_person(client, person, political_status="party_member")
    entry = client.get(history_url(person, person.community.code)).context["entries"][0]
    assert ("政治面貌", "群众", "中共党员") in {(c.field, c.before, c.after) for c in entry.changes}


def test_it_reads_a_long_history_in_a_constant_number_of_queries(client, make_user, person):
    client.force_login(make_user(Role.STREET, STREET))
    url = history_url(person, person.community.code)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    edit_person(client, person, note="一")
    few = queries()
    for n in range(12):
        edit_person(client, person, note=f"第 {n} 次")
    assert queries() == few


def test_it_links_the_history_from_every_record_page(client, make_user, community_in):
    community = community_in(STREET)
    client.force_login(make_user(Role.VIEWER, DISTRICT))
    pages = {
        "community": reverse("committees:community", args=[community.code]),
        "person": None,
        "membership": None,
        "facility": reverse("facilities:list", args=[community.code]),
        "allocation": reverse("funding:ledger", args=[community.code]) + "?year=2024",
        "expenditure": reverse("funding:ledger", args=[community.code]) + "?year=2024",
        "pay": reverse("funding:ledger", args=[community.code]) + "?year=2024",
        "task": reverse("funding:tasks", args=[community.code]),
        "meeting": None,
        "resolution": None,
        "disclosure": reverse("governance:disclosures", args=[community.code]),
    }
    for kind, url in pages.items():
        record = make_record(kind, community)
        if kind == "person":
            url = reverse("committees:person", args=[community.code, record.pk])
        if kind == "meeting":
            url = reverse("governance:meeting", args=[community.code, record.pk])
        if kind == "resolution":
            url = reverse("governance:meeting", args=[community.code, record.meeting.pk])
        if kind == "membership":
            url = reverse("committees:person", args=[community.code, record.person.pk])
        html = client.get(url).content.decode()
        assert history_url(record, community.code) in html, kind


def test_a_deleted_money_record_keeps_its_history_with_the_reason(client, make_user, community_in):
    from funding.models import Allocation

    community = community_in(STREET)
    allocation = Allocation.objects.create(
        community=community,
        year=2024,
        source="street_finance",
        amount=Decimal("50000"),
        received_on=datetime.date(2024, 3, 1),
    )
    client.force_login(make_user(Role.STREET, STREET))
    url = reverse("funding:allocation_delete", args=[community.code, allocation.pk])
    assert client.post(url, {"reason": "重复登记"}).status_code == 302
    page = client.get(history_url(allocation, community.code))
    assert page.status_code == 200
    assert page.context["deleted"] is not None
    newest = page.context["entries"][0]
    assert newest.reason == "重复登记"
    assert "删除时间" in {c.field for c in newest.changes}
    assert "重复登记" in page.content.decode()
