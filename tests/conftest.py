"""What every test shares: the places, the fixtures, and the vocabulary of the URL walk.

The walk's vocabulary (which view takes which kind of code, who may write where, a record of
each kind, valid data for each form, a fingerprint of the whole database) is written once here:
tests/portal/test_access.py walks every URL with it, and the locking, audit, security, hostile
input and backup tests reuse it.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from committees.models import Membership, Organization, Person, Qualification, Training
from compliance.models import Finding, Standard
from core.models import Assignment, Role, User
from demo.committees import ZHUHAI_DIR
from divisions.imports import import_divisions
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
from grassroots.models import Grid, GridWorker, Request, Visit
from supervision.models import (
    Exemption,
    NoticeEvent,
    NoticeItem,
    RectificationNotice,
)
from surveys.models import Question, Survey

ROOT = Path(__file__).resolve().parents[1]

# Inside the Zhuhai slice: 香洲区 440402, 翠香街道 440402001, 斗门区 440403.
STREET = "440402001"
OTHER_STREET = "440402002"
DISTRICT = "440402"
OTHER_DISTRICT = "440403"
CITY = "4404"

# The portal hashes passwords with PBKDF2 (Django's default; tests/core/test_security.py checks
# it): about a second of CPU per user made or logged in. Tests make thousands of users.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def fast_passwords() -> Iterator[None]:
    """Each test makes and logs in its users again: a deliberately slow hash is wasted here."""
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(autouse=True)
def portal_language():
    """Every test starts in the portal's language, whatever an earlier request activated."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached page fragments are keyed by database ids, which a rolled-back test reuses."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files (evidence attachments) land in a throwaway folder, never in the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


def load_zhuhai() -> None:
    """The real Zhuhai slice shipped with the portal (213 communities), with households set."""
    import_divisions(ZHUHAI_DIR)
    Community.objects.update(households=1000, population=2800)
    # A bulk update bypasses the services: recount the division pages' roll-ups by hand.
    from compliance import rollups

    rollups.refresh("")


@pytest.fixture
def zhuhai(db) -> None:
    """The real Zhuhai slice shipped with the portal (213 communities), with households set."""
    load_zhuhai()


@contextlib.contextmanager
def loaded_once(django_db_blocker, load: Callable[[], object]) -> Iterator[None]:
    """Data loaded once for many tests, in a transaction rolled back after them.

    Each test then runs in a savepoint inside that transaction (pytest-django's ``db`` nests),
    so what a test writes is undone after it and the data stays as loaded. For a module- or
    class-scoped fixture whose tests all want the data; they must not use ``transactional_db``,
    which would empty the tables under the transaction.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        # Marked as a test case's own, so that the code's durable atomic blocks still nest.
        transaction.get_connection().atomic_blocks[-1]._from_testcase = True
        load()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def zhuhai_for_the_module(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The Zhuhai slice loaded once for a whole module (which overrides ``zhuhai`` with it)."""
    with loaded_once(django_db_blocker, load_zhuhai):
        yield


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    counter = iter(range(10_000))

    def make(role: str | None = None, code: str | None = None, **extra) -> User:
        user = User.objects.create_user(username=f"user{next(counter)}", password="x", **extra)
        if role and code:
            Assignment.objects.create(user=user, role=role, code=code)
        return user

    return make


@pytest.fixture
def community_in(zhuhai) -> Callable[[str], Community]:
    def first(prefix: str) -> Community:
        return Community.objects.filter(code__startswith=prefix).order_by("code").first()

    return first


@pytest.fixture
def community(community_in) -> Community:
    """The first community of the street (翠香街道), where the street user below works."""
    return community_in(STREET)


@pytest.fixture
def street_client(client, make_user, zhuhai) -> Client:
    """The test client, signed in as a user of the street office of ``STREET``."""
    client.force_login(make_user(Role.STREET, STREET))
    return client


@pytest.fixture
def only_households_rule():
    """Engine tests reason about one rule; the domain rules have tests of their own."""
    from compliance.rules import registry

    saved = dict(registry.rules)
    registry.rules.clear()
    registry.rules["community.households_range"] = saved["community.households_range"]
    yield
    registry.rules.clear()
    registry.rules.update(saved)


# --- rules and findings ----------------------------------------------------------------------


def judge_standard(standard_id: str, value, as_of: datetime.date):
    """The verdict of a catalogue standard's rule on ``value``, with the catalogue's parameters."""
    from compliance.catalog import STANDARDS
    from compliance.rules import registry

    standard = next(s for s in STANDARDS if s["id"] == standard_id)
    rule = registry.get(standard["rule_key"])
    return rule.judge(value, rule.clean_params(standard["params"]), as_of=as_of)


def measure_one(key: str, community: Community, as_of: datetime.date):
    """What the rule ``key`` measures for one community."""
    from compliance.rules import registry

    return registry.get(key).measure(Community.objects.filter(pk=community.pk), as_of)[community.pk]


def refusals(key: str, params) -> list[str]:
    """The messages with which the rule ``key`` refuses ``params``."""
    from compliance.rules import registry

    with pytest.raises(ValidationError) as error:
        registry.get(key).clean_params(params)
    return error.value.messages


def findings_of(community: Community, as_of: datetime.date) -> dict[str, Finding]:
    """The community's findings on ``as_of``, by standard code."""
    return {
        f.standard.code: f
        for f in Finding.objects.on(as_of).filter(community=community).select_related("standard")
    }


# --- settings as a fresh process loads them ---------------------------------------------------


def run_python(
    *args: str, unset: set[str] = frozenset(), timeout: int = 60, **env: str
) -> subprocess.CompletedProcess:
    """``python *args`` (manage.py, -c …) in a fresh interpreter at the root of the checkout,
    with portal.settings, without the variables ``unset`` and with those of ``env``."""
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def loaded_settings(**env: str) -> dict:
    """portal/settings.py loaded in a fresh interpreter with this environment."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS, "
        "'middleware': s.MIDDLEWARE, 'pin': s.REPLICA_PIN_SECONDS, 'caches': s.CACHES, "
        "'sessions': s.SESSION_ENGINE}, default=str))"
    )
    unset = {"DATABASE_REPLICA_URL", "CACHE_URL", "REPLICA_PIN_SECONDS"}
    result = run_python("-c", script, unset=unset, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def replica_settings(settings) -> None:
    """What portal/settings.py does with DATABASE_REPLICA_URL (but no alias: nothing is read)."""
    settings.DATABASE_ROUTERS = ["core.dbrouter.PrimaryReplicaRouter"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "core.dbrouter.ReplicaPinMiddleware",
    )
    settings.MIDDLEWARE = middleware
    settings.REPLICA_PIN_SECONDS = 5


# --- the vocabulary of the URL walk (tests/portal/test_access.py) -----------------------------

# Views that anonymous users may open.
PUBLIC = {
    "login",
    "logout",
    "healthz",
    "set_language",
    "governance:public_search",
    "grassroots:public_track",
}
# Anonymous, read-only pages of one community (the public board).
PUBLIC_WITH_CODE = {
    "governance:public_board",
    "surveys:public_answer",
    "surveys:public_results",
    "grassroots:public_submit",
}
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
    "surveys:division_surveys",
    "surveys:survey_create",
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
    "surveys:community_surveys",
    "grassroots:requests",
    "grassroots:request_create",
    "grassroots:requests_export",
    "grassroots:ledger",
    "grassroots:grids",
    "grassroots:grid_create",
    "grassroots:visits",
    "grassroots:visit_create",
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
    "grassroots:request_edit": "request",
    "grassroots:grid_edit": "grid",
    "grassroots:worker_create": "grid",
    "surveys:community_survey": "survey",
    "surveys:codes": "survey",
    "surveys:paper": "survey",
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
SURVEY_VIEWS = {"surveys:survey", "surveys:survey_publish"}
ASSESSMENT_VIEWS = {
    "supervision:assessment",
    "supervision:assessment_edit",
    "supervision:assessment_publish",
    "supervision:assessment_evaluate",
    "supervision:assessment_export",
}
# A user's own background jobs, by id: another user's job or one outside the jurisdiction is a
# 404 (tests/jobs/test_jobs.py walks these for every case).
JOB_VIEWS = {"jobs:detail", "jobs:status", "jobs:file"}
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
            "grassroots:request_create",
            "grassroots:request_edit",
            "grassroots:grid_create",
            "grassroots:grid_edit",
            "grassroots:worker_create",
            "grassroots:visit_create",
        )
    },
    # Only the street office, or a bureau above it, certifies and corrects an election.
    "elections:election_certify": {Role.STREET, Role.BUREAU},
    "elections:election_correct": {Role.STREET, Role.BUREAU},
    "supervision:notice_issue": {Role.STREET, Role.BUREAU},
    "supervision:notice_review": {Role.STREET, Role.BUREAU},
    "supervision:dispute_decide": {Role.STREET, Role.BUREAU},
    "surveys:survey_create": {Role.STREET, Role.BUREAU},
    "surveys:codes": WRITERS,
    "surveys:paper": WRITERS,
}
# The history page of any audited record (core.audit.AUDITED): code, app, model, pk.
HISTORY_VIEWS = {"history": ("code", "app_label", "model_name", "pk")}
# Views that answer only POST (a GET inside the jurisdiction is 405).
POST_ONLY = {"compliance:division_evaluate", "elections:election_candidate_remove"}


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
    if kind in ("grid", "gridworker", "visit", "request"):
        grid, _new = Grid.objects.get_or_create(community=community, name="第一网格")
        if kind == "grid":
            return grid
        if kind == "gridworker":
            person = Person.objects.create(community=community, name="网格员", gender="female")
            return GridWorker.objects.create(grid=grid, person=person, start_date=day)
        if kind == "visit":
            return Visit.objects.create(community=community, grid=grid, visited_on=day)
        return Request.objects.create(
            community=community,
            received_on=day,
            channel="phone",
            category="request",
            summary="楼道灯不亮",
            due_on=day + datetime.timedelta(days=7),
        )
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
    if kind == "survey":
        survey = Survey.objects.create(
            code=community.code, title="满意度测评", opens_on=day, closes_on=day
        )
        survey.communities.add(community)
        Question.objects.create(survey=survey, position=1, text="总体满意度")
        return survey
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


# --- what a POST changed, and what a browser would post --------------------------------------


@functools.cache
def _fingerprint_queries(vendor: str) -> tuple[list[str], str, list[tuple[str, str]]]:
    """The SQL behind ``fingerprint``, written once per database: one query for every table's
    row count and highest id, and one per table whose rows themselves are compared."""
    from django.apps import apps

    quote = connection.ops.quote_name
    labels, columns, contents = [], [], []
    for model in apps.get_models():
        if model._meta.label in ("sessions.Session",):
            continue
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        labels.append(model._meta.label)
        # A UUID key (the task queue's rows) has no MAX in PostgreSQL: compare it as text.
        highest = (
            pk
            if model._meta.pk.get_internal_type().endswith("AutoField")
            else (f"CAST({pk} AS TEXT)")
        )
        columns += [f"(SELECT COUNT({pk}) FROM {table})", f"(SELECT MAX({highest}) FROM {table})"]
        historical = any(f.name == "history_id" for f in model._meta.fields)
        if not hasattr(model, "history") and not historical:
            contents.append((model._meta.label, f"SELECT * FROM {table} ORDER BY {pk}"))
    return labels, "SELECT " + ", ".join(columns), contents


def fingerprint() -> dict[str, tuple]:
    """Row count and highest id of every table: any insert, delete or save (every save of a
    domain record writes a history row) changes it. A model without history (a dispute, a
    notice) is saved in place, so its rows themselves are compared too.

    Plain SQL (the walk takes a thousand fingerprints): one query for all the counts, one per
    table whose rows are compared, every column of every row as the database stores it."""
    labels, totals, contents = _fingerprint_queries(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(totals)
        row = cursor.fetchone()
        result = {label: (row[2 * i], row[2 * i + 1]) for i, label in enumerate(labels)}
        for label, query in contents:
            cursor.execute(query)
            values = repr(cursor.fetchall()).encode()
            result[label] += (hashlib.sha256(values).hexdigest(),)
    return result


def form_data(form) -> dict:
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
    if route == "surveys:paper":
        question = Question.objects.filter(survey__communities=community).order_by("pk").last()
        return {f"q{question.pk}": "4"} if question else {}
    if route == "grassroots:worker_create":
        person = Person.objects.create(community=community, name="网格员甲", gender="male")
        return {"person": person.pk, "start_date": day}
    if route == "grassroots:visit_create":
        grid, _new = Grid.objects.get_or_create(community=community, name="第一网格")
        return {"visited_on": day, "kind": "visit", "grid": grid.pk, "households_visited": "8"}
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
            valid_from=today,
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
        "grassroots:request_create": {
            "received_on": day,
            "channel": "phone",
            "category": "request",
            "summary": "楼道灯不亮",
        },
        "grassroots:request_edit": {
            "received_on": day,
            "channel": "phone",
            "category": "request",
            "summary": "楼道灯不亮",
            "due_on": day,
        },
        "grassroots:grid_create": {"name": "第二网格", "households": "150"},
        "grassroots:grid_edit": {"name": "第三网格"},
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
        "surveys:survey_create": {
            "title": "满意度测评",
            "opens_on": day,
            "closes_on": "2024-03-31",
            "questions": "总体满意度",
        },
        "surveys:codes": {"count": "2"},
        "compliance:division_evaluate": {},
    }.get(route, {})


# Scoped views that write when given valid data; every other scoped view must change nothing
# on POST, even inside the jurisdiction (a new writing view must be added here).
WRITING_VIEWS = set(ALLOWED_ROLES) - {"committees:roster_template"}
