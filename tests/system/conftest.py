"""What the system tests share: they start servers and clusters of their own, on loopback.

Every module here is marked ``system`` (``pytest -m system`` runs them alone; ``-m "not system"``
leaves them out). They run in `make test` and in CI, one at a time: a test that stops the
PostgreSQL cluster must not pull it from under another test.
"""

from __future__ import annotations

import socket

import pytest
from django.db import connection

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs the PostgreSQL server of scripts/with-postgres"
)


def free_port() -> int:
    """A loopback port nothing listens on (for a server to start on, or to find closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(name: str | None = None) -> str:
    """The URL of the test database (or of another database ``name`` on the same server)."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{name or s['NAME']}"
