"""CACHE_URL: a shared Redis cache for every app server, and sessions kept in it.

The module starts its own redis-server on a free port in a temporary folder. Without
redis-server installed it is skipped, unless REQUIRE_REDIS=1 (CI), where that fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import environ
import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from core.models import Role
from tests.conftest import STREET, loaded_settings
from tests.system.conftest import free_port

pytestmark = pytest.mark.system

CACHED_DB = "django.contrib.sessions.backends.cached_db"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    import redis

    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is not installed, and REQUIRE_REDIS=1")
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    directory = tempfile.mkdtemp(prefix="portal-redis-")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", directory]
        + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        probe = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                probe.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/1"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def redis_db(redis_url):
    """A client of the Redis database CACHE_URL names, emptied before each test."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    return client


@pytest.fixture
def shared_cache(settings, redis_url, redis_db):
    """What portal/settings.py does with CACHE_URL, in this process."""
    settings.CACHES = {"default": environ.Env.cache_url_config(redis_url)}
    settings.SESSION_ENGINE = CACHED_DB


def test_without_a_cache_url_each_process_keeps_its_own_cache_and_sessions_the_database():
    loaded = loaded_settings()
    assert loaded["caches"]["default"]["BACKEND"].endswith("LocMemCache")
    assert loaded["sessions"] == "django.contrib.sessions.backends.db"


def test_a_cache_url_puts_the_cache_and_the_sessions_in_redis(redis_url, redis_db):
    loaded = loaded_settings(CACHE_URL=redis_url)
    assert loaded["caches"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["sessions"] == CACHED_DB
    # The configured cache works: another process stores a value, Redis holds it.
    script = (
        "import django; django.setup(); from django.core.cache import cache; "
        "cache.set('another-server', 42); print(cache.get('another-server'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "CACHE_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "42", result.stderr
    assert redis_db.exists(":1:another-server")


def test_a_login_on_one_server_is_read_through_the_cache_on_another(
    shared_cache, redis_db, make_user, zhuhai, settings
):
    user = make_user(Role.STREET, STREET)
    user.set_password("a-Long-passw0rd")
    user.save()
    first = Client()
    response = first.post(
        reverse("login"), {"username": user.username, "password": "a-Long-passw0rd"}
    )
    assert response.status_code == 302
    key = first.cookies[settings.SESSION_COOKIE_NAME].value
    assert redis_db.exists(f":1:{KEY_PREFIX}{key}")

    # Another app server: the same cookie, the same cache and database.
    second = Client()
    second.cookies[settings.SESSION_COOKIE_NAME] = key
    # The cache restarts empty: the session is read from the database (and cached again)…
    redis_db.flushdb()
    response = second.get(reverse("home"))
    assert response.status_code == 200 and response.wsgi_request.user == user
    assert redis_db.exists(f":1:{KEY_PREFIX}{key}")
    # …and from then on it is read from the cache, even with the database row gone.
    Session.objects.filter(session_key=key).delete()
    response = second.get(reverse("home"))
    assert response.status_code == 200 and response.wsgi_request.user == user


def test_a_dashboard_section_in_the_shared_cache_is_replaced_when_findings_change(
    shared_cache, redis_db, make_user, zhuhai
):
    from django.utils import timezone

    from committees.services import community_update
    from compliance.engine import evaluate_communities
    from divisions.models import Community

    evaluate_communities(Community.objects.all(), timezone.localdate())
    user = make_user(Role.STREET, STREET)
    url = reverse("division", args=[STREET])
    first, second = Client(), Client()  # two app servers sharing the cache
    first.force_login(user)
    second.force_login(user)
    before = first.get(url)
    fragments = set(redis_db.keys(":1:template.cache.dashboard_*"))
    assert fragments
    community = Community.objects.filter(code__startswith=STREET).order_by("code").first()
    was = before.context["board"].children[community.code]
    # 40 households: outside GD-01's 100–700 range, so the community gets a failing finding.
    community_update(actor=user, community=community, data={"households": 40})
    after = second.get(url)
    now = after.context["board"].children[community.code]
    assert now.non_compliant > was.non_compliant
    assert after.context["board"].generation != before.context["board"].generation
    fresh = set(redis_db.keys(":1:template.cache.dashboard_*"))
    assert fresh - fragments
    # The second server's fragments now serve the first one too: nothing new is rendered.
    assert first.get(url).context["board"].children[community.code] == now
    assert set(redis_db.keys(":1:template.cache.dashboard_*")) == fresh
