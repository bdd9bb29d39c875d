"""The plan itself: create and edit a plan, its targets (checked against the results), its tasks and
attachments; amendments of an issued plan; the plan's history.

Every rule of a plan, a target, a task and a row of the shortcomings appendix lives here, whatever the
entry point (web form, API, command line, drafting): a write checks permissions
(chiso.plans.permissions) and every rule, runs in one transaction, and on bad input raises
``ValidationError({field: [messages]})`` (Vietnamese, every problem at once) or ``PermissionDenied``;
nothing is changed then (see chiso.validation).

API other parts may call:
- ``results_unit(unit, index, year)`` — the unit whose results a plan of ``unit`` starts from (the
  lineage rule of ``chiso.units.lineage`` applied to the issuing unit's province).
- ``check_and_fill_target(target)`` — fills baseline_*, needed_points, met, label (no save);
  ValueError (Vietnamese) when the target is impossible or the results are missing.
- ``refresh_targets(plan, user=None)`` — re-checks and saves every target against the latest results.
- ``save_plan(user, data, plan=None)``, ``delete_plan(plan, user)``, ``amend_plan(plan, user)``,
  ``save_target(plan, user, data, target=None)``, ``delete_target(target, user)``,
  ``save_task(plan, user, data, task=None)``, ``delete_task(task, user)``,
  ``add_attachment(plan, user, uploaded)``, ``plan_history(plan)``,
  ``node_choices(index, year)``, ``unit_choices(plan)``.
- ``save_shortcoming(plan, user, data, row=None)``, ``delete_shortcoming(row, user)`` — rows of the
  shortcomings appendix, while the plan is editable.
- ``parse_target_value(kind, value)`` — a target's value as typed, per kind (every entry point).
- ``task_date_window(year, year_to)`` — the days a task of a plan may be due.
- ``on_plan_transition`` — an amendment that becomes live supersedes the version it amends.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from chiso.audit.changes import HistoryEntry, history_entries, records
from chiso.concurrency import bump, check_revision
from chiso.core.plan import (
    COUNT_KINDS,
    Baseline,
    GroupedNode,
    baseline_of,
    check_count_target,
    check_target,
    points_up,
)
from chiso.core.text import format_date, format_number, nfc, nfc_multiline, parse_number, vi_sort_key
from chiso.documents.services import wording_for
from chiso.frameworks.services import index_labels
from chiso.idempotency import services as idempotency
from chiso.units import lineage
from chiso.units.models import Unit
from chiso.units.services import province_of
from chiso.validation import Errors

from .. import permissions
from ..models import (
    MULTILINE_FIELDS,
    Activity,
    Plan,
    PlanAttachment,
    Priority,
    Recurrence,
    RequestStatus,
    Shortcoming,
    Target,
    Task,
    TaskLayout,
    UnitClass,
)
from .tiers import own_units, units_of_year

__all__ = [
    "with_index",
    "add_attachment",
    "TARGET_VALUE_MESSAGES",
    "TASK_FIELDS",
    "PlanInUse",
    "TargetValueError",
    "amend_plan",
    "check_and_fill_target",
    "delete_plan",
    "delete_shortcoming",
    "delete_target",
    "delete_task",
    "node_choices",
    "own_units_only",
    "parse_target_value",
    "plan_history",
    "province_of",
    "refresh_targets",
    "results_unit",
    "save_plan",
    "save_shortcoming",
    "save_target",
    "save_task",
    "task_date_window",
    "unit_choices",
]


def with_index(qs, index: str):
    """The plans of ``qs`` that cover ``index`` (a code in their ``indices`` list): a JSON ``contains``
    lookup on PostgreSQL, a filter by ids on SQLite (which has no such lookup)."""
    if connection.features.supports_json_field_contains:
        return qs.filter(indices__contains=[index])
    return qs.filter(pk__in=[pk for pk, codes in qs.values_list("pk", "indices") if index in (codes or [])])


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
    "legal_basis",
    "implements",
    "signer_authority",
    "signer_title",
    "signer_name",
    "report_deadlines",
    "task_layout",
)
TEXT_FIELDS = (
    "number",
    "symbol",
    "place",
    "title",
    "purpose",
    "requirements",
    "body",
    "signer_authority",
    "signer_title",
    "signer_name",
)
#: A task may be due up to this many years after its plan's last year (task_date_window).
TASK_YEARS_AFTER_PLAN = 5


class PlanInUse(ValueError):
    """A plan other plans or reports refer to cannot be deleted (message in Vietnamese)."""


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


def own_units_only(plan: Plan) -> bool:
    """A plan a department, district or commune derives from a provincial one gives its tasks to the
    unit itself and its own offices (``tiers.own_units``), never to another unit of the province."""
    return plan.derived_from_id is not None and plan.issuing_unit.kind != Unit.Kind.PROVINCE


def unit_choices(plan_or_unit, keep: Iterable[Unit] = ()) -> list[Unit]:
    """Units a task may name (lead or coordinating): the province of the issuing unit, its departments,
    agencies, districts and communes (its whole subtree) in force in the plan's year
    (``tiers.units_of_year``: a 2023 plan lists the districts and communes of 2023, through the province
    that stood for the issuing one then; a unit without a plan: today's), sorted by kind then the
    Vietnamese way, province first; for a derived plan of a department, district or commune
    (``own_units_only``) the unit and the units under it in force in the plan's year only; plus the
    units of ``keep`` (those a row already names)."""
    if isinstance(plan_or_unit, Plan):
        unit, year = plan_or_unit.issuing_unit, plan_or_unit.year
    else:
        unit, year = plan_or_unit, None
    if isinstance(plan_or_unit, Plan) and own_units_only(plan_or_unit):
        units = own_units(unit, year)
    else:
        units = units_of_year(unit, year)
    ids = {u.pk for u in units}
    units.extend(u for u in keep if u is not None and u.pk not in ids)
    return units


def node_choices(index: str, year: int | None, language: str | None = None) -> list[tuple[str, str, int]]:
    """(code, name, depth) of the nodes of the index's framework for the results year (root excluded),
    named in ``language`` (default: the reader's; what a plan stores is named in Vietnamese)."""
    from chiso.frameworks.services import framework_for, framework_tree

    if not index or not year:
        return []
    fw = framework_for(index, year)
    if fw is None:
        return []
    _tree, nodes = framework_tree(fw)
    language = language or get_language()
    return [(code, n.label_for(language), n.depth) for code, n in nodes.items() if n.parent_id is not None]


def with_node_labels(plan: Plan, rows: Iterable[Any]) -> list[Any]:
    """``rows`` (targets, shortcomings), each given ``node_label``: its node's name as the reader reads
    it. In English that is the framework's English name when the row stores the framework's Vietnamese
    name (what documents quote); a name the row keeps from elsewhere is shown as stored."""
    rows = list(rows)
    english: dict[tuple[str, str], tuple[str, str]] = {}
    if (get_language() or "").startswith("en"):
        year = plan.results_year or plan.year - 1
        for index in {r.index for r in rows if r.node_code}:
            shown = {code: name for code, name, _depth in node_choices(index, year, "en")}
            for code, name_vi, _depth in node_choices(index, year, "vi"):
                english[(index, code)] = (name_vi, shown[code])
    for r in rows:
        name_vi, name_en = english.get((r.index, r.node_code), ("", ""))
        r.node_label = name_en if name_vi and r.node_name == name_vi else r.node_name
    return rows


# --------------------------------------------------------------------------- plans


def _text(value) -> str:
    return nfc(str(value if value is not None else "")).strip()


def _iso_day(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)).isoformat()


def task_date_window(year: int, year_to: int | None) -> tuple[dt.date, dt.date]:
    """The days a task of a plan of these years may be given as due: from the first day of the plan's
    first year to the last day of the TASK_YEARS_AFTER_PLAN-th year after its last one (a task may run
    past the plan: reports then follow it, see chiso.tracking.services.execution.period_years). It
    catches mistyped years (2205 for 2025) before they reach reminders and reporting periods."""
    return dt.date(year, 1, 1), dt.date((year_to or year) + TASK_YEARS_AFTER_PLAN, 12, 31)


def _clean_plan(plan: Plan, values: dict, errors: Errors) -> dict:
    """The plan's values after the rules (normalised); problems go to ``errors``."""
    out = dict(values)
    for name in TEXT_FIELDS:
        if name in out and name in MULTILINE_FIELDS:  # paragraphs and "- " bullets kept
            out[name] = nfc_multiline(str(out[name] if out[name] is not None else ""))
        elif name in out:
            out[name] = _text(out[name])
    if "title" in out and not out["title"]:
        errors.add("title", _("Cần nhập trích yếu của kế hoạch."))
    if "indices" in out:
        indices = list(dict.fromkeys(_text(i).lower() for i in out["indices"] or []))
        known = index_labels()
        unknown = [i for i in indices if i not in known]
        if unknown:
            errors.add("indices", _("Chỉ số không hợp lệ: «{index}».").format(index=", ".join(unknown)))
        elif not indices:
            errors.add("indices", _("Chọn ít nhất một chỉ số."))
        out["indices"] = indices
    if "task_layout" in out:
        out["task_layout"] = _text(out["task_layout"] or TaskLayout.DIMENSION)
        if out["task_layout"] not in TaskLayout.values:
            errors.add(
                "task_layout",
                _("Cách sắp xếp nhiệm vụ không hợp lệ: «{value}».").format(value=out["task_layout"]),
            )
    if "recipients" in out:
        out["recipients"] = [line for line in (_text(r) for r in out["recipients"] or []) if line]
    for name in ("legal_basis", "implements"):  # the document adds the ";" of each line
        if name in out:
            out[name] = [line for line in (_text(r).rstrip(";").rstrip() for r in out[name] or []) if line]
    # stored without the word the document puts before each ("Căn cứ …;", "Thực hiện …;")
    for name, word in (("legal_basis", "căn cứ "), ("implements", "thực hiện ")):
        if name in out:
            out[name] = [r[len(word) :].strip() if r.lower().startswith(word) else r for r in out[name]]
            out[name] = [r for r in out[name] if r]
    if "report_deadlines" in out:
        out["report_deadlines"] = sorted({_iso_day(d) for d in out["report_deadlines"] or []})

    def current(name):
        return out[name] if name in out else getattr(plan, name)

    year, year_to, results_year = current("year"), current("year_to"), current("results_year")
    if year is None:
        errors.add("year", _("Cần nhập năm thực hiện."))
        return out
    if year_to is not None and year_to < year:
        errors.add("year_to", _("Năm kết thúc phải từ năm bắt đầu trở đi."))
    if results_year is None:
        out["results_year"] = year - 1
    elif results_year > year:
        errors.add("results_year", _("Năm kết quả làm căn cứ không được sau năm thực hiện."))
    return out


@transaction.atomic
def save_plan(
    user, data: dict, plan: Plan | None = None, *, revision: int | None = None, key: str | None = None
) -> Plan:
    """Create (plan None) or update a plan from parsed data (keys of PLAN_FIELDS; dates as dates,
    report_deadlines as dates or ISO strings, recipients and indices as lists). Checks who may and
    every rule of the plan; ValidationError({field: [messages]}) / PermissionDenied and nothing changed.
    A new plan starts with the symbol and signer of its issuing unit's standard wording (what ``data``
    omits). ``revision``: the plan's revision the edit started from (StaleEdit when someone saved since,
    chiso.concurrency); ``key``: a submission key — the same key again returns the plan it created, with
    ``was_replayed`` (chiso.idempotency)."""
    unit = data.get("issuing_unit")
    if plan is None:
        permissions.require_create_plan(user, unit)
        claim = idempotency.claim(user, key, "plan")
        if claim.existing is not None:
            claim.existing.was_replayed = True
            return claim.existing
        plan = Plan(
            created_by=user if user.is_authenticated else None,
            **wording_for(unit, "plan").issue_fields("plan"),
        )
    else:
        claim = None
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        permissions.require_edit(user, plan)
        if unit is not None and unit.pk != plan.issuing_unit_id:
            permissions.require_create_plan(user, unit)
        check_revision(plan, revision, _("kế hoạch này"))
    errors = Errors()
    values = _clean_plan(plan, {name: data[name] for name in PLAN_FIELDS if name in data}, errors)
    errors.raise_if_any()
    for name, value in values.items():
        setattr(plan, name, value)
    bump(plan)
    plan._history_user = user
    plan.save()
    if claim is not None:
        claim.done(plan)
    return plan


@transaction.atomic
def delete_plan(plan: Plan, user) -> None:
    """Delete a draft plan (its targets, tasks and rows go with it). PermissionDenied unless the user
    may edit it and it is still in the workflow's first state; PlanInUse when another plan or a report
    refers to it. Nothing is changed then."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    permissions.require_edit(user, plan)
    if plan.status != plan.workflow().initial:
        raise PermissionDenied(_("Chỉ xóa được kế hoạch dự thảo; kế hoạch đã trình hãy rút lại trước."))
    plan._history_user = user
    try:
        with transaction.atomic():
            plan.delete()
    except ProtectedError:
        raise PlanInUse(
            _("Không xóa được: kế hoạch đang được kế hoạch hoặc báo cáo khác tham chiếu.")
        ) from None


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
        raise ValidationError(_("Kế hoạch này đã có một bản sửa đổi đang soạn; hãy tiếp tục bản đó."))
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
        legal_basis=list(old.legal_basis or []),
        implements=list(old.implements or []),
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
    permissions.require_edit(user, plan)
    return plan


# --------------------------------------------------------------------------- targets


class TargetValueError(ValueError):
    """A target's value does not fit its kind (message in Vietnamese)."""


#: What parse_target_value says, by problem (drafting words them for the plan's overall ambition).
TARGET_VALUE_MESSAGES = {
    "empty": gettext_lazy("Cần nhập giá trị mục tiêu."),
    "not_number": gettext_lazy("Giá trị mục tiêu «{value}» không phải là một số."),
    "not_integer": gettext_lazy("Giá trị mục tiêu «{value}» phải là số nguyên."),
    "too_small": gettext_lazy("Giá trị mục tiêu «{value}» phải từ {lowest} trở lên."),
    "negative": gettext_lazy("Giá trị mục tiêu «{value}» không được âm."),
    "percent": gettext_lazy("Tỷ lệ phải trong khoảng 0–100."),
    "count": gettext_lazy("Mục tiêu theo số nội dung ghi «số lượng tên nhóm», ví dụ «3 Cao» hoặc «0 Thấp»."),
}


def parse_target_value(
    kind: str, value, *, lowest_places: int = 0, messages: Mapping[str, str] = TARGET_VALUE_MESSAGES
) -> float | int | str:
    """The value of a target of ``kind`` as typed by a user ("45,5", "2", "Cao"): a group name
    (text), a whole number for rank, top (≥ 1) and places (≥ ``lowest_places``), a number ≥ 0 for a
    score, 0–100 for a percent. TargetValueError with the message of ``messages`` otherwise. Every
    entry point (web form, API, drafting, command line) reads target values with this function."""
    text = _text(value)

    def refuse(problem: str, **params) -> TargetValueError:
        return TargetValueError(str(messages[problem]).format(value=text, **params))

    if not text:
        raise refuse("empty")
    if kind == Target.Kind.GROUP:
        return text
    if kind in COUNT_KINDS:
        head, _sep, rest = text.partition(" ")
        if not head.isdigit() or not rest.strip():
            raise refuse("count")
        return f"{int(head)} {' '.join(rest.split())}"
    try:
        number = parse_number(text)
    except ValueError:
        number = None
    if number is None or not math.isfinite(number):
        raise refuse("not_number")
    if kind in (Target.Kind.RANK, Target.Kind.PLACES, Target.Kind.TOP):
        if not float(number).is_integer():
            raise refuse("not_integer")
        lowest = lowest_places if kind == Target.Kind.PLACES else 1
        if number < lowest:
            raise refuse("too_small", lowest=lowest)
        return int(number)
    if number < 0:
        raise refuse("negative")
    if kind == Target.Kind.PERCENT and number > 100:
        raise refuse("percent")
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
    parsed = parse_target_value(target.kind, target.value)
    code = (target.node_code or "").strip()
    root = ctx.derived.root
    if code == root:
        code = ""
    if target.kind in COUNT_KINDS:
        if code:
            raise ValueError(_("Mục tiêu theo số nội dung thuộc nhóm áp dụng cho toàn chỉ số."))
        grouped = grouped_nodes(ctx, unit.pk)
        if not grouped:
            raise ValueError(
                _("Bộ chỉ số {index} năm {year} không xếp nhóm các nội dung.").format(
                    index=index_name, year=year
                )
            )
        result = check_count_target(
            target.kind, parsed, grouped, ctx.rule, year, index_name, plan.year, level_word=_level_word(ctx)
        )
        target.index = index
        target.node_code = ""
        target.node_name = ""
        target.value = str(result.value)
        target.baseline_year = year
        target.baseline_score = target.baseline_max = target.baseline_rank = None
        target.baseline_rank_of = target.baseline_percent = None
        target.baseline_group = ""
        target.needed_points = None if result.needed_points is None else points_up(result.needed_points)
        target.needed_known = True
        target.met = result.met
        target.label = result.label_vi
        return target
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
        maximum = node.max_score
        stats = ctx.derived.stats.get(code)
        # a node the publisher groups (PAPI's dimensions) has a group among the units, as the total
        rule = ctx.rule if stats and stats.groups else None
        rank = stats.ranks.get(unit.pk) if stats else None
        baseline = Baseline(
            year,
            current,
            rank,
            stats.n if stats and rank else None,
            stats.groups.get(unit.pk) if stats else None,
            100.0 * current / maximum if maximum else None,
        )
        node_name = node.name_vi
        if target.kind == "group" and rule is None:
            raise ValueError(
                _(
                    "Nội dung «{code}» không được xếp nhóm trong bộ chỉ số {index} năm {year}: mục tiêu theo "
                    "nhóm chỉ đặt cho toàn chỉ số hoặc các nội dung được xếp nhóm."
                ).format(code=code, index=index_name, year=year)
            )
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
        decimals=ctx.framework.precision,
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
    target.needed_points = (
        None if result.needed_points is None else points_up(result.needed_points, ctx.framework.precision)
    )
    target.needed_known = result.needed_known
    target.met = result.met
    target.label = result.label_vi
    return target


def _level_word(ctx) -> str:
    """How the index names the level it groups ("chỉ số nội dung"), lower-case."""
    levels = ctx.rule.levels if ctx.rule is not None else ()
    for lv in ctx.framework.index.levels or []:
        if levels and isinstance(lv, dict) and lv.get("code") == levels[0] and lv.get("name_vi"):
            label = str(lv["name_vi"])
            return label[:1].lower() + label[1:]
    return "nội dung"


def grouped_nodes(ctx, unit_pk) -> list[GroupedNode]:
    """The nodes of the year the publisher groups (``GroupRule.levels``), in the framework's order, with
    the unit's score and group on each and the other units' scores (count targets)."""
    ud = ctx.derived.units.get(unit_pk)
    if ud is None or ctx.rule is None:
        return []
    out = []
    for code, node in ctx.nodes.items():
        st = ctx.derived.stats.get(code)
        if st is None or not st.groups:
            continue
        nv = ud.nodes.get(code)
        out.append(
            GroupedNode(
                code,
                node.name_vi,
                nv.value if nv else None,
                ctx.derived.node_scores(code, exclude=unit_pk),
                node.max_score,
                st.groups.get(unit_pk),
            )
        )
    return out


@transaction.atomic
def save_target(
    plan: Plan,
    user,
    data: dict,
    target: Target | None = None,
    *,
    revision: int | None = None,
    key: str | None = None,
) -> Target:
    """Create (target None) or update a target. data: index, node_code, kind, value (text as typed or a
    number), optional order. The target must be for one of the plan's indices, its value must fit its
    kind (parse_target_value), and it is checked against the results (check_and_fill_target: a
    problem there is an error of the target as a whole). ValidationError / PermissionDenied and
    nothing changed. ``revision`` / ``key``: as for save_plan."""
    plan = _editable(plan, user)
    claim = None
    if target is None:
        claim = idempotency.claim(user, key, f"target:plan={plan.pk}")
        if claim.existing is not None:
            claim.existing.was_replayed = True
            return claim.existing
        target = Target(plan=plan, order=(plan.targets.count() + 1))
    else:
        target = Target.objects.select_for_update().get(pk=target.pk, plan=plan)
        check_revision(target, revision, _("mục tiêu này"))
    errors = Errors()
    index = _text(data.get("index", target.index)).lower()
    if index not in index_labels():
        errors.add("index", _("Chỉ số không hợp lệ: «{index}».").format(index=index))
    elif plan.indices and index not in plan.indices:
        errors.add(
            "index",
            _("Chỉ số “{index}” không thuộc kế hoạch (kế hoạch gồm: {indices}).").format(
                index=index, indices=", ".join(plan.indices)
            ),
        )
    kind = data.get("kind", target.kind)
    if kind not in Target.Kind.values:
        errors.add("kind", _("Loại mục tiêu không hợp lệ: «{kind}».").format(kind=kind))
    else:
        try:
            parse_target_value(kind, data.get("value", target.value))
        except TargetValueError as exc:
            errors.add("value", exc)
    errors.raise_if_any()
    target.plan = plan
    target.index = index
    target.node_code = _text(data.get("node_code", target.node_code))
    target.kind = kind
    target.value = _text(data.get("value", target.value))
    if data.get("order") is not None:
        target.order = data["order"]
    try:
        check_and_fill_target(target)
    except ValueError as exc:  # the target as a whole, against the results
        errors.add(None, exc)
        errors.raise_if_any()
    bump(target)
    target._history_user = user
    target.save()
    if claim is not None:
        claim.done(target)
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

TASK_FIELDS = (
    "text",
    "index",
    "nodes",
    "lead_unit",
    "lead_class",
    "lead_text",
    "coordinating_units",
    "coordinating_text",
    "product",
    "deadline",
    "recurrence",
    "first_due",
    "priority",
    "order",
    "activity",
    "is_request",
)
_TASK_TEXTS = ("text", "lead_text", "coordinating_text", "product")


def _check_task_dates(plan: Plan, task: Task | None, values: dict, errors: Errors) -> None:
    """One-off: a deadline (no first due date); recurring: a first due date, not after the deadline
    if there is one; a date set or changed within task_date_window of the plan (a date kept as it
    was stays valid when the plan's years change)."""
    stored = (task.deadline, task.first_due) if task is not None else (None, None)
    recurrence, deadline, first_due = values["recurrence"], values["deadline"], values["first_due"]
    if recurrence == Recurrence.NONE:
        values["first_due"] = first_due = None
        if deadline is None:
            errors.add("deadline", _("Nhiệm vụ một lần cần thời hạn hoàn thành (dd/mm/yyyy)."))
    elif first_due is None:
        errors.add("first_due", _("Nhiệm vụ lặp lại cần hạn lần đầu (dd/mm/yyyy)."))
    elif deadline is not None and first_due > deadline:
        errors.add("first_due", _("Hạn lần đầu phải trước thời hạn kết thúc."))
    first, last = task_date_window(plan.year, plan.year_to)
    window = {"first": format_date(first), "last": format_date(last), "n": TASK_YEARS_AFTER_PLAN}
    if deadline is not None and deadline != stored[0] and not first <= deadline <= last:
        errors.add(
            "deadline",
            _(
                "Thời hạn phải trong khoảng {first} – {last} (từ năm thực hiện kế hoạch đến {n} năm sau "
                "năm cuối của kế hoạch)."
            ).format(**window),
        )
    if (
        first_due is not None
        and first_due != stored[1]
        and not first <= first_due <= last
        and "first_due" not in errors
    ):
        errors.add(
            "first_due",
            _(
                "Hạn lần đầu phải trong khoảng {first} – {last} (từ năm thực hiện kế hoạch đến {n} năm "
                "sau năm cuối của kế hoạch)."
            ).format(**window),
        )


def _clean_task(plan: Plan, task: Task | None, data: dict, errors: Errors) -> dict:
    """The task's values after the rules (normalised; coordinating units without the lead unit)."""

    def current(name, default=None):
        if name in data:
            return data[name]
        if task is not None and name != "coordinating_units":
            return getattr(task, name)
        return default

    values = {name: current(name) for name in TASK_FIELDS if name in data or task is not None}
    for name in _TASK_TEXTS:
        values[name] = _text(current(name, ""))
    if not values["text"]:
        errors.add("text", _("Cần nhập nội dung nhiệm vụ."))
    index = _text(current("index", "")).lower()
    values["index"] = index
    nodes = list(dict.fromkeys(_text(code) for code in current("nodes", []) or [] if _text(code)))
    values["nodes"] = nodes
    labels = index_labels()
    if index and index not in labels:
        errors.add("index", _("Chỉ số không hợp lệ: «{index}».").format(index=index))
    elif nodes and not index:
        errors.add("index", _("Chọn chỉ số của các nội dung đã chọn."))
    elif nodes and ("nodes" in data or "index" in data):
        known = {code for code, _name, _depth in node_choices(index, plan.results_year or plan.year - 1)}
        unknown = [code for code in nodes if code not in known]
        if known and unknown:
            errors.add(
                "nodes",
                _("Nội dung không thuộc chỉ số {index}: {codes}.").format(
                    index=labels.get(index, index.upper()), codes=", ".join(unknown)
                ),
            )
    values["activity"] = _text(current("activity", "") or "")
    if values["activity"] not in Activity.values:
        errors.add("activity", _("Hoạt động không hợp lệ: «{value}».").format(value=values["activity"]))
    lead = current("lead_unit")
    values["lead_unit"] = lead
    values["lead_class"] = current("lead_class", "") or ""
    if values["lead_class"] not in UnitClass.values:
        errors.add("lead_class", _("Cấp chủ trì không hợp lệ: «{value}».").format(value=values["lead_class"]))
    if not (lead or values["lead_class"] or values["lead_text"]):
        errors.add("lead_unit", _("Cần chọn đơn vị chủ trì (hoặc chủ trì theo cấp, hoặc ghi tên)."))
    coordinating = data.get("coordinating_units")
    if lead is not None or coordinating:
        allowed = {u.pk for u in unit_choices(plan)}
        if task is not None:  # the units the task already names stay allowed
            allowed |= {task.lead_unit_id, *task.coordinating_units.values_list("pk", flat=True)}
        own = own_units_only(plan)
        if lead is not None and "lead_unit" in data and lead.pk not in allowed:
            if own:
                message = _(
                    "“{unit}” không phải {own} hay phòng, ban, đơn vị trực thuộc {own}: kế hoạch triển khai "
                    "chỉ giao nhiệm vụ cho chính đơn vị và các phòng, ban của mình."
                ).format(unit=lead.name, own=plan.issuing_unit.name)
            else:
                message = _("“{unit}” không thuộc địa phương của kế hoạch.").format(unit=lead.name)
            errors.add("lead_unit", message)
        outside = [u.name for u in coordinating or [] if u.pk not in allowed]
        if outside and own:
            errors.add(
                "coordinating_units",
                _("Không phải {own} hay phòng, ban, đơn vị trực thuộc {own}: {units}.").format(
                    own=plan.issuing_unit.name, units=", ".join(outside)
                ),
            )
        elif outside:
            errors.add(
                "coordinating_units",
                _("Không thuộc địa phương của kế hoạch: {units}.").format(units=", ".join(outside)),
            )
    if coordinating is not None:
        values["coordinating_units"] = [u for u in coordinating if lead is None or u.pk != lead.pk]
    values["recurrence"] = current("recurrence", Recurrence.NONE) or Recurrence.NONE
    if values["recurrence"] not in Recurrence.values:
        errors.add("recurrence", _("Tần suất không hợp lệ: «{value}».").format(value=values["recurrence"]))
    else:
        values["deadline"], values["first_due"] = current("deadline"), current("first_due")
        _check_task_dates(plan, task, values, errors)
    # a request ("Đề nghị …") waits for the body's acceptance before it is tracked; an assignment has none
    values["is_request"] = bool(current("is_request", False))
    stored_status = task.request_status if task is not None else ""
    if values["is_request"]:
        values["request_status"] = stored_status or RequestStatus.PENDING
    else:
        values["request_status"] = RequestStatus.NONE
    priority = current("priority", Priority.NORMAL)
    values["priority"] = Priority.NORMAL if priority is None else priority
    if values["priority"] not in Priority.values:
        errors.add("priority", _("Mức ưu tiên không hợp lệ: «{value}».").format(value=priority))
    return values


@transaction.atomic
def save_task(
    plan: Plan,
    user,
    data: dict,
    task: Task | None = None,
    *,
    revision: int | None = None,
    key: str | None = None,
) -> Task:
    """Create (task None) or update a task. data: any of TASK_FIELDS, parsed (units as Unit objects,
    dates as dates); what is left out keeps its value. Every rule of a task is checked here: text,
    index and nodes of the index's framework, a lead (unit, class or text), units within the plan's
    province, deadline / recurrence / first due date consistent and within task_date_window of the
    plan; on a derived plan of a department, district or commune (``own_units_only``) the lead and the
    coordinating units are the unit itself or its own offices, and ``new_office`` (a name) adds an office
    to the unit (``cascade.add_office``) that leads the task.
    ValidationError({field: [messages]}) / PermissionDenied and nothing changed.
    ``revision`` / ``key``: as for save_plan."""
    plan = _editable(plan, user)
    claim = None
    if task is not None:
        task = Task.objects.select_for_update().get(pk=task.pk, plan=plan)
        check_revision(task, revision, _("nhiệm vụ này"))
    else:
        claim = idempotency.claim(user, key, f"task:plan={plan.pk}")
        if claim.existing is not None:
            claim.existing.was_replayed = True
            return claim.existing
    errors = Errors()
    new_office = _text(data.get("new_office") or "")
    if new_office:
        # a derived plan's coordinator adds the office that leads the task from the task itself
        from .cascade import CascadeError, add_office

        try:
            data = {**data, "lead_unit": add_office(plan, new_office, user)}
        except CascadeError as exc:
            errors.add("new_office", str(exc))
    values = _clean_task(plan, task, data, errors)
    errors.raise_if_any()
    if task is None:
        task = Task(plan=plan)
        if not values.get("order"):
            last = plan.tasks.order_by("-order").values_list("order", flat=True).first()
            values["order"] = (last or 0) + 1
    coordinating = values.pop("coordinating_units", None)
    for name, value in values.items():
        if name == "order" and value is None:
            continue
        setattr(task, name, value)
    bump(task)
    task._history_user = user
    task.save()
    if coordinating is not None:
        if {u.pk for u in coordinating} != set(task.coordinating_units.values_list("pk", flat=True)):
            task.coordinating_units.set(coordinating)
    if claim is not None:
        claim.done(task)
    return task


@transaction.atomic
def delete_task(task: Task, user) -> None:
    _editable(task.plan, user)
    task._history_user = user
    task.delete()


# --------------------------------------------------------------------------- shortcomings appendix


def _score(value, label: str, field: str, errors: Errors) -> float | None:
    """A score typed the Vietnamese way ("6,355") or a number, None if empty; not a number or < 0 is
    a problem of ``field``."""
    try:
        number = parse_number(_text(value) if isinstance(value, str) else value)
    except ValueError:
        errors.add(
            field,
            _("{label} «{value}» không phải là một số (viết như 6,355).").format(
                label=label, value=_text(value)
            ),
        )
        return None
    if number is not None and number < 0:
        errors.add(field, _("{label} không được âm.").format(label=label))
    return number


def _node_name(plan: Plan, index: str, code: str) -> str:
    year = plan.results_year or plan.year - 1
    return next((name for c, name, _d in node_choices(index, year, "vi") if c == code), "")


@transaction.atomic
def save_shortcoming(plan: Plan, user, data: dict, row: Shortcoming | None = None) -> Shortcoming:
    """Create (row None) or update a row of the shortcomings appendix. data: index, node_code,
    node_name, achieved, maximum (numbers or Vietnamese text "6,355", None = unknown),
    responsible_units (Units of the plan's province), responsible_text, note, optional order.
    The lost points are maximum − achieved when both are known. ValidationError({field: [messages]})
    on bad input, PermissionDenied when the plan is locked; nothing is changed then."""
    plan = _editable(plan, user)
    errors = Errors()
    index = _text(data.get("index") if "index" in data else row.index if row else "").lower()
    if index not in index_labels():
        errors.add("index", _("Chỉ số không hợp lệ: «{index}».").format(index=index))
    code = _text(data.get("node_code", row.node_code if row else ""))
    if not code:
        errors.add("node_code", _("Chọn nội dung chỉ số bị mất điểm."))
    achieved = _score(data.get("achieved", row.achieved if row else None), _("Điểm đạt"), "achieved", errors)
    maximum = _score(data.get("maximum", row.maximum if row else None), _("Điểm tối đa"), "maximum", errors)
    if achieved is not None and maximum is not None and achieved > maximum:
        errors.add(
            "achieved",
            _("Điểm đạt ({a}) không được lớn hơn điểm tối đa ({m}).").format(
                a=format_number(achieved), m=format_number(maximum)
            ),
        )
    allowed = {u.pk for u in unit_choices(plan)}
    if row is not None:  # the units the row already names stay allowed
        allowed |= set(row.responsible_units.values_list("pk", flat=True))
    units = list(data.get("responsible_units") or []) if "responsible_units" in data else None
    if units is not None and any(u.pk not in allowed for u in units):
        errors.add("responsible_units", _("Có đơn vị chịu trách nhiệm không thuộc địa phương của kế hoạch."))
    errors.raise_if_any()
    if row is None:
        row = Shortcoming(plan=plan)
        if data.get("order") is None:
            last = plan.shortcomings.order_by("-order").values_list("order", flat=True).first()
            row.order = (last or 0) + 1
    else:
        row = Shortcoming.objects.select_for_update().get(pk=row.pk, plan=plan)
    if data.get("order") is not None:
        row.order = data["order"]
    name = _text(data.get("node_name"))
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
    if "responsible_text" in data:
        row.responsible_text = _text(data["responsible_text"])
    if "note" in data:  # paragraphs kept
        row.note = nfc_multiline(str(data["note"] or ""))
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
