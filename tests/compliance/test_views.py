"""The compliance pages: dashboard, community tab, reports, exports and local standards."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from compliance.catalog import STANDARDS
from compliance.engine import evaluate_communities
from compliance.models import Finding, PolicyDocument, Standard
from core.models import Role
from divisions.models import Community, Division
from tests.conftest import CITY, DISTRICT, OTHER_DISTRICT, STREET

# These tests exercise the engine with the community-size rule alone.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_households_rule")]


AS_OF = datetime.date(2025, 6, 30)


@pytest.fixture
def evaluated(zhuhai):
    # Households 1000 for all: N18-06 (100–700) and GD-01 (2000–3000) both fail; the first
    # community of the street has no households recorded.
    first = Community.objects.filter(code__startswith=STREET).order_by("code").first()
    Community.objects.filter(pk=first.pk).update(households=None)
    evaluate_communities(Community.objects.all(), AS_OF)
    return first


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_shows_rates_per_standard_and_the_worst_communities(
    client, make_user, evaluated
):
    client.force_login(make_user(Role.BUREAU, DISTRICT))
    response = client.get(reverse("division", args=[DISTRICT]))
    board = response.context["board"]
    codes = {row.standard.code for row in board.standards}
    assert codes == {"N18-06", "GD-01"}
    n = Community.objects.filter(code__startswith=DISTRICT).count()
    assert board.tally.total == 2 * n
    assert board.tally.no_data == 2  # the community without households, for both standards
    assert board.as_of == AS_OF
    assert board.worst and board.worst[0]["n"] == 2
    # Children (streets) carry their own tallies.
    assert board.children[STREET].no_data == 2
    assert "<svg" in response.content.decode()


def test_the_dashboard_is_the_home_page_of_a_street_user(client, make_user, evaluated):
    client.force_login(make_user(Role.STREET, STREET))
    response = client.get(reverse("home"))
    assert response.context["board"].tally.total > 0
    assert response.context["division"].code == STREET


def test_the_dashboard_never_counts_findings_outside_the_jurisdiction(client, make_user, evaluated):
    client.force_login(make_user(Role.BUREAU, OTHER_DISTRICT))
    board = client.get(reverse("division", args=[OTHER_DISTRICT])).context["board"]
    assert (
        board.tally.total == 2 * Community.objects.filter(code__startswith=OTHER_DISTRICT).count()
    )
    assert all(row["code"].startswith(OTHER_DISTRICT) for row in board.worst)


@pytest.mark.parametrize("code", [CITY, DISTRICT, STREET])
def test_the_dashboard_query_count_does_not_grow_with_the_communities(
    client, make_user, evaluated, code
):
    client.force_login(make_user(Role.BUREAU, CITY))
    url = reverse("division", args=[code])
    before = _queries(client, url)
    street = Division.objects.get(code=STREET)
    Community.objects.bulk_create(
        Community(code=f"{STREET}{900 - i:03d}", name=f"新{i}", street=street, households=800)
        for i in range(150)
    )
    evaluate_communities(Community.objects.all(), AS_OF)
    assert _queries(client, url) == before


def test_the_community_tab_lists_findings_with_citation_and_a_link_for_missing_data(
    client, make_user, evaluated
):
    client.force_login(make_user(Role.STREET, STREET))
    response = client.get(reverse("compliance:community", args=[evaluated.code]))
    html = response.content.decode()
    rows = response.context["result"].rows
    assert {r.standard.code for r in rows} == {"N18-06", "GD-01"}
    assert all(r.status == "no_data" for r in rows)
    assert reverse("committees:community_edit", args=[evaluated.code]) in html
    assert "一般在一百户至七百户的范围内设立" in html  # the quote of N18 第六条
    not_applicable = {a.standard.code: a.reason for a in response.context["result"].not_applicable}
    assert "在适用范围" in not_applicable["SD-03"]
    assert "起施行" in not_applicable["N25-03"]


def test_it_reads_a_later_date_from_the_stored_intervals(client, make_user, evaluated):
    client.force_login(make_user(Role.STREET, STREET))
    community = Community.objects.filter(code__startswith=STREET).order_by("code")[1]
    response = client.get(
        reverse("compliance:community", args=[community.code]), {"as_of": "2026-06-30"}
    )
    result = response.context["result"]
    assert not result.live
    assert result.as_of == datetime.date(2026, 6, 30)
    assert {r.standard.code for r in result.rows} == {"N18-06", "GD-01"}  # as last evaluated


def test_it_judges_live_a_date_before_any_stored_verdict(client, make_user, evaluated):
    client.force_login(make_user(Role.STREET, STREET))
    community = Community.objects.filter(code__startswith=STREET).order_by("code")[1]
    day = AS_OF - datetime.timedelta(days=1)
    response = client.get(
        reverse("compliance:community", args=[community.code]), {"as_of": day.isoformat()}
    )
    result = response.context["result"]
    assert result.live
    assert {r.standard.code for r in result.rows} == {"N18-06", "GD-01"}
    assert not Finding.objects.on(day).exists()


def test_the_community_tab_explains_a_date_that_is_not_a_date(client, make_user, evaluated):
    client.force_login(make_user(Role.STREET, STREET))
    response = client.get(
        reverse("compliance:community", args=[evaluated.code]), {"as_of": "2025-02-30"}
    )
    assert response.status_code == 200
    assert "有效日期" in " ".join(response.context["form"].errors["as_of"])
    assert not response.context["result"].live  # falls back to the stored findings


def test_saving_the_households_turns_the_finding_compliant(client, make_user, evaluated):
    client.force_login(make_user(Role.STREET, STREET))
    client.post(
        reverse("committees:community_edit", args=[evaluated.code]),
        {"name": evaluated.name, "kind": "urban", "households": "2400", "population": "6000"},
    )
    findings = {
        f.standard.code: f.status
        for f in Finding.objects.filter(community=evaluated, is_current=True).select_related(
            "standard"
        )
    }
    assert findings["GD-01"] == "compliant"
    assert "N25-03" in findings or "N18-06" in findings


def test_the_matrix_export_has_a_row_per_community_and_a_legend(client, make_user, evaluated):
    client.force_login(make_user(Role.STREET, STREET))
    response = client.get(reverse("compliance:division_matrix", args=[STREET]))
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["合规矩阵", "标准说明"]
    rows = list(book["合规矩阵"].iter_rows(values_only=True))
    assert rows[0][:2] == ("社区代码", "社区")
    assert set(rows[0][2:]) == {"N18-06", "GD-01"}
    assert len(rows) - 1 == Community.objects.filter(code__startswith=STREET).count()
    assert rows[1][2] in {"达标", "未达标", "缺少数据"}
    legend = list(book["标准说明"].iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in legend} == {"N18-06", "GD-01"}


def test_the_printable_reports_render(client, make_user, evaluated):
    client.force_login(make_user(Role.STREET, STREET))
    community = client.get(reverse("compliance:community_report", args=[evaluated.code]))
    assert "合规报告" in community.content.decode()
    street = client.get(reverse("compliance:division_report", args=[STREET]))
    assert (
        street.context["page"].paginator.count
        == Finding.objects.filter(
            code__startswith=STREET, status__in=["non_compliant", "no_data"]
        ).count()
    )


# The worker runs in this process and closes the connection between tasks (as a real worker
# does): on PostgreSQL that must not be the test's own transaction.
@pytest.mark.django_db(transaction=True)
def test_a_street_user_can_re_evaluate_the_street(client, make_user, zhuhai):
    client.force_login(make_user(Role.STREET, STREET))
    response = client.post(reverse("compliance:division_evaluate", args=[STREET]))
    assert response.status_code == 302
    # The request only queues the job (tests/jobs); a worker does the evaluation.
    from django.core.management import call_command

    assert not Finding.objects.exists()
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    n = Community.objects.filter(code__startswith=STREET).count()
    assert Finding.objects.filter(code__startswith=STREET, is_current=True).count() == 2 * n
    assert not Finding.objects.exclude(code__startswith=STREET).exists()


def test_the_standards_library_searches(client, make_user, zhuhai):
    client.force_login(make_user(Role.VIEWER, STREET))
    response = client.get(reverse("compliance:standard_list"), {"q": "七百户"})
    # The 1989 text and the 2018 amendment have the same words.
    assert [s.code for s in response.context["page"]] == ["N18-06", "N89-06"]
    by_document = client.get(reverse("compliance:standard_list"), {"document": "CZ"})
    assert all(s.document.key == "CZ" for s in by_document.context["page"])
    assert Standard.objects.count() == len(STANDARDS)


# --- local documents and standards ---------------------------------------------------


@pytest.fixture
def bureau(client, make_user, zhuhai):
    client.force_login(make_user(Role.BUREAU, DISTRICT))
    return client


def _document(client, **overrides):
    data = {
        "key": "XZ",
        "title": "香洲区社区规模规定",
        "issuer": "香洲区民政局",
        "effective_from": "2025-01-01",
        "status": "in_force",
        "scope_prefixes": DISTRICT,
        **overrides,
    }
    return client.post(reverse("compliance:document_create"), data)


def test_a_district_bureau_adds_a_local_standard_that_takes_precedence(bureau):
    assert _document(bureau).status_code == 302
    document = PolicyDocument.objects.get(key="XZ")
    assert document.scope_prefixes == [DISTRICT] and document.tier == "policy"
    response = bureau.post(
        reverse("compliance:standard_create"),
        {
            "code": "XZ-01",
            "document": document.pk,
            "article": "第三条",
            "title": "社区规模",
            "quote": "社区规模一般为1500户至2500户。",
            "rule_key": "community.households_range",
            "params": '{"min": 1500, "max": 2500}',
            "effective_from": "2025-01-01",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    standard = Standard.objects.get(code="XZ-01")
    assert standard.level == "community"
    community = Community.objects.filter(code__startswith=DISTRICT).first()
    evaluate_communities(Community.objects.filter(pk=community.pk), AS_OF)
    codes = set(
        Finding.objects.filter(community=community).values_list("standard__code", flat=True)
    )
    assert codes == {"N18-06", "XZ-01"}  # GD-01 is replaced; national law still binds


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"scope_prefixes": CITY}, "scope_prefixes", "不能超出您的辖区"),
        ({"scope_prefixes": "4404a"}, "scope_prefixes", "只能由数字组成"),
        ({"scope_prefixes": "44040"}, "scope_prefixes", "位"),
        ({"scope_prefixes": ""}, "scope_prefixes", ""),
        (
            {"effective_from": "2025-01-01", "effective_to": "2024-01-01"},
            "effective_to",
            "不能早于",
        ),
        ({"effective_from": "2025-02-30"}, "effective_from", ""),
        ({"title": ""}, "title", ""),
    ],
)
def test_a_bad_local_document_is_refused_with_a_chinese_message(bureau, overrides, field, message):
    response = _document(bureau, **overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors
    text = " ".join(errors.get(field, []) + errors.get("__all__", []))
    assert text and message in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert not PolicyDocument.objects.filter(key="XZ").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rule_key": "no.such.rule"}, "rule_key", ""),
        ({"params": '{"min": "abc"}'}, "params", "整数"),
        ({"params": '{"min": 3000, "max": 100}'}, "params", "不能大于"),
        ({"params": "{}"}, "params", "至少"),
        ({"params": '{"mni": 100}'}, "params", "未知参数"),
        ({"params": "not json"}, "params", "JSON"),
        ({"params": "[1, 2]"}, "params", "JSON 对象"),
        ({"effective_to": "2024-01-01"}, "effective_to", "不能早于"),
        ({"scope_prefixes": "440403"}, "scope_prefixes", "不能超出您的辖区"),
        ({"code": "坏 编号"}, "code", "字母"),
    ],
)
def test_a_bad_local_standard_is_refused_with_a_chinese_message(bureau, overrides, field, message):
    _document(bureau)
    document = PolicyDocument.objects.get(key="XZ")
    data = {
        "code": "XZ-01",
        "document": document.pk,
        "title": "社区规模",
        "quote": "……",
        "rule_key": "community.households_range",
        "params": '{"min": 1500, "max": 2500}',
        "effective_from": "2025-01-01",
        **overrides,
    }
    response = bureau.post(reverse("compliance:standard_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    text = " ".join(errors[field])
    assert message in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert not Standard.objects.filter(code="XZ-01").exists()


def test_a_bureau_cannot_attach_a_standard_to_a_provincial_document(bureau):
    gd = PolicyDocument.objects.get(key="GD")
    response = bureau.post(
        reverse("compliance:standard_create"),
        {
            "code": "XZ-02",
            "document": gd.pk,
            "title": "x",
            "quote": "x",
            "rule_key": "community.households_range",
            "params": '{"min": 1}',
        },
    )
    assert "document" in response.context["form"].errors
    assert not Standard.objects.filter(code="XZ-02").exists()


@pytest.mark.parametrize("role", [Role.STREET, Role.COMMITTEE, Role.VIEWER])
def test_only_bureaus_may_add_standards(client, make_user, zhuhai, role):
    code = STREET + "001" if role == Role.COMMITTEE else STREET
    client.force_login(make_user(role, code))
    assert client.get(reverse("compliance:standard_create")).status_code == 404
    assert client.get(reverse("compliance:document_create")).status_code == 404
