"""Who is asking, as the type checker sees it.

Services take ``actor: User`` and selectors ``user: User``: a signed-in account (an
``AnonymousUser`` is not a ``User``). A view sees ``request.user`` as ``User | AnonymousUser``
(``Visitor``) unless it runs behind ``@login_required``, which lets only signed-in users
through: such views take a ``SignedInRequest``. Only ``core.access`` answers for anonymous
visitors too (they may do nothing).
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from core.models import User

Visitor: TypeAlias = User | AnonymousUser
"""Whoever sent a request: a signed-in user, or an anonymous visitor."""


class SignedInRequest(HttpRequest):
    """A request that ``@login_required`` let through, so its user is signed in.

    For annotations only: Django still passes a plain ``HttpRequest``, whose ``user`` is then a
    ``User``. Never annotate a view without ``@login_required`` (or a helper that such a view is
    not the only caller of) with it.
    """

    user: User
