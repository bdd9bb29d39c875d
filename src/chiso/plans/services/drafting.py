"""Drafting a plan from the analysis ("Lập kế hoạch từ kết quả phân tích").

``draft_plan(index, unit, year, ambition, user)`` reads the unit's results of that year, drafts the
targets (the whole index from the ambition, then the weakest nodes; chiso.core.plan.draft_targets), suggests
tasks from the library for each target node (most specific first), proposes their lead and coordinating
units from the responsibility map (else the province's units the library's words name, those words renamed
after the 2025 reorganisation: ``library.modernise_text``), fills the shortcomings appendix (every node with lost points and the
units responsible) and stores it all as a draft Plan in one transaction. Errors raise DraftError
(Vietnamese message); nothing is created then. The coordinator edits the draft freely afterwards.

A plan for a year before a merger, drafted from a merged-away unit's results, is that unit's document
(``plan_issuer``: a 2023 plan from Kon Tum's results is issued by UBND tỉnh Kon Tum); today's successor
drafts and handles it (``chiso.plans.permissions.covers_plan``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiso.accounts.scope import covers
from chiso.analysis.services import Analysis, AnalysisError, analyse, opening_text, year_figures
from chiso.core import datedtext, tasklib
from chiso.core import plan as plancore
from chiso.core.text import fold, format_date, strip_admin_prefix
from chiso.documents.services import wording_for
from chiso.frameworks.models import Index
from chiso.results.models import Result
from chiso.units.lineage import carried_units, unit_on, units_in_force
from chiso.units.models import Unit

from ..models import (
    Activity,
    LibraryTask,
    Plan,
    Priority,
    Recurrence,
    RequestStatus,
    Shortcoming,
    Target,
    Task,
    TaskLayout,
    UnitClass,
)
from ..permissions import EDIT_ROLES
from .default_map import default_responsible
from .library import (
    REFORM_DATE,
    coordinator_provinces,
    framework_parents,
    lookup_responsibility,
    match_units,
    modernise_text,
    resolve_lead_unit,
    responsibility_map,
)
from .plans import TARGET_VALUE_MESSAGES, TargetValueError, parse_target_value
from .requests import is_outside_body
from .tiers import for_plan_year, local_words, plan_day, units_of_year

__all__ = [
    "AMBITION_KINDS",
    "DraftError",
    "draft_plan",
    "drafting_units",
    "issuing_unit_for",
    "plan_issuer",
    "parse_ambition",
    "plan_title",
    "results_years",
    "shortcomings_rows",
    "summary",
]

AMBITION_KINDS = ("places", "rank", "top", "group", "score", "percent")
TASKS_PER_NODE = 8


class DraftError(ValueError):
    """The plan cannot be drafted (Vietnamese message); nothing was created."""


# --------------------------------------------------------------------------- inputs


#: parse_target_value's messages, worded for the plan's overall ambition.
AMBITION_MESSAGES = {
    **TARGET_VALUE_MESSAGES,
    "empty": gettext_lazy("Nhập giá trị của mục tiêu chung."),
    "not_number": gettext_lazy("Giá trị mục tiêu “{value}” không phải là số."),
    "not_integer": gettext_lazy("Số bậc, thứ hạng hoặc top phải là số nguyên."),
    "too_small": gettext_lazy("Số bậc, thứ hạng hoặc top phải từ 1 trở lên."),
}


def parse_ambition(kind: str, value) -> dict:
    """``{"places": 5}`` etc. from a kind and a value typed by a user ("5", "1,5", "Cao"), read by
    the one parse_target_value (a climb of at least one place)."""
    kind = (kind or "").strip().lower()
    if kind not in AMBITION_KINDS:
        raise DraftError(
            _("Chọn một loại mục tiêu chung: tăng số bậc, thứ hạng, top, nhóm, điểm hoặc tỷ lệ %.")
        )
    try:
        return {kind: parse_target_value(kind, value, lowest_places=1, messages=AMBITION_MESSAGES)}
    except TargetValueError as exc:
        raise DraftError(str(exc)) from None


def _index(index) -> Index:
    if isinstance(index, Index):
        return index
    found = Index.objects.filter(code=str(index).strip().lower()).first()
    if found is None:
        raise DraftError(_("Không có chỉ số “{index}”.").format(index=index))
    return found


def results_years(index: str, unit: Unit) -> list[int]:
    """Years for which the unit has results of the index."""
    return sorted(
        Result.objects.filter(unit=unit, framework__index__code=index)
        .values_list("year", flat=True)
        .distinct()
    )


def drafting_units(user) -> list[tuple[Unit, Unit]]:
    """(unit whose results may be used, issuing province): each province the user coordinates, then the
    units whose results it carries (``chiso.units.lineage.carried_units``: the provinces merged into it,
    whose results are the baseline of the merged province's first plans)."""
    out: list[tuple[Unit, Unit]] = []
    seen: set[int] = set()
    for province in coordinator_provinces(user):
        for u in carried_units(province):
            if u.pk not in seen:
                seen.add(u.pk)
                out.append((u, province))
    return out


def issuing_unit_for(user, unit: Unit) -> Unit | None:
    """The unit that issues a plan built on ``unit``'s results: the unit itself while it is in force, else
    the unit that succeeded it (``chiso.units.lineage.units_in_force``); for a user, only one she
    coordinates (None if she coordinates none)."""
    candidates = units_in_force(unit, dt.date.today()) or [unit]
    if user is None:
        return candidates[0]
    for c in candidates:
        if covers(user, c.pk, EDIT_ROLES):
            return c
    return None


def plan_issuer(issuing: Unit, unit: Unit, plan_year: int) -> Unit:
    """Who issues a plan of ``plan_year`` drafted by ``issuing`` from ``unit``'s results: ``issuing``
    while it stands, on the plan's day, for ``unit`` (itself, its successor, or the predecessor of its code
    it speaks for then — ``tiers.year_provinces``: the former Quảng Ngãi under today's); else the unit in
    force on the plan's day that ``unit``'s results belong to, when ``issuing`` holds its records today (a
    2023 plan from Kon Tum's results is Kon Tum's document: issued by UBND tỉnh Kon Tum, naming Kon Tum's
    districts; today's Quảng Ngãi drafts, approves and cascades it, ``plans.permissions``)."""
    day = plan_day(plan_year)
    then = units_in_force(unit, day)
    if not then or issuing in then or unit_on(issuing, day) in then:
        return issuing
    if issuing in units_in_force(then[0], dt.date.today()):
        return then[0]
    return issuing


# --------------------------------------------------------------------------- shortcomings


def _responsible(entry) -> tuple[list[Unit], str]:
    if entry is None:
        return [], ""
    units = ([entry.lead_unit] if entry.lead_unit else []) + [
        u for u in entry.coordinating_units.all() if u.pk != entry.lead_unit_id
    ]
    return units, entry.lead_text


def shortcomings_rows(
    index: str,
    unit: Unit,
    year: int,
    province: Unit | None,
    *,
    analysis=None,
    units: list[Unit] | None = None,
    plan_year: int | None = None,
) -> list[dict]:
    """The shortcomings appendix: every node (leaf-most, scored) where points were lost, in the
    framework's order, with achieved/max/lost points and the units responsible: from the province's
    responsibility map (the node's entry, else its nearest ancestor's), else from the default map
    (``default_map``: the kind of body that usually leads it, named as in a plan of ``plan_year``, default
    the year after ``year``). ``units``: the units that may be named (the units of the plan's year; default
    the province's units of that year)."""
    a = analysis or analyse(index, unit, year)
    plan_year = plan_year or year + 1
    entries = responsibility_map(province, index)
    parents = framework_parents(a.framework)
    if units is None:
        units = units_of_year(province or unit, plan_year, _DRAFT_KINDS)
    allowed = {u.pk for u in units}
    lost = {n.code for n in a.lost}
    rows = []
    for n in a.nodes:
        if n.code not in lost:
            continue
        responsible, text = _responsible(lookup_responsibility(entries, [n.code], parents))
        responsible = [u for u in responsible if u.pk in allowed]
        if not responsible and not text:
            responsible, text = default_responsible(index, [n.code], parents, plan_year, units, province)
        rows.append(
            {
                "index": index,
                "node_code": n.code,
                "node_name": n.name,
                "achieved": n.score,
                "maximum": n.max,
                "lost": n.lost_points,
                "responsible_units": responsible,
                "responsible_text": text,
            }
        )
    return rows


# --------------------------------------------------------------------------- texts


def _value_text(value) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (f"{value:.4f}").rstrip("0").rstrip(".")
    return str(value)


def _names(analyses: list[Analysis]) -> str:
    """The indices a plan covers, after the "Chỉ số" the texts write before them (as real plans name each
    index): "PAPI", "PAR INDEX và Chỉ số SIPAS", "PAR INDEX, Chỉ số SIPAS và Chỉ số PAPI"."""
    return _joined([a.index.short_name for a in analyses])


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", Chỉ số ".join(names[:-1]) + " và Chỉ số " + names[-1]


def _purpose(
    analyses: Analysis | list[Analysis],
    issuing: Unit,
    reformed: bool = True,
    reviews: list[str] | None = None,
) -> str:
    """Mục đích: where the unit stands (each index's opening paragraph, closed by the verdict on the
    previous plan of that index when there is one: ``reviews``), then the plan's aims. The targets
    themselves are the plan's Target rows (the document prints them in their own section). A plan of a
    merged province after the 2025 reorganisation says its baseline is a former province's ("trước sắp
    xếp, sáp nhập"); a plan of a year before it speaks of that province as it then was."""
    if not isinstance(analyses, list):
        analyses = [analyses]
    a = analyses[0]
    name = _names(analyses)
    openings = []
    for i, one in enumerate(analyses):
        opening = opening_text(one)
        if one.unit.pk != issuing.pk and reformed:
            name_of = one.unit.name
            if one.unit.kind == Unit.Kind.PROVINCE and name_of[:1].isupper():
                name_of = name_of[0].lower() + name_of[1:]
            opening = f"Kết quả của {name_of} (trước sắp xếp, sáp nhập): {opening}"
        review = (reviews or [])[i] if i < len(reviews or []) else ""
        openings.append(f"{opening} {review}" if review else opening)
    paragraphs = [
        *openings,
        f"- Nâng cao nhận thức, tinh thần trách nhiệm của các cơ quan, đơn vị, địa phương trên địa bàn tỉnh "
        f"trong việc cải thiện, nâng cao Chỉ số {name}; phát huy kết quả đạt được và khắc phục những tồn tại, "
        f"hạn chế tại các nội dung, tiêu chí của Chỉ số {name} năm {a.year}.",
        f"- Phân công cụ thể nhiệm vụ cho từng cơ quan, đơn vị, địa phương gắn với từng nội dung, tiêu chí "
        f"của Chỉ số {name}, làm cơ sở theo dõi, đôn đốc, đánh giá kết quả thực hiện.",
    ]
    return "\n\n".join(paragraphs)


def _requirements(name: str, coordinating_agency: str) -> str:
    return "\n\n".join(
        [
            "- Xác định rõ trách nhiệm của người đứng đầu cơ quan hành chính nhà nước các cấp trên địa bàn "
            "tỉnh trong triển khai thực hiện các nhiệm vụ được phân công tại Kế hoạch này; kết quả thực hiện "
            "là một trong các tiêu chí đánh giá, xếp loại thi đua, khen thưởng hằng năm.",
            "- Các nhiệm vụ được triển khai đồng bộ, có trọng tâm, trọng điểm, bám sát các nội dung, tiêu chí "
            f"có điểm số thấp của Chỉ số {name}; kết hợp chặt chẽ với nhiệm vụ chuyên môn và Kế hoạch cải "
            "cách hành chính của tỉnh.",
            "- Các cơ quan, đơn vị, địa phương báo cáo tiến độ, kết quả thực hiện đúng thời hạn; kịp thời phản "
            f"ánh khó khăn, vướng mắc về {coordinating_agency} để tổng hợp, báo cáo Ủy ban nhân dân tỉnh.",
        ]
    )


def _body(plan_year: int, coordinating_agency: str) -> str:
    """Tổ chức thực hiện: funding, the duties of the departments and of the local committees of the plan's
    year (the districts' before the 2025 reorganisation, the communes' from it), reporting."""
    first, second = format_date(dt.date(plan_year, 6, 15)), format_date(dt.date(plan_year, 11, 15))
    chairs = local_words(plan_year)["chairs"]
    return "\n\n".join(
        [
            "Kinh phí thực hiện do các cơ quan, đơn vị, địa phương cân đối trong dự toán ngân sách được giao "
            "và các nguồn tài trợ hợp pháp khác (nếu có).",
            f"- Thủ trưởng các sở, ban, ngành, {chairs} căn cứ nhiệm vụ được "
            f"giao tại Kế hoạch này xây dựng kế hoạch cụ thể và tổ chức thực hiện; báo cáo kết quả về "
            f"{coordinating_agency} trước ngày {first} và {second}.",
            f"- {coordinating_agency} theo dõi, đôn đốc, kiểm tra việc thực hiện Kế hoạch; tổng hợp, báo cáo "
            "Ủy ban nhân dân tỉnh kết quả thực hiện.",
        ]
    )


def _lead_class(text: str, reformed: bool = True) -> str:
    """The class of units a lead text names as a whole ("UBND cấp xã", "các sở, ban, ngành"…); a text
    naming two classes ("Các sở, ban ngành và UBND các xã") keeps both. Districts were abolished by the
    2025 reorganisation: for a plan after it, their work goes to the communes."""
    f = fold(text)
    classes = set()
    if "so ban nganh" in f or "co quan chuyen mon" in f or "cac so" in f:
        classes.add(UnitClass.DEPARTMENT)
    if "cap huyen" in f or "cac huyen" in f:
        classes.add(UnitClass.WARD if reformed else UnitClass.DISTRICT)
    if "cap xa" in f or "cac xa" in f or "xa phuong" in f:
        classes.add(UnitClass.WARD)
    return UnitClass.combined(classes)


def previous_review(index: str, unit: Unit, issuing: Unit, year: int) -> str:
    """The verdict on the published plan for ``year`` (of the issuing unit or of the unit whose results
    are used) against ``year``'s results ("" when there is none): a new plan opens with it."""
    from .review import previous_plan, review_plan, review_sentence

    prev = previous_plan({issuing, unit}, index, year)
    review = review_plan(prev, year) if prev is not None else None
    return review_sentence(prev, review) if review is not None and review.rows else ""


def plan_title(index_name: str | list[str], issuing: Unit, plan_year: int) -> str:
    """The trích yếu of a drafted plan (the document prints "KẾ HOẠCH" above it): "Cải thiện, nâng cao Chỉ
    số PAPI tỉnh Quảng Ngãi năm 2025"."""
    where = issuing.name
    if issuing.kind == Unit.Kind.PROVINCE and where[:1].isupper():
        where = where[0].lower() + where[1:]
    if isinstance(index_name, (list, tuple)):
        index_name = _joined(list(index_name))
    return f"Cải thiện, nâng cao Chỉ số {index_name} {where} năm {plan_year}"


def _plan_date(issuing: Unit, plan_year: int) -> dt.date:
    """The time a plan speaks of: the end of its year (``tiers.plan_day``), whoever drafts it today (a 2023
    plan drafted by today's merged province speaks of the districts and departments of 2023)."""
    return plan_day(plan_year)


def _schedule(recurrence: str, plan_year: int) -> tuple[dt.date | None, dt.date | None]:
    """(deadline, first_due): a one-off task is due by the end of the plan's year; a recurring one first
    at the end of its first period (quarter; 6 months; year)."""
    if recurrence in (Recurrence.CONTINUOUS, Recurrence.QUARTERLY):
        return None, dt.date(plan_year, 3, 31)
    if recurrence == Recurrence.SEMIANNUAL:
        return None, dt.date(plan_year, 6, 30)
    if recurrence == Recurrence.ANNUAL:
        return None, dt.date(plan_year, 12, 31)
    return dt.date(plan_year, 12, 31), None


# --------------------------------------------------------------------------- drafting

#: Units drafting may name as lead or coordinating (the province itself is the issuer).
_DRAFT_KINDS = (Unit.Kind.DEPARTMENT, Unit.Kind.OTHER, Unit.Kind.DISTRICT, Unit.Kind.WARD)


def _in_year(units, ids: set[int]) -> list[Unit]:
    return [u for u in units if u.pk in ids]


#: How many library tasks drafting proposes for each activity section the coordinator chose.
TASKS_PER_ACTIVITY = 4


def _activity_suggestions(
    index: str, activities, taken: set[int], parents: dict[str, str | None]
) -> list[tuple[str | None, _Suggestion]]:
    """Library tasks for the activity sections chosen (direction and propaganda, training, inspection,
    survey teams), in the order of Activity: tasks of the plan's index or of every index, not already
    proposed for a content; tasks tied to no content first (the sections' own work), shipped first."""
    wanted = [a for a in Activity.values if a and a in set(activities or ())]
    if not wanted:
        return []
    rows = list(
        LibraryTask.objects.filter(activity__in=wanted, index__in=[index, tasklib.GENERAL]).exclude(
            pk__in=taken
        )
    )
    out: list[tuple[str | None, _Suggestion]] = []
    for activity in wanted:
        mine = sorted(
            (r for r in rows if r.activity == activity),
            key=lambda r: (bool(r.nodes), not r.shipped, r.index != tasklib.GENERAL, r.key),
        )[:TASKS_PER_ACTIVITY]
        for r in mine:
            out.append((None, _Suggestion(r, [c for c in r.nodes or [] if c in parents])))
    return out


def _crossing(a: Analysis) -> list[str]:
    """The top-level nodes outside the total's sum (the 8 fields of PAR INDEX 2022, a second view of the
    same points as its score blocks): the ones that lost points, weakest first, else all in order when
    their scores are not known."""
    fields = [n for n in a.nodes if n.depth == 1 and not n.contributes]
    scored = [n for n in fields if n.score is not None and n.max]
    if scored:
        lost = [n for n in scored if n.score < n.max]
        return [n.code for n in sorted(lost, key=lambda n: n.score / n.max)]
    return [n.code for n in fields]


@dataclass
class _Suggestion:
    lib: LibraryTask
    nodes: list[str]


def _suggest(
    index: str,
    targets: list[plancore.Target],
    parents: dict[str, str | None],
    per_node: int,
    crossing: list[str] | None = None,
):
    """Library tasks for each target node still to be reached (a task tied to the node or one of its
    sub-nodes first, then to
    an ancestor), each task once; codes are matched as written (the library may use an older framework
    version with the same codes). ``crossing``: nodes outside the total's sum that the plan also works
    on (the fields of PAR INDEX 2022, crossing its score blocks), a few tasks each."""
    library = list(LibraryTask.objects.filter(index=index).order_by("shipped", "key"))
    library.sort(key=lambda r: (not r.shipped, r.key))
    children: dict[str, list[str]] = {}
    for code, parent in parents.items():
        if parent:
            children.setdefault(parent, []).append(code)

    def subtree(code: str) -> list[str]:
        out, stack = [], [code]
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(children.get(c, []))
        return out

    chosen: dict[int, _Suggestion] = {}
    order: list[tuple[str, _Suggestion]] = []
    # a node that only keeps its score or group gets no new tasks
    served = [t.node for t in targets if t.node is not None and not t.met]
    extra = [c for c in crossing or [] if c not in served]
    for node in [*served, *extra]:
        codes = subtree(node)
        found = tasklib.tasks_for(library, index, codes, parents)
        limit = per_node if node in served else max(1, per_node // 4)
        ranked = [f for f in found if any(c in codes for c in f.nodes)][:limit]
        for lib in ranked:
            mine = [c for c in lib.nodes if c in codes and c != node]
            if lib.pk in chosen:
                s = chosen[lib.pk]
                for c in [node, *mine]:
                    if c not in s.nodes:
                        s.nodes.append(c)
                continue
            s = _Suggestion(lib, list(dict.fromkeys([node, *mine])))
            chosen[lib.pk] = s
            order.append((node, s))
    return order


@transaction.atomic
def draft_plan(
    index,
    unit: Unit,
    year: int,
    ambition: dict,
    user,
    weakest: int = 5,
    issuing_unit: Unit | None = None,
    *,
    tasks_per_node: int = TASKS_PER_NODE,
    plan_year: int | None = None,
    activities=(),
    task_layout: str = TaskLayout.DIMENSION,
    into: Plan | None = None,
) -> Plan:
    """Draft a plan from ``unit``'s results of ``year`` for ``plan_year`` (default: the year after);
    see the module's docstring. A plan year before the results or more than five years after them is
    refused.

    ``ambition``: one of {"places": N}, {"rank": K}, {"top": K}, {"group": "Cao"}, {"score": x},
    {"percent": p}. ``user`` None (command line without a user) skips the permission check.
    ``activities``: the activity sections to propose from the library (Activity values);
    ``task_layout``: how the body arranges the tasks (TaskLayout).

    ``index`` may be several indices (a list of index codes): one plan covers them all, each
    with its targets, tasks and shortcomings, in the order given (``into``: the draft being built); the
    ambition is the same for each, or ``{code: ambition}`` per index."""
    if isinstance(index, (list, tuple)):
        codes = list(dict.fromkeys(str(_index(i).code) for i in index))
        if not codes:
            raise DraftError(_("Chọn ít nhất một chỉ số."))
        plan = None
        for c in codes:
            one = ambition.get(c, ambition) if isinstance(ambition, dict) and c in ambition else ambition
            plan = draft_plan(
                c,
                unit,
                year,
                one,
                user,
                weakest,
                issuing_unit,
                tasks_per_node=tasks_per_node,
                plan_year=plan_year,
                activities=activities if plan is None else (),
                task_layout=task_layout,
                into=plan,
            )
        assert plan is not None
        return plan
    idx = _index(index)
    code = idx.code
    try:
        year = int(year)
        weakest = int(weakest)
    except (TypeError, ValueError) as exc:
        raise DraftError(_("Năm kết quả và số nội dung yếu nhất phải là số nguyên.")) from exc
    if weakest < 0 or weakest > 50:
        raise DraftError(_("Số nội dung yếu nhất phải từ 0 đến 50."))
    unknown = [a for a in activities or () if a not in Activity.values or not a]
    if unknown:
        raise DraftError(_("Hoạt động không hợp lệ: {values}.").format(values=", ".join(map(str, unknown))))
    if task_layout not in TaskLayout.values:
        raise DraftError(_("Cách sắp xếp nhiệm vụ không hợp lệ: «{value}».").format(value=task_layout))
    if issuing_unit is None:
        issuing_unit = issuing_unit_for(user, unit)
        if issuing_unit is None:
            raise DraftError(
                _(
                    "Bạn không phải chuyên viên điều phối của {unit} (hoặc đơn vị kế thừa) nên không lập được kế hoạch."
                ).format(unit=unit.short_name)
            )
    elif user is not None and not covers(user, issuing_unit.pk, EDIT_ROLES):
        raise DraftError(
            _("Bạn không phải chuyên viên điều phối của {unit} nên không lập được kế hoạch.").format(
                unit=issuing_unit.short_name
            )
        )
    try:
        a = analyse(code, unit, year)
    except AnalysisError as exc:
        raise DraftError(str(exc)) from exc
    if a.total is None or not a.complete:
        raise DraftError(
            _(
                "Kết quả {index} năm {year} của {unit} chưa đủ điểm các nội dung nên không lập được mục tiêu."
            ).format(index=idx.short_name, year=year, unit=unit.short_name)
        )
    ctx = year_figures(code, year)
    others = ctx.derived.totals(exclude=unit.pk)
    # A year known for part of the units only: no rank among those that happen to have data (the
    # whole index counts on its published rank, core.plan.check_target; a node has none).
    node_ranks = ctx.derived.full_coverage

    ambition = dict(ambition or {})
    if "group" in ambition and ctx.rule is not None:
        wanted = str(ambition["group"]).strip()
        match = next((lab for lab in ctx.rule.labels if fold(lab) == fold(wanted)), None)
        if match is None:
            raise DraftError(
                _("Nhóm “{group}” không có; các nhóm là: {groups}.").format(
                    group=wanted, groups=", ".join(ctx.rule.labels)
                )
            )
        ambition["group"] = match
    nodes = [
        plancore.NodeInput(
            n.code,
            n.name,
            n.score,
            n.max,
            n.rank if node_ranks else None,
            n.rank_of if node_ranks else None,
            n.best_past,
            n.group,
            ctx.derived.node_scores(n.code, exclude=unit.pk),
        )
        for n in a.nodes
        if n.depth == 1 and n.contributes and n.score is not None and n.max
    ]
    baseline = plancore.baseline_of(year, a.total, others, ctx.rule, a.max)
    baseline = plancore.Baseline(
        year,
        a.total,
        a.rank or baseline.rank,
        a.rank_of or baseline.rank_of,
        a.group or baseline.group,
        a.percent if a.percent is not None else baseline.percent,
    )
    if plan_year is None:
        plan_year = year + 1
    elif not year + 1 <= plan_year <= year + 5:
        raise DraftError(
            _("Năm thực hiện kế hoạch phải từ {first} đến {last} (sau năm kết quả {year}).").format(
                first=year + 1, last=year + 5, year=year
            )
        )
    issuing_unit = plan_issuer(issuing_unit, unit, plan_year)
    unit_word = "tỉnh, thành phố" if unit.kind == Unit.Kind.PROVINCE else "đơn vị"
    try:
        targets = plancore.draft_targets(
            idx.short_name,
            plan_year,
            a.total,
            others,
            nodes,
            ambition,
            ctx.rule,
            a.max,
            baseline,
            weakest,
            unit_word=unit_word,
            decimals=a.framework.precision,
        )
    except ValueError as exc:
        raise DraftError(str(exc)) from exc

    province = issuing_unit
    wording = wording_for(issuing_unit, "plan")
    on = _plan_date(issuing_unit, plan_year)
    reformed = on >= REFORM_DATE
    review = previous_review(code, unit, issuing_unit, year)
    if into is not None:
        plan = into
        analyses = [*getattr(plan, "_analyses", []), a]
        reviews = [*getattr(plan, "_reviews", []), review]
        plan.indices = [*plan.indices, code]
        plan.title = plan_title([x.index.short_name for x in analyses], issuing_unit, plan_year)
        plan.purpose = _purpose(analyses, issuing_unit, reformed, reviews)
        plan.requirements = _requirements(_names(analyses), wording.coordinating_agency)
    else:
        analyses, reviews = [a], [review]
        plan = Plan(
            issuing_unit=issuing_unit,
            place=strip_admin_prefix(issuing_unit.short_name) or issuing_unit.short_name,
            title=plan_title(idx.short_name, issuing_unit, plan_year),
            purpose=_purpose(a, issuing_unit, reformed, [review]),
            requirements=_requirements(idx.short_name, wording.coordinating_agency),
            body=_body(plan_year, wording.coordinating_agency),
            indices=[code],
            year=plan_year,
            results_year=year,
            recipients=for_plan_year(wording.plan_recipients, plan_year),
            **wording.issue_fields("plan"),
            report_deadlines=[f"{plan_year}-06-15", f"{plan_year}-11-15"],
            task_layout=task_layout,
            created_by=user,
        )
    plan._analyses, plan._reviews = analyses, reviews  # type: ignore[attr-defined]
    plan._history_user = user
    plan.save()
    t0, k0, s0 = plan.targets.count(), plan.tasks.count(), plan.shortcomings.count()

    node_max = {n.code: n.max for n in a.nodes}
    node_name = {n.code: n.name for n in a.nodes}
    for i, t in enumerate(targets, start=1):
        b = t.baseline
        if t.kind in plancore.COUNT_KINDS:  # its baseline is a count of nodes, not a score
            b = plancore.Baseline(b.year, None)
        row = Target(
            plan=plan,
            index=code,
            node_code=t.node or "",
            node_name=node_name.get(t.node, "") if t.node else "",
            kind=t.kind,
            value=_value_text(t.value),
            baseline_year=b.year,
            baseline_score=b.score,
            baseline_max=node_max.get(t.node) if t.node else a.max,
            baseline_rank=b.rank,
            baseline_rank_of=b.rank_of,
            baseline_group=b.group or "",
            baseline_percent=b.percent,
            needed_points=None
            if t.needed_points is None
            else plancore.points_up(t.needed_points, a.framework.precision),
            needed_known=t.needed_known,
            met=t.met,
            label=t.label_vi,
            order=t0 + i,
        )
        row._history_user = user
        row.save()

    parents = framework_parents(a.framework)
    entries = responsibility_map(province, code)
    depth = {n.code: n.depth for n in a.nodes}
    # the units of the plan's year: a map entry naming a unit that did not exist then is not followed
    candidates = units_of_year(province, plan_year, _DRAFT_KINDS)
    in_year = {u.pk for u in candidates}

    # "Báo {tên tỉnh}": the province's own bodies in a library text quoted from another province's plan
    place = (
        strip_admin_prefix(issuing_unit.short_name or issuing_unit.name)
        if issuing_unit.kind == "province"
        else ""
    )

    def words(text: str) -> str:
        # the library's year parameters filled with this plan's years, then the bodies of the plan's time
        return modernise_text(datedtext.fill(text, plan_year, year, place), on)

    suggestions = _suggest(code, targets, parents, tasks_per_node, _crossing(a))
    suggestions += _activity_suggestions(code, activities, {s.lib.pk for _n, s in suggestions}, parents)
    for i, (target_node, s) in enumerate(suggestions, start=1):
        specific = sorted(s.nodes, key=lambda c: -depth.get(c, 0))
        entry = lookup_responsibility(entries, [*specific, *([target_node] if target_node else [])], parents)
        deadline, first_due = _schedule(s.lib.recurrence, plan_year)
        task = Task(
            plan=plan,
            order=k0 + i,
            text=words(s.lib.text),
            index=code if s.lib.index == code else "",
            nodes=s.nodes,
            activity=s.lib.activity,
            product=words(s.lib.product)[:300],
            recurrence=s.lib.recurrence,
            deadline=deadline,
            first_due=first_due,
            priority=Priority.NORMAL,
            library_key=s.lib.key,
        )
        coordinating = []
        if entry is not None and entry.lead_unit_id and entry.lead_unit_id not in in_year:
            entry = None
        if entry is not None and (entry.lead_unit_id or _in_year(entry.coordinating_units.all(), in_year)):
            task.lead_unit = entry.lead_unit
            task.lead_text = entry.lead_text
            coordinating = [
                u for u in _in_year(entry.coordinating_units.all(), in_year) if u.pk != entry.lead_unit_id
            ]
        else:
            # no entry in the map: the library's words (renamed after the 2025 reorganisation), and the
            # units they name when the province has them
            lead_text = words(s.lib.lead)
            coordinating_texts = [words(c) for c in s.lib.coordinating]
            task.lead_text = lead_text[:300]
            task.coordinating_text = ", ".join(coordinating_texts)[:500]
            task.lead_unit = resolve_lead_unit(lead_text, candidates, province)
            if task.lead_unit is None:
                task.lead_class = _lead_class(lead_text, reformed)
            for text in coordinating_texts:
                for u in match_units(text, candidates, province):
                    if u != task.lead_unit and u not in coordinating:
                        coordinating.append(u)
        # a body outside the administration is requested ("Đề nghị …"), not assigned
        if is_outside_body(task.lead_unit.name if task.lead_unit else task.lead_text):
            task.is_request, task.request_status = True, RequestStatus.PENDING
        task._history_user = user
        task.save()
        if coordinating:
            task.coordinating_units.set(coordinating)

    for i, r in enumerate(
        shortcomings_rows(code, unit, year, province, analysis=a, units=candidates, plan_year=plan_year),
        start=1,
    ):
        sc = Shortcoming(
            plan=plan,
            index=code,
            node_code=r["node_code"],
            node_name=r["node_name"],
            achieved=r["achieved"],
            maximum=r["maximum"],
            lost=r["lost"],
            responsible_text=r["responsible_text"],
            order=s0 + i,
        )
        sc._history_user = user
        sc.save()
        if r["responsible_units"]:
            sc.responsible_units.set(r["responsible_units"])
    return plan


def summary(plan: Plan) -> dict:
    """A short description of a plan (the command line prints it as JSON)."""
    return {
        "id": plan.pk,
        "title": plan.title,
        "issuing_unit": plan.issuing_unit.name,
        "year": plan.year,
        "results_year": plan.results_year,
        "status": plan.status,
        "targets": [
            {
                "node": t.node_code or None,
                "name": t.node_name or None,
                "kind": t.kind,
                "value": t.value,
                "baseline_score": t.baseline_score,
                "baseline_rank": t.baseline_rank,
                "needed_points": t.needed_points,
                "needed_known": t.needed_known,
                "met": t.met,
                "label": t.label,
            }
            for t in plan.targets.all()
        ],
        "tasks": plan.tasks.count(),
        "shortcomings": plan.shortcomings.count(),
    }
