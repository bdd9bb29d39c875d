"""Issue 11, points 5 and 7: one plan covering several indices and implementing several parent
documents (cited in its opening with its legal basis), and requests to bodies outside the
administration written "Đề nghị …" apart from the assignments and tracked only once accepted. The
DOCX is read as an official would read it."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from docx import Document

from chiso.plans import documents
from chiso.plans.models import Plan, RequestStatus, Task
from chiso.plans.services.drafting import DraftError, draft_plan
from chiso.plans.services.library import load_shipped_library
from chiso.plans.services.plans import save_plan, save_task
from chiso.plans.services.requests import answer_request, is_outside_body, request_sentence
from chiso.tracking.services.monitoring import dashboard
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def kontum():
    return Unit.objects.get(kind="province", code="62")


def _docx_text(plan: Plan) -> list[str]:
    doc = Document(io.BytesIO(documents.render_plan(plan, "docx")))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            out.append(" | ".join(c.text for c in row.cells))
    return out


# --------------------------------------------------------------------------- point 5: several indices


def test_one_draft_covers_par_sipas_and_papi_each_with_its_targets_tasks_and_shortcomings(world, kontum):
    load_shipped_library()
    plan = draft_plan(["par", "sipas", "papi"], kontum, 2023, {"places": 3}, world.coordinator)

    assert plan.indices == ["par", "sipas", "papi"]
    # a 2024 plan from Kon Tum's results is Kon Tum's document (test_drafting_predecessor)
    assert Plan.objects.filter(issuing_unit=kontum).count() == 1  # one plan, not three
    assert (
        plan.title
        == "Cải thiện, nâng cao Chỉ số PAR INDEX, Chỉ số SIPAS và Chỉ số PAPI tỉnh Kon Tum năm 2024"
    )
    for name in ("Chỉ số PAR INDEX năm 2023", "Chỉ số SIPAS năm 2023", "Chỉ số PAPI năm 2023"):
        assert name in plan.purpose
    # the ambition on each index's total (count targets on its dimensions are also index-wide)
    overall = {t.index: t for t in plan.targets.filter(node_code="", kind="places")}
    assert set(overall) == {"par", "sipas", "papi"}
    assert all(t.value == "3" for t in overall.values())
    orders = list(plan.targets.values_list("order", flat=True))
    assert orders == sorted(orders) and len(set(orders)) == len(orders)  # numbered across the indices
    assert plan.tasks.filter(index="papi").exists()  # (PAR's library tasks are mapped by issue 11 point 9)
    assert plan.targets.filter(index="par").exclude(node_code="").exists()
    task_orders = list(plan.tasks.order_by("order").values_list("order", flat=True))
    assert len(set(task_orders)) == len(task_orders)
    assert {s.index for s in plan.shortcomings.all()} >= {"papi", "par"}

    text = "\n".join(_docx_text(plan))
    assert "Căn cứ kết quả Chỉ số PAR INDEX, Chỉ số SIPAS và Chỉ số PAPI năm 2023" in text
    for label in ("CHỈ SỐ PAR INDEX", "CHỈ SỐ PAPI"):
        assert label in text.upper()


def test_indices_known_for_part_of_the_provinces_count_on_their_published_ranks(client, world, kontum):
    """PAR INDEX and SIPAS 2023 are known for 28 and 20 provinces of the 63 ranked: the plan climbs from
    the published ranks (43/63, 35/63), says the points cannot be computed, and prints PAR INDEX's
    points with its two published decimals — an official signs what the Ministry published."""
    plan = draft_plan(["par", "sipas", "papi"], kontum, 2023, {"places": 3}, world.coordinator)
    overall = {t.index: t for t in plan.targets.filter(node_code="", kind="places")}
    assert "(từ 43/63 lên 40/63)" in overall["par"].label
    assert "mới có điểm của 28/63 tỉnh, thành phố" in overall["par"].label
    assert "(từ 35/63 lên 32/63)" in overall["sipas"].label
    assert not overall["par"].needed_known and overall["par"].needed_points is None
    assert overall["papi"].needed_known and "(từ 56/61 lên 53/61)" in overall["papi"].label
    for t in plan.targets.filter(index="par").exclude(node_code=""):
        for figure in re.findall(r"\d+,(\d+) điểm", t.label):
            assert len(figure) <= 2, t.label
    client.force_login(world.coordinator)
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "chưa tính được" in html


def test_a_multi_index_draft_missing_one_index_creates_nothing(world, kontum):
    before = Plan.objects.count()
    with pytest.raises(DraftError):
        draft_plan(["papi", "par"], kontum, 2011, {"places": 3}, world.coordinator)  # no PAR in 2011
    assert Plan.objects.count() == before


def test_the_drafting_page_takes_several_indices(client, world, kontum):
    load_shipped_library()
    client.force_login(world.coordinator)
    r = client.post(
        reverse("plans:draft"),
        {
            "index": ["papi", "par"],
            "unit": kontum.pk,
            "year": 2023,
            "ambition": "places",
            "value": "2",
            "weakest": 3,
        },
    )
    assert r.status_code == 302
    plan = Plan.objects.get(issuing_unit=kontum)  # a 2024 plan from Kon Tum's results: Kon Tum's
    assert plan.indices == ["papi", "par"]
    # a score means something else in each index: refused with a message, nothing created
    r = client.post(
        reverse("plans:draft"),
        {"index": ["papi", "par"], "unit": kontum.pk, "year": 2023, "ambition": "score", "value": "45"},
    )
    assert r.status_code == 400
    assert "nhiều chỉ số" in r.content.decode()
    assert Plan.objects.filter(issuing_unit=kontum).count() == 1


# --------------------------------------------------------------------------- point 5: parents, basis


PARENT = "Kế hoạch số 12/KH-UBND ngày 10 tháng 01 năm 2025 của Ủy ban nhân dân tỉnh Quảng Ngãi về cải cách hành chính"
NOTICE = "Thông báo số 202/TB-VPCP ngày 04 tháng 6 năm 2024 của Văn phòng Chính phủ"
BASIS = "Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ"


def test_the_opening_cites_the_legal_basis_then_every_parent_document(world, make_plan):
    plan = make_plan()
    plan = save_plan(
        world.coordinator,
        {"legal_basis": [BASIS + ";", "  "], "implements": [PARENT, "Thực hiện " + NOTICE]},
        plan,
    )
    assert plan.legal_basis == [BASIS]  # the trailing ";" and blank lines dropped
    assert plan.implements == [PARENT, NOTICE]  # stored without "Thực hiện"
    text = _docx_text(plan)
    i_basis = text.index(f"Căn cứ {BASIS};")
    i_parent = text.index(f"Thực hiện {PARENT};")
    i_notice = text.index(f"Thực hiện {NOTICE};")  # not "Thực hiện Thực hiện"
    i_purpose = text.index("I. MỤC ĐÍCH, YÊU CẦU")
    assert i_basis < i_parent < i_notice < i_purpose


def test_parents_through_the_api_and_the_form(client, world, make_plan):
    plan = make_plan()
    client.force_login(world.coordinator)
    r = client.patch(
        f"/api/plans/{plan.pk}/",
        {"implements": [PARENT], "legal_basis": [BASIS]},
        content_type="application/json",
        HTTP_IF_MATCH="*",
    )
    assert r.status_code == 200, r.content
    assert r.json()["implements"] == [PARENT]
    r = client.get(reverse("plans:edit", args=[plan.pk]))
    assert PARENT in r.content.decode()
    r = client.get(reverse("plans:detail", args=[plan.pk]))
    assert f"Thực hiện {PARENT}" in r.content.decode()
    client.force_login(world.officer_tp)
    r = client.patch(
        f"/api/plans/{plan.pk}/", {"implements": []}, content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert r.status_code in (403, 404)
    plan.refresh_from_db()
    assert plan.implements == [PARENT]


# --------------------------------------------------------------------------- point 7: requests


@pytest.mark.parametrize(
    ("name", "outside"),
    [
        ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh, các tổ chức chính trị - xã hội cấp tỉnh", True),
        ("Công an tỉnh", True),
        ("Báo Quảng Ngãi, Đài Phát thanh - Truyền hình tỉnh", True),
        ("Hội Nông dân tỉnh", True),
        ("Sở Nội vụ", False),
        ("Sở Tư pháp, Công an tỉnh", False),  # the department leads
        ("UBND các xã, phường", False),
        ("Thanh tra tỉnh", False),
        ("", False),
    ],
)
def test_bodies_outside_the_administration(name, outside):
    assert is_outside_body(name) is outside


def test_request_sentence():
    assert (
        request_sentence("Công an tỉnh", "Tiếp tục triển khai các chương trình phòng, chống tội phạm.")
        == "Đề nghị Công an tỉnh tiếp tục triển khai các chương trình phòng, chống tội phạm."
    )
    assert (
        request_sentence("Công an tỉnh", "Đề nghị Công an tỉnh phối hợp.") == "Đề nghị Công an tỉnh phối hợp."
    )


def _with_request(world, make_plan, status="draft"):
    plan = make_plan(
        status=status,
        tasks=[
            dict(
                text="Công khai kế hoạch sử dụng đất",
                nodes=["D2"],
                lead_unit=world.noivu,
                deadline=dt.date(2025, 6, 30),
            ),
            dict(
                text="Tuyên truyền, phổ biến Luật Thực hiện dân chủ ở cơ sở",
                lead_text="Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
                is_request=True,
                request_status=RequestStatus.PENDING,
                deadline=dt.date(2025, 6, 30),
            ),
        ],
    )
    return plan, plan.tasks.get(is_request=True)


def test_requests_are_written_de_nghi_apart_from_the_assignments_in_the_docx(world, make_plan):
    plan, _req = _with_request(world, make_plan)
    text = _docx_text(plan)  # the province's layout: tasks in the appendix table
    group = next(i for i, t in enumerate(text) if t.startswith("II. ĐỀ NGHỊ CÁC CƠ QUAN, TỔ CHỨC PHỐI HỢP"))
    assert text[group + 1].startswith(
        "2 | Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh tuyên truyền, phổ biến Luật Thực hiện dân chủ"
    )
    assert text.index("1 | Công khai kế hoạch sử dụng đất | Sở Nội vụ |  |  | 30/06/2025") < group
    assert sum("Luật Thực hiện dân chủ" in t for t in text) == 1  # written once
    # section III says where the requests are
    assert any(
        t.startswith("- Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh phối hợp thực hiện") for t in text
    )


def test_requests_in_the_body_are_a_section_of_their_own(world, make_plan):
    from chiso.documents.model import Heading, Layout, Paragraph

    plan, _req = _with_request(world, make_plan)
    doc = documents.plan_document(plan, Layout(plan_tasks_in_appendix=False))
    text = [b.text for b in doc.blocks if isinstance(b, (Heading, Paragraph))]
    heading = text.index("2. Đề nghị các cơ quan, tổ chức phối hợp thực hiện")
    sentence = "- Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh tuyên truyền, phổ biến Luật Thực hiện dân chủ ở cơ sở."
    assert text.index(sentence) > heading
    assert text.index("- Công khai kế hoạch sử dụng đất.") < heading  # the assignment stays with its content
    assert not any("Cơ quan chủ trì: Ủy ban Mặt trận" in t for t in text)  # never "assigned"


def test_requests_in_the_appendix_table_are_a_group_of_their_own(world, make_plan):
    from chiso.documents.model import Layout

    plan, _req = _with_request(world, make_plan)
    doc = documents.plan_document(plan, Layout(plan_tasks_in_appendix=True))
    table = doc.appendices[0].blocks[0]
    rows = [r for r in table.rows]
    group = next(i for i, r in enumerate(rows) if len(r) == 1 and "ĐỀ NGHỊ CÁC CƠ QUAN" in r[0])
    assert any("Đề nghị Ủy ban Mặt trận" in r[1] for r in rows[group + 1 :])
    assert all("Đề nghị" not in r[1] for r in rows[:group] if len(r) > 1)


def test_a_request_is_tracked_only_once_the_body_accepts(world, make_plan):
    plan, req = _with_request(world, make_plan, status="issued")
    assert not req.tracked
    ids = set(Task.objects.filter(Task.tracked_q(), plan=plan).values_list("pk", flat=True))
    assert req.pk not in ids
    before = dashboard(world.coordinator)["summary"]["total"]

    answer_request(req, world.coordinator, accepted=True)
    req.refresh_from_db()
    assert req.request_status == RequestStatus.ACCEPTED and req.tracked
    assert dashboard(world.coordinator)["summary"]["total"] == before + 1
    assert req.history.first().history_user == world.coordinator  # who recorded the reply

    answer_request(req, world.coordinator, accepted=False)
    req.refresh_from_db()
    assert req.request_status == RequestStatus.DECLINED and not req.tracked


def test_answering_is_refused_to_another_units_officer_and_for_an_assignment(world, make_plan):
    from django.core.exceptions import PermissionDenied

    from chiso.plans.services.requests import RequestError

    plan, req = _with_request(world, make_plan, status="issued")
    with pytest.raises(PermissionDenied):
        answer_request(req, world.officer_yt, accepted=True)
    req.refresh_from_db()
    assert req.request_status == RequestStatus.PENDING
    assignment = plan.tasks.get(is_request=False)
    with pytest.raises(RequestError):
        answer_request(assignment, world.coordinator, accepted=True)


def test_the_plan_page_shows_requests_apart_and_records_the_reply(client, world, make_plan):
    plan, req = _with_request(world, make_plan, status="issued")
    client.force_login(world.coordinator)
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert 'id="de-nghi"' in page and "Chờ cơ quan nhận" in page
    assert "Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh tuyên truyền" in page
    url = reverse("plans:task_answer", args=[plan.pk, req.pk])
    r = client.post(url, {"answer": "accept"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.request_status == RequestStatus.ACCEPTED
    r = client.post(url, {"answer": "maybe"}, follow=True)
    assert "Nhận thực hiện" in r.content.decode()
    req.refresh_from_db()
    assert req.request_status == RequestStatus.ACCEPTED  # a bad answer changes nothing


def test_requests_through_the_api(client, world, make_plan):
    plan = make_plan()
    client.force_login(world.coordinator)
    r = client.post(
        f"/api/plans/{plan.pk}/tasks/",
        {
            "text": "Tăng cường tuyên truyền về phòng, chống tội phạm",
            "lead_text": "Công an tỉnh",
            "is_request": True,
            "deadline": "2025-09-30",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["is_request"] and body["request_status"] == "pending" and not body["tracked"]
    task_id = body["id"]
    r = client.post(f"/api/tasks/{task_id}/answer/", {"accepted": True}, content_type="application/json")
    assert r.status_code == 200 and r.json()["request_status"] == "accepted" and r.json()["tracked"]
    r = client.post(f"/api/tasks/{task_id}/answer/", {"accepted": "không"}, content_type="application/json")
    assert r.status_code == 400
    # an assignment has no reply to record
    other = save_task(
        plan,
        world.coordinator,
        {"text": "Giao Sở Nội vụ", "lead_unit": world.noivu, "deadline": dt.date(2025, 9, 30)},
    )
    r = client.post(f"/api/tasks/{other.pk}/answer/", {"accepted": True}, content_type="application/json")
    assert (
        r.status_code == 409 and "không phải nội dung đề nghị" in r.json()["detail"]
    )  # the task, not the input
    # turning a request back into an assignment clears its reply
    r = client.patch(
        f"/api/tasks/{task_id}/", {"is_request": False}, content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert r.status_code == 200 and r.json()["request_status"] == ""


def test_drafting_marks_a_task_led_by_the_front_as_a_request(world, kontum):
    from chiso.plans.models import LibraryTask

    load_shipped_library()
    LibraryTask.objects.create(
        key="test-mttq",
        text="Giám sát việc giải trình của chính quyền với Nhân dân",
        index="papi",
        nodes=["D3"],  # Kon Tum's weakest dimension of 2024: drafted first
        lead="Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
        shipped=True,
    )
    plan = draft_plan("papi", kontum, 2024, {"places": 3}, world.coordinator, tasks_per_node=50)
    task = plan.tasks.get(library_key="test-mttq")
    assert task.is_request and task.request_status == RequestStatus.PENDING
    assert not plan.tasks.filter(is_request=True, lead_unit__kind="department").exists()
    rows = [t for t in _docx_text(plan) if "giám sát việc giải trình" in t]
    assert len(rows) == 1 and (
        "Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh giám sát việc giải trình của chính quyền với Nhân dân"
        in rows[0]
    )


def test_a_pending_request_is_not_reminded_of_nor_late(world, make_plan):
    """The police of the province are in chiso (a unit with an officer): a request to them is reminded
    of only once they have accepted it."""
    from chiso.conftest import _member
    from chiso.notifications.models import Reminder
    from chiso.plans.permissions import visible_plans
    from chiso.tracking import reminders
    from chiso.tracking.services.execution import late_tasks

    police = Unit.objects.create(kind="other", code="QNG-CA", name="Công an tỉnh", parent=world.province)
    officer = _member("canbo_congan", "officer", police)
    due = dt.date(2025, 6, 30)
    plan = make_plan(
        status="issued",
        tasks=[
            dict(
                text="Phòng, chống tội phạm",
                lead_unit=police,
                is_request=True,
                request_status="pending",
                deadline=due,
            )
        ],
    )
    req = plan.tasks.get()
    reminders.send_due(due - dt.timedelta(days=3))
    assert not Reminder.objects.filter(user=officer).exists()
    assert req not in late_tasks(visible_plans(world.coordinator), due + dt.timedelta(days=2))

    answer_request(req, officer, accepted=True)  # the body itself records that it accepts
    reminders.send_due(due - dt.timedelta(days=1))
    assert Reminder.objects.filter(user=officer).exists()
    assert req in late_tasks(visible_plans(world.coordinator), due + dt.timedelta(days=2))
