"""API tokens and the log of writes made with them.

A token is shown once when created; only its SHA-256 digest is stored (a token is 32 random
bytes, so a plain digest is as strong as a slow hash and lets a request find its token by an
indexed lookup). A token acts as its owner: a personal token with all of the owner's
jurisdiction, a service token (created by a bureau for another platform) only with the part of it
under its ``code``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("个人令牌")
        SERVICE = "service", _("平台服务令牌")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所有者"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    # A service token's jurisdiction: a division code inside its owner's (empty: personal).
    code = models.CharField(_("授权区划代码"), max_length=12, blank=True)
    read_only = models.BooleanField(_("只读"), default=True)
    prefix = models.CharField(_("令牌前缀"), max_length=12)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_on = models.DateField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="personal") & Q(code="")) | (Q(kind="service") & ~Q(code="")),
                name="api_token_service_has_code",
                violation_error_message=_("平台服务令牌必须指定授权区划,个人令牌不得指定。"),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="api_token_has_name",
                violation_error_message=_("请填写令牌名称。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiWrite(models.Model):
    """One write request made with a token: who, what, and how it ended."""

    token = models.ForeignKey(
        ApiToken, verbose_name=_("令牌"), on_delete=models.CASCADE, related_name="writes"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    method = models.CharField(_("方法"), max_length=10)
    path = models.CharField(_("路径"), max_length=300)
    status = models.PositiveSmallIntegerField(_("状态码"))

    class Meta:
        verbose_name = _("接口写入记录")
        verbose_name_plural = _("接口写入记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
