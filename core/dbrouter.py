"""Reads from a streaming read replica, writes to the primary (only with DATABASE_REPLICA_URL).

Settings install ``PrimaryReplicaRouter`` and ``ReplicaPinMiddleware`` when the environment
names a replica; without one neither is installed and everything uses ``default``.

Where a read goes:

- Outside web requests (management commands, cron jobs, the shell, tests): the primary. The
  nightly evaluation and the imports read what they have just written, and a lagging replica
  must never feed them.
- A request with a method that may write (POST, PUT, PATCH, DELETE): the primary, reads and
  writes alike. With ATOMIC_REQUESTS the view is one transaction on the primary, and nothing it
  writes is visible on the replica before it commits.
- Its response sets a signed cookie for REPLICA_PIN_SECONDS: the page the browser is redirected
  to after a save (and whatever it opens in those seconds) also reads from the primary, so the
  user sees what they saved however far the replica lags.
- A safe request (GET, HEAD…) reads from the replica, except: once it has written anything
  (a session saved, a row created), the rest of the request and the next REPLICA_PIN_SECONDS
  read from the primary; inside a ``transaction.atomic`` the view opens itself (beyond the
  request's own), reads go to the primary, where its writes and locks are.
- Sessions are always read from the primary, so that a login or a logout takes effect at once.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signing import BadSignature
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
PIN_COOKIE = "portal_primary"
PIN_SALT = "core.dbrouter.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Read from the primary even in safe requests: sessions decide who is logged in.
PRIMARY_ONLY_APPS = frozenset({"sessions"})


@dataclass
class _RequestReads:
    replica: bool  # may this request read from the replica (now)?
    depth: int  # atomic blocks open on the primary that belong to the request itself
    wrote: bool = False


# Per request (and thread): None outside requests, which means "the primary".
_current: ContextVar[_RequestReads | None] = ContextVar("portal_request_reads", default=None)


def reads_from_replica() -> bool:
    """Whether a read made now would go to the replica (for tests and diagnostics)."""
    state = _current.get()
    return (
        state is not None
        and state.replica
        and len(connections[PRIMARY].atomic_blocks) <= state.depth
    )


class PrimaryReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if model._meta.app_label in PRIMARY_ONLY_APPS or not reads_from_replica():
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = _current.get()
        if state is not None:
            # Whatever the request reads from now on must include what it wrote.
            state.replica = False
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: objects from either may be related.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        # A standby is read-only: migrations run on the primary and reach it by replication.
        return db == PRIMARY


class ReplicaPinMiddleware:
    """Decides, per request, whether reads may go to the replica (see the module docstring).

    Placed before SessionMiddleware, so that the session is read under the request's rule and
    a session saved on the way out counts as a write.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.pin_seconds = getattr(settings, "REPLICA_PIN_SECONDS", 5)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        safe = request.method in SAFE_METHODS
        state = _RequestReads(
            replica=safe and not self._pinned(request),
            depth=len(connections[PRIMARY].atomic_blocks),
        )
        token = _current.set(state)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if (state.wrote or not safe) and self.pin_seconds > 0:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=self.pin_seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        # With ATOMIC_REQUESTS Django opens the request's own transaction on the primary just
        # after this: reads inside it may still go to the replica, reads in a deeper one not.
        state = _current.get()
        atomic = connections[PRIMARY].settings_dict.get("ATOMIC_REQUESTS")
        if (
            state is not None
            and atomic
            and PRIMARY not in getattr(view_func, "_non_atomic_requests", set())
        ):
            state.depth += 1
        return None

    def _pinned(self, request: HttpRequest) -> bool:
        if self.pin_seconds <= 0:
            return False
        try:
            request.get_signed_cookie(PIN_COOKIE, salt=PIN_SALT, max_age=self.pin_seconds)
        except (KeyError, BadSignature):  # absent, forged or expired (SignatureExpired)
            return False
        return True
