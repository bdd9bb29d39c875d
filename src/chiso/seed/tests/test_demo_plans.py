"""The demo plans: one realistic issued plan with its execution (some tasks reported, some late), one
draft; loading twice creates nothing new."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from chiso.plans import documents
from chiso.plans.models import Plan, Responsibility, Shortcoming, Target, Task
from chiso.seed.demo_plans import DEMO_NUMBER, DEMO_TITLE, DRAFT_TITLE, OLD_TITLES, load_demo_plans
from chiso.tracking import documents as tracking_documents
from chiso.tracking.models import ProgressReport
from chiso.units.models import Unit
from chiso.workflows.models import WorkflowEvent

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return " ".join(" ".join(parts).split())


def counts():
    return (
        Plan.objects.count(),
        Task.objects.count(),
        Target.objects.count(),
        Shortcoming.objects.count(),
        ProgressReport.objects.count(),
        WorkflowEvent.objects.count(),
        Unit.objects.count(),
        Responsibility.objects.count(),
        Responsibility.history.count(),
    )


def test_demo_plan_is_realistic_and_loading_twice_changes_nothing():
    result = load_demo_plans(today=TODAY)
    assert result.created
    plan = result.plan
    assert plan.status == "issued" and plan.number_symbol == f"{DEMO_NUMBER}/KH-UBND"
    assert plan.issuing_unit.code == "51" and plan.issuing_unit.valid_from is not None
    assert plan.indices == ["papi", "par"] and plan.results_year == 2024
    assert result.draft.status == "draft"

    # Targets from the real 2024 results: PAPI overall + weakest dimensions, PAR INDEX by rank.
    overall = plan.targets.get(index="papi", node_code="")
    assert "tăng tối thiểu 05 bậc (từ 38/61 lên 33/61)" in overall.label
    assert overall.needed_points and overall.needed_points > 0
    assert plan.targets.filter(index="papi").exclude(node_code="").count() >= 3
    assert "xếp hạng 53/61" in plan.targets.get(node_code="D8").label
    assert "(từ 43/63 lên 38/63)" in plan.targets.get(index="par").label

    tasks = list(plan.tasks.all())
    assert len(tasks) >= 25
    assert len({t.lead_unit_id for t in tasks}) >= 8
    assert all(t.library_key for t in tasks)
    deadlines = [t.deadline or t.first_due for t in tasks]
    assert {d.year for d in deadlines} >= {2025, 2026}
    assert any(t.recurrence != "none" for t in tasks)
    assert any(t.coordinating_units.exists() for t in tasks)
    assert not any("huyện" in t.text for t in tasks)  # the merged province has no districts
    for old in ("Sở Kế hoạch và Đầu tư", "Sở Tài nguyên và Môi trường", "Sở Thông tin và Truyền thông"):
        assert not any(old in t.text for t in [*tasks, *result.draft.tasks.all()])
    # the title is the trích yếu (the document prints "KẾ HOẠCH" above it)
    assert (
        plan.title
        == DEMO_TITLE
        == "Cải thiện, nâng cao Chỉ số PAPI và Chỉ số PAR INDEX tỉnh Quảng Ngãi năm 2025"
    )
    assert result.draft.title == DRAFT_TITLE and not DRAFT_TITLE.startswith("Kế hoạch")

    # Execution: some done with their product, some under way, some late without a report.
    done = [t for t in tasks if t.done]
    assert len(done) >= 4
    assert all(t.reports.filter(state="done").exclude(product_number="").exists() for t in done)
    assert sum(1 for t in tasks if t.reports.exists() and not t.done) >= 5
    late = tracking_documents.late_items(plan, TODAY)
    assert len(late) >= 5
    assert any(not i.reported for i in late)
    assert all(i.due < TODAY for i in late)
    assert plan.shortcomings.count() >= 5
    assert all(s.responsible_units.exists() or s.responsible_text for s in plan.shortcomings.all())
    # the province's responsibility map names who answers for each PAPI dimension; the appendix reads it
    entries = Responsibility.objects.filter(province=plan.issuing_unit, index="papi")
    codes = set(entries.values_list("node_code", flat=True))
    assert {f"D{i}" for i in range(1, 9)} <= codes
    assert {s.node_code for s in plan.shortcomings.all()} <= codes
    assert all(s.responsible_units.exists() for s in plan.shortcomings.all())
    d8 = entries.get(node_code="D8")
    assert d8.lead_unit.name == "Sở Khoa học và Công nghệ" and d8.lead_unit.parent == plan.issuing_unit
    assert plan.events.filter(action="issue").exists()
    assert any(r.startswith("Lưu") for r in plan.recipients) and plan.signer_name

    before = counts()
    again = load_demo_plans(today=TODAY)
    assert not again.created
    assert again.plan.pk == plan.pk and again.draft.pk == result.draft.pk
    assert counts() == before


def test_demo_plan_exports():
    plan = load_demo_plans().plan  # as of today, whatever today is: still some late tasks
    assert tracking_documents.late_items(plan)
    text = text_of(documents.render_plan(plan, "docx"))
    assert "Số: 1520/KH-UBND" in text and "Quảng Ngãi, ngày 15 tháng 8 năm 2025" in text
    assert "“Quản trị điện tử”" in text  # section III names the content; its tasks are in Phụ lục I
    assert "Phụ lục II" in text
    letter = text_of(tracking_documents.render_letter(plan, "docx"))
    assert "V/v đôn đốc thực hiện và báo cáo kết quả Kế hoạch số 1520/KH-UBND" in letter


def test_demo_data_of_an_earlier_load_is_renamed_not_duplicated():
    result = load_demo_plans(today=TODAY)
    Plan.objects.filter(pk=result.plan.pk).update(title=OLD_TITLES[DEMO_TITLE])
    Plan.objects.filter(pk=result.draft.pk).update(title=OLD_TITLES[DRAFT_TITLE])
    plans = Plan.objects.count()
    again = load_demo_plans(today=TODAY)
    assert Plan.objects.count() == plans
    assert again.draft.pk == result.draft.pk and again.draft.title == DRAFT_TITLE
    assert Plan.objects.get(pk=result.plan.pk).title == DEMO_TITLE
