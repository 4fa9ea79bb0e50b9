"""Attendance lists, finance lines, the residents' covenant and the services' “six publics”."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from committees.models import Membership, Organization, Person
from governance.models import Covenant, Disclosure, FinanceLine, Meeting, PublicService

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def committee(community):
    organization = Organization.objects.create(
        community=community, kind=Organization.Kind.RESIDENTS_COMMITTEE, name="居委会"
    )
    people = []
    for name in ("王芳", "李强", "陈静"):
        person = Person.objects.create(community=community, name=name, gender="female")
        Membership.objects.create(
            person=person,
            organization=organization,
            position=Membership.Position.MEMBER,
            start_date=TODAY - datetime.timedelta(days=400),
        )
        people.append(person)
    return people


def meeting_data(**extra) -> dict:
    return {
        "kind": "committee_work",
        "title": "居委会工作会议",
        "date": TODAY.isoformat(),
        "held": "on",
        "entitled": "5",
        "attended": "",
        **extra,
    }


def test_it_counts_the_ticked_attendees_as_those_present(street_client, community, committee):
    url = reverse("governance:meeting_create", args=[community.code])
    response = street_client.post(url, meeting_data(attendees=[p.pk for p in committee[:2]]))
    assert response.status_code == 302
    logged = Meeting.objects.get(community=community)
    assert logged.attended == 2
    assert {a.person for a in logged.attendance.all()} == set(committee[:2])
    page = street_client.get(reverse("governance:meeting", args=[community.code, logged.pk]))
    assert "李强、王芳" in page.content.decode()  # by name


def test_it_replaces_the_list_when_the_meeting_is_edited(street_client, community, committee):
    url = reverse("governance:meeting_create", args=[community.code])
    street_client.post(url, meeting_data(attendees=[p.pk for p in committee]))
    logged = Meeting.objects.get(community=community)
    edit = reverse("governance:meeting_edit", args=[community.code, logged.pk])
    response = street_client.post(edit, meeting_data(attendees=[committee[2].pk]))
    assert response.status_code == 302
    logged.refresh_from_db()
    assert logged.attended == 1
    assert [a.person for a in logged.attendance.all()] == [committee[2]]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"attended": "3", "pick": 2}, "attended", "不一致"),
        ({"kind": "residents_meeting", "pick": 1}, "attendees", "没有成员名单"),
        ({"held": "", "pick": 1}, "attendees", "尚未召开"),
        ({"entitled": "1", "pick": 3}, "attended", "不能超过应到人数"),
        ({"attendees": ["99999999999999999999999"]}, "attendees", ""),
        ({"attendees": ["abc"]}, "attendees", ""),
    ],
)
def test_it_refuses_inconsistent_attendance(
    street_client, community, committee, extra, field, message
):
    extra = dict(extra)
    pick = extra.pop("pick", 0)
    data = meeting_data(**{"attendees": [p.pk for p in committee[:pick]], **extra})
    if not data["held"]:
        data.pop("held")
    response = street_client.post(reverse("governance:meeting_create", args=[community.code]), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Meeting.objects.filter(community=community).exists()


def test_it_refuses_someone_who_was_not_on_the_body(street_client, community, committee):
    stranger = Person.objects.create(community=community, name="赵六", gender="male")
    party = Organization.objects.create(
        community=community, kind=Organization.Kind.PARTY_BRANCH, name="党支部"
    )
    Membership.objects.create(
        person=stranger,
        organization=party,
        position=Membership.Position.MEMBER,
        start_date=TODAY - datetime.timedelta(days=30),
    )
    data = meeting_data(attendees=[committee[0].pk, stranger.pk])
    response = street_client.post(reverse("governance:meeting_create", args=[community.code]), data)
    assert "赵六" in " ".join(response.context["form"].errors["attendees"])
    assert not Meeting.objects.exists()


def finance(community) -> Disclosure:
    return Disclosure.objects.create(
        community=community,
        category="finance",
        title="财务公开",
        content="收支",
        published_on=TODAY,
    )


def lines_data(rows: list[tuple[str, str, str]], initial: int = 0, **extra) -> dict:
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": str(initial)}
    for i, (direction, item, amount) in enumerate(rows):
        data |= {f"lines-{i}-direction": direction, f"lines-{i}-item": item}
        data |= {f"lines-{i}-amount": amount}
    return data | extra


def test_it_records_the_lines_of_a_financial_disclosure(street_client, community):
    disclosure = finance(community)
    url = reverse("governance:disclosure_lines", args=[community.code, disclosure.pk])
    response = street_client.post(
        url, lines_data([("income", "街道拨款", "80000"), ("spending", "办公用品", "1234.50")])
    )
    assert response.status_code == 302
    assert sorted(disclosure.lines.values_list("item", flat=True)) == ["办公用品", "街道拨款"]
    board = street_client.get(reverse("governance:public_board", args=[community.code]))
    assert "¥1,234.50" in board.content.decode()


@pytest.mark.parametrize("amount", ["0", "-5", "1.234", "abc", "1000000000"])
def test_it_refuses_bad_amounts_and_saves_no_line(street_client, community, amount):
    disclosure = finance(community)
    url = reverse("governance:disclosure_lines", args=[community.code, disclosure.pk])
    response = street_client.post(
        url, lines_data([("income", "街道拨款", "100"), ("spending", "支出", amount)])
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["amount"]
    assert not FinanceLine.objects.exists()


def test_it_has_no_lines_page_for_a_non_financial_disclosure(street_client, community):
    other = Disclosure.objects.create(
        community=community, category="party", title="党务", content="党务"
    )
    url = reverse("governance:disclosure_lines", args=[community.code, other.pk])
    assert street_client.get(url).status_code == 404


def test_it_records_a_covenant_adopted_and_filed(street_client, community):
    assembly = Meeting.objects.create(
        community=community,
        kind="residents_meeting",
        title="居民会议",
        date=TODAY,
        entitled=100,
        attended=60,
    )
    response = street_client.post(
        reverse("governance:covenant_create", args=[community.code]),
        {
            "title": "居民公约",
            "text": "邻里互助",
            "adopted_on": TODAY.isoformat(),
            "meeting": assembly.pk,
            "filed_on": TODAY.isoformat(),
            "filed_with": "翠香街道办事处",
        },
    )
    assert response.status_code == 302
    assert Covenant.objects.get(community=community).filed_with == "翠香街道办事处"
    board = street_client.get(reverse("governance:public_board", args=[community.code]))
    assert "邻里互助" in board.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"filed_on": "2020-01-01"}, "filed_on"),  # before adoption
        ({"filed_with": ""}, "filed_with"),
        ({"adopted_on": (TODAY + datetime.timedelta(days=2)).isoformat()}, "adopted_on"),
        ({"text": ""}, "text"),
    ],
)
def test_it_refuses_a_bad_covenant_in_chinese(street_client, community, data, field):
    payload = {
        "title": "居民公约",
        "text": "邻里互助",
        "adopted_on": "2024-05-01",
        "filed_on": "2024-05-20",
        "filed_with": "翠香街道办事处",
        **data,
    }
    response = street_client.post(
        reverse("governance:covenant_create", args=[community.code]), payload
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Covenant.objects.exists()


def test_it_shows_which_of_the_six_publics_a_service_lacks(street_client, community):
    response = street_client.post(
        reverse("governance:service_create", args=[community.code]),
        {
            "name": "居住证申领",
            "content": "居住证受理",
            "procedure": "申请→受理→发证",
            "materials": "身份证",
            "legal_basis": "",
            "time_limit": "15 个工作日",
            "fees": "免费",
            "published_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    service = PublicService.objects.get(community=community)
    assert service.missing_items() == ["办理依据"]
    page = street_client.get(reverse("governance:services", args=[community.code]))
    assert "缺 办理依据" in page.content.decode()
    board = street_client.get(reverse("governance:public_board", args=[community.code]))
    assert "居住证申领" in board.content.decode()


def test_it_keeps_unpublished_services_off_the_public_board(street_client, community):
    PublicService.objects.create(community=community, name="内部草稿服务")
    board = street_client.get(reverse("governance:public_board", args=[community.code]))
    assert "内部草稿服务" not in board.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"published_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "published_on"),
        ({"withdrawn_on": "2020-01-01"}, "withdrawn_on"),
        ({"published_on": "", "withdrawn_on": "2025-01-01"}, "withdrawn_on"),
        ({"name": ""}, "name"),
    ],
)
def test_it_refuses_a_bad_service_in_chinese(street_client, community, data, field):
    payload = {"name": "居住证申领", "published_on": "2024-01-01", **data}
    response = street_client.post(
        reverse("governance:service_create", args=[community.code]), payload
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not PublicService.objects.exists()
