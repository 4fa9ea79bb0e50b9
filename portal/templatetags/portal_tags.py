from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    """``{{ mapping|get_item:key }}``: dictionary lookup by a variable key."""
    return mapping.get(key) if mapping else None


@register.filter
def phone(value: str, unmask: bool) -> str:
    """A phone number, masked (138****5678) unless the viewer may see personal data."""
    from committees.validators import mask_phone

    return value if unmask or not value else mask_phone(value)


@register.filter
def id_number(value: str, unmask: bool) -> str:
    from committees.validators import mask_id_number

    return value if unmask or not value else mask_id_number(value)


@register.filter
def age_on(birth_date, on) -> int | None:
    if not birth_date or not on:
        return None
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


@register.filter
def yuan(value) -> str:
    """Money the Chinese way: ¥12,345.00 (Decimal in, never float)."""
    if value is None or value == "":
        return "—"
    return f"¥{Decimal(value):,.2f}"


@register.filter
def m2(value) -> str:
    """An area in square metres: 1,234.5 m²."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).normalize():,f} m²"


@register.simple_tag
def history_url(record, code: str) -> str:
    """``{% history_url record community.code %}``: the record's history page."""
    from portal.audit import history_url as url

    return url(record, code)
