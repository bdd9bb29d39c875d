"""Evidence of a criterion as the unit gives it and everyone concerned reads it: the task products of the
province's issued plans that serve the criterion are offered, one click makes one evidence; files are
checked by content and listed with their SHA-256 and served only as downloads to who may see the sheet;
what the appraisers have seen stays once the next phase began; the sheet flags a score without evidence;
the sheet's history lists every change, who and when, before → after."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.assessment.models import EvidenceFile, EvidenceLink
from chiso.assessment.services import rounds, sheets

from .forms import text_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _url(ui, name, code):
    return reverse(f"assessment:{name}", args=[ui.round.pk, ui.tuphap.pk, code])


def test_a_task_product_becomes_evidence_with_one_click(ui):
    client = ui.client_for("officer_unit")
    page = client.get(_url(ui, "criterion", "2.1")).content.decode()
    offered = text_of(page, "suggestions")
    assert "Quyết định công bố kết quả hệ thống hóa: số 15/QĐ-UBND ngày 01/03/2025 của UBND tỉnh" in offered
    assert "(15/KH-UBND)" in offered
    # the sheet says so on the row too
    sheet_page = client.get(reverse("assessment:sheet", args=[ui.round.pk, ui.tuphap.pk])).content.decode()
    row = sheet_page[sheet_page.index('id="tc-2-1"') :].split("</tr>")[0]
    assert "1 gợi ý từ kế hoạch" in row
    response = client.post(_url(ui, "link", "2.1"), {"task": ui.task.pk, "report": ui.report.pk})
    assert response.status_code == 302
    link = EvidenceLink.objects.get(score__sheet=ui.sheet, score__node__code="2.1")
    assert link.report == ui.report and link.added_by == ui.officer_tp
    page = client.get(_url(ui, "criterion", "2.1")).content.decode()
    assert "Đã thêm vào tài liệu kiểm chứng" in page and 'id="suggestions"' not in page
    assert "Báo cáo tiến độ 2025" in text_of(page, "evidence-list")
    # a task of a plan not yet issued is refused
    type(ui.plan).objects.filter(pk=ui.plan.pk).update(status="draft")
    response = client.post(_url(ui, "link", "2.2"), {"task": ui.task.pk})
    assert response.status_code == 400 and "trong một kế hoạch đã ban hành" in response.content.decode()


def test_files_checked_listed_with_their_hash_and_downloaded_by_who_may_see(ui):
    client = ui.client_for("officer_unit")
    response = client.post(_url(ui, "upload", "1.3"), {"file": SimpleUploadedFile("bien-ban.pdf", PDF)})
    assert response.status_code == 302
    f = EvidenceFile.objects.get(score__sheet=ui.sheet)
    assert (
        f.sha256 == hashlib.sha256(PDF).hexdigest() and f.stage == "self" and f.uploaded_by == ui.officer_tp
    )
    page = client.get(_url(ui, "criterion", "1.3")).content.decode()
    assert f"SHA-256 {f.sha256[:12]}…" in text_of(page, "evidence-list")
    # a renamed file is refused by its content; nothing stored
    response = client.post(
        _url(ui, "upload", "1.3"), {"file": SimpleUploadedFile("bang.pdf", b"PK\x03\x04 not")}
    )
    assert response.status_code == 400 and "không đúng với đuôi .pdf" in response.content.decode()
    assert EvidenceFile.objects.count() == 1
    # downloads: always as an attachment, for those who see the sheet
    for role in ("officer_unit", "appraiser_assigned", "viewer"):
        r = ui.client_for(role).get(reverse("assessment:file", args=[f.pk]))
        assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
        assert b"".join(r.streaming_content) == PDF
    assert ui.client_for("officer_other").get(reverse("assessment:file", args=[f.pk])).status_code == 404


def test_what_the_appraisers_have_seen_stays(ui):
    client = ui.client_for("officer_unit")
    client.post(_url(ui, "upload", "1.3"), {"file": SimpleUploadedFile("bien-ban.pdf", PDF)})
    sheets.save(ui.sheet, ui.officer_tp, "self", {"1.3": {"score": 1}})
    rnd = rounds.advance(ui.round, ui.coordinator)
    # during the appraisal the unit changes nothing
    response = client.post(_url(ui, "upload", "1.3"), {"file": SimpleUploadedFile("them.pdf", PDF)})
    assert response.status_code == 400 and "chưa mở hoặc đã khoá" in response.content.decode()
    rounds.advance(rnd, ui.coordinator)
    # explaining, she adds a file, and may remove it, but not the one the appraisers saw
    client.post(_url(ui, "upload", "1.3"), {"file": SimpleUploadedFile("bo-sung.pdf", PDF)})
    old, new = EvidenceFile.objects.order_by("pk")
    assert new.stage == "explanation"
    page = client.get(_url(ui, "criterion", "1.3")).content.decode()
    assert page.count("Xoá<span") == 1
    client.post(reverse("assessment:file_remove", args=[old.pk]))
    assert EvidenceFile.objects.filter(pk=old.pk).exists()
    assert "đã được thẩm định: không gỡ được" in client.get(_url(ui, "criterion", "1.3")).content.decode()
    client.post(reverse("assessment:file_remove", args=[new.pk]))
    assert not EvidenceFile.objects.filter(pk=new.pk).exists()


def test_a_score_without_evidence_is_flagged_on_the_sheet(ui):
    sheets.save(ui.sheet, ui.officer_tp, "self", {"2.3": {"score": 2}, "1.3": {"score": 1}})
    ui.client_for("officer_unit").post(_url(ui, "upload", "1.3"), {"file": SimpleUploadedFile("b.pdf", PDF)})
    page = ui.client_for("officer_unit").get(reverse("assessment:sheet", args=[ui.round.pk, ui.tuphap.pk]))
    page = page.content.decode()
    row = page[page.index('id="tc-2-3"') :].split("</tr>")[0]
    assert "chưa có tài liệu" in row
    row = page[page.index('id="tc-1-3"') :].split("</tr>")[0]
    assert "1 tài liệu" in row and "chưa có tài liệu" not in row


def test_the_history_lists_every_change_before_and_after(ui):
    client = ui.client_for("officer_unit")
    sheets.save(ui.sheet, ui.officer_tp, "self", {"1.3": {"score": 2, "note": "Biên bản"}})
    sheets.save(
        ui.sheet,
        ui.officer_tp,
        "self",
        {"1.3": {"score": 2.5}, "1.1.4": {"inputs": {"done": 19, "planned": 20}}},
    )
    client.post(_url(ui, "upload", "1.3"), {"file": SimpleUploadedFile("bien-ban.pdf", PDF)})
    page = client.get(reverse("assessment:history", args=[ui.round.pk, ui.tuphap.pk])).content.decode()
    text = text_of(page, "noi-dung")
    assert "Điểm tiêu chí 1.3 Kiểm tra công tác CCHC" in text
    assert "Điểm tự chấm 2 → 2,5" in text and "Điểm tự chấm — → 2" in text
    assert "Thuyết minh của đơn vị — → Biên bản" in text
    assert "Số liệu — → tự đánh giá: Số nhiệm vụ đã hoàn thành 19; Số nhiệm vụ trong kế hoạch 20" in text
    assert "Tệp kiểm chứng 1.3: bien-ban.pdf" in text
    assert "Phiếu chấm điểm Sở Tư pháp" in text and "Tình trạng tự đánh giá Chưa bắt đầu → Đang chấm" in text
    assert "cb_tp" in text
    assert "version" not in text.lower() and "Tổng" not in text  # bookkeeping is left out
