"""Every form of the portal, fed hostile values: never a 500, never unescaped markup."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import Role
from tests.conftest import DISTRICT, STREET

pytestmark = pytest.mark.django_db

CORPUS = [
    "",
    " ",
    "x" * 5000,
    "-1",
    "0",
    "1e309",
    "99999999999999999999999",
    "1.23456789",
    "NaN",
    "2024-02-30",
    "9999-12-31",
    "0000-01-01",
    "<script>alert(1)</script>",
    "'; DROP TABLE committees_community; --",
    "\x00\x01\x1f",
    "😀🏠",
    "张三 O'Brien ١٢٣",
    '{"min": 1}',
    "[]",
]

COMMUNITY_FORMS = [
    "committees:community_edit",
    "committees:person_create",
    "committees:organization_create",
    "committees:membership_create",
    "facilities:create",
    "funding:allocation_create",
    "funding:expenditure_create",
    "funding:pay_create",
    "funding:task_create",
]


def _field_names(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["form"].fields)


def _assert_safe(response) -> None:
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert b"<script>alert(1)</script>" not in response.content


@pytest.mark.parametrize("route", COMMUNITY_FORMS)
def test_community_forms_survive_hostile_values(client, make_user, community_in, route):
    client.force_login(make_user(Role.STREET, STREET))
    url = reverse(route, args=[community_in(STREET).code])
    fields = _field_names(client, url)
    for value in CORPUS:
        _assert_safe(client.post(url, {name: value for name in fields}))
    # Whatever was saved is shown escaped wherever it is listed.
    for page in ("committees:people", "facilities:list", "funding:ledger", "funding:tasks"):
        response = client.get(reverse(page, args=[community_in(STREET).code]))
        _assert_safe(response)


@pytest.mark.parametrize(
    "route", ["compliance:document_create", "compliance:standard_create", "funding:benchmarks"]
)
def test_bureau_forms_survive_hostile_values(client, make_user, zhuhai, route):
    client.force_login(make_user(Role.BUREAU, DISTRICT))
    url = reverse(route)
    fields = _field_names(client, url)
    for value in CORPUS:
        _assert_safe(client.post(url, {name: value for name in fields}))
    _assert_safe(client.get(reverse("compliance:standard_list")))


@pytest.mark.parametrize(
    "params",
    [{"q": value} for value in CORPUS]
    + [{"page": value} for value in CORPUS]
    + [{"as_of": value} for value in CORPUS]
    + [{"year": value} for value in CORPUS],
)
def test_query_strings_never_break_a_page(client, make_user, community_in, params):
    client.force_login(make_user(Role.STREET, STREET))
    code = community_in(STREET).code
    for url in (
        reverse("committees:community_list"),
        reverse("compliance:standard_list"),
        reverse("compliance:community", args=[code]),
        reverse("funding:ledger", args=[code]),
        reverse("committees:division", args=[STREET]),
    ):
        _assert_safe(client.get(url, params))


# Forms of one record (code + pk) that tests above do not reach.
RECORD_FORMS = ["funding:allocation_delete", "funding:expenditure_delete", "funding:pay_delete"]


@pytest.mark.parametrize("route", RECORD_FORMS)
def test_record_forms_survive_hostile_values(client, make_user, community_in, route):
    from tests.portal.test_access import record

    client.force_login(make_user(Role.STREET, STREET))
    community = community_in(STREET)
    target = record(route, community)
    fields = _field_names(client, reverse(route, args=[community.code, target.pk]))
    for value in CORPUS:
        response = client.post(
            reverse(route, args=[community.code, target.pk]), {n: value for n in fields}
        )
        _assert_safe(response)
        if response.status_code == 302:  # accepted (deleted): the next value needs a record
            target = record(route, community)
