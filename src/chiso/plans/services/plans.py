"""The plan itself: create and edit a plan, its targets (checked against the results), its tasks and
attachments; amendments of an issued plan; the plan's history.

Every write checks permissions (chiso.plans.permissions) and runs in one transaction: a bad input
raises ValueError / PermissionDenied and nothing is changed.

API other parts may call:
- ``results_unit(unit, index, year)`` — the unit whose results a plan of ``unit`` starts from (the
  lineage rule of ``chiso.units.lineage`` applied to the issuing unit's province).
- ``check_and_fill_target(target)`` — fills baseline_*, needed_points, met, label (no save);
  ValueError (Vietnamese) when the target is impossible or the results are missing.
- ``refresh_targets(plan, user=None)`` — re-checks and saves every target against the latest results.
- ``save_plan(user, data, plan=None)``, ``amend_plan(plan, user)``,
  ``save_target(plan, user, data, target=None)``, ``delete_target(target, user)``,
  ``save_task(plan, user, data, task=None)``, ``delete_task(task, user)``,
  ``add_attachment(plan, user, uploaded)``, ``plan_history(plan)``,
  ``node_choices(index, year)``, ``unit_choices(plan)``.
- ``save_shortcoming(plan, user, data, row=None)``, ``delete_shortcoming(row, user)`` — rows of the
  shortcomings appendix, while the plan is editable.
- ``on_plan_transition`` — an amendment that becomes live supersedes the version it amends.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.audit.changes import HistoryEntry, history_entries, records
from chiso.core.plan import Baseline, baseline_of, check_target, points_up
from chiso.core.text import format_number, nfc, parse_number, vi_sort_key
from chiso.documents.services import wording_for
from chiso.frameworks.services import index_labels
from chiso.units import lineage
from chiso.units.models import Unit
from chiso.units.services import province_of

from .. import permissions
from ..models import Plan, PlanAttachment, Shortcoming, Target, Task

__all__ = [
    "add_attachment",
    "amend_plan",
    "check_and_fill_target",
    "delete_shortcoming",
    "delete_target",
    "delete_task",
    "node_choices",
    "plan_history",
    "province_of",
    "refresh_targets",
    "results_unit",
    "save_plan",
    "save_shortcoming",
    "save_target",
    "save_task",
    "unit_choices",
]


PLAN_FIELDS = (
    "issuing_unit",
    "number",
    "symbol",
    "place",
    "date",
    "title",
    "purpose",
    "requirements",
    "body",
    "indices",
    "year",
    "year_to",
    "results_year",
    "recipients",
    "signer_authority",
    "signer_title",
    "signer_name",
    "report_deadlines",
)


# --------------------------------------------------------------------------- units


def _has_results(index: str, unit: Unit, year: int) -> bool:
    from chiso.analysis.services import year_figures

    ctx = year_figures(index, year)
    return ctx is not None and unit.pk in ctx.derived.units


def results_unit(unit: Unit, index: str, year: int) -> Unit:
    """The unit whose results a plan of ``unit`` starts from: the province of the issuing unit; a
    province formed by a merger that has no results of its own that year uses the first unit it
    carries that has (``chiso.units.lineage.results_unit``: the predecessor of the same code first);
    the province itself when none has."""
    province = province_of(unit)
    return lineage.results_unit(province, lambda u: _has_results(index, u, year)) or province


def unit_choices(plan_or_unit) -> list[Unit]:
    """Units a task may name (lead or coordinating): the province of the issuing unit, its
    departments and its communes (its whole subtree), sorted the Vietnamese way, province first."""
    unit = plan_or_unit.issuing_unit if isinstance(plan_or_unit, Plan) else plan_or_unit
    province = province_of(unit)
    ids = province.descendants_ids()
    units = list(
        Unit.objects.filter(
            pk__in=ids,
            kind__in=[Unit.Kind.PROVINCE, Unit.Kind.DEPARTMENT, Unit.Kind.WARD, Unit.Kind.DISTRICT, "other"],
        )
    )
    order = {
        Unit.Kind.PROVINCE: 0,
        Unit.Kind.DEPARTMENT: 1,
        "other": 2,
        Unit.Kind.DISTRICT: 3,
        Unit.Kind.WARD: 4,
    }
    return sorted(units, key=lambda u: (order.get(u.kind, 9), vi_sort_key(u.short_name)))


def node_choices(index: str, year: int | None) -> list[tuple[str, str, int]]:
    """(code, name, depth) of the nodes of the index's framework for the results year (root excluded)."""
    from chiso.frameworks.services import framework_for, framework_tree

    if not index or not year:
        return []
    fw = framework_for(index, year)
    if fw is None:
        return []
    _tree, nodes = framework_tree(fw)
    return [(code, n.name_vi, n.depth) for code, n in nodes.items() if n.parent_id is not None]


# --------------------------------------------------------------------------- plans


def _check_create(user, unit_id: int | None) -> None:
    if not permissions.can_create_plan(user, unit_id):
        raise PermissionDenied(_("Bạn không phải chuyên viên điều phối của cơ quan ban hành này."))


@transaction.atomic
def save_plan(user, data: dict, plan: Plan | None = None) -> Plan:
    """Create (plan None) or update a plan from cleaned form data (keys of PLAN_FIELDS). A new plan starts
    with the symbol and signer of its issuing unit's standard wording (what ``data`` omits)."""
    unit = data.get("issuing_unit")
    _check_create(user, unit.pk if unit else None)
    if plan is not None:
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if not permissions.can_edit_plan(user, plan):
            raise PermissionDenied(_("Kế hoạch đã khoá (đã phê duyệt hoặc ban hành); hãy lập bản sửa đổi."))
    else:
        plan = Plan(
            created_by=user if user.is_authenticated else None,
            **wording_for(unit, "plan").issue_fields("plan"),
        )
    for name in PLAN_FIELDS:
        if name in data:
            setattr(plan, name, data[name])
    if plan.year_to and plan.year_to < plan.year:
        raise ValueError(_("Năm kết thúc phải từ năm bắt đầu trở đi."))
    plan._history_user = user
    plan.save()
    return plan


@transaction.atomic
def amend_plan(plan: Plan, user) -> Plan:
    """A new draft version of an issued plan, with every target, task, shortcoming and attachment
    copied; the old plan stays issued until the amendment is issued (then it is superseded)."""
    old = Plan.objects.select_for_update().get(pk=plan.pk)
    if not permissions.can_amend_plan(user, old):
        raise PermissionDenied(
            _("Chỉ chuyên viên điều phối mới lập được bản sửa đổi của kế hoạch đã ban hành.")
        )
    if old.amendments.filter(superseded=False).exclude(status__in=Plan.workflow().public_states).exists():
        raise ValueError(_("Kế hoạch này đã có một bản sửa đổi đang soạn; hãy tiếp tục bản đó."))
    new = Plan(
        issuing_unit=old.issuing_unit,
        symbol=old.symbol,
        place=old.place,
        title=old.title,
        purpose=old.purpose,
        requirements=old.requirements,
        body=old.body,
        indices=list(old.indices or []),
        year=old.year,
        year_to=old.year_to,
        results_year=old.results_year,
        recipients=list(old.recipients or []),
        signer_authority=old.signer_authority,
        signer_title=old.signer_title,
        signer_name=old.signer_name,
        report_deadlines=list(old.report_deadlines or []),
        amends=old,
        version=old.version + 1,
        derived_from=old.derived_from,
        created_by=user if user.is_authenticated else None,
    )
    new._history_user = user
    new._change_reason = _("Sửa đổi lần {n} của kế hoạch {ref}").format(n=new.version, ref=old.number_symbol)
    new.save()
    skip = {"id", "plan"}
    for t in old.targets.all():
        copy = Target(
            plan=new,
            **{f.name: getattr(t, f.name) for f in Target._meta.concrete_fields if f.name not in skip},
        )
        copy._history_user = user
        copy.save()
    for s in old.shortcomings.prefetch_related("responsible_units"):
        copy = Shortcoming(
            plan=new,
            **{
                f.attname: getattr(s, f.attname)
                for f in Shortcoming._meta.concrete_fields
                if f.name not in skip
            },
        )
        copy._history_user = user
        copy.save()
        copy.responsible_units.set(s.responsible_units.all())
    for task in old.tasks.prefetch_related("coordinating_units"):
        # Everything is copied, the denormalised progress too; the reports stay on the old version's tasks.
        copy = Task(
            plan=new,
            **{f.attname: getattr(task, f.attname) for f in Task._meta.concrete_fields if f.name not in skip},
        )
        copy._history_user = user
        copy.save()
        copy.coordinating_units.set(task.coordinating_units.all())
    for a in old.attachments.all():
        copy = PlanAttachment(
            plan=new,
            **{
                f.attname: getattr(a, f.attname)
                for f in PlanAttachment._meta.concrete_fields
                if f.name not in skip | {"uploaded_at"}
            },
        )
        copy._history_user = user
        copy.save()
    return new


def _editable(plan: Plan, user) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not permissions.can_edit_plan(user, plan):
        raise PermissionDenied(_("Kế hoạch đã khoá (đã phê duyệt hoặc ban hành); hãy lập bản sửa đổi."))
    return plan


# --------------------------------------------------------------------------- targets


def _parse_value(kind: str, value) -> float | int | str:
    text = nfc(str(value if value is not None else "")).strip()
    if not text:
        raise ValueError(_("Cần nhập giá trị mục tiêu."))
    if kind == "group":
        return text
    try:
        number = parse_number(text)
    except ValueError:
        number = None
    if number is None:
        raise ValueError(_("Giá trị mục tiêu «{value}» không phải là một số.").format(value=text))
    if kind in ("rank", "places", "top"):
        if float(number) != int(number):
            raise ValueError(_("Giá trị mục tiêu «{value}» phải là số nguyên.").format(value=text))
        return int(number)
    return float(number)


def _stored_value(parsed) -> str:
    if isinstance(parsed, float):
        return format_number(parsed) if parsed != int(parsed) else str(int(parsed))
    return str(parsed)


def check_and_fill_target(target: Target) -> Target:
    """Fill a target's baseline (from the results of the plan's results year, for the issuing unit's
    province, or its predecessor), needed points, met flag and label. Does not save.

    ValueError (Vietnamese) when there are no results, the node is unknown or the target impossible."""
    from chiso.analysis.services import year_figures

    plan = target.plan
    index = (target.index or "").strip().lower()
    if index not in index_labels():
        raise ValueError(_("Chỉ số không hợp lệ: «{index}».").format(index=target.index))
    year = plan.results_year or (plan.year - 1)
    ctx = year_figures(index, year)
    if ctx is None:
        raise ValueError(
            _("Chưa có bộ chỉ số {index} cho năm {year}.").format(index=index.upper(), year=year)
        )
    unit = results_unit(plan.issuing_unit, index, year)
    ud = ctx.derived.units.get(unit.pk)
    index_name = ctx.framework.index.short_name
    if ud is None:
        raise ValueError(
            _("Chưa có kết quả {index} năm {year} của {unit}: không tính được mức xuất phát.").format(
                index=index_name, year=year, unit=unit.short_name
            )
        )
    parsed = _parse_value(target.kind, target.value)
    code = (target.node_code or "").strip()
    root = ctx.derived.root
    if code == root:
        code = ""
    if not code:
        current = ud.total
        if current is None:
            raise ValueError(
                _("{unit} chưa có điểm tổng hợp năm {year}.").format(unit=unit.short_name, year=year)
            )
        others = ctx.derived.totals(exclude=unit.pk)
        rule = ctx.rule
        maximum = ctx.derived.maximum
        b = baseline_of(year, current, others, rule, maximum)
        baseline = Baseline(
            year,
            current,
            ud.rank or b.rank,
            ud.rank_of or b.rank_of,
            ud.group or b.group,
            ud.percent if ud.percent is not None else b.percent,
        )
        node_name = ""
    else:
        node = ctx.nodes.get(code)
        if node is None:
            raise ValueError(
                _("Không có nội dung «{code}» trong bộ chỉ số {index} năm {year}.").format(
                    code=code, index=index_name, year=year
                )
            )
        nv = ud.nodes.get(code)
        current = nv.value if nv else None
        if current is None:
            raise ValueError(
                _("{unit} chưa có điểm nội dung {code} năm {year}.").format(
                    unit=unit.short_name, code=code, year=year
                )
            )
        others = [
            u.nodes[code].value
            for k, u in ctx.derived.units.items()
            if k != unit.pk and code in u.nodes and u.nodes[code].value is not None
        ]
        rule = None
        maximum = node.max_score
        stats = ctx.derived.stats.get(code)
        rank = stats.ranks.get(unit.pk) if stats else None
        baseline = Baseline(
            year,
            current,
            rank,
            stats.n if stats and rank else None,
            None,
            100.0 * current / maximum if maximum else None,
        )
        node_name = node.name_vi
        if target.kind == "group":
            raise ValueError(_("Mục tiêu theo nhóm xếp loại chỉ áp dụng cho toàn chỉ số."))
    if target.kind == "group" and rule is not None:
        match = next((lab for lab in rule.labels if lab.lower() == str(parsed).lower()), None)
        parsed = match or parsed
    result = check_target(
        target.kind,
        parsed,
        current,
        others,
        rule,
        maximum,
        baseline,
        code or None,
        index_name,
        plan.year,
        node_name=node_name or None,
    )
    target.index = index
    target.node_code = code
    target.node_name = node_name
    target.value = _stored_value(parsed)
    target.baseline_year = baseline.year
    target.baseline_score = baseline.score
    target.baseline_max = maximum
    target.baseline_rank = baseline.rank
    target.baseline_rank_of = baseline.rank_of
    target.baseline_group = baseline.group or ""
    target.baseline_percent = baseline.percent
    # The points a plan prints (rounded up, as in the target's sentence), not the raw solver figure.
    target.needed_points = None if result.needed_points is None else points_up(result.needed_points)
    target.met = result.met
    target.label = result.label_vi
    return target


@transaction.atomic
def save_target(plan: Plan, user, data: dict, target: Target | None = None) -> Target:
    """data: index, node_code, kind, value (and optional order)."""
    plan = _editable(plan, user)
    if target is None:
        target = Target(plan=plan, order=(plan.targets.count() + 1))
    else:
        target = Target.objects.select_for_update().get(pk=target.pk, plan=plan)
    target.plan = plan
    target.index = data.get("index", target.index)
    target.node_code = data.get("node_code", target.node_code) or ""
    target.kind = data.get("kind", target.kind)
    target.value = data.get("value", target.value)
    if data.get("order") is not None:
        target.order = data["order"]
    check_and_fill_target(target)
    target._history_user = user
    target.save()
    return target


@transaction.atomic
def delete_target(target: Target, user) -> None:
    _editable(target.plan, user)
    target._history_user = user
    target.delete()


def refresh_targets(plan: Plan, user=None) -> list[tuple[Target, str]]:
    """Re-check every target against the latest results; returns (target, error) for those that
    could not be checked (left unchanged)."""
    problems: list[tuple[Target, str]] = []
    for target in plan.targets.all():
        with transaction.atomic():
            try:
                check_and_fill_target(target)
            except ValueError as exc:
                problems.append((target, str(exc)))
                continue
            if user is not None:
                target._history_user = user
            target.save()
    return problems


# --------------------------------------------------------------------------- tasks


@transaction.atomic
def save_task(plan: Plan, user, data: dict, task: Task | None = None) -> Task:
    """data: text, index, nodes, lead_unit, lead_class, lead_text, coordinating_units, coordinating_text,
    product, deadline, recurrence, first_due, priority, order (cleaned by TaskForm)."""
    plan = _editable(plan, user)
    allowed = {u.pk for u in unit_choices(plan)}
    lead = data.get("lead_unit")
    if lead is not None and lead.pk not in allowed:
        raise ValueError(_("Đơn vị chủ trì không thuộc địa phương của kế hoạch."))
    coordinating = list(data.get("coordinating_units") or [])
    if any(u.pk not in allowed for u in coordinating):
        raise ValueError(_("Có đơn vị phối hợp không thuộc địa phương của kế hoạch."))
    if task is None:
        task = Task(plan=plan)
        if not data.get("order"):
            last = plan.tasks.order_by("-order").values_list("order", flat=True).first()
            data = {**data, "order": (last or 0) + 1}
    else:
        task = Task.objects.select_for_update().get(pk=task.pk, plan=plan)
    for name in (
        "text",
        "index",
        "nodes",
        "lead_unit",
        "lead_class",
        "lead_text",
        "coordinating_text",
        "product",
        "deadline",
        "recurrence",
        "first_due",
        "priority",
        "order",
    ):
        if name in data and data[name] is not None:
            setattr(task, name, data[name])
    if lead is None and "lead_unit" in data:
        task.lead_unit = None
    if "first_due" in data and data["first_due"] is None:
        task.first_due = None
    if "deadline" in data and data["deadline"] is None:
        task.deadline = None
    task._history_user = user
    task.save()
    if "coordinating_units" in data:
        if {u.pk for u in coordinating} != set(task.coordinating_units.values_list("pk", flat=True)):
            task.coordinating_units.set(coordinating)
    return task


@transaction.atomic
def delete_task(task: Task, user) -> None:
    _editable(task.plan, user)
    task._history_user = user
    task.delete()


# --------------------------------------------------------------------------- shortcomings appendix


def _score(value, label: str) -> float | None:
    """A score typed the Vietnamese way ("6,355"), None if empty; ValueError if not a number or < 0."""
    try:
        number = parse_number(value)
    except ValueError:
        raise ValueError(
            _("{label} «{value}» không phải là một số.").format(label=label, value=value)
        ) from None
    if number is not None and number < 0:
        raise ValueError(_("{label} không được âm.").format(label=label))
    return number


def _node_name(plan: Plan, index: str, code: str) -> str:
    year = plan.results_year or plan.year - 1
    return next((name for c, name, _d in node_choices(index, year) if c == code), "")


@transaction.atomic
def save_shortcoming(plan: Plan, user, data: dict, row: Shortcoming | None = None) -> Shortcoming:
    """Create (row None) or update a row of the shortcomings appendix. data: index, node_code,
    node_name, achieved, maximum (numbers or Vietnamese text "6,355", None = unknown),
    responsible_units (Units of the plan's province), responsible_text, note, optional order.
    The lost points are maximum − achieved when both are known. ValueError (Vietnamese) on bad
    input, PermissionDenied when the plan is locked; nothing is changed then."""
    plan = _editable(plan, user)
    index = (data.get("index") if "index" in data else row.index if row else "") or ""
    index = index.strip().lower()
    if index not in index_labels():
        raise ValueError(_("Chỉ số không hợp lệ: «{index}».").format(index=index))
    code = nfc(str(data.get("node_code", row.node_code if row else "") or "")).strip()
    if not code:
        raise ValueError(_("Chọn nội dung chỉ số bị mất điểm."))
    achieved = _score(data.get("achieved", row.achieved if row else None), _("Điểm đạt"))
    maximum = _score(data.get("maximum", row.maximum if row else None), _("Điểm tối đa"))
    if achieved is not None and maximum is not None and achieved > maximum:
        raise ValueError(
            _("Điểm đạt ({a}) không được lớn hơn điểm tối đa ({m}).").format(
                a=format_number(achieved), m=format_number(maximum)
            )
        )
    allowed = {u.pk for u in unit_choices(plan)}
    units = list(data.get("responsible_units") or []) if "responsible_units" in data else None
    if units is not None and any(u.pk not in allowed for u in units):
        raise ValueError(_("Có đơn vị chịu trách nhiệm không thuộc địa phương của kế hoạch."))
    if row is None:
        row = Shortcoming(plan=plan)
        if data.get("order") is None:
            last = plan.shortcomings.order_by("-order").values_list("order", flat=True).first()
            row.order = (last or 0) + 1
    else:
        row = Shortcoming.objects.select_for_update().get(pk=row.pk, plan=plan)
    if data.get("order") is not None:
        row.order = data["order"]
    name = nfc(str(data.get("node_name") or "")).strip()
    if not name and (row.pk is None or (index, code) != (row.index, row.node_code)):
        name = _node_name(plan, index, code)
    row.index = index
    row.node_code = code
    if name:
        row.node_name = name
    if achieved is not None and maximum is not None:
        row.lost = round(maximum - achieved, 6)
    elif row.pk is None or (achieved, maximum) != (row.achieved, row.maximum):
        row.lost = None  # else: a lost figure imported without its scores stays
    row.achieved = achieved
    row.maximum = maximum
    for attr in ("responsible_text", "note"):
        if attr in data:
            setattr(row, attr, nfc(str(data[attr] or "")).strip())
    row._history_user = user
    row.save()
    if units is not None and {u.pk for u in units} != set(row.responsible_units.values_list("pk", flat=True)):
        row.responsible_units.set(units)
    return row


@transaction.atomic
def delete_shortcoming(row: Shortcoming, user) -> None:
    _editable(row.plan, user)
    row._history_user = user
    row.delete()


# --------------------------------------------------------------------------- attachments


@transaction.atomic
def add_attachment(plan: Plan, user, uploaded) -> PlanAttachment:
    """Check (type, size, content, virus hook) and store a file attached to a plan; UploadRejected
    (a ValueError) says why a file is refused."""
    from chiso.files.checks import check_upload, store

    plan = _editable(plan, user)
    checked = check_upload(uploaded)
    return store(PlanAttachment, checked, user, plan=plan)


# --------------------------------------------------------------------------- history


def plan_history(plan: Plan) -> list[HistoryEntry]:
    """Every historical record of the plan and of its targets, tasks, shortcomings and attachments,
    newest first, with the fields changed (before → after)."""
    sources = [
        (_("Kế hoạch"), Plan, records(Plan, id=plan.pk)),
        (_("Mục tiêu"), Target, records(Target, plan_id=plan.pk)),
        (_("Nhiệm vụ"), Task, records(Task, plan_id=plan.pk)),
        (_("Hạn chế"), Shortcoming, records(Shortcoming, plan_id=plan.pk)),
        (_("Tệp đính kèm"), PlanAttachment, records(PlanAttachment, plan_id=plan.pk)),
    ]
    units = {u.pk: u.short_name for u in unit_choices(plan)}
    fk_ids = {
        getattr(r, attr)
        for _what, _model, rows in sources
        for r in rows
        for attr in ("issuing_unit_id", "lead_unit_id")
        if getattr(r, attr, None)
    }
    units.update(Unit.objects.filter(pk__in=fk_ids - set(units)).values_list("pk", "short_name"))
    return history_entries(sources, _obj_label, units)


def _obj_label(model, rec) -> str:
    if model is Plan:
        return rec.title
    if model is Target:
        return rec.label or f"{rec.index} {rec.node_code}"
    if model is Task:
        return f"{rec.order}. {rec.text[:120]}"
    if model is Shortcoming:
        return f"{rec.index.upper()} {rec.node_code} {rec.node_name}"
    return getattr(rec, "name", str(rec.id))


def on_plan_transition(sender, obj: Plan, step, before: str, user, **kwargs) -> None:
    """An amendment that becomes live supersedes the version it amends (kept, read-only, linked)."""
    if obj.amends_id and obj.is_live:
        old = Plan.objects.get(pk=obj.amends_id)
        old.superseded = True
        old._history_user = user
        old._change_reason = f"Được thay thế bởi bản sửa đổi lần {obj.version}"
        old.save()


def sorted_plans(plans: Iterable[Plan]) -> list[Plan]:
    """Newest year first, then the Vietnamese order of titles."""
    return sorted(plans, key=lambda p: (-(p.year or 0), vi_sort_key(p.title), p.pk))
