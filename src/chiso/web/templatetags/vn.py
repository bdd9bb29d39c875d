"""Template filters for numbers and dates: Vietnamese 1.234,5 and dd/mm/yyyy; English UI 1,234.5."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from chiso.core import text

register = template.Library()


def _localise(formatted: str) -> str:
    """The core formats the Vietnamese way; the English UI swaps the separators."""
    if (get_language() or "vi").startswith("en"):
        return formatted.replace(".", "\x00").replace(",", ".").replace("\x00", ",")
    return formatted


@register.filter
def vn(value, decimals=None):
    """{{ x|vn }} or {{ x|vn:2 }} → 1.234,5"""
    if value is None or value == "":
        return "–"
    try:
        return _localise(text.format_number(float(value), None if decimals in (None, "") else int(decimals)))
    except (TypeError, ValueError):
        return value


@register.filter
def vn_signed(value, decimals=2):
    if value is None:
        return "–"
    return _localise(text.format_signed(float(value), int(decimals)))


@register.filter
def vn_percent(value, decimals=2):
    if value is None:
        return "–"
    return _localise(text.format_percent(float(value), int(decimals)))


@register.filter
def vn_date(value):
    if not value:
        return "–"
    return text.format_date(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def in_language(item) -> str:
    """A workflow state's or step's label in the reader's language: ``{{ t|in_language }}``."""
    return item.label_for(get_language()) if hasattr(item, "label_for") else str(item)
