"""What is due soon or overdue (待办), contributed by each domain app.

A provider is a function ``(user, prefix, today) -> Section | None`` registered under a key
from any app's ``reminders.py`` (discovered at start-up, like ``rules.py``). It looks at the
communities under one code prefix of the user's jurisdiction, in a constant number of queries,
and returns a count and the first few items. ``collect`` runs every provider for every prefix
of the user and merges the sections; the 待办 page and the daily e-mail digest show the result.

The dashboards (a street's, a committee member's home) show the sections registered with
``dashboard=True``, for their own division or community: ``sections(user, code, today,
dashboard=True)``. A street dashboard caches them per street and day for all its users, so such
a provider must not depend on the user.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from core import access
from core.models import User

ITEMS_SHOWN = 20


@dataclass(frozen=True)
class Due:
    """One thing to do: where, what, by when, and the page where it is done."""

    what: str
    where: str = ""  # usually the community's name
    code: str = ""
    due: datetime.date | None = None
    url: str = ""
    overdue: bool = False


@dataclass
class Section:
    key: str
    title: str
    count: int
    items: list[Due] = field(default_factory=list)
    more_url: str = ""  # the page listing all of them, when the section shows only the first


Provider = Callable[[User, str, datetime.date], Section | None]


@dataclass(frozen=True)
class Registered:
    key: str
    order: int
    provider: Provider
    dashboard: bool = False  # also shown on the dashboards (the same for every user)


_providers: dict[str, Registered] = {}


def register(
    key: str, order: int = 100, *, dashboard: bool = False
) -> Callable[[Provider], Provider]:
    """Decorator: ``@register("committees.terms", order=10)`` on a provider function;
    ``dashboard=True`` shows its section on the dashboards too (see the module docstring)."""

    def decorate(provider: Provider) -> Provider:
        _providers[key] = Registered(key, order, provider, dashboard)
        return provider

    return decorate


def providers() -> list[Registered]:
    return sorted(_providers.values(), key=lambda r: (r.order, r.key))


def sections(
    user: User, prefix: str, today: datetime.date, *, dashboard: bool = False
) -> list[Section]:
    """The non-empty sections for the communities under one prefix, in the providers' order;
    with ``dashboard``, only those registered for the dashboards."""
    found: list[Section] = []
    for registered in providers():
        if dashboard and not registered.dashboard:
            continue
        section = registered.provider(user, prefix, today)
        if section is not None and section.count:
            found.append(section)
    return found


def scopes(user: User) -> tuple[str, ...]:
    """The prefixes reminders are collected for: the whole country for a superuser."""
    return ("",) if access.is_unrestricted(user) else access.prefixes(user)


def collect(user: User, today: datetime.date) -> list[Section]:
    """Every non-empty section for the user, merged across the prefixes of their jurisdiction."""
    merged: dict[str, Section] = {}
    for registered in providers():
        for prefix in scopes(user):
            section = registered.provider(user, prefix, today)
            if section is None or not section.count:
                continue
            if registered.key not in merged:
                merged[registered.key] = section
                continue
            into = merged[registered.key]
            into.count += section.count
            into.items = (into.items + section.items)[:ITEMS_SHOWN]
            into.more_url = ""  # one link cannot cover several jurisdictions
    return [merged[r.key] for r in providers() if r.key in merged]
