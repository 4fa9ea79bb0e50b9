"""A real streaming replica of the throwaway PostgreSQL cluster (core/dbrouter.py).

The module starts a hot standby of the test cluster with ``pg_basebackup -R`` on another port,
once the test database exists (so the copy holds it), and points a ``replica`` alias at the
standby's copy of the test database. Which server answered is proved by what it returned: the
standby's WAL replay is paused, the primary changed, and the page shows the old or the new
data. Skipped on SQLite; on PostgreSQL, missing server binaries fail the run when
REQUIRE_POSTGRES=1 (CI) and skip it otherwise.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse

from committees.models import Person
from core.dbrouter import PIN_COOKIE
from core.models import Role
from divisions.models import Community
from tests.conftest import STREET, replica_settings
from tests.system.conftest import free_port, postgres_only

# A streaming replica needs PostgreSQL.
pytestmark = [pytest.mark.system, postgres_only]
both = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=["default", "replica"]
)


def _binaries(server_version_num: int) -> Path | None:
    """The server's own binaries (pg_ctl is not on PATH on Debian)."""
    candidates = [Path(f"/usr/lib/postgresql/{server_version_num // 10000}/bin")]
    if os.environ.get("PG_CONFIG"):
        bindir = subprocess.run(
            [os.environ["PG_CONFIG"], "--bindir"], capture_output=True, text=True
        ).stdout.strip()
        candidates.insert(0, Path(bindir))
    if shutil.which("pg_ctl"):
        candidates.append(Path(shutil.which("pg_ctl")).parent)
    for candidate in candidates:
        if (candidate / "pg_ctl").exists() and (candidate / "pg_basebackup").exists():
            return candidate
    return None


class Standby:
    """A hot standby of the test cluster, run as the cluster's own OS user.

    PostgreSQL refuses to run as root. The test cluster belongs to the user pg_virtualenv made
    it for (``postgres`` when the tests run as root, as in CI; the caller otherwise), so the
    standby's files and processes belong to that user too.
    """

    def __init__(self, primary: dict, bindir: Path, owner: tuple[int, int], settings: dict):
        self.primary, self.bindir, self.owner = primary, bindir, owner
        self.port = free_port()
        # Not pytest's tmp_path: that is private to the user running the tests.
        self.directory = Path(tempfile.mkdtemp(prefix="portal-standby-"))
        self.data = self.directory / "data"
        self.log = self.directory / "standby.log"
        self.settings = settings

    def _run(self, *args: str, timeout: float = 120) -> None:
        as_owner: dict = {}
        if os.geteuid() != self.owner[0]:
            as_owner = {"user": self.owner[0], "group": self.owner[1], "extra_groups": []}
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            cwd=self.directory,
            env={**os.environ, "PGPASSWORD": self.primary["PASSWORD"]},
            capture_output=True,
            text=True,
            timeout=timeout,
            **as_owner,
        )
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {result.stdout}{result.stderr}\n{log}")

    def start(self) -> None:
        os.chown(self.directory, *self.owner)
        p = self.primary
        self._run(
            "pg_basebackup",
            *("-h", p["HOST"] or "localhost", "-p", str(p["PORT"]), "-U", p["USER"]),
            *("-D", str(self.data), "-R", "-X", "stream", "-c", "fast", "--no-sync"),
        )
        # Debian keeps the configuration outside the data directory: the copy has none.
        conf = {
            **self.settings,
            "port": str(self.port),
            "listen_addresses": "'localhost'",
            "unix_socket_directories": f"'{self.directory}'",
            "hot_standby": "on",
            "fsync": "off",
            "shared_buffers": "'32MB'",
            "logging_collector": "off",
        }
        files = {
            "postgresql.conf": "".join(f"{k} = {v}\n" for k, v in conf.items()),
            "pg_hba.conf": "host all all 127.0.0.1/32 scram-sha-256\n"
            "host all all ::1/128 scram-sha-256\n",
            "pg_ident.conf": "",
        }
        for name, text in files.items():
            (self.data / name).write_text(text)
            os.chown(self.data / name, *self.owner)
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        with self.connect() as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        self.catch_up()

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def connect(self, *, primary: bool = False):
        import psycopg

        p = self.primary
        return psycopg.connect(
            host=p["HOST"] or "localhost",
            port=p["PORT"] if primary else self.port,
            user=p["USER"],
            password=p["PASSWORD"],
            dbname=p["NAME"],
            autocommit=True,
        )

    def catch_up(self, timeout: float = 30) -> None:
        """Wait until the standby has replayed everything the primary has written so far."""
        with self.connect(primary=True) as primary:
            lsn = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with self.connect() as standby:
            while not standby.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
            ).fetchone()[0]:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the standby did not reach {lsn} in {timeout} s")
                time.sleep(0.02)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The standby lags: it receives the primary's WAL but applies none of it."""
        with self.connect() as standby:
            standby.execute("SELECT pg_wal_replay_pause()")
            try:
                yield
            finally:
                standby.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture(scope="module")
def standby(django_db_setup, django_db_blocker) -> Iterator[Standby]:
    """A streaming replica of the cluster, made once the test database exists on the primary,
    and the ``replica`` alias pointing at the standby's copy of that database."""
    with django_db_blocker.unblock():
        primary = copy.deepcopy(connections["default"].settings_dict)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            version = int(cursor.fetchone()[0])
            cursor.execute("SHOW data_directory")
            data_directory = cursor.fetchone()[0]
            # A hot standby needs at least the primary's values of these.
            settings = {}
            for name in (
                "max_connections",
                "max_worker_processes",
                "max_wal_senders",
                "max_prepared_transactions",
                "max_locks_per_transaction",
            ):
                cursor.execute(f"SHOW {name}")
                settings[name] = cursor.fetchone()[0]
        connection.close()
    bindir = _binaries(version)
    stat = os.stat(data_directory)
    owner = (stat.st_uid, stat.st_gid)
    problem = None
    if bindir is None:
        problem = "pg_ctl and pg_basebackup of the server's version are not installed"
    elif os.geteuid() not in (0, owner[0]):
        problem = "the tests run neither as root nor as the cluster's owner"
    if problem:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"cannot start a replica: {problem}")
        pytest.skip(f"cannot start a replica: {problem}")

    server = Standby(primary, bindir, owner, settings)
    try:
        server.start()
        alias = copy.deepcopy(primary)
        alias.update(PORT=str(server.port), ATOMIC_REQUESTS=False)
        # Only so that the test framework leaves the read-only standby alone (no flush, no
        # fixtures): the alias itself connects to the standby, not to the primary.
        alias["TEST"]["MIRROR"] = "default"
        connections.settings["replica"] = alias
        yield server
    finally:
        if "replica" in connections.settings:
            connections["replica"].close()
            del connections["replica"]
            del connections.settings["replica"]
        server.stop()


@pytest.fixture
def routed(standby, settings) -> Standby:
    replica_settings(settings)
    return standby


@contextlib.contextmanager
def recorded(alias: str) -> Iterator[list[str]]:
    """The SQL sent through one alias while the block runs."""
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connections[alias].execute_wrapper(record):
        yield statements


@both
def test_the_replica_alias_reaches_a_standby_in_recovery_with_the_test_database(standby):
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), pg_is_in_recovery(), current_database()")
        port, recovering, name = cursor.fetchone()
    assert (port, recovering) == (standby.port, True)
    assert name == connections["default"].settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), pg_is_in_recovery()")
        assert cursor.fetchone() == (int(standby.primary["PORT"]), False)


@both
def test_a_logged_in_get_reads_its_page_from_the_replica(client, make_user, community_in, routed):
    community = community_in(STREET)
    client.force_login(make_user(Role.STREET, STREET))
    routed.catch_up()
    url = reverse("committees:community", args=[community.code])
    with routed.paused():
        # Outside a request the ORM writes (and reads) the primary; the standby lags behind.
        Community.objects.filter(pk=community.pk).update(name="只在主库上的新名称")
        with recorded("default") as on_primary, recorded("replica") as on_replica:
            page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert community.name in html and "只在主库上的新名称" not in html
    assert any("committees_community" in sql for sql in on_replica)
    # The primary is asked for the session only (who is logged in must never lag).
    assert on_primary and all("django_session" in sql for sql in on_primary), on_primary
    routed.catch_up()
    assert "只在主库上的新名称" in client.get(url).content.decode()


@both
def test_the_page_after_a_post_reads_the_primary_while_the_replica_lags(
    client, make_user, community_in, routed
):
    code = community_in(STREET).code
    client.force_login(make_user(Role.STREET, STREET))
    routed.catch_up()
    with routed.paused():
        with recorded("replica") as on_replica:
            response = client.post(
                reverse("committees:person_create", args=[code]),
                {"name": "李四", "gender": "female", "ethnicity": "汉族"}
                | {"political_status": "masses"},
            )
        assert response.status_code == 302 and not on_replica
        person = Person.objects.using("default").get(name="李四")
        assert not Person.objects.using("replica").filter(pk=person.pk).exists()
        assert PIN_COOKIE in response.cookies

        # The redirect after the POST: pinned to the primary, it shows the new person.
        with recorded("replica") as on_replica:
            page = client.get(response.url)
        assert page.status_code == 200 and "李四" in page.content.decode()
        assert not on_replica

        # Without the pin the same page comes from the lagging replica: the pin is what counts.
        del client.cookies[PIN_COOKIE]
        with recorded("replica") as on_replica:
            page = client.get(response.url)
        assert page.status_code == 200 and "李四" not in page.content.decode()
        assert on_replica
    routed.catch_up()
    assert "李四" in client.get(response.url).content.decode()


@both
def test_commands_read_from_the_primary_even_with_a_replica(community_in, routed):
    community_in(STREET)
    routed.catch_up()
    with recorded("replica") as on_replica, recorded("default") as on_primary:
        call_command("evaluate_compliance", "--scope", STREET, "--no-progress")
    assert on_primary and not on_replica


@both
def test_while_the_replica_is_unreachable_pages_answer_503_and_saves_still_work(
    client, make_user, community_in, routed
):
    code = community_in(STREET).code
    client.force_login(make_user(Role.STREET, STREET))
    routed.catch_up()
    people = reverse("committees:people", args=[code])
    replica = connections["replica"]
    replica.close()
    port = replica.settings_dict["PORT"]
    replica.settings_dict["PORT"] = str(free_port())  # a port nothing listens on
    try:
        page = client.get(people)
        assert page.status_code == 503 and "系统暂时不可用" in page.content.decode()
        response = client.post(
            reverse("committees:person_create", args=[code]),
            {"name": "王五", "gender": "male", "ethnicity": "汉族", "political_status": "masses"},
        )
        assert response.status_code == 302
        assert "王五" in client.get(response.url).content.decode()  # pinned to the primary
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port
