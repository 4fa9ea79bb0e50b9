"""Writes of the API app: creating and revoking tokens."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from core import access
from core.models import Role, User

TOKEN_PREFIX = "jwh_"
MAX_DAYS = 366  # a token lives a year at most: a leaked one cannot stay valid for ever


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *,
    actor: User,
    name: str,
    expires_on: datetime.date,
    read_only: bool,
    code: str = "",
) -> tuple[ApiToken, str]:
    """A new token of ``actor`` and its secret, which is never stored and shown only now.

    With ``code`` it is a service token: only bureaus create them, and only for a division
    inside their own jurisdiction.
    """
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写令牌名称。")]
    if expires_on <= today:
        errors["expires_on"] = [_("有效期必须晚于今天。")]
    elif expires_on > today + datetime.timedelta(days=MAX_DAYS):
        errors["expires_on"] = [_("有效期最长一年。")]
    if code and not (access.is_unrestricted(actor) or access.has_role(actor, Role.BUREAU, code)):
        errors["code"] = [_("只能为本机关管辖范围内的区划创建平台服务令牌。")]
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        owner=actor,
        kind=ApiToken.Kind.SERVICE if code else ApiToken.Kind.PERSONAL,
        name=name.strip(),
        code=code,
        read_only=read_only,
        prefix=raw[:12],
        digest=digest(raw),
        expires_on=expires_on,
    )
    token.full_clean()
    token.save()
    return token, raw


def token_revoke(*, actor: User, token: ApiToken) -> None:
    """Revoke a token of ``actor`` (selectors find only the actor's own)."""
    if token.owner_id != actor.pk:
        raise ValueError("a user revokes only their own tokens")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
