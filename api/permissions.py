from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken

if TYPE_CHECKING:
    from rest_framework.views import APIView


class TokenMayWrite(permissions.BasePermission):
    """A read-only token reads; writing needs a read-write token (or a session with CSRF)."""

    message = _("此令牌为只读令牌,不能写入数据。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not (isinstance(token, ApiToken) and token.read_only)


class PerTokenThrottle(SimpleRateThrottle):
    """Requests per token (per user for a browser session), at settings.API_RATE_LIMIT."""

    scope = "api"

    def get_rate(self) -> str | None:
        from django.conf import settings

        return getattr(settings, "API_RATE_LIMIT", "600/min")

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        token = request.auth
        if isinstance(token, ApiToken):
            ident = f"t{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = f"a{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
