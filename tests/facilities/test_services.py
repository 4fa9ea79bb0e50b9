"""facility_save takes a room's field values, never a form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.models import Role
from facilities import services
from facilities.models import Facility
from tests.conftest import OTHER_STREET, STREET

pytestmark = pytest.mark.django_db
ROOM = {"kind": "office", "name": "办公室", "area_m2": Decimal("80"), "tenure": "owned"}


@pytest.fixture
def clerk(make_user, zhuhai):
    return make_user(Role.STREET, STREET)


def test_a_room_is_recorded_and_changed_with_who_did_it(clerk, community_in):
    community = community_in(STREET)
    room = services.facility_save(actor=clerk, community=community, facility=None, data=ROOM)
    assert room.community == community and room.area_m2 == 80
    services.facility_save(
        actor=clerk, community=community, facility=room, data={"area_m2": Decimal("120")}
    )
    room.refresh_from_db()
    assert room.area_m2 == 120 and room.name == "办公室"
    assert [h.history_user for h in room.history.all()] == [clerk, clerk]


def test_the_model_s_rules_are_checked_and_keyed_by_field(clerk, community_in):
    with pytest.raises(ValidationError) as refused:
        services.facility_save(
            actor=clerk,
            community=community_in(STREET),
            facility=None,
            data={**ROOM, "tenure": "rented"},
        )
    assert "年租金" in " ".join(refused.value.messages)
    assert not Facility.objects.exists()


def test_only_the_room_s_own_fields_are_taken(clerk, community_in):
    community = community_in(STREET)
    room = services.facility_save(actor=clerk, community=community, facility=None, data=ROOM)
    with pytest.raises(TypeError):
        services.facility_save(
            actor=clerk,
            community=community,
            facility=room,
            data={"community": community_in(OTHER_STREET)},
        )
    with pytest.raises(ValueError):
        services.facility_save(
            actor=clerk, community=community_in(OTHER_STREET), facility=room, data={}
        )
