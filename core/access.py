"""Who may see and change what: one place, by division-code prefix.

A user's jurisdiction is the set of codes they are assigned to. Anything whose code starts with
one of them is inside. Superusers see everything. Views never filter by hand: they go through
the selectors, which call ``scope_q``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from core.models import WRITER_ROLES, Role, User
from core.users import Visitor


@dataclass(frozen=True)
class Grant:
    role: str
    code: str


def grants(user: Visitor) -> tuple[Grant, ...]:
    """The user's assignments, loaded once per request and cached on the user object."""
    if not isinstance(user, User):  # an anonymous visitor
        return ()
    cached = getattr(user, "_grants_cache", None)
    if cached is None:
        cached = tuple(
            Grant(role, code)
            for role, code in user.assignments.order_by("code").values_list("role", "code")
        )
        user._grants_cache = cached
    return cached


def is_unrestricted(user: Visitor) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def prefixes(user: Visitor) -> tuple[str, ...]:
    """The minimal set of code prefixes the user may read (empty for superusers: see above)."""
    codes = sorted({g.code for g in grants(user)})
    # Drop codes already covered by a shorter assigned prefix.
    return tuple(c for c in codes if not any(c != p and c.startswith(p) for p in codes))


def scope_q(user: Visitor, field: str = "code") -> Q:
    """A filter limiting ``field`` (a code column) to the user's jurisdiction."""
    if is_unrestricted(user):
        return Q()
    q = Q(pk__in=[])
    for prefix in prefixes(user):
        q |= Q(**{f"{field}__startswith": prefix})
    return q


def can_read(user: Visitor, code: str) -> bool:
    return is_unrestricted(user) or any(code.startswith(p) for p in prefixes(user))


def can_write(user: Visitor, code: str) -> bool:
    """Street offices and committee members write community records inside their jurisdiction."""
    if is_unrestricted(user):
        return True
    return any(g.role in WRITER_ROLES and code.startswith(g.code) for g in grants(user))


def has_role(user: Visitor, role: Role, code: str | None = None) -> bool:
    return any(g.role == role and (code is None or code.startswith(g.code)) for g in grants(user))


def can_evaluate(user: Visitor, code: str) -> bool:
    """Bureaus and street offices may re-run the evaluation of their own jurisdiction."""
    if is_unrestricted(user):
        return True
    return any(
        g.role in (Role.BUREAU, Role.STREET) and code.startswith(g.code) for g in grants(user)
    )


def may_see_personal_data(user: Visitor, code: str) -> bool:
    """Phones and ID numbers in full: only those who keep the roster (street, committee)."""
    return can_write(user, code)


def can_certify(user: Visitor, code: str) -> bool:
    """Street offices, and the bureaus above them, certify and correct election results."""
    if is_unrestricted(user):
        return True
    return any(
        g.role in (Role.BUREAU, Role.STREET) and code.startswith(g.code) for g in grants(user)
    )
