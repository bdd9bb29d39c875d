"""Data correctness of results imports (issue 10, items 2 and 5): chiso's own export reads back as a
no-op and never turns a computed rank, group or sum into a published one; the preview shows a change
below display precision, warns about "1.000" and a dropped "%", says when a header spans two rows and
when importing a part leaves its parents disagreeing; a revert points results back to the import that
wrote them before."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.analysis import services as analysis_services
from chiso.results.importer import commit_import, preview_import, revert_import
from chiso.results.models import ImportBatch, Result
from chiso.units.models import Unit

from .test_import import KON_TUM, province, read, real_rows, stored, to_csv, with_value

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    analysis_services.clear_caches()
    cache.clear()
    yield
    analysis_services.clear_caches()
    cache.clear()


def export(client, index: str, year: int, fmt: str) -> bytes:
    response = client.get(reverse("results:table", args=[index, year]), {"format": fmt})
    assert response.status_code == 200
    return response.content


# --- item 2: chiso's own export is a no-op round trip ------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("index", "year"), [("papi", 2023), ("par", 2023), ("sipas", 2022)])
def test_the_results_export_imports_back_as_no_change(admin_member_client, admin_user, index, year, fmt):
    data = export(admin_member_client, index, year, fmt)
    preview = preview_import(data, f"ket-qua-{index}-{year}.{fmt}", index_code=index, year=year)

    assert preview.ok, preview.error_messages[:5]
    assert preview.counts["values_changed"] == 0, [
        (
            r.unit_text,
            [(c.node_code, c.old, c.new) for c in r.cells if c.status != "unchanged"],
            r.meta_changes,
        )
        for r in preview.rows
        if r.status in ("new", "changed")
    ][:5]
    assert preview.counts["new"] == preview.counts["changed"] == 0
    meanings = dict(preview.columns)
    assert "Điểm" in meanings and "Xếp hạng" in meanings  # its headers are recognised, not ignored
    assert not {"Điểm", "Trên", "Nguồn xếp hạng", "Nhóm", "Nguồn nhóm"} & set(preview.ignored)
    before = (Result.objects.count(), Result.history.count())
    batch = commit_import(data, f"ket-qua.{fmt}", index_code=index, year=year, user=admin_user)
    assert batch.rows_changed == 0 and (Result.objects.count(), Result.history.count()) == before


def test_a_computed_rank_group_or_sum_is_never_stored_as_published(admin_member_client):
    """PAPI ranks and groups are computed by chiso: the export says so, and the import drops them (a
    note says so). A dimension score equal to the sum chiso derives is not stored either."""
    kon_tum = province(KON_TUM)
    assert stored(kon_tum, "D1").published_rank is None
    data = export(admin_member_client, "papi", 2023, "csv")
    preview = preview_import(data, "ket-qua.csv", index_code="papi", year=2023)
    row = next(r for r in preview.rows if r.unit and r.unit.pk == kon_tum.pk)
    assert "rank" not in row.meta and "group" not in row.meta
    assert any("xếp hạng do chiso tính" in n for n in preview.notes)
    assert any("nhóm do chiso tính" in n for n in preview.notes)
    assert any("% tối đa" in n and "không nhập" in n for n in preview.notes)

    # An edited export (a rank typed in by hand, still marked "tính toán") stores nothing either.
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    for r in rows[1:]:
        if r[header.index("Mã")] == KON_TUM:
            r[header.index("Xếp hạng")] = "1"
    preview = preview_import(to_csv(header, rows[1:]), "sua.csv", index_code="papi", year=2023)
    assert preview.counts["values_changed"] == 0


def test_an_export_in_english_is_recognised_too(admin_user, client):
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    data = client.get(reverse("results:table", args=["papi", 2023]), {"format": "csv"}).content
    assert b"Rank source" in data
    preview = preview_import(data, "results.csv", index_code="papi", year=2023)
    assert preview.ok and preview.counts["values_changed"] == 0


# --- item 5: what the preview shows and warns about ---------------------------------------------------


def test_a_change_below_display_precision_is_visible_in_the_preview(admin_member_client):
    kon_tum = province(KON_TUM)
    old = stored(kon_tum, "D1.1").value  # 0,875979662
    data = with_value("Kon Tum", "SC11", "0.87599")
    preview = preview_import(data, "sua.csv", index_code="papi", year=2023)
    cell = next(c for r in preview.rows for c in r.cells if c.status == "changed")
    assert cell.change_texts == ("0,87598", "0,87599") and cell.old == pytest.approx(old)

    upload = SimpleUploadedFile("sua.csv", data, content_type="text/csv")
    response = admin_member_client.post(
        reverse("results:import_new"), {"file": upload, "index": "papi", "year": "2023"}, follow=True
    )
    html = response.content.decode()
    assert "0,87598 → 0,87599" in html
    assert "0,876 → 0,876" not in html and "0,876 →" not in html


def test_ambiguous_thousands_and_a_dropped_percent_are_warned():
    header, rows = real_rows()
    for row in rows:
        if row[header.index("province")] == "Kon Tum":
            row[header.index("SC11")] = "1.000"
            row[header.index("SC12")] = "1,5%"
    preview = preview_import(to_csv(header, rows), "sua.csv", index_code="papi", year=2023)
    assert any("“1.000”" in n and "đọc là 1" in n and "SC11" in n for n in preview.notes), preview.notes
    assert any("“1,5%”" in n and "bỏ dấu %" in n and "SC12" in n for n in preview.notes), preview.notes


def test_a_two_row_header_is_said_and_nothing_is_read_as_data():
    data = "Tỉnh,Năm,D1.1,D1.2\n,,Tham gia,Cơ hội\nKon Tum,2023,0.9,1.2\n".encode()
    preview = preview_import(data, "hai-dong.csv", index_code="papi", year=2023)
    assert not preview.ok
    assert any("tiêu đề hai dòng" in e and "dòng 1 và 2" in e for e in preview.errors), preview.errors

    above = ",Trụ cột 1,Trụ cột 1\nTỉnh,Năm,D1.1\nKon Tum,2023,0.9\n".encode()
    preview = preview_import(above, "tren.csv", index_code="papi", year=2023)
    assert any("phía trên dòng tiêu đề" in n for n in preview.notes), preview.notes


def test_importing_only_a_sub_dimension_warns_that_parents_now_disagree():
    data = "Tỉnh,Năm,D1.1\nKon Tum,2023,1.5\n".encode()
    preview = preview_import(data, "d11.csv", index_code="papi", year=2023)
    assert preview.ok
    (row,) = preview.rows
    warned = [w for w in row.warnings if "sẽ khác tổng các thành phần" in w]
    assert any(w.startswith("D1:") and "4,903" in w for w in warned), row.warnings
    assert any("cấp trên sẽ khác tổng" in n for n in preview.notes)
    # Importing the parent's new value with it: no such warning for D1.
    data = "Tỉnh,Năm,D1.1,D1\nKon Tum,2023,1.5,5.52699\n".encode()
    preview = preview_import(data, "d1.csv", index_code="papi", year=2023)
    assert not any(w.startswith("D1:") for w in preview.rows[0].warnings)


def test_after_a_revert_results_point_to_the_previous_import(admin_user):
    kon_tum = province(KON_TUM)
    seeded = stored(kon_tum, "D1.1").batch  # the import that loaded the published data
    first = commit_import(
        with_value("Kon Tum", "SC11", "0.9"), "a.csv", index_code="papi", year=2023, user=admin_user
    )
    second = commit_import(
        with_value("Kon Tum", "SC11", "0.95"), "b.csv", index_code="papi", year=2023, user=admin_user
    )
    assert stored(kon_tum, "D1.1").batch == second
    revert_import(second, user=admin_user)
    result = stored(kon_tum, "D1.1")
    assert result.value == pytest.approx(0.9)
    assert result.batch == first  # not the reverted one
    revert_import(first, user=admin_user)
    assert stored(kon_tum, "D1.1").batch == seeded
    assert ImportBatch.objects.filter(status="reverted").count() == 2


def test_hidden_rows_are_counted_in_the_preview(admin_user):
    from .test_spreadsheet_guards import _two_sheets

    preview = preview_import(_two_sheets(), "ket-qua.xlsx", index_code="papi", year=2023)
    assert preview.table.sheet == "Bản chính thức"
    assert any("có 1 dòng bị ẩn" in n for n in preview.notes)


def test_read_is_unchanged_for_the_real_file():
    assert preview_import(read("papi_2023_tay_nguyen.csv"), "x.csv", index_code="papi", year=2023).ok
    assert Unit.objects.exists()
