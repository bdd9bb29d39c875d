"""Due dates of tasks and reporting periods. Pure Python.

A task is due once (``none``: its deadline) or again and again (quarterly, 6-monthly, yearly: from its
first due date, the same day of the month every 3, 6 or 12 months; ``continuous``: reported on every
quarter's last day). Reporting periods are named ``2025-Q1`` (quý), ``2025-H1`` (6 tháng) and ``2025``
(năm) and printed "Quý I/2025", "6 tháng đầu năm 2025", "Năm 2025".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

__all__ = [
    "REMINDER_DAYS",
    "add_months",
    "due_dates",
    "next_due",
    "period_bounds",
    "period_label",
    "period_of",
    "periods_containing",
    "reminder_kind",
]

REMINDER_DAYS = {7: "d7", 3: "d3", 1: "d1"}
_STEP = {"quarterly": 3, "semiannual": 6, "annual": 12}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]))?$")


def add_months(day: dt.date, months: int, anchor_day: int | None = None) -> dt.date:
    """The same day of the month `months` later (the month's last day when it has fewer days)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    d = anchor_day or day.day
    return dt.date(year, month, min(d, calendar.monthrange(year, month)[1]))


def _quarter_end(day: dt.date) -> dt.date:
    q_last_month = ((day.month - 1) // 3 + 1) * 3
    return dt.date(day.year, q_last_month, calendar.monthrange(day.year, q_last_month)[1])


def due_dates(
    recurrence: str, deadline: dt.date | None, first_due: dt.date | None, until: dt.date
) -> Iterator[dt.date]:
    """Every date the task is due, up to and including `until` (one date for a one-off task)."""
    if recurrence in ("none", ""):
        if deadline is not None and deadline <= until:
            yield deadline
        return
    if recurrence == "continuous":
        start = first_due or deadline
        if start is None:
            return
        day = _quarter_end(start)
        while day <= until:
            yield day
            day = _quarter_end(day + dt.timedelta(days=1))
        return
    step = _STEP.get(recurrence)
    if step is None:
        raise ValueError(f"Tần suất không hợp lệ: {recurrence!r}")
    start = first_due or deadline
    if start is None:
        return
    i = 0
    day = start
    while day <= until:
        if deadline is not None and recurrence != "none" and day > deadline and first_due is not None:
            return  # a recurring task with an end date stops there
        yield day
        i += 1
        day = add_months(start, step * i, start.day)


def next_due(
    recurrence: str, deadline: dt.date | None, first_due: dt.date | None, today: dt.date
) -> dt.date | None:
    """The first due date on or after today; for a one-off task its deadline, even when past."""
    if recurrence in ("none", ""):
        return deadline
    start = first_due or deadline
    horizon = add_months(max(today, start) if start else today, 13)
    for day in due_dates(recurrence, deadline, first_due, horizon):
        if day >= today:
            return day
    return None


def last_due(
    recurrence: str, deadline: dt.date | None, first_due: dt.date | None, today: dt.date
) -> dt.date | None:
    """The latest due date before today (None if none has passed)."""
    last = None
    for day in due_dates(recurrence, deadline, first_due, today - dt.timedelta(days=1)):
        last = day
    return last


def reminder_kind(due: dt.date, today: dt.date) -> str | None:
    """Which reminder is owed today for a date due: d7, d3, d1 (days before) or late (after)."""
    days = (due - today).days
    if days < 0:
        return "late"
    return REMINDER_DAYS.get(days)


def period_of(day: dt.date, kind: str) -> str:
    """The name of the reporting period containing `day`: quarter 2025-Q1, semiannual 2025-H1, annual 2025."""
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if kind == "semiannual":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    if kind == "annual":
        return str(day.year)
    raise ValueError(f"Loại kỳ báo cáo không hợp lệ: {kind!r}")


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period name; ValueError (Vietnamese) if it is not one."""
    m = _PERIOD.match(period or "")
    if not m:
        raise ValueError(f"Kỳ báo cáo không hợp lệ: {period!r} (ví dụ: 2025-Q1, 2025-H1, 2025)")
    year, part = int(m.group(1)), m.group(2)
    if part is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    n = int(part[1])
    months = 3 if part[0] == "Q" else 6
    first_month = (n - 1) * months + 1
    last_month = first_month + months - 1
    return dt.date(year, first_month, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def period_label(period: str, language: str | None = None) -> str:
    """Vietnamese name of a period: Quý I/2025, 6 tháng đầu năm 2025, 6 tháng cuối năm 2025, Năm 2025
    (``language`` "en…": Q1/2025, First half of 2025, Second half of 2025, Year 2025 — for the English
    UI; documents keep the Vietnamese)."""
    period_bounds(period)
    m = _PERIOD.match(period)
    assert m
    year, part = m.group(1), m.group(2)
    if (language or "").startswith("en"):
        if part is None:
            return f"Year {year}"
        if part[0] == "Q":
            return f"Q{part[1]}/{year}"
        return f"{'First' if part == 'H1' else 'Second'} half of {year}"
    if part is None:
        return f"Năm {year}"
    if part[0] == "Q":
        return f"Quý {_ROMAN[int(part[1])]}/{year}"
    return f"6 tháng {'đầu' if part == 'H1' else 'cuối'} năm {year}"


def periods_containing(day: dt.date) -> list[str]:
    """Names of the periods (quarter, half, year) that contain `day`: a report of the lead unit for any
    of them covers a recurring task due that day."""
    return [period_of(day, k) for k in ("quarter", "semiannual", "annual")]
