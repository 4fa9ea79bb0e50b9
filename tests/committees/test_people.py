"""Organizations, people and memberships in the browser: forms, constraints, findings."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from committees.models import Membership, Organization, Person, Training
from compliance.models import Finding
from core.models import Role
from tests.conftest import DISTRICT, STREET

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"  # the checksum example of GB 11643


@pytest.fixture
def committee(community) -> Organization:
    return Organization.objects.create(
        community=community, kind=Organization.Kind.RESIDENTS_COMMITTEE, name="居委会"
    )


def person(community, name="王芳", gender="female", **extra) -> Person:
    return Person.objects.create(community=community, name=name, gender=gender, **extra)


def membership(p, org, position="member", start=datetime.date(2021, 5, 1), **extra):
    return Membership.objects.create(
        person=p, organization=org, position=position, start_date=start, **extra
    )


def current(community, code: str) -> str | None:
    finding = Finding.objects.filter(
        community=community, standard__code=code, is_current=True
    ).first()
    return finding.status if finding else None


def test_it_builds_a_roster_in_the_browser_and_the_findings_follow(street_client, community):
    url = reverse("committees:organization_create", args=[community.code])
    assert (
        street_client.post(url, {"kind": "residents_committee", "name": "居委会"}).status_code
        == 302
    )
    org = Organization.objects.get(community=community, kind="residents_committee")
    for i in range(5):
        street_client.post(
            reverse("committees:person_create", args=[community.code]),
            {
                "name": f"成员{i}",
                "gender": "female" if i == 0 else "male",
                "ethnicity": "汉族",
                "political_status": "masses",
            },
        )
    people = list(Person.objects.filter(community=community).order_by("pk"))
    for i, p in enumerate(people[:4]):
        response = street_client.post(
            reverse("committees:membership_create", args=[community.code]),
            {
                "person": p.pk,
                "organization": org.pk,
                "position": "director" if i == 0 else "member",
                "start_date": "2021-05-01",
                "source": "elected",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
    # 4 members: below 5 (GD-10b; N18-07a expired with 2025)
    assert current(community, "GD-10b") == "non_compliant"
    street_client.post(
        reverse("committees:membership_create", args=[community.code]),
        {
            "person": people[4].pk,
            "organization": org.pk,
            "position": "member",
            "start_date": "2021-05-01",
            "source": "elected",
        },
    )
    assert current(community, "GD-10b") == "compliant"
    # A member leaves: the finding turns again, the history stays.
    leaving = Membership.objects.get(person=people[4])
    response = street_client.post(
        reverse("committees:membership_end", args=[community.code, leaving.pk]),
        {"end_date": "2025-01-10", "end_reason": "迁出本社区"},
    )
    assert response.status_code == 302
    leaving.refresh_from_db()
    assert (leaving.end_date, leaving.end_reason) == (datetime.date(2025, 1, 10), "迁出本社区")
    assert current(community, "GD-10b") == "non_compliant"
    assert leaving.history.count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"birth_date": "2999-01-01"}, "birth_date", "不能晚于今天"),
        ({"id_number": "110105194912310021"}, "id_number", "校验位"),
        ({"id_number": "12345"}, "id_number", "18 位"),
        ({"id_number": VALID_ID, "birth_date": "1950-01-01"}, "birth_date", "不一致"),
        ({"phone": "12345"}, "phone", "手机号"),
        ({"phone": "1381234567a"}, "phone", "手机号"),
        ({"name": "  "}, "name", ""),
        ({"ethnicity": "汉"}, "ethnicity", "全称"),
        ({"ethnicity": "火星族"}, "ethnicity", "GB/T 3304"),  # issue 20
        ({"gender": "x"}, "gender", "选择"),
    ],
)
def test_it_refuses_bad_personal_data_with_a_chinese_message(
    street_client, community, data, field, message
):
    payload = {
        "name": "李明",
        "gender": "male",
        "ethnicity": "汉族",
        "political_status": "masses",
        **data,
    }
    response = street_client.post(
        reverse("committees:person_create", args=[community.code]), payload
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors and message in errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors)
    assert not Person.objects.filter(community=community).exists()


def test_it_accepts_a_valid_id_number_and_its_birth_date(street_client, community):
    response = street_client.post(
        reverse("committees:person_create", args=[community.code]),
        {
            "name": "李明",
            "gender": "female",
            "ethnicity": "汉族",
            "political_status": "masses",
            "id_number": VALID_ID.lower(),
            "birth_date": "1949-12-31",
            "phone": "0756-2212345",
        },
    )
    assert response.status_code == 302
    assert Person.objects.get(community=community).id_number == VALID_ID


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"end_date": "2020-01-01", "end_reason": "x"}, "end_date", "不能早于任职日期"),
        ({"end_date": "2024-01-01"}, "end_reason", "离任原因"),
        ({"term_ends_on": "2020-01-01"}, "term_ends_on", "应晚于任职日期"),
        ({"start_date": "2099-01-01"}, "start_date", "一年以后"),
        ({"position": "director"}, "position", "已有主任"),
        ({"position": "member", "person": "same"}, "position", "已在该组织担任这一职务"),
    ],
)
def test_it_refuses_bad_memberships_with_a_chinese_message(
    street_client, community, committee, data, field, message
):
    director = person(community, "主任甲")
    membership(director, committee, "director")
    member = person(community, "委员乙")
    membership(member, committee, "member")
    newcomer = person(community, "新人丙")
    payload = {
        "person": newcomer.pk,
        "organization": committee.pk,
        "position": "member",
        "start_date": "2021-05-01",
        "source": "elected",
        **data,
    }
    if payload["person"] == "same":
        payload["person"] = member.pk
    before = Membership.objects.count()
    response = street_client.post(
        reverse("committees:membership_create", args=[community.code]), payload
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors and message in errors, response.context["form"].errors
    assert Membership.objects.count() == before


def test_a_person_of_another_community_cannot_be_appointed(
    street_client, community, committee, community_in
):
    stranger = person(community_in(STREET + "002"), "外人")
    response = street_client.post(
        reverse("committees:membership_create", args=[community.code]),
        {
            "person": stranger.pk,
            "organization": committee.pk,
            "position": "member",
            "start_date": "2021-05-01",
            "source": "elected",
        },
    )
    assert "person" in response.context["form"].errors
    assert not Membership.objects.exists()


def test_the_database_refuses_two_current_directors(community, committee):
    membership(person(community, "甲"), committee, "director")
    with pytest.raises(IntegrityError), transaction.atomic():
        membership(person(community, "乙"), committee, "director")


def test_the_database_refuses_an_end_before_the_start(community, committee):
    with pytest.raises(IntegrityError), transaction.atomic():
        membership(person(community), committee, end_date=datetime.date(2020, 1, 1))


def test_the_database_refuses_a_subcommittee_without_its_kind(community):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(community=community, kind="subcommittee", name="x")


def test_the_database_refuses_zero_training_hours(community):
    with pytest.raises(IntegrityError), transaction.atomic():
        Training.objects.create(
            person=person(community), date=datetime.date(2024, 1, 1), course="x", hours=0
        )


def test_a_bureau_sees_phones_and_id_numbers_masked(client, make_user, community, committee):
    p = person(community, phone="13812345678", id_number=VALID_ID)
    membership(p, committee, "director")
    client.force_login(make_user(Role.BUREAU, DISTRICT))
    html = client.get(reverse("committees:people", args=[community.code])).content.decode()
    assert "13812345678" not in html and "138****5678" in html
    assert VALID_ID not in html
    detail = client.get(reverse("committees:person", args=[community.code, p.pk]))
    assert "13812345678" not in detail.content.decode()


def test_the_street_office_sees_them_in_full(street_client, community, committee):
    p = person(community, phone="13812345678")
    membership(p, committee, "director")
    html = street_client.get(reverse("committees:people", args=[community.code])).content
    assert "13812345678" in html.decode()


def test_the_people_page_shows_cross_appointments(street_client, community, committee):
    party = Organization.objects.create(
        community=community, kind="party_branch", name="党支部", party_member_count=30
    )
    both = person(community, "两委甲")
    membership(both, committee, "director")
    membership(both, party, "secretary")
    overview = street_client.get(reverse("committees:people", args=[community.code])).context[
        "overview"
    ]
    assert [p.name for p in overview.cross_appointed] == ["两委甲"]


def test_the_people_page_query_count_does_not_grow_with_the_roster(
    street_client, community, committee
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            street_client.get(reverse("committees:people", args=[community.code]))
        return len(ctx.captured_queries)

    membership(person(community, "甲"), committee, "director")
    before = count()
    for i in range(15):
        p = person(community, f"员{i}", phone="13812345678")
        membership(p, committee, "member")
        Training.objects.create(person=p, date=datetime.date(2024, 1, 1), course="x", hours=4)
    assert count() == before


def test_training_is_logged_and_counts_for_the_cadence(street_client, community, committee):
    director = person(community, "主任")
    membership(director, committee, "director")
    response = street_client.post(
        reverse("committees:training_create", args=[community.code, director.pk]),
        {
            "date": datetime.date.today().isoformat(),
            "course": "业务培训",
            "hours": "8",
            "organizer": "区民政局",
        },
    )
    assert response.status_code == 302
    assert current(community, "GD-11") == "compliant"
    bad = street_client.post(
        reverse("committees:training_create", args=[community.code, director.pk]),
        {"date": "2999-01-01", "course": "x", "hours": "0"},
    )
    assert {"date", "hours"} <= set(bad.context["form"].errors)


def test_the_dashboard_reminds_of_terms_ending_and_training_overdue(
    client, make_user, community, committee
):
    today = datetime.date.today()
    p = person(community, "到期人")
    membership(p, committee, "director", term_ends_on=today + datetime.timedelta(days=30))
    client.force_login(make_user(Role.STREET, STREET))
    response = client.get(reverse("division", args=[STREET]))
    sections = {s.key: s for s in response.context["reminders"]}
    assert sections["committees.terms"].count == 1
    assert sections["committees.training"].count == 1
    assert "到期人" in response.content.decode()


# --- issue 20: posts checked against their organization ----------------------------------------


@pytest.mark.parametrize(
    ("position", "message"),
    [
        ("group_leader", "居民小组长只能在“居民小组”类组织中任职"),
        ("building_leader", "楼栋长只能在“楼栋”类组织中任职"),
    ],
)
def test_it_refuses_a_group_or_building_leader_inside_the_residents_committee(
    street_client, community, committee, position, message
):
    payload = {
        "person": person(community, "组长丁").pk,
        "organization": committee.pk,
        "position": position,
        "start_date": "2021-05-01",
        "source": "appointed",
    }
    url = reverse("committees:membership_create", args=[community.code])
    response = street_client.post(url, payload)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["position"])
    assert message in response.content.decode()
    assert not Membership.objects.exists()
    # In an organization of its own kind the same post is fine.
    kind = "residents_group" if position == "group_leader" else "building"
    own = Organization.objects.create(community=community, kind=kind, name="第一小组/1号楼")
    assert street_client.post(url, {**payload, "organization": own.pk}).status_code == 302
    assert Membership.objects.get().organization == own


def test_it_offers_the_ethnic_groups_of_gb_t_3304_as_a_choice(street_client, community):
    """Issue 20: the 56 groups, then 其他 and 外国血统中国籍人士; nothing made up."""
    response = street_client.get(reverse("committees:person_create", args=[community.code]))
    choices = [value for value, _label in response.context["form"].fields["ethnicity"].choices]
    assert len(choices) == 58
    assert choices[:3] == ["汉族", "蒙古族", "回族"] and choices[-2:] == [
        "其他",
        "外国血统中国籍人士",
    ]
    assert "火星族" not in choices
    assert '<select name="ethnicity"' in response.content.decode()
