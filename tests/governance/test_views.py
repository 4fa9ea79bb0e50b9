"""Meetings, resolutions and disclosures in the browser, and the anonymous public board."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from committees.models import Membership, Organization, Person
from compliance.models import PolicyDocument, Standard
from governance.models import Disclosure, Meeting, Resolution
from tests.conftest import STREET

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def meeting(community, **extra) -> Meeting:
    fields = {
        "kind": "residents_meeting",
        "title": "居民会议",
        "date": TODAY,
        "entitled": 100,
        "attended": 60,
        **extra,
    }
    return Meeting.objects.create(community=community, **fields)


def test_it_logs_a_meeting_and_judges_the_quorum(street_client, community):
    url = reverse("governance:meeting_create", args=[community.code])
    response = street_client.post(
        url,
        {
            "kind": "residents_meeting",
            "title": "年度居民会议",
            "date": TODAY.isoformat(),
            "held": "on",
            "entitled": "100",
            "attended": "50",
        },
    )
    assert response.status_code == 302
    logged = Meeting.objects.get(community=community)
    assert logged.quorate is False  # exactly half is not "more than half"
    logged.attended = 51
    assert logged.quorate is True


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"attended": "120"}, "attended", "不能超过应到人数"),
        ({"date": (TODAY + datetime.timedelta(days=3)).isoformat()}, "held", "不能标记为已召开"),
        ({"attended": ""}, "attended", "实到人数"),
        ({"entitled": "0"}, "entitled", "至少为 1"),
        ({"entitled": "-3"}, "entitled", ""),
        ({"title": " "}, "title", ""),
    ],
)
def test_it_refuses_bad_meetings_in_chinese(street_client, community, data, field, message):
    payload = {
        "kind": "residents_meeting",
        "title": "居民会议",
        "date": TODAY.isoformat(),
        "held": "on",
        "entitled": "100",
        "attended": "60",
        **data,
    }
    response = street_client.post(
        reverse("governance:meeting_create", args=[community.code]), payload
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors and message in errors, response.context["form"].errors
    assert not Meeting.objects.exists()


def test_a_resolution_is_computed_and_frozen_with_the_rule(street_client, community):
    m = meeting(community, attended=60)
    url = reverse("governance:resolution_create", args=[community.code, m.pk])
    assert (
        street_client.post(
            url,
            {"title": "加装电梯", "votes_for": "30", "votes_against": "20", "abstentions": "10"},
        ).status_code
        == 302
    )
    assert (
        street_client.post(
            url, {"title": "改造广场", "votes_for": "31", "votes_against": "0", "abstentions": "0"}
        ).status_code
        == 302
    )
    first, second = Resolution.objects.order_by("pk")
    assert (first.passed, second.passed) == (False, True)  # 30 of 60 is not more than half
    assert first.present == 60 and "N18-09" in first.rule
    # Changing the meeting later does not rewrite what was decided.
    Meeting.objects.filter(pk=m.pk).update(attended=100)
    first.refresh_from_db()
    assert (first.present, first.passed) == (60, False)


def test_a_resolution_is_held_to_a_stricter_local_majority_where_it_applies(
    street_client, community
):
    document = PolicyDocument.objects.create(
        key="T-LOCAL",
        title="测试街道议事规则",
        scope_prefixes=[STREET],
        effective_from=datetime.date(2020, 1, 1),
    )
    Standard.objects.create(
        code="T-LOCAL-09",
        document=document,
        title="决定经出席人三分之二通过",
        quote="……",
        rule_key="governance.meeting_quorum",
        params={
            "attendance": {"numerator": 1, "denominator": 2, "strict": True},
            "votes": {"numerator": 2, "denominator": 3, "strict": False},
        },
    )
    m = meeting(community, attended=60)
    url = reverse("governance:resolution_create", args=[community.code, m.pk])
    for title, votes in (("加装电梯", "39"), ("改造广场", "40")):
        payload = {"title": title, "votes_for": votes, "votes_against": "0", "abstentions": "0"}
        assert street_client.post(url, payload).status_code == 302
    short, enough = Resolution.objects.order_by("pk")
    assert (short.passed, enough.passed) == (False, True)  # two thirds of 60 is 40
    assert "T-LOCAL-09" in short.rule and "2/3" in short.rule


def test_votes_above_attendance_are_refused(street_client, community):
    m = meeting(community, attended=10)
    response = street_client.post(
        reverse("governance:resolution_create", args=[community.code, m.pk]),
        {"title": "x", "votes_for": "8", "votes_against": "3", "abstentions": "0"},
    )
    assert "votes_for" in response.context["form"].errors
    assert not Resolution.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period_start": "2025-06-30", "period_end": "2025-01-01"}, "period_end", "不能早于"),
        (
            {"published_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "published_on",
            "不能晚于今天",
        ),
        (
            {"published_on": "2025-03-01", "displayed_until": "2025-02-01"},
            "displayed_until",
            "不能早于",
        ),
        ({"published_on": "", "displayed_until": "2025-02-01"}, "displayed_until", "尚未公开"),
    ],
)
def test_it_refuses_bad_disclosures_in_chinese(street_client, community, data, field, message):
    payload = {
        "category": "finance",
        "title": "二季度财务公开",
        "content": "收入与支出",
        "channel": "board",
        "published_on": "2025-07-01",
        **data,
    }
    response = street_client.post(
        reverse("governance:disclosure_create", args=[community.code]), payload
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors and message in errors, response.context["form"].errors
    assert not Disclosure.objects.exists()


def test_the_public_board_shows_only_what_was_published_and_no_personal_data(client, community):
    Disclosure.objects.create(
        community=community,
        category="finance",
        title="已公开的财务",
        content="收支",
        published_on=TODAY,
    )
    Disclosure.objects.create(
        community=community, category="residents", title="草稿事项", content="尚未公开"
    )
    m = meeting(community)
    Resolution.objects.create(
        meeting=m,
        title="公开的决议",
        present=60,
        votes_for=40,
        passed=True,
        rule="x",
        published=True,
    )
    Resolution.objects.create(
        meeting=m,
        title="内部决议",
        present=60,
        votes_for=40,
        passed=True,
        rule="x",
        published=False,
    )
    committee = Organization.objects.create(
        community=community, kind="residents_committee", name="居委会"
    )
    person = Person.objects.create(
        community=community,
        name="王主任",
        gender="female",
        phone="13812345678",
        id_number="11010519491231002X",
        birth_date=datetime.date(1949, 12, 31),
    )
    Membership.objects.create(
        person=person,
        organization=committee,
        position="director",
        start_date=datetime.date(2021, 5, 1),
    )
    html = client.get(reverse("governance:public_board", args=[community.code])).content.decode()
    assert "已公开的财务" in html and "公开的决议" in html and "王主任" in html
    for secret in (
        "草稿事项",
        "内部决议",
        "13812345678",
        "138****5678",
        "11010519491231002X",
        "1949",
    ):
        assert secret not in html


def test_residents_find_their_board_by_name(client, community):
    response = client.get(reverse("governance:public_search"), {"q": community.name[:3]})
    assert community in response.context["page"].object_list
    html = response.content.decode()
    assert reverse("governance:public_board", args=[community.code]) in html


def test_the_public_board_has_a_constant_query_count(client, community):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("governance:public_board", args=[community.code])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    Disclosure.objects.create(
        community=community, category="party", title="党务", content="x", published_on=TODAY
    )
    before = count()  # with one disclosure: its lines are prefetched in one more query
    for i in range(10):
        Disclosure.objects.create(
            community=community, category="party", title=f"党务{i}", content="x", published_on=TODAY
        )
    assert count() == before
