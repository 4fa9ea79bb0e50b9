from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.db import models

from core import audit
from core.meta import model_field
from core.validators import mask_id_number, mask_phone

register = template.Library()


@register.filter
def get_item(mapping: dict | None, key: object) -> object:
    """``{{ mapping|get_item:key }}``: dictionary lookup by a variable key."""
    return mapping.get(key) if mapping else None


@register.filter
def phone(value: str, unmask: bool) -> str:
    """A phone number, masked (138****5678) unless the viewer may see personal data."""
    return value if unmask or not value else mask_phone(value)


@register.filter
def id_number(value: str, unmask: bool) -> str:
    return value if unmask or not value else mask_id_number(value)


@register.filter
def age_on(birth_date: datetime.date | None, on: datetime.date | None) -> int | None:
    if not birth_date or not on:
        return None
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


@register.filter
def yuan(value: Decimal | int | str | None) -> str:
    """Money the Chinese way: ¥12,345.00 (Decimal in, never float)."""
    if value is None or value == "":
        return "—"
    return f"¥{Decimal(value):,.2f}"


@register.filter
def m2(value: Decimal | int | str | None) -> str:
    """An area in square metres: 1,234.5 m²."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).normalize():,f} m²"


@register.simple_tag
def tally_bar(tally: Any) -> str:  # a compliance Tally
    """The stacked compliance bar of a tally, as inline SVG. A tag rather than an include:
    dashboards draw one per standard and per child division, and an include per row was most
    of the page's rendering time."""
    from django.utils.html import format_html, format_html_join
    from django.utils.translation import gettext

    label = gettext("达标 %(c)s,未达标 %(n)s,缺少数据 %(d)s") % {
        "c": tally.compliant,
        "n": tally.non_compliant,
        "d": tally.no_data,
    }
    if tally.exempted:
        label += "," + gettext("已豁免 %(e)s") % {"e": tally.exempted}
    segments = format_html_join(
        "",
        '<rect x="{}" y="0" width="{}" height="6" class="seg-{}"><title>{} {}</title></rect>',
        ((x, width, status, name, count) for status, name, x, width, count in tally.segments),
    )
    return format_html(
        '<svg class="tally-bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" '
        'aria-label="{}"><rect x="0" y="0" width="100" height="6" class="seg-empty"></rect>'
        "{}</svg>",
        label,
        segments,
    )


_LABELS: dict[tuple, dict] = {}


@register.filter
def label(instance: models.Model, field_name: str) -> object:
    """``{{ m|label:"position" }}``: a choice field's display label, as ``get_position_display``
    gives it, from a table built once per field and language (``get_FOO_display`` rebuilds
    and translates the whole list of choices on every call: long rosters call it hundreds of
    times)."""
    from django.utils.translation import get_language

    field = model_field(instance, field_name)
    key = (type(instance), field_name, get_language())
    table = _LABELS.get(key)
    if table is None:
        table = _LABELS[key] = {value: str(text) for value, text in field.flatchoices}
    value = getattr(instance, field.attname)
    return table.get(value, value)


@register.simple_tag
def history_url(record: models.Model, code: str) -> str | None:
    """``{% history_url record community.code %}``: the record's history page (audited models
    only: for any other, None)."""
    return audit.history_url(record, code)
