"""Rectification notices: from a failing finding to a fixed one, state by state."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.engine import evaluate_communities
from core.models import Role
from divisions.models import Community, Division
from supervision import selectors
from supervision.models import NoticeEvent, NoticeItem, RectificationNotice
from tests.conftest import DISTRICT, OTHER_STREET, STREET
from tests.supervision.conftest import current, issue

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
State = RectificationNotice.State


def _issue_url(code: str = STREET, **params) -> str:
    url = reverse("supervision:notice_issue", args=[code])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _queries(client, url: str) -> int:
    # Measured with cold caches: a dashboard's cached sections would hide what they cost.
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# --- issuing -----------------------------------------------------------------------------


def test_a_street_lists_every_community_failing_a_standard_and_issues_notices_to_many_at_once(
    login, community, today
):
    street = login(Role.STREET, STREET)
    page = street.get(_issue_url(standard="GD-01"))
    assert page.status_code == 200
    keys = [c.key for c in page.context["candidates"]]
    n = Community.objects.filter(code__startswith=STREET).count()
    assert len(keys) == n and all(k.endswith(":GD-01") for k in keys)
    chosen = keys[:3]
    response = street.post(
        _issue_url(standard="GD-01"),
        {
            "selected": chosen,
            "due_on": (today + datetime.timedelta(days=30)).isoformat(),
            "instructions": "请按 GD-01 调整社区规模或说明理由。",
        },
    )
    assert response.status_code == 302
    notices = RectificationNotice.objects.order_by("code")
    assert [n.code for n in notices] == [k.split(":")[0] for k in chosen]
    assert all(n.state == State.ISSUED and n.issued_on == today for n in notices)
    item = NoticeItem.objects.select_related("standard").get(notice=notices[0])
    assert item.standard.code == "GD-01" and item.status_at_issue == "non_compliant"
    assert item.measured_at_issue == current(community).measured
    assert NoticeEvent.objects.filter(kind="issued").count() == 3


def test_one_community_gets_one_notice_for_all_its_selected_findings(
    login, community, street_user, today
):
    street = login(Role.STREET, STREET)
    # Households missing: N25-03 and GD-01 both lack data for this community.
    community.households = None
    community.save()
    evaluate_communities(Community.objects.filter(pk=community.pk), today)
    response = street.post(
        _issue_url(status="no_data", community=community.code),
        {
            "selected": [f"{community.code}:GD-01", f"{community.code}:N25-03"],
            "due_on": today.isoformat(),
            "instructions": "请填报常住户数。",
        },
    )
    assert response.status_code == 302
    notice = RectificationNotice.objects.get()
    assert sorted(notice.items.values_list("standard__code", flat=True)) == ["GD-01", "N25-03"]


@pytest.mark.parametrize(
    ("due_on", "instructions", "field", "message"),
    [
        ("2020-01-01", "整改", "due_on", "整改期限不能早于今天"),
        ("", "整改", "due_on", "请填写整改期限"),
        ("2024-02-30", "整改", "due_on", "有效日期"),
        ("TODAY", "   ", "instructions", "请填写整改要求"),
    ],
)
def test_it_refuses_a_past_due_date_or_missing_instructions_and_saves_nothing(
    login, community, today, due_on, instructions, field, message
):
    street = login(Role.STREET, STREET)
    response = street.post(
        _issue_url(),
        {
            "selected": [f"{community.code}:GD-01"],
            "due_on": today.isoformat() if due_on == "TODAY" else due_on,
            "instructions": instructions,
        },
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not RectificationNotice.objects.exists()


def test_it_refuses_an_empty_selection_and_a_finding_from_another_street(
    login, community, community_in, today
):
    street = login(Role.STREET, STREET)
    data = {"due_on": today.isoformat(), "instructions": "整改"}
    response = street.post(_issue_url(), data)
    assert "请至少勾选" in " ".join(response.context["form"].errors["selected"])
    outside = community_in(OTHER_STREET)
    response = street.post(_issue_url(), {**data, "selected": [f"{outside.code}:GD-01"]})
    assert response.status_code == 200
    assert response.context["form"].errors["selected"]
    assert not RectificationNotice.objects.exists()


def test_a_finding_with_an_unfinished_notice_cannot_be_selected_again(
    login, community, street_user, today
):
    issue(street_user, community)
    street = login(Role.STREET, STREET)
    page = street.get(_issue_url(community=community.code))
    (candidate,) = page.context["candidates"]
    assert candidate.open_notice and not candidate.selectable
    response = street.post(
        _issue_url(),
        {
            "selected": [f"{community.code}:GD-01"],
            "due_on": today.isoformat(),
            "instructions": "再次整改",
        },
    )
    assert response.status_code == 200
    assert RectificationNotice.objects.count() == 1


def test_exempted_findings_are_not_offered_for_a_notice(login, community, street_user):
    from tests.supervision.conftest import grant

    grant(street_user, community)
    page = login(Role.STREET, STREET).get(_issue_url(community=community.code))
    assert page.context["candidates"] == []


# --- responding, returning, accepting ----------------------------------------------------


def test_a_notice_goes_issued_responded_returned_responded_accepted(
    login, community, street_user, today
):
    notice = issue(street_user, community)
    committee = login(Role.COMMITTEE, community.code)
    street = login(Role.STREET, STREET)

    # The committee sees it on its home page.
    home = committee.get(reverse("home"))
    assert "整改通知" in home.content.decode()
    assert reverse("supervision:notice", args=[community.code, notice.pk]) in home.content.decode()

    respond = reverse("supervision:notice_respond", args=[community.code, notice.pk])
    review = reverse("supervision:notice_review", args=[community.code, notice.pk])
    meetings = reverse("governance:meetings", args=[community.code])
    response = committee.post(respond, {"text": "已召开会议研究", "evidence_link": meetings})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == State.RESPONDED

    # Returned with a reason…
    response = street.post(review, {"decision": "return", "comment": "请补充会议纪要"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == State.RETURNED and notice.closed_on is None

    # …responded again, with a photo…
    photo = SimpleUploadedFile("公开栏.png", PNG, content_type="image/png")
    response = committee.post(
        respond, {"text": "已补充纪要并张贴公开", "attachment": photo}, format="multipart"
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == State.RESPONDED

    # …and accepted: closed.
    response = street.post(review, {"decision": "accept", "comment": ""})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == State.ACCEPTED and notice.closed_on == today
    kinds = list(notice.events.values_list("kind", flat=True))
    assert kinds == ["issued", "responded", "returned", "responded", "accepted"]
    detail = street.get(reverse("supervision:notice", args=[community.code, notice.pk]))
    html = detail.content.decode()
    assert "请补充会议纪要" in html and "公开栏.png" in html and meetings in html


def test_a_response_without_evidence_is_refused_and_nothing_changes(login, community, street_user):
    notice = issue(street_user, community)
    committee = login(Role.COMMITTEE, community.code)
    respond = reverse("supervision:notice_respond", args=[community.code, notice.pk])
    response = committee.post(respond, {"text": "已整改"})
    assert response.status_code == 200
    assert "请至少提供一项佐证" in " ".join(response.context["form"].errors["evidence_link"])
    response = committee.post(respond, {"text": "", "evidence_note": "见公开栏"})
    assert "请说明整改情况" in " ".join(response.context["form"].errors["text"])
    notice.refresh_from_db()
    assert notice.state == State.ISSUED
    assert notice.events.count() == 1


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("javascript:alert(1)", "本平台"),
        ("https://evil.example/phish", "本平台没有这个页面"),
        ("//evil.example/x", "本平台没有这个页面"),
        ("c/relative/", "页面地址"),
        ("/\\evil.example/", "页面地址"),
        ("/no/such/page/", "本平台没有这个页面"),
    ],
)
def test_an_evidence_link_must_be_a_page_of_the_portal(
    login, community, street_user, link, message
):
    notice = issue(street_user, community)
    committee = login(Role.COMMITTEE, community.code)
    respond = reverse("supervision:notice_respond", args=[community.code, notice.pk])
    response = committee.post(respond, {"text": "已整改", "evidence_link": link})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["evidence_link"])


def test_a_full_url_of_the_portal_is_kept_as_its_path(login, community, street_user):
    notice = issue(street_user, community)
    committee = login(Role.COMMITTEE, community.code)
    respond = reverse("supervision:notice_respond", args=[community.code, notice.pk])
    link = f"http://127.0.0.1:8000/c/{community.code}/meetings/?page=2"
    assert committee.post(respond, {"text": "已整改", "evidence_link": link}).status_code == 302
    event = notice.events.get(kind="responded")
    assert event.evidence_link == f"/c/{community.code}/meetings/?page=2"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("fake.png", b"<html><script>alert(1)</script>", "文件内容与扩展名"),
        ("empty.pdf", b"", "文件"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "文件过大"),
    ],
)
def test_an_attachment_must_be_a_small_photo_pdf_or_office_file(
    login, community, street_user, name, content, message
):
    notice = issue(street_user, community)
    committee = login(Role.COMMITTEE, community.code)
    respond = reverse("supervision:notice_respond", args=[community.code, notice.pk])
    upload = SimpleUploadedFile(name, content)
    response = committee.post(respond, {"text": "已整改", "attachment": upload})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["attachment"])
    assert not notice.events.filter(kind="responded").exists()


def test_an_attachment_is_served_inside_the_jurisdiction_only(
    login, community, community_in, street_user
):
    notice = issue(street_user, community)
    committee = login(Role.COMMITTEE, community.code)
    respond = reverse("supervision:notice_respond", args=[community.code, notice.pk])
    upload = SimpleUploadedFile("照片.png", PNG, content_type="image/png")
    committee.post(respond, {"text": "已整改", "attachment": upload})
    event = notice.events.get(kind="responded")
    url = reverse("supervision:notice_file", args=[community.code, event.pk])
    response = login(Role.STREET, STREET).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert "attachment" in response["Content-Disposition"]
    assert login(Role.STREET, OTHER_STREET).get(url).status_code == 404
    neighbour = community_in(STREET + "002")
    assert login(Role.COMMITTEE, neighbour.code).get(url).status_code == 404


def test_review_and_respond_pages_say_when_the_state_does_not_allow_the_step(
    login, community, street_user
):
    notice = issue(street_user, community)
    street = login(Role.STREET, STREET)
    review = reverse("supervision:notice_review", args=[community.code, notice.pk])
    page = street.get(review)
    assert page.status_code == 200 and not page.context["allowed"]
    response = street.post(review, {"decision": "accept"})
    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.state == State.ISSUED


def test_returning_without_a_reason_is_refused(login, community, street_user):
    notice = issue(street_user, community)
    committee = login(Role.COMMITTEE, community.code)
    committee.post(
        reverse("supervision:notice_respond", args=[community.code, notice.pk]),
        {"text": "已整改", "evidence_note": "见公开栏"},
    )
    street = login(Role.STREET, STREET)
    review = reverse("supervision:notice_review", args=[community.code, notice.pk])
    response = street.post(review, {"decision": "return", "comment": "  "})
    assert "退回时请说明理由" in " ".join(response.context["form"].errors["comment"])
    notice.refresh_from_db()
    assert notice.state == State.RESPONDED


# --- overdue and fixed -------------------------------------------------------------------


def test_an_overdue_notice_is_listed_on_the_street_dashboard(login, community, street_user, today):
    notice = issue(street_user, community)
    RectificationNotice.objects.filter(pk=notice.pk).update(
        issued_on=today - datetime.timedelta(days=40), due_on=today - datetime.timedelta(days=1)
    )
    street = login(Role.STREET, STREET)
    html = street.get(reverse("division", args=[STREET])).content.decode()
    assert "逾期未整改" in html
    assert reverse("supervision:notice", args=[community.code, notice.pk]) in html
    listed = street.get(
        reverse("supervision:division_notices", args=[STREET]), {"state": "overdue"}
    )
    assert [n.pk for n in listed.context["page"]] == [notice.pk]
    assert listed.context["counts"].overdue == 1
    # Once responded, it waits for the street and is no longer overdue for the committee.
    notice.refresh_from_db()
    assert notice.is_overdue(today)


def test_the_notice_says_when_the_finding_has_turned_compliant(login, community, street_user):
    notice = issue(street_user, community)
    street = login(Role.STREET, STREET)
    url = reverse("supervision:notice", args=[community.code, notice.pk])
    assert "当前评估已达标" not in street.get(url).content.decode()
    street.post(
        reverse("committees:community_edit", args=[community.code]),
        {"name": community.name, "kind": "urban", "households": "2400", "population": "6000"},
    )
    assert current(community).status == "compliant"
    response = street.get(url)
    assert response.context["notice"].all_fixed
    assert "当前评估已达标" in response.content.decode()
    assert "在最新评估中均已达标" in response.content.decode()


# --- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "code", "status"),
    [
        (Role.STREET, STREET, 200),
        (Role.BUREAU, DISTRICT, 200),
        (Role.VIEWER, STREET, 403),
        (Role.STREET, OTHER_STREET, 404),
    ],
)
def test_only_streets_and_bureaus_issue_and_only_inside_their_jurisdiction(
    login, community, role, code, status
):
    assert login(role, code).get(_issue_url()).status_code == status


def test_a_committee_member_cannot_issue_even_for_its_own_community(login, community):
    committee = login(Role.COMMITTEE, community.code)
    assert committee.get(_issue_url()).status_code == 404


@pytest.mark.parametrize(
    ("role", "respond", "review"),
    [
        (Role.COMMITTEE, 200, 403),
        (Role.STREET, 200, 200),
        (Role.BUREAU, 403, 200),
        (Role.VIEWER, 403, 403),
    ],
)
def test_who_may_respond_and_who_may_review(login, community, street_user, role, respond, review):
    notice = issue(street_user, community)
    code = {Role.COMMITTEE: community.code, Role.BUREAU: DISTRICT}.get(role, STREET)
    client = login(role, code)
    args = [community.code, notice.pk]
    assert client.get(reverse("supervision:notice_respond", args=args)).status_code == respond
    assert client.get(reverse("supervision:notice_review", args=args)).status_code == review
    if review == 403:
        response = client.post(
            reverse("supervision:notice_review", args=args), {"decision": "accept"}
        )
        assert response.status_code == 403


def test_a_notice_of_another_community_is_a_404_even_through_ones_own_code(
    login, community, community_in, street_user
):
    neighbour = community_in(STREET + "002")
    notice = issue(street_user, neighbour)
    committee = login(Role.COMMITTEE, community.code)
    for name in ("supervision:notice", "supervision:notice_respond"):
        assert committee.get(reverse(name, args=[community.code, notice.pk])).status_code == 404
        assert committee.get(reverse(name, args=[neighbour.code, notice.pk])).status_code == 404


# --- lists -------------------------------------------------------------------------------


def test_the_division_list_filters_by_state_and_exports(login, community, street_user, today):
    from io import BytesIO

    from openpyxl import load_workbook

    notice = issue(street_user, community)
    street = login(Role.STREET, STREET)
    url = reverse("supervision:division_notices", args=[STREET])
    assert [n.pk for n in street.get(url, {"state": "open"}).context["page"]] == [notice.pk]
    assert list(street.get(url, {"state": "accepted"}).context["page"]) == []
    response = street.get(reverse("supervision:notices_export", args=[STREET]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == community.code and rows[1][2] == "待整改"
    assert rows[1][9] == "GD-01:未达标"


def test_a_district_sees_the_notices_of_all_its_streets(login, community, street_user):
    issue(street_user, community)
    bureau = login(Role.BUREAU, DISTRICT)
    page = bureau.get(reverse("supervision:division_notices", args=[DISTRICT]))
    assert page.context["page"].paginator.count == 1
    other = login(Role.STREET, OTHER_STREET)
    page = other.get(reverse("supervision:division_notices", args=[OTHER_STREET]))
    assert page.context["page"].paginator.count == 0


def _many_notices(street_user, n: int, offset: int = 0) -> None:
    for community in Community.objects.filter(code__startswith=STREET).order_by("code")[
        offset : offset + n
    ]:
        issue(street_user, community)


@pytest.mark.parametrize(
    "url",
    [
        reverse("supervision:division_notices", args=[STREET]),
        reverse("division", args=[STREET]),
        _issue_url(),
        reverse("supervision:todo"),
    ],
)
def test_list_pages_cost_as_many_queries_for_many_notices_as_for_few(
    login, community, street_user, url
):
    street = login(Role.STREET, STREET)
    _many_notices(street_user, 2)
    before = _queries(street, url)
    _many_notices(street_user, 8, offset=2)
    street_division = Division.objects.get(code=STREET)
    Community.objects.bulk_create(
        Community(code=f"{STREET}{900 - i:03d}", name=f"新{i}", street=street_division)
        for i in range(20)
    )
    assert _queries(street, url) == before


def test_the_community_tab_costs_as_many_queries_for_many_notices_as_for_few(
    login, community, street_user
):
    street = login(Role.STREET, STREET)
    url = reverse("supervision:community", args=[community.code])
    notice = issue(street_user, community)
    before = _queries(street, url)
    RectificationNotice.objects.filter(pk=notice.pk).update(
        state="accepted", closed_on=notice.due_on
    )
    for _ in range(5):
        closed = issue(street_user, community)
        RectificationNotice.objects.filter(pk=closed.pk).update(
            state="accepted", closed_on=closed.due_on
        )
    assert _queries(street, url) == before


def test_with_progress_reads_the_current_status_of_every_item_in_one_query(community, street_user):
    issue(street_user, community)
    notices = selectors.with_progress(RectificationNotice.objects.all())
    with CaptureQueriesContext(connection) as ctx:
        (notice,) = list(notices)
        assert notice.n_items == 1 and notice.n_fixed == 0
    assert len(ctx.captured_queries) == 2
