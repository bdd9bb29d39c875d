"""Template filters for Vietnamese numbers and dates (1.234,5; dd/mm/yyyy)."""

from __future__ import annotations

from django import template

from chiso.core import text

register = template.Library()


@register.filter
def vn(value, decimals=None):
    """{{ x|vn }} or {{ x|vn:2 }} → 1.234,5"""
    if value is None or value == "":
        return "–"
    try:
        return text.format_number(float(value), None if decimals in (None, "") else int(decimals))
    except (TypeError, ValueError):
        return value


@register.filter
def vn_signed(value, decimals=2):
    if value is None:
        return "–"
    return text.format_signed(float(value), int(decimals))


@register.filter
def vn_percent(value, decimals=2):
    if value is None:
        return "–"
    return text.format_percent(float(value), int(decimals))


@register.filter
def vn_date(value):
    if not value:
        return "–"
    return text.format_date(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
