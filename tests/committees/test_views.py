from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.models import Role
from divisions.models import Community, Division
from tests.conftest import CITY, DISTRICT, STREET

pytestmark = pytest.mark.django_db


def test_it_saves_a_valid_profile_and_records_who_changed_it(client, make_user, community_in):
    user = make_user(Role.STREET, STREET)
    client.force_login(user)
    community = community_in(STREET)
    response = client.post(
        reverse("committees:community_edit", args=[community.code]),
        {
            "name": "新名字社区居委会",
            "kind": "new_residential",
            "households": "2400",
            "population": "6100",
            "occupancy_rate": "0.62",
            "established_on": "2010-05-01",
        },
    )
    assert response.status_code == 302
    community.refresh_from_db()
    assert (community.name, community.households, community.population) == (
        "新名字社区居委会",
        2400,
        6100,
    )
    assert community.history.first().history_user == user


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"households": "-5"}, "households", ""),
        ({"households": "abc"}, "households", "整数"),
        ({"households": "200000"}, "households", "不能超过"),
        ({"households": "100", "population": "50"}, "population", "不能少于常住户数"),
        ({"name": "   "}, "name", ""),
        ({"established_on": "2999-01-01"}, "established_on", "不能晚于今天"),
        ({"established_on": "2024-13-40"}, "established_on", "日期"),
        ({"kind": "new_residential", "occupancy_rate": "1.5"}, "occupancy_rate", "不能大于 1"),
        ({"kind": "urban", "occupancy_rate": "0.5"}, "occupancy_rate", "只适用于新建住宅区"),
        ({"kind": "castle"}, "kind", "选择"),
    ],
)
def test_it_rejects_bad_input_with_a_chinese_message_and_saves_nothing(
    client, make_user, community_in, data, field, message
):
    client.force_login(make_user(Role.STREET, STREET))
    community = community_in(STREET)
    before = Community.objects.values().get(pk=community.pk)
    payload = {
        "name": community.name,
        "kind": "urban",
        "households": "1000",
        "population": "3000",
        **data,
    }
    response = client.post(reverse("committees:community_edit", args=[community.code]), payload)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    text = " ".join(errors[field])
    assert message in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text  # the message is in Chinese
    assert Community.objects.values().get(pk=community.pk) == before
    # What was typed is kept in the form.
    assert response.context["form"].data[field] == payload[field]


def test_a_viewer_may_read_but_not_edit(client, make_user, community_in):
    client.force_login(make_user(Role.VIEWER, STREET))
    community = community_in(STREET)
    page = client.get(reverse("committees:community", args=[community.code]))
    assert page.status_code == 200
    assert reverse("committees:community_edit", args=[community.code]) not in page.content.decode()
    assert (
        client.post(
            reverse("committees:community_edit", args=[community.code]),
            {"name": "x", "kind": "urban"},
        ).status_code
        == 403
    )


def test_the_community_list_searches_by_name_and_code(client, make_user, zhuhai):
    client.force_login(make_user(Role.BUREAU, CITY))
    some = Community.objects.filter(code__startswith=DISTRICT).order_by("code")[5]
    by_name = client.get(reverse("committees:community_list"), {"q": some.name[:4]})
    assert some in by_name.context["page"].object_list
    by_code = client.get(reverse("committees:community_list"), {"q": some.code})
    assert list(by_code.context["page"].object_list) == [some]


def test_the_export_opens_in_excel_with_a_header_and_every_row(client, make_user, zhuhai):
    client.force_login(make_user(Role.BUREAU, CITY))
    response = client.get(reverse("committees:community_export"), {"street": STREET})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("社区代码", "名称")
    assert len(rows) - 1 == Community.objects.filter(code__startswith=STREET).count()


def test_the_export_does_not_let_a_name_run_as_a_formula(client, make_user, community_in):
    community = community_in(STREET)
    Community.objects.filter(pk=community.pk).update(name='=HYPERLINK("x")')
    client.force_login(make_user(Role.STREET, STREET))
    response = client.get(reverse("committees:community_export"))
    names = [
        r[1]
        for r in load_workbook(BytesIO(response.content)).active.iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert '\'=HYPERLINK("x")' in names


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add_communities(street: Division, n: int) -> None:
    Community.objects.bulk_create(
        Community(
            code=f"{street.code}{900 - i:03d}", name=f"加{i}社区", street=street, households=500
        )
        for i in range(n)
    )
    # As an import does: the division pages count communities from the roll-ups.
    from compliance import rollups

    rollups.refresh("")


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("division", args=[CITY]),
        reverse("division", args=[DISTRICT]),
        reverse("division", args=[STREET]),
        reverse("committees:community_list"),
        reverse("committees:community_list") + "?page=2",
    ],
)
def test_the_query_count_of_a_page_does_not_grow_with_the_data(client, make_user, zhuhai, url):
    client.force_login(make_user(Role.BUREAU, CITY))
    before = _queries(client, url)
    _add_communities(Division.objects.get(code=STREET), 120)
    assert _queries(client, url) == before


def test_the_community_page_has_a_constant_query_count(client, make_user, community_in):
    client.force_login(make_user(Role.STREET, STREET))
    url = reverse("committees:community", args=[community_in(STREET).code])
    before = _queries(client, url)
    _add_communities(Division.objects.get(code=STREET), 50)
    assert _queries(client, url) == before
