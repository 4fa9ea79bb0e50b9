"""Browser tests: Debian's Chromium, driven by Playwright, against a live Django server.

Chromium is never downloaded (no `playwright install`): the tests launch /usr/bin/chromium.
Without it they skip, unless REQUIRE_BROWSER=1 (as in CI), where a missing browser fails.
Screenshots go to a temporary folder; with UPDATE_SCREENSHOTS=1 they refresh docs/screenshots/.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from pytest_django.live_server_helper import LiveServer

from demo.management.commands.load_demo import DEMO_PASSWORD
from tests.conftest import ROOT

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails under REQUIRE_BROWSER=1)
    expect = None

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


class OneRequestAtATime(LiveServerThread):
    """The live server, answering requests one after another.

    On SQLite in memory the server shares the test's one connection, transaction state and all:
    two requests at once (a page and the browser's /favicon.ico) would interleave on it.
    """

    def _create_server(self, connections_override=None) -> WSGIServer:
        return WSGIServer(
            (self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False
        )


@pytest.fixture
def live_server(transactional_db) -> Iterator[LiveServer]:
    """pytest-django's live server, with the server above, started for each test once its
    database is ready, so that on SQLite in memory it uses the connection the test writes
    through."""
    server = LiveServer("localhost", start=False)
    threaded = server.thread
    server.thread = OneRequestAtATime(
        threaded.host,
        threaded.static_handler,
        connections_override=threaded.connections_override,
        port=threaded.port,
    )
    server.thread.daemon = True
    server.start()
    yield server
    server.stop()


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason}, and REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-wqy-microhei)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    # Playwright's sync API keeps its event loop running in this thread. Django then believes
    # it is in async code: it refuses ORM calls (lifted below: nothing here is concurrent), and
    # its connections, stored per thread but per *context* under a running loop, would open a
    # second connection, missing the test database's setup (serialized catalogue, the live
    # server's shared in-memory connection). The thread's connections are carried over instead.
    thread_connections = {alias: connections[alias] for alias in connections}
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        for alias, connection in thread_connections.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        expect.set_options(timeout=TIMEOUT_MS)  # a busy CI machine can be slow to answer
        yield chromium
        chromium.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def _page(browser, live_server, **options) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", accept_downloads=True, **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A desktop-sized tab."""
    yield from _page(browser, live_server, viewport=DESKTOP)


@pytest.fixture
def phone(browser, live_server) -> Iterator:
    """A phone-sized tab: 375 px wide, touch, the page's own viewport meta honoured."""
    yield from _page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture(scope="session")
def demo_snapshot() -> Iterator[dict[str, sqlite3.Connection]]:
    """The database as load_demo left it, copied aside by the first test that loads it."""
    kept: dict[str, sqlite3.Connection] = {}
    yield kept
    for copy in kept.values():
        copy.close()


@pytest.fixture
def demo(live_server, transactional_db, demo_snapshot) -> None:
    """The demo of `make run`: Zhuhai's 213 communities, their records, one user per role.

    load_demo takes seconds; on SQLite in memory (the SQLite pass) it runs once, and every
    later test gets the same database back with SQLite's backup API, every table as it was
    (the test before emptied them all). Elsewhere each test loads the demo again."""
    from django.contrib.contenttypes.models import ContentType

    connection = connections["default"]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        call_command("load_demo", stdout=StringIO())
        return
    connection.ensure_connection()
    if "demo" not in demo_snapshot:
        call_command("load_demo", stdout=StringIO())
        demo_snapshot["demo"] = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(demo_snapshot["demo"])
    else:
        demo_snapshot["demo"].backup(connection.connection)
        ContentType.objects.clear_cache()  # ids as in the copy, not as the emptying left them


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


# --- what the tests do with a page ------------------------------------------------------------


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form, as a person would (labels, not selectors)."""
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def overflow(page, width: int = PHONE["width"]) -> list[str]:
    """What sticks out past ``width`` px: empty when the page needs no sideways scrolling.

    Content inside a horizontally scrollable box (a .table-responsive) does not count: the
    table scrolls, not the page."""
    return page.evaluate(
        """(width) => {
          if (document.documentElement.scrollWidth <= width) return [];
          const out = [];
          const clipped = (el) => {
            for (let p = el.parentElement; p; p = p.parentElement) {
              if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
            }
            return false;
          };
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > width + 0.5 && r.width > 0 && !clipped(el)) {
              out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} → ${
                Math.round(r.right)}px`);
            }
          }
          return [`scrollWidth ${document.documentElement.scrollWidth}px`, ...out.slice(0, 8)];
        }""",
        width,
    )


def accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each.

    axe comes from the page's own origin (answered by the test, never by the server): the
    Content-Security-Policy (script-src 'self') refuses inline scripts, and stays on."""
    page.route("**/__axe.min.js", lambda route: route.fulfill(path=AXE))
    page.add_script_tag(url="/__axe.min.js")
    return page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.impact} ${v.id}: ${v.help} — ${
              v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
        }"""
    )


def shoot(page, folder: Path, name: str, *, full_page: bool = False) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
