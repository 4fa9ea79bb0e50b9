"""Bearer tokens: ``Authorization: Bearer jwh_…``.

The request's user is the token's owner. A service token narrows the owner's grants to its own
division (``core.access`` reads the grants cached on the user object), so every selector scopes
it exactly as it would scope the owner on a page, only to a smaller area.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.models import ApiToken
from api.services import digest
from core import access
from core.access import Grant
from core.models import Role, User

# last_used_at is written at most once a minute per token, not on every request.
TOUCH_EVERY = datetime.timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。"))
        try:
            raw = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。")) from error
        token = ApiToken.objects.select_related("owner").filter(digest=digest(raw)).first()
        now = timezone.now()
        if (
            token is None
            or token.revoked_at is not None
            or token.expires_on < timezone.localdate()
            or not token.owner.is_active
        ):
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已撤销。"))
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        user = token.owner
        if token.kind == ApiToken.Kind.SERVICE:
            narrow(user, token.code)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def narrow(user: User, code: str) -> None:
    """Limit ``user`` (this request's copy) to ``code``: a bureau's grant over it, if any."""
    if user.is_superuser:
        user.is_superuser = False  # in memory only: the token sees its own division
        user._grants_cache = (Grant(Role.BUREAU, code),)
        return
    user._grants_cache = tuple(
        Grant(g.role, code)
        for g in access.grants(user)
        if g.role == Role.BUREAU and code.startswith(g.code)
    )[:1]
