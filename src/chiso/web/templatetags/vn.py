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
    """A label in the reader's language: a workflow state or step (``label_for``), or a mapping of data
    files with ``label`` and ``label_en`` (a framework's groups, a questionnaire's options):
    ``{{ t|in_language }}``."""
    if hasattr(item, "label_for"):
        return item.label_for(get_language())
    if isinstance(item, dict):
        english = (get_language() or "").startswith("en")
        return str((english and item.get("label_en")) or item.get("label") or "")
    return str(item)


@register.filter
def group_in_language(label) -> str:
    """A group's label ("Cao", "Xuất sắc") in the reader's language: ``{{ a.group|group_in_language }}``."""
    from chiso.frameworks.labels import group_in_language as translate_group

    return translate_group(label)
