"""Importing responses from a Kobo/ODK-style export: preview, then all or nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from chiso.results.importer import ImportRefused
from chiso.surveys.models import Response
from chiso.surveys.services import imports

pytestmark = pytest.mark.django_db

ITEMS = [f"q9_sat_{i}" for i in range(24, 37)]


def _csv(rows, header=None):
    header = header or ["_id", "start", "grp_info/gender", "q8_7", *ITEMS, "service_point", "dossier"]
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return "\n".join(lines).encode()


def _row(level=4, gender=1, point="QNG-STP", dossier=""):
    return [1, "2026-05-01", gender, 2, *([level] * len(ITEMS)), point, dossier]


def test_a_kobo_export_is_previewed_then_written_whole(survey, scene):
    data = _csv([_row(5, dossier="HS-1"), _row(4, gender=2, point="99901"), _row(2, gender="")])
    preview = imports.preview_responses(survey, data, "kobo.csv")
    assert preview.ok and preview.counts == {"new": 3, "error": 0}
    assert ("grp_info/gender", "gender") in preview.columns and "_id" in preview.ignored
    assert not Response.objects.exists()  # a preview writes nothing
    assert imports.commit_responses(survey, data, "kobo.csv", scene.coordinator) == 3
    rows = list(Response.objects.order_by("pk"))
    assert [r.mode for r in rows] == ["import"] * 3
    assert rows[0].dossier == "HS-1" and rows[1].point.code == "99901" and "gender" not in rows[2].answers


def test_one_bad_row_writes_nothing(survey, scene):
    data = _csv([_row(5), _row(9), _row(4, point="KHONG-CO"), _row(3, dossier="A"), _row(3, dossier="A")])
    preview = imports.preview_responses(survey, data, "kobo.csv")
    assert not preview.ok
    bad = {r.line: " ".join(r.errors) for r in preview.rows if r.status == "error"}
    assert "từ 1 đến 5" in bad[3] and "KHONG-CO" in bad[4] and "dòng 5" in bad[6]
    with pytest.raises(ImportRefused):
        imports.commit_responses(survey, data, "kobo.csv", scene.coordinator)
    assert not Response.objects.exists()


def test_an_xlsx_file_and_files_without_question_columns(survey):
    wb = Workbook()
    ws = wb.active
    ws.append(["q8_7", *ITEMS])
    ws.append([2, *([4] * len(ITEMS))])
    buf = io.BytesIO()
    wb.save(buf)
    assert imports.preview_responses(survey, buf.getvalue(), "phieu.xlsx").ok
    preview = imports.preview_responses(survey, b"ho_ten,dien_thoai\nA,0905\n", "x.csv")
    assert not preview.ok and "mã câu hỏi" in preview.errors[0]
    assert not imports.preview_responses(survey, b"PK\x03\x04garbage", "x.xlsx").ok
    assert not imports.preview_responses(survey, b"", "x.csv").ok


def test_import_pages_are_the_coordinators(client, survey, scene):
    data = _csv([_row(5)])
    client.force_login(scene.viewer)
    assert client.get(f"/khao-sat/{survey.pk}/nhap/").status_code == 403
    client.force_login(scene.coordinator)
    r = client.post(f"/khao-sat/{survey.pk}/nhap/", {"file": io.BytesIO(data)}, format="multipart")
    assert r.status_code == 400  # no file name: not a file upload
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(f"/khao-sat/{survey.pk}/nhap/", {"file": SimpleUploadedFile("kobo.csv", data)})
    assert r.status_code == 302
    preview_url = r["Location"]
    assert client.get(preview_url).status_code == 200 and not Response.objects.exists()
    client.post(preview_url, {"name": "kobo.csv"})
    assert Response.objects.filter(survey=survey, mode="import").count() == 1
