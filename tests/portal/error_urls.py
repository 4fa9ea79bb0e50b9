"""Test-only URLs for tests/portal/test_error_pages.py: the portal's, plus a view that fails."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    path("boom/", boom),
    path("", include("portal.urls")),
]
