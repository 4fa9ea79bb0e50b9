"""Faults: the database going away answers 503 in Chinese, and a failed request writes nothing."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from core.faults import server_error
from core.models import Role
from funding.models import Allocation
from tests.conftest import ROOT, STREET
from tests.system.conftest import database_url, free_port, postgres_only

UNAVAILABLE = "系统暂时不可用"

pytestmark = pytest.mark.system


def assert_unavailable(response) -> None:
    assert response.status_code == 503
    html = response.content.decode()
    assert UNAVAILABLE in html and "数据库暂时无法连接" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert response["Retry-After"]


@contextlib.contextmanager
def database_down():
    """Every query fails the way a dead server makes it fail (works on any backend)."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        yield


@pytest.mark.django_db
def test_pages_answer_503_in_chinese_while_queries_fail(client, make_user, community_in):
    code = community_in(STREET).code
    client.force_login(make_user(Role.STREET, STREET))
    with database_down():
        for url in (
            reverse("home"),
            reverse("committees:community", args=[code]),
            reverse("funding:ledger", args=[code]),
            reverse("governance:public_board", args=[code]),
        ):
            assert_unavailable(client.get(url))
        assert_unavailable(client.post(reverse("committees:person_create", args=[code]), {}))
        assert_unavailable(client.post(reverse("login"), {"username": "a", "password": "b"}))
        health = client.get(reverse("healthz"))
        assert health.status_code == 503 and health.json() == {"status": "unavailable"}
    assert client.get(reverse("committees:community", args=[code])).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200


def test_failures_outside_views_answer_503_too_and_other_errors_stay_500(db):
    request = RequestFactory().get("/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        assert_unavailable(server_error(request))
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500


@pytest.mark.urls("tests.system.fault_urls")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_request_that_fails_half_way_leaves_nothing_written(community_in):
    code = community_in(STREET).code
    client = Client(raise_request_exception=False)
    history = Allocation.history.count()
    assert client.get(f"/fail/{code}/").status_code == 500
    assert_unavailable(client.get(f"/lose-db/{code}/"))
    assert not Allocation.all_objects.exists()
    assert Allocation.history.count() == history


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_unreachable_server_answers_503_and_the_next_request_after_it_returns_works(
    client, make_user, community_in
):
    code = community_in(STREET).code
    client.force_login(make_user(Role.STREET, STREET))
    url = reverse("committees:community", args=[code])
    assert client.get(url).status_code == 200
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    try:
        assert_unavailable(client.get(url))
        assert client.get(reverse("healthz")).status_code == 503
        data = {"name": "李四", "gender": "female"}
        assert_unavailable(client.post(reverse("committees:person_create", args=[code]), data))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert client.get(url).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200


# --- the real thing: gunicorn on PostgreSQL, the server stopped and started again -----------


def _cluster() -> list[str] | None:
    """pg_ctlcluster arguments for the throwaway cluster of scripts/with-postgres, if any.

    Only a cluster that pg_virtualenv marked as its own throwaway one is ever stopped.
    """
    version = os.environ.get("PGVERSION")
    conf = Path(os.environ.get("PG_CLUSTER_CONF_ROOT", "/etc/postgresql"))
    if not (version and shutil.which("pg_ctlcluster")):
        return None
    if not (conf / version / "regress" / ".by_pg_virtualenv").exists():
        return None
    return ["pg_ctlcluster", version, "regress"]


def _get(url: str, cookie: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@contextlib.contextmanager
def gunicorn(database_url: str, tmp_path: Path):
    """The portal as production runs it (gunicorn, DEBUG off), on loopback."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": "k" * 50}
    env.update(ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0")
    env.update(CSRF_COOKIE_SECURE="0", CONN_MAX_AGE="600")
    # Pages, not static files, are what is tested: no two-minute collectstatic.
    env["STATIC_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as errors:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            with contextlib.suppress(OSError):
                if _get(f"{base}/healthz")[0] == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    except BaseException:
        print(log.read_text()[-5000:])
        raise
    finally:
        server.terminate()
        server.wait(timeout=30)


@postgres_only
@pytest.mark.skipif(_cluster() is None, reason="needs the throwaway cluster of with-postgres")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_gunicorn_answers_503_while_postgres_is_stopped_and_recovers_by_itself(
    make_user, community_in, tmp_path
):
    """While the server is down every request gets the Chinese 503 page; when it is back the
    next request works, even after a restart that no request saw (CONN_HEALTH_CHECKS)."""
    from django.contrib.sessions.backends.db import SessionStore

    code = community_in(STREET).code
    user = make_user(Role.STREET, STREET)
    session = SessionStore()
    session["_auth_user_id"], session["_auth_user_backend"] = (
        str(user.pk),
        ("django.contrib.auth.backends.ModelBackend"),
    )
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.save()
    cookie = f"sessionid={session.session_key}"
    page = f"/c/{code}/"
    with gunicorn(database_url(), tmp_path) as base:
        assert _get(base + page, cookie)[0] == 200  # opens the persistent connection
        connection.close()
        subprocess.run([*_cluster(), "stop", "-m", "fast"], check=True, timeout=60)
        try:
            status, html = _get(base + page, cookie)
            assert status == 503 and UNAVAILABLE in html and "Traceback" not in html
            assert _get(base + "/healthz")[0] == 503
            assert _get(base + "/public/")[0] == 503
        finally:
            subprocess.run([*_cluster(), "start"], check=True, timeout=60)
        status, html = _get(base + page, cookie)
        assert status == 200, html[:500]
        assert _get(base + "/healthz")[0] == 200
        # A restart that no request saw: the persistent connection is dead without anyone
        # knowing; the health check at the start of the next request replaces it.
        subprocess.run([*_cluster(), "restart", "-m", "fast"], check=True, timeout=60)
        status, html = _get(base + page, cookie)
        assert status == 200, html[:500]
    connection.close()
