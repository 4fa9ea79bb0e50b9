"""Test-only views for tests/system/test_faults.py: requests that fail half-way."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from compliance.services import record_save
from divisions.models import Community
from funding.models import Allocation


def _write(code: str) -> None:
    community = Community.objects.get(code=code)
    record_save(
        actor=None,
        instance=Allocation(
            community=community,
            year=2024,
            source="street_finance",
            amount=Decimal("50000"),
            received_on=datetime.date(2024, 3, 1),
            note="半途失败",
        ),
        community=community,
    )


def write_then_fail(request: HttpRequest, code: str) -> HttpResponse:
    """Saves a record (and re-judges the community), then fails as a bug would."""
    _write(code)
    raise RuntimeError("failed half-way")


def write_then_lose_the_database(request: HttpRequest, code: str) -> HttpResponse:
    _write(code)
    raise OperationalError("server closed the connection unexpectedly")


handler500 = "core.faults.server_error"

urlpatterns = [
    path("fail/<str:code>/", write_then_fail),
    path("lose-db/<str:code>/", write_then_lose_the_database),
    path("", include("portal.urls")),
]
