"""Reading the audit trail (django-simple-history records) as people read it: who changed what, when,
with every field that changed shown before → after in Vietnamese (dates dd/mm/yyyy, numbers 1.234,5,
units by name, choices by label). Used by every history page: plans, tasks, reports, and any later
feature whose models keep history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.core.text import format_date, format_number, vi_sort_key

__all__ = [
    "Change",
    "HistoryEntry",
    "changes",
    "field_labels",
    "history_entries",
    "initial_values",
    "records",
    "show",
    "who",
]


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    what: str
    obj: str
    kind: str  # "+", "~", "-"
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


#: Fields never listed as changes (bookkeeping).
SKIP_FIELDS = frozenset(
    {"id", "plan", "created_at", "updated_at", "search_text", "uploaded_at", "file", "revision"}
)


def show(value: Any, f: Any, units: dict[int, str], labels: dict[str, str] | None = None) -> str:
    """A stored value as the UI writes it; ``f`` is the model field (or None), ``units`` {id: name},
    ``labels`` {stored value: label} for a field whose labels are not its choices (a workflow state)."""
    from chiso.units.models import Unit

    if value is None or value == "" or value == []:
        return "—"
    if labels and isinstance(value, str) and value in labels:
        return labels[value]
    if f is not None and getattr(f, "many_to_many", False):
        names = []
        for row in value or []:
            uid = row.get("unit") if isinstance(row, dict) else row
            names.append(units.get(uid, str(uid)))
        return ", ".join(sorted(names, key=vi_sort_key)) or "—"
    if f is not None and getattr(f, "is_relation", False) and f.related_model is Unit:
        return units.get(value, str(value))
    if f is not None and f.choices:
        label = dict(f.flatchoices).get(value)
        if label is not None:
            return str(label)
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
            if timezone.is_aware(value)
            else value.strftime("%d/%m/%Y %H:%M")
        )
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, list):
        return "; ".join(show(v, None, units) for v in value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return format_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def field_labels(model: Any) -> dict[str, dict[str, str]]:
    """{field name: {value: label}} for fields labelled outside their choices: the ``status`` of a
    document under a workflow is labelled by its workflow file."""
    workflow = getattr(model, "workflow", None)
    if callable(workflow):
        return {"status": dict(workflow().choices())}
    return {}


def records(model: Any, **filters: Any) -> list:
    """The historical records of ``model`` matching ``filters``, oldest first per object."""
    return list(
        model.history.filter(**filters)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )


def who(rec: Any) -> str:
    if rec.history_user is not None:
        return rec.history_user.get_full_name() or rec.history_user.username
    return _("(hệ thống)")


def changes(
    rec: Any,
    prev: Any,
    fields: dict[str, Any],
    units: dict[int, str],
    included: Sequence[str] | None = None,
    shown: Callable[[str, Any, Any], tuple[str, str]] | None = None,
    labels: dict[str, dict[str, str]] | None = None,
) -> list[Change]:
    """The fields that differ between two historical records, before → after (as shown, equal ones
    left out); ``included`` limits and orders the fields; ``shown(name, old, new)`` may override how
    one field is written."""
    delta = rec.diff_against(prev, included_fields=list(included) if included is not None else None)
    items = delta.changes
    if included is not None:
        items = sorted(items, key=lambda c: list(included).index(c.field))
    out: list[Change] = []
    for ch in items:
        if ch.field in SKIP_FIELDS:
            continue
        f = fields.get(ch.field)
        own = (labels or {}).get(ch.field)
        old, new = show(ch.old, f, units, own), show(ch.new, f, units, own)
        if shown is not None:
            old, new = shown(ch.field, (ch.old, old), (ch.new, new))
        if old != new:
            name = str(f.verbose_name) if f is not None and hasattr(f, "verbose_name") else ch.field
            out.append(Change(name, old, new))
    return out


def initial_values(
    rec: Any,
    fields: dict[str, Any],
    units: dict[int, str],
    shown: Callable[[str, Any, Any], tuple[str, str]] | None = None,
    labels: dict[str, dict[str, str]] | None = None,
) -> list[Change]:
    """The values a record was created with, as changes from "—" (empty ones left out)."""
    out: list[Change] = []
    for name, f in fields.items():
        if name in SKIP_FIELDS or getattr(f, "many_to_many", False) or not hasattr(f, "attname"):
            continue
        value = getattr(rec, f.attname, None)
        if value is None or value is False or value in ("", [], {}):
            continue
        old, new = "—", show(value, f, units, (labels or {}).get(name))
        if shown is not None:
            old, new = shown(name, (None, old), (value, new))
        if old != new:
            out.append(Change(str(getattr(f, "verbose_name", name)), old, new))
    return out


def history_entries(
    sources: Iterable[tuple[str, Any, list]],
    label: Callable[[Any, Any], str],
    units: dict[int, str],
    shown: Callable[[str, Any, Any], tuple[str, str]] | None = None,
    initial: bool = False,
) -> list[HistoryEntry]:
    """Every record of ``sources`` ((what, model, records) each) as entries, newest first; an update
    that changed nothing shown and gave no reason is left out. ``shown`` as for :func:`changes` (a field
    it writes the same before and after is left out); with ``initial``, a creation lists the values it
    was created with ("—" → value)."""
    entries: list[HistoryEntry] = []
    for what, model, rows in sources:
        fields = {f.name: f for f in model._meta.get_fields() if hasattr(f, "attname") or f.many_to_many}
        labels = field_labels(model)
        previous: dict[int, Any] = {}
        for rec in rows:
            prev = previous.get(rec.id)
            previous[rec.id] = rec
            entry = HistoryEntry(
                when=rec.history_date,
                who=who(rec),
                what=what,
                obj=label(model, rec),
                kind=rec.history_type,
                reason=rec.history_change_reason or "",
            )
            if rec.history_type == "~" and prev is not None:
                entry.changes = changes(rec, prev, fields, units, shown=shown, labels=labels)
                if not entry.changes and not entry.reason:
                    continue
            elif rec.history_type == "+" and initial:
                entry.changes = initial_values(rec, fields, units, shown=shown, labels=labels)
            entries.append(entry)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
