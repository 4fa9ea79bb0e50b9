"""Helpers of the API tests: tokens for users, a client that sends one, a record per kind."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from api import services
from core.models import User
from divisions.models import Community
from facilities import services as facility_services
from facilities.models import Facility


@pytest.fixture
def token_for() -> Callable[..., str]:
    def make(user: User, *, read_only: bool = False, code: str = "") -> str:
        _, raw = services.token_create(
            actor=user,
            name="test",
            expires_on=timezone.localdate() + datetime.timedelta(days=30),
            read_only=read_only,
            code=code,
        )
        return raw

    return make


@pytest.fixture
def api() -> Callable[[str], Client]:
    def make(raw: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", enforce_csrf_checks=True)

    return make


def room(community: Community, actor: User, name: str = "活动室") -> Facility:
    return facility_services.facility_save(
        actor=actor,
        community=community,
        facility=None,
        data={
            "kind": Facility.Kind.SERVICE_STATION,
            "name": name,
            "indoor": True,
            "area_m2": Decimal("120"),
            "tenure": Facility.Tenure.choices[0][0],
        },
    )
