"""The survey report read back as a user reads it: DOCX through python-docx, PDF through pdftotext — the
methods (sample, weights, interval method, the province's choices), the estimates per element and per
unit with their intervals, and the not-publishable mark."""

from __future__ import annotations

import io
import subprocess

import pytest
from docx import Document

from chiso.documents.tests.conftest import need_tool
from chiso.surveys.models import Response
from chiso.surveys.services import intake

from .conftest import full_answers

pytestmark = pytest.mark.django_db


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.append(" | ".join(dict.fromkeys(c.text for c in row.cells)))
    return " ".join("\n".join(parts).split())


def _fill(survey, point, n, level):
    for _ in range(n):
        intake.submit(survey, full_answers(level), point=point, mode=Response.Mode.API)


def test_the_report_says_methods_estimates_and_what_is_not_publishable(client, scene, survey):
    _fill(survey, "QNG-STP", 30, 5)
    _fill(survey, "QNG-SYT", 3, 2)
    client.force_login(scene.viewer)
    page = client.get(f"/khao-sat/{survey.pk}/uoc-luong/").content.decode()
    assert f"/khao-sat/{survey.pk}/bao-cao.docx" in page and f"/khao-sat/{survey.pk}/bao-cao.pdf" in page

    resp = client.get(f"/khao-sat/{survey.pk}/bao-cao.docx")
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    text = _docx_text(resp.content)
    assert "BÁO CÁO" in text and "PHƯƠNG PHÁP" in text
    assert "33 phiếu hợp lệ tại 2 trong số 3 điểm phục vụ của khung mẫu" in text
    assert "trọng số thiết kế" in text and "tuyến tính hóa (Taylor)" in text
    assert "Lựa chọn của tỉnh" in text and "dưới 30 phiếu" in text
    # Tư pháp: 30 satisfied of 30, publishable; Y tế: 3 answers, 0 %, not publishable
    assert "Sở Tư pháp | 30 | 100,0 |" in text
    assert "Sở Y tế | 3 | 0,0 (chưa đủ mẫu) |" in text
    assert "Khoảng tin cậy 95 %" in text

    pdf = client.get(f"/khao-sat/{survey.pk}/bao-cao.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    tool = need_tool("pdftotext")
    out = subprocess.run([tool, "-", "-"], input=pdf.content, capture_output=True, check=True).stdout.decode()
    flat = " ".join(out.split())
    assert "BÁO CÁO" in flat and "PHƯƠNG PHÁP" in flat and "chưa đủ mẫu" in flat and "Sở Tư pháp" in flat

    assert client.get(f"/khao-sat/{survey.pk}/bao-cao.odt").status_code == 404
    client.force_login(scene.outsider)
    assert client.get(f"/khao-sat/{survey.pk}/bao-cao.docx").status_code in (403, 404)


def test_the_report_lists_every_unit_of_the_frame_without_an_empty_column(client, scene, survey):
    """A unit of the frame without a response is in the table (0 responses, not publishable), not left
    out; the unit table has no mean-score column it would leave empty."""
    _fill(survey, "QNG-STP", 30, 5)
    client.force_login(scene.viewer)
    doc = Document(io.BytesIO(client.get(f"/khao-sat/{survey.pk}/bao-cao.docx").content))
    tables = [[" | ".join(dict.fromkeys(c.text for c in row.cells)) for row in t.rows] for t in doc.tables]
    units = next(t for t in tables if any(r.startswith("Sở Tư pháp |") for r in t))
    assert units[0] == "Nội dung | Số phiếu | Tỷ lệ hài lòng (%) | Khoảng tin cậy 95 % (%)"
    assert "Sở Tư pháp | 30 | 100,0 | 100,0 – 100,0" in units
    assert "Sở Y tế | 0 | chưa đủ mẫu | " in units and "Xã Thử Nghiệm | 0 | chưa đủ mẫu | " in units
