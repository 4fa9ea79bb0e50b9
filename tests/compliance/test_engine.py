"""The compliance engine against the real catalogue and the real Zhuhai slice.

Every test database holds the whole catalogue (11 documents, 73 standards, loaded by migration
portal/0003); ``zhuhai`` adds 213 Zhuhai communities with 1,000 households each.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.test.utils import CaptureQueriesContext

from compliance.engine import (
    Resolver,
    applicability,
    applicable_standards,
    evaluate_communities,
    evaluate_jurisdictions,
    load_candidates,
    reevaluate_community,
)
from compliance.models import Finding, JurisdictionFinding, PolicyDocument, Standard, Status
from compliance.rules import JurisdictionRule, Rule, ShareTargetsParams, judge_share, registry
from compliance.validation import validate_standard
from demo.committees import ZHUHAI_DIR
from divisions.imports import import_divisions
from divisions.models import Community, Division
from tests.conftest import CITY, DISTRICT, OTHER_DISTRICT, OTHER_STREET, STREET

# These tests exercise the engine with the community-size rule alone.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_households_rule")]


BEFORE_N25 = datetime.date(2025, 6, 30)
AFTER_N25 = datetime.date(2026, 6, 30)
HOUSEHOLDS = "community.households_range"
ANHUI_CHIZHOU_CODE = "341702001001"


def make_document(key: str, scope: list[str], **extra) -> PolicyDocument:
    fields = {
        "title": f"测试文件 {key}",
        "effective_from": datetime.date(2020, 1, 1),
        "status": PolicyDocument.Status.IN_FORCE,
        "tier": PolicyDocument.Tier.POLICY,
        **extra,
    }
    return PolicyDocument.objects.create(key=key, scope_prefixes=scope, **fields)


def make_standard(code: str, document: PolicyDocument, **extra) -> Standard:
    """Saved directly, like a bad row in the database: no validation on purpose."""
    fields = {
        "title": f"测试条款 {code}",
        "quote": "社区规模一般为……",
        "rule_key": HOUSEHOLDS,
        "params": {"min": 1500, "max": 2500},
        "level": Standard.Level.COMMUNITY,
        **extra,
    }
    return Standard.objects.create(code=code, document=document, **fields)


def applicable(code: str, as_of: datetime.date) -> set[str]:
    """Through the engine's public answer, as the other apps ask it."""
    found = applicable_standards(code, as_of)
    return {c.standard.code for candidates in found.values() for c in candidates}


def reasons(code: str, as_of: datetime.date, level: str = Standard.Level.COMMUNITY) -> dict:
    return {
        a.standard.code: a.reason for a in applicability(code, as_of, level=level) if not a.applies
    }


def finding_codes(community: Community, as_of: datetime.date) -> set[str]:
    return set(
        Finding.objects.on(as_of)
        .filter(community=community)
        .values_list("standard__code", flat=True)
    )


def statuses(as_of: datetime.date, codes: Iterable[str] | None = None) -> dict:
    rows = Finding.objects.on(as_of)
    if codes is not None:
        rows = rows.filter(code__in=list(codes))
    return {(f.code, f.standard.code): f.status for f in rows.select_related("standard")}


# --- the required example: which national and provincial bands a Zhuhai community meets ---


def test_it_holds_a_zhuhai_community_in_mid_2025_to_n18_06_and_gd_01(community_in):
    community = community_in(CITY)
    assert community.code.startswith("4404")
    held = applicable(community.code, BEFORE_N25)
    assert {"N18-06", "GD-01"} <= held
    assert not {"N25-03", "SD-03"} & held
    # Only the households rule is implemented so far: nothing else can apply.
    assert held == {"N18-06", "GD-01"}


def test_it_holds_a_zhuhai_community_in_mid_2026_to_n25_03_and_gd_01(community_in):
    community = community_in(CITY)
    held = applicable(community.code, AFTER_N25)
    assert held == {"N25-03", "GD-01"}
    assert "N18-06" not in held


def test_it_switches_national_law_on_new_years_day_2026(community_in):
    code = community_in(CITY).code
    assert applicable(code, datetime.date(2025, 12, 31)) == {"N18-06", "GD-01"}
    assert applicable(code, datetime.date(2026, 1, 1)) == {"N25-03", "GD-01"}


def test_it_materializes_one_finding_per_applicable_standard(community_in):
    community = community_in(CITY)
    zhuhai = Community.objects.filter(code__startswith=CITY)
    assert zhuhai.count() == 213

    assert evaluate_communities(zhuhai, BEFORE_N25) == 213 * 2
    assert finding_codes(community, BEFORE_N25) == {"N18-06", "GD-01"}
    found = statuses(BEFORE_N25, [community.code])
    # 1,000 households: above N18's 700 and below Guangdong's 2,000.
    assert found == {
        (community.code, "N18-06"): Status.NON_COMPLIANT,
        (community.code, "GD-01"): Status.NON_COMPLIANT,
    }

    assert evaluate_communities(zhuhai, AFTER_N25) == 213 * 2
    assert finding_codes(community, AFTER_N25) == {"N25-03", "GD-01"}
    found = statuses(AFTER_N25, [community.code])
    # 1,000 is N25's lower bound, included (以上).
    assert found[(community.code, "N25-03")] == Status.COMPLIANT
    assert found[(community.code, "GD-01")] == Status.NON_COMPLIANT


def test_it_keeps_what_was_measured_and_expected_on_a_finding(community_in):
    community = community_in(STREET)
    Community.objects.filter(pk=community.pk).update(households=None)
    evaluate_communities(Community.objects.filter(pk=community.pk), BEFORE_N25)
    finding = Finding.objects.get(community=community, standard__code="GD-01")
    assert finding.code == community.code
    assert finding.status == Status.NO_DATA
    assert finding.missing == "community.households"
    assert finding.expected == "2,000–3,000 户"
    assert finding.is_current


def test_it_says_a_finding_on_a_default_standard_is_a_default(community_in):
    community = community_in(STREET)
    assert Standard.objects.get(code="N18-06").is_default
    evaluate_communities(Community.objects.filter(pk=community.pk), BEFORE_N25)
    finding = Finding.objects.get(community=community, standard__code="N18-06")
    assert finding.status == Status.NON_COMPLIANT
    assert "一般" in finding.explanation


# --- why a standard does not apply --------------------------------------------------------


def test_it_says_why_each_standard_does_not_apply(community_in):
    code = community_in(CITY).code
    before, after = reasons(code, BEFORE_N25), reasons(code, AFTER_N25)
    assert before["SD-03"] == "不在适用范围内(适用于 37)。"
    assert before["BY-01"] == "不在适用范围内(适用于 6204)。"
    assert before["N25-03"] == "自 2026-01-01 起施行。"
    assert after["N18-06"] == "已于 2025-12-31 失效。"
    assert before["N18-07a"] == "该条款的检查规则尚未实现。"
    assert before["N18-13"] == "说明性条款,不作检查。"
    assert before["N18-14"] == "说明性条款,不作检查。"
    # Every community-level standard is accounted for, applicable or not.
    listed = Resolver(load_candidates(BEFORE_N25)).resolve(code)
    assert len(listed) == Standard.objects.filter(level=Standard.Level.COMMUNITY).count()


def test_it_never_applies_the_chizhou_draft_even_inside_chizhou(db):
    cz = PolicyDocument.objects.get(key="CZ")
    assert cz.status == PolicyDocument.Status.DRAFT
    # A draft standard on an implemented rule, so that only the draft status can stop it.
    make_standard("CZ-test", cz, params={"min": 500, "max": 3000})
    for as_of in (datetime.date(2020, 7, 3), BEFORE_N25, AFTER_N25):
        why = reasons(ANHUI_CHIZHOU_CODE, as_of)
        for code in ("CZ-02", "CZ-05a", "CZ-05b", "CZ-10", "CZ-test"):
            assert why[code] == "征求意见稿,尚未施行。", (code, as_of)
        assert not any(c.startswith("CZ") for c in applicable(ANHUI_CHIZHOU_CODE, as_of))


def test_it_does_not_evaluate_a_draft_for_a_chizhou_community(db):
    province = Division.objects.create(code="34", name="安徽省", level=1)
    city = Division.objects.create(code="3417", name="池州市", level=2, parent=province)
    district = Division.objects.create(code="341702", name="贵池区", level=3, parent=city)
    street = Division.objects.create(code="341702001", name="池阳街道", level=4, parent=district)
    community = Community.objects.create(
        code=ANHUI_CHIZHOU_CODE, name="测试社区", street=street, households=800
    )
    make_standard("CZ-test", PolicyDocument.objects.get(key="CZ"))
    evaluate_communities(Community.objects.filter(pk=community.pk), BEFORE_N25)
    assert finding_codes(community, BEFORE_N25) == {"N18-06"}


# --- precedence -----------------------------------------------------------------------------


@pytest.fixture
def xiangzhou(zhuhai) -> PolicyDocument:
    """A Xiangzhou district policy replacing Guangdong's household band with its own."""
    document = make_document("XZ", [DISTRICT])
    make_standard("XZ-01", document, params={"min": 1500, "max": 2500})
    return document


def test_it_lets_a_district_policy_replace_the_provincial_band_but_not_national_law(
    xiangzhou, community_in
):
    code = community_in(DISTRICT).code
    assert applicable(code, BEFORE_N25) == {"N18-06", "XZ-01"}
    assert reasons(code, BEFORE_N25)["GD-01"] == "已被更具体或更新的标准 XZ-01 取代。"
    assert applicable(code, AFTER_N25) == {"N25-03", "XZ-01"}


def test_it_gives_other_apps_the_applicable_standards_by_rule_key(xiangzhou, community_in):
    community = community_in(DISTRICT)
    found = applicable_standards(community, BEFORE_N25)
    assert list(found) == [HOUSEHOLDS]
    law, local = found[HOUSEHOLDS]  # sorted by code
    assert (law.standard.code, local.standard.code) == ("N18-06", "XZ-01")
    assert local.params == {"min": 1500, "max": 2500}  # checked by the rule's form
    assert local.judge(1000, as_of=BEFORE_N25).status == Status.NON_COMPLIANT
    assert local.judge(2000, as_of=BEFORE_N25).status == Status.COMPLIANT
    by_code = applicable_standards(community.code, BEFORE_N25, [HOUSEHOLDS])
    assert [c.standard.code for c in by_code[HOUSEHOLDS]] == ["N18-06", "XZ-01"]


def test_it_reads_only_the_rule_keys_asked_for_in_one_query(xiangzhou, community_in):
    code = community_in(DISTRICT).code
    with CaptureQueriesContext(connection) as ctx:
        found = applicable_standards(code, BEFORE_N25, ["election.turnout", HOUSEHOLDS])
    assert len(ctx.captured_queries) == 1
    assert list(found) == [HOUSEHOLDS]  # the election rule is not registered in these tests
    assert "rule_key" in ctx.captured_queries[0]["sql"]


def test_it_keeps_the_provincial_band_in_the_neighbouring_district(xiangzhou, community_in):
    code = community_in(OTHER_DISTRICT).code
    assert applicable(code, BEFORE_N25) == {"N18-06", "GD-01"}
    assert reasons(code, BEFORE_N25)["XZ-01"] == "不在适用范围内(适用于 440402)。"


def test_it_judges_findings_against_the_district_band(xiangzhou, community_in):
    inside, outside = community_in(DISTRICT), community_in(OTHER_DISTRICT)
    Community.objects.filter(pk__in=[inside.pk, outside.pk]).update(households=1800)
    evaluate_communities(Community.objects.filter(code__startswith=CITY), BEFORE_N25)
    assert finding_codes(inside, BEFORE_N25) == {"N18-06", "XZ-01"}
    assert finding_codes(outside, BEFORE_N25) == {"N18-06", "GD-01"}
    found = statuses(BEFORE_N25, [inside.code, outside.code])
    assert found[(inside.code, "XZ-01")] == Status.COMPLIANT
    assert found[(outside.code, "GD-01")] == Status.NON_COMPLIANT
    assert found[(inside.code, "N18-06")] == Status.NON_COMPLIANT
    xiangzhou_count = Community.objects.filter(code__startswith=DISTRICT).count()
    assert Finding.objects.filter(standard__code="XZ-01").count() == xiangzhou_count
    assert not Finding.objects.filter(standard__code="GD-01", code__startswith=DISTRICT).exists()


def test_it_prefers_the_later_of_two_district_standards(xiangzhou, community_in):
    code = community_in(DISTRICT).code
    newer = make_document("XZ2", [DISTRICT], effective_from=datetime.date(2024, 1, 1))
    make_standard("XZ2-01", newer, params={"min": 1200, "max": 2800})
    assert applicable(code, BEFORE_N25) == {"N18-06", "XZ2-01"}
    why = reasons(code, BEFORE_N25)
    assert why["XZ-01"] == "已被更具体或更新的标准 XZ2-01 取代。"
    assert why["GD-01"] == "已被更具体或更新的标准 XZ2-01 取代。"
    # Before the newer one starts, the older district standard still holds.
    assert applicable(code, datetime.date(2023, 6, 30)) == {"N18-06", "XZ-01"}
    assert reasons(code, datetime.date(2023, 6, 30))["XZ2-01"] == "自 2024-01-01 起施行。"


def test_it_prefers_a_later_standard_in_the_same_document_too(xiangzhou, community_in):
    code = community_in(DISTRICT).code
    make_standard("XZ-02", xiangzhou, effective_from=datetime.date(2023, 1, 1))
    assert applicable(code, BEFORE_N25) == {"N18-06", "XZ-02"}


def test_it_prefers_a_street_policy_to_a_newer_district_policy(xiangzhou, community_in):
    street_doc = make_document("CX", [STREET], effective_from=datetime.date(2021, 1, 1))
    make_standard("CX-01", street_doc, params={"min": 800, "max": 2000})
    newer = make_document("XZ2", [DISTRICT], effective_from=datetime.date(2024, 1, 1))
    make_standard("XZ2-01", newer)
    assert applicable(community_in(STREET).code, BEFORE_N25) == {"N18-06", "CX-01"}
    assert applicable(community_in(OTHER_STREET).code, BEFORE_N25) == {"N18-06", "XZ2-01"}


def test_it_keeps_the_provincial_band_when_the_local_policy_cannot_apply(xiangzhou, community_in):
    code = community_in(DISTRICT).code
    assert applicable(code, datetime.date(2019, 6, 30)) == {"N18-06", "GD-01"}
    assert reasons(code, datetime.date(2019, 6, 30))["XZ-01"] == "自 2020-01-01 起施行。"


def test_it_never_applies_a_repealed_document(community_in):
    code = community_in(DISTRICT).code
    repealed = make_document("XZ-old", [DISTRICT], status=PolicyDocument.Status.REPEALED)
    make_standard("XZold-01", repealed)
    for as_of in (datetime.date(2021, 1, 1), BEFORE_N25, AFTER_N25):
        assert "XZold-01" not in applicable(code, as_of)
        assert "GD-01" in applicable(code, as_of)
        assert reasons(code, as_of)["XZold-01"] == "文件已废止。"


def test_it_stops_applying_a_standard_after_its_last_day(xiangzhou, community_in):
    code = community_in(DISTRICT).code
    make_standard("XZ-03", xiangzhou, effective_to=datetime.date(2024, 12, 31))
    Standard.objects.filter(code="XZ-01").delete()
    assert applicable(code, datetime.date(2024, 12, 31)) == {"N18-06", "XZ-03"}
    assert applicable(code, BEFORE_N25) == {"N18-06", "GD-01"}
    assert reasons(code, BEFORE_N25)["XZ-03"] == "已于 2024-12-31 失效。"


def test_it_ends_a_documents_standards_on_its_end_date(community_in):
    code = community_in(DISTRICT).code
    ended = make_document("XZ-end", [DISTRICT], effective_to=datetime.date(2024, 12, 31))
    make_standard("XZend-01", ended, effective_to=datetime.date(2030, 12, 31))
    assert "XZend-01" not in applicable(code, BEFORE_N25)
    assert reasons(code, BEFORE_N25)["XZend-01"] == "已于 2024-12-31 失效。"


def test_it_never_applies_a_standard_before_its_document_is_in_force(community_in):
    code = community_in(DISTRICT).code
    later = make_document("XZ-new", [DISTRICT], effective_from=datetime.date(2024, 1, 1))
    make_standard("XZnew-01", later, effective_from=datetime.date(2020, 1, 1))
    assert "XZnew-01" not in applicable(code, datetime.date(2022, 6, 30))


# --- a bad standard in the database ---------------------------------------------------------


def test_it_skips_a_standard_with_bad_params_and_still_evaluates_the_others(zhuhai, community_in):
    document = make_document("XZ", [DISTRICT])
    make_standard("XZ-bad", document, params={"min": "abc"})
    code = community_in(DISTRICT).code

    reason = reasons(code, BEFORE_N25)["XZ-bad"]
    assert reason.startswith("参数无效,未作检查:")
    assert "最少户数:输入整数。" in reason
    # Being broken, it does not displace Guangdong's band either.
    assert applicable(code, BEFORE_N25) == {"N18-06", "GD-01"}

    written = evaluate_communities(Community.objects.filter(code__startswith=CITY), BEFORE_N25)
    assert written == 213 * 2
    assert not Finding.objects.filter(standard__code="XZ-bad").exists()
    assert Finding.objects.filter(code=code).count() == 2


def test_it_lists_a_standard_with_an_unknown_rule_as_not_implemented(zhuhai, community_in):
    make_standard("XZ-x", make_document("XZ", [DISTRICT]), rule_key="community.no_such_rule")
    code = community_in(DISTRICT).code
    assert reasons(code, BEFORE_N25)["XZ-x"] == "该条款的检查规则尚未实现。"
    assert evaluate_communities(Community.objects.filter(code=code), BEFORE_N25) == 2


# --- validation before saving ---------------------------------------------------------------


def _unsaved(**extra) -> Standard:
    fields = {
        "code": "GD-test",
        "document": PolicyDocument.objects.get(key="GD"),
        "title": "测试条款",
        "quote": "社区规模一般为……",
        "rule_key": HOUSEHOLDS,
        "params": {"min": 2000, "max": 3000},
        "level": Standard.Level.COMMUNITY,
        **extra,
    }
    return Standard(**fields)


def _errors(standard: Standard) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        standard.full_clean()
    with pytest.raises(ValidationError) as direct:
        validate_standard(standard)
    assert set(direct.value.message_dict) <= set(error.value.message_dict)
    return error.value.message_dict


def test_it_accepts_and_normalizes_a_valid_standard(db):
    standard = _unsaved(params={"min": "2000", "max": 3000}, scope_prefixes=["4404", "4404"])
    standard.full_clean()
    assert standard.params == {"min": 2000, "max": 3000}
    assert standard.scope_prefixes == ["4404"]


def test_it_accepts_every_standard_of_the_catalogue(db):
    for standard in Standard.objects.select_related("document"):
        if standard.rule_key in registry or standard.rule_key == "info":
            standard.full_clean()


def test_it_accepts_an_unknown_rule_key_but_refuses_a_malformed_one(db):
    _unsaved(rule_key="community.no_such_rule").full_clean()  # listed as not yet checkable
    errors = _errors(_unsaved(rule_key="No Such Rule"))
    assert errors["rule_key"] == [
        "检查规则应为“领域.事项”形式(如 committee.size_range):No Such Rule"
    ]


def test_it_refuses_params_that_do_not_fit_the_rule(db):
    errors = _errors(_unsaved(params={"min": 3000, "max": 2000}))
    assert errors["params"] == ["最少户数不能大于最多户数。"]
    errors = _errors(_unsaved(params={"min": 2000, "maximum": 3000}))
    assert errors["params"] == ["未知参数:maximum"]
    errors = _errors(_unsaved(params={"min": "abc", "max": 3000}))
    assert "最少户数:输入整数。" in errors["params"]


def test_it_refuses_an_end_before_the_start(db):
    errors = _errors(
        _unsaved(effective_from=datetime.date(2024, 1, 1), effective_to=datetime.date(2023, 12, 31))
    )
    assert errors["effective_to"] == ["失效日期不能早于施行日期。"]
    _unsaved(
        effective_from=datetime.date(2024, 1, 1), effective_to=datetime.date(2024, 1, 1)
    ).full_clean()


@pytest.mark.parametrize(
    ("scope", "shown"), [(["37"], "37"), ([""], "全国"), (["4404", "3417"], "3417")]
)
def test_it_refuses_a_scope_wider_than_the_documents(db, scope, shown):
    errors = _errors(_unsaved(scope_prefixes=scope))
    assert errors["scope_prefixes"] == [f"适用范围不能超出政策文件的范围:{shown}"]


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        (["44a"], "区划代码前缀只能由数字组成:44a"),
        (["440"], "区划代码前缀应为 2、4、6、9 或 12 位(全国为空):440"),
        (["4404020010011"], "区划代码前缀应为 2、4、6、9 或 12 位(全国为空):4404020010011"),
        ([], "适用范围应为至少一个区划代码前缀的列表(全国用空字符串)。"),
        ("4404", "适用范围应为至少一个区划代码前缀的列表(全国用空字符串)。"),
        ([4404], "区划代码前缀只能由数字组成:4404"),
    ],
)
def test_it_refuses_a_malformed_scope(db, scope, message):
    assert _errors(_unsaved(scope_prefixes=scope))["scope_prefixes"] == [message]


def test_it_refuses_a_scope_typed_with_full_width_digits(db):
    nationwide = PolicyDocument.objects.get(key="EL")
    assert nationwide.scope_prefixes == [""]
    errors = _errors(_unsaved(document=nationwide, scope_prefixes=["４４０４"]))
    assert errors["scope_prefixes"] == ["区划代码前缀只能由数字组成:４４０４"]


def test_it_refuses_a_level_the_rule_does_not_work_at(db):
    errors = _errors(_unsaved(level=Standard.Level.JURISDICTION))
    assert errors["level"] == ["规则 community.households_range 的层级应为“社区”。"]


def test_it_reports_every_problem_at_once_on_its_own_field(db):
    errors = _errors(
        _unsaved(
            params={},
            scope_prefixes=["37"],
            effective_from=datetime.date(2024, 1, 1),
            effective_to=datetime.date(2023, 1, 1),
        )
    )
    assert set(errors) == {"params", "scope_prefixes", "effective_to"}


def test_it_requires_a_well_formed_scope_on_a_document(db):
    with pytest.raises(ValidationError) as error:
        PolicyDocument(key="T", title="测试", scope_prefixes=[]).full_clean()
    messages = error.value.message_dict["scope_prefixes"]
    assert "适用范围应为至少一个区划代码前缀的列表(全国用空字符串)。" in messages
    with pytest.raises(ValidationError) as error:
        PolicyDocument(key="T", title="测试", scope_prefixes=["44", "4404x"]).full_clean()
    assert error.value.message_dict["scope_prefixes"] == ["区划代码前缀只能由数字组成:4404x"]


# --- evaluating many communities -------------------------------------------------------------


@pytest.fixture
def big_street(db) -> Division:
    """One street with 1,000 communities (codes 440402999000–440402999999)."""
    province = Division.objects.create(code="44", name="广东省", level=1)
    city = Division.objects.create(code="4404", name="珠海市", level=2, parent=province)
    district = Division.objects.create(code="440402", name="香洲区", level=3, parent=city)
    street = Division.objects.create(code="440402999", name="测试街道", level=4, parent=district)
    Community.objects.bulk_create(
        Community(
            code=f"440402999{n:03d}",
            name=f"测试社区{n}",
            street=street,
            households=None if n % 10 == 0 else 500 + 3 * n,
        )
        for n in range(1000)
    )
    return street


def _queries(communities) -> tuple[int, list[str]]:
    """Findings written, and the kind of each query (SELECT, INSERT …), in order."""
    with CaptureQueriesContext(connection) as captured:
        written = evaluate_communities(communities, BEFORE_N25)
    return written, [q["sql"].split(None, 1)[0].upper() for q in captured.captured_queries]


def test_it_uses_as_many_queries_for_1000_communities_as_for_10(big_street):
    ten = Community.objects.filter(code__startswith="440402999", code__lt="440402999010")
    everything = Community.objects.filter(code__startswith="440402999")
    assert ten.count() == 10 and everything.count() == 1000

    written_ten, small = _queries(ten)
    Finding.objects.all().delete()
    written_all, large = _queries(everything)
    assert (written_ten, written_all) == (20, 2000)

    assert len(small) == len(large), (small, large)

    # Again over existing findings (deleted and replaced): still the same for both.
    _, small_again = _queries(ten)
    _, large_again = _queries(everything)
    assert len(small_again) == len(large_again), (small_again, large_again)
    assert Finding.objects.count() == 2000


def test_it_judges_every_community_of_a_big_street_right(big_street):
    evaluate_communities(Community.objects.filter(street=big_street), BEFORE_N25)
    found = statuses(BEFORE_N25)
    for community in Community.objects.filter(street=big_street):
        if community.households is None:
            expected = Status.NO_DATA
        elif 2000 <= community.households <= 3000:
            expected = Status.COMPLIANT
        else:
            expected = Status.NON_COMPLIANT
        assert found[(community.code, "GD-01")] == expected, community.code


def test_it_writes_the_same_findings_in_small_batches(big_street):
    everything = Community.objects.filter(street=big_street)
    assert evaluate_communities(everything, BEFORE_N25, batch=7) == 2000
    once = statuses(BEFORE_N25)
    Finding.objects.all().delete()
    ticks: list[int] = []
    assert evaluate_communities(everything, BEFORE_N25, progress=ticks.append) == 2000
    assert statuses(BEFORE_N25) == once
    assert sum(ticks) == 1000


# --- currentness -------------------------------------------------------------------------------


def _current(community=None) -> set[tuple[str, datetime.date]]:
    rows = Finding.objects.filter(is_current=True)
    if community is not None:
        rows = rows.filter(community=community)
    return set(rows.values_list("standard__code", "valid_from"))


def test_it_rewrites_only_the_changed_verdicts_when_re_evaluating_the_same_date(zhuhai):
    zhuhai_communities = Community.objects.filter(code__startswith=CITY)
    assert evaluate_communities(zhuhai_communities, BEFORE_N25) == 213 * 2
    assert evaluate_communities(zhuhai_communities, BEFORE_N25) == 0  # nothing changed
    first = set(Finding.objects.values_list("pk", flat=True))
    street = Community.objects.filter(code__startswith=STREET)
    street.filter(households__lt=2000).update(households=2500)
    changed_communities = Finding.objects.filter(
        code__startswith=STREET, standard__code="GD-01", status=Status.NON_COMPLIANT
    ).count()
    assert changed_communities
    # Both verdicts change for each (GD-01 passes, N18-06 measures another figure).
    assert evaluate_communities(zhuhai_communities, BEFORE_N25) == 2 * changed_communities
    assert Finding.objects.count() == 213 * 2  # rewritten in place: same day, same rows
    assert Finding.objects.filter(is_current=True).count() == 213 * 2
    assert set(Finding.objects.values_list("pk", flat=True)) == first
    changed = Finding.objects.filter(code__startswith=STREET, standard__code="GD-01")
    assert set(changed.values_list("status", flat=True)) == {Status.COMPLIANT}


def test_it_makes_a_later_evaluation_current_and_never_an_earlier_one(community_in):
    community = community_in(STREET)
    zhuhai_communities = Community.objects.filter(code__startswith=CITY)

    evaluate_communities(zhuhai_communities, BEFORE_N25)
    assert _current(community) == {("N18-06", BEFORE_N25), ("GD-01", BEFORE_N25)}

    evaluate_communities(zhuhai_communities, AFTER_N25)
    # The unchanged GD-01 verdict keeps its interval; N18-06 ends where N25-03 starts.
    assert _current(community) == {("N25-03", AFTER_N25), ("GD-01", BEFORE_N25)}
    assert Finding.objects.on(BEFORE_N25).count() == 213 * 2
    assert set(
        Finding.objects.filter(standard__code="N18-06").values_list("valid_to", flat=True)
    ) == {AFTER_N25}

    earlier = datetime.date(2024, 6, 30)
    evaluate_communities(zhuhai_communities, earlier)
    assert Finding.objects.on(earlier).count() == 213 * 2
    assert not Finding.objects.on(earlier).filter(is_current=True).exists()
    assert _current(community) == {("N25-03", AFTER_N25), ("GD-01", BEFORE_N25)}
    assert Finding.objects.filter(is_current=True).count() == 213 * 2

    # Re-evaluating the middle date does not steal currentness either.
    assert evaluate_communities(zhuhai_communities, BEFORE_N25) == 0
    assert _current() == {("N25-03", AFTER_N25), ("GD-01", BEFORE_N25)}


def test_it_keeps_earlier_findings_current_for_a_community_not_evaluated_later(community_in):
    one, other = community_in(STREET), community_in(OTHER_STREET)
    evaluate_communities(Community.objects.filter(pk=one.pk), AFTER_N25)
    evaluate_communities(Community.objects.filter(pk__in=[one.pk, other.pk]), BEFORE_N25)
    assert _current(one) == {("N25-03", AFTER_N25), ("GD-01", AFTER_N25)}
    assert _current(other) == {("N18-06", BEFORE_N25), ("GD-01", BEFORE_N25)}


def test_it_reevaluates_one_community_touching_only_its_findings(community_in):
    community, neighbour = community_in(STREET), community_in(OTHER_STREET)
    evaluate_communities(Community.objects.filter(code__startswith=CITY), BEFORE_N25)
    others_before = set(
        Finding.objects.exclude(community=community).values_list(
            "pk", "status", "is_current", "evaluated_at"
        )
    )
    community.households = 2500
    community.save()

    reevaluate_community(community, BEFORE_N25)

    found = statuses(BEFORE_N25, [community.code, neighbour.code])
    assert found[(community.code, "GD-01")] == Status.COMPLIANT
    assert found[(community.code, "N18-06")] == Status.NON_COMPLIANT
    assert found[(neighbour.code, "GD-01")] == Status.NON_COMPLIANT
    assert (
        set(
            Finding.objects.exclude(community=community).values_list(
                "pk", "status", "is_current", "evaluated_at"
            )
        )
        == others_before
    )
    assert Finding.objects.count() == 213 * 2


def test_it_moves_only_the_reevaluated_community_to_a_later_date(community_in):
    community, neighbour = community_in(STREET), community_in(OTHER_STREET)
    evaluate_communities(Community.objects.filter(code__startswith=CITY), BEFORE_N25)
    reevaluate_community(community, AFTER_N25)
    assert _current(community) == {("N25-03", AFTER_N25), ("GD-01", BEFORE_N25)}
    assert _current(neighbour) == {("N18-06", BEFORE_N25), ("GD-01", BEFORE_N25)}
    assert Finding.objects.on(AFTER_N25).count() == 213 * 2  # its N18-06 ended, N25-03 began
    assert Finding.objects.filter(valid_from=AFTER_N25).count() == 1


# --- jurisdiction-level standards ------------------------------------------------------------


class ShareLarge(JurisdictionRule):
    """Test rule: share of communities with at least 2,000 households."""

    key = "test.share_large"
    label = "大社区占比"
    params_form = ShareTargetsParams

    def measure_divisions(self, prefix, length, as_of, codes=None):
        rows = (
            Community.objects.filter(code__startswith=prefix)
            .annotate(division=Substr("code", 1, length))
            .values("division")
            .annotate(part=Count("pk", filter=Q(households__gte=2000)), whole=Count("pk"))
        )
        if codes is not None:
            rows = rows.filter(division__in=list(codes))
        return {row["division"]: (row["part"], row["whole"]) for row in rows}

    def judge(self, value, params, *, as_of):
        return judge_share(value, params, as_of=as_of, noun="社区")


TARGET_STARTS = datetime.date(2015, 12, 31)
# Street 440402001 (17 communities) all large; street 440402008 (6) exactly half; one community
# of 440403001 just below the threshold; everything else 1,000 households.
ALL_LARGE, HALF_LARGE, JUST_BELOW = "440402001", "440402008", "440403001"


@pytest.fixture
def share_large(zhuhai):
    """The test rule registered, a city standard on it (≥ 50% from 2015-12-31), and data."""
    half = Community.objects.filter(code__startswith=HALF_LARGE).order_by("code")
    assert half.count() == 6
    Community.objects.filter(code__startswith=ALL_LARGE).update(households=2000)
    Community.objects.filter(pk__in=list(half.values_list("pk", flat=True)[:3])).update(
        households=2500
    )
    below = Community.objects.filter(code__startswith=JUST_BELOW).order_by("code")[0]
    Community.objects.filter(pk=below.pk).update(households=1999)
    document = make_document(
        "TEST-J", [CITY], effective_from=datetime.date(2012, 9, 11), title="测试辖区文件"
    )
    rule = registry.register(ShareLarge())
    try:
        standard = make_standard(
            "TEST-J1",
            document,
            rule_key=rule.key,
            level=Standard.Level.JURISDICTION,
            params={"targets": [{"from": "2015-12-31", "min": "0.50"}]},
        )
        standard.full_clean()  # a proper registered rule: the standard validates
        yield standard
    finally:
        registry.unregister(rule.key)


def _expected_shares() -> dict[str, tuple[int, int]]:
    expected: dict[str, list[int]] = {}
    for code, households in Community.objects.filter(code__startswith=CITY).values_list(
        "code", "households"
    ):
        for length in (4, 6, 9):
            counts = expected.setdefault(code[:length], [0, 0])
            counts[0] += households >= 2000
            counts[1] += 1
    return {code: (part, whole) for code, (part, whole) in expected.items()}


def test_it_judges_the_city_its_districts_and_streets_against_the_share(share_large):
    as_of = BEFORE_N25
    expected = _expected_shares()
    assert len(expected) == 1 + 3 + 22

    written = evaluate_jurisdictions(CITY, as_of)

    rows = {r.code: r for r in JurisdictionFinding.objects.on(as_of)}
    assert written == len(rows) == len(expected)
    assert set(rows) == set(expected)
    for code, (part, whole) in expected.items():
        row = rows[code]
        assert row.standard == share_large
        assert (row.numerator, row.denominator) == (part, whole), code
        status = Status.COMPLIANT if 2 * part >= whole else Status.NON_COMPLIANT
        assert row.status == status, code
        assert row.is_current
        assert row.expected == "≥ 50.0%"
    assert rows[ALL_LARGE].status == Status.COMPLIANT
    assert (rows[HALF_LARGE].numerator, rows[HALF_LARGE].denominator) == (3, 6)
    assert rows[HALF_LARGE].status == Status.COMPLIANT  # at the target: 以上 includes it
    assert rows[HALF_LARGE].measured == "50.0%(3/6)"
    assert rows[JUST_BELOW].numerator == 0
    assert rows[DISTRICT].status == Status.NON_COMPLIANT
    assert (rows[CITY].numerator, rows[CITY].denominator) == (20, 213)


def test_it_finds_a_jurisdiction_not_applicable_before_the_target_starts(share_large):
    evaluate_jurisdictions(CITY, datetime.date(2015, 12, 30))
    rows = JurisdictionFinding.objects.on(datetime.date(2015, 12, 30))
    assert rows.count() == len(_expected_shares())
    assert set(rows.values_list("status", flat=True)) == {Status.NOT_APPLICABLE}
    assert set(rows.values_list("explanation", flat=True)) == {"评估日期时目标尚未生效。"}

    evaluate_jurisdictions(CITY, TARGET_STARTS)
    on_the_day = JurisdictionFinding.objects.on(TARGET_STARTS)
    assert Status.NOT_APPLICABLE not in set(on_the_day.values_list("status", flat=True))
    before = JurisdictionFinding.objects.on(datetime.date(2015, 12, 30))
    assert not before.filter(is_current=True).exists()


def test_it_judges_only_the_district_and_its_streets_for_a_district_scope(share_large):
    evaluate_jurisdictions(DISTRICT, BEFORE_N25)
    codes = set(JurisdictionFinding.objects.values_list("code", flat=True))
    assert DISTRICT in codes and CITY not in codes
    assert all(code.startswith(DISTRICT) for code in codes)
    assert len(codes) == 1 + 12


def test_it_replaces_jurisdiction_findings_and_keeps_the_latest_current(share_large):
    evaluate_jurisdictions(CITY, AFTER_N25)
    evaluate_jurisdictions(CITY, BEFORE_N25)
    evaluate_jurisdictions(CITY, BEFORE_N25)
    n = len(_expected_shares())
    assert JurisdictionFinding.objects.on(BEFORE_N25).count() == n
    assert JurisdictionFinding.objects.filter(is_current=True).count() == n
    # BEFORE_N25 was evaluated after AFTER_N25: history up to it, the current ones untouched.
    current = JurisdictionFinding.objects.filter(is_current=True)
    assert set(current.values_list("valid_from", flat=True)) == {AFTER_N25}


def test_it_updates_the_aggregates_above_a_reevaluated_community(share_large):
    evaluate_jurisdictions(CITY, BEFORE_N25)
    community = Community.objects.filter(code__startswith=STREET).order_by("code")[0]
    community.households = 1000
    community.save()

    reevaluate_community(community, BEFORE_N25)

    rows = {r.code: r for r in JurisdictionFinding.objects.on(BEFORE_N25)}
    assert (rows[STREET].numerator, rows[STREET].denominator) == (16, 17)
    # Above the street the save locks nothing: the nightly run moves those aggregates.
    assert rows[DISTRICT].numerator == 20
    assert rows[CITY].numerator == 20
    assert rows[OTHER_STREET].numerator == 0
    evaluate_jurisdictions(CITY, BEFORE_N25)
    rows = {r.code: r for r in JurisdictionFinding.objects.on(BEFORE_N25)}
    assert (rows[DISTRICT].numerator, rows[CITY].numerator) == (19, 19)


def test_it_skips_a_jurisdiction_standard_with_a_nan_target_and_evaluates_the_others(share_large):
    make_standard(
        "TEST-J2",
        share_large.document,
        rule_key="test.share_large",
        level=Standard.Level.JURISDICTION,
        params={"targets": [{"from": "2015-12-31", "min": "NaN"}]},
    )
    evaluate_jurisdictions(CITY, BEFORE_N25)
    assert JurisdictionFinding.objects.filter(standard=share_large).count() == 26
    assert reasons(CITY, BEFORE_N25, Standard.Level.JURISDICTION)["TEST-J2"].startswith("参数无效")


def test_it_skips_a_jurisdiction_standard_with_bad_targets(share_large):
    make_standard(
        "TEST-J2",
        share_large.document,
        rule_key="test.share_large",
        level=Standard.Level.JURISDICTION,
        params={"targets": [{"from": "2015-12-31", "min": "1.5"}]},
    )
    evaluate_jurisdictions(CITY, BEFORE_N25)
    assert not JurisdictionFinding.objects.filter(standard__code="TEST-J2").exists()
    assert JurisdictionFinding.objects.filter(standard=share_large).count() == 26
    why = reasons(CITY, BEFORE_N25, Standard.Level.JURISDICTION)["TEST-J2"]
    assert why == "参数无效,未作检查:目标:目标比例应在 0 到 1 之间。"


# --- the management command ---------------------------------------------------------------------


def test_it_writes_findings_for_a_scope_from_the_command(zhuhai):
    out = StringIO()
    call_command(
        "evaluate_compliance",
        "--scope",
        DISTRICT,
        "--as-of",
        "2025-06-30",
        "--no-progress",
        stdout=out,
        stderr=StringIO(),
    )
    xiangzhou = Community.objects.filter(code__startswith=DISTRICT).count()
    assert Finding.objects.on(BEFORE_N25).count() == xiangzhou * 2
    assert not Finding.objects.exclude(code__startswith=DISTRICT).exists()
    assert f"评估日期 2025-06-30:{xiangzhou} 个社区,写入 {xiangzhou * 2} 条社区结果" in (
        out.getvalue()
    )


def test_it_evaluates_the_whole_city_from_the_command_with_a_progress_bar(zhuhai):
    err = StringIO()
    call_command(
        "evaluate_compliance",
        "--scope",
        CITY,
        "--as-of",
        "2026-06-30",
        stdout=StringIO(),
        stderr=err,
    )
    assert Finding.objects.on(AFTER_N25).filter(is_current=True).count() == 213 * 2
    assert set(Finding.objects.values_list("standard__code", flat=True)) == {"N25-03", "GD-01"}
    assert "213" in err.getvalue()


@pytest.mark.parametrize("as_of", ["2025-13-01", "2025-02-30", "30/06/2025", "昨天"])
def test_it_refuses_a_date_that_does_not_exist_in_the_command(db, as_of):
    with pytest.raises(CommandError) as error:
        call_command("evaluate_compliance", "--as-of", as_of, "--no-progress")
    assert str(error.value) == f"评估日期“{as_of}”不是有效日期,应为 YYYY-MM-DD。"
    assert not Finding.objects.exists()


@pytest.mark.parametrize("scope", ["44a", "珠海", "4404 "])
def test_it_refuses_a_scope_that_is_not_a_code_prefix_in_the_command(db, scope):
    with pytest.raises(CommandError) as error:
        call_command("evaluate_compliance", "--scope", scope, "--no-progress")
    assert str(error.value) == f"范围“{scope}”应为区划代码前缀(数字)。"


class _BrokenRule(Rule):
    """A rule whose query fails, as a rule would against a table that is not migrated yet."""

    key = "test.broken_query"
    label = "broken"

    def measure(self, communities, as_of):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_anywhere")
        return {}

    def judge(self, value, params, *, as_of):  # pragma: no cover - never reached
        raise AssertionError


def test_a_rule_whose_query_fails_does_not_abort_the_evaluation(zhuhai, community_in):
    registry.register(_BrokenRule())
    try:
        document = make_document("BRK", [""])
        Standard.objects.create(
            code="BRK-1",
            document=document,
            title="x",
            quote="x",
            rule_key="test.broken_query",
            params={},
        )
        community = community_in(STREET)
        written = evaluate_communities(Community.objects.filter(pk=community.pk), BEFORE_N25)
        # The households rule still judged the community, in the same transaction.
        assert written == 2
        assert set(
            Finding.objects.filter(community=community).values_list("standard__code", flat=True)
        ) == {"N18-06", "GD-01"}
    finally:
        registry.unregister("test.broken_query")


# --- the nightly run on PostgreSQL: findings written by a second connection ------------------

AS_OF = AFTER_N25

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the pipelined writer is PostgreSQL only"
)


def _snapshot() -> list[tuple]:
    return list(
        Finding.objects.order_by("community_id", "standard_id", "valid_from").values_list(
            "community_id", "standard_id", "valid_from", "valid_to", "status", "measured"
        )
    )


@needs_postgres
@pytest.mark.django_db(transaction=True)  # the catalogue returns after a flush (post_migrate)
def test_it_writes_the_same_findings_and_roll_ups_from_a_second_connection_as_in_one():
    from django.db import transaction

    from compliance.models import Rollup

    import_divisions(ZHUHAI_DIR)
    Community.objects.update(households=1000, population=2800)
    communities = Community.objects.all()
    later = Community.objects.order_by("code").first()
    evaluate_communities(Community.objects.filter(pk=later.pk), AS_OF + datetime.timedelta(1))
    # Inside a transaction the findings are written by the evaluating connection.
    with transaction.atomic():
        serial = evaluate_communities(communities, AS_OF, batch=40)
    expected, expected_rollups = _snapshot(), _rollups()
    Finding.objects.on(AS_OF).delete()
    # Outside a transaction, more than one batch: judged here, written by the writer thread.
    import threading

    writers = []

    def progress(n: int) -> None:
        writers.extend(t for t in threading.enumerate() if t.name == "findings-writer")

    assert not connection.in_atomic_block
    assert evaluate_communities(communities, AS_OF, batch=40, progress=progress) == serial
    assert writers
    assert _snapshot() == expected
    assert _rollups() == expected_rollups
    # The community with a later evaluation keeps that one as current.
    assert not Finding.objects.on(AS_OF).filter(community=later, is_current=True).exists()
    assert Rollup.objects.filter(code="", standard__isnull=True).get().communities == 213


@needs_postgres
@pytest.mark.django_db(transaction=True)  # the catalogue returns after a flush (post_migrate)
def test_it_leaves_whole_batches_when_the_evaluation_stops_half_way_and_a_rerun_completes_it():
    # Per-batch transactions (issue #24): an interrupted run keeps what it finished, never part
    # of a community; running again completes it to exactly what one full run writes.
    import_divisions(ZHUHAI_DIR)
    evaluate_communities(Community.objects.all(), AS_OF)
    full = _snapshot()
    per_community = {}
    for community_id, *_rest in full:
        per_community[community_id] = per_community.get(community_id, 0) + 1
    Finding.objects.all().delete()
    seen = []

    def stop_after_two_batches(n: int) -> None:
        seen.append(n)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        evaluate_communities(
            Community.objects.all(), AS_OF, batch=40, progress=stop_after_two_batches
        )
    written: dict[int, int] = {}
    for community_id in Finding.objects.values_list("community_id", flat=True):
        written[community_id] = written.get(community_id, 0) + 1
    assert len(written) < len(per_community)
    assert all(n == per_community[pk] for pk, n in written.items())
    evaluate_communities(Community.objects.all(), AS_OF)
    assert _snapshot() == full


def _rollups() -> list[tuple]:
    from compliance.models import Rollup

    return list(
        Rollup.objects.order_by("code", "standard_id").values_list(
            "code", "standard_id", "compliant", "non_compliant", "no_data", "not_applicable"
        )
    )
