"""Optimistic locking: of two overlapping edits of one record, the second is refused."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from committees.models import Person
from committees.services import person_save
from core.audit import history_url
from core.locking import FIELD
from core.models import Role
from divisions.models import Community
from tests.conftest import (
    OBJECT_VIEWS,
    OTHER_STREET,
    STREET,
    WRITING_VIEWS,
    fingerprint,
    form_data,
    targets,
    valid_post,
)

EDIT_VIEWS = [
    "committees:community_edit",
    "grassroots:request_edit",
    "grassroots:grid_edit",
    "committees:person_edit",
    "committees:organization_edit",
    "committees:membership_edit",
    "committees:membership_end",
    "facilities:edit",
    "funding:allocation_edit",
    "funding:allocation_delete",
    "funding:expenditure_edit",
    "funding:expenditure_delete",
    "funding:pay_edit",
    "funding:pay_delete",
    "funding:task_edit",
    "governance:meeting_edit",
    "governance:disclosure_edit",
    "governance:matter_edit",
    "governance:covenant_edit",
    "governance:service_edit",
    "governance:disclosure_lines",
    "elections:election_plan",
    "elections:election_voter_list",
    "elections:election_voting",
    "elections:election_results",
    "elections:election_rerun",
    "elections:election_certify",
    "elections:election_correct",
]
# Writing views of a record that add something beside it (a row of their own, created through
# the record's page), or that change a record without a history (notices and disputes are
# state machines: their services refuse a step from the wrong state).
NOT_EDITS = {
    "committees:training_create",
    "grassroots:worker_create",
    "committees:qualification_create",
    "governance:resolution_create",
    "governance:meeting_attachment_add",
    "governance:disclosure_attachment_add",
    "elections:election_candidate_create",
    "elections:election_candidate_remove",
    "supervision:notice_respond",
    "supervision:notice_review",
    "supervision:dispute_decide",
    "surveys:codes",
    "surveys:paper",
}


def person_form(client: Client, person: Person) -> tuple[str, dict]:
    url = reverse("committees:person_edit", args=[person.community.code, person.pk])
    page = client.get(url)
    data = form_data(page.context["form"])
    data[FIELD] = page.context["version"]
    return url, data


@pytest.fixture
def person(community_in, make_user) -> Person:
    clerk = make_user(Role.STREET, STREET)
    p = Person(community=community_in(STREET), name="张三", gender="male", phone="13812345678")
    return person_save(actor=clerk, person=p)


@pytest.mark.django_db
def test_the_second_of_two_overlapping_edits_is_refused_and_shows_the_first(make_user, person):
    first, second = Client(), Client()
    first.force_login(make_user(Role.STREET, STREET, last_name="王"))
    second.force_login(make_user(Role.COMMITTEE, person.community.code, last_name="赵"))
    url, first_data = person_form(first, person)
    _, second_data = person_form(second, person)

    assert first.post(url, {**first_data, "phone": "13900001111"}).status_code == 302
    response = second.post(url, {**second_data, "name": "张三丰"})

    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.name, person.phone) == ("张三", "13900001111")  # the first edit stands
    html = response.content.decode()
    assert "已被他人修改" in html and "尚未保存" in html
    assert "王" in html and "13900001111" in html  # who, and what they changed
    assert history_url(person, person.community.code) in html
    # Seen the conflict, the user may save again on purpose: now it is based on the newest.
    again = {**second_data, "name": "张三丰", FIELD: response.context["version"]}
    assert second.post(url, {**again, "phone": "13900001111"}).status_code == 302
    person.refresh_from_db()
    assert (person.name, person.phone) == ("张三丰", "13900001111")


@pytest.mark.django_db
def test_a_stale_version_stays_stale_however_often_it_is_sent(make_user, person):
    client = Client()
    client.force_login(make_user(Role.STREET, STREET))
    url, stale = person_form(client, person)
    person.note = "他人修改"
    person.save()
    for _attempt in range(2):
        assert client.post(url, {**stale, "name": "李四"}).status_code == 200
    person.refresh_from_db()
    assert person.name == "张三"


@pytest.mark.django_db
def test_a_form_with_errors_keeps_the_version_it_was_based_on(make_user, person):
    client = Client()
    client.force_login(make_user(Role.STREET, STREET))
    url, data = person_form(client, person)
    invalid = client.post(url, {**data, "phone": "123"})
    assert invalid.status_code == 200
    assert str(invalid.context["version"]) == str(data[FIELD])
    person.note = "他人修改"
    person.save()
    assert client.post(url, {**data, "phone": "13900001111"}).status_code == 200
    person.refresh_from_db()
    assert person.phone == "13812345678"


@pytest.mark.django_db
@pytest.mark.parametrize("route", EDIT_VIEWS)
def test_every_edit_form_refuses_a_save_over_a_newer_one(client, make_user, community_in, route):
    client.force_login(make_user(Role.STREET, STREET))
    own, _other, _mixed = targets(route, STREET, OTHER_STREET, None)
    page = client.get(reverse(route, args=own))
    assert page.status_code == 200
    version = page.context["version"]
    assert version is not None and f'name="{FIELD}" value="{version}"' in page.content.decode()
    community = Community.objects.get(code=own[0])
    shown = form_data(page.context["form"]) if "form" in page.context else {}
    data = {**shown, **valid_post(route, community, None)}
    data[FIELD] = version
    # Someone else saves the record meanwhile.
    if route == "committees:community_edit":
        target = community
    else:
        target = _record_model(route)._base_manager.get(pk=own[1])
    target.save()
    before = fingerprint()
    response = client.post(reverse(route, args=own), data)
    assert response.status_code == 200, route
    assert "已被他人修改" in response.content.decode()
    assert fingerprint() == before


def _record_model(route: str):
    from django.apps import apps

    kinds = {
        "person": "committees.Person",
        "organization": "committees.Organization",
        "membership": "committees.Membership",
        "facility": "facilities.Facility",
        "allocation": "funding.Allocation",
        "expenditure": "funding.Expenditure",
        "pay": "funding.StaffPay",
        "task": "funding.AssignedTask",
        "meeting": "governance.Meeting",
        "disclosure": "governance.Disclosure",
        "matter": "governance.MajorMatter",
        "covenant": "governance.Covenant",
        "service": "governance.PublicService",
        "election": "elections.Election",
        "request": "grassroots.Request",
        "grid": "grassroots.Grid",
    }
    return apps.get_model(kinds[OBJECT_VIEWS[route]])


def test_the_edit_views_list_is_complete():
    """Every view that changes an existing record is in EDIT_VIEWS (so it is checked above)."""

    changing = {r for r in WRITING_VIEWS if r in OBJECT_VIEWS} - NOT_EDITS
    assert changing | {"committees:community_edit"} == set(EDIT_VIEWS)


# --- real concurrency, on PostgreSQL -------------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"
)


@postgres_only
# No serialized rollback: the catalogue comes back after each flush by itself (post_migrate,
# compliance/catalog_sync.py), and restoring content types a flush already recreated clashes.
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_record_lose_no_update(make_user, community_in):
    """Eight users save the same record at the same instant, all based on the same version:
    exactly one save wins, the seven others are told of the conflict, nothing is lost."""
    community = community_in(STREET)
    person = person_save(
        actor=make_user(Role.STREET, STREET),
        person=Person(community=community, name="张三", gender="male"),
    )
    users = [make_user(Role.STREET, STREET, last_name=f"用户{i}") for i in range(8)]
    forms = []
    for user in users:
        client = Client()
        client.force_login(user)
        forms.append((client, *person_form(client, person)))
    barrier = threading.Barrier(len(forms))
    results: dict[int, int] = {}

    def save(i: int, client: Client, url: str, data: dict) -> None:
        try:
            barrier.wait()
            results[i] = client.post(url, {**data, "note": f"第{i}位用户的修改"}).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i, *form)) for i, form in enumerate(forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(results.values())
    assert statuses == [200] * 7 + [302], statuses
    winner = next(i for i, status in results.items() if status == 302)
    person.refresh_from_db()
    assert person.note == f"第{winner}位用户的修改"
    # One history row for the creation, one for the single successful save.
    assert person.history.count() == 2


# --- after a conflict: the other user's changes are kept, not silently reverted -----------------


@pytest.mark.django_db
def test_saving_again_after_a_conflict_keeps_the_other_users_untouched_fields(
    client, make_user, community_in
):
    """The committee changes households 5664 → 5670 while the street, with the form already
    open, changes only the population: the street is warned, saves again, and households stays
    at 5670 (the field the street did not touch takes the committee's value)."""
    from committees.services import community_update

    community = community_in(STREET)
    street = make_user(Role.STREET, STREET)
    community_update(
        actor=street, community=community, data={"households": 5664, "population": 15000}
    )
    client.force_login(street)
    url = reverse("committees:community_edit", args=[community.code])
    page = client.get(url)
    data = {**form_data(page.context["form"]), FIELD: page.context["version"]}
    committee = make_user(Role.COMMITTEE, community.code)
    community.refresh_from_db()
    community_update(actor=committee, community=community, data={"households": 5670})

    warned = client.post(url, {**data, "population": "15100"})
    assert warned.status_code == 200 and "已被他人修改" in warned.content.decode()
    # The form shown again holds the committee's households and the street's population.
    assert warned.context["form"]["households"].value() == "5670"
    again = form_data(warned.context["form"])
    assert client.post(url, {**again, FIELD: warned.context["version"]}).status_code == 302
    community.refresh_from_db()
    assert (community.households, community.population) == (5670, 15100)


@pytest.mark.django_db
def test_a_field_both_users_changed_is_pointed_out_and_keeps_this_users_value(
    client, make_user, community_in
):
    from committees.services import community_update

    community = community_in(STREET)
    street = make_user(Role.STREET, STREET)
    community_update(
        actor=street, community=community, data={"households": 5664, "population": 15000}
    )
    client.force_login(street)
    url = reverse("committees:community_edit", args=[community.code])
    page = client.get(url)
    data = {**form_data(page.context["form"]), FIELD: page.context["version"]}
    community.refresh_from_db()
    community_update(
        actor=make_user(Role.COMMITTEE, community.code),
        community=community,
        data={"households": 5670},
    )
    warned = client.post(url, {**data, "households": "5680"})
    assert warned.status_code == 200
    assert warned.context["form"]["households"].value() == "5680"
    assert "5670" in " ".join(warned.context["form"].errors.get("households", []))
    community.refresh_from_db()
    assert community.households == 5670
