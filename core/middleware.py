from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

# C0 and C1 control characters (tab and line breaks are ordinary text).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class ChineseByDefaultMiddleware:
    """Serve Simplified Chinese unless the user chose another language (cookie or session).

    Django would otherwise follow the browser's Accept-Language, and many office machines run
    English-language browsers. Placed before LocaleMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class StripNulQueryMiddleware:
    """Drop NUL characters from query-string values.

    PostgreSQL refuses text containing NUL, so a search box fed "%00" would otherwise end in a
    500. Nobody types NUL; removing it keeps every other character the user sent.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # No URL of the portal has a control character: a code with one ("…001%00") is a 404
        # here, before it reaches a query (PostgreSQL refuses NUL in text: a 500).
        if CONTROL_CHARACTERS.search(request.path):
            raise Http404
        if any("\x00" in value for _key, values in request.GET.lists() for value in values):
            cleaned = request.GET.copy()
            for key, values in request.GET.lists():
                cleaned.setlist(key, [value.replace("\x00", "") for value in values])
            cleaned._mutable = False
            # The stubs type GET as their immutable QueryDict: this one was made so just above.
            request.GET = cleaned  # type: ignore[assignment]
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send the Content Security Policy of settings.CONTENT_SECURITY_POLICY on every response.

    Django 5.2 has no built-in CSP. The portal's templates contain no inline script, inline event
    handler or style attribute (tests/portal/test_security.py checks), so the policy can forbid
    them all. A response that already carries a policy (an uploaded file served with a sandbox
    policy, say) keeps its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        from django.conf import settings

        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 with a page in Chinese.

    Catches what views raise; failures outside a view (a session saved by middleware, say) end in
    ``handler500`` (portal.views.server_error), which makes the same distinction. With
    CONN_HEALTH_CHECKS a broken persistent connection is replaced on the next request, so the
    portal recovers by itself when the database returns.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from core.faults import database_unavailable, is_database_down

        if is_database_down(exception):
            return database_unavailable(request, exception)
        return None


class QueryCountMiddleware:
    """Report the number of database queries of each request in an ``X-Query-Count`` header.

    For the benchmark (scripts/bench) only: enabled by PORTAL_COUNT_QUERIES=1, first in the
    stack so that the session and user lookups are counted too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.db import connection

        count = 0

        def counter(
            execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict
        ) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response


class PortalErrorPagesMiddleware:
    """With DEBUG on, a 404 or a failing view still answers with the portal's Chinese pages.

    Django shows its own English technical pages whenever DEBUG is on; the demo (``make run``)
    runs with DEBUG on so that static files are served without collectstatic, and must still
    look like the portal. A developer who wants the technical pages sets DEBUG_ERROR_PAGES=1.
    With DEBUG off Django already uses handler404/handler500, and this does nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    @staticmethod
    def _active() -> bool:
        from django.conf import settings

        return settings.DEBUG and not getattr(settings, "DEBUG_ERROR_PAGES", False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # An address that matches no URL never reaches a view (nor process_exception).
        if (
            response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and self._active()
        ):
            from django.views import defaults

            return defaults.page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not self._active():
            return None
        from django.views import defaults

        from core.faults import server_error

        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception)
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=exception
        )
        return server_error(request)
