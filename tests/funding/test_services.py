"""The funding services take field values, never a form."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from committees.models import Person
from core.models import Role
from funding import services
from funding.models import Allocation, StaffPay, WageBenchmark
from tests.conftest import DISTRICT, OTHER_STREET, STREET

pytestmark = pytest.mark.django_db
YEAR = datetime.date.today().year


@pytest.fixture
def clerk(make_user, zhuhai):
    return make_user(Role.STREET, STREET)


def test_an_allocation_is_recorded_then_deleted_softly(clerk, community_in):
    community = community_in(STREET)
    allocation = services.allocation_save(
        actor=clerk,
        community=community,
        allocation=None,
        data={
            "year": YEAR,
            "source": "street_finance",
            "amount": Decimal("5000"),
            "received_on": datetime.date(YEAR, 1, 5),
        },
    )
    services.record_delete(actor=clerk, community=community, record=allocation, reason="重复登记")
    assert not Allocation.objects.exists()
    deleted = Allocation.all_objects.get()
    assert deleted.history.latest().history_change_reason == "重复登记"


def test_pay_is_recorded_only_for_the_community_s_own_people(clerk, community_in):
    community = community_in(STREET)
    outsider = Person.objects.create(community=community_in(OTHER_STREET), name="外人")
    data = {"person": outsider, "year": YEAR, "annual_pay": Decimal("60000")}
    with pytest.raises(ValidationError) as refused:
        services.pay_save(actor=clerk, community=community, pay=None, data=data)
    assert "本社区" in " ".join(refused.value.message_dict["person"])
    assert not StaffPay.objects.exists()


def test_a_benchmark_is_recorded_with_who_did_it(make_user, zhuhai):
    bureau = make_user(Role.BUREAU, DISTRICT)
    data = {"code": DISTRICT, "year": YEAR - 1, "kind": "local_average_wage"}
    benchmark = services.benchmark_save(
        actor=bureau, data={**data, "annual_amount": Decimal("90000"), "source": "统计公报"}
    )
    assert WageBenchmark.objects.get() == benchmark
    assert benchmark.history.get().history_user == bureau
