"""Downloads of plans, periodic reports and reminder letters: who may download what, and what they read."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document

from chiso.tracking.models import PeriodicReport, ProgressReport

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return " ".join(" ".join(parts).split())


@pytest.fixture
def plan(world, make_plan):
    today = dt.date.today()
    plan = make_plan(
        status="issued",
        title="Kế hoạch cải thiện, nâng cao Chỉ số PAPI năm 2025",
        tasks=[
            dict(
                text="Rà soát văn bản quy phạm pháp luật",
                lead_unit=world.tuphap,
                deadline=today - dt.timedelta(days=30),
            ),
            dict(text="Công khai ngân sách xã", lead_unit=world.xa1, deadline=today - dt.timedelta(days=3)),
            dict(
                text="Nâng cấp cổng dịch vụ công",
                lead_unit=world.noivu,
                deadline=today + dt.timedelta(days=60),
            ),
            dict(
                text="Khảo sát hài lòng đã xong",
                lead_unit=world.noivu,
                deadline=today - dt.timedelta(days=20),
                done=True,
                progress=100,
            ),
        ],
    )
    task = plan.tasks.get(text="Công khai ngân sách xã")
    ProgressReport.objects.create(
        task=task, unit=world.xa1, period="2025-Q3", state="in_progress", percent=40
    )
    task.progress = 40
    task.save()
    return plan


def get(client, user, name, pk):
    if user is not None:
        client.force_login(user)
    app = "tracking" if name.startswith(("letter_", "periodic_")) else "plans"
    return client.get(reverse(f"{app}:{name}", args=[pk]))


@pytest.mark.parametrize("who", ["coordinator", "leader", "viewer", "admin", "officer_tp", "officer_xa"])
def test_everyone_who_sees_the_plan_downloads_it(client, world, plan, who):
    r = get(client, getattr(world, who), "plan_docx", plan.pk)
    assert r.status_code == 200
    assert r["Content-Type"] == DOCX
    disposition = r["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert disposition.isascii()
    assert "ke-hoach-123-kh-ubnd-ke-hoach-cai-thien-nang-cao-chi-so-papi-nam-2025.docx" in disposition
    assert "Số: 123/KH-UBND" in text_of(r.content)


def test_pdf_download(client, world, plan):
    r = get(client, world.officer_tp, "plan_pdf", plan.pk)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert r["Content-Disposition"].endswith('.pdf"')


def test_officer_of_another_unit_gets_404_and_outsider_403(client, world, plan):
    assert get(client, world.officer_yt, "plan_docx", plan.pk).status_code == 404
    assert get(client, world.officer_yt, "plan_pdf", plan.pk).status_code == 404
    assert get(client, world.officer_yt, "letter_docx", plan.pk).status_code == 404
    client.logout()
    assert get(client, world.outsider, "plan_docx", plan.pk).status_code == 403
    client.logout()
    r = get(client, None, "plan_pdf", plan.pk)
    assert r.status_code == 302 and "login" in r["Location"] or "dang-nhap" in r["Location"]
    assert get(client, world.coordinator, "plan_docx", 999999).status_code == 404


@pytest.mark.parametrize("who", ["viewer", "officer_tp"])
def test_only_coordinators_and_leaders_write_the_reminder_letter(client, world, plan, who):
    assert get(client, getattr(world, who), "letter_docx", plan.pk).status_code == 403
    assert get(client, getattr(world, who), "letter_pdf", plan.pk).status_code == 403
    assert get(client, world.leader, "letter_docx", plan.pk).status_code == 200


def test_no_reminder_letter_for_a_plan_not_issued(client, world, make_plan):
    draft = make_plan(status="approved", tasks=[dict(text="Việc chưa ban hành", lead_unit=world.tuphap)])
    r = get(client, world.coordinator, "letter_docx", draft.pk)
    assert r.status_code == 403
    assert "đã ban hành" in r.content.decode()


def test_reminder_letter_lists_late_tasks_per_unit(client, world, plan):
    r = get(client, world.coordinator, "letter_docx", plan.pk)
    assert r.status_code == 200
    assert "cong-van-don-doc" in r["Content-Disposition"]
    text = text_of(r.content)
    assert "V/v đôn đốc thực hiện và báo cáo kết quả Kế hoạch số 123/KH-UBND" in text
    assert "Kính gửi:" in text and "- Sở Tư pháp;" in text and "- Xã Đăk Hà." in text
    assert "1. Sở Tư pháp" in text and "2. Xã Đăk Hà" in text
    assert "Rà soát văn bản quy phạm pháp luật" in text and "chưa báo cáo kết quả" in text
    assert "Công khai ngân sách xã" in text and "đã báo cáo, đạt 40%" in text
    # Not yet due, or done: not in the letter.
    assert "Nâng cấp cổng dịch vụ công" not in text
    assert "Khảo sát hài lòng đã xong" not in text
    assert "báo cáo kết quả về Sở Nội vụ trước ngày" in text
    assert get(client, world.coordinator, "letter_pdf", plan.pk).content.startswith(b"%PDF")


@pytest.fixture
def periodic(world, plan):
    return PeriodicReport.objects.create(
        plan=plan,
        period_kind="semiannual",
        period="2025-H2",
        title="Báo cáo kết quả thực hiện Kế hoạch cải thiện Chỉ số PAPI 6 tháng cuối năm 2025",
        place="Quảng Ngãi",
        content={
            "overview": "Các cơ quan, đơn vị đã triển khai kế hoạch.\n\n- 4 nhiệm vụ được giao.",
            "results": [
                {"task": "Rà soát văn bản", "unit": "Sở Tư pháp", "state": "Đang thực hiện", "percent": 50},
                {
                    "task": "Công khai ngân sách xã",
                    "unit": "Xã Đăk Hà",
                    "state": "Đã hoàn thành",
                    "percent": 100,
                },
            ],
            "late": ["Rà soát văn bản quy phạm pháp luật (Sở Tư pháp)"],
            "difficulties": "Thiếu kinh phí.",
            "proposals": "Đề nghị bổ sung kinh phí.",
        },
        recipients=["Bộ Nội vụ (b/c)"],
        signer_name="Trần Văn B",
    )


def test_periodic_report_document(client, world, periodic):
    r = get(client, world.coordinator, "periodic_docx", periodic.pk)
    assert r.status_code == 200
    assert "bao-cao-du-thao-bao-cao-ket-qua-thuc-hien" in r["Content-Disposition"]
    text = text_of(r.content)
    assert "BÁO CÁO" in text and "Kết quả thực hiện Kế hoạch cải thiện Chỉ số PAPI" in text
    assert "I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN" in text and "- 4 nhiệm vụ được giao." in text
    assert "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ" in text
    assert "STT | Nhiệm vụ | Đơn vị | Tình trạng | Tiến độ (%)" in text
    assert "2 | Công khai ngân sách xã | Xã Đăk Hà | Đã hoàn thành | 100" in text
    assert "III. CÁC NHIỆM VỤ CHẬM TIẾN ĐỘ, CHƯA BÁO CÁO" in text
    assert "IV. KHÓ KHĂN, VƯỚNG MẮC" in text and "V. ĐỀ XUẤT, KIẾN NGHỊ" in text
    assert "Bộ Nội vụ (b/c);" in text and "Lưu: VT." in text and "Trần Văn B" in text
    assert get(client, world.coordinator, "periodic_pdf", periodic.pk).content.startswith(b"%PDF")


def test_periodic_report_draft_is_for_those_who_oversee_the_plan(client, world, periodic):
    assert get(client, world.officer_tp, "periodic_docx", periodic.pk).status_code == 403
    assert get(client, world.officer_yt, "periodic_docx", periodic.pk).status_code == 404
    assert get(client, world.viewer, "periodic_docx", periodic.pk).status_code == 200
    periodic.status = "issued"
    periodic.number = "45"
    periodic.save()
    r = get(client, world.officer_tp, "periodic_pdf", periodic.pk)
    assert r.status_code == 200 and "bao-cao-45-bc-ubnd" in r["Content-Disposition"]


def test_download_links_partial(rf, world, plan, periodic):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = world.coordinator
    html = render_to_string("tracking/_documents_links.html", {"plan": plan}, request=request)
    assert reverse("plans:plan_docx", args=[plan.pk]) in html
    assert reverse("tracking:letter_pdf", args=[plan.pk]) in html
    assert reverse("tracking:periodic_docx", args=[periodic.pk]) in html
    request.user = world.officer_tp
    html = render_to_string("tracking/_documents_links.html", {"plan": plan}, request=request)
    assert reverse("plans:plan_pdf", args=[plan.pk]) in html
    assert reverse("tracking:letter_pdf", args=[plan.pk]) not in html
    assert reverse("tracking:periodic_docx", args=[periodic.pk]) not in html


def test_compiled_periodic_report_prints_its_tables(world, plan):
    """The content compiled by chiso.tracking.services.periodic prints as tables, without internal keys."""
    from chiso.tracking import documents
    from chiso.tracking.services.periodic import compile_content

    today = dt.date.today()
    content = compile_content(plan, str(today.year), today)
    report = PeriodicReport.objects.create(
        plan=plan, period_kind="annual", period=str(today.year), title="Báo cáo năm", content=content
    )
    text = text_of(documents.render_periodic(report, "docx"))
    assert "STT | Nhiệm vụ | Cơ quan chủ trì |" in text
    assert "Rà soát văn bản quy phạm pháp luật | Sở Tư pháp" in text
    assert "task_id" not in text and "not_reported" not in text
