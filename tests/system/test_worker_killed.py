"""A real worker (``manage.py db_worker``, its own process) is killed with SIGKILL in the middle
of a re-evaluation: the job's writes are all there or none, ``jobs_maintain`` queues it again
and a second worker finishes it; with no attempts left the job fails with a reason instead.

Everything runs in subprocesses against a database of the test's own, on a file (SQLite) or,
in the PostgreSQL run, a database created beside the test run's: the in-memory test database
is out of a second process's reach."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.system, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CODE = "4404"  # all of Zhuhai: 213 communities, the longest re-evaluation the slice has

SETUP = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from compliance import tasks
from core.models import User
from demo.committees import ZHUHAI_DIR
from divisions.imports import import_divisions
from divisions.models import Community
import_divisions(ZHUHAI_DIR)
Community.objects.update(households=1000, population=2800)
user = User.objects.create_user(username="city", password="x")
job, _ = tasks.start_division_evaluation(actor=user, code="CODE")
print("JOB", job.pk)
""".replace("CODE", CODE)


class Database:
    """The test's own database, reached by the subprocesses through DATABASE_URL and by the
    test through a plain DB-API connection (never Django's: that one is the test database)."""

    def __init__(self, tmp_path: Path):
        run_url = os.environ.get("DATABASE_URL", "")
        self.postgres = run_url.startswith("postgres")
        if self.postgres:
            import psycopg

            self.name = f"system_{os.getpid()}"
            self.admin_url = run_url
            with psycopg.connect(run_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = f"{run_url.rsplit('/', 1)[0]}/{self.name}"
        else:
            self.path = tmp_path / "portal.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def connect(self) -> Any:
        if self.postgres:
            import psycopg

            return psycopg.connect(self.url, autocommit=True)
        return sqlite3.connect(self.path, isolation_level=None, timeout=30)

    def value(self, sql: str) -> Any:
        connection = self.connect()
        try:
            row = connection.execute(sql).fetchone()
            return row[0] if row else None
        finally:
            connection.close()

    def drop(self) -> None:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(tmp_path)
    yield db
    db.drop()


def manage(db: Database, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(db, **env),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )


def environment(db: Database, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": db.url, "CONN_MAX_AGE": "0", **extra}


def worker(db: Database, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
        + ["--interval", "0.1", *args],
        cwd=ROOT,
        env=environment(db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def kill_in_the_middle(db: Database, job_id: int) -> None:
    """Start a worker and SIGKILL it while the job's transaction is open with writes in it."""
    process = worker(db)
    try:
        if db.postgres:
            # Progress is written by a side connection: the job is seen half-way while its own
            # transaction (the findings) is still open.
            wait_for(
                lambda: (db.value(f"SELECT done FROM jobs_job WHERE id = {job_id}") or 0) > 0,
                120,
                "the job to report progress",
            )
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            return
        wait_for(
            lambda: db.value(f"SELECT state FROM jobs_job WHERE id = {job_id}") == "running",
            120,
            "the worker to claim the job",
        )
        # A reader's shared lock keeps the worker from committing: it writes all its findings
        # (a hot rollback journal appears beside the file) and waits at COMMIT, where it dies.
        reader = db.connect()
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM jobs_job").fetchone()
        try:
            journal = Path(f"{db.path}-journal")
            wait_for(journal.exists, 4, "the worker's uncommitted writes")
            process.send_signal(signal.SIGKILL)
            process.wait(30)
        finally:
            reader.execute("COMMIT")
            reader.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)


def counts(db: Database) -> tuple[int, int]:
    return (
        db.value("SELECT count(*) FROM compliance_finding"),
        db.value("SELECT count(*) FROM compliance_jurisdictionfinding"),
    )


def setup_job(db: Database) -> int:
    output = manage(db, "shell", "-c", SETUP).stdout
    return int(output.split("JOB", 1)[1].split()[0])


def test_a_killed_worker_leaves_all_or_nothing_and_a_second_worker_finishes_the_job(database):
    db = database
    job_id = setup_job(db)

    kill_in_the_middle(db, job_id)

    assert db.value(f"SELECT state FROM jobs_job WHERE id = {job_id}") == "running"
    assert counts(db) == (0, 0)  # nothing of the killed run: its transaction was rolled back
    assert db.value("SELECT status FROM django_tasks_database_dbtaskresult") == "RUNNING"

    # cron's jobs_maintain finds the silent job (stale after 0 s here) and queues it again.
    out = manage(db, "jobs_maintain", JOBS_STALE_AFTER="0").stdout
    assert "re-queued 1, failed 0" in out
    assert db.value(f"SELECT state FROM jobs_job WHERE id = {job_id}") == "queued"

    second = worker(db, "--batch")
    _, errors = second.communicate(timeout=600)
    assert second.returncode == 0, errors

    state, attempts, done, total, error = (
        db.connect()
        .execute(f"SELECT state, attempts, done, total, error FROM jobs_job WHERE id = {job_id}")
        .fetchone()
    )
    assert (state, attempts, error) == ("done", 2, "")
    assert done == total == 213
    findings, jurisdiction_findings = counts(db)
    assert findings > 0 and jurisdiction_findings > 0
    statuses = db.connect().execute(
        "SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult "
        "ORDER BY enqueued_at"
    )
    assert [tuple(row) for row in statuses] == [
        ("FAILED", "jobs.services.WorkerLost"),
        ("SUCCESSFUL", ""),
    ]


def test_a_job_killed_with_no_attempts_left_fails_with_a_reason(database):
    db = database
    job_id = setup_job(db)

    kill_in_the_middle(db, job_id)

    out = manage(db, "jobs_maintain", JOBS_STALE_AFTER="0", JOBS_MAX_ATTEMPTS="1").stdout
    assert "re-queued 0, failed 1" in out
    state, error = (
        db.connect().execute(f"SELECT state, error FROM jobs_job WHERE id = {job_id}").fetchone()
    )
    assert state == "failed" and "进程中断" in error
    assert counts(db) == (0, 0)
