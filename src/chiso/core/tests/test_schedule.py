"""Due dates, reminders and reporting periods of tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiso.core.schedule import (
    add_months,
    due_dates,
    last_due,
    next_due,
    period_bounds,
    period_label,
    period_of,
    reminder_kind,
)

D = dt.date


def test_add_months_keeps_the_day_or_takes_the_last_of_a_short_month():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)
    assert add_months(D(2025, 2, 28), 3, anchor_day=31) == D(2025, 5, 31)


def test_one_off_task_is_due_on_its_deadline_even_when_past():
    assert list(due_dates("none", D(2025, 6, 30), None, D(2025, 12, 31))) == [D(2025, 6, 30)]
    assert list(due_dates("none", D(2026, 6, 30), None, D(2025, 12, 31))) == []
    assert next_due("none", D(2025, 6, 30), None, D(2025, 9, 1)) == D(2025, 6, 30)
    assert next_due("none", None, None, D(2025, 9, 1)) is None


def test_quarterly_task_falls_due_every_three_months_from_its_first_date():
    got = list(due_dates("quarterly", None, D(2025, 3, 31), D(2025, 12, 31)))
    assert got == [D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30), D(2025, 12, 31)]
    assert next_due("quarterly", None, D(2025, 3, 31), D(2025, 7, 1)) == D(2025, 9, 30)
    assert last_due("quarterly", None, D(2025, 3, 31), D(2025, 7, 1)) == D(2025, 6, 30)


def test_semiannual_and_annual_tasks():
    assert list(due_dates("semiannual", None, D(2025, 6, 15), D(2026, 6, 15))) == [
        D(2025, 6, 15),
        D(2025, 12, 15),
        D(2026, 6, 15),
    ]
    assert list(due_dates("annual", None, D(2025, 12, 15), D(2027, 12, 14))) == [
        D(2025, 12, 15),
        D(2026, 12, 15),
    ]


def test_recurring_task_with_an_end_date_stops_there():
    got = list(due_dates("quarterly", D(2025, 9, 30), D(2025, 3, 31), D(2026, 12, 31)))
    assert got == [D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30)]


def test_continuous_task_is_reported_at_each_quarter_end():
    got = list(due_dates("continuous", None, D(2025, 2, 10), D(2025, 10, 1)))
    assert got == [D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30)]


def test_unknown_recurrence_is_refused_in_vietnamese():
    with pytest.raises(ValueError, match="Tần suất không hợp lệ"):
        list(due_dates("weekly", None, D(2025, 1, 1), D(2025, 12, 31)))


@pytest.mark.parametrize(
    ("days", "kind"),
    [(8, None), (7, "d7"), (5, None), (3, "d3"), (2, None), (1, "d1"), (0, None), (-1, "late")],
)
def test_reminders_at_seven_three_and_one_days_and_when_late(days, kind):
    today = D(2025, 6, 1)
    assert reminder_kind(today + dt.timedelta(days=days), today) == kind


def test_periods_have_vietnamese_names_and_bounds():
    assert period_of(D(2025, 5, 20), "quarter") == "2025-Q2"
    assert period_of(D(2025, 7, 1), "semiannual") == "2025-H2"
    assert period_of(D(2025, 7, 1), "annual") == "2025"
    assert period_label("2025-Q2") == "Quý II/2025"
    assert period_label("2025-H1") == "6 tháng đầu năm 2025"
    assert period_label("2025-H2") == "6 tháng cuối năm 2025"
    assert period_label("2025") == "Năm 2025"
    assert period_bounds("2025-Q4") == (D(2025, 10, 1), D(2025, 12, 31))
    assert period_bounds("2024-H1") == (D(2024, 1, 1), D(2024, 6, 30))
    with pytest.raises(ValueError, match="Kỳ báo cáo không hợp lệ"):
        period_bounds("2025-Q5")


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)),
    st.sampled_from(["quarter", "semiannual", "annual"]),
)
def test_every_day_lies_inside_its_period(day, kind):
    first, last = period_bounds(period_of(day, kind))
    assert first <= day <= last


@given(
    st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)),
    st.sampled_from(["quarterly", "semiannual", "annual", "continuous"]),
    st.dates(min_value=D(2020, 1, 1), max_value=D(2031, 12, 31)),
)
def test_next_due_is_the_first_due_date_not_before_today(first, recurrence, today):
    nxt = next_due(recurrence, None, first, today)
    dates = list(due_dates(recurrence, None, first, D(2033, 12, 31)))
    assert dates == sorted(dates)
    expected = next((d for d in dates if d >= today), None)
    assert nxt == expected


def test_a_due_date_is_covered_by_its_quarter_half_and_year():
    from chiso.core.schedule import periods_containing

    assert periods_containing(D(2025, 8, 14)) == ["2025-Q3", "2025-H2", "2025"]
