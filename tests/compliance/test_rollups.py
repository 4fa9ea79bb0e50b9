"""Roll-ups per division: equal to the findings after every evaluation, and what dashboards read."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance import rollups
from compliance.counts import division_totals, totals
from compliance.engine import evaluate_communities, reevaluate_community
from compliance.models import Finding, Rollup
from compliance.rollups import division_prefix
from core.models import Role
from demo.committees import ZHUHAI_DIR
from divisions.imports import import_divisions
from divisions.models import Community, Division
from tests.conftest import CITY, DISTRICT, OTHER_DISTRICT, STREET

AS_OF = datetime.date(2025, 6, 30)


# The households rule alone: its findings are easy to steer from the profile.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_households_rule")]


def expected_rollups() -> dict[tuple[str, int | None], Counter]:
    """The roll-ups recomputed the slow way, from every current finding."""
    counts: dict[tuple[str, int | None], Counter] = defaultdict(Counter)
    for code, standard, status in Finding.objects.filter(is_current=True).values_list(
        "code", "standard_id", "status"
    ):
        counts[(code, None)][status] += 1
        for length in (0, 2, 4, 6, 9):
            counts[(code[:length], standard)][status] += 1
            counts[(code[:length], None)][status] += 1
    return counts


def stored_rollups() -> dict[tuple[str, int | None], Counter]:
    """The status counts of the stored roll-ups (rows of divisions without findings left out:
    they exist, for their community counts, but count nothing)."""
    stored = {}
    for row in Rollup.objects.all():
        assert row.length == len(row.code)
        counts = Counter(
            {
                status: getattr(row, status)
                for status in ("compliant", "non_compliant", "no_data", "not_applicable")
                if getattr(row, status)
            }
        )
        if counts:
            stored[(row.code, row.standard_id)] = counts
    return stored


def assert_totals_match_the_communities() -> None:
    for code in ["", "44", CITY, DISTRICT, STREET, OTHER_DISTRICT]:
        assert division_totals(code) == totals(Community.objects.filter(code__startswith=code))
    for community in Community.objects.all()[:5]:
        row = Rollup.objects.get(code=community.code, standard=None)
        assert (row.communities, row.households) == (1, community.households or 0)


def test_it_counts_the_findings_of_every_division_and_every_community(zhuhai):
    Community.objects.filter(code__startswith=STREET).update(households=2500)
    Community.objects.filter(code__startswith=OTHER_DISTRICT).update(households=None)
    evaluate_communities(Community.objects.all(), AS_OF)
    assert stored_rollups() == expected_rollups()
    assert_totals_match_the_communities()
    country = Rollup.objects.get(code="", standard=None)
    assert country.as_of == AS_OF
    assert country.compliant + country.non_compliant + country.no_data == Finding.objects.count()


def test_it_stays_in_sync_when_one_community_is_re_evaluated(zhuhai, community_in):
    evaluate_communities(Community.objects.all(), AS_OF)
    community = community_in(STREET)
    street_before = Rollup.objects.get(code=STREET, standard=None)
    community.households = None
    community.save()
    reevaluate_community(community, AS_OF)
    assert stored_rollups() == expected_rollups()
    street_after = Rollup.objects.get(code=STREET, standard=None)
    assert street_after.no_data == street_before.no_data + 2  # N18-06 and GD-01
    assert street_after.households == street_before.households - 1000
    assert street_after.households_missing == 1
    assert Rollup.objects.get(code=community.code).no_data == 2
    assert_totals_match_the_communities()


def test_importing_divisions_counts_the_new_communities_in(zhuhai):
    evaluate_communities(Community.objects.all(), AS_OF)
    street = Division.objects.get(code=STREET)
    Community.objects.create(code=f"{STREET}999", name="新社区", street=street, households=10)
    import_divisions(ZHUHAI_DIR)  # nothing new in the files: the roll-ups are left as they are
    assert (
        division_totals(STREET).communities
        == Community.objects.filter(code__startswith=STREET).count() - 1
    )
    rollups.refresh("")
    assert_totals_match_the_communities()


def test_division_pages_count_live_before_the_first_evaluation(client, make_user, zhuhai):
    Rollup.objects.all().delete()
    client.force_login(make_user(Role.BUREAU, CITY))
    response = client.get(reverse("division", args=[CITY]))
    assert response.context["totals"].communities == 213
    assert len(response.context["rows"]) == 3


def test_a_scoped_evaluation_recounts_its_divisions_and_those_above(zhuhai):
    evaluate_communities(Community.objects.all(), AS_OF)
    Community.objects.filter(code__startswith=OTHER_DISTRICT).update(households=None)
    evaluate_communities(Community.objects.filter(code__startswith=OTHER_DISTRICT), AS_OF)
    assert stored_rollups() == expected_rollups()


def test_a_later_date_elsewhere_is_counted_once(zhuhai, community_in):
    evaluate_communities(Community.objects.all(), AS_OF)
    reevaluate_community(community_in(STREET), AS_OF + datetime.timedelta(days=1))
    assert stored_rollups() == expected_rollups()


@pytest.mark.parametrize(
    ("codes", "prefix"),
    [
        ([], ""),
        (["440402001001"], "440402001001"),
        (["440402001001", "440402001002"], "440402001"),
        (["440402001001", "440402002001"], "440402"),
        (["440402001001", "440403001001"], "4404"),
        (["440402001001", "450402001001"], ""),
    ],
)
def test_the_recount_covers_the_smallest_division_holding_every_community(codes, prefix):
    assert division_prefix(codes) == prefix


# --- dashboards read the roll-ups: constant queries as the country grows ---------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow() -> None:
    """Another province, with a city, a district, a street and 150 communities, and 150 more
    communities in the Zhuhai street."""
    province = Division.objects.create(code="45", name="广西壮族自治区", level=1)
    city = Division.objects.create(code="4501", name="南宁市", level=2, parent=province)
    district = Division.objects.create(code="450102", name="兴宁区", level=3, parent=city)
    street = Division.objects.create(code="450102001", name="民生街道", level=4, parent=district)
    zhuhai_street = Division.objects.get(code=STREET)
    Community.objects.bulk_create(
        [
            Community(code=f"450102001{i:03d}", name=f"民生{i}", street=street, households=800)
            for i in range(1, 151)
        ]
        + [
            Community(
                code=f"{STREET}{900 - i:03d}", name=f"新{i}", street=zhuhai_street, households=2500
            )
            for i in range(150)
        ]
    )
    evaluate_communities(Community.objects.all(), AS_OF)


@pytest.mark.parametrize(
    "target", ["national", "44", CITY, DISTRICT, STREET], ids=lambda t: t or "national"
)
def test_dashboards_keep_their_query_count_as_the_country_grows(client, make_user, zhuhai, target):
    evaluate_communities(Community.objects.all(), AS_OF)
    client.force_login(make_user(is_superuser=True, is_staff=True))
    url = reverse("national") if target == "national" else reverse("division", args=[target])
    before = _queries(client, url)
    _grow()
    assert _queries(client, url) == before


def test_the_national_dashboard_never_reads_findings(client, make_user, zhuhai):
    evaluate_communities(Community.objects.all(), AS_OF)
    client.force_login(make_user(is_superuser=True, is_staff=True))
    table = Finding._meta.db_table
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("national"))
    assert response.status_code == 200
    # Findings are read only for the communities an exemption covers (a handful), never
    # scanned: the one query that names them is driven by the exemptions in force.
    reads = [q["sql"] for q in ctx.captured_queries if table in q["sql"]]
    assert all("supervision_exemption" in sql for sql in reads)
    assert "达标率" in response.content.decode()


def test_the_street_dashboard_shows_each_community_from_its_roll_up(client, make_user, zhuhai):
    evaluate_communities(Community.objects.all(), AS_OF)
    client.force_login(make_user(Role.STREET, STREET))
    response = client.get(reverse("division", args=[STREET]))
    board = response.context["board"]
    communities = Community.objects.filter(code__startswith=STREET).values_list("code", flat=True)
    assert set(board.children) == set(communities)
    assert board.tally.total == Finding.objects.filter(code__startswith=STREET).count()
