from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from divisions.models import Community, Division

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(db) -> Division:
    province = Division.objects.create(code="44", name="广东省", level=1)
    city = Division.objects.create(code="4404", name="珠海市", level=2, parent=province)
    district = Division.objects.create(code="440402", name="香洲区", level=3, parent=city)
    return Division.objects.create(code="440402001", name="翠香街道", level=4, parent=district)


def _violates(**fields) -> bool:
    try:
        with transaction.atomic():
            Community.objects.create(**fields)
    except IntegrityError:
        return True
    return False


def test_the_database_refuses_a_community_code_of_the_wrong_length(street):
    assert _violates(code="44040200100", name="x", street=street)
    assert not _violates(code="440402001001", name="x", street=street)


def test_the_database_refuses_an_occupancy_rate_outside_zero_to_one(street):
    assert _violates(code="440402001002", name="x", street=street, occupancy_rate="1.2")
    assert _violates(code="440402001003", name="x", street=street, occupancy_rate="-0.1")
    assert not _violates(code="440402001004", name="x", street=street, occupancy_rate="1")


def test_the_database_refuses_a_division_whose_code_does_not_fit_its_level(street):
    with pytest.raises(IntegrityError), transaction.atomic():
        Division.objects.create(code="4405", name="x", level=3, parent=street.parent)


def test_the_database_refuses_a_non_province_without_parent(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Division.objects.create(code="4404", name="珠海市", level=2)


def test_the_database_refuses_negative_households(street):
    assert _violates(code="440402001005", name="x", street=street, households=-1)
