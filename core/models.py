"""Accounts and their jurisdiction assignments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from core.access import Grant


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # Not a field: the user's assignments, cached for the request by core.access.grants.
    _grants_cache: tuple[Grant, ...]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    BUREAU = "bureau", _("区/市民政部门")
    STREET = "street", _("街道办事处")
    COMMITTEE = "committee", _("居委会成员")
    VIEWER = "viewer", _("只读查看")


# Which code lengths each role may be assigned to (province 2 … community 12).
ROLE_CODE_LENGTHS: dict[str, tuple[int, ...]] = {
    Role.BUREAU: (2, 4, 6),
    Role.STREET: (9,),
    Role.COMMITTEE: (12,),
    Role.VIEWER: (2, 4, 6, 9, 12),
}
# Roles that may write community records inside their jurisdiction.
WRITER_ROLES = frozenset({Role.STREET, Role.COMMITTEE})

code_validator = RegexValidator(r"^[0-9]+$", _("代码只能由数字 0–9 组成。"))


def is_code(value: str) -> bool:
    """Statistical codes are ASCII digits; str.isdigit() would also accept full-width ones."""
    return value.isascii() and value.isdigit()


class Assignment(models.Model):
    """A user's jurisdiction: one division or community code, with a role."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    code = models.CharField(
        _("辖区代码"),
        max_length=12,
        validators=[code_validator],
        help_text=_("省 2 位、市 4 位、区县 6 位、街道 9 位或社区 12 位统计用区划代码。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("辖区授权")
        verbose_name_plural = _("辖区授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "code"],
                name="assignment_unique_user_code",
                violation_error_message=_("该用户已被授权到这个辖区。"),
            ),
            models.CheckConstraint(
                condition=Q(
                    *[Q(Exact(Length("code"), n)) for n in (2, 4, 6, 9, 12)],
                    _connector=Q.OR,
                ),
                name="assignment_code_length",
                violation_error_message=_("辖区代码必须是 2、4、6、9 或 12 位。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.code}"

    def clean(self) -> None:
        allowed = ROLE_CODE_LENGTHS.get(self.role, ())
        if self.code and len(self.code) not in allowed:
            raise ValidationError(
                {
                    "code": _("该角色只能授权到 %(lengths)s 位代码。")
                    % {"lengths": "、".join(str(n) for n in allowed)}
                }
            )
