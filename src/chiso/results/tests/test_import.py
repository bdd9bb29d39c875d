"""Importing published results, as the administrator who keeps the national data meets it: a real file previews row by row as
new / changed / unchanged / error, commit writes all of it or nothing, every committed change is
recorded (who, when, before, after) and can be reverted as a whole, and importing the same file
twice changes nothing. Every broken file (wrong encoding, TCVN3 text, merged cells, duplicate rows,
unknown unit, score above the maximum, text in a score cell, renamed or empty file, no unit column)
gives a clear Vietnamese message and writes nothing; NFD text, ';' and decimal commas, XLSX and ODS
are read. Values can be given at any level, and a published total that disagrees with its parts is
flagged, not replaced.

The test database already holds the real PAPI 2011–2024, PAR INDEX and SIPAS results, so the real
slices in ``files/`` preview as unchanged."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from django.core.cache import cache

from chiso.analysis import services as analysis_services
from chiso.results.importer import (
    ImportRefused,
    RevertRefused,
    commit_import,
    preview_import,
    revert_import,
)
from chiso.results.models import ImportBatch, Result, ResultChange
from chiso.units.models import Unit

FILES = Path(__file__).parent / "files"
REAL = "papi_2023_tay_nguyen.csv"  # header + the 2023 rows of Kon Tum, Gia Lai, Đắk Lắk, Lâm Đồng


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Derived figures are cached per data version in memory; a rolled-back test must not leak them."""
    analysis_services.clear_caches()
    cache.clear()
    yield
    analysis_services.clear_caches()
    cache.clear()


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def real_rows() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(read(REAL).decode("utf-8"))))
    return rows[0], rows[1:]


def to_csv(header: list[str], rows: list[list[str]], delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def with_value(province: str, column: str, value: str) -> bytes:
    """The real slice with one cell changed."""
    header, rows = real_rows()
    for row in rows:
        if row[header.index("province")] == province:
            row[header.index(column)] = value
    return to_csv(header, rows)


def province(code: str, *, legacy: bool = True) -> Unit:
    qs = Unit.objects.filter(kind="province", code=code)
    return qs.filter(valid_from__isnull=True).get() if legacy else qs.exclude(valid_from__isnull=True).get()


def stored(unit: Unit, node_code: str, year: int = 2023, index: str = "papi") -> Result:
    return Result.objects.get(unit=unit, node__code=node_code, year=year, framework__index__code=index)


def footprint() -> tuple[int, int, int, int]:
    return (
        Result.objects.count(),
        ImportBatch.objects.count(),
        Result.history.count(),
        ResultChange.objects.count(),
    )


KON_TUM = "62"


# --- a real file ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_real_file_previews_as_unchanged_against_loaded_data():
    preview = preview_import(read(REAL), REAL, index_code="papi", year=2023)
    assert preview.ok, preview.error_messages
    assert [r.status for r in preview.rows] == ["unchanged"] * 4
    assert preview.counts["values_changed"] == 0
    assert {r.unit.short_name for r in preview.rows} == {"Kon Tum", "Gia Lai", "Đắk Lắk", "Lâm Đồng"}
    # Columns that are not part of the framework are listed, not silently dropped.
    assert (
        "n_subdims" not in [h for h, _ in preview.columns if _ != "ignore"] or "n_subdims" in preview.ignored
    )


@pytest.mark.django_db
def test_one_changed_value_is_exactly_one_changed_cell():
    data = with_value("Kon Tum", "SC11", "0.9")
    preview = preview_import(data, "papi_2023_sua.csv", index_code="papi", year=2023)
    assert preview.ok, preview.error_messages
    statuses = {r.unit.short_name: r.status for r in preview.rows}
    assert statuses == {
        "Kon Tum": "changed",
        "Gia Lai": "unchanged",
        "Đắk Lắk": "unchanged",
        "Lâm Đồng": "unchanged",
    }
    changed = [c for r in preview.rows for c in r.cells if c.status != "unchanged"]
    assert len(changed) == 1
    cell = changed[0]
    assert cell.node_code == "D1.1"
    assert cell.old == pytest.approx(0.875979662)
    assert cell.new == pytest.approx(0.9)
    assert preview.counts["values_changed"] == 1


@pytest.mark.django_db
def test_commit_writes_the_change_and_history_records_who_when_before_after(admin_user):
    kon_tum = province(KON_TUM)
    before = stored(kon_tum, "D1.1")
    history_before = before.history.count()
    n_results = Result.objects.count()

    batch = commit_import(
        with_value("Kon Tum", "SC11", "0.9"),
        "papi_2023_sua.csv",
        index_code="papi",
        year=2023,
        user=admin_user,
    )

    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.rows_changed == 1
    assert batch.created_by == admin_user
    assert len(batch.file_hash) == 64 and batch.file_name == "papi_2023_sua.csv"
    after = stored(kon_tum, "D1.1")
    assert after.value == pytest.approx(0.9)
    assert Result.objects.count() == n_results  # changed in place, nothing added
    assert after.history.count() == history_before + 1
    record = after.history.latest()
    assert record.history_user == admin_user
    assert record.history_date >= batch.created_at
    assert record.value == pytest.approx(0.9)
    assert record.prev_record.value == pytest.approx(0.875979662)
    change = batch.changes.get()
    assert change.before["value"] == pytest.approx(0.875979662)
    assert change.after["value"] == pytest.approx(0.9)


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing_the_second_time(admin_user):
    # The real slice, already loaded, writes nothing.
    same = commit_import(read(REAL), REAL, index_code="papi", year=2023, user=admin_user)
    assert same.rows_changed == 0

    data = with_value("Gia Lai", "SC21", "0.8")
    first = commit_import(data, "gia_lai.csv", index_code="papi", year=2023, user=admin_user)
    assert first.rows_changed == 1
    history = Result.history.count()

    second = commit_import(data, "gia_lai.csv", index_code="papi", year=2023, user=admin_user)
    assert second.rows_changed == 0
    assert Result.history.count() == history
    assert not second.changes.exists()


@pytest.mark.django_db
def test_revert_restores_the_old_value_and_marks_the_batch(admin_user):
    kon_tum = province(KON_TUM)
    batch = commit_import(
        with_value("Kon Tum", "SC11", "0.9"), "sua.csv", index_code="papi", year=2023, user=admin_user
    )
    assert stored(kon_tum, "D1.1").value == pytest.approx(0.9)

    n = revert_import(batch, user=admin_user)

    assert n == 1
    assert stored(kon_tum, "D1.1").value == pytest.approx(0.875979662)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REVERTED
    assert batch.reverted_by == admin_user and batch.reverted_at is not None
    # Reverting twice is refused.
    with pytest.raises(RevertRefused, match="không thể hoàn tác"):
        revert_import(batch, user=admin_user)


@pytest.mark.django_db
def test_revert_of_a_value_that_was_unknown_makes_it_unknown_again(admin_user):
    """PAR INDEX 2023: Gia Lai is known only by its rank; importing its total adds a result."""
    gia_lai = province("64")
    n_results = Result.objects.count()
    data = 'Tỉnh,Năm,Tổng điểm\nGia Lai,2023,"80,12"\n'.encode()
    batch = commit_import(data, "gia_lai_par.csv", index_code="par", user=admin_user)
    assert stored(gia_lai, "PAR", index="par").value == pytest.approx(80.12)
    revert_import(batch, user=admin_user)
    assert stored(gia_lai, "PAR", index="par").value is None
    assert Result.objects.count() == n_results


@pytest.mark.django_db
def test_revert_refused_when_a_later_import_touched_the_same_result(admin_user):
    kon_tum = province(KON_TUM)
    first = commit_import(
        with_value("Kon Tum", "SC11", "0.9"), "lan1.csv", index_code="papi", year=2023, user=admin_user
    )
    commit_import(
        with_value("Kon Tum", "SC11", "0.95"), "lan2.csv", index_code="papi", year=2023, user=admin_user
    )

    with pytest.raises(RevertRefused) as exc:
        revert_import(first, user=admin_user)

    assert "Kon Tum" in exc.value.messages[0]
    assert "đã bị thay đổi sau lần nhập này" in exc.value.messages[0]
    assert stored(kon_tum, "D1.1").value == pytest.approx(0.95)
    first.refresh_from_db()
    assert first.status == ImportBatch.Status.COMMITTED


# --- broken files: a clear Vietnamese message, and nothing written --------------------------------

BROKEN = [
    # (file, year, phrase the message must contain)
    ("papi_2023_cp1258.csv", 2023, "bảng mã Windows-1258 (CP1258), không phải Unicode UTF-8"),
    ("papi_2023_tcvn3.csv", 2023, "bảng mã cũ"),
    ("papi_2023_merged_rows.xlsx", 2023, "ô gộp"),
    ("duplicate_rows.csv", 2023, "trùng đơn vị Kon Tum năm 2023 với dòng 2"),
    ("unknown_unit.csv", 2023, "Không tìm thấy đơn vị “Tỉnh Phù Tang”"),
    ("score_above_max.csv", 2023, "vượt điểm tối đa 10"),
    ("not_a_number.csv", 2023, "“khoảng 5” không phải là số"),
    ("papi_2023_renamed.xlsx", 2023, "có thể bị đổi đuôi"),
    ("empty.csv", 2023, "rỗng"),
    ("no_unit_column.csv", 2023, "đơn vị"),
    ("three_good_one_bad.csv", 2023, "vượt điểm tối đa"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "year", "phrase"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_gives_a_vietnamese_error_and_writes_nothing(name, year, phrase, admin_user):
    data = read(name)
    before = footprint()

    preview = preview_import(data, name, index_code="papi", year=year)
    assert not preview.ok
    messages = " | ".join(preview.error_messages)
    assert phrase in messages

    with pytest.raises(ImportRefused) as exc:
        commit_import(data, name, index_code="papi", year=year, user=admin_user)
    assert phrase in " | ".join(exc.value.messages)
    assert footprint() == before


@pytest.mark.django_db
def test_tcvn3_text_inside_a_spreadsheet_is_refused(admin_user):
    """Unicode cells that spell TCVN3 (a file typed with the .VnTime font) are not imported as mojibake."""
    from openpyxl import Workbook

    from chiso.core.text import encode_tcvn3

    wb = Workbook()
    ws = wb.active
    ws.append(["Tỉnh", "D1"])
    ws.append([encode_tcvn3("Đắk Lắk"), 4.756168])
    buf = io.BytesIO()
    wb.save(buf)
    before = footprint()
    preview = preview_import(buf.getvalue(), "tcvn3.xlsx", index_code="papi", year=2023)
    assert not preview.ok
    assert "TCVN3" in preview.error_messages[0] and "Unikey" in preview.error_messages[0]
    with pytest.raises(ImportRefused):
        commit_import(buf.getvalue(), "tcvn3.xlsx", index_code="papi", year=2023, user=admin_user)
    assert footprint() == before


@pytest.mark.django_db
def test_wrong_extension_is_refused():
    preview = preview_import(read(REAL), "papi.txt", index_code="papi", year=2023)
    assert not preview.ok
    assert "chỉ nhận CSV, XLSX, XLS hoặc ODS" in preview.error_messages[0]


@pytest.mark.django_db
def test_all_or_nothing_three_good_rows_are_not_written_with_one_bad(admin_user):
    preview = preview_import(read("three_good_one_bad.csv"), "x.csv", index_code="papi", year=2023)
    assert [r.status for r in preview.rows] == ["changed", "changed", "changed", "error"]
    assert preview.rows[3].errors and "Dòng 5" in preview.error_messages[0]
    kon_tum = province(KON_TUM)
    before = stored(kon_tum, "D1").value
    with pytest.raises(ImportRefused):
        commit_import(read("three_good_one_bad.csv"), "x.csv", index_code="papi", year=2023, user=admin_user)
    assert stored(kon_tum, "D1").value == before


# --- what is read -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_nfd_names_resolve_after_nfc():
    preview = preview_import(read("papi_2023_nfd.csv"), "nfd.csv", index_code="papi", year=2023)
    assert preview.ok, preview.error_messages
    assert {r.unit.short_name for r in preview.rows} == {"Kon Tum", "Gia Lai", "Đắk Lắk", "Lâm Đồng"}
    assert all(r.status == "unchanged" for r in preview.rows)
    assert any("NFD" in n for n in preview.notes)


@pytest.mark.django_db
def test_semicolons_and_vietnamese_decimal_commas():
    data = read("papi_2023_semicolon_comma.csv")
    assert b"4,90297;" in data
    preview = preview_import(data, "papi.csv", index_code="papi", year=2023)
    assert preview.ok, preview.error_messages
    assert [r.status for r in preview.rows] == ["unchanged"] * 4
    kon_tum = next(r for r in preview.rows if r.unit.short_name == "Kon Tum")
    assert {c.node_code: c.new for c in kon_tum.cells}["D1"] == pytest.approx(4.90297)


@pytest.mark.django_db
def test_total_with_a_decimal_comma_39_9613():
    data = "Tỉnh;Năm;Tổng\nKon Tum;2023;39,9613\n".encode()
    preview = preview_import(data, "tong.csv", index_code="papi")
    assert preview.ok, preview.error_messages
    (cell,) = preview.rows[0].cells
    assert cell.node_code == "PAPI" and cell.new == pytest.approx(39.9613)


@pytest.mark.django_db
def test_xlsx_is_read_and_committed(admin_user):
    from openpyxl import Workbook

    header, rows = real_rows()
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append([float(c) if c.replace(".", "").isdigit() and "." in c else c for c in row])
    ws.cell(row=2, column=header.index("SC12") + 1, value=1.3)  # Kon Tum D1.2: 1.24352026 → 1.3
    buf = io.BytesIO()
    wb.save(buf)

    preview = preview_import(buf.getvalue(), "papi.xlsx", index_code="papi", year=2023)
    assert preview.ok, preview.error_messages
    assert [r.status for r in preview.rows] == ["changed", "unchanged", "unchanged", "unchanged"]
    commit_import(buf.getvalue(), "papi.xlsx", index_code="papi", year=2023, user=admin_user)
    assert stored(province(KON_TUM), "D1.2").value == pytest.approx(1.3)


def _ods(rows: list[list[object]]) -> bytes:
    """The smallest OpenDocument spreadsheet LibreOffice and calamine accept."""

    def cell(v):
        if isinstance(v, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>" for r in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="PAPI">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


@pytest.mark.django_db
def test_ods_is_read():
    header, rows = real_rows()
    short = ["Tỉnh", *[f"D{i}" for i in range(1, 9)]]
    table = [short] + [
        [r[header.index("province")], *[float(r[header.index(c)]) for c in short[1:]]] for r in rows
    ]
    preview = preview_import(_ods(table), "papi.ods", index_code="papi", year=2023)
    assert preview.ok, preview.error_messages
    assert [r.status for r in preview.rows] == ["unchanged"] * 4


# --- values at any level --------------------------------------------------------------------------


@pytest.mark.django_db
def test_published_total_and_rank_only_par_style(admin_user):
    """A PAR INDEX line as newspapers print it: a total and "58/63", no parts."""
    from chiso.analysis.services import analyse

    gia_lai = province("64")
    data = "Tỉnh, thành phố;Năm;Chỉ số CCHC;Xếp hạng;Trên tổng số\nTỉnh Gia Lai;2023;82,05;58;63\n".encode()
    preview = preview_import(data, "par_gia_lai.csv", index_code="par")
    assert preview.ok, preview.error_messages
    assert preview.rows[0].status == "new"  # the rank was already known; the total is new
    commit_import(data, "par_gia_lai.csv", index_code="par", user=admin_user)

    a = analyse("par", gia_lai, 2023)
    assert a.total == pytest.approx(82.05)
    assert (a.rank, a.rank_of, a.rank_source) == (58, 63, "published")


@pytest.mark.django_db
def test_total_that_disagrees_with_its_parts_is_a_warning_and_shown_in_the_analysis(admin_user):
    """PAR INDEX 2023 Kon Tum: parts 54,95 + 8,50 + 18,33 + 4,36 = 86,14; a total of 87,00 is flagged."""
    from chiso.analysis.services import analyse

    kon_tum = province(KON_TUM)
    data = (
        "Tỉnh;Năm;Tổng điểm;Điểm thẩm định;Điểm SIPAS;Khảo sát lãnh đạo, quản lý;Điểm KT-XH\n"
        "Kon Tum;2023;87,00;54,95;8,50;18,33;4,36\n"
    ).encode()
    preview = preview_import(data, "par_kon_tum.csv", index_code="par")
    assert preview.ok, preview.error_messages  # a warning, not an error
    row = preview.rows[0]
    assert row.status == "changed"
    assert any("khác tổng các thành phần" in w and "86,14" in w for w in row.warnings), row.warnings

    commit_import(data, "par_kon_tum.csv", index_code="par", user=admin_user)
    assert stored(kon_tum, "PAR", index="par").value == pytest.approx(87.0)  # kept as published
    a = analyse("par", kon_tum, 2023)
    assert a.mismatches.get("PAR") == pytest.approx(87.0 - 86.14)
    root = next(n for n in a.nodes if n.code == "PAR")
    assert root.mismatch == pytest.approx(0.86)


@pytest.mark.django_db
def test_small_rounding_difference_is_not_flagged():
    """The real PAPI file prints totals to 6 decimals; 39,961295 vs parts 39,961294949 is no mismatch."""
    preview = preview_import(read(REAL), REAL, index_code="papi", year=2023)
    assert not any(w for r in preview.rows for w in r.warnings)


def test_a_row_marked_incomplete_keeps_its_parts_but_not_its_partial_total(admin_user):
    """The PAPI data file sums whatever dimensions exist into total_unweighted and says complete=False
    where some are missing (PAPI 2022 did not score Bắc Giang): that sum is not a published total,
    so it is not imported and the province is shown but never ranked."""
    header = ["year", "gso_code", "province", "D3", "D6", "total_unweighted", "complete"]
    data = to_csv(header, [["2025", "24", "Bắc Ninh", "4,5", "8,1", "12,6", "False"]])
    preview = preview_import(data, "mot-phan.csv", index_code="papi", year=2025)
    assert preview.ok, preview.error_messages
    row = preview.rows[0]
    assert {c.node_code for c in row.cells} == {"D3", "D6"}
    assert any("tổng một phần" in w for w in row.warnings)
    commit_import(data, "mot-phan.csv", index_code="papi", year=2025, user=admin_user)
    unit = Unit.objects.get(pk=row.unit.pk)
    ctx = analysis_services.year_figures("papi", 2025)
    derived = ctx.derived.units[unit.pk]
    assert derived.total is None and derived.rank is None and not derived.complete
    assert not Result.objects.filter(unit=unit, year=2025, node__parent__isnull=True).exists()
