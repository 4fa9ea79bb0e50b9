"""Validators for personal data recorded about community members."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$")


def id_number_birth_date(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str) -> None:
    """A resident identity card number (GB 11643-1999): 18 characters with a check digit."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValidationError(_("身份证号应为 18 位,前 17 位为数字,最后一位为数字或 X。"))
    birth = id_number_birth_date(value)
    if birth is None or birth > datetime.date.today() or birth.year < 1900:
        raise ValidationError(_("身份证号中的出生日期无效。"))
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != value[17]:
        raise ValidationError(_("身份证号校验位不正确,请核对。"))


def validate_phone(value: str) -> None:
    if not (MOBILE.match(value) or LANDLINE.match(value)):
        raise ValidationError(_("请输入 11 位手机号,或带区号的固定电话(如 0756-1234567)。"))


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# C0 and C1 control characters: invisible, meaningless in a record, refused by Excel exports (and
# NUL by PostgreSQL). Tab and line breaks are ordinary text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def validate_no_control_characters(value: object) -> None:
    """Refuse text with control characters. Every form's text fields run it (core.apps sets it
    as the default validator of forms.CharField): one place, not per form."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("不能包含控制字符(不可见的特殊字符),请删除后重新填写。"), code="control_characters"
        )
