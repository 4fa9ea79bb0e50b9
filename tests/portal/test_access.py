"""Every URL of the portal, walked for every role, inside and outside the jurisdiction.

The URL configuration is read at test time: a new view with a ``code`` parameter that this file
does not know how to fill makes the walk fail, so nothing is left unchecked by accident.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from committees.models import Community, Membership, Organization, Person
from facilities.models import Facility
from funding.models import Allocation, AssignedTask, Expenditure, StaffPay
from governance.models import (
    Covenant,
    Disclosure,
    Election,
    ElectionCandidate,
    MajorMatter,
    Meeting,
    PublicService,
)
from portal.models import Role, Standard
from supervision.models import (
    Assessment,
    AssessmentItem,
    Exemption,
    NoticeEvent,
    NoticeItem,
    RectificationNotice,
)
from tests.conftest import DISTRICT, OTHER_DISTRICT, OTHER_STREET, STREET

pytestmark = pytest.mark.django_db

# Views that anonymous users may open.
PUBLIC = {"login", "logout", "healthz", "set_language", "governance:public_search"}
# Anonymous, read-only pages of one community (the public board).
PUBLIC_WITH_CODE = {"governance:public_board"}
# Views whose object is a division (by code) and those whose object is a community.
DIVISION_VIEWS = {
    "committees:division",
    "compliance:division_report",
    "compliance:division_matrix",
    "compliance:division_evaluate",
    "facilities:compare",
    "facilities:compare_export",
    "funding:compare",
    "funding:compare_export",
    "supervision:division_notices",
    "supervision:notices_export",
    "supervision:notice_issue",
    "supervision:division_exemptions",
    "supervision:exemptions_export",
    "governance:election_overview",
}
COMMUNITY_VIEWS = {
    "committees:community",
    "committees:community_edit",
    "committees:people",
    "committees:person_create",
    "committees:organization_create",
    "committees:membership_create",
    "committees:training_log",
    "committees:roster_template",
    "committees:roster_import",
    "committees:roster_export",
    "compliance:community",
    "compliance:community_report",
    "facilities:list",
    "facilities:create",
    "funding:ledger",
    "funding:ledger_export",
    "funding:allocation_create",
    "funding:expenditure_create",
    "funding:pay_create",
    "funding:tasks",
    "funding:task_create",
    "governance:meetings",
    "governance:meeting_create",
    "governance:disclosures",
    "governance:disclosure_create",
    "governance:matters",
    "governance:matter_create",
    "governance:covenants",
    "governance:covenant_create",
    "governance:services",
    "governance:service_create",
    "supervision:community",
    "supervision:dispute_create",
    "governance:elections",
    "governance:election_create",
}
# Views of one record of a community (code + pk), by the kind of record.
OBJECT_VIEWS = {
    "committees:person": "person",
    "committees:person_edit": "person",
    "committees:training_create": "person",
    "committees:qualification_create": "person",
    "committees:organization_edit": "organization",
    "committees:membership_edit": "membership",
    "committees:membership_end": "membership",
    "facilities:edit": "facility",
    "funding:allocation_edit": "allocation",
    "funding:expenditure_edit": "expenditure",
    "funding:pay_edit": "pay",
    "funding:task_edit": "task",
    "governance:meeting": "meeting",
    "governance:meeting_edit": "meeting",
    "governance:resolution_create": "meeting",
    "governance:disclosure_edit": "disclosure",
    "governance:disclosure_lines": "disclosure",
    "governance:matter": "matter",
    "governance:matter_edit": "matter",
    "governance:covenant_edit": "covenant",
    "governance:service_edit": "service",
    "supervision:notice": "notice",
    "supervision:notice_respond": "notice",
    "supervision:notice_review": "notice",
    "supervision:notice_file": "response",
    "supervision:dispute_decide": "dispute",
    **{
        f"governance:{name}": "election"
        for name in (
            "election",
            "election_plan",
            "election_voter_list",
            "election_candidate_create",
            "election_candidate_remove",
            "election_voting",
            "election_results",
            "election_rerun",
            "election_certify",
            "election_correct",
            "election_announcement",
        )
    },
}
# Views of an annual assessment (by pk): its scope is a division code stored on it.
ASSESSMENT_VIEWS = {
    "supervision:assessment",
    "supervision:assessment_edit",
    "supervision:assessment_publish",
    "supervision:assessment_evaluate",
    "supervision:assessment_export",
}
WRITERS = {Role.STREET, Role.COMMITTEE}
# Views whose code is not a place: policy standards are public text, the same for everyone.
UNSCOPED_VIEWS = {"compliance:standard_detail"}
# Views only some roles may use inside their jurisdiction (others get 403 there).
ALLOWED_ROLES = {
    "committees:community_edit": WRITERS,
    "committees:person_create": WRITERS,
    "committees:person_edit": WRITERS,
    "committees:training_create": WRITERS,
    "committees:qualification_create": WRITERS,
    "committees:organization_create": WRITERS,
    "committees:organization_edit": WRITERS,
    "committees:membership_create": WRITERS,
    "committees:membership_edit": WRITERS,
    "committees:membership_end": WRITERS,
    "committees:roster_template": WRITERS,
    "committees:roster_import": WRITERS,
    "compliance:division_evaluate": {Role.STREET, Role.BUREAU},
    **{
        name: WRITERS
        for name in (
            "facilities:create",
            "facilities:edit",
            "funding:allocation_create",
            "funding:allocation_edit",
            "funding:expenditure_create",
            "funding:expenditure_edit",
            "funding:pay_create",
            "funding:pay_edit",
            "funding:task_create",
            "funding:task_edit",
            "governance:meeting_create",
            "governance:meeting_edit",
            "governance:resolution_create",
            "governance:disclosure_create",
            "governance:disclosure_edit",
            "governance:disclosure_lines",
            "governance:matter_create",
            "governance:matter_edit",
            "governance:covenant_create",
            "governance:covenant_edit",
            "governance:service_create",
            "governance:service_edit",
            "supervision:notice_respond",
            "supervision:dispute_create",
            "governance:election_create",
            "governance:election_plan",
            "governance:election_voter_list",
            "governance:election_candidate_create",
            "governance:election_candidate_remove",
            "governance:election_voting",
            "governance:election_results",
            "governance:election_rerun",
        )
    },
    # Only the street office, or a bureau above it, certifies and corrects an election.
    "governance:election_certify": {Role.STREET, Role.BUREAU},
    "governance:election_correct": {Role.STREET, Role.BUREAU},
    "supervision:notice_issue": {Role.STREET, Role.BUREAU},
    "supervision:notice_review": {Role.STREET, Role.BUREAU},
    "supervision:dispute_decide": {Role.STREET, Role.BUREAU},
}
# Views that answer only POST (a GET inside the jurisdiction is 405).
POST_ONLY = {"compliance:division_evaluate", "governance:election_candidate_remove"}


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
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            routes.append(Route(f"{namespace}{entry.name}", tuple(entry.pattern.converters)))
    return routes


ROUTES = walk()
PLAIN = [r for r in ROUTES if not r.params]
WITH_CODE = [r for r in ROUTES if r.params]
PRIVATE_WITH_CODE = [r for r in WITH_CODE if r.name not in PUBLIC_WITH_CODE]


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
            or (r.name in ASSESSMENT_VIEWS and r.params == ("pk",))
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
    response = client.get(reverse(route, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def record(route: str, community: Community):
    """A record of the kind the object view shows, inside ``community``."""
    kind = OBJECT_VIEWS[route]
    day = datetime.date(2024, 3, 1)
    if kind == "facility":
        return Facility.objects.create(
            community=community,
            kind="office",
            name="办公室",
            area_m2=Decimal("120"),
            tenure="owned",
        )
    if kind == "allocation":
        return Allocation.objects.create(
            community=community,
            year=2024,
            source="street_finance",
            amount=Decimal("50000"),
            received_on=day,
        )
    if kind == "expenditure":
        return Expenditure.objects.create(
            community=community,
            year=2024,
            date=day,
            category="office",
            amount=Decimal("300"),
            description="纸张",
        )
    if kind == "meeting":
        return Meeting.objects.create(
            community=community,
            kind="residents_meeting",
            title="居民会议",
            date=day,
            entitled=100,
            attended=60,
        )
    if kind == "disclosure":
        return Disclosure.objects.create(
            community=community, category="finance", title="财务公开", content="收支情况"
        )
    if kind == "matter":
        return MajorMatter.objects.create(community=community, title="加装电梯")
    if kind == "covenant":
        return Covenant.objects.create(
            community=community, title="居民公约", text="文明相处", adopted_on=day
        )
    if kind == "service":
        return PublicService.objects.create(community=community, name="居住证申领")
    if kind == "election":
        # Counted but not certified: every step page of it opens.
        election = Election.objects.create(
            community=community,
            term_number=8,
            election_day=day,
            method="direct",
            seats_director=1,
            seats_deputy=0,
            seats_member=0,
            election_committee_members="主任 王五",
            voter_list_published_on=day - datetime.timedelta(days=25),
            registered_voters=1000,
            ballots_issued=700,
            ballots_cast=690,
            ballots_valid=680,
            ballots_invalid=10,
        )
        ElectionCandidate.objects.create(
            election=election,
            person=Person.objects.create(community=community, name="李四", gender="male"),
            position="director",
            nomination="voters",
            votes=400,
            outcome="elected",
        )
        return election
    if kind == "task":
        return AssignedTask.objects.create(
            community=community, department="区卫健局", title="健康宣传", assigned_on=day
        )
    if kind in ("notice", "response"):
        notice = RectificationNotice.objects.create(
            community=community, code=community.code, instructions="整改", due_on=day, issued_on=day
        )
        NoticeItem.objects.create(
            notice=notice,
            standard=Standard.objects.get(code="GD-01"),
            status_at_issue="non_compliant",
            as_of_at_issue=day,
        )
        if kind == "notice":
            return notice
        photo = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 16)
        return NoticeEvent.objects.create(
            notice=notice, kind="responded", text="已整改", attachment=photo
        )
    if kind == "dispute":
        return Exemption.objects.create(
            community=community,
            code=community.code,
            standard=Standard.objects.get(code="GD-01"),
            reason="无法扩建",
            raised_on=day,
            status_at_request="non_compliant",
        )
    organization = Organization.objects.create(
        community=community, kind=Organization.Kind.RESIDENTS_COMMITTEE, name="居委会"
    )
    if kind == "organization":
        return organization
    person = Person.objects.create(community=community, name="张三", gender="female")
    if kind == "person":
        return person
    if kind == "pay":
        return StaffPay.objects.create(person=person, year=2024, annual_pay=Decimal("60000"))
    return Membership.objects.create(
        person=person,
        organization=organization,
        position=Membership.Position.MEMBER,
        start_date=datetime.date(2023, 1, 1),
    )


# role, assigned code, a code inside, a code outside
CASES = [
    (Role.STREET, STREET, STREET, OTHER_STREET),
    (Role.BUREAU, DISTRICT, DISTRICT, OTHER_DISTRICT),
    (Role.VIEWER, DISTRICT, STREET, OTHER_DISTRICT),
    (Role.COMMITTEE, None, None, None),  # filled in below: own community vs its neighbour
]


def targets(route: str, inside: str, outside: str, committee_code: str | None):
    if route in COMMUNITY_VIEWS or route in OBJECT_VIEWS:
        own = (
            committee_code
            or Community.objects.filter(code__startswith=inside).order_by("code").first().code
        )
        other = (
            Community.objects.filter(code__startswith=outside)
            .exclude(code=own)
            .order_by("code")
            .first()
            .code
        )
        if route in OBJECT_VIEWS:
            mine = record(route, Community.objects.get(code=own))
            theirs = record(route, Community.objects.get(code=other))
            # Someone else's record reached through one's own community is still a 404.
            return [own, mine.pk], [other, theirs.pk], [own, theirs.pk]
        return [own], [other], None
    return [inside], [outside], None


SCOPED = [r.name for r in PRIVATE_WITH_CODE if r.name not in UNSCOPED_VIEWS | ASSESSMENT_VIEWS]


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
        assert client.get(reverse(route.name, args=args)).status_code == 404


def test_a_street_user_cannot_evaluate_another_street(client, make_user, zhuhai):
    from portal.models import Finding

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
    response = client.get("/admin/committees/community/")
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
