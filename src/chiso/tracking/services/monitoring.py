"""The coordinator's dashboard: progress by unit, by index node, by index and by plan; late tasks;
units that have not reported in the current period.

Query-cheap by design (5,000 tasks must render in well under 200 ms on PostgreSQL): a constant number
of queries, each fetching only the columns needed with ``values()``; everything else is counted in
Python over those dicts. Nothing is cached, so the numbers are always those of the database now.

Late (``is_late``): a task not done whose due date has passed — a one-off task when its deadline is
before today; a recurring task when its latest due date before today falls in a period (quarter,
6 months or year containing that date) for which its lead unit has sent no report.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, Max, Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import get_language, gettext

from chiso.accounts.scope import OVERSIGHT_ROLES, covered
from chiso.core.schedule import last_due, period_bounds, period_label, period_of, periods_containing
from chiso.plans.models import Plan, Task

from ..models import ProgressReport

__all__ = [
    "Filters",
    "can_monitor",
    "dashboard",
    "late_tasks",
    "monitored_scope",
    "periods_within",
    "recurrence_period_kind",
]

#: States of plans being executed: only their tasks are reported on and watched.
#: The reporting period a recurring task's due date belongs to.
_RECURRENCE_KIND = {
    "quarterly": "quarter",
    "continuous": "quarter",
    "semiannual": "semiannual",
    "annual": "annual",
}
GENERAL_INDICES = ("", "general")
#: The columns counted for every task (the texts are fetched for the late tasks shown only; the node
#: list comes as JSON text, parsed once per distinct value: most tasks share a few lists).
TASK_COLUMNS = (
    "id",
    "plan_id",
    "order",
    "index",
    "nodes_json",
    "lead_unit_id",
    "deadline",
    "recurrence",
    "first_due",
    "progress",
    "done",
)


def recurrence_period_kind(recurrence: str) -> str | None:
    return _RECURRENCE_KIND.get(recurrence or "none")


def monitored_scope(user) -> set[int] | None:
    """Units whose plans the user watches (coordinator, leader, viewer; None = every unit)."""
    return covered(user, OVERSIGHT_ROLES)


def can_monitor(user) -> bool:
    return monitored_scope(user) != set()


def _period_names(year: int) -> list[str]:
    return [str(year), f"{year}-H1", f"{year}-H2", *(f"{year}-Q{q}" for q in range(1, 5))]


def periods_within(period: str) -> list[str]:
    """Names of the periods lying inside `period` (itself included): 2025-H1 → 2025-H1, 2025-Q1, 2025-Q2."""
    first, last = period_bounds(period)
    out = []
    for name in _period_names(first.year):
        a, b = period_bounds(name)
        if a >= first and b <= last:
            out.append(name)
    return out


@dataclass
class Filters:
    plan: int | None = None
    index: str = ""
    year: int | None = None
    period_kind: str = "quarter"


def _plan_label(p: dict) -> str:
    number = p["number"]
    return f"{number}/{p['symbol']}" if number else p["title"][:60]


def _plans(scope: set[int] | None) -> list[dict]:
    qs = Plan.objects.filter(status__in=Plan.workflow().public_states, superseded=False)
    if scope is not None:
        qs = qs.filter(issuing_unit_id__in=scope)
    return list(
        qs.order_by("-year", "-date", "-pk").values(
            "id", "number", "symbol", "title", "year", "year_to", "indices", "status", "date"
        )
    )


def _covers_year(p: dict, year: int) -> bool:
    return p["year"] <= year <= (p["year_to"] or p["year"])


def _due_state(row: dict, today: dt.date) -> tuple[dt.date | None, list[str]]:
    """(the due date that has passed or None, names of the periods a report of the lead unit may have)."""
    recurrence = row["recurrence"] or "none"
    if recurrence == "none":
        deadline = row["deadline"]
        return (deadline if deadline is not None and deadline < today else None), []
    due = last_due(recurrence, row["deadline"], row["first_due"], today)
    if due is None:
        return None, []
    return due, periods_containing(due)


def _mark_late(rows: list[dict], today: dt.date, task_filter: Q) -> None:
    """Set row["late"] (bool) and row["due"] (the date that has passed) on every task row.

    One query at most: the lead units' reports for the periods recurring tasks were last due in."""
    wanted: set[str] = set()
    pending: list[dict] = []
    seen: dict[tuple, tuple] = {}  # many tasks share a schedule: compute each one once
    for row in rows:
        row["late"] = False
        row["due"] = None
        if row["done"]:
            continue
        key = (row["recurrence"], row["deadline"], row["first_due"])
        state = seen.get(key)
        if state is None:
            state = seen[key] = _due_state(row, today)
        due, periods = state
        if due is None:
            continue
        row["due"] = due
        if not periods:
            row["late"] = True
        elif row["lead_unit_id"] is None:
            row["late"] = True  # nobody identified to report: the coordinator must see it
        else:
            row["_periods"] = periods
            wanted.update(periods)
            pending.append(row)
    if not pending:
        return
    reported = set(
        ProgressReport.objects.filter(task_filter, period__in=sorted(wanted), unit_id=F("task__lead_unit_id"))
        .exclude(task__recurrence="none")
        .order_by()
        .values_list("task_id", "period")
        .distinct()
    )
    for row in pending:
        periods = row.pop("_periods")
        row["late"] = not any((row["id"], p) in reported for p in periods)


def late_tasks(tasks, today: dt.date | None = None) -> list[dict]:
    """Late tasks among a Task queryset, as values() dicts (with ``due``, ``days_late``, ``text``); 3 queries."""
    today = today or dt.date.today()
    rows = _task_rows(tasks)
    texts = dict(
        (pk, (text, lead_text)) for pk, text, lead_text in tasks.values_list("id", "text", "lead_text")
    )
    for r in rows:
        r["text"], r["lead_text"] = texts[r["id"]]
    _mark_late(rows, today, Q(task__in=tasks.values("pk")))
    out = [r for r in rows if r["late"]]
    for r in out:
        r["days_late"] = (today - r["due"]).days
    out.sort(key=lambda r: (-r["days_late"], r["plan_id"], r["order"]))
    return out


def _task_rows(tasks) -> list[dict]:
    rows = list(tasks.annotate(nodes_json=Cast("nodes", TextField())).values(*TASK_COLUMNS))
    parsed: dict[str | None, list] = {}
    for row in rows:
        raw = row.pop("nodes_json")
        nodes = parsed.get(raw)
        if nodes is None:
            try:
                nodes = json.loads(raw) if raw else []
            except ValueError:
                nodes = []
            parsed[raw] = nodes = nodes if isinstance(nodes, list) else []
        row["nodes"] = nodes
    return rows


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


class _Group:
    """Counters of one group of tasks (a unit, a node, an index, a plan)."""

    __slots__ = ("done", "in_progress", "late", "not_started", "progress_sum", "total")

    def __init__(self):
        self.total = self.done = self.late = self.in_progress = self.not_started = 0
        self.progress_sum = 0

    def add(self, row: dict) -> None:
        self.total += 1
        progress = 100 if row["done"] else row["progress"]
        self.progress_sum += progress
        if row["done"]:
            self.done += 1
        elif progress > 0:
            self.in_progress += 1
        else:
            self.not_started += 1
        if row["late"]:
            self.late += 1

    def as_dict(self, **extra) -> dict:
        mean = self.progress_sum / self.total if self.total else 0.0
        return {
            "total": self.total,
            "done": self.done,
            "in_progress": self.in_progress,
            "not_started": self.not_started,
            "late": self.late,
            "mean_progress": mean,
            "mean_pct": round(mean),
            "done_percent": _percent(self.done, self.total),
            "done_pct": round(_percent(self.done, self.total) or 0),
            **extra,
        }


def _sorted_groups(groups: dict, label_of, **key) -> list[dict]:
    return [g.as_dict(key=k, label=label_of(k)) for k, g in groups.items()]


def _node_names(keys: Iterable[tuple[str, str]], year: int | None) -> dict[tuple[str, str], str]:
    """Names of index nodes (index, code) in the reader's language from the frameworks: the version
    valid in `year` if any, else the newest. One query."""
    from chiso.frameworks.labels import name_in_language
    from chiso.frameworks.models import Node

    keys = set(keys)
    if not keys:
        return {}
    indices = {i for i, _ in keys if i not in GENERAL_INDICES}
    codes = {c for _, c in keys}
    rows = Node.objects.filter(framework__index__code__in=indices, code__in=codes).values_list(
        "framework__index__code", "code", "name_vi", "name_en", "framework__valid_from"
    )
    best: dict[tuple[str, str], tuple] = {}
    for index, code, name_vi, name_en, valid_from in rows:
        start = valid_from or 0  # framework.valid_from is a year
        rank = (year is not None and start <= year, start)
        if (index, code) not in best or rank > best[(index, code)][0]:
            best[(index, code)] = (rank, name_in_language(name_vi, name_en))
    return {k: v[1] for k, v in best.items()}


def _natural(code: str):
    return [(0, int(p)) if p.isdigit() else (1, p) for p in code.replace("-", ".").split(".")]


def dashboard(
    user, filters: Filters | None = None, today: dt.date | None = None, late_limit: int | None = 50
) -> dict:
    """Everything the dashboard shows, from a constant number of queries. PermissionDenied for users
    who watch no unit (officers only see their own inbox). ``late`` lists every late task (most
    overdue first); the first ``late_limit`` of them (None: all) carry their text (``late_shown``)."""
    from chiso.frameworks.models import Index
    from chiso.units.models import Unit

    scope = monitored_scope(user)
    if scope == set():
        raise PermissionDenied("Chỉ chuyên viên điều phối, lãnh đạo và người xem theo dõi được kế hoạch")
    f = filters or Filters()
    today = today or dt.date.today()

    all_plans = _plans(scope)  # query 1
    years = sorted(
        {y for p in all_plans for y in range(p["year"], (p["year_to"] or p["year"]) + 1)}, reverse=True
    )
    plans = all_plans
    if f.year:
        plans = [p for p in plans if _covers_year(p, f.year)]
    if f.index:
        plans = [p for p in plans if f.index in (p["indices"] or [])]
    if f.plan:
        plans = [p for p in plans if p["id"] == f.plan]
    plan_by_id = {p["id"]: p for p in plans}

    task_q = Q(plan_id__in=list(plan_by_id)) & Task.tracked_q()  # requests count once accepted
    if f.index:
        task_q &= Q(index=f.index) | Q(index__in=GENERAL_INDICES)
    tasks_qs = Task.objects.filter(task_q)
    rows = _task_rows(tasks_qs) if plan_by_id else []  # query 2
    report_filter = Q(task__in=tasks_qs.values("pk"))
    _mark_late(rows, today, report_filter)  # query 3 (only when recurring tasks are due)

    total = _Group()
    by_unit: dict[int | None, _Group] = defaultdict(_Group)
    by_node: dict[tuple[str, str], _Group] = defaultdict(_Group)
    by_index: dict[str, _Group] = defaultdict(_Group)
    by_plan: dict[int, _Group] = defaultdict(_Group)
    open_by_unit: dict[int, int] = defaultdict(int)
    for row in rows:
        total.add(row)
        unit = row["lead_unit_id"]
        by_unit[unit].add(row)
        if unit is not None and not row["done"]:
            open_by_unit[unit] += 1
        index = row["index"] if row["index"] not in GENERAL_INDICES else "general"
        by_index[index].add(row)
        by_plan[row["plan_id"]].add(row)
        for code in dict.fromkeys(row["nodes"] or []):
            if isinstance(code, str) and code.strip():
                by_node[(row["index"] or "general", code.strip())].add(row)

    # Units: names, last report date, who reported in the current period.
    period = period_of(today, f.period_kind)
    in_period = periods_within(period)
    unit_ids = [u for u in by_unit if u is not None]
    units = {
        u["id"]: u for u in Unit.objects.filter(pk__in=unit_ids).values("id", "short_name", "name", "kind")
    }
    last_report = {}
    reported_now: set[int] = set()
    if rows:
        last_report = dict(
            ProgressReport.objects.filter(report_filter)
            .order_by()
            .values("unit_id")
            .annotate(last=Max("submitted_at"))
            .values_list("unit_id", "last")
        )
        reported_now = set(
            ProgressReport.objects.filter(report_filter, period__in=in_period)
            .order_by()
            .values_list("unit_id", flat=True)
            .distinct()
        )

    def unit_label(uid):
        if uid is None:
            return "Chưa giao đơn vị cụ thể"
        u = units.get(uid)
        return u["short_name"] or u["name"] if u else f"#{uid}"

    unit_rows = _sorted_groups(by_unit, unit_label)
    for r in unit_rows:
        r["last_report"] = last_report.get(r["key"])
        r["reported_now"] = r["key"] in reported_now
    unit_rows.sort(key=lambda r: (-r["late"], r["mean_progress"], r["label"]))

    language = get_language()
    general = gettext("Chung")
    index_names = {i.code: i.label_for(language) for i in Index.objects.all()}
    index_rows = _sorted_groups(
        by_index, lambda k: general if k == "general" else index_names.get(k, k.upper())
    )
    index_rows.sort(key=lambda r: (r["key"] == "general", r["label"]))

    names = _node_names(by_node, f.year)
    node_rows = _sorted_groups(by_node, lambda k: names.get(k, ""))
    for r in node_rows:
        r["index"], r["code"] = r["key"]
        r["index_label"] = (
            general if r["index"] == "general" else index_names.get(r["index"], r["index"].upper())
        )
    node_rows.sort(key=lambda r: (r["index"], _natural(r["code"])))

    plan_rows = []
    for p in plans:
        g = by_plan.get(p["id"]) or _Group()
        plan_rows.append(g.as_dict(key=p["id"], label=_plan_label(p), title=p["title"], year=p["year"]))

    late = [r for r in rows if r["late"]]
    for r in late:
        r["days_late"] = (today - r["due"]).days
    late.sort(key=lambda r: (-r["days_late"], r["plan_id"], r["order"]))
    shown = late if late_limit is None else late[:late_limit]
    texts = (
        {
            pk: (text, lead_text)
            for pk, text, lead_text in Task.objects.filter(pk__in=[r["id"] for r in shown]).values_list(
                "id", "text", "lead_text"
            )
        }
        if shown
        else {}
    )
    for r in shown:
        r["text"], lead_text = texts.get(r["id"], ("", ""))
        r["lead"] = unit_label(r["lead_unit_id"]) if r["lead_unit_id"] else (lead_text or unit_label(None))
        r["plan_label"] = _plan_label(plan_by_id[r["plan_id"]])
        r["recurring"] = (r["recurrence"] or "none") != "none"

    not_reported = [
        {"key": uid, "label": unit_label(uid), "open": n, "last_report": last_report.get(uid)}
        for uid, n in open_by_unit.items()
        if uid not in reported_now
    ]
    not_reported.sort(key=lambda r: (r["last_report"] is not None, r["last_report"] or 0, r["label"]))

    return {
        "filters": f,
        "today": today,
        "period": period,
        "period_label": period_label(period),
        "plans_all": [{"id": p["id"], "label": _plan_label(p), "title": p["title"]} for p in all_plans],
        "years": years,
        "indices": sorted(index_names.items(), key=lambda kv: kv[1]),
        "summary": total.as_dict(plans=len(plans)),
        "by_unit": unit_rows,
        "by_node": node_rows,
        "by_index": index_rows,
        "by_plan": plan_rows,
        "late": late,
        "late_shown": shown,
        "not_reported": not_reported,
    }


def cached_dashboard(
    user, filters: Filters | None = None, today: dt.date | None = None, late_limit: int | None = 50
) -> dict:
    """`dashboard` cached per plans-data version, scope, filters and day: any change to a plan, task,
    report or unit changes the version (chiso.plans.version), so a cached answer is never stale."""
    import hashlib

    from django.core.cache import cache

    from ..version import plans_version

    scope = monitored_scope(user)
    if scope == set():
        raise PermissionDenied("Chỉ chuyên viên điều phối, lãnh đạo và người xem theo dõi được kế hoạch")
    f = filters or Filters()
    today = today or dt.date.today()
    scope_key = (
        "all" if scope is None else hashlib.sha1(",".join(map(str, sorted(scope))).encode()).hexdigest()
    )
    key = f"plans-dashboard:{plans_version()}:{scope_key}:{f.plan}:{f.index}:{f.year}:{f.period_kind}:{today.isoformat()}:{late_limit}:{get_language()}"
    data = cache.get(key)
    if data is None:
        data = dashboard(user, f, today, late_limit)
        cache.set(key, data, 600)
    return data
