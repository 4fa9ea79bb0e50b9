from __future__ import annotations

from collections.abc import Callable

import pytest

from core.models import Assignment, User
from demo.committees import ZHUHAI_DIR
from divisions.imports import import_divisions
from divisions.models import Community

# Inside the Zhuhai slice: 香洲区 440402, 翠香街道 440402001, 斗门区 440403.
STREET = "440402001"
OTHER_STREET = "440402002"
DISTRICT = "440402"
OTHER_DISTRICT = "440403"
CITY = "4404"


@pytest.fixture(autouse=True)
def portal_language():
    """Every test starts in the portal's language, whatever an earlier request activated."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached page fragments are keyed by database ids, which a rolled-back test reuses."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files (evidence attachments) land in a throwaway folder, never in the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def zhuhai(db) -> None:
    """The real Zhuhai slice shipped with the portal (213 communities), with households set."""
    import_divisions(ZHUHAI_DIR)
    Community.objects.update(households=1000, population=2800)
    # A bulk update bypasses the services: recount the division pages' roll-ups by hand.
    from compliance import rollups

    rollups.refresh("")


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    counter = iter(range(10_000))

    def make(role: str | None = None, code: str | None = None, **extra) -> User:
        user = User.objects.create_user(username=f"user{next(counter)}", password="x", **extra)
        if role and code:
            Assignment.objects.create(user=user, role=role, code=code)
        return user

    return make


@pytest.fixture
def community_in(zhuhai) -> Callable[[str], Community]:
    def first(prefix: str) -> Community:
        return Community.objects.filter(code__startswith=prefix).order_by("code").first()

    return first


@pytest.fixture
def only_households_rule():
    """Engine tests reason about one rule; the domain rules have tests of their own."""
    from compliance.rules import registry

    saved = dict(registry.rules)
    registry.rules.clear()
    registry.rules["community.households_range"] = saved["community.households_range"]
    yield
    registry.rules.clear()
    registry.rules.update(saved)
