"""Test-only views for tests/core/test_dbrouter.py: each says where its reads would go."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import router, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from divisions.models import Community


def _where() -> dict[str, str]:
    return {"read": router.db_for_read(Community), "session": router.db_for_read(Session)}


def reads(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_where())


def reads_after_a_write(request: HttpRequest) -> JsonResponse:
    before = _where()
    router.db_for_write(Community)  # what every ORM write asks first
    return JsonResponse({"before": before, "after": _where()})


def reads_in_its_own_transaction(request: HttpRequest) -> JsonResponse:
    with transaction.atomic():
        inside = _where()
    return JsonResponse({"inside": inside, "after": _where()})


@transaction.non_atomic_requests
def reads_in_a_transaction_without_atomic_requests(request: HttpRequest) -> JsonResponse:
    outside = _where()
    with transaction.atomic():
        inside = _where()
    return JsonResponse({"outside": outside, "inside": inside})


urlpatterns = [
    path("where/", reads),
    path("where/write/", reads_after_a_write),
    path("where/atomic/", reads_in_its_own_transaction),
    path("where/non-atomic/", reads_in_a_transaction_without_atomic_requests),
    path("", include("portal.urls")),
]
