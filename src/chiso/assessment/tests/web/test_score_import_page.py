"""The score import page as a coordinator meets it: upload a file of survey-scored criteria, read the
preview (the sheet of the workbook read, each unit's changes, the numbers to check: "1.000" read as 1, a
"%" dropped), commit all of it, and find the file, its SHA-256, who and when on the criterion page; a file
with an unknown unit, an unknown criterion code or a score out of bounds is refused whole (nothing
written); a file that is no table is refused by the upload checks; who may open the page."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from chiso.assessment.models import Score

from .forms import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    from chiso.assessment import views_imports

    views_imports.UPLOAD_DIR = tmp_path / "imports" / "assessment"


def _xlsx(rows: list[list], sheet: str = "Khảo sát 2025") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(client, rnd, name: str, data: bytes, stage: str = "survey", source: str = ""):
    url = reverse("assessment:import", args=[rnd.pk])
    return client.post(
        url, {"action": "preview", "stage": stage, "source": source, "file": SimpleUploadedFile(name, data)}
    )


def _commit_form(page: str) -> dict[str, str]:
    from .forms import form_data

    return {k: v[0] if isinstance(v, list) else v for k, v in form_data(page, "commit-form").items()}


def test_a_survey_file_previewed_then_committed_with_its_source_on_the_criterion(ui):
    rnd, client = ui.round, ui.client_for("coordinator")
    round_page = client.get(reverse("assessment:round", args=[rnd.pk])).content.decode()
    assert reverse("assessment:import", args=[rnd.pk]) in round_page
    data = _xlsx([["Đơn vị", "8.1"], ["Sở Tư pháp", "8.750"], ["Sở Y tế", "7,5%"], ["Sở Xây dựng", None]])
    page = _upload(client, rnd, "khao-sat.xlsx", data, source="Kết quả khảo sát SIPAS 2025 của tỉnh")
    assert page.status_code == 200
    html = page.content.decode()
    assert "trang tính “Khảo sát 2025”" in text_of(html, "preview-file")
    assert "Đọc trang tính “Khảo sát 2025” của tệp." in text_of(html, "preview-notes")
    rows = text_of(html, "preview-rows")
    assert "“8.750” được đọc là 8,75" in rows and "bỏ ký hiệu “%” của “7,5%”" in rows
    assert text_of(html, "count-warnings") == "2" and text_of(html, "count-new") == "2"
    assert not Score.objects.filter(node__code="8.1").exists()  # the preview wrote nothing
    done = client.post(reverse("assessment:import", args=[rnd.pk]), _commit_form(html), follow=True)
    assert "Đã nhập 2 điểm khảo sát từ tệp “khao-sat.xlsx”." in done.content.decode()
    score = Score.objects.get(sheet__unit=ui.tuphap, node__code="8.1")
    assert (score.self_score, score.source) == (8.75, "Kết quả khảo sát SIPAS 2025 của tỉnh")
    # the criterion page names the source, the file, its hash, who and when — for the unit too
    digest = hashlib.sha256(data).hexdigest()[:12]
    for role in ("coordinator", "officer_unit"):
        crit = ui.client_for(role).get(reverse("assessment:criterion", args=[rnd.pk, ui.tuphap.pk, "8.1"]))
        assert 'id="score-source"' in crit.content.decode(), (
            role,
            text_of(crit.content.decode(), "h-scores"),
        )
        source = text_of(crit.content.decode(), "score-source")
        assert "Kết quả khảo sát SIPAS 2025 của tỉnh" in source, role
        assert f"khao-sat.xlsx”, SHA-256 {digest}…" in source and "— dp," in source, role
    # the same file again: nothing to write
    again = _upload(client, rnd, "khao-sat.xlsx", data).content.decode()
    assert "Tệp không mang thay đổi nào" in again


def test_a_faulty_file_is_refused_whole_and_nothing_is_written(ui):
    rnd, client = ui.round, ui.client_for("coordinator")
    bad = "Đơn vị,8.1,9.9\nSở Tư pháp,8,1\nSở Y tế,7,\n".encode()
    html = _upload(client, rnd, "loi.csv", bad).content.decode()
    assert "Tệp có lỗi nên không thể ghi" in text_of(html, "refused")
    assert "commit-form" not in html
    assert "không có tiêu chí mã “9.9”" in text_of(html, "preview-rows")
    # with the unknown code gone, the rows name what is wrong: an unknown unit, a score above the maximum
    bad = "Đơn vị,8.1\nSở Tư pháp,8\nSở Không Có,7\nSở Y tế,12\n".encode()
    rows = text_of(_upload(client, rnd, "loi.csv", bad).content.decode(), "preview-rows")
    assert "Sở Không Có" in rows and "12" in rows
    assert text_of(_upload(client, rnd, "loi.csv", bad).content.decode(), "count-error") == "2"
    # a forged commit of the faulty file writes nothing either
    digest = hashlib.sha256(bad).hexdigest()
    forged = {"action": "commit", "stage": "survey", "digest": digest, "name": "loi.csv", "source": ""}
    response = client.post(reverse("assessment:import", args=[rnd.pk]), forged)
    assert response.status_code == 400 and not Score.objects.filter(node__code="8.1").exists()
    # a file that is no table, or renamed
    refused = _upload(client, rnd, "bang.xlsx", b"%PDF-1.4 not a workbook")
    assert refused.status_code == 400 and "không đúng với đuôi .xlsx" in refused.content.decode()
    refused = _upload(client, rnd, "anh.png", b"\x89PNG\r\n\x1a\n....")
    assert refused.status_code == 400 and "không phải bảng tính" in refused.content.decode()


def test_who_may_open_the_import_page(ui):
    url = reverse("assessment:import", args=[ui.round.pk])
    expected = {
        "coordinator": 200,
        "leader": 403,
        "viewer": 403,
        "officer_unit": 403,
        "officer_other": 403,
        "appraiser_assigned": 200,  # her own appraisal (stages appraisal, final)
        "appraiser_other": 200,
        "outsider": 403,  # signed in without any role
        "anonymous": 302,  # sent to sign in
    }
    for role, status in expected.items():
        assert ui.client_for(role).get(url).status_code == status, role
    page = ui.client_for("appraiser_assigned").get(url).content.decode()
    assert 'value="appraisal"' in page and 'value="survey"' not in page


def test_each_committed_file_is_listed_on_the_round_page_for_the_coordinator(ui):
    from chiso.assessment.models import ScoreImport

    rnd, client = ui.round, ui.client_for("coordinator")
    data = _xlsx([["Đơn vị", "8.1"], ["Sở Tư pháp", "8,5"], ["Sở Y tế", "7"], ["Sở Xây dựng", None]])
    html = _upload(client, rnd, "khao-sat.xlsx", data, source="SIPAS 2025").content.decode()
    assert not ScoreImport.objects.exists()  # a preview is no import
    client.post(reverse("assessment:import", args=[rnd.pk]), _commit_form(html))
    # a faulty file committed by hand writes nothing and records nothing
    bad = "Đơn vị,8.1\nSở Tư pháp,80\n".encode()
    _upload(client, rnd, "loi.csv", bad)
    forged = {"action": "commit", "stage": "survey", "digest": hashlib.sha256(bad).hexdigest(),
              "name": "loi.csv", "source": ""}  # fmt: skip
    assert client.post(reverse("assessment:import", args=[rnd.pk]), forged).status_code == 400
    batch = ScoreImport.objects.get()
    assert (batch.file_name, batch.stage, batch.source, batch.rows, batch.written) == (
        "khao-sat.xlsx", "survey", "SIPAS 2025", 3, 2,
    )  # fmt: skip
    assert batch.sha256 == hashlib.sha256(data).hexdigest() and batch.imported_by == ui.coordinator
    listed = text_of(client.get(reverse("assessment:round", args=[rnd.pk])).content.decode(), "score-imports")
    assert (
        "khao-sat.xlsx" in listed and "khảo sát" in listed and batch.sha256[:12] in listed and "dp" in listed
    )
    # the API lists it; a unit's officer sees neither the list nor the file
    api = client.get(f"/api/assessment/rounds/{rnd.pk}/import-scores/").json()
    assert [(b["file_name"], b["written"], b["imported_by"]) for b in api] == [("khao-sat.xlsx", 2, "dp")]
    officer = ui.client_for("officer_unit")
    assert (
        'id="score-imports"' not in officer.get(reverse("assessment:round", args=[rnd.pk])).content.decode()
    )
    assert officer.get(f"/api/assessment/rounds/{rnd.pk}/import-scores/").json() == []
