"""Spreadsheets as an attacker or a careless colleague makes them (issue 10, items 1 and 9): the sheet a
person sees is the one read — never a hidden old draft —, hidden rows and sheets are said, and a
decompression bomb is refused before it is parsed, fast and without memory, for results and frameworks."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from chiso.core.framework import read_xlsx
from chiso.results.importer import commit_import, preview_import
from chiso.results.models import ImportBatch
from chiso.results.reader import TableError, read_table


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _two_sheets(active_hidden: bool = False) -> bytes:
    wb = Workbook()
    draft = wb.active
    draft.title = "Bản nháp cũ"
    draft.append(["Tỉnh", "Năm", "D1.1"])
    draft.append(["Kon Tum", 2023, "0,1"])
    final = wb.create_sheet("Bản chính thức")
    final.append(["Tỉnh", "Năm", "D1.1"])
    final.append(["Kon Tum", 2023, "0,9"])
    final.append(["Gia Lai", 2023, "0,8"])
    final.row_dimensions[3].hidden = True
    draft.sheet_state = "hidden"
    wb.active = 1
    data = _bytes(wb)
    if active_hidden:  # saved by a tool that leaves the hidden sheet active (openpyxl would correct it)
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                part = src.read(item.filename)
                if item.filename == "xl/workbook.xml":
                    part = part.replace(b'activeTab="1"', b'activeTab="0"')
                dst.writestr(item.filename, part)
        data = out.getvalue()
    return data


def test_the_visible_active_sheet_is_read_and_hidden_parts_are_said():
    table = read_table(_two_sheets(), "ket-qua.xlsx")
    assert table.sheet == "Bản chính thức"
    assert [r[1][:2] for r in table.rows] == [["Kon Tum", 2023.0], ["Gia Lai", 2023.0]]
    assert "Tệp có trang tính ẩn không được đọc: Bản nháp cũ." in table.notes
    assert any("có 1 dòng bị ẩn (3)" in n and "VẪN được đọc" in n for n in table.notes)


def test_a_file_saved_on_a_hidden_sheet_reads_the_first_visible_one():
    table = read_table(_two_sheets(active_hidden=True), "ket-qua.xlsx")
    assert table.sheet == "Bản chính thức"
    assert any("bị ẩn: chiso đọc trang hiện đầu tiên" in n for n in table.notes)


def test_the_preview_names_the_sheet_and_commits_the_visible_one(db, admin_user):
    preview = preview_import(_two_sheets(), "ket-qua.xlsx", index_code="papi", year=2023)
    assert preview.table.sheet == "Bản chính thức" and preview.notes
    batch = commit_import(_two_sheets(), "ket-qua.xlsx", index_code="papi", year=2023, user=admin_user)
    from chiso.results.models import Result

    kon_tum = Result.objects.get(unit__code="62", unit__kind="province", node__code="D1.1", year=2023)
    assert kon_tum.value == pytest.approx(0.9) and kon_tum.batch == batch  # not the hidden draft's 0,1


def _bomb(rows: int = 2_000_000) -> bytes:
    """A tiny XLSX whose sheet declares and holds millions of rows (the XML compresses ~1000×)."""
    import re

    wb = Workbook()
    wb.active.append(["Tỉnh", "D1.1"])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_bytes(wb))) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:B{rows}"/>', data.decode())
                body = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(2, 2 + rows))
                data = text.replace("</sheetData>", body + "</sheetData>").encode()
            dst.writestr(item.filename, data)
    return out.getvalue()


def test_a_decompression_bomb_is_refused_before_parsing(db):
    bomb = _bomb()
    assert len(bomb) < 20 * 1024 * 1024  # within the upload limit
    started = time.perf_counter()
    with pytest.raises(TableError, match="quá lớn để nhập|giải nén"):
        read_table(bomb, "bom.xlsx")
    assert time.perf_counter() - started < 5  # refused from the archive's directory, not by reading it
    before = ImportBatch.objects.count()
    preview = preview_import(bomb, "bom.xlsx", index_code="papi", year=2023)
    assert preview.errors and not preview.rows and ImportBatch.objects.count() == before


def test_a_framework_template_bomb_is_refused_too():
    fw, errors = read_xlsx(_bomb(400_000))
    assert fw is None and "quá lớn để nhập" in errors[0].message


def test_exports_never_carry_a_live_formula(tmp_path):
    """Issue 10, item 12: a framework named =HYPERLINK(…) came back as a live formula in its export."""
    import openpyxl

    from chiso.core.framework import empty_framework, write_xlsx
    from chiso.core.spreadsheet import csv_cell, uncsv_cell

    fw = empty_framework("papi", '=HYPERLINK("http://x.invalid","Bấm vào đây")')
    fw.name_vi = "@SUM(1+1)"
    path = tmp_path / "fw.xlsx"
    write_xlsx(fw, path)
    ws = openpyxl.load_workbook(path)["Thông tin"]
    cells = {row[0].value: row[1] for row in ws.iter_rows(min_row=2)}
    assert cells["Mã bộ chỉ số"].data_type == "s" and cells["Mã bộ chỉ số"].value.startswith("=HYPERLINK")
    assert cells["Tên"].data_type == "s"
    # CSV: a leading apostrophe, removed again when chiso reads its own file
    for text in ("=1+1", "+84 912", "-cmd|' /C calc'!A0", "@SUM(A1)"):
        assert csv_cell(text) == "'" + text and uncsv_cell(csv_cell(text)) == text
    assert csv_cell("Kon Tum") == "Kon Tum" and csv_cell(-5.0) == -5.0


def test_results_export_neutralises_a_formula_name(admin_member_client, db):
    from django.urls import reverse

    from chiso.units.models import Unit

    kon_tum = Unit.objects.get(kind="province", code="62")
    Unit.objects.filter(pk=kon_tum.pk).update(short_name='=HYPERLINK("http://x.invalid")')
    body = admin_member_client.get(reverse("results:table", args=["papi", 2023]), {"format": "csv"}).content
    assert b"'=HYPERLINK" in body and b",=HYPERLINK" not in body
