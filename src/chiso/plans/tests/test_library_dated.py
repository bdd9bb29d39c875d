"""A plan drafted for 2023 from the library (quoted from a 2019 plan) reads as a 2023 plan: the library's
years are filled with the plan's, a past deadline typed by hand blocks the submission with the list,
and a lead naming departments and communes keeps both classes."""

from __future__ import annotations

import io

import pytest
from docx import Document

from chiso.core.workflow import WorkflowError
from chiso.plans import documents
from chiso.plans.models import LibraryTask, UnitClass
from chiso.plans.services.drafting import draft_plan
from chiso.plans.services.library import LibraryError, load_shipped_library, save_library_task
from chiso.plans.services.text_review import text_review
from chiso.units.models import Unit
from chiso.workflows.services import transition

pytestmark = pytest.mark.django_db


def _docx_text(plan) -> str:
    doc = Document(io.BytesIO(documents.render_plan(plan, "docx")))
    cells = [c.text for t in doc.tables for c in t._cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _draft_2023(world):
    kontum = Unit.objects.get(kind="province", code="62")
    return draft_plan(
        "papi", kontum, 2022, {"places": 3}, world.coordinator, weakest=8, tasks_per_node=40, plan_year=2023
    )


def test_library_years_are_the_plans_years_in_the_docx(world):
    load_shipped_library()
    shipped = LibraryTask.objects.get(key="kt2019-14")
    assert "{năm}" in shipped.text and "2019" not in shipped.text  # the library shows the parameter
    plan = _draft_2023(world)
    task = plan.tasks.get(library_key="kt2019-14")
    assert "từ năm 2023" in task.text and "Quý III năm 2023" in task.text
    text = _docx_text(plan)
    assert "Quý III năm 2023" in text
    assert "năm 2019" not in text and "{năm" not in text
    assert not [r for r in text_review(plan) if r.blocking]


def test_a_past_deadline_blocks_submission_with_the_list(world):
    load_shipped_library()
    plan = _draft_2023(world)
    task = plan.tasks.order_by("order").first()
    task.text += " Hoàn thành chậm nhất trong Quý III năm 2019."
    task.save()
    with pytest.raises(WorkflowError, match=rf"nhiệm vụ {task.order}: «.*Quý III năm 2019"):
        transition(plan, "submit", world.coordinator)
    plan.refresh_from_db()
    assert plan.status == "draft"
    task.text = task.text.replace("năm 2019", "năm 2023")
    task.save()
    assert transition(plan, "submit", world.coordinator).status == "submitted"


def test_the_plan_page_lists_what_to_check(client, world):
    load_shipped_library()
    plan = _draft_2023(world)
    task = plan.tasks.order_by("order").first()
    task.text += " Theo Quyết định số 3532/QĐ-UBND ngày 23/12/2022; hoàn thành trước ngày 30/6/2019."
    task.save()
    client.force_login(world.coordinator)
    page = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "Cần rà soát lời văn nhiệm vụ trước khi trình" in page
    assert "Quyết định số 3532/QĐ-UBND ngày 23/12/2022" in page and "phải sửa" in page


def test_unknown_parameter_in_a_coordinators_task_is_refused(world):
    with pytest.raises(LibraryError, match="Tham số"):
        save_library_task(world.coordinator, {"text": "Làm việc năm {năm học}.", "index": "papi"})
    assert not LibraryTask.objects.filter(shipped=False).exists()


def test_a_lead_naming_departments_and_communes_keeps_both(world):
    load_shipped_library()
    lib = LibraryTask.objects.get(key="kt2019-14")
    lib.lead = "Các sở, ban ngành và UBND các xã, phường"
    lib.save()
    plan = _draft_2023(world)
    task = plan.tasks.get(library_key="kt2019-14")
    assert task.lead_unit is None
    assert task.lead_class == UnitClass.DEPARTMENT_WARD
    assert set(UnitClass.kinds(task.lead_class)) == {"department", "ward"}
    assert "Các sở, ban ngành và UBND các xã" in _docx_text(plan)


def test_par_2022_fields_and_sipas_elements_get_tasks(world):
    from chiso.core import tasklib
    from chiso.frameworks.models import Framework

    load_shipped_library()
    known = {fw.code: set(fw.nodes.values_list("code", flat=True)) for fw in Framework.objects.all()}
    cw = tasklib.load_crosswalk()
    assert tasklib.validate_crosswalk(cw, tasklib.load_library(), known) == []
    # the 2018 tasks serve the fields and blocks of par-2022; SIPAS elements have tasks
    assert "SOCIOECON" in LibraryTask.objects.get(key="kt2019-84").nodes
    sipas = LibraryTask.objects.filter(index="sipas")
    served = {c for nodes in sipas.values_list("nodes", flat=True) for c in nodes}
    assert {"E1", "E2", "E3", "E4", "E5", "P2", "P3", "P6", "P8"} <= served
    assert sipas.get(key="kt2019-19-sipas").text == LibraryTask.objects.get(key="kt2019-19").text

    kontum = Unit.objects.get(kind="province", code="62")
    plan = draft_plan("par", kontum, 2023, {"places": 3}, world.coordinator, plan_year=2024)
    fields = {c for t in plan.tasks.filter(index="par") for c in t.nodes if c.startswith("F")}
    assert {"F1", "F3", "F5", "F7"} <= fields  # every field of the 2022 set gets its tasks
    assert not any("TP" in c for t in plan.tasks.all() for c in t.nodes)  # no 2018 sub-criterion
    text = _docx_text(plan)
    assert "“Cải cách thủ tục hành chính”" in text
    assert "“Cải cách chế độ công vụ”" in text


def _headings(doc) -> list[str]:
    from chiso.documents.model import Heading

    return [b.text for b in doc.blocks if isinstance(b, Heading)]


def test_activity_sections_when_chosen_and_the_body_arranged_by_activity(world):
    import dataclasses

    from chiso.documents.model import load_layout
    from chiso.plans.models import Activity, TaskLayout

    load_shipped_library()
    kontum = Unit.objects.get(kind="province", code="62")
    chosen = ["direction", "training", "inspection", "survey"]
    plan = draft_plan(
        "papi",
        kontum,
        2022,
        {"places": 3},
        world.coordinator,
        plan_year=2023,
        activities=chosen,
        task_layout=TaskLayout.ACTIVITY,
    )
    assert plan.task_layout == TaskLayout.ACTIVITY
    general = plan.tasks.filter(index="")
    assert {t.activity for t in general} == set(chosen)  # the library's tasks of each activity
    in_body = dataclasses.replace(load_layout(), plan_tasks_in_appendix=False)
    heads = _headings(documents.plan_document(plan, in_body))
    labels = [str(label) for value, label in Activity.choices if value]
    first = heads.index("III. NHIỆM VỤ, GIẢI PHÁP")
    assert heads[first + 1 : first + 5] == [f"{n}. {label}" for n, label in enumerate(labels, start=1)]
    assert "5. Cải thiện, nâng cao Chỉ số PAPI" in heads  # the specialist tasks by content after them
    # each task once in the DOCX (tasks in the appendix table, grouped by activity first)
    text = _docx_text(plan)
    assert "I. LÃNH ĐẠO, CHỈ ĐẠO VÀ THÔNG TIN, TUYÊN TRUYỀN" in text
    texts = [t.text for t in plan.tasks.all()]
    for t in texts:
        if not any(t in other for other in texts if other is not t):
            assert text.count(t) == 1

    # the same plan arranged by content: contents first, the activity sections after them
    plan.task_layout = TaskLayout.DIMENSION
    plan.save()
    heads = _headings(documents.plan_document(plan, in_body))
    first = heads.index("III. NHIỆM VỤ, GIẢI PHÁP")
    assert heads[first + 1] == "1. Cải thiện, nâng cao Chỉ số PAPI"
    assert any(h.endswith(labels[0]) for h in heads[first + 2 :])


def test_no_activity_section_unless_chosen_and_bad_values_refused(world):
    from chiso.plans.models import Plan
    from chiso.plans.services.drafting import DraftError

    load_shipped_library()
    plan = _draft_2023(world)
    assert not plan.tasks.filter(index="").exists()
    kontum = Unit.objects.get(kind="province", code="62")
    before = Plan.objects.count()
    with pytest.raises(DraftError, match="Hoạt động không hợp lệ"):
        draft_plan(
            "papi", kontum, 2022, {"places": 3}, world.coordinator, plan_year=2023, activities=["party"]
        )
    with pytest.raises(DraftError, match="sắp xếp"):
        draft_plan("papi", kontum, 2022, {"places": 3}, world.coordinator, plan_year=2023, task_layout="x")
    assert Plan.objects.count() == before


def test_the_source_province_s_own_bodies_take_the_plan_s_province():
    """Library text does not name the province it was quoted from: "Báo Kon Tum" becomes "Báo {tên tỉnh}",
    filled with the drafting province's name; a city of the same name is a place and stays."""
    from chiso.core import datedtext
    from chiso.plans.services.library import library_words

    kept = library_words(
        "Đài Phát thanh và Truyền hình tỉnh, Báo Kon Tum tuyên truyền; UBND thành phố Kon Tum phối hợp.",
        2019,
        "UBND tỉnh Kon Tum",
    )
    assert (
        kept
        == "Đài Phát thanh và Truyền hình tỉnh, Báo {tên tỉnh} tuyên truyền; UBND thành phố Kon Tum phối hợp."
    )
    assert datedtext.fill(kept, 2026, 2025, "Quảng Ngãi").startswith(
        "Đài Phát thanh và Truyền hình tỉnh, Báo Quảng Ngãi"
    )
    # not filled without a province: the coordinator is told before submitting
    unfilled = datedtext.fill(kept, 2026, 2025)
    assert [f.kind for f in datedtext.review(unfilled, 2026) if f.blocking] == ["parameter"]


def test_a_drafted_plan_names_its_own_province_s_newspaper(world):
    load_shipped_library()
    shipped = LibraryTask.objects.get(key="kt2019-92")
    assert "Kon Tum" not in shipped.text + shipped.lead and "Báo {tên tỉnh}" in shipped.text
    shipped.activity = "direction"
    shipped.save()
    # the section of direction and propaganda proposes this task (the first of its kind)
    LibraryTask.objects.filter(activity="direction").exclude(pk=shipped.pk).update(activity="training")
    kontum = Unit.objects.get(kind="province", code="62")
    # Kon Tum's 2024 results, the 2025 plan of the merged Quảng Ngãi
    plan = draft_plan(
        "papi", kontum, 2024, {"places": 3}, world.coordinator, weakest=2, activities=["direction"]
    )
    assert plan.issuing_unit.name.endswith("Quảng Ngãi")
    texts = list(plan.tasks.values_list("text", flat=True))
    assert any("Báo Quảng Ngãi" in t for t in texts)
    assert not any("Kon Tum" in t or "{tên tỉnh}" in t for t in texts)
