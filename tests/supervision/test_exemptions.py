"""Disputes and exemptions, and how exempted findings show in every rate and export."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from compliance import selectors as compliance
from compliance.engine import evaluate_communities
from compliance.selectors import Tally
from core.models import Role
from divisions.models import Community, Division
from supervision.models import Exemption
from tests.conftest import DISTRICT, OTHER_STREET, STREET
from tests.supervision.conftest import current, gd01, grant

pytestmark = pytest.mark.django_db


def _contest(client, community, reason="房屋无法扩建", standard="GD-01"):
    return client.post(
        reverse("supervision:dispute_create", args=[community.code]),
        {"standard": standard, "reason": reason},
    )


def _decide(client, dispute, **data):
    return client.post(reverse("supervision:dispute_decide", args=[dispute.code, dispute.pk]), data)


# --- the dispute -------------------------------------------------------------------------


def test_a_committee_contests_and_a_street_grants_an_exemption_until_a_date(
    login, community, today
):
    committee = login(Role.COMMITTEE, community.code, full_name="社区李主任")
    page = committee.get(reverse("supervision:dispute_create", args=[community.code]))
    assert [f.standard.code for f in page.context["findings"]] == ["GD-01"]
    assert _contest(committee, community).status_code == 302
    dispute = Exemption.objects.get()
    assert dispute.state == "pending" and dispute.status_at_request == "non_compliant"
    assert dispute.raised_by.full_name == "社区李主任"

    street = login(Role.STREET, STREET, full_name="街道王科长")
    expires = today + datetime.timedelta(days=180)
    response = _decide(
        street, dispute, decision="grant", reason="经核查属实", expires_on=expires.isoformat()
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == "granted" and dispute.expires_on == expires
    assert dispute.decided_by.full_name == "街道王科长" and dispute.decided_on == today
    assert dispute.is_active(today) and not dispute.is_active(expires + datetime.timedelta(1))


def test_a_dispute_can_be_rejected_and_then_raised_again(login, community):
    committee = login(Role.COMMITTEE, community.code)
    _contest(committee, community)
    dispute = Exemption.objects.get()
    street = login(Role.STREET, STREET)
    assert _decide(street, dispute, decision="reject", reason="硬性规定").status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == "rejected" and dispute.expires_on is None
    assert _contest(committee, community, reason="补充理由").status_code == 302
    assert Exemption.objects.filter(state="pending").count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"decision": "grant", "reason": "属实", "expires_on": ""},
            "expires_on",
            "须填写豁免截止日期",
        ),
        (
            {"decision": "grant", "reason": "", "expires_on": "2099-01-01"},
            "reason",
            "请填写裁定理由",
        ),
        (
            {"decision": "grant", "reason": " ", "expires_on": "2099-01-01"},
            "reason",
            "请填写裁定理由",
        ),
        (
            {"decision": "grant", "reason": "属实", "expires_on": "2020-01-01"},
            "expires_on",
            "不能早于今天",
        ),
        ({"decision": "reject", "reason": ""}, "reason", "请填写裁定理由"),
        ({"reason": "属实"}, "decision", "请选择"),
    ],
)
def test_an_exemption_without_reason_or_expiry_is_refused_and_nothing_is_saved(
    login, community, data, field, message
):
    _contest(login(Role.COMMITTEE, community.code), community)
    dispute = Exemption.objects.get()
    response = _decide(login(Role.STREET, STREET), dispute, **data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    dispute.refresh_from_db()
    assert dispute.state == "pending" and dispute.decided_on is None


def test_a_dispute_without_a_reason_is_refused(login, community):
    committee = login(Role.COMMITTEE, community.code)
    response = _contest(committee, community, reason="   ")
    assert "请填写申诉理由" in " ".join(response.context["form"].errors["reason"])
    response = _contest(committee, community, standard="N25-03")  # compliant: not offered
    assert response.context["form"].errors["standard"]
    assert not Exemption.objects.exists()


def test_a_finding_already_exempted_or_in_dispute_cannot_be_contested_again(
    login, community, street_user
):
    committee = login(Role.COMMITTEE, community.code)
    _contest(committee, community)
    assert _contest(committee, community).status_code == 200
    assert Exemption.objects.count() == 1
    neighbour = Community.objects.filter(code__startswith=STREET).order_by("code")[1]
    grant(street_user, neighbour)
    response = login(Role.COMMITTEE, neighbour.code).get(
        reverse("supervision:dispute_create", args=[neighbour.code])
    )
    assert response.context["findings"] == []


@pytest.mark.parametrize(
    ("role", "contest", "decide"),
    [
        (Role.COMMITTEE, 200, 403),
        (Role.STREET, 200, 200),
        (Role.BUREAU, 403, 200),
        (Role.VIEWER, 403, 403),
    ],
)
def test_who_may_contest_and_who_may_decide(login, community, role, contest, decide):
    _contest(login(Role.COMMITTEE, community.code), community)
    dispute = Exemption.objects.get()
    code = {Role.COMMITTEE: community.code, Role.BUREAU: DISTRICT}.get(role, STREET)
    client = login(role, code)
    url = reverse("supervision:dispute_create", args=[community.code])
    assert client.get(url).status_code == contest
    assert (
        client.get(reverse("supervision:dispute_decide", args=[community.code, dispute.pk]))
    ).status_code == decide
    if decide == 403:
        _decide(client, dispute, decision="grant", reason="x", expires_on="2099-01-01")
        dispute.refresh_from_db()
        assert dispute.state == "pending"


def test_a_street_cannot_decide_a_dispute_of_another_street(login, community):
    _contest(login(Role.COMMITTEE, community.code), community)
    dispute = Exemption.objects.get()
    other = login(Role.STREET, OTHER_STREET)
    response = _decide(other, dispute, decision="grant", reason="x", expires_on="2099-01-01")
    assert response.status_code == 404
    dispute.refresh_from_db()
    assert dispute.state == "pending"


# --- exempted in every rate and export --------------------------------------------------


def test_the_tally_counts_exempted_findings_apart_and_out_of_the_rate():
    tally = Tally(compliant=6, non_compliant=3, no_data=1)
    assert tally.rate == 0.6
    tally.exempt("non_compliant", 2)
    assert (tally.non_compliant, tally.exempted, tally.total) == (1, 2, 10)
    assert tally.rate == 6 / 8  # exempted: neither a pass nor a failure
    assert "exempted" in [segment[0] for segment in tally.segments]


def test_the_dashboard_shows_exempted_findings_with_the_count_and_not_as_compliant(
    login, community, street_user
):
    street = login(Role.STREET, STREET)
    url = reverse("division", args=[STREET])
    before = street.get(url).context["board"]
    grant(street_user, community)
    board = street.get(url).context["board"]
    assert board.tally.exempted == 1
    assert board.tally.compliant == before.tally.compliant
    assert board.tally.non_compliant == before.tally.non_compliant - 1
    assert board.tally.total == before.tally.total
    row = next(r for r in board.standards if r.standard.code == "GD-01")
    assert row.tally.exempted == 1
    assert board.children[community.code].exempted == 1
    assert community.code in [w["code"] for w in before.worst]
    assert community.code not in [w["code"] for w in board.worst]
    html = street.get(url).content.decode()
    assert "已豁免" in html and "不计入达标率" in html
    # The district above counts it too, under the street.
    district = login(Role.BUREAU, DISTRICT).get(reverse("division", args=[DISTRICT]))
    assert district.context["board"].children[STREET].exempted == 1


def test_an_expired_exemption_counts_again(login, community, street_user, today):
    exemption = grant(street_user, community)
    Exemption.objects.filter(pk=exemption.pk).update(
        decided_on=today - datetime.timedelta(days=30), expires_on=today - datetime.timedelta(1)
    )
    board = compliance.dashboard(STREET, 12)
    assert board.tally.exempted == 0


def test_a_compliant_finding_is_never_exempted(login, community, street_user, today):
    grant(street_user, community)
    community.households = 2400
    community.save()
    evaluate_communities(Community.objects.filter(pk=community.pk), today)
    assert current(community).status == "compliant"
    assert compliance.dashboard(STREET, 12).tally.exempted == 0


def test_the_community_tab_and_printed_reports_mark_the_exempted_finding_and_who_granted_it(
    login, community, street_user
):
    grant(street_user, community)
    street = login(Role.STREET, STREET)
    response = street.get(reverse("compliance:community", args=[community.code]))
    row = next(r for r in response.context["result"].rows if r.standard.code == "GD-01")
    assert row.status == "non_compliant" and row.exemption.granted_by == "街道王科长"
    assert response.context["result"].tally.exempted == 1
    html = response.content.decode()
    assert "已豁免" in html and "街道王科长 批准" in html
    report = street.get(reverse("compliance:community_report", args=[community.code]))
    assert "已豁免 1 项" in report.content.decode()
    division = street.get(reverse("compliance:division_report", args=[STREET]))
    assert "另有已豁免 1 项" in division.content.decode()
    marked = [f for f in division.context["page"] if f.exempted]
    assert [(f.code, f.standard.code) for f in marked] == [(community.code, "GD-01")]


def test_another_date_uses_the_exemptions_of_that_date(login, community, street_user, today):
    grant(street_user, community)
    street = login(Role.STREET, STREET)
    later = today + datetime.timedelta(days=400)  # after the exemption expired
    response = street.get(
        reverse("compliance:community", args=[community.code]), {"as_of": later.isoformat()}
    )
    assert response.context["result"].tally.exempted == 0


def test_the_matrix_export_marks_the_exempted_finding_and_lists_who_granted_it(
    login, community, street_user
):
    exemption = grant(street_user, community)
    street = login(Role.STREET, STREET)
    response = street.get(reverse("compliance:division_matrix", args=[STREET]))
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["合规矩阵", "标准说明", "豁免"]
    rows = list(book["合规矩阵"].iter_rows(values_only=True))
    column = rows[0].index("GD-01")
    line = next(r for r in rows if r[0] == community.code)
    assert line[column] == "未达标(已豁免:街道王科长)"
    others = [r[column] for r in rows[1:] if r[0] != community.code]
    assert set(others) == {"未达标"}
    (listed,) = list(book["豁免"].iter_rows(min_row=2, values_only=True))
    assert listed[:3] == (community.code, "GD-01", "街道王科长")
    assert listed[3].date() == exemption.expires_on


def test_the_exemptions_list_and_its_export_show_who_granted_each(login, community, street_user):
    grant(street_user, community)
    street = login(Role.STREET, STREET)
    page = street.get(
        reverse("supervision:division_exemptions", args=[STREET]), {"state": "active"}
    )
    assert [e.code for e in page.context["page"]] == [community.code]
    response = street.get(reverse("supervision:exemptions_export", args=[STREET]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == community.code and rows[1][7] == "街道王科长" and rows[1][11] == "是"


def test_the_comparison_pages_mark_exempted_findings(street_user, community):
    grant(street_user, community)
    found = compliance.findings_by_community([community.pk], "community.")
    (finding,) = [f for f in found[community.pk] if f.standard.code == "GD-01"]
    assert finding.exempted


def test_the_dashboard_costs_as_many_queries_with_exemptions_as_without(
    login, community, street_user, today
):
    street = login(Role.STREET, STREET)
    url = reverse("division", args=[DISTRICT])
    bureau = login(Role.BUREAU, DISTRICT)
    grant(street_user, community)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert bureau.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for other in Community.objects.filter(code__startswith=STREET).order_by("code")[1:6]:
        grant(street_user, other)
    division = Division.objects.get(code=STREET)
    Community.objects.bulk_create(
        Community(code=f"{STREET}{900 - i:03d}", name=f"新{i}", street=division, households=900)
        for i in range(30)
    )
    evaluate_communities(Community.objects.filter(code__startswith=STREET), today)
    assert queries() == before
    assert street.get(url).status_code == 404  # a street user has no district page


def test_the_exemptions_overlay_uses_the_standard_not_a_finding_row(community, street_user, today):
    """Findings are rewritten at each evaluation: the exemption survives it."""
    grant(street_user, community)
    evaluate_communities(Community.objects.filter(pk=community.pk), today)
    assert compliance.dashboard(STREET, 12).tally.exempted == 1
    assert Exemption.objects.get().standard == gd01()


def test_the_exemptions_list_costs_as_many_queries_for_many_as_for_few(
    login, community, street_user
):
    street = login(Role.STREET, STREET)
    url = reverse("supervision:division_exemptions", args=[STREET])
    grant(street_user, community)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert street.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for other in Community.objects.filter(code__startswith=STREET).order_by("code")[1:8]:
        grant(street_user, other)
    assert queries() == before
