"""待办: one page per user with what is due, providers from any app, and the daily digest."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import Membership, Organization, Person
from compliance.models import Finding, PolicyDocument, Standard
from core import reminders
from core.models import Role
from divisions.models import Community
from governance.models import Disclosure, Meeting
from supervision import services
from supervision.models import Exemption, NoticeEvent
from tests.conftest import OTHER_STREET, STREET
from tests.supervision.conftest import gd01, issue

pytestmark = pytest.mark.django_db


def _sections(client) -> dict[str, reminders.Section]:
    response = client.get(reverse("supervision:todo"))
    assert response.status_code == 200
    return {s.key: s for s in response.context["sections"]}


def _member(community: Community, name: str, term_ends_on: datetime.date) -> Membership:
    committee, _ = Organization.objects.get_or_create(
        community=community, kind=Organization.Kind.RESIDENTS_COMMITTEE, defaults={"name": "居委会"}
    )
    person = Person.objects.create(community=community, name=name, gender="female")
    return Membership.objects.create(
        person=person,
        organization=committee,
        position=Membership.Position.MEMBER,
        start_date=term_ends_on - datetime.timedelta(days=5 * 365),
        term_ends_on=term_ends_on,
    )


def _finding(community: Community, standard: Standard, today: datetime.date) -> Finding:
    return Finding.objects.create(
        community=community,
        code=community.code,
        standard=standard,
        valid_from=today,
        status="non_compliant",
    )


def test_a_committee_member_sees_terms_training_and_rectifications_of_its_own_community(
    login, community, community_in, street_user, today
):
    _member(community, "任满", today + datetime.timedelta(days=30))
    _member(community_in(OTHER_STREET), "别处", today + datetime.timedelta(days=30))
    notice = issue(street_user, community, due=today + datetime.timedelta(days=5))
    sections = _sections(login(Role.COMMITTEE, community.code))
    assert [d.what for d in sections["committees.terms"].items] == ["任满(委员)任期届满"]
    assert sections["committees.training"].count == 1  # no training ever recorded
    (due,) = sections["supervision.rectifications"].items
    assert due.url == reverse("supervision:notice", args=[community.code, notice.pk])
    assert due.due == notice.due_on and not due.overdue
    # Reviewing and deciding are not a committee's job.
    assert "supervision.reviews" not in sections and "supervision.disputes" not in sections


def test_a_street_sees_what_waits_for_it_overdue_first(login, community, street_user, today):
    notice = issue(street_user, community, due=today + datetime.timedelta(days=3))
    services.notice_respond(
        actor=street_user,
        notice=notice,
        event=NoticeEvent(text="已整改", evidence_note="见公开栏"),
    )
    neighbour = Community.objects.filter(code__startswith=STREET).order_by("code")[1]
    late = issue(street_user, neighbour, due=today + datetime.timedelta(days=30))
    type(late).objects.filter(pk=late.pk).update(
        issued_on=today - datetime.timedelta(days=60), due_on=today - datetime.timedelta(days=2)
    )
    services.dispute_raise(actor=street_user, community=community, standard=gd01(), reason="r")
    sections = _sections(login(Role.STREET, STREET))
    (overdue,) = sections["supervision.rectifications"].items
    assert overdue.code == neighbour.code and overdue.overdue
    assert sections["supervision.reviews"].count == 1
    assert sections["supervision.reviews"].more_url.endswith("?state=responded")
    assert sections["supervision.disputes"].count == 1
    html = login(Role.STREET, STREET).get(reverse("supervision:todo")).content.decode()
    assert "整改反馈待验收" in html and "申诉待裁定" in html and "逾期" in html


def test_a_street_sees_nothing_of_another_street(login, community, street_user, today):
    issue(street_user, community, due=today)
    sections = _sections(login(Role.STREET, OTHER_STREET))
    assert "supervision.rectifications" not in sections


def test_exemptions_about_to_expire_are_listed(login, community, street_user, today):
    from tests.supervision.conftest import grant

    grant(street_user, community, expires=today + datetime.timedelta(days=10))
    sections = _sections(login(Role.COMMITTEE, community.code))
    assert sections["supervision.exemptions"].items[0].due == today + datetime.timedelta(days=10)


def test_missing_council_meetings_are_listed_where_a_council_standard_applies(
    login, community, community_in, today
):
    document = PolicyDocument.objects.create(key="TEST", title="测试文件", scope_prefixes=[STREET])
    standard = Standard.objects.create(
        code="T-council",
        document=document,
        title="议事协调会每月召开",
        quote="每月召开",
        rule_key="governance.council_monthly",
        params={"per_month": 1},
    )
    neighbour = community_in(STREET + "002")
    for c in (community, neighbour):
        _finding(c, standard, today)
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    for day in (last_month, today.replace(day=1)):
        Meeting.objects.create(
            community=neighbour, kind="council", title="议事会", date=day, entitled=9, attended=7
        )
    sections = _sections(login(Role.STREET, STREET))
    (due,) = sections["governance.council"].items
    assert due.code == community.code and due.overdue and "上月未召开" in due.what


def test_disclosures_due_this_quarter_are_listed_by_category(login, community, today):
    _finding(community, Standard.objects.get(code="GD-09"), today)
    Disclosure.objects.create(
        community=community, category="party", title="党务", content="x", published_on=today
    )
    sections = _sections(login(Role.COMMITTEE, community.code))
    (due,) = sections["governance.disclosures"].items
    assert "党务公开" not in due.what and "财务公开" in due.what and "居务公开" in due.what
    assert due.due.month in (3, 6, 9, 12) and due.due >= today


def test_an_app_contributes_a_provider_of_its_own(login, community, today):
    @reminders.register("tests.elections", order=15)
    def elections(user, prefix, on):
        return reminders.Section(
            "tests.elections", "换届选举逾期", 1, [reminders.Due("应于年内换届", "某社区")]
        )

    try:
        sections = _sections(login(Role.COMMITTEE, community.code))
        assert sections["tests.elections"].items[0].what == "应于年内换届"
        # Sections come in the providers' order: between terms (10) and training (20).
        keys = [r.key for r in reminders.providers()]
        assert keys.index("committees.terms") < keys.index("tests.elections")
        assert keys.index("tests.elections") < keys.index("committees.training")
    finally:
        reminders._providers.pop("tests.elections")


def test_a_user_with_nothing_due_is_told_so(login, zhuhai):
    response = login(Role.STREET, STREET).get(reverse("supervision:todo"))
    assert response.context["sections"] == []
    assert "目前没有待办事项" in response.content.decode()


def test_a_user_with_several_jurisdictions_gets_them_merged(
    login, make_user, community, community_in, today
):
    from django.test import Client

    from core.models import Assignment

    user = make_user(Role.COMMITTEE, community.code)
    other = community_in(OTHER_STREET)
    Assignment.objects.create(user=user, role=Role.COMMITTEE, code=other.code)
    _member(community, "甲", today + datetime.timedelta(days=30))
    _member(other, "乙", today + datetime.timedelta(days=30))
    client = Client()
    client.force_login(user)
    terms = _sections(client)["committees.terms"]
    assert terms.count == 2 and {d.code for d in terms.items} == {community.code, other.code}


def test_the_page_costs_as_many_queries_for_much_as_for_little(
    login, community, street_user, today
):
    client = login(Role.STREET, STREET)
    issue(street_user, community, due=today)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("supervision:todo"))
        return len(ctx.captured_queries)

    before = queries()
    for i, c in enumerate(Community.objects.filter(code__startswith=STREET).order_by("code")[1:8]):
        issue(street_user, c, due=today)
        _member(c, f"人{i}", today + datetime.timedelta(days=10))
        services.dispute_raise(actor=street_user, community=c, standard=gd01(), reason="r")
    assert queries() == before


# --- the daily digest --------------------------------------------------------------------


@pytest.fixture
def recipients(make_user, community, street_user, today):
    street_user.email = "street@example.org"
    street_user.save()
    issue(street_user, community, due=today + datetime.timedelta(days=2))
    make_user(Role.STREET, OTHER_STREET, email="quiet@example.org")  # nothing due there
    make_user(Role.COMMITTEE, community.code)  # no address
    return street_user


def test_the_digest_mails_each_user_with_something_due(recipients, settings):
    settings.PORTAL_URL = "https://portal.example"
    call_command("send_reminders", stdout=StringIO())
    (message,) = mail.outbox
    assert message.to == ["street@example.org"]
    assert "待办" in message.subject
    assert "整改期限将到或已逾期" in message.body
    html = message.alternatives[0][0]
    assert "https://portal.example/c/" in html and "https://portal.example/todo/" in html


def test_the_digest_dry_run_sends_nothing_and_lists_who_would_get_it(recipients, capsys):
    out = StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    assert mail.outbox == []
    assert "street@example.org" in out.getvalue() and "quiet@example.org" not in out.getvalue()


def test_the_digest_can_run_for_one_user_and_another_date(recipients, today):
    call_command("send_reminders", "--user", "nobody", stdout=StringIO())
    assert mail.outbox == []
    later = (today + datetime.timedelta(days=400)).isoformat()
    call_command(
        "send_reminders", "--user", recipients.username, "--date", later, stdout=StringIO()
    )
    (message,) = mail.outbox
    assert later in message.subject
    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "2024-02-30", stdout=StringIO())


def test_the_digest_skips_inactive_users(recipients):
    recipients.is_active = False
    recipients.save()
    call_command("send_reminders", stdout=StringIO())
    assert mail.outbox == []
    assert Exemption.objects.count() == 0
