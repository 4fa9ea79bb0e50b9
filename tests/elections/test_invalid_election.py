"""An invalid election (turnout not over half of the registered voters) elects nobody, and the
election page says why instead of showing a winner."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import Role
from divisions.models import Community
from elections import selectors, services
from elections.models import Election, ElectionCandidate
from tests.conftest import STREET
from tests.elections.builders import ballots, election, stand

pytestmark = pytest.mark.django_db
DIRECTOR = ElectionCandidate.Position.DIRECTOR


@pytest.fixture
def community(community_in) -> Community:
    return community_in(STREET)


def voted(community: Community, cast: int) -> Election:
    """1000 registered voters, ``cast`` ballots, one director candidate with every vote."""
    e = ballots(election(community, seats=(1, 0, 0), registered=1000), 1000, cast, cast, 0)
    stand(e, DIRECTOR, cast)
    services.refresh_outcomes(e, None)
    return e


@pytest.mark.parametrize(("cast", "void"), [(500, True), (501, False)])
def test_it_elects_nobody_on_the_page_unless_more_than_half_voted(community, cast, void):
    page = selectors.election_page(voted(community, cast), selectors.datetime.date.today())
    assert bool(page.void_reason) is void
    assert bool(page.elected) is not void
    verdicts = {row.standard.code: row.status for row in page.verdicts}
    assert verdicts["EL-valid"] == ("non_compliant" if void else "compliant")
    # No "达标" for the winner beside "选举无效".
    assert verdicts["EL-win"] == ("not_applicable" if void else "compliant")


def test_the_election_page_says_why_nobody_is_elected(client, make_user, community):
    client.force_login(make_user(Role.STREET, STREET))
    e = voted(community, 500)
    html = client.get(reverse("elections:election", args=[community.code, e.pk])).content.decode()
    assert "选举无效,无人当选:参加投票 500,应参加投票 1000,未达过半数(EL-valid)。" in html
    assert "当选</span>" not in html
    assert "打印选举结果公告" not in html
