"""The annual 100-point assessment: defining it, scoring, ranking, publishing, reproducing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from compliance.engine import evaluate_communities
from compliance.models import Standard
from core.models import Role, User
from divisions.models import Community, Division
from supervision import scoring, services
from supervision.models import Assessment, AssessmentItem, AssessmentScore, Exemption
from tests.conftest import CITY, DISTRICT, OTHER_DISTRICT, OTHER_STREET, STREET

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1
YEAR_END = datetime.date(YEAR, 12, 31)


@pytest.fixture
def history(zhuhai):
    """Findings of the district as of last year's end: GD-01 wants 2,000–3,000 households,
    N18-06 100–700. A = 2,400 (GD-01 only), B = 500 (N18-06 only), C = 1,000 (neither),
    D = unknown (no data)."""
    a, b, c, d = Community.objects.filter(code__startswith=STREET).order_by("code")[:4]
    for community, households in ((a, 2400), (b, 500), (c, 1000), (d, None)):
        community.households = households
        community.save()
    evaluate_communities(Community.objects.filter(code__startswith=DISTRICT), YEAR_END)
    return a, b, c, d


def make_assessment(
    weights: dict[str, int], rule: str = "excluded", title: str = "规范化建设考核"
) -> Assessment:
    assessment = Assessment.objects.create(
        code=DISTRICT, year=YEAR, title=title, exempted_rule=rule
    )
    AssessmentItem.objects.bulk_create(
        AssessmentItem(assessment=assessment, standard=Standard.objects.get(code=c), weight=w)
        for c, w in weights.items()
    )
    return assessment


def by_code(scores) -> dict[str, scoring.CommunityScore]:
    return {s.code: s for s in scores}


# --- scoring -----------------------------------------------------------------------------


def test_points_follow_the_result_and_the_exemption_rule():
    w = Decimal(20)
    assert scoring.points_for("compliant", False, w, "zero") == w
    assert scoring.points_for("non_compliant", False, w, "full") == 0
    assert scoring.points_for("no_data", False, w, "full") == 0
    assert scoring.points_for("", False, w, "full") == 0  # never evaluated is not a pass
    assert scoring.points_for("not_applicable", False, w, "full") is None
    assert scoring.points_for("non_compliant", True, w, "full") == w
    assert scoring.points_for("no_data", True, w, "excluded") is None
    assert scoring.points_for("non_compliant", True, w, "zero") == 0
    assert scoring.points_for("compliant", True, w, "zero") == w  # compliant anyway


def test_ranks_are_competition_ranks_within_street_and_district():
    def s(code, score):
        return scoring.CommunityScore(0, code, code, None if score is None else Decimal(score), [])

    scores = [
        s("440402001001", 90),
        s("440402001002", 80),
        s("440402001003", 90),
        s("440402001004", None),
        s("440402002001", 85),
    ]
    scoring.rank(scores)
    ranks = {x.code: (x.rank_in_street, x.rank_in_district) for x in scores}
    assert ranks == {
        "440402001001": (1, 1),
        "440402001003": (1, 1),
        "440402001002": (3, 4),
        "440402001004": (None, None),
        "440402002001": (1, 3),
    }


def test_it_scores_every_community_from_its_findings_as_of_the_years_end(history):
    a, b, c, d = history
    assessment = make_assessment({"GD-01": 60, "N18-06": 40})
    scores = by_code(scoring.compute(assessment))
    assert len(scores) == Community.objects.filter(code__startswith=DISTRICT).count()
    assert scores[a.code].score == Decimal("60.00")
    assert scores[b.code].score == Decimal("40.00")
    assert scores[c.code].score == Decimal("0.00")
    assert scores[d.code].score == Decimal("0.00")  # no data earns nothing
    assert scores[d.code].counts["no_data"] == 2
    assert (scores[a.code].rank_in_street, scores[b.code].rank_in_street) == (1, 2)
    assert scores[c.code].rank_in_street == scores[d.code].rank_in_street == 3
    assert scores[a.code].lines[0].as_of == YEAR_END


def test_a_standard_that_does_not_apply_is_left_out_and_the_rest_scaled_to_100(history):
    a, *_ = history
    # N25-03 starts in 2026: it applied to nobody at last year's end.
    assessment = make_assessment({"GD-01": 50, "N18-06": 30, "N25-03": 20})
    score = by_code(scoring.compute(assessment))[a.code]
    assert score.score == Decimal("62.50")  # 50 of the 80 points that count
    assert score.counts["excluded"] == 1
    assert [line.points for line in score.lines][2] is None


def test_a_community_never_evaluated_by_the_date_has_no_score_and_no_rank(history):
    division = Division.objects.get(code=STREET)
    late = Community.objects.create(code=f"{STREET}950", name="新社区", street=division)
    scores = by_code(scoring.compute(make_assessment({"GD-01": 60, "N18-06": 40})))
    assert scores[late.code].score is None and scores[late.code].rank_in_street is None
    assert not scores[late.code].evaluated


@pytest.mark.parametrize(
    ("rule", "a_score", "c_score"),
    [("full", "100.00", "40.00"), ("excluded", "100.00", "0.00"), ("zero", "60.00", "0.00")],
)
def test_exempted_findings_score_by_the_rule_the_bureau_chose(
    history, make_user, rule, a_score, c_score
):
    a, _b, c, _d = history
    granter = make_user(Role.STREET, STREET, full_name="街道王科长")
    for community in (a, c):  # both fail N18-06 (households above 700)
        Exemption.objects.create(
            community=community,
            code=community.code,
            standard=Standard.objects.get(code="N18-06"),
            state="granted",
            reason="规模由街道统一调整",
            raised_on=datetime.date(YEAR, 3, 1),
            status_at_request="non_compliant",
            decided_by=granter,
            decided_on=datetime.date(YEAR, 3, 2),
            decision_reason="同意",
            expires_on=datetime.date(YEAR + 1, 3, 1),
        )
    scores = by_code(scoring.compute(make_assessment({"GD-01": 60, "N18-06": 40}, rule)))
    assert scores[a.code].score == Decimal(a_score)
    assert scores[c.code].score == Decimal(c_score)
    line = scores[a.code].lines[1]
    assert line.exempted and line.exempted_by == "街道王科长"
    assert scores[a.code].counts["exempted"] == 1


def test_an_exemption_granted_after_the_years_end_does_not_count(history, make_user):
    a, *_ = history
    Exemption.objects.create(
        community=a,
        code=a.code,
        standard=Standard.objects.get(code="N18-06"),
        state="granted",
        reason="r",
        raised_on=datetime.date(YEAR + 1, 2, 1),
        status_at_request="non_compliant",
        decided_on=datetime.date(YEAR + 1, 2, 1),
        decision_reason="d",
        expires_on=datetime.date(YEAR + 1, 12, 31),
    )
    scores = by_code(scoring.compute(make_assessment({"GD-01": 60, "N18-06": 40}, "full")))
    assert scores[a.code].score == Decimal("60.00")


def test_scoring_costs_the_same_queries_for_many_communities_as_for_few(history):
    assessment = make_assessment({"GD-01": 60, "N18-06": 40})
    with CaptureQueriesContext(connection) as few:
        scoring.compute(assessment)
    division = Division.objects.get(code=STREET)
    Community.objects.bulk_create(
        Community(code=f"{STREET}{900 - i:03d}", name=f"新{i}", street=division, households=2500)
        for i in range(40)
    )
    evaluate_communities(Community.objects.filter(code__startswith=STREET), YEAR_END)
    with CaptureQueriesContext(connection) as many:
        scoring.compute(assessment)
    assert len(many.captured_queries) == len(few.captured_queries) <= 3


# --- publication and reproducibility -----------------------------------------------------


def test_a_year_not_yet_over_is_previewed_but_not_published(history, make_user):
    bureau = make_user(Role.BUREAU, DISTRICT)
    assessment = make_assessment({"GD-01": 60, "N18-06": 40})
    assessment.year = YEAR + 1
    assessment.save()
    assert scoring.scoring_date(assessment) == timezone.localdate()
    with pytest.raises(Exception, match="尚未结束"):
        services.assessment_publish(actor=bureau, assessment=assessment)
    assert not AssessmentScore.objects.exists()


def test_publishing_freezes_the_scores_and_the_year_stays_reproducible(history, make_user):
    a, *_ = history
    bureau = make_user(Role.BUREAU, DISTRICT)
    assessment = make_assessment({"GD-01": 60, "N18-06": 40})
    n = services.assessment_publish(actor=bureau, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.is_published and assessment.as_of == YEAR_END
    assert n == AssessmentScore.objects.filter(assessment=assessment).count()
    frozen = AssessmentScore.objects.get(assessment=assessment, community=a)
    assert frozen.score == Decimal("60.00") and frozen.rank_in_street == 1
    assert frozen.detail[0] == ["GD-01", "compliant", "", "60.00", YEAR_END.isoformat()]

    # The community changes and is evaluated today: last year's findings and score stand.
    a.households = 500
    a.save()
    evaluate_communities(Community.objects.filter(pk=a.pk), timezone.localdate())
    assert scoring.verify(assessment) == []
    frozen.refresh_from_db()
    assert frozen.score == Decimal("60.00")

    # Someone re-evaluates last year's end from today's records: the recomputation differs,
    # the published score does not.
    evaluate_communities(Community.objects.filter(pk=a.pk), YEAR_END)
    (difference,) = scoring.verify(assessment)
    assert difference.code == a.code
    assert (difference.published, difference.recomputed) == (Decimal("60.00"), Decimal("40.00"))
    frozen.refresh_from_db()
    assert frozen.score == Decimal("60.00")
    with pytest.raises(Exception, match="已发布"):
        services.assessment_publish(actor=bureau, assessment=assessment)


# --- pages -------------------------------------------------------------------------------


def _form_data(items: list[tuple[str, str]], **extra) -> dict:
    data = {
        "title": "年度考核",
        "year": str(YEAR),
        "code": DISTRICT,
        "exempted_rule": "excluded",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for i, (code, weight) in enumerate(items):
        data[f"items-{i}-standard"] = str(Standard.objects.get(code=code).pk) if code else ""
        data[f"items-{i}-weight"] = weight
    return data


def test_a_bureau_defines_an_assessment_with_weights_summing_to_100(login, zhuhai):
    bureau = login(Role.BUREAU, DISTRICT)
    url = reverse("supervision:assessment_create")
    assert bureau.get(url).context["formset"].prefix == "items"
    response = bureau.post(url, _form_data([("GD-01", "62.5"), ("N18-06", "37.5"), ("", "")]))
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.code == DISTRICT and assessment.state == "draft"
    assert sorted(assessment.items.values_list("standard__code", "weight")) == [
        ("GD-01", Decimal("62.50")),
        ("N18-06", Decimal("37.50")),
    ]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([("GD-01", "60"), ("N18-06", "30")], "各项权重之和应为 100 分,现为 90 分"),
        ([("GD-01", "60"), ("GD-01", "40")], "同一标准只能出现一次"),
        ([("GD-01", "100"), ("N18-06", "0")], "权重须大于 0"),
        ([("GD-01", "abc")], "请输入数字"),
        ([("GD-01", "")], "请填写权重"),
        ([("", "")], "请至少选择一项标准"),
    ],
)
def test_bad_weights_are_refused_in_chinese_and_nothing_is_saved(login, zhuhai, items, message):
    bureau = login(Role.BUREAU, DISTRICT)
    response = bureau.post(reverse("supervision:assessment_create"), _form_data(items))
    assert response.status_code == 200
    formset = response.context["formset"]
    errors = " ".join(formset.non_form_errors()) + " ".join(
        str(e) for form in formset.forms for e in form.errors.values()
    )
    assert message in errors
    assert "各项权重之和" not in errors or "现为" in errors
    assert not Assessment.objects.exists() and not AssessmentItem.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("year", str(timezone.localdate().year + 2), "不能晚于明年"),
        ("year", "1999", "2000"),
        ("year", "abc", "请输入年份"),
        ("title", "  ", "请填写考核名称"),
        ("code", OTHER_DISTRICT, "只能在您负责的辖区内"),
    ],
)
def test_the_assessment_itself_is_checked(login, zhuhai, field, value, message):
    bureau = login(Role.BUREAU, DISTRICT)
    data = _form_data([("GD-01", "100")], **{field: value})
    response = bureau.post(reverse("supervision:assessment_create"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Assessment.objects.exists()


def test_the_same_title_twice_in_a_year_is_refused(login, zhuhai):
    bureau = login(Role.BUREAU, DISTRICT)
    url = reverse("supervision:assessment_create")
    assert bureau.post(url, _form_data([("GD-01", "100")])).status_code == 302
    response = bureau.post(url, _form_data([("GD-01", "100")]))
    assert response.status_code == 200 and Assessment.objects.count() == 1


@pytest.mark.parametrize("role", [Role.STREET, Role.COMMITTEE, Role.VIEWER])
def test_only_bureaus_define_assessments(login, zhuhai, role):
    code = STREET + "001" if role == Role.COMMITTEE else STREET
    client = login(role, code)
    assert client.get(reverse("supervision:assessment_create")).status_code == 404
    client.post(reverse("supervision:assessment_create"), _form_data([("GD-01", "100")]))
    assert not Assessment.objects.exists()


def test_the_bureau_previews_publishes_and_exports_the_ranking(login, history):
    a, b, *_ = history
    bureau = login(Role.BUREAU, DISTRICT)
    assessment = make_assessment({"GD-01": 60, "N18-06": 40})
    url = reverse("supervision:assessment", args=[assessment.pk])
    preview = bureau.get(url)
    assert preview.context["can_publish"] and not assessment.is_published
    assert [s.code for s in preview.context["page"]][:2] == [a.code, b.code]
    response = bureau.post(reverse("supervision:assessment_publish", args=[assessment.pk]))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.is_published
    page = bureau.get(url)
    assert page.context["page"][0].score == Decimal("60.00")
    verified = bureau.get(url, {"verify": "1"})
    assert verified.context["differences"] == []
    assert "复核一致" in verified.content.decode()

    response = bureau.get(reverse("supervision:assessment_export", args=[assessment.pk]))
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["得分与排名", "考核项目", "豁免明细"]
    rows = list(book["得分与排名"].iter_rows(values_only=True))
    assert rows[0][:7] == ("社区代码", "社区", "街道", "区县", "得分", "街道内排名", "区县内排名")
    assert rows[0][12:] == ("GD-01(60)", "N18-06(40)")
    line = next(r for r in rows if r[0] == a.code)
    assert line[2] == "翠香街道" and line[4] == 60 and line[5] == 1 and line[12:] == (60, 0)
    assert len(rows) - 1 == Community.objects.filter(code__startswith=DISTRICT).count()

    # Published: no more changes.
    edit = bureau.get(reverse("supervision:assessment_edit", args=[assessment.pk]))
    assert edit.status_code == 302
    evaluate = bureau.post(reverse("supervision:assessment_evaluate", args=[assessment.pk]))
    assert evaluate.status_code == 302
    assert AssessmentItem.objects.filter(assessment=assessment).count() == 2


def test_a_bureau_evaluates_its_communities_as_of_the_years_end_from_the_page(login, zhuhai):
    bureau = login(Role.BUREAU, DISTRICT)
    assessment = make_assessment({"GD-01": 100})
    assert (
        bureau.get(reverse("supervision:assessment", args=[assessment.pk])).context["unevaluated"]
        == Community.objects.filter(code__startswith=DISTRICT).count()
    )
    response = bureau.post(reverse("supervision:assessment_evaluate", args=[assessment.pk]))
    assert response.status_code == 302
    page = bureau.get(reverse("supervision:assessment", args=[assessment.pk]))
    assert page.context["unevaluated"] == 0


def test_publishing_a_year_not_over_says_why_on_the_page(login, history):
    bureau = login(Role.BUREAU, DISTRICT)
    assessment = make_assessment({"GD-01": 100})
    Assessment.objects.filter(pk=assessment.pk).update(year=YEAR + 1)
    response = bureau.post(
        reverse("supervision:assessment_publish", args=[assessment.pk]), follow=True
    )
    assert "尚未结束" in response.content.decode()
    assessment.refresh_from_db()
    assert not assessment.is_published


def test_a_street_sees_only_its_own_rows_of_a_published_assessment_and_no_draft(
    login, history, make_user
):
    assessment = make_assessment({"GD-01": 60, "N18-06": 40})
    street = login(Role.STREET, STREET)
    url = reverse("supervision:assessment", args=[assessment.pk])
    assert street.get(url).status_code == 404  # a draft is the bureau's
    assert assessment not in street.get(reverse("supervision:assessments")).context["assessments"]
    services.assessment_publish(actor=make_user(Role.BUREAU, DISTRICT), assessment=assessment)
    page = street.get(url)
    codes = [s.code for s in page.context["page"]]
    assert codes and all(code.startswith(STREET) for code in codes)
    assert not page.context["manager"]
    rows = list(
        load_workbook(
            BytesIO(
                street.get(reverse("supervision:assessment_export", args=[assessment.pk])).content
            )
        )["得分与排名"].iter_rows(min_row=2, values_only=True)
    )
    assert rows and all(r[0].startswith(STREET) for r in rows)
    # Ranks stay those of the whole district.
    district_ranks = {s.code: s.rank_in_district for s in assessment.scores.all()}
    assert all(s.rank_in_district == district_ranks[s.code] for s in page.context["page"])
    assert (
        street.post(reverse("supervision:assessment_publish", args=[assessment.pk])).status_code
        == 403
    )
    assert (
        street.get(
            reverse("supervision:assessment", args=[assessment.pk]), {"verify": "1"}
        ).context["differences"]
        is None
    )


@pytest.mark.parametrize(
    ("role", "code", "status"),
    [
        (Role.BUREAU, CITY, 200),
        (Role.VIEWER, DISTRICT, 200),
        (Role.STREET, OTHER_STREET, 200),
        (Role.BUREAU, OTHER_DISTRICT, 404),
        (Role.VIEWER, OTHER_DISTRICT, 404),
        (Role.COMMITTEE, "440403001001", 404),
    ],
)
def test_a_published_assessment_is_seen_where_it_applies_and_404_elsewhere(
    login, history, make_user, role, code, status
):
    assessment = make_assessment({"GD-01": 100})
    services.assessment_publish(actor=make_user(Role.BUREAU, DISTRICT), assessment=assessment)
    client = login(role, code)
    for name in ("supervision:assessment", "supervision:assessment_export"):
        assert client.get(reverse(name, args=[assessment.pk])).status_code == status


def test_a_bureau_of_another_district_cannot_change_or_publish_a_draft(login, history):
    assessment = make_assessment({"GD-01": 100})
    other = login(Role.BUREAU, OTHER_DISTRICT)
    for name in ("assessment", "assessment_edit", "assessment_publish", "assessment_evaluate"):
        assert other.post(reverse(f"supervision:{name}", args=[assessment.pk])).status_code == 404
    assessment.refresh_from_db()
    assert not assessment.is_published


def test_the_detail_page_costs_as_many_queries_for_many_communities_as_for_few(login, history):
    bureau = login(Role.BUREAU, DISTRICT)
    assessment = make_assessment({"GD-01": 60, "N18-06": 40})
    url = reverse("supervision:assessment", args=[assessment.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert bureau.get(url).status_code == 200
        return len(ctx.captured_queries)

    draft = queries()
    division = Division.objects.get(code=STREET)
    Community.objects.bulk_create(
        Community(code=f"{STREET}{900 - i:03d}", name=f"新{i}", street=division, households=2500)
        for i in range(40)
    )
    evaluate_communities(Community.objects.filter(code__startswith=STREET), YEAR_END)
    assert queries() == draft
    services.assessment_publish(actor=User.objects.first(), assessment=assessment)
    published = queries()
    Community.objects.bulk_create(
        Community(code=f"{STREET}{800 - i:03d}", name=f"后{i}", street=division) for i in range(5)
    )
    assert queries() == published


def test_the_list_shows_the_bureaus_drafts_and_what_is_published(login, history, make_user):
    draft = make_assessment({"GD-01": 100})
    published = make_assessment({"GD-01": 100}, title="已发布的考核")
    services.assessment_publish(actor=make_user(Role.BUREAU, DISTRICT), assessment=published)
    bureau = login(Role.BUREAU, DISTRICT)
    listed = bureau.get(reverse("supervision:assessments")).context["assessments"]
    assert {a.pk for a in listed} == {draft.pk, published.pk}
    viewer = login(Role.VIEWER, STREET)
    assert [
        a.pk for a in viewer.get(reverse("supervision:assessments")).context["assessments"]
    ] == [published.pk]
