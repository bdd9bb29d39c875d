"""The earlier versions of progress reports, shown on the task page: what changed after the first
submission (state, percent, narrative…), by whom and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from chiso.audit.changes import Change, changes, who

from ..models import REPORT_FIELDS, ProgressReport

__all__ = ["REPORT_FIELDS", "ReportVersion", "report_versions"]

_LONG_FIELDS = {"narrative", "difficulties"}
_SHORT = 80


@dataclass
class ReportVersion:
    when: dt.datetime
    who: str
    changes: list[Change] = field(default_factory=list)


def _shorten(text: str, limit: int = _SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shown(name: str, old: tuple, new: tuple) -> tuple[str, str]:
    if name == "percent":
        return f"{old[0]}%", f"{new[0]}%"
    if name in _LONG_FIELDS:
        return _shorten(old[1]), _shorten(new[1])
    return old[1], new[1]


def report_versions(reports: Iterable[ProgressReport]) -> dict[int, list[ReportVersion]]:
    """{report id: its changes after the first submission, newest first} for the given reports (those
    the caller may show), in one query. Reports never changed are left out."""
    ids = [r.pk for r in reports]
    if not ids:
        return {}
    rows = (
        ProgressReport.history.filter(id__in=ids)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    fields = {f.name: f for f in ProgressReport._meta.concrete_fields}
    previous: dict[int, object] = {}
    out: dict[int, list[ReportVersion]] = {}
    for rec in rows:
        prev = previous.get(rec.id)
        previous[rec.id] = rec
        if prev is None or rec.history_type != "~":
            continue
        version = ReportVersion(when=rec.history_date, who=who(rec))
        version.changes = changes(rec, prev, fields, {}, included=REPORT_FIELDS, shown=_shown)
        out.setdefault(rec.id, []).append(version)
    for versions in out.values():
        versions.reverse()
    return out
