"""Satisfaction surveys: definition, one-time codes, anonymous answers, paper entry, results."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from committees.models import Membership, Organization, Person
from core.models import Role
from surveys import services
from surveys.models import AnswerCode, Response, Score, Survey
from tests.conftest import STREET

pytestmark = pytest.mark.django_db


def make_survey(street_user, community, *, days_open=10, member=True) -> Survey:
    today = timezone.localdate()
    return services.survey_create(
        actor=street_user,
        code=STREET,
        title="2026 年居民满意度测评",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=days_open),
        questions=list(services.DEFAULT_QUESTIONS),
        member_question=services.DEFAULT_MEMBER_QUESTION if member else "",
        communities=[community],
    )


@pytest.fixture
def setup(make_user, community_in):
    community = community_in(STREET)
    committee = Organization.objects.create(
        community=community, kind=Organization.Kind.RESIDENTS_COMMITTEE, name="居委会"
    )
    person = Person.objects.create(community=community, name="王主任", gender="female")
    Membership.objects.create(
        person=person,
        organization=committee,
        position=Membership.Position.DIRECTOR,
        start_date=datetime.date(2021, 1, 1),
    )
    street = make_user(Role.STREET, STREET)
    survey = make_survey(street, community)
    return community, survey, person, street


def answers(survey: Survey, person: Person, score: int = 4) -> dict[str, str]:
    data = {}
    for q in survey.questions.all():
        data[f"q{q.pk}_p{person.pk}" if q.per_member else f"q{q.pk}"] = str(score)
    return data


def test_it_refuses_a_survey_without_questions(make_user, community_in):
    with pytest.raises(ValidationError) as raised:
        services.survey_create(
            actor=make_user(Role.STREET, STREET),
            code=STREET,
            title="空问卷",
            opens_on=datetime.date(2026, 1, 1),
            closes_on=datetime.date(2026, 1, 31),
            questions=["", "  "],
            member_question="",
            communities=[community_in(STREET)],
        )
    assert "问卷至少要有一个问题。" in raised.value.message_dict["questions"]
    assert not Survey.objects.exists()


def test_it_defines_a_survey_from_the_editable_template_on_the_page(client, make_user, zhuhai):
    client.force_login(make_user(Role.STREET, STREET))
    url = reverse("surveys:survey_create", args=[STREET])
    page = client.get(url)
    assert services.DEFAULT_QUESTIONS[0] in page.content.decode()
    refused = client.post(
        url,
        {"title": "测评", "opens_on": "2026-01-01", "closes_on": "2026-01-31", "questions": ""},
    )
    assert "问卷至少要有一个问题。" in refused.content.decode()
    assert not Survey.objects.exists()
    saved = client.post(
        url,
        {
            "title": "测评",
            "opens_on": "2026-01-01",
            "closes_on": "2026-01-31",
            "questions": "总体满意度\n服务",
        },
    )
    assert saved.status_code == 302
    survey = Survey.objects.get()
    assert [q.text for q in survey.questions.all()] == ["总体满意度", "服务"]
    # No community chosen: every community of the street.
    assert survey.communities.count() > 1
    assert all(c.code.startswith(STREET) for c in survey.communities.all())


def test_it_takes_one_answer_per_code_and_keeps_no_link_to_it(client, setup):
    community, survey, person, _street = setup
    [code] = services.codes_issue(survey=survey, community=community, count=1)
    url = reverse("surveys:public_answer", args=[community.code])
    page = client.get(url)
    assert code.code not in page.content.decode()
    assert "王主任" in page.content.decode()
    done = client.post(url, {"code": code.code.lower(), **answers(survey, person, 5)})
    assert "感谢您的参与" in done.content.decode()
    code.refresh_from_db()
    assert code.used
    response = Response.objects.get()
    assert {f.name for f in Response._meta.get_fields()} >= {"survey", "community"}
    assert not any("code" in f.name for f in Response._meta.get_fields())
    assert Score.objects.filter(response=response).count() == 4
    again = client.post(url, {"code": code.code, **answers(survey, person, 1)})
    assert "该答题码已经使用过" in again.content.decode()
    assert Response.objects.count() == 1


def test_it_refuses_unknown_codes_late_answers_and_scores_out_of_range(client, setup):
    community, survey, person, _street = setup
    [code] = services.codes_issue(survey=survey, community=community, count=1)
    url = reverse("surveys:public_answer", args=[community.code])
    unknown = client.post(url, {"code": "NOPE2345", **answers(survey, person)})
    assert "答题码无效" in unknown.content.decode()
    high = client.post(url, {"code": code.code, **answers(survey, person, 6)})
    assert "评分应在 1 至 5 分之间。" in high.content.decode()
    missing = client.post(url, {"code": code.code})
    assert "请为此项打分。" in missing.content.decode()
    Survey.objects.filter(pk=survey.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as raised:
        services.answer_with_code(
            community=community,
            code=code.code,
            scores={},
            expected=[],
            on=timezone.localdate(),
        )
    assert "截止" in str(raised.value)
    code.refresh_from_db()
    assert not code.used
    assert not Response.objects.exists() and not Score.objects.exists()


def test_it_throttles_a_burst_of_answers_from_one_address(client, setup):
    community, survey, person, _street = setup
    url = reverse("surveys:public_answer", args=[community.code])
    statuses = [
        client.post(url, {"code": f"BAD{i:05d}", **answers(survey, person)}).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [200] * 10
    refused = client.post(url, {"code": "BAD99999", **answers(survey, person)})
    assert refused.status_code == 429
    assert "提交过于频繁" in refused.content.decode()


def test_it_enters_paper_questionnaires_and_shows_results_per_community(client, setup):
    community, survey, person, street = setup
    client.force_login(street)
    url = reverse("surveys:paper", args=[community.code, survey.pk])
    bad = client.post(url, answers(survey, person, 0))
    assert "评分应在 1 至 5 分之间。" in bad.content.decode()
    assert not Response.objects.exists()
    assert client.post(url, answers(survey, person, 4)).status_code == 302
    assert client.post(url, answers(survey, person, 5)).status_code == 302
    page = client.get(reverse("surveys:survey", args=[survey.pk]))
    [result] = page.context["results"]
    assert result.responses == 2
    assert str(result.rate) == "0.2"  # 2 of 1000 households
    assert [str(line.average) for line in result.lines] == ["4.50"] * 4
    assert "王主任" in result.lines[-1].text


def test_it_prints_code_slips_with_qr_codes(client, setup):
    community, survey, _person, street = setup
    client.force_login(street)
    url = reverse("surveys:codes", args=[community.code, survey.pk])
    assert client.post(url, {"count": 3}).status_code == 302
    page = client.get(url).content.decode()
    codes = AnswerCode.objects.filter(survey=survey)
    assert codes.count() == 3
    assert all(c.code in page for c in codes)
    assert page.count('class="segno"') == 3


def test_it_publishes_results_on_the_public_page_without_codes(client, setup):
    community, survey, person, street = setup
    [code] = services.codes_issue(survey=survey, community=community, count=1)
    public = reverse("surveys:public_results", args=[community.code])
    assert survey.title not in client.get(public).content.decode()
    services.answer_with_code(
        community=community,
        code=code.code,
        scores={
            k: 3 for k in services.question_keys(list(survey.questions.all()), [(person.pk, "")])
        },
        expected=services.question_keys(list(survey.questions.all()), [(person.pk, "")]),
        on=timezone.localdate(),
    )
    client.force_login(street)
    client.post(reverse("surveys:survey_publish", args=[survey.pk]))
    client.logout()
    page = client.get(public).content.decode()
    assert survey.title in page and "3.00" in page
    assert code.code not in page


def test_it_lists_surveys_in_a_constant_number_of_queries(client, setup):
    community, survey, _person, street = setup
    client.force_login(street)
    url = reverse("surveys:community_surveys", args=[community.code])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _i in range(5):
        make_survey(street, community)
    with CaptureQueriesContext(connection) as six:
        page = client.get(url)
    assert len(page.context["surveys"]) == 6
    assert len(six) == len(one)
    division = reverse("surveys:division_surveys", args=[STREET])
    with CaptureQueriesContext(connection) as listed:
        client.get(division)
    assert len(listed) <= len(one) + 2
