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


def test_an_odk_central_export_with_groups_is_read(survey, scene):
    """ODK Central names a question in a group ``group-question`` (and its metadata ``meta-instanceID``,
    ``KEY``); Kobo may use ``.`` — the question codes are found behind either separator."""
    header = ["SubmissionDate", "profile-gender", "exp.q8_7", *[f"sat-{c}" for c in ITEMS], "meta-instanceID"]
    data = _csv([["2026-05-01", 2, 2, *([4] * len(ITEMS)), "uuid:1"]], header=header)
    preview = imports.preview_responses(survey, data, "odk.csv")
    assert preview.ok and preview.counts == {"new": 1, "error": 0}
    assert ("profile-gender", "gender") in preview.columns and ("exp.q8_7", "q8_7") in preview.columns
    assert "meta-instanceID" in preview.ignored
    assert imports.commit_responses(survey, data, "odk.csv", scene.coordinator) == 1
    assert Response.objects.get().answers["gender"] == 2


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


def test_choices_written_as_labels_are_read_as_their_numbers(survey, scene):
    """A Kobo "labels" export: options by label, in any case, with or without diacritics, NFD or NFC."""
    import unicodedata

    header = ["gender", "age", "job", "q8_7", *ITEMS, "service_point"]
    nfd_kinh = unicodedata.normalize("NFD", "Nữ")
    rows = [
        [nfd_kinh, "25-34 TUỔI", "Sinh viên", "khong", *(["Rất hài lòng"] * len(ITEMS)), "QNG-STP"],
        ["nam", "3", "Nghi huu", "Không", *(["hai long"] * len(ITEMS)), "QNG-STP"],
    ]
    preview = imports.preview_responses(survey, _csv(rows, header), "kobo-labels.csv")
    assert preview.ok, [r.errors for r in preview.rows]
    first, second = (r.answers for r in preview.rows)
    assert first["gender"] == 2 and first["age"] == 2 and first["job"] == 4 and first["q8_7"] == 2
    assert first["q9_sat_24"] == 5 and second["q9_sat_24"] == 4
    assert second["gender"] == 1 and second["age"] == 3 and second["job"] == 1
    assert any("nhãn phương án" in n for n in preview.notes)
    assert imports.commit_responses(survey, _csv(rows, header), "kobo-labels.csv", scene.coordinator) == 2
    assert Response.objects.filter(scores__startswith="5" * len(ITEMS)).count() == 1


def test_an_unknown_label_is_named_with_the_options_and_nothing_is_written(survey, scene):
    header = ["gender", "q8_7", *ITEMS]
    rows = [["Nam", "Không", *(["Hài lòng"] * len(ITEMS))], ["Khác", "Không", *(["Tốt"] * len(ITEMS))]]
    preview = imports.preview_responses(survey, _csv(rows, header), "kobo.csv")
    assert not preview.ok
    bad = " ".join(preview.rows[1].errors)
    assert "“Khác” không phải số hay nhãn" in bad and "1. Nam; 2. Nữ" in bad
    assert "“Tốt”" in bad and "cần được trả lời" not in bad  # one message per cell, not two
    with pytest.raises(ImportRefused):
        imports.commit_responses(survey, _csv(rows, header), "kobo.csv", scene.coordinator)
    assert not Response.objects.exists()


def test_a_multiple_choice_by_labels(survey, scene):
    from chiso.surveys.services import frame, questionnaire

    survey = frame.step(survey, "reopen", scene.coordinator)
    questionnaire.add_question(
        survey,
        scene.coordinator,
        code="kenh",
        text="Ông/Bà biết thủ tục qua kênh nào?",
        kind="multiple",
        options=[[1, "Cổng dịch vụ công"], [2, "Người quen"], [3, "Loa phát thanh"]],
    )
    survey = frame.step(survey, "open", scene.coordinator)
    header = ["kenh", "q8_7", *ITEMS]
    cells = ["cong dich vu cong; Loa phát thanh", "Người quen Loa phát thanh", "1 3", "2"]
    rows = [[c, 2, *([4] * len(ITEMS))] for c in cells]
    data = _csv([[f'"{r[0]}"', *r[1:]] for r in rows], header)
    preview = imports.preview_responses(survey, data, "kobo.csv")
    assert preview.ok, [r.errors for r in preview.rows]
    assert [r.answers["kenh"] for r in preview.rows] == [[1, 3], [2, 3], [1, 3], [2]]


# ---------------------------------------------------------------- attacks on the import page


def _xlsx(rows, *, hidden=None) -> bytes:
    """A workbook whose visible first sheet holds ``rows`` (after a header of question codes) and, when
    ``hidden`` is given, a hidden second sheet holding those rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Phiếu"
    ws.append(["q8_7", *ITEMS, "service_point"])
    for r in rows:
        ws.append(r)
    if hidden is not None:
        other = wb.create_sheet("Nháp")
        other.append(["q8_7", *ITEMS, "service_point"])
        for r in hidden:
            other.append(r)
        other.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(client, survey, name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"/khao-sat/{survey.pk}/nhap/", {"file": SimpleUploadedFile(name, data)})


def test_an_xlsx_with_a_hidden_sheet_imports_only_what_is_shown(client, survey, scene):
    data = _xlsx([[2, *([5] * len(ITEMS)), "QNG-STP"]], hidden=[[2, *([1] * len(ITEMS)), "QNG-STP"]] * 7)
    client.force_login(scene.coordinator)
    r = _upload(client, survey, "phieu.xlsx", data)
    assert r.status_code == 302
    page = client.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "trang tính ẩn không được đọc: Nháp" in html
    client.post(r["Location"], {"name": "phieu.xlsx"})
    rows = list(Response.objects.filter(survey=survey))
    assert len(rows) == 1 and rows[0].scores.startswith("5" * len(ITEMS))


def test_a_double_click_on_write_imports_the_file_once(client, survey, scene):
    client.force_login(scene.coordinator)
    r = _upload(client, survey, "kobo.csv", _csv([_row(5), _row(4)]))
    preview_url = r["Location"]
    first = client.post(preview_url, {"name": "kobo.csv"})
    second = client.post(preview_url, {"name": "kobo.csv"})
    assert first.status_code == second.status_code == 302
    assert Response.objects.filter(survey=survey).count() == 2
    followed = client.get(second["Location"]).content.decode()
    assert "đã được nhập: không nhập lại" in followed
    # committed again even with the file back on the server (a resent form): still once
    again = _upload(client, survey, "kobo.csv", _csv([_row(5), _row(4)]))
    client.post(again["Location"], {"name": "kobo.csv"})
    assert Response.objects.filter(survey=survey).count() == 2


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("phieu.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50, "không đúng với đuôi"),  # a broken archive
        ("phieu.xlsx", b"%PDF-1.7 not a sheet", "không đúng với đuôi"),  # a PDF renamed
        ("phieu.csv", b"q8_7,q9_sat_24\n2,\x005\n", "không đúng với đuôi"),  # binary in a CSV
        ("phieu.exe", b"MZ\x90\x00", "không phải bảng tính"),
        ("phieu.csv", b"", "rỗng"),
    ],
)
def test_malformed_files_get_a_clear_message_and_nothing_is_written(client, survey, scene, name, data, words):
    client.force_login(scene.coordinator)
    r = _upload(client, survey, name, data)
    assert r.status_code == 400 and words in r.content.decode()
    assert not Response.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_read_as_broken(client, survey, scene):
    """Looks like an XLSX (zip with [Content_Types].xml) but no sheet can be read: the preview says so."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook><broken")
    client.force_login(scene.coordinator)
    r = _upload(client, survey, "phieu.xlsx", buf.getvalue())
    page = client.get(r["Location"])
    assert page.status_code == 400 and "Không đọc được tệp" in page.content.decode()
    refused = client.post(r["Location"], {"name": "phieu.xlsx"})  # "write" anyway
    assert refused.status_code == 400 and "Không ghi gì vì tệp có lỗi" in refused.content.decode()
    assert not Response.objects.exists()


def test_a_decompression_bomb_is_refused_before_it_is_expanded(client, survey, scene):
    import zipfile

    data = io.BytesIO(_xlsx([[2, *([5] * len(ITEMS)), "QNG-STP"]]))
    with zipfile.ZipFile(data, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/bomb.bin", b"\x00" * (12 * 1024 * 1024))  # 12 MB of zeros, ~12 kB packed
    packed = data.getvalue()
    assert len(packed) < 200_000
    client.force_login(scene.coordinator)
    r = _upload(client, survey, "phieu.xlsx", packed)
    page = client.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 400 and "Tệp nén bất thường" in html
    client.post(r["Location"], {"name": "phieu.xlsx"})
    assert not Response.objects.exists()


def test_a_huge_file_is_refused_by_its_size_without_being_read(rf, survey, scene, settings):
    """The upload is refused from its declared size: the view's memory does not grow with the file."""
    import tracemalloc

    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chiso.surveys.views import import_new

    settings.CHISO_MAX_IMPORT_BYTES = 1024 * 1024
    size = 16 * 1024 * 1024
    request = rf.post(
        f"/khao-sat/{survey.pk}/nhap/",
        {"file": SimpleUploadedFile("lon.csv", b"q8_7\n" + b"2\n" * (size // 2))},
    )
    request.user = scene.coordinator
    request.session = {}
    request._messages = FallbackStorage(request)
    tracemalloc.start()
    try:
        r = import_new(request, survey.pk)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status_code == 400 and "quá lớn" in r.content.decode()
    assert peak < size // 4, f"{peak} bytes held for a {size}-byte upload"
    assert not Response.objects.exists()


def test_labels_and_headers_in_decomposed_unicode_are_read(survey, scene):
    import unicodedata

    nfd = unicodedata.normalize
    header = ["q8_7", *ITEMS]
    row = [nfd("NFD", "Không"), *[nfd("NFD", "Rất hài lòng")] * len(ITEMS)]
    data = _csv([row], header=header)
    assert "Không".encode() not in data  # really decomposed
    preview = imports.preview_responses(survey, data, "kobo.csv")
    assert preview.ok, [r.errors for r in preview.rows]
    assert preview.rows[0].answers["q8_7"] == 2 and preview.rows[0].answers["q9_sat_24"] == 5
    assert any("NFD" in n for n in preview.notes)
    assert imports.commit_responses(survey, data, "kobo.csv", scene.coordinator) == 1
