"""Major matters through “四议两公开” (GD-07) in the browser: six steps, in order only."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.models import Finding, Status
from core.models import Role
from governance.models import Disclosure, MajorMatter, MatterStep, Meeting, Resolution
from tests.conftest import OTHER_STREET, STREET

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def meeting(community, kind: str, day: datetime.date, **extra) -> Meeting:
    return Meeting.objects.create(
        community=community,
        kind=kind,
        title=f"{kind} {day}",
        date=day,
        entitled=20,
        attended=15,
        **extra,
    )


def resolution(meeting_: Meeting, passed: bool = True) -> Resolution:
    votes = 12 if passed else 3
    return Resolution.objects.create(
        meeting=meeting_,
        title="同意加装电梯",
        present=meeting_.attended,
        votes_for=votes,
        votes_against=meeting_.attended - votes,
        passed=passed,
        rule="过半数",
    )


def notice(community, day: datetime.date, title: str = "决议公告") -> Disclosure:
    return Disclosure.objects.create(
        community=community, category="residents", title=title, content=title, published_on=day
    )


def post_step(client, matter: MajorMatter, step: str, **data):
    url = reverse("governance:matter", args=[matter.community.code, matter.pk])
    return client.post(url, {"step": step, **data})


def test_it_takes_a_matter_through_all_six_steps_in_order(street_client, community):
    response = street_client.post(
        reverse("governance:matter_create", args=[community.code]),
        {"title": "小区加装电梯", "description": "费用分摊方案"},
    )
    assert response.status_code == 302
    matter = MajorMatter.objects.get(community=community)
    joint = meeting(community, "joint_meeting", ago(50))
    party = meeting(community, "party_assembly", ago(40))
    assembly = meeting(community, "representatives_meeting", ago(30))
    decided = resolution(assembly)
    published, result = notice(community, ago(25)), notice(community, ago(5), "实施结果")

    for step, data in [
        ("proposal", {"date": ago(60).isoformat(), "note": "党支部提议"}),
        ("joint_meeting", {"meeting": joint.pk}),
        ("party_assembly", {"meeting": party.pk}),
        ("residents_resolution", {"resolution": decided.pk}),
        ("resolution_published", {"disclosure": published.pk}),
        ("result_published", {"disclosure": result.pk}),
    ]:
        response = post_step(street_client, matter, step, **data)
        assert response.status_code == 302, response.context["form"].errors

    steps = list(matter.steps.order_by("date").values_list("step", "date"))
    assert [s for s, _ in steps] == list(MatterStep.Step.values)
    assert dict(steps)["party_assembly"] == party.date  # the date comes from the meeting
    assert MatterStep.objects.get(step="residents_resolution").meeting == assembly
    page = street_client.get(reverse("governance:matter", args=[community.code, matter.pk]))
    assert "六个步骤已全部完成" in page.content.decode()
    assert page.context["form"] is None
    finding = Finding.objects.get(community=community, standard__code="GD-07", is_current=True)
    assert finding.status == Status.COMPLIANT


def test_it_refuses_a_step_out_of_order_and_saves_nothing(street_client, community):
    matter = MajorMatter.objects.create(community=community, title="改造广场")
    party = meeting(community, "party_assembly", ago(10))
    response = post_step(street_client, matter, "party_assembly", meeting=party.pk)
    assert response.status_code == 200
    assert "请按顺序办理:下一步应为“党组织提议”" in response.content.decode()
    assert not matter.steps.exists()


def test_it_refuses_a_meeting_earlier_than_the_previous_step(street_client, community):
    matter = MajorMatter.objects.create(community=community, title="改造广场")
    MatterStep.objects.create(matter=matter, step="proposal", date=ago(10))
    joint = meeting(community, "joint_meeting", ago(20))
    response = post_step(street_client, matter, "joint_meeting", meeting=joint.pk)
    assert response.status_code == 200
    assert "早于上一步骤的日期" in str(response.context["form"].errors["meeting"])
    assert matter.steps.count() == 1


def test_it_offers_only_meetings_of_the_right_body(street_client, community):
    matter = MajorMatter.objects.create(community=community, title="改造广场")
    MatterStep.objects.create(matter=matter, step="proposal", date=ago(30))
    wrong = meeting(community, "council", ago(20))
    response = post_step(street_client, matter, "joint_meeting", meeting=wrong.pk)
    assert response.status_code == 200
    assert "meeting" in response.context["form"].errors
    assert matter.steps.count() == 1


@pytest.mark.parametrize(
    ("step", "data", "field"),
    [
        ("proposal", {"date": ""}, "date"),
        ("proposal", {"date": (TODAY + datetime.timedelta(days=1)).isoformat()}, "date"),
        ("proposal", {"date": "2026-13-40"}, "date"),
    ],
)
def test_it_refuses_a_bad_proposal_date(street_client, community, step, data, field):
    matter = MajorMatter.objects.create(community=community, title="改造广场")
    response = post_step(street_client, matter, step, **data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not matter.steps.exists()


def test_it_closes_a_matter_whose_resolution_failed_once_that_is_published(
    street_client, community
):
    matter = MajorMatter.objects.create(community=community, title="改造广场")
    assembly = meeting(community, "residents_meeting", ago(20))
    failed = resolution(assembly, passed=False)
    for step, day, extra in [
        ("proposal", ago(40), {}),
        ("joint_meeting", ago(35), {"meeting": meeting(community, "joint_meeting", ago(35))}),
        ("party_assembly", ago(30), {"meeting": meeting(community, "party_assembly", ago(30))}),
        ("residents_resolution", ago(20), {"meeting": assembly, "resolution": failed}),
        ("resolution_published", ago(15), {"disclosure": notice(community, ago(15))}),
    ]:
        MatterStep.objects.create(matter=matter, step=step, date=day, **extra)
    response = post_step(street_client, matter, "result_published")
    assert "已全部完成" in response.content.decode()
    assert matter.steps.count() == 5


def test_it_shows_an_overdue_step_on_the_street_dashboard(street_client, community):
    matter = MajorMatter.objects.create(community=community, title="停车位分配")
    MatterStep.objects.create(matter=matter, step="proposal", date=ago(31))
    done = MajorMatter.objects.create(community=community, title="近期事项")
    MatterStep.objects.create(matter=done, step="proposal", date=ago(30))
    page = street_client.get(reverse("division", args=[STREET]))
    section = {s.key: s for s in page.context["reminders"]}["governance.matters"]
    matter_url = reverse("governance:matter", args=[community.code, matter.pk])
    assert section.count == 1 and [d.url for d in section.items] == [matter_url]
    assert "停车位分配" in page.content.decode()


def test_it_lets_committee_members_record_but_viewers_only_read(client, make_user, community):
    matter = MajorMatter.objects.create(community=community, title="改造广场")
    client.force_login(make_user(Role.VIEWER, STREET))
    url = reverse("governance:matter", args=[community.code, matter.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"step": "proposal", "date": ago(1).isoformat()}).status_code == 403
    assert not matter.steps.exists()


def test_it_hides_matters_outside_the_jurisdiction(street_client, community_in):
    outside = MajorMatter.objects.create(community=community_in(OTHER_STREET), title="外部事项")
    url = reverse("governance:matter", args=[outside.community.code, outside.pk])
    assert street_client.get(url).status_code == 404
    assert (
        street_client.post(url, {"step": "proposal", "date": ago(1).isoformat()}).status_code == 404
    )
    # Nor through a community of one's own with a foreign record id.
    mine = reverse("governance:matter", args=[community_in(STREET).code, outside.pk])
    assert street_client.get(mine).status_code == 404


def test_it_lists_matters_in_a_constant_number_of_queries(street_client, community):
    def add(n: int) -> None:
        for i in range(n):
            matter = MajorMatter.objects.create(community=community, title=f"事项{i}")
            MatterStep.objects.create(matter=matter, step="proposal", date=ago(i + 1))

    url = reverse("governance:matters", args=[community.code])
    add(1)
    with CaptureQueriesContext(connection) as one:
        assert street_client.get(url).status_code == 200
    add(15)
    with CaptureQueriesContext(connection) as many:
        assert street_client.get(url).status_code == 200
    assert len(many) == len(one)


def test_the_public_board_shows_a_matter_only_once_its_resolution_is_published(client, community):
    matter = MajorMatter.objects.create(community=community, title="小区加装电梯")
    MatterStep.objects.create(matter=matter, step="proposal", date=ago(20), note="内部提议说明")
    board = reverse("governance:public_board", args=[community.code])
    assert "小区加装电梯" not in client.get(board).content.decode()

    notice_ = notice(community, ago(3), "加装电梯决议公告")
    MatterStep.objects.create(
        matter=matter, step="resolution_published", date=ago(3), disclosure=notice_
    )
    html = client.get(board).content.decode()
    assert "小区加装电梯" in html and "加装电梯决议公告" in html
    assert "内部提议说明" not in html


def test_the_public_board_costs_the_same_queries_with_more_matters(client, community):
    board = reverse("governance:public_board", args=[community.code])

    def add(n: int) -> None:
        for i in range(n):
            matter = MajorMatter.objects.create(community=community, title=f"事项{i}")
            MatterStep.objects.create(
                matter=matter,
                step="resolution_published",
                date=ago(2),
                disclosure=notice(community, ago(2), f"公告{i}"),
            )

    add(1)
    with CaptureQueriesContext(connection) as one:
        client.get(board)
    add(10)
    with CaptureQueriesContext(connection) as many:
        client.get(board)
    assert len(many) == len(one)


def test_it_lists_a_waiting_step_among_the_user_s_reminders(make_user, community):
    from core.reminders import collect

    matter = MajorMatter.objects.create(community=community, title="停车位分配")
    MatterStep.objects.create(matter=matter, step="proposal", date=ago(31))
    sections = {s.key: s for s in collect(make_user(Role.STREET, STREET), TODAY)}
    section = sections["governance.matters"]
    assert section.count == 1
    assert section.items[0].overdue and "停车位分配" in section.items[0].what
    assert section.items[0].url == reverse("governance:matter", args=[community.code, matter.pk])


def test_it_lists_an_overdue_election_among_the_user_s_reminders(make_user, community):
    from core.reminders import collect
    from elections.models import Election

    Election.objects.create(
        community=community,
        term_number=7,
        election_day=datetime.date(2021, 3, 1),
        method="direct",
        seats_director=1,
        seats_deputy=0,
        seats_member=0,
        election_committee_members="王五",
        voter_list_published_on=datetime.date(2021, 2, 1),
        registered_voters=1000,
        ballots_issued=700,
        ballots_cast=690,
        ballots_valid=680,
        ballots_invalid=10,
        certified_on=datetime.date(2021, 3, 5),
        term_starts_on=datetime.date(2021, 3, 5),
        term_ends_on=ago(1),
    )
    sections = {s.key: s for s in collect(make_user(Role.STREET, STREET), TODAY)}
    section = sections["elections.elections"]
    assert section.count == 1 and section.items[0].code == community.code
    assert "第7届" in section.items[0].what
