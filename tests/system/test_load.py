"""The short version of the load test (scripts/load): 10 users for 10 s on PostgreSQL.

The full one (50 users, 60 s) runs with ``scripts/with-postgres scripts/load``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from tests.conftest import ROOT
from tests.system.conftest import database_url, postgres_only

# gunicorn + PostgreSQL, as in production
pytestmark = [pytest.mark.system, pytest.mark.load, postgres_only]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_users_reading_and_writing_get_no_error_and_lose_no_write(tmp_path):
    summary = tmp_path / "load.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "load"), "--users", "10", "--seconds", "10"]
        + ["--skip-migrate", "--json", str(summary)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url()},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert summary.exists(), result.stdout + result.stderr
    figures = json.loads(summary.read_text())
    assert figures["failures"] == 0, figures["errors"]
    assert figures["requests"] > 0
    assert figures["writes_confirmed"] > 0
    assert figures["writes_confirmed"] == figures["writes_stored"]
    assert figures["writes_lost"] == figures["writes_extra"] == figures["edits_lost"] == 0
    assert figures["ok"] and result.returncode == 0, result.stdout
    connection.close()  # the flush after this test must not wait for a stale session
