"""Chinese numerals for the election announcement (第八届, 二〇二六年五月十日)."""

from __future__ import annotations

import datetime

from django import template

from elections.counting import cn_date as _cn_date
from elections.counting import cn_number as _cn_number

register = template.Library()


@register.filter
def cn_number(value) -> str:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    return _cn_number(number) if 0 <= number < 100 else str(number)


@register.filter
def cn_date(value) -> str:
    return _cn_date(value) if isinstance(value, datetime.date) else ""
