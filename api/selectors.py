"""Scoped reads of the API: the user's own tokens, and every record type the API serves.

The record querysets are limited to the user's jurisdiction the same way the pages are
(``core.access.scope_q`` on the community's or division's code), so a record outside is a 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from api.models import ApiToken
from core.models import User


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(owner=user)


def token_of(user: User, pk: int) -> ApiToken:
    token = tokens_of(user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token
