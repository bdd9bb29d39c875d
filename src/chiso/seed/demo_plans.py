"""Demo data of the plans: one realistic issued provincial plan with its execution, and one draft.

``load_demo_plans(today=None)`` builds, for the merged Quảng Ngãi (province code 51, the unit valid from
1 July 2025), the plan "Cải thiện, nâng cao Chỉ số PAPI và Chỉ số PAR INDEX tỉnh Quảng Ngãi năm 2025" in the shape of
the real plans of ``shared/seeds``: targets computed from the real 2024 results (the PAPI targets by the
plan-drafting rules of ``chiso.core.plan``, from the results of the former Quảng Ngãi; the PAR INDEX
target from its published rank), 27 tasks of the shipped task library given to nine departments and
three communes, deadlines over 2025–2026, recurring tasks, progress reports (some tasks done with the
number of their product), tasks late relative to ``today``, the appendix of points lost, recipients and
signature. Plus a draft SIPAS plan for 2026, and the province's responsibility map for PAPI (who leads and
coordinates each dimension; the appendix of points lost names them). Idempotent: a second run finds both
plans and the map and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chiso.core import datedtext
from chiso.core.schedule import due_dates, period_of
from chiso.core.tasklib import load_library
from chiso.core.text import format_number
from chiso.plans.models import Plan, Recurrence, Responsibility, Shortcoming, Target, Task
from chiso.plans.services.library import (
    current_framework,
    framework_parents,
    library_words,
    lookup_responsibility,
    modernise_text,
)
from chiso.tracking.models import ProgressReport
from chiso.units import lineage
from chiso.units.models import Unit
from chiso.workflows.models import WorkflowEvent

DEMO_NUMBER = "1520"
DEMO_SYMBOL = "KH-UBND"
DEMO_DATE = dt.date(2025, 8, 15)
# Titles are the trích yếu: the document prints "KẾ HOẠCH" above them (as drafting.plan_title does).
DEMO_TITLE = "Cải thiện, nâng cao Chỉ số PAPI và Chỉ số PAR INDEX tỉnh Quảng Ngãi năm 2025"
DRAFT_TITLE = "Cải thiện, nâng cao Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) tỉnh Quảng Ngãi năm 2026"
#: Titles of the earlier demo data (a database loaded before: renamed, not created again).
OLD_TITLES = {
    DEMO_TITLE: "Kế hoạch cải thiện, nâng cao Chỉ số PAPI và Chỉ số PAR INDEX tỉnh Quảng Ngãi năm 2025",
    DRAFT_TITLE: "Kế hoạch nâng cao Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) tỉnh Quảng Ngãi năm 2026",
}

#: Departments of the merged province the demo plan gives work to (key, code, name).
DEPARTMENTS = [
    ("noivu", "QNG-SNV", "Sở Nội vụ"),
    ("tuphap", "QNG-STP", "Sở Tư pháp"),
    ("vanphong", "QNG-VP", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("taichinh", "QNG-STC", "Sở Tài chính"),
    ("yte", "QNG-SYT", "Sở Y tế"),
    ("giaoduc", "QNG-SGD", "Sở Giáo dục và Đào tạo"),
    ("thanhtra", "QNG-TTR", "Thanh tra tỉnh"),
    ("nongnghiep", "QNG-SNNMT", "Sở Nông nghiệp và Môi trường"),
    ("khcn", "QNG-SKHCN", "Sở Khoa học và Công nghệ"),
]
#: Communes of the merged province (key, GSO code, name, subtype); created only when the reference
#: list of communes is not loaded (tests load provinces only).
COMMUNES = [
    ("xa_dakha", "23500", "Xã Đăk Hà", "Xã"),
    ("camthanh", "21025", "Phường Cẩm Thành", "Phường"),
    ("sontinh", "21220", "Xã Sơn Tịnh", "Xã"),
]

# Tasks: (library id, lead key, coordinating keys, product, deadline or first due, state).
# state: done (reported 100 % with its product), progress (reported, under way), late (deadline passed,
# never reported), future (not due yet), recurring tasks: "rec-ok" (reported this period) or "rec-late".
TASKS = [
    ("kt2019-04", "noivu", ["thanhtra"], "Báo cáo kết quả kiểm tra Quy chế dân chủ", "2025-11-30", "done"),
    ("kt2019-01", "xa_dakha", [], "", "2025-12-31", "progress"),
    ("kt2019-05", "camthanh", ["taichinh"], "", "2025-09-30", "rec-ok"),
    ("kt2019-07", "nongnghiep", ["xa_dakha", "camthanh"], "Bảng giá đất công khai", "2025-12-31", "late"),
    ("kt2019-09", "noivu", ["taichinh", "thanhtra"], "Hội nghị tập huấn", "2026-06-30", "progress"),
    ("kt2019-13", "thanhtra", [], "", "2025-10-31", "done"),
    ("kt2019-14", "noivu", ["khcn"], "Đề án ứng dụng CNTT trong thi tuyển", "2026-09-30", "future"),
    ("kt2019-17", "vanphong", ["tuphap"], "Quyết định công bố danh mục TTHC", "2025-12-15", "done"),
    ("kt2019-18", "noivu", [], "Báo cáo khảo sát mức độ hài lòng", "2026-03-31", "late"),
    ("kt2019-19", "yte", [], "Bộ tiêu chí lấy ý kiến hài lòng về dịch vụ y tế", "2026-06-30", "progress"),
    ("kt2019-22", "giaoduc", [], "Bộ tiêu chí lấy ý kiến hài lòng về dịch vụ giáo dục", "2026-03-31", "late"),
    ("kt2019-24", "xa_dakha", [], "", "2026-12-31", "future"),
    ("kt2019-28", "nongnghiep", [], "", "2025-09-30", "rec-late"),
    ("kt2019-35", "vanphong", ["khcn"], "", "2026-06-30", "progress"),
    ("kt2019-37", "camthanh", ["khcn"], "Danh sách điểm wifi công cộng", "2026-09-30", "future"),
    ("kt2024-12", "noivu", ["khcn"], "Cẩm nang tuyên truyền Chỉ số PAPI", "2025-12-31", "done"),
    ("kt2019-39", "noivu", [], "Kế hoạch cải cách hành chính năm 2026", "2025-11-30", "done"),
    (
        "kt2019-40",
        "tuphap",
        [],
        "Báo cáo kiểm tra, rà soát văn bản quy phạm pháp luật năm 2025",
        "2026-02-20",
        "late",
    ),
    ("kt2019-43", "tuphap", [], "", "2025-12-31", "rec-ok"),
    ("kt2019-44", "tuphap", ["vanphong"], "", "2026-06-30", "progress"),
    ("kt2019-46", "vanphong", [], "", "2025-10-31", "done"),
    ("kt2019-49", "vanphong", ["noivu"], "Danh mục TTHC liên thông", "2025-12-31", "rec-ok"),
    ("kt2019-63", "noivu", [], "Kế hoạch đào tạo, bồi dưỡng năm 2026", "2026-01-31", "progress"),
    ("kt2019-69", "taichinh", [], "Báo cáo thực hiện kiến nghị kiểm toán, thanh tra", "2026-03-31", "late"),
    ("kt2019-76", "khcn", ["vanphong"], "", "2026-09-30", "future"),
    ("kt2019-90", "noivu", [], "Báo cáo 6 tháng, năm", "2025-12-10", "rec-ok"),
    ("kt2024-03", "sontinh", [], "", "2025-12-31", "late"),
]

#: The years the demo plans' tasks are written for: the library's year parameters ({năm}, {năm kết quả};
#: chiso.core.datedtext) are filled with them, as drafting fills them with a plan's years.
DEMO_YEARS = (2025, 2024)
DRAFT_YEARS = (2026, 2025)


def _demo_text(lib, years: tuple[int, int] = DEMO_YEARS, on_date: dt.date = DEMO_DATE) -> str:
    """A library task's words in a demo plan: as the library keeps them (``library_words``: its years as
    parameters, its source province by its tier only), filled with the plan's years and province, then the bodies of
    the plan's time (``modernise_text``)."""
    text = datedtext.fill(library_words(lib.text, lib.year, lib.issuer), *years, province="Quảng Ngãi")
    return modernise_text(text, on_date)


NARRATIVES = {
    "done": "Đã hoàn thành nhiệm vụ; sản phẩm đã ban hành và gửi Sở Nội vụ tổng hợp.",
    "progress": "Đang triển khai theo kế hoạch; đã ban hành văn bản hướng dẫn và tổ chức thực hiện tại các đơn vị.",
    "rec-ok": "Đã thực hiện trong kỳ; kết quả được cập nhật trên Cổng thông tin điện tử của đơn vị.",
}
PROGRESS_PERCENT = [60, 45, 70, 30, 50, 40, 65]

PURPOSE = """Phát huy kết quả đạt được, khắc phục tồn tại, hạn chế trong các nội dung, tiêu chí của Chỉ số Hiệu quả quản trị và hành chính công cấp tỉnh (PAPI) và Chỉ số Cải cách hành chính (PAR INDEX) năm 2024; nâng cao chất lượng công tác tham mưu, tổ chức triển khai các nhiệm vụ cải cách hành chính của tỉnh Quảng Ngãi sau sắp xếp đơn vị hành chính.

{results}

Nâng cao trách nhiệm của người đứng đầu các cơ quan, đơn vị, địa phương trong việc cải thiện các Chỉ số; phấn đấu đưa Chỉ số PAPI và Chỉ số PAR INDEX của tỉnh năm 2025 tăng tối thiểu 05 bậc."""

REQUIREMENTS = """- Các cơ quan, đơn vị, địa phương xác định cải thiện, nâng cao các Chỉ số là nhiệm vụ trọng tâm, thường xuyên; triển khai đồng bộ ở cấp tỉnh và cấp xã, gắn với nhiệm vụ chuyên môn và nhiệm vụ phát triển kinh tế - xã hội.
- Xác định rõ trách nhiệm của người đứng đầu; nhiệm vụ có sản phẩm, thời hạn hoàn thành cụ thể; kết quả thực hiện được cập nhật kịp thời trên hệ thống theo dõi.
- Phát huy sự tham gia của Nhân dân, Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội trong giám sát việc thực hiện."""

BODY = """## 1. Thủ trưởng các sở, ban, ngành; Chủ tịch Ủy ban nhân dân các xã, phường, đặc khu
- Căn cứ nhiệm vụ được giao tại Kế hoạch này, xây dựng kế hoạch cụ thể của cơ quan, đơn vị, địa phương; chịu trách nhiệm trước Ủy ban nhân dân tỉnh nếu không hoàn thành nhiệm vụ, mục tiêu thuộc phạm vi quản lý.
- Cập nhật tiến độ, kết quả thực hiện từng nhiệm vụ (kèm tài liệu kiểm chứng) trên hệ thống theo dõi chỉ số của tỉnh ngay khi có kết quả.

## 2. Sở Nội vụ
- Chủ trì, theo dõi, đôn đốc, kiểm tra việc thực hiện Kế hoạch; tổng hợp, báo cáo Ủy ban nhân dân tỉnh định kỳ 6 tháng, hằng năm hoặc đột xuất.
- Tham mưu Ủy ban nhân dân tỉnh kiểm điểm trách nhiệm tập thể, cá nhân để xảy ra tình trạng chậm trễ, không hoàn thành nhiệm vụ được giao.

## 3. Sở Tài chính
Tham mưu Ủy ban nhân dân tỉnh bố trí kinh phí thực hiện Kế hoạch trong dự toán ngân sách hằng năm của các cơ quan, đơn vị theo quy định."""

RECIPIENTS = [
    "Bộ Nội vụ (b/c)",
    "Thường trực Tỉnh ủy (b/c)",
    "Thường trực HĐND tỉnh (b/c)",
    "Chủ tịch, các PCT UBND tỉnh",
    "Ủy ban MTTQ Việt Nam tỉnh",
    "Các sở, ban, ngành, đơn vị thuộc tỉnh",
    "UBND các xã, phường, đặc khu",
    "VP UBND tỉnh: CVP, các PCVP",
    "Lưu: VT, NC.",
]

#: The province's responsibility map for PAPI (framework 2021→): node → (lead unit key or None, coordinating
#: unit keys, note). The dimensions and their sub-dimensions; the appendix of points lost reads it.
PAPI_MAP = {
    "D1": ("noivu", ["thanhtra"], "UBND các xã, phường, đặc khu"),
    "D1.1": ("tuphap", ["noivu"], ""),
    "D1.2": ("noivu", [], "UBND các xã, phường, đặc khu"),
    "D1.3": ("noivu", [], ""),
    "D1.4": ("taichinh", ["noivu"], ""),
    "D2": ("vanphong", ["taichinh", "nongnghiep"], "UBND các xã, phường, đặc khu"),
    "D2.1": ("vanphong", ["khcn"], ""),
    "D2.2": ("noivu", [], "UBND các xã, phường, đặc khu"),
    "D2.3": ("taichinh", [], "UBND các xã, phường, đặc khu"),
    "D2.4": ("nongnghiep", ["taichinh"], ""),
    "D3": ("thanhtra", ["noivu"], ""),
    "D3.1": ("noivu", ["thanhtra"], ""),
    "D3.2": ("thanhtra", ["vanphong"], ""),
    "D3.3": ("tuphap", [], ""),
    "D4": ("thanhtra", ["noivu"], ""),
    "D4.1": ("thanhtra", [], ""),
    "D4.2": ("thanhtra", ["yte", "giaoduc"], ""),
    "D4.3": ("noivu", [], ""),
    "D4.4": ("thanhtra", ["tuphap"], ""),
    "D5": ("vanphong", ["tuphap"], "UBND các xã, phường, đặc khu"),
    "D5.1": ("tuphap", [], ""),
    "D5.3": ("nongnghiep", ["vanphong"], ""),
    "D5.4": ("vanphong", ["noivu"], "UBND các xã, phường, đặc khu"),
    "D6": ("yte", ["giaoduc"], ""),
    "D6.1": ("yte", [], ""),
    "D6.2": ("giaoduc", [], ""),
    "D6.3": ("nongnghiep", ["taichinh"], "UBND các xã, phường, đặc khu"),
    "D6.4": (None, ["noivu"], "Công an tỉnh; UBND các xã, phường, đặc khu"),
    "D7": ("nongnghiep", [], ""),
    "D7.1": ("nongnghiep", [], ""),
    "D7.2": ("nongnghiep", [], ""),
    "D7.3": ("nongnghiep", [], "UBND các xã, phường, đặc khu"),
    "D8": ("khcn", ["vanphong"], ""),
    "D8.1": ("vanphong", ["khcn"], ""),
    "D8.2": ("khcn", [], ""),
    "D8.3": ("vanphong", ["khcn"], ""),
}


@dataclass
class DemoResult:
    """What the loader made or found: the plans and the units (by key) demo users may be put on."""

    plan: Plan
    draft: Plan
    units: dict[str, Unit] = field(default_factory=dict)
    created: bool = False


def demo_province() -> Unit:
    province = (
        Unit.objects.filter(kind=Unit.Kind.PROVINCE, code="51")
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )
    if province is None:
        raise LookupError(
            "Chưa có tỉnh Quảng Ngãi (mã 51): hãy nạp danh mục đơn vị trước (chiso load_reference)."
        )
    return province


def demo_units(province: Unit) -> dict[str, Unit]:
    """The departments and communes the demo plan names (created when missing, found by code)."""
    units: dict[str, Unit] = {"province": province}
    for key, code, name in DEPARTMENTS:
        unit = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, code=code).order_by("pk").first()
        if unit is None:
            unit = Unit.objects.create(kind=Unit.Kind.DEPARTMENT, code=code, name=name, parent=province)
        units[key] = unit
    for key, code, name, subtype in COMMUNES:
        unit = (
            Unit.objects.filter(kind=Unit.Kind.WARD, parent=province, name=name).order_by("pk").first()
            or Unit.objects.filter(kind=Unit.Kind.WARD, code=code, parent=province).order_by("pk").first()
        )
        if unit is None:
            unit = Unit.objects.create(
                kind=Unit.Kind.WARD, code=code, name=name, subtype=subtype, parent=province
            )
        units[key] = unit
    return units


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _past(fixed: dt.date, today: dt.date, days: int = 10) -> dt.date:
    return min(fixed, today - dt.timedelta(days=days))


def _future(fixed: dt.date, today: dt.date, days: int = 20) -> dt.date:
    return max(fixed, today + dt.timedelta(days=days))


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


# --- targets from the results --------------------------------------------------------------------


def _results_unit(province: Unit, index: str, year: int):
    """The unit whose results of `year` the plan starts from, by the one lineage rule
    (``chiso.units.lineage.results_unit``: the province itself, or for a province formed by the 2025
    merger the predecessor of the same code), and that year's figures."""
    from chiso.analysis.services import year_figures

    ctx = year_figures(index, year)
    if ctx is None:
        return None, None
    return lineage.results_unit(province, lambda u: u.pk in ctx.derived.units), ctx


def _papi_targets(province: Unit):
    """PAPI targets (overall: rise 5 places; the weakest dimensions: points) and a sentence on the results."""
    from chiso.analysis.services import AnalysisError, analyse
    from chiso.core.plan import NodeInput, baseline_of, draft_targets

    unit, ctx = _results_unit(province, "papi", 2024)
    if unit is None:
        return [], "", None
    try:
        a = analyse("papi", unit, 2024)
    except AnalysisError:
        return [], "", None
    others = ctx.derived.totals(exclude=unit.pk)
    baseline = baseline_of(2024, a.total, others, ctx.rule, a.max)
    nodes = [
        NodeInput(n.code, n.name, n.score, n.max, n.rank, n.rank_of, n.best_past)
        for n in a.nodes
        if n.depth == 1 and n.score is not None and n.max is not None
    ]
    drafted = draft_targets(
        "PAPI", 2025, a.total, others, nodes, {"places": 5}, ctx.rule, a.max, baseline, weakest=4
    )
    names = {n.code: n.name for n in a.nodes}
    rows = []
    for t in drafted:
        rows.append(
            dict(
                index="papi",
                node_code=t.node or "",
                node_name=names.get(t.node, "") if t.node else "",
                kind=t.kind,
                value=str(t.value if not isinstance(t.value, float) else format_number(t.value)),
                baseline_year=t.baseline.year,
                baseline_score=t.baseline.score,
                baseline_max=a.max
                if t.node is None
                else next((n.max for n in nodes if n.code == t.node), None),
                baseline_rank=t.baseline.rank,
                baseline_rank_of=t.baseline.rank_of,
                baseline_group=t.baseline.group or "",
                baseline_percent=t.baseline.percent,
                needed_points=t.needed_points,
                met=t.met,
                label=t.label_vi,
            )
        )
    sentence = (
        f"Năm 2024, Chỉ số PAPI của tỉnh Quảng Ngãi (trước sắp xếp) đạt {format_number(a.total, 4)}/"
        f"{format_number(a.max)} điểm, xếp hạng {a.rank:02d}/{a.rank_of}"
        + (f", thuộc nhóm “{a.group}”" if a.group else "")
        + "."
    )
    for other in lineage.carried_units(province, 2024):
        if other.pk == unit.pk:
            continue
        try:
            b = analyse("papi", other, 2024)
        except AnalysisError:
            continue
        sentence += (
            f" Chỉ số PAPI của {other.name.replace('Tỉnh', 'tỉnh')} (trước sắp xếp) đạt {format_number(b.total, 4)} điểm, "
            f"xếp hạng {b.rank:02d}/{b.rank_of}" + (f", thuộc nhóm “{b.group}”" if b.group else "") + "."
        )
    return rows, sentence, a


def _par_target(province: Unit) -> tuple[list[dict], str]:
    from chiso.analysis.services import AnalysisError, analyse

    unit, _ctx = _results_unit(province, "par", 2024)
    if unit is None:
        return [], ""
    try:
        a = analyse("par", unit, 2024)
    except AnalysisError:
        return [], ""
    if not a.rank:
        return [], ""
    goal = max(1, a.rank - 5)
    label = (
        f"Phấn đấu Chỉ số PAR INDEX năm 2025 tăng tối thiểu 05 bậc (từ {a.rank:02d}/{a.rank_of} "
        f"lên {goal:02d}/{a.rank_of})"
    )
    row = dict(
        index="par",
        node_code="",
        node_name="",
        kind="places",
        value="5",
        baseline_year=2024,
        baseline_rank=a.rank,
        baseline_rank_of=a.rank_of,
        label=label,
    )
    sentence = (
        f"Chỉ số PAR INDEX năm 2024 của tỉnh Quảng Ngãi (trước sắp xếp) xếp hạng {a.rank:02d}/{a.rank_of}."
    )
    return [row], sentence


# --- the plans -----------------------------------------------------------------------------------


def _task_dates(
    state: str, fixed: dt.date, recurrence: str, today: dt.date
) -> tuple[dt.date | None, dt.date | None]:
    """(deadline, first_due) of a demo task so that its state holds relative to `today`."""
    if recurrence != Recurrence.NONE:
        return None, _past(fixed, today, 100)
    if state in ("done", "late"):
        return _past(fixed, today), None
    if state == "progress":
        return _future(fixed, today, 45), None
    return _future(fixed, today, 60), None


def _create_issued_plan(province: Unit, units: dict[str, Unit], today: dt.date) -> Plan:
    coordinator = _user("dieuphoi")
    leader = _user("lanhdao")
    papi_rows, papi_sentence, papi_analysis = _papi_targets(province)
    par_rows, par_sentence = _par_target(province)
    results = " ".join(s for s in (papi_sentence, par_sentence) if s) or (
        "Kết quả các Chỉ số năm 2024 của tỉnh còn thấp so với mặt bằng chung của cả nước."
    )

    plan = Plan(
        issuing_unit=province,
        number=DEMO_NUMBER,
        symbol=DEMO_SYMBOL,
        place="Quảng Ngãi",
        date=DEMO_DATE,
        title=DEMO_TITLE,
        purpose=PURPOSE.format(results=results),
        requirements=REQUIREMENTS,
        body=BODY,
        indices=["papi", "par"],
        year=2025,
        year_to=2026,
        results_year=2024,
        recipients=RECIPIENTS,
        signer_authority="TM. ỦY BAN NHÂN DÂN",
        signer_title="CHỦ TỊCH",
        signer_name="Trần Văn Minh",
        report_deadlines=["2025-12-10", "2026-06-10", "2026-12-10"],
        status="issued",
        created_by=coordinator,
        issued_at=_aware(DEMO_DATE),
    )
    plan._history_user = coordinator
    plan.save()
    for action, before, after, user, day in [
        ("submit", "draft", "submitted", coordinator, DEMO_DATE - dt.timedelta(days=12)),
        ("approve", "submitted", "approved", leader, DEMO_DATE - dt.timedelta(days=5)),
        ("issue", "approved", "issued", leader, DEMO_DATE),
    ]:
        event = WorkflowEvent.objects.create(
            subject=plan, action=action, from_status=before, to_status=after, user=user
        )
        WorkflowEvent.objects.filter(pk=event.pk).update(at=_aware(day))

    for order, row in enumerate([*papi_rows, *par_rows], start=1):
        target = Target(plan=plan, order=order, **row)
        target._history_user = coordinator
        target.save()

    library = {t.id: t for t in load_library()}
    reporters = {"tuphap": _user("tuphap"), "xa_dakha": _user("xadakha")}
    progress_cycle = iter(PROGRESS_PERCENT * 3)
    for order, (lib_id, lead, coordinating, product, fixed, state) in enumerate(TASKS, start=1):
        lib = library.get(lib_id)
        if lib is None:  # the shipped library changed: skip the task rather than fail the demo
            continue
        recurrence = lib.recurrence if state.startswith("rec") else Recurrence.NONE
        if state.startswith("rec") and recurrence == Recurrence.NONE:
            recurrence = Recurrence.QUARTERLY
        deadline, first_due = _task_dates(state, dt.date.fromisoformat(fixed), recurrence, today)
        task = Task(
            plan=plan,
            order=order,
            text=_demo_text(lib),
            index=lib.index if lib.index in ("papi", "par", "sipas") else "",
            nodes=list(lib.nodes),
            lead_unit=units[lead],
            product=product or lib.product,
            deadline=deadline,
            recurrence=recurrence,
            first_due=first_due,
            priority=1 if state == "late" else 2,
            library_key=lib.id,
        )
        task._history_user = coordinator
        task.save()
        task.coordinating_units.set([units[k] for k in coordinating])

        reporter = reporters.get(lead) or coordinator
        if state in ("done", "progress", "rec-ok"):
            if state == "done":
                day = deadline - dt.timedelta(days=7)
                percent, report_state = 100, ProgressReport.State.DONE
            elif state == "progress":
                day = today - dt.timedelta(days=12)
                percent, report_state = next(progress_cycle), ProgressReport.State.IN_PROGRESS
            else:
                dues = list(due_dates(recurrence, deadline, first_due, today - dt.timedelta(days=1)))
                last = dues[-1] if dues else first_due
                day = min(today - dt.timedelta(days=1), last + dt.timedelta(days=3))
                percent, report_state = (
                    100 if recurrence == Recurrence.CONTINUOUS else 80,
                    (ProgressReport.State.IN_PROGRESS),
                )
            report = ProgressReport(
                task=task,
                unit=units[lead],
                period=period_of(day, "quarter"),
                state=report_state,
                percent=percent,
                narrative=NARRATIVES["rec-ok" if state == "rec-ok" else state],
                submitted_by=reporter,
            )
            if state == "done":
                report.product_number = (
                    f"{100 + order * 7}/{'QĐ-UBND' if lead == 'vanphong' else 'BC-' + lead.upper()[:4]}"
                )
                report.product_date = day
                report.product_issuer = units[lead].name
            report._history_user = reporter
            report.save()
            task.progress = percent
            task.done = state == "done"
            task.done_on = day if state == "done" else None
            task.last_reported_at = _aware(day)
            task._history_user = reporter
            task.save(update_fields=["progress", "done", "done_on", "last_reported_at"])
            if coordinating and state == "progress":
                helper = units[coordinating[0]]
                contribution = ProgressReport(
                    task=task,
                    unit=helper,
                    period=period_of(day, "quarter"),
                    state=ProgressReport.State.IN_PROGRESS,
                    percent=percent,
                    narrative=f"{helper.name} đã phối hợp cung cấp thông tin, tài liệu theo đề nghị của cơ quan chủ trì.",
                    submitted_by=coordinator,
                )
                contribution._history_user = coordinator
                contribution.save()

    if papi_analysis is not None:
        lost = [n for n in papi_analysis.lost if n.depth >= 2][:10]
        entries = {
            r.node_code: r
            for r in Responsibility.objects.filter(province=province, index="papi")
            .select_related("lead_unit")
            .prefetch_related("coordinating_units")
        }
        parents = framework_parents(papi_analysis.framework)
        for order, n in enumerate(lost, start=1):
            entry = lookup_responsibility(entries, [n.code], parents)
            responsible = []
            if entry is not None:
                responsible = ([entry.lead_unit] if entry.lead_unit else []) + [
                    u for u in entry.coordinating_units.all() if u.pk != entry.lead_unit_id
                ]
            s = Shortcoming(
                plan=plan,
                index="papi",
                node_code=n.code,
                node_name=n.name,
                achieved=round(n.score, 4),
                maximum=round(n.max, 4),
                lost=round(n.lost_points, 4),
                responsible_text=entry.lead_text if entry is not None else "",
                order=order,
            )
            s._history_user = coordinator
            s.save()
            s.responsible_units.set(responsible)
    return plan


def _create_draft_plan(province: Unit, units: dict[str, Unit], today: dt.date) -> Plan:
    coordinator = _user("dieuphoi")
    plan = Plan(
        issuing_unit=province,
        place="Quảng Ngãi",
        title=DRAFT_TITLE,
        purpose="Nâng cao mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước trên địa bàn tỉnh.",
        requirements="- Khảo sát đúng phương pháp của Bộ Nội vụ.\n- Công khai kết quả khảo sát.",
        indices=["sipas"],
        year=2026,
        results_year=2024,
        recipients=["Các sở, ban, ngành", "UBND các xã, phường, đặc khu", "Lưu: VT, NC."],
        status="draft",
        created_by=coordinator,
    )
    plan._history_user = coordinator
    plan.save()
    target = Target(
        plan=plan,
        index="sipas",
        kind="places",
        value="10",
        baseline_year=2024,
        label="Phấn đấu Chỉ số SIPAS năm 2026 tăng tối thiểu 10 bậc so với năm 2024",
        order=1,
    )
    target._history_user = coordinator
    target.save()
    library = {t.id: t for t in load_library()}
    for order, (lib_id, lead, deadline) in enumerate(
        [("qn2023-08", "noivu", "2026-09-30"), ("kt2024-14", "vanphong", "2026-06-30")], start=1
    ):
        lib = library.get(lib_id)
        if lib is None:
            continue
        task = Task(
            plan=plan,
            order=order,
            text=_demo_text(lib, DRAFT_YEARS, dt.date(2026, 1, 1)),
            index="sipas",
            nodes=list(lib.nodes),
            lead_unit=units[lead],
            product=lib.product,
            deadline=dt.date.fromisoformat(deadline),
            library_key=lib.id,
        )
        task._history_user = coordinator
        task.save()
    return plan


def demo_responsibilities(province: Unit, units: dict[str, Unit]) -> int:
    """The province's PAPI responsibility map (PAPI_MAP), for the nodes of the current framework that have
    no entry yet (a coordinator's entries are kept). Returns the entries created."""
    coordinator = _user("dieuphoi")
    fw = current_framework("papi")
    known = set(fw.nodes.values_list("code", flat=True)) if fw is not None else set(PAPI_MAP)
    existing = set(
        Responsibility.objects.filter(province=province, index="papi").values_list("node_code", flat=True)
    )
    created = 0
    for code, (lead, coordinating, note) in PAPI_MAP.items():
        if code not in known or code in existing:
            continue
        row = Responsibility(
            province=province,
            index="papi",
            node_code=code,
            lead_unit=units[lead] if lead else None,
            lead_text=note,
            updated_by=coordinator,
        )
        row._history_user = coordinator
        row.save()
        row.coordinating_units.set([units[k] for k in coordinating if k != lead])
        created += 1
    return created


def _find_plan(province: Unit, title: str) -> Plan | None:
    """The demo plan of that title, or of its earlier title (then renamed)."""
    plan = Plan.objects.filter(issuing_unit=province, title=title).first()
    if plan is None and title in OLD_TITLES:
        plan = Plan.objects.filter(issuing_unit=province, title=OLD_TITLES[title]).first()
        if plan is not None:
            plan.title = title
            plan._history_user = plan.created_by
            plan.save(update_fields=["title"])
    return plan


@transaction.atomic
def load_demo_plans(today: dt.date | None = None) -> DemoResult:
    """Create the demo plans of the merged Quảng Ngãi (once): the issued PAPI + PAR INDEX plan of 2025
    with its execution as of `today` (default: today), and a draft SIPAS plan of 2026; and the province's
    PAPI responsibility map (before the plans: their appendix of points lost reads it)."""
    today = today or dt.date.today()
    province = demo_province()
    units = demo_units(province)
    created = demo_responsibilities(province, units) > 0
    plan = Plan.objects.filter(
        issuing_unit=province, number=DEMO_NUMBER, symbol=DEMO_SYMBOL, year=2025
    ).first()
    if plan is None:
        plan = _create_issued_plan(province, units, today)
        created = True
    elif plan.title == OLD_TITLES[DEMO_TITLE]:
        _find_plan(province, DEMO_TITLE)
        plan.refresh_from_db()
    draft = _find_plan(province, DRAFT_TITLE)
    if draft is None:
        draft = _create_draft_plan(province, units, today)
        created = True
    return DemoResult(plan=plan, draft=draft, units=units, created=created)
