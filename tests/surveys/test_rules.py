"""CZ-10: a satisfaction survey answered within the year, its results published."""

from __future__ import annotations

import datetime

import pytest

from compliance.rules import registry
from compliance.status import Status
from divisions.models import Community
from surveys.models import Question, Response, Survey

RULE = "governance.satisfaction_survey"
AS_OF = datetime.date(2026, 6, 30)
PARAMS = {"per_period": "year", "results_published": True}


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (None, Status.NON_COMPLIANT),
        ((datetime.date(2026, 1, 31), False), Status.NON_COMPLIANT),
        ((datetime.date(2026, 1, 31), True), Status.COMPLIANT),
    ],
)
def test_it_judges_a_survey_and_its_publication(value, status):
    assert registry.get(RULE).judge(value, PARAMS, as_of=AS_OF).status == status


def test_it_does_not_ask_for_publication_when_the_standard_does_not():
    verdict = registry.get(RULE).judge(
        (datetime.date(2026, 1, 31), False), {"per_period": "year"}, as_of=AS_OF
    )
    assert verdict.status == Status.COMPLIANT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("closes_on", "answered", "found"),
    [
        (AS_OF, True, True),  # closing on the day counts
        (AS_OF - datetime.timedelta(days=364), True, True),
        (AS_OF - datetime.timedelta(days=365), True, False),  # a year ago: too old
        (AS_OF + datetime.timedelta(days=1), True, False),  # not closed yet
        (AS_OF, False, False),  # nobody answered
    ],
)
def test_it_measures_the_latest_answered_survey_of_the_year(
    community_in, closes_on, answered, found
):
    community = community_in("440402001")
    other = community_in("440402002")
    survey = Survey.objects.create(
        code="440402", title="测评", opens_on=closes_on, closes_on=closes_on, published_on=AS_OF
    )
    survey.communities.add(community, other)
    Question.objects.create(survey=survey, position=1, text="总体")
    if answered:
        Response.objects.create(
            survey=survey, community=community, channel="paper", submitted_on=closes_on
        )

    value = registry.get(RULE).measure(
        Community.objects.filter(pk__in=[community.pk, other.pk]), AS_OF
    )
    assert value[community.pk] == ((closes_on, True) if found else None)
    assert value[other.pk] is None  # surveyed, but none of its residents answered
