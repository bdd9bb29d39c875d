"""Cascading an issued plan down to subordinate units.

- `derive_plan(plan, unit, user)`: the draft plan of a department, district or commune that implements an
  issued plan, as its own document: its issuing body, place ("TP. Kon Tum") and signer (its leader
  approves and issues it), the parent plan cited in its opening ("Thực hiện Kế hoạch số …"), the tasks
  the unit leads or coordinates (origin = the provincial task; the coordinator then gives them to the
  unit's own offices and communes), its reporting chain (offices → its home-affairs office → the
  province's department) and the province's targets stated as its contribution, never copied as its
  own figures. A second call for the same unit returns the plan already derived.
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

from chiso.core.ownwords import kind_word, own_words
from chiso.core.plan import COUNT_KINDS
from chiso.core.text import format_date
from chiso.documents.services import wording_for
from chiso.units.models import Unit

from .. import permissions
from ..models import Plan, Target, Task, UnitClass
from .tiers import class_units, year_provinces

__all__ = [
    "CascadeError",
    "OFFICE_KINDS",
    "add_office",
    "candidate_units",
    "class_task_status",
    "derived_place",
    "home_affairs_office",
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


#: Kinds of units whose derived plans give tasks to offices added in chiso (``add_office``).
OFFICE_KINDS = ("district", "ward", "department")


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


def _parent_ref(plan: Plan) -> str:
    """ "Kế hoạch số 3579/KH-UBND ngày 05 tháng 9 năm 2025 của Ủy ban nhân dân tỉnh Quảng Ngãi": how a derived plan
    names the plan it implements in its title and its purpose (the body's full name, not "UBND")."""
    from chiso.documents.wording import body_name, date_words

    ref = f"Kế hoạch số {plan.number_symbol}" if plan.number else "Kế hoạch"
    when = f" {date_words(plan.date)}" if plan.date else ""
    return f"{ref}{when} của {body_name(plan.issuing_unit, full=True)}"


def _in_sentence(unit: Unit) -> str:
    """A unit's name inside a sentence: "phường Cẩm Thành", "thành phố Quảng Ngãi", "Sở Tư pháp"."""
    if unit.kind in ("district", "ward"):
        return unit.name[:1].lower() + unit.name[1:]
    return unit.name


def _derived_title(plan: Plan) -> str:
    rest = plan.title.strip()
    if rest.lower().startswith("kế hoạch "):
        rest = rest[len("kế hoạch ") :]
    rest = rest[:1].lower() + rest[1:]
    return f"Kế hoạch triển khai thực hiện {_parent_ref(plan)} về {rest}"[:500]


#: How many days before the parent plan's reporting date a derived plan's own offices report to the unit.
OWN_REPORT_DAYS_BEFORE = 5


def derived_place(unit: Unit, parent: Plan) -> str:
    """The place on a derived plan's date line: a city "TP. Kon Tum", a district or commune its name, a
    department or other body the place of the plan it implements (the provincial capital's)."""
    from chiso.core.text import fold, strip_admin_prefix

    if unit.kind in ("district", "ward"):
        bare = strip_admin_prefix(unit.name) or unit.name
        if fold(unit.name).startswith(("thanh pho", "tp.")):
            return f"TP. {bare}"
        return bare
    return parent.place


def home_affairs_office(unit: Unit) -> str:
    """Who gathers the reports of a unit's offices for it: its own home-affairs office when chiso has it
    as a unit, else the usual one by kind (a district's Phòng Nội vụ; a commune's Văn phòng HĐND và
    UBND; a department's Văn phòng Sở). The coordinator edits the plan's text if it differs."""
    from chiso.core.text import fold

    for child in Unit.objects.filter(parent=unit).only("name"):
        if "noi vu" in fold(child.name):
            return child.name
    return {
        "district": "Phòng Nội vụ",
        "ward": "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
    }.get(unit.kind, "Văn phòng")


def _reporting_chain(unit: Unit, parent: Plan, deadlines: list[dt.date]) -> str:
    """Section IV of a derived plan: offices (and communes) → the unit's home-affairs office → the
    province's department, each with its date."""
    from chiso.documents.wording import body_name

    office = home_affairs_office(unit)
    who = {
        # a commune has no heads of offices of its own: its sections and officials do the work
        "ward": "Các bộ phận, công chức chuyên môn thuộc",
        "district": "Thủ trưởng các phòng, ban chuyên môn và Ủy ban nhân dân các xã, thị trấn thuộc",
    }.get(unit.kind, "Thủ trưởng các phòng, đơn vị trực thuộc")
    province_agency = wording_for(parent.issuing_unit, "plan").coordinating_agency
    me = body_name(unit) if unit.kind in ("district", "ward", "province") else unit.name
    if deadlines:
        early = " và ".join(format_date(d - dt.timedelta(days=OWN_REPORT_DAYS_BEFORE)) for d in deadlines)
        late = " và ".join(format_date(d) for d in deadlines)
        when_own, when_up = f" trước ngày {early}", f" trước ngày {late}"
    else:
        when_own = when_up = " theo định kỳ"
    return "\n\n".join(
        [
            f"- {who} {me if unit.kind == 'ward' else _in_sentence(unit)} căn cứ nhiệm vụ được giao tổ chức thực "
            f"hiện; báo cáo kết quả "
            f"về {office}{when_own} để tổng hợp.",
            f"- {office} theo dõi, đôn đốc việc thực hiện Kế hoạch; tổng hợp, tham mưu {me} báo cáo kết quả về "
            f"{province_agency}{when_up} để tổng hợp, báo cáo {_issuer_label(parent.issuing_unit)}.",
        ]
    )


def _contribution(plan: Plan) -> str:
    """The parent plan's targets on each whole index as what the unit contributes to (never as the unit's
    own figures; the province's targets on each dimension, in points to four decimals, are the
    province's departments' work, not a ward's sentence)."""
    labels = [
        t.label.strip().rstrip(".;")
        for t in plan.targets.filter(node_code="").exclude(kind__in=COUNT_KINDS)
        if t.label.strip()
    ]
    if not labels:
        return ""
    who = _issuer_label(plan.issuing_unit)
    ref = f"Kế hoạch số {plan.number_symbol}" if plan.number else "Kế hoạch"
    lines = [f"Góp phần cùng {who} thực hiện các mục tiêu đã đề ra tại {ref}:"]
    lines += [f"- {label}." for label in labels]
    return "\n".join(lines)


def _copy_task(
    task: Task, plan: Plan, order: int, unit: Unit, user, coordinating_text: str, lead_text: str = ""
) -> Task:
    copy = Task(plan=plan, order=order, origin=task, lead_unit=unit, lead_text=lead_text[:300])
    for name in _TASK_FIELDS:
        setattr(copy, name, getattr(task, name))
    if plan.issuing_unit_id == unit.pk:
        # into the unit's own plan: a commune or district speaks of itself ("Ủy ban nhân dân phường", "trên
        # địa bàn phường"), not of its class as the province wrote it
        word = kind_word(unit.name, unit.kind)
        copy.text = own_words(copy.text, unit.kind, word)
        copy.product = own_words(copy.product, unit.kind, word)
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
    # two derivations of the same plan at once (a form sent twice, two coordinators) wait for each other
    # on the parent's row, so that the second finds the plan the first created instead of making another
    Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True).first()
    existing = Plan.objects.filter(derived_from=plan, issuing_unit=unit, superseded=False).first()
    if existing is not None:
        return existing
    from ..documents import plan_reference

    wording = wording_for(unit, "plan")
    # a reporting date already past when the parent plan was issued is not the unit's to meet
    deadlines = [d for d in plan.report_deadline_dates() if plan.date is None or d > plan.date]
    province_agency = wording_for(plan.issuing_unit, "plan").coordinating_agency
    contribution = _contribution(plan)
    derived = Plan(
        issuing_unit=unit,
        derived_from=plan,
        title=_derived_title(plan),
        year=plan.year,
        year_to=plan.year_to,
        results_year=plan.results_year,
        indices=list(plan.indices or []),
        # its own document: its own place and signer (the unit's leader approves and issues it)
        place=derived_place(unit, plan),
        **wording.issue_fields("plan"),
        implements=[plan_reference(plan)],
        report_deadlines=[d.isoformat() for d in deadlines],
        # Document text: always Vietnamese (an official document), whatever the UI language.
        purpose="\n\n".join(
            p
            for p in (
                f"Triển khai thực hiện có hiệu quả các nhiệm vụ được giao tại {_parent_ref(plan)} "
                f"trên địa bàn, lĩnh vực của {_in_sentence(unit)}.",
                contribution,
            )
            if p
        ),
        requirements=(
            "Xác định rõ nội dung công việc, đơn vị chủ trì, thời hạn hoàn thành; "
            "báo cáo kết quả thực hiện đúng thời hạn."
        ),
        body=_reporting_chain(unit, plan, deadlines),
        recipients=[
            f"{_issuer_label(plan.issuing_unit)} (để báo cáo)",
            f"{province_agency} (để theo dõi)",
            wording.filing_line,
        ],
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
    # The province's targets are not the unit's own figures: the purpose states them as its
    # contribution (_contribution); the coordinator adds the unit's own targets if it has any.
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


@transaction.atomic
def add_office(plan: Plan, name: str, user) -> Unit:
    """A new office (phòng, ban) of the unit that issues a derived plan, so that the plan's tasks can be
    given to it: by a coordinator of that unit or of a unit above it (PermissionDenied), on a derived
    plan only; an empty name or an office the unit already has is refused (CascadeError)."""
    from django.core.exceptions import PermissionDenied

    from chiso.core.text import fold, nfc

    unit = plan.issuing_unit
    if not permissions.covers_issuer(user, plan):
        raise PermissionDenied(
            _("Chỉ chuyên viên điều phối của {unit} hoặc cấp trên được thêm phòng, ban.").format(
                unit=unit.short_name
            )
        )
    if plan.derived_from_id is None or unit.kind not in OFFICE_KINDS:
        raise CascadeError(_("Chỉ thêm phòng, ban cho kế hoạch triển khai của sở, huyện, xã."))
    name = " ".join(nfc(name or "").split())
    if len(name) < 3 or len(name) > 200:
        raise CascadeError(_("Nhập tên phòng, ban (từ 3 đến 200 ký tự), ví dụ: Phòng Nội vụ."))
    children = list(Unit.objects.filter(parent=unit))
    if any(fold(c.name) == fold(name) for c in children):
        raise CascadeError(_("{unit} đã có «{name}».").format(unit=unit.short_name, name=name))
    n = len(children) + 1
    code = f"{unit.code}-P{n}"[:20]
    while Unit.objects.filter(code=code).exists():
        n += 1
        code = f"{unit.code}-P{n}"[:20]
    office = Unit(code=code, name=name, short_name=name, kind=Unit.Kind.OTHER, parent=unit)
    office._history_user = user
    office.save()
    return office
