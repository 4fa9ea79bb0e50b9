"""Every URL of the portal, walked for every role, inside and outside the jurisdiction.

The URL configuration is read at test time: a new view with a ``code`` parameter that this file
does not know how to fill makes the walk fail, so nothing is left unchecked by accident.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from compliance.models import Finding, Standard
from core.audit import AUDITED
from core.models import Role
from divisions.models import Community
from supervision.models import (
    Assessment,
    AssessmentItem,
)
from tests.conftest import (
    ALLOWED_ROLES,
    ASSESSMENT_VIEWS,
    COMMUNITY_VIEWS,
    DISTRICT,
    DIVISION_VIEWS,
    HISTORY_VIEWS,
    JOB_VIEWS,
    OBJECT_VIEWS,
    OTHER_DISTRICT,
    OTHER_STREET,
    POST_ONLY,
    PUBLIC,
    PUBLIC_FILES,
    PUBLIC_WITH_CODE,
    STREET,
    SURVEY_VIEWS,
    UNSCOPED_VIEWS,
    WRITING_VIEWS,
    fingerprint,
    form_data,
    make_record,
    record,
    targets,
    valid_post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhuhai(zhuhai_for_the_module, db) -> None:
    """The Zhuhai slice, loaded once for the module's ~700 walks: each reads it, and what a
    walk writes is rolled back after it."""


@dataclass(frozen=True)
class Route:
    name: str
    params: tuple[str, ...]


def walk(patterns=None, namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # Django admin guards itself (staff only); tested below
            if entry.app_name == "api":
                continue  # the API and its token pages: walked by tests/api/test_access.py
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            routes.append(Route(f"{namespace}{entry.name}", tuple(entry.pattern.converters)))
    return routes


ROUTES = walk()
PLAIN = [r for r in ROUTES if not r.params]
WITH_CODE = [r for r in ROUTES if r.params]
PRIVATE_WITH_CODE = [r for r in WITH_CODE if r.name not in PUBLIC_WITH_CODE | PUBLIC_FILES]


def test_it_knows_how_to_fill_every_parameterised_view():
    unknown = [
        r.name
        for r in WITH_CODE
        if not (
            (
                r.name in DIVISION_VIEWS | COMMUNITY_VIEWS | UNSCOPED_VIEWS | PUBLIC_WITH_CODE
                and r.params == ("code",)
            )
            or (r.name in OBJECT_VIEWS and r.params == ("code", "pk"))
            or (r.name in ASSESSMENT_VIEWS | SURVEY_VIEWS | JOB_VIEWS and r.params == ("pk",))
            or (r.name in PUBLIC_FILES and r.params == ("code", "pk"))
            or HISTORY_VIEWS.get(r.name) == r.params
        )
    ]
    assert unknown == [], f"add these views to the access walk: {unknown}"


@pytest.mark.parametrize("route", [r.name for r in PLAIN if r.name not in PUBLIC])
def test_it_sends_anonymous_users_to_login_from_every_plain_view(client, zhuhai, route):
    response = client.get(reverse(route))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("route", [r.name for r in PRIVATE_WITH_CODE])
def test_it_sends_anonymous_users_to_login_from_every_record_view(client, community_in, route):
    code = community_in(STREET).code if route in COMMUNITY_VIEWS else STREET
    code = "GD-01" if route in UNSCOPED_VIEWS else code
    args = [code, record(route, community_in(STREET)).pk] if route in OBJECT_VIEWS else [code]
    if route in HISTORY_VIEWS:
        community = community_in(STREET)
        args = [community.code, "committees", "community", community.pk]
    response = client.get(reverse(route, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# role, assigned code, a code inside, a code outside
CASES = [
    (Role.STREET, STREET, STREET, OTHER_STREET),
    (Role.BUREAU, DISTRICT, DISTRICT, OTHER_DISTRICT),
    (Role.VIEWER, DISTRICT, STREET, OTHER_DISTRICT),
    (Role.COMMITTEE, None, None, None),  # filled in below: own community vs its neighbour
]


SCOPED = [
    r.name
    for r in PRIVATE_WITH_CODE
    if r.name not in UNSCOPED_VIEWS | ASSESSMENT_VIEWS | SURVEY_VIEWS | JOB_VIEWS
    and r.name not in HISTORY_VIEWS
]


@pytest.mark.parametrize(("role", "assigned", "inside", "outside"), CASES)
@pytest.mark.parametrize("route", SCOPED)
def test_it_answers_404_outside_and_opens_inside_the_jurisdiction(
    client, make_user, community_in, role, assigned, inside, outside, route
):
    committee_code = None
    if role == Role.COMMITTEE:
        committee_code = community_in(STREET).code
        assigned, inside, outside = committee_code, STREET, STREET
    user = make_user(role, assigned)
    client.force_login(user)
    own, other, mixed = targets(route, inside, outside, committee_code)
    if role == Role.COMMITTEE and route in DIVISION_VIEWS:
        # A committee member's jurisdiction is one community: no division page is theirs.
        assert client.get(reverse(route, args=[STREET])).status_code == 404
        return
    assert client.get(reverse(route, args=other)).status_code == 404
    assert client.post(reverse(route, args=other), {"name": "x"}).status_code == 404
    if mixed:
        assert client.get(reverse(route, args=mixed)).status_code == 404
        assert client.post(reverse(route, args=mixed), {"name": "x"}).status_code == 404
    allowed = route not in ALLOWED_ROLES or role in ALLOWED_ROLES[route]
    if route in POST_ONLY:
        assert client.get(reverse(route, args=own)).status_code == 405
        assert client.post(reverse(route, args=own)).status_code == (302 if allowed else 403)
    else:
        expected = 200 if allowed else 403
        assert client.get(reverse(route, args=own)).status_code == expected


@pytest.mark.parametrize("route", sorted(UNSCOPED_VIEWS))
def test_it_shows_public_policy_text_to_every_signed_in_user(client, make_user, zhuhai, route):
    client.force_login(make_user(Role.COMMITTEE, "440402001001"))
    assert client.get(reverse(route, args=["GD-01"])).status_code == 200
    assert client.get(reverse(route, args=["NO-SUCH"])).status_code == 404


def test_it_answers_404_for_codes_that_do_not_exist(client, make_user, zhuhai):
    client.force_login(make_user(Role.STREET, STREET))
    for route in PRIVATE_WITH_CODE:
        args = ["999999999999", 1] if route.name in OBJECT_VIEWS else ["999999999999"]
        if route.name in HISTORY_VIEWS:
            args = ["999999999999", "committees", "community", 1]
        assert client.get(reverse(route.name, args=args)).status_code == 404


def test_a_street_user_cannot_evaluate_another_street(client, make_user, zhuhai):

    client.force_login(make_user(Role.STREET, STREET))
    response = client.post(reverse("compliance:division_evaluate", args=[OTHER_STREET]))
    assert response.status_code == 404
    assert not Finding.objects.filter(code__startswith=OTHER_STREET).exists()


def test_it_changes_nothing_outside_the_jurisdiction_on_post(client, make_user, community_in):
    client.force_login(make_user(Role.STREET, STREET))
    other = community_in(OTHER_STREET)
    response = client.post(
        reverse("committees:community_edit", args=[other.code]),
        {"name": "被篡改", "kind": "urban", "households": 1, "population": 1},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name != "被篡改"


def test_it_lists_only_the_users_communities(client, make_user, zhuhai):
    client.force_login(make_user(Role.STREET, STREET))
    response = client.get(reverse("committees:community_list"))
    codes = {c.code for c in response.context["page"].object_list}
    assert codes and all(code.startswith(STREET) for code in codes)
    assert (
        response.context["page"].paginator.count
        == Community.objects.filter(code__startswith=STREET).count()
    )


def test_it_exports_only_the_users_communities(client, make_user, zhuhai):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(make_user(Role.STREET, STREET))
    response = client.get(reverse("committees:community_export"))
    sheet = load_workbook(BytesIO(response.content)).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes and all(code.startswith(STREET) for code in codes)


def test_it_keeps_non_staff_out_of_django_admin(client, make_user, zhuhai):
    client.force_login(make_user(Role.BUREAU, DISTRICT))
    response = client.get("/admin/divisions/community/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_user_without_assignments_sees_nothing(client, make_user, community_in):
    client.force_login(make_user())
    assert (
        client.get(reverse("committees:community", args=[community_in(STREET).code])).status_code
        == 404
    )
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["cards"] == []


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.BUREAU, 200), (Role.STREET, 404), (Role.COMMITTEE, 404), (Role.VIEWER, 404)],
)
def test_only_bureaus_open_the_wage_benchmarks(client, make_user, zhuhai, role, status):
    code = STREET + "001" if role == Role.COMMITTEE else STREET
    client.force_login(make_user(role, DISTRICT if role == Role.BUREAU else code))
    assert client.get(reverse("funding:benchmarks")).status_code == status


def test_the_public_board_opens_without_login_and_404s_unknown_codes(client, community_in):
    code = community_in(STREET).code
    assert client.get(reverse("governance:public_board", args=[code])).status_code == 200
    assert client.get(reverse("governance:public_board", args=["999999999999"])).status_code == 404
    assert client.get(reverse("governance:public_search"), {"q": "社区"}).status_code == 200


# --- annual assessments: found by pk, scoped by the division code stored on them ----------

ASSESSMENT_POST_ONLY = {"supervision:assessment_publish", "supervision:assessment_evaluate"}


@pytest.mark.parametrize(
    ("role", "code", "draft", "published"),
    [
        # role, code, what the draft answers, what the published assessment answers
        (Role.BUREAU, DISTRICT, "manage", "read"),
        (Role.BUREAU, "4404", "manage", "read"),  # the city above manages its districts'
        (Role.BUREAU, OTHER_DISTRICT, 404, 404),
        (Role.STREET, STREET, 404, "read"),
        (Role.STREET, "440403001", 404, 404),
        (Role.VIEWER, DISTRICT, 404, "read"),
        (Role.COMMITTEE, "440402001001", 404, "read"),
        (Role.COMMITTEE, "440403001001", 404, 404),
    ],
)
@pytest.mark.parametrize("route", sorted(ASSESSMENT_VIEWS))
def test_an_assessment_opens_only_where_it_applies(
    client, make_user, zhuhai, role, code, draft, published, route
):
    from supervision.services import assessment_publish

    assessment = Assessment.objects.create(code=DISTRICT, year=2024, title="考核")
    AssessmentItem.objects.create(
        assessment=assessment, standard=Standard.objects.get(code="GD-01"), weight=100
    )
    client.force_login(make_user(role, code))
    url = reverse(route, args=[assessment.pk])

    def expect(outcome) -> None:
        if outcome == 404:
            assert client.get(url).status_code == 404
            assert client.post(url).status_code == 404
            return
        manage = outcome == "manage"
        if route in ASSESSMENT_POST_ONLY:
            assert client.get(url).status_code == 405
        elif route == "supervision:assessment_edit" and assessment.is_published:
            # A published assessment is never edited: managers are sent back to it.
            assert client.get(url).status_code == (302 if manage else 403)
        elif route == "supervision:assessment_edit":
            assert client.get(url).status_code == (200 if manage else 403)
        else:
            assert client.get(url).status_code == 200

    expect(draft)
    assessment_publish(actor=make_user(Role.BUREAU, DISTRICT), assessment=assessment)
    assessment.refresh_from_db()
    expect(published if published != "read" or role != Role.BUREAU else "manage")


# --- the history page of every audited record -------------------------------------------


def history_args(community: Community, record) -> list:
    meta = record._meta
    return [community.code, meta.app_label, meta.model_name, record.pk]


@pytest.mark.parametrize(("role", "assigned", "inside", "outside"), CASES)
def test_every_audited_record_has_a_history_page_inside_and_a_404_outside(
    client, make_user, community_in, role, assigned, inside, outside
):
    if role == Role.COMMITTEE:
        own = community_in(STREET)
        assigned = own.code
        other = Community.objects.filter(code__startswith=STREET).exclude(pk=own.pk).first()
    else:
        own = Community.objects.filter(code__startswith=inside).order_by("code").first()
        other = Community.objects.filter(code__startswith=outside).order_by("code").first()
    client.force_login(make_user(role, assigned))
    unknown = [own.code, "portal", "user", make_user().pk]
    assert client.get(reverse("history", args=unknown)).status_code == 404
    for label in sorted(AUDITED):
        kind = label.split(".")[1]
        mine, theirs = make_record(kind, own), make_record(kind, other)
        assert client.get(reverse("history", args=history_args(own, mine))).status_code == 200
        outside_page = client.get(reverse("history", args=history_args(other, theirs)))
        assert outside_page.status_code == 404, label
        # Someone else's record reached through one's own community.
        if kind != "community":
            mixed = history_args(own, theirs)
            assert client.get(reverse("history", args=mixed)).status_code == 404, label


# Models with history that belong to no single community (reference data of a division).
# Surveys and their questions belong to the street or bureau that defines them.
NOT_COMMUNITY_OWNED = {
    "funding.wagebenchmark",
    "surveys.survey",
    "surveys.question",
    "grassroots.timelimit",
}


def test_the_history_walk_knows_every_model_with_a_history_of_a_community():
    """A community-owned model with history must be registered in core.audit.AUDITED."""
    from django.apps import apps

    owned = set()
    for model in apps.get_models():
        # Accounts and the standards library have history but belong to no community.
        if not hasattr(model, "history") or model._meta.app_label in {"core", "compliance"}:
            continue
        owned.add(model._meta.label_lower)
    missing = owned - set(AUDITED) - NOT_COMMUNITY_OWNED
    assert missing == set(), "register these in core.audit.AUDITED"


# Writers posting outside: a street office to another street, a committee member to the
# neighbouring community (no division is a committee member's: the walk above checks its 404).
POST_CASES = [pytest.param(route, Role.STREET, id=f"{route}-street") for route in SCOPED] + [
    pytest.param(route, Role.COMMITTEE, id=f"{route}-committee")
    for route in SCOPED
    if route not in DIVISION_VIEWS
]


@pytest.mark.parametrize(("route", "role"), POST_CASES)
def test_no_post_changes_anything_outside_the_jurisdiction(
    client, make_user, community_in, route, role
):
    """Valid data, posted to a record or division outside the jurisdiction (or to someone
    else's record through one's own community): 404, and not one row of any table changes.
    The same data posted inside does change the database, so the data is valid."""
    if role == Role.COMMITTEE:
        committee_code = community_in(STREET).code
        client.force_login(make_user(role, committee_code))
        own, other, mixed = targets(route, STREET, STREET, committee_code)
    else:
        client.force_login(make_user(role, STREET))
        own, other, mixed = targets(route, STREET, OTHER_STREET, None)
    # The community posted to, or for a division the first community in it.
    own_community = Community.objects.filter(code__startswith=own[0]).order_by("code").first()
    other_community = Community.objects.filter(code__startswith=other[0]).order_by("code").first()
    if route in COMMUNITY_VIEWS | set(OBJECT_VIEWS):
        page = client.get(reverse(route, args=own))
        base = form_data(page.context["form"]) if page.context and "form" in page.context else {}
        target = Community.objects.get(code=own[0])
        data = {**base, **valid_post(route, target, None)}
        # Someone else's data shaped the same way (their people, their organizations).
        outside_data = {**base, **valid_post(route, other_community, None)}
    else:
        data = outside_data = valid_post(route, own_community, None)
    for args, payload in ((other, outside_data), (mixed, data)):
        if args is None:
            continue
        if "file" in payload:  # an upload is read once: a fresh one for each request
            payload = {**payload, "file": valid_post(route, other_community, None)["file"]}
        before = fingerprint()
        assert client.post(reverse(route, args=args), payload).status_code == 404
        assert fingerprint() == before, f"POST {route} {args} changed the database"
    before = fingerprint()
    response = client.post(reverse(route, args=own), data)
    if route in ALLOWED_ROLES and role not in ALLOWED_ROLES[route]:
        # Inside, but a step this role may not take (certify, review, decide): refused.
        assert response.status_code == 403, (route, response.status_code)
        assert fingerprint() == before, f"a refused POST to {route} changed data"
    elif route in WRITING_VIEWS:
        assert response.status_code == 302, (
            route,
            response.context["form"].errors if response.context else response.status_code,
        )
        assert fingerprint() != before, f"valid POST to {route} inside changed nothing"
    else:
        assert response.status_code in (200, 405), (route, response.status_code)
        assert fingerprint() == before, f"POST to the read-only view {route} changed data"


@pytest.mark.parametrize(
    ("route", "data"),
    [
        (
            "funding:benchmarks",
            {
                "code": OTHER_DISTRICT,
                "year": "2024",
                "kind": "local_average_wage",
                "annual_amount": "90000",
            },
        ),
        (
            "compliance:document_create",
            {
                "key": "LOCAL-X",
                "title": "地方文件",
                "status": "in_force",
                "scope_prefixes": OTHER_DISTRICT,
            },
        ),
    ],
)
def test_no_bureau_form_writes_outside_its_jurisdiction(client, make_user, zhuhai, route, data):
    client.force_login(make_user(Role.BUREAU, DISTRICT))
    before = fingerprint()
    response = client.post(reverse(route), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert fingerprint() == before
    inside = {**data, **{k: DISTRICT for k in ("code", "scope_prefixes") if k in data}}
    client.post(reverse(route), inside)
    assert fingerprint() != before, "the same data inside the jurisdiction is accepted"


# --- surveys: found by pk through the communities they cover -------------------------------


@pytest.mark.parametrize(
    ("role", "code", "opens", "manages"),
    [
        (Role.STREET, STREET, True, True),
        (Role.BUREAU, DISTRICT, True, True),
        (Role.VIEWER, DISTRICT, True, False),
        (Role.COMMITTEE, "440402001001", True, False),
        (Role.COMMITTEE, "440402001002", False, False),
        (Role.STREET, OTHER_STREET, False, False),
        (Role.BUREAU, OTHER_DISTRICT, False, False),
    ],
)
def test_a_survey_opens_only_where_it_covers_a_community(
    client, make_user, zhuhai, role, code, opens, manages
):
    from surveys.models import Survey

    community = Community.objects.get(code="440402001001")
    survey = make_record("survey", community)
    Survey.objects.filter(pk=survey.pk).update(code=STREET)
    client.force_login(make_user(role, code))
    detail = client.get(reverse("surveys:survey", args=[survey.pk]))
    assert detail.status_code == (200 if opens else 404)
    publish = reverse("surveys:survey_publish", args=[survey.pk])
    assert client.get(publish).status_code == (405 if opens else 404)
    assert client.post(publish).status_code == (302 if manages else 403 if opens else 404)
