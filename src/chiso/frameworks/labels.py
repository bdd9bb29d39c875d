"""Group labels in the reader's language: the frameworks' grouping rules give each group a Vietnamese
``label`` and an English ``label_en`` ("Cao" / "High", "Xuất sắc" / "Excellent"). Results and analysis
carry the Vietnamese label (it is what the publisher prints and what documents say); the English UI
shows the English one. The table is read once per data version (frameworks change rarely)."""

from __future__ import annotations

from django.utils.translation import get_language

_table: dict[int, dict[str, str]] = {}


def group_labels_en() -> dict[str, str]:
    """Vietnamese group label → English, from every framework's grouping rule."""
    from chiso.results.version import current_data_version

    from .models import Framework

    version = current_data_version()
    table = _table.get(version)
    if table is None:
        table = {}
        for grouping in Framework.objects.exclude(grouping=None).values_list("grouping", flat=True):
            groups = grouping.get("groups") if isinstance(grouping, dict) else None
            for g in groups or []:
                if isinstance(g, dict) and g.get("label") and g.get("label_en"):
                    table.setdefault(str(g["label"]), str(g["label_en"]))
        _table.clear()
        _table[version] = table
    return table


def name_in_language(name_vi: str, name_en: str | None, language: str | None = None) -> str:
    """A name of data given in both languages (a node's ``name_vi``/``name_en``, a region's) as the
    reader reads it: the English one in English when there is one, else the Vietnamese one."""
    if name_en and (language or get_language() or "").startswith("en"):
        return name_en
    return name_vi


def group_in_language(label: str | None, language: str | None = None) -> str:
    """``label`` as the reader reads it: unchanged in Vietnamese, the English label in English (the
    label itself when no framework gives one)."""
    if not label:
        return ""
    if not (language or get_language() or "").startswith("en"):
        return label
    return group_labels_en().get(label, label)
