"""BY-06 (八必报) and BY-08 (件件有回应): the pure judges at their boundaries and the measure."""

from __future__ import annotations

import datetime

import pytest

from compliance.rules import registry
from divisions.models import Community
from grassroots.models import Request
from grassroots.rules import judge_building_reports, judge_requests_answered
from tests.conftest import STREET

AS_OF = datetime.date(2024, 6, 30)


@pytest.mark.parametrize("judge", [judge_building_reports, judge_requests_answered])
def test_it_asks_for_the_register_without_any_item(judge):
    assert judge(None).status == "no_data"
    assert judge(None).missing == "grassroots.requests"


@pytest.mark.parametrize("judge", [judge_building_reports, judge_requests_answered])
def test_it_fails_on_one_unanswered_overdue_item_and_passes_on_none(judge):
    assert judge((5, 5, 4, 0, 1)).status == "non_compliant"
    assert judge((5, 5, 4, 1, 0)).status == "compliant"


def test_it_shows_the_share_answered_in_time():
    verdict = judge_requests_answered((4, 4, 3, 1, 0))
    assert "75.0%" in verdict.measured


@pytest.mark.django_db
def test_it_measures_the_twelve_months_up_to_the_date(community_in):
    community = community_in(STREET)

    def item(received, due, answered=None, category="request"):
        return Request.objects.create(
            community=community,
            received_on=received,
            due_on=due,
            channel="phone",
            category=category,
            summary="事项",
            answer="已答复" if answered else "",
            answered_on=answered,
        )

    d = datetime.date
    item(d(2023, 6, 30), d(2023, 7, 1))  # a year and a day before: outside the window
    item(d(2023, 7, 1), d(2023, 7, 2), d(2023, 7, 2))  # answered on its due date: in time
    item(d(2024, 6, 1), d(2024, 6, 2), d(2024, 6, 3), "safety_hazards")  # late
    item(d(2024, 6, 20), d(2024, 6, 29))  # unanswered and past due on the date
    item(d(2024, 6, 25), d(2024, 6, 30))  # due on the date itself: not overdue yet
    item(d(2024, 6, 10), d(2024, 6, 12), d(2024, 7, 1))  # answered only after the date
    communities = Community.objects.filter(pk=community.pk)
    answered = registry.get("grassroots.requests_answered").measure(communities, AS_OF)
    assert answered[community.pk] == (5, 4, 1, 1, 2)
    reports = registry.get("grassroots.building_reports").measure(communities, AS_OF)
    assert reports[community.pk] == (1, 1, 0, 1, 0)


def test_the_catalogue_standards_use_these_rules():
    from compliance.catalog import STANDARDS

    keys = {s["id"]: s["rule_key"] for s in STANDARDS}
    assert keys["BY-06"] in registry and keys["BY-08"] in registry
