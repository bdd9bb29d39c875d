"""Cascading an issued plan down to subordinate units.

- `derive_plan(plan, unit, user)`: the draft plan of a department or commune that implements an issued
  plan: the tasks the unit leads or coordinates become its own (origin = the provincial task), the
  targets are copied. A second call for the same unit returns the plan already derived.
- `instantiate_class_tasks(plan, user)`: tasks addressed to a class ("UBND cấp xã", "UBND cấp huyện")
  get one copy per unit of that class of the plan's year (``tiers.class_units``: the districts of 2023
  for a 2023 plan, the communes of today for a plan under way; in the same plan, origin = the class
  task); running it again adds only what is missing. ``class_task_status(plan)`` says, per class, how
  many units it goes to and how many already have their copy.
- `candidate_units(plan)`: the subordinate units a plan can be cascaded to.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chiso.core.text import format_date
from chiso.documents.services import wording_for
from chiso.units.models import Unit

from .. import permissions
from ..models import Plan, Target, Task, UnitClass
from .tiers import class_units, year_provinces

__all__ = [
    "CascadeError",
    "candidate_units",
    "class_task_status",
    "derive_plan",
    "instantiate_class_tasks",
    "subordinate",
]

_TASK_FIELDS = (
    "text",
    "index",
    "nodes",
    "product",
    "deadline",
    "recurrence",
    "first_due",
    "priority",
    "library_key",
)
_TARGET_FIELDS = [f.name for f in Target._meta.concrete_fields if f.name not in ("id", "plan")]


class CascadeError(ValueError):
    """Cascading refused; the message says why (Vietnamese)."""


def _below(plan: Plan) -> set[int]:
    """Ids of the units under the plan's issuing unit; for a province, also those under the province that
    stood for it in the plan's year (``tiers.year_provinces``: the districts of a 2023 plan of today's
    merged province)."""
    issuer = plan.issuing_unit
    ids = issuer.descendants_ids()
    roots = {issuer.pk}
    if issuer.kind == Unit.Kind.PROVINCE:
        for p in year_provinces(issuer, plan.year):
            ids |= p.descendants_ids()
            roots.add(p.pk)
    return ids - roots


def subordinate(plan: Plan, unit: Unit) -> bool:
    return unit.pk in _below(plan)


def candidate_units(plan: Plan) -> list[Unit]:
    """Subordinate units (departments, communes, districts) named as lead or coordinating unit of a
    task of the plan."""
    below = _below(plan)
    ids = set(plan.tasks.filter(lead_unit__in=below).values_list("lead_unit_id", flat=True))
    ids |= set(plan.tasks.filter(coordinating_units__in=below).values_list("coordinating_units", flat=True))
    ids &= below
    from chiso.core.text import vi_sort_key

    units = list(Unit.objects.filter(pk__in=ids))
    order = {"department": 0, "district": 1, "ward": 2}
    units.sort(key=lambda u: (order.get(u.kind, 3), vi_sort_key(u.short_name)))
    return units


def _issuer_label(unit: Unit) -> str:
    if unit.kind in ("province", "district", "ward"):
        name = unit.name
        return f"UBND {name[:1].lower()}{name[1:]}"
    return unit.name


def _derived_title(plan: Plan) -> str:
    rest = plan.title.strip()
    if rest.lower().startswith("kế hoạch "):
        rest = rest[len("kế hoạch ") :]
    rest = rest[:1].lower() + rest[1:]
    ref = f"Kế hoạch số {plan.number_symbol}" if plan.number else "Kế hoạch"
    when = f" ngày {format_date(plan.date)}" if plan.date else ""
    title = f"Kế hoạch triển khai thực hiện {ref}{when} của {_issuer_label(plan.issuing_unit)} về {rest}"
    return title[:500]


def _copy_task(
    task: Task, plan: Plan, order: int, unit: Unit, user, coordinating_text: str, lead_text: str = ""
) -> Task:
    copy = Task(plan=plan, order=order, origin=task, lead_unit=unit, lead_text=lead_text[:300])
    for name in _TASK_FIELDS:
        setattr(copy, name, getattr(task, name))
    copy.coordinating_text = coordinating_text[:500]
    copy._history_user = user
    copy.save()
    return copy


def _coordinating_names(task: Task) -> str:
    names = [u.short_name for u in task.coordinating_units.all()]
    return task.coordinating_text or ", ".join(names)


@transaction.atomic
def derive_plan(plan: Plan, unit: Unit, user) -> Plan:
    """The draft plan with which `unit` implements the issued `plan` (created once per unit), by a
    coordinator of the plan's issuing unit (PermissionDenied otherwise)."""
    permissions.require_cascade(user, plan)
    if not plan.is_live or plan.superseded:
        raise CascadeError(_("Chỉ triển khai được từ kế hoạch đã ban hành (và chưa bị thay thế)."))
    if not subordinate(plan, unit):
        raise CascadeError(
            _("«{unit}» không phải đơn vị trực thuộc {issuer}.").format(
                unit=unit.short_name, issuer=plan.issuing_unit.short_name
            )
        )
    existing = Plan.objects.filter(derived_from=plan, issuing_unit=unit, superseded=False).first()
    if existing is not None:
        return existing
    wording = wording_for(unit, "plan")
    derived = Plan(
        issuing_unit=unit,
        derived_from=plan,
        title=_derived_title(plan),
        year=plan.year,
        year_to=plan.year_to,
        results_year=plan.results_year,
        indices=list(plan.indices or []),
        place=plan.place,
        **wording.issue_fields("plan"),
        report_deadlines=list(plan.report_deadlines or []),
        # Document text: always Vietnamese (an official document), whatever the UI language.
        purpose=(
            f"Triển khai thực hiện có hiệu quả các nhiệm vụ được giao tại {plan.number_symbol if plan.number else plan.title} của {_issuer_label(plan.issuing_unit)}; "
            "góp phần cải thiện, nâng cao các chỉ số của tỉnh."
        ),
        requirements=(
            "Xác định rõ nội dung công việc, đơn vị chủ trì, thời hạn hoàn thành; "
            "báo cáo kết quả thực hiện đúng thời hạn."
        ),
        recipients=[f"{_issuer_label(plan.issuing_unit)} (để báo cáo)", wording.filing_line],
        created_by=user if user is not None and user.is_authenticated else None,
    )
    derived._history_user = user
    derived.save()
    order = 0
    tasks = (
        plan.tasks.filter(Q(lead_unit=unit) | Q(coordinating_units=unit))
        .distinct()
        .select_related("lead_unit")
        .prefetch_related("coordinating_units")
        .order_by("order", "pk")
    )
    copied_origins = set()
    for task in tasks:
        order += 1
        if task.lead_unit_id == unit.pk:
            note = _coordinating_names(task)
        else:
            lead = task.lead_unit.short_name if task.lead_unit else task.lead_text
            note = f"Phối hợp với {lead} (đơn vị chủ trì theo kế hoạch cấp trên)"
        _copy_task(task, derived, order, unit, user, note)
        copied_origins.add(task.origin_id)
    # Tasks addressed to the unit's whole class ("UBND cấp xã") and not yet instantiated for it.
    for task in plan.tasks.filter(lead_unit__isnull=True).exclude(lead_class="").order_by("order", "pk"):
        if unit.kind in UnitClass.kinds(task.lead_class) and task.pk not in copied_origins:
            order += 1
            _copy_task(task, derived, order, unit, user, _coordinating_names(task))
    for target in plan.targets.all():
        t = Target(plan=derived, **{name: getattr(target, name) for name in _TARGET_FIELDS})
        t._history_user = user
        t.save()
    return derived


def _class_tasks(plan: Plan) -> list[Task]:
    return list(plan.tasks.filter(lead_unit__isnull=True).exclude(lead_class="").order_by("order", "pk"))


def class_task_status(plan: Plan, today: dt.date | None = None) -> list[dict]:
    """Per class of units the plan's tasks are addressed to (in the order of UnitClass): ``unit_class``,
    ``label`` ("UBND cấp huyện"), ``tasks`` (how many tasks), ``units`` (how many units of the class the
    plan's year has), ``copies_missing`` (copies still to create)."""
    out: dict[str, dict] = {}
    units_by_kind: dict[str, list[Unit]] = {}
    for task in _class_tasks(plan):
        kinds = UnitClass.kinds(task.lead_class)
        if not kinds:
            continue
        for kind in kinds:
            if kind not in units_by_kind:
                units_by_kind[kind] = class_units(plan, kind, today)
        class_units_now = [u for kind in kinds for u in units_by_kind[kind]]
        row = out.setdefault(
            task.lead_class,
            {
                "unit_class": task.lead_class,
                "label": str(UnitClass(task.lead_class).label),
                "tasks": 0,
                "units": len(class_units_now),
                "copies_missing": 0,
            },
        )
        row["tasks"] += 1
        done = set(task.derived_tasks.filter(plan=plan).values_list("lead_unit_id", flat=True))
        row["copies_missing"] += sum(1 for u in class_units_now if u.pk not in done)
    order = list(UnitClass.values)
    return sorted(out.values(), key=lambda r: order.index(r["unit_class"]))


@transaction.atomic
def instantiate_class_tasks(plan: Plan, user, today: dt.date | None = None) -> int:
    """One copy of every task addressed to a class of units (UBND cấp xã, cấp huyện…) per unit of that
    class of the plan's year (``tiers.class_units``); returns how many copies were created (0 when run
    again; a class with no unit in the plan's year, e.g. "UBND cấp huyện" after the 2025 reorganisation,
    gets none: ``class_task_status`` tells). Only a coordinator of the plan's issuing unit
    (PermissionDenied otherwise)."""
    permissions.require_cascade(user, plan)
    if not plan.is_live or plan.superseded:
        raise CascadeError(_("Chỉ giao nhiệm vụ cho từng xã từ kế hoạch đã ban hành (và chưa bị thay thế)."))
    today = today or dt.date.today()
    class_tasks = _class_tasks(plan)
    created = 0
    units_by_kind: dict[str, list[Unit]] = {}
    for task in class_tasks:
        kinds = UnitClass.kinds(task.lead_class)
        if not kinds:
            continue
        for kind in kinds:
            if kind not in units_by_kind:
                units_by_kind[kind] = class_units(plan, kind, today)
        done = set(task.derived_tasks.filter(plan=plan).values_list("lead_unit_id", flat=True))
        note = _coordinating_names(task)
        for unit in [u for kind in kinds for u in units_by_kind[kind]]:
            if unit.pk in done:
                continue
            _copy_task(task, plan, task.order, unit, user, note, lead_text=unit.name)
            created += 1
    return created
