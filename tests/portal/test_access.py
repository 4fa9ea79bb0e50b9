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
from django.db.models import Count
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from committees.models import Membership, Organization, Person, Qualification, Training
from compliance.models import Finding, Standard
from core.audit import AUDITED
from core.models import Role
from divisions.models import Community
from elections.models import Election, ElectionCandidate
from facilities.models import Facility
from funding.models import Allocation, AssignedTask, Expenditure, StaffPay
from governance.models import (
    Covenant,
    Disclosure,
    DisclosureAttachment,
    FinanceLine,
    MajorMatter,
    MatterStep,
    Meeting,
    MeetingAttachment,
    PublicService,
    Resolution,
)
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
# Anonymous downloads of one published file of a community (code + pk), tested on their own.
PUBLIC_FILES = {"governance:public_file"}
# Views whose object is a division (by code) and those whose object is a community.
DIVISION_VIEWS = {
    "division",
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
    "elections:election_overview",
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
    "elections:elections",
    "elections:election_create",
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
    "funding:allocation_delete": "allocation",
    "funding:expenditure_edit": "expenditure",
    "funding:expenditure_delete": "expenditure",
    "funding:pay_edit": "pay",
    "funding:pay_delete": "pay",
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
    "governance:meeting_attachment_add": "meeting",
    "governance:disclosure_attachment_add": "disclosure",
    "governance:meeting_file": "meetingattachment",
    "governance:disclosure_file": "disclosureattachment",
    "supervision:notice": "notice",
    "supervision:notice_respond": "notice",
    "supervision:notice_review": "notice",
    "supervision:notice_file": "response",
    "supervision:dispute_decide": "dispute",
    **{
        f"elections:{name}": "election"
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
            "funding:allocation_delete",
            "funding:expenditure_create",
            "funding:expenditure_edit",
            "funding:expenditure_delete",
            "funding:pay_create",
            "funding:pay_edit",
            "funding:pay_delete",
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
            "governance:meeting_attachment_add",
            "governance:disclosure_attachment_add",
            "supervision:notice_respond",
            "supervision:dispute_create",
            "elections:election_create",
            "elections:election_plan",
            "elections:election_voter_list",
            "elections:election_candidate_create",
            "elections:election_candidate_remove",
            "elections:election_voting",
            "elections:election_results",
            "elections:election_rerun",
        )
    },
    # Only the street office, or a bureau above it, certifies and corrects an election.
    "elections:election_certify": {Role.STREET, Role.BUREAU},
    "elections:election_correct": {Role.STREET, Role.BUREAU},
    "supervision:notice_issue": {Role.STREET, Role.BUREAU},
    "supervision:notice_review": {Role.STREET, Role.BUREAU},
    "supervision:dispute_decide": {Role.STREET, Role.BUREAU},
}
# The history page of any audited record (core.audit.AUDITED): code, app, model, pk.
HISTORY_VIEWS = {"history": ("code", "app_label", "model_name", "pk")}
# Views that answer only POST (a GET inside the jurisdiction is 405).
POST_ONLY = {"compliance:division_evaluate", "elections:election_candidate_remove"}


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
            or (r.name in ASSESSMENT_VIEWS and r.params == ("pk",))
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


def record(route: str, community: Community):
    """A record of the kind the object view shows, inside ``community``, in the state the view
    acts on (the election made by ``make_record`` is counted but not certified)."""
    found = make_record(OBJECT_VIEWS[route], community)
    if route in ("elections:election_candidate_create", "elections:election_candidate_remove"):
        # Candidates are added and removed before the vote: no ballots, no votes yet.
        Election.objects.filter(pk=found.pk).update(
            ballots_issued=None, ballots_cast=None, ballots_valid=None, ballots_invalid=None
        )
        found.candidates.update(votes=None, outcome=ElectionCandidate.Outcome.PENDING)
    elif route == "elections:election_rerun":
        # The only director candidate fell short of half the ballots: the seat is re-run.
        found.candidates.update(votes=300, outcome=ElectionCandidate.Outcome.NOT_ELECTED)
    elif route == "elections:election_correct":
        # Only a certified election is corrected.
        Election.objects.filter(pk=found.pk).update(
            certified_on=datetime.date(2024, 3, 10),
            term_starts_on=found.election_day,
            term_ends_on=datetime.date(2029, 3, 1),
        )
    elif route == "supervision:notice_review":
        # Only a notice the committee has responded to is reviewed.
        NoticeEvent.objects.create(
            notice=found, kind="responded", text="已整改", evidence_note="公开栏已张贴"
        )
        RectificationNotice.objects.filter(pk=found.pk).update(
            state=RectificationNotice.State.RESPONDED
        )
    if isinstance(found, Election | RectificationNotice):
        found.refresh_from_db()
    return found


def make_record(kind: str, community: Community):
    """A record of ``kind`` (an object-view kind or an audited model name) in ``community``."""
    day = datetime.date(2024, 3, 1)
    if kind == "community":
        return community
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
    if kind in ("disclosure", "financeline"):
        disclosure = Disclosure.objects.create(
            community=community, category="finance", title="财务公开", content="收支情况"
        )
        if kind == "financeline":
            return FinanceLine.objects.create(
                disclosure=disclosure, direction="income", item="拨款", amount=Decimal("100")
            )
        return disclosure
    if kind == "resolution":
        meeting = make_record("meeting", community)
        return Resolution.objects.create(
            meeting=meeting, title="决议", present=60, votes_for=40, passed=True, rule="N18-09"
        )
    if kind in ("matter", "majormatter"):
        return MajorMatter.objects.create(community=community, title="加装电梯")
    if kind in ("meetingattachment", "disclosureattachment"):
        pdf = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 minutes")
        if kind == "meetingattachment":
            owner = {"meeting": make_record("meeting", community)}
            return MeetingAttachment.objects.create(name="纪要.pdf", size=16, file=pdf, **owner)
        owner = {"disclosure": make_record("disclosure", community)}
        return DisclosureAttachment.objects.create(name="纪要.pdf", size=16, file=pdf, **owner)
    if kind == "matterstep":
        matter = MajorMatter.objects.create(community=community, title="加装电梯")
        return MatterStep.objects.create(matter=matter, step="proposal", date=day)
    if kind == "electioncandidate":
        election = Election.objects.filter(community=community).first()
        return (election or make_record("election", community)).candidates.first()
    if kind == "covenant":
        return Covenant.objects.create(
            community=community, title="居民公约", text="文明相处", adopted_on=day
        )
    if kind in ("service", "publicservice"):
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
    if kind in ("task", "assignedtask"):
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
    if kind == "training":
        return Training.objects.create(person=person, date=day, course="培训", hours=Decimal("8"))
    if kind == "qualification":
        return Qualification.objects.create(person=person, kind="social_worker", obtained_on=day)
    if kind in ("pay", "staffpay"):
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


SCOPED = [
    r.name
    for r in PRIVATE_WITH_CODE
    if r.name not in UNSCOPED_VIEWS | ASSESSMENT_VIEWS and r.name not in HISTORY_VIEWS
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
    from compliance.models import Finding

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
NOT_COMMUNITY_OWNED = {"funding.wagebenchmark"}


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


# --- no POST changes anything outside the jurisdiction -----------------------------------


def fingerprint() -> dict[str, tuple]:
    """Row count and highest id of every table: any insert, delete or save (every save of a
    domain record writes a history row) changes it. A model without history (a dispute, a
    notice) is saved in place, so its rows themselves are compared too."""
    import hashlib

    from django.apps import apps
    from django.db.models import Max

    result = {}
    for model in apps.get_models():
        if model._meta.label in ("sessions.Session",):
            continue
        rows = model._base_manager.order_by()
        row = rows.aggregate(n=Count("pk"), top=Max("pk"))
        result[model._meta.label] = (row["n"], row["top"])
        historical = any(f.name == "history_id" for f in model._meta.fields)
        if not hasattr(model, "history") and not historical:
            values = repr(list(rows.order_by("pk").values_list())).encode()
            result[model._meta.label] += (hashlib.sha256(values).hexdigest(),)
    return result


def _form_data(form) -> dict:
    """What a browser would send for an unbound form as it is shown (its initial values)."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None and getattr(field.widget, "allow_multiple_selected", False):
            continue  # no box ticked: a browser sends nothing, not an empty value
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        elif isinstance(value, list):
            if value:  # an empty multiple choice (no box ticked) sends nothing at all
                data[name] = " ".join(str(v) for v in value)
        else:
            data[name] = str(value)
    return data


# Election pages whose data names a candidate of the election.
ELECTION_VOTES_VIEWS = {
    "elections:election_candidate_remove",
    "elections:election_rerun",
    "elections:election_correct",
}


def valid_post(route: str, community: Community, target) -> dict:
    """Plausible, valid data for a POST to ``route`` (field values on top of the form's own)."""
    day = datetime.date(2024, 3, 1).isoformat()
    year = "2024"
    if route == "committees:membership_create":
        person = Person.objects.create(community=community, name="王五", gender="male")
        organization = Organization.objects.create(
            community=community, kind="residents_group", name="第一居民小组"
        )
        return {
            "person": person.pk,
            "organization": organization.pk,
            "position": "group_leader",
            "start_date": day,
            "source": "appointed",
        }
    if route == "committees:roster_import":
        from io import BytesIO

        from openpyxl import Workbook

        Organization.objects.create(
            community=community, kind="residents_group", name="第二居民小组"
        )
        workbook = Workbook()
        workbook.active.append(["姓名", "性别", "组织", "职务", "任职日期"])
        workbook.active.append(["孙八", "男", "第二居民小组", "居民小组长", "2022-03-01"])
        buffer = BytesIO()
        workbook.save(buffer)
        return {"file": SimpleUploadedFile("roster.xlsx", buffer.getvalue())}
    if route == "funding:pay_create":
        person = Person.objects.create(community=community, name="赵六", gender="female")
        return {"person": person.pk, "year": year, "annual_pay": "60000"}
    if route in ("governance:meeting_attachment_add", "governance:disclosure_attachment_add"):
        return {"file": SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 test")}
    if route == "elections:election_candidate_create":
        person = Person.objects.create(
            community=community, name="周九", gender="male", birth_date=datetime.date(1980, 5, 1)
        )
        return {"person": person.pk, "position": "director", "nomination": "voters"}
    if route in ELECTION_VOTES_VIEWS:
        # The candidate of the community's only election (made by ``record`` for the route).
        candidate = ElectionCandidate.objects.get(election__community=community)
    if route == "elections:election_candidate_remove":
        return {"candidate": candidate.pk}
    if route == "elections:election_rerun":
        return {
            "rerun_day": datetime.date(2024, 3, 15).isoformat(),
            "rerun_ballots_issued": "600",
            "rerun_ballots_cast": "590",
            "rerun_ballots_valid": "580",
            "rerun_ballots_invalid": "10",
            f"rerun_votes_{candidate.pk}": "400",
        }
    if route == "elections:election_correct":
        return {"reason": "经复核,主任候选人得票登记有误", f"votes_{candidate.pk}": "410"}
    today = timezone.localdate()
    if route in ("supervision:dispute_create", "supervision:notice_issue"):
        # A failing current finding of the community: what is contested, or rectified.
        Finding.objects.create(
            community=community,
            code=community.code,
            standard=Standard.objects.get(code="GD-01"),
            as_of=today,
            status="non_compliant",
        )
        if route == "supervision:dispute_create":
            return {"standard": "GD-01", "reason": "房屋无法扩建"}
        return {
            "selected": f"{community.code}:GD-01",
            "due_on": (today + datetime.timedelta(days=30)).isoformat(),
            "instructions": "请于期限内整改",
        }
    if route == "supervision:dispute_decide":
        return {
            "decision": "grant",
            "reason": "房屋客观上无法扩建",
            "expires_on": (today + datetime.timedelta(days=365)).isoformat(),
        }
    return {
        "committees:community_edit": {"households": "1234"},
        "committees:person_create": {"name": "李四", "gender": "female"},
        "committees:person_edit": {"name": "张三丰"},
        "committees:training_create": {"date": day, "course": "政策培训", "hours": "8"},
        "committees:qualification_create": {"kind": "social_worker", "obtained_on": day},
        "committees:organization_create": {"kind": "residents_group", "name": "第三居民小组"},
        "committees:organization_edit": {"name": "社区居民委员会"},
        "committees:membership_edit": {"full_time": "on"},
        "committees:membership_end": {"end_date": day, "end_reason": "辞职"},
        "facilities:create": {
            "kind": "office",
            "name": "办公室",
            "indoor": "on",
            "area_m2": "120",
            "tenure": "owned",
        },
        "facilities:edit": {"area_m2": "130"},
        "funding:allocation_create": {
            "year": year,
            "source": "street_finance",
            "amount": "50000",
            "received_on": day,
        },
        "funding:allocation_edit": {"amount": "60000"},
        "funding:allocation_delete": {"reason": "重复登记"},
        "funding:expenditure_create": {
            "year": year,
            "date": day,
            "category": "office",
            "amount": "300",
            "description": "纸张",
        },
        "funding:expenditure_edit": {"amount": "400"},
        "funding:expenditure_delete": {"reason": "重复登记"},
        "funding:pay_edit": {"annual_pay": "70000"},
        "funding:pay_delete": {"reason": "录入错误"},
        "funding:task_create": {"department": "区民政局", "title": "统计", "assigned_on": day},
        "funding:task_edit": {"title": "人口统计"},
        "governance:meeting_create": {
            "kind": "residents_meeting",
            "title": "居民会议",
            "date": day,
            "held": "on",
            "entitled": "100",
            "attended": "60",
        },
        "governance:meeting_edit": {"title": "居民代表会议"},
        "governance:resolution_create": {
            "title": "决议",
            "votes_for": "40",
            "votes_against": "5",
            "abstentions": "0",
        },
        "governance:disclosure_create": {
            "category": "residents",
            "title": "居务公开",
            "content": "内容",
        },
        "governance:disclosure_edit": {"title": "财务公开(修订)"},
        "governance:disclosure_lines": {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-direction": "income",
            "lines-0-item": "街道拨款",
            "lines-0-amount": "5000",
        },
        "governance:matter_create": {"title": "加装电梯", "description": "3 号楼加装电梯"},
        "governance:covenant_create": {
            "title": "居民公约",
            "text": "邻里和睦,文明相处",
            "adopted_on": day,
            "filed_on": datetime.date(2024, 3, 15).isoformat(),
            "filed_with": "翠香街道办事处",
        },
        "governance:service_create": {"name": "居住证申领", "content": "受理居住证申领"},
        "elections:election_create": {
            "kind": "general",
            "term_number": "8",
            "election_day": day,
            "method": "direct",
            "seats_director": "1",
            "seats_deputy": "1",
            "seats_member": "3",
            "election_committee_members": "主任 王五;委员 赵六、孙七",
        },
        "elections:election_certify": {"certified_on": "2024-03-10", "confirm": "on"},
        "supervision:notice_respond": {
            "text": "已在公开栏张贴财务公开",
            "evidence_note": "公开栏照片已存档",
        },
        "supervision:notice_review": {"decision": "accept", "comment": "已核实"},
        "compliance:division_evaluate": {},
    }.get(route, {})


# Scoped views that write when given valid data; every other scoped view must change nothing
# on POST, even inside the jurisdiction (a new writing view must be added here).
WRITING_VIEWS = set(ALLOWED_ROLES) - {"committees:roster_template"}


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
        base = _form_data(page.context["form"]) if page.context and "form" in page.context else {}
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
