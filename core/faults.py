"""What the portal answers when the database is down: 503 and a page in Chinese, never a trace.

The page is rendered without the request context: the base template would look up the user,
which needs the session, which needs the database that is down.
"""

from __future__ import annotations

import logging
import sys

from django import db
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

log = logging.getLogger("core.faults")

# Seconds a client (or load balancer) is asked to wait before trying again.
RETRY_AFTER = 30


def is_database_down(exception: BaseException | None) -> bool:
    """Connection-level failures (server gone, refused, reset), not bad SQL or constraints.

    psycopg reports a refused connection and a server that went away mid-query as
    OperationalError, a closed connection as InterfaceError; SQLite reports an unreachable file
    as OperationalError too ("unable to open database file"). Anything from the database layer
    that is not a data or programming error means "the database is not there".
    """
    return isinstance(exception, db.OperationalError | db.InterfaceError)


def database_unavailable(request: HttpRequest, exception: BaseException | None) -> HttpResponse:
    # Django closes the broken connection itself when the request ends (it checks connections
    # that saw errors), so the next request opens a fresh one.
    log.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: 503 when the failure was the database going away, the usual 500 otherwise.

    Django calls it inside the ``except`` block of the failed request, so the exception is
    still at hand.
    """
    exception = sys.exc_info()[1]
    if is_database_down(exception):
        return database_unavailable(request, exception)
    return defaults.server_error(request, template_name)
