"""Who sees what on the web, and what the results table shows: anonymous visitors are sent to the
sign-in page from every page; a signed-in account with no role gets 403; a viewer reads every page
but may not import results or frameworks, revert an import or add a department; a coordinator may do
all of it. The results table finds "Kon Tum" from "kon tum" typed without accents, sorts names in
Vietnamese dictionary order, exports exactly the rows shown (CSV and XLSX), and writes numbers the
Vietnamese way ("39,9613"). The analysis page, its gap and what-if partials and the import preview
work end to end."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from chiso.analysis import services as analysis_services
from chiso.core.text import parse_number, vi_sort_key
from chiso.frameworks.models import Framework
from chiso.results.models import ImportBatch, Result
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


def _clear_caches():
    analysis_services.clear_caches()
    cache.clear()


@pytest.fixture(autouse=True, scope="module")
def _caches_of_this_module():
    """Start from empty in-memory caches (derived figures, charts); read-only tests then share them."""
    _clear_caches()
    yield
    _clear_caches()


@pytest.fixture
def fresh_caches():
    """For tests that write: a rolled-back write must not leave figures cached under its data version."""
    _clear_caches()
    yield
    _clear_caches()


@pytest.fixture
def ids(db):
    kon_tum = Unit.objects.get(kind="province", code="62")
    quang_ngai = Unit.objects.get(kind="province", code="51", valid_from__isnull=False)
    return {
        "kon_tum": kon_tum.pk,
        "quang_ngai": quang_ngai.pk,
        "framework": Framework.objects.get(code="papi-2021").pk,
        "batch": ImportBatch.objects.filter(status="committed").order_by("pk").first().pk,
    }


def analysis_url(ids, name="page", **kw):
    return reverse(f"analysis:{name}", kwargs={"index": "papi", "unit": ids["kon_tum"], "year": 2023, **kw})


READ_PAGES = {
    "dashboard": lambda i: reverse("web:home"),
    "units": lambda i: reverse("web:units"),
    "unit": lambda i: reverse("web:unit", args=[i["quang_ngai"]]),
    "results_table": lambda i: reverse("results:table", args=["papi", 2023]),
    "results_csv": lambda i: reverse("results:table", args=["papi", 2023]) + "?format=csv",
    "results_xlsx": lambda i: reverse("results:table", args=["papi", 2023]) + "?format=xlsx",
    "par_table": lambda i: reverse("results:table", args=["par", 2023]),
    "analysis": lambda i: analysis_url(i),
    "gap": lambda i: analysis_url(i, "gap") + "?goal=places&value=5",
    "whatif": lambda i: analysis_url(i, "whatif") + "?n:D8.3=2",
    "opening": lambda i: analysis_url(i, "opening"),
    "chart_distribution": lambda i: analysis_url(i, "chart", kind="distribution"),
    "chart_profile": lambda i: analysis_url(i, "chart", kind="profile"),
    "chart_history": lambda i: analysis_url(i, "chart", kind="history"),
    "frameworks": lambda i: reverse("frameworks:list"),
    "framework": lambda i: reverse("frameworks:detail", args=[i["framework"]]),
    "framework_export": lambda i: reverse("frameworks:export", args=[i["framework"]]),
    "framework_template": lambda i: reverse("frameworks:template"),
}
EDIT_PAGES = {  # GET pages only coordinators may open
    "imports": lambda i: reverse("results:import_list"),  # the import log (issue 10, item 13)
    "import_new": lambda i: reverse("results:import_new"),
    "framework_import": lambda i: reverse("frameworks:import"),
}
EDIT_POSTS = {  # actions only coordinators may take
    "import_revert": lambda i: reverse("results:import_revert", args=[i["batch"]]),
    "department_add": lambda i: reverse("web:department_add", args=[i["quang_ngai"]]),
    "import_new_post": lambda i: reverse("results:import_new"),
    "framework_import_post": lambda i: reverse("frameworks:import"),
}
ALL_GET = {**READ_PAGES, **EDIT_PAGES}


@pytest.mark.parametrize("page", sorted(ALL_GET))
def test_anonymous_is_sent_to_sign_in(client, ids, page):
    url = ALL_GET[page](ids)
    r = client.get(url)
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.parametrize("action", sorted(EDIT_POSTS))
def test_anonymous_cannot_post(client, ids, action):
    r = client.post(EDIT_POSTS[action](ids), {"name": "Sở X", "code": "SX"})
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))


def test_sign_in_page_is_open(client):
    r = client.get(reverse("accounts:login"))
    assert r.status_code == 200
    assert "Đăng nhập" in r.content.decode()


@pytest.mark.parametrize("page", sorted(ALL_GET))
def test_account_without_a_role_gets_403(client, outsider, ids, page):
    client.force_login(outsider)
    r = client.get(ALL_GET[page](ids))
    assert r.status_code == 403


@pytest.mark.parametrize("page", sorted(READ_PAGES))
def test_viewer_reads_every_page(viewer_client, ids, page):
    r = viewer_client.get(READ_PAGES[page](ids))
    assert r.status_code == 200, r.content[:500]


@pytest.mark.parametrize("page", sorted(EDIT_PAGES))
def test_viewer_cannot_open_edit_pages(viewer_client, ids, page):
    assert viewer_client.get(EDIT_PAGES[page](ids)).status_code == 403


@pytest.mark.parametrize("action", sorted(EDIT_POSTS))
def test_viewer_cannot_edit(viewer_client, ids, action, fresh_caches):
    before = (
        Result.objects.count(),
        ImportBatch.objects.count(),
        Unit.objects.count(),
        Framework.objects.count(),
    )
    r = viewer_client.post(EDIT_POSTS[action](ids), {"name": "Sở X", "code": "SX"})
    assert r.status_code == 403
    after = (
        Result.objects.count(),
        ImportBatch.objects.count(),
        Unit.objects.count(),
        Framework.objects.count(),
    )
    assert after == before
    assert ImportBatch.objects.get(pk=ids["batch"]).status == "committed"


@pytest.mark.parametrize("page", sorted(ALL_GET))
def test_coordinator_opens_every_page(coordinator_client, ids, page):
    r = coordinator_client.get(ALL_GET[page](ids))
    assert r.status_code == 200, r.content[:500]


def test_results_index_goes_to_the_latest_year(viewer_client):
    r = viewer_client.get(reverse("results:index", args=["papi"]))
    assert r.status_code == 302 and r["Location"] == reverse("results:table", args=["papi", 2024])


# --- results table ---------------------------------------------------------------------------------


def table(client, **params):
    return client.get(reverse("results:table", args=["papi", 2023]), params)


def test_accent_free_search_finds_kon_tum(viewer_client):
    r = table(viewer_client, q="kon tum")
    rows = r.context["rows"]
    assert [row["unit"].short_name for row in rows] == ["Kon Tum"]
    html = r.content.decode()
    assert "39,9613" in html
    assert "56/61" in html
    found = {row["unit"].short_name for row in table(viewer_client, q="dak").context["rows"]}
    assert found == {"Đắk Lắk", "Đắk Nông"}


def test_sort_by_name_is_vietnamese_dictionary_order(viewer_client):
    names = [row["unit"].short_name for row in table(viewer_client, sort="name").context["rows"]]
    assert len(names) == 61
    assert names == sorted(names, key=vi_sort_key)
    # Vietnamese order: Cà Mau < Cần Thơ; Đ after D-less C… and before G (not after Y as in code points);
    # Bà Rịa < Bạc Liêu < Bắc Giang (a before ă, tones after letters).
    assert names.index("Cà Mau") < names.index("Cần Thơ")
    assert names.index("Cần Thơ") < names.index("Đà Nẵng") < names.index("Gia Lai")
    order = ["Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp"]
    assert [n for n in names if n in order] == order
    assert names.index("Bà Rịa - Vũng Tàu") < names.index("Bạc Liêu") < names.index("Bắc Giang")
    desc = [row["unit"].short_name for row in table(viewer_client, sort="-name").context["rows"]]
    assert desc == names[::-1]


def test_default_order_is_by_rank(viewer_client):
    ranks = [row["rank"] for row in table(viewer_client).context["rows"]]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_csv_export_contains_exactly_the_rows_shown(viewer_client):
    shown = [
        row["unit"].short_name for row in table(viewer_client, group="Thấp", sort="name").context["rows"]
    ]
    assert "Kon Tum" in shown and len(shown) == 16

    r = table(viewer_client, group="Thấp", sort="name", format="csv")

    assert r["Content-Type"].startswith("text/csv")
    assert 'filename="ket-qua-papi-2023.csv"' in r["Content-Disposition"]
    text = r.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Đơn vị", "Mã", "Điểm"]
    assert [row[0] for row in rows[1:]] == shown
    kon_tum = next(row for row in rows if row[0] == "Kon Tum")
    # every digit (so that the export imports back unchanged), with a decimal comma
    assert kon_tum[2].startswith("39,9612949") and parse_number(kon_tum[2]) == pytest.approx(
        39.9613, abs=1e-4
    )
    assert kon_tum[4] == "56" and kon_tum[5] == "61" and kon_tum[6] == "tính toán" and kon_tum[7] == "Thấp"
    assert kon_tum[8] == "tính toán"  # where the group came from: chiso computed it


def test_xlsx_export_contains_exactly_the_rows_shown(viewer_client):
    from openpyxl import load_workbook

    shown = [row["unit"].short_name for row in table(viewer_client, region="TAYNGUYEN").context["rows"]]
    assert set(shown) == {"Kon Tum", "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng"}

    r = table(viewer_client, region="TAYNGUYEN", format="xlsx")

    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == shown
    kon_tum = next(row for row in rows if row[0] == "Kon Tum")
    assert round(kon_tum[2], 4) == 39.9613 and kon_tum[4] == 56  # numbers stay numbers in XLSX


def test_par_table_marks_published_ranks(viewer_client):
    r = viewer_client.get(reverse("results:table", args=["par", 2023]), {"q": "kon tum"})
    html = r.content.decode()
    assert "43/63*" in html and "86,14" in html
    assert "theo công bố" in html


# --- analysis page and partials --------------------------------------------------------------------


def test_analysis_page_in_vietnamese(viewer_client, ids):
    html = viewer_client.get(analysis_url(ids)).content.decode()
    assert "39,9613 điểm" in html
    assert "xếp thứ 56/61" in html
    assert "Thấp" in html


def test_gap_partial(viewer_client, ids):
    r = viewer_client.get(analysis_url(ids, "gap"), {"goal": "places", "value": "5"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "tăng 5 bậc (lên hạng 51/61)" in html
    assert "cần tăng tối thiểu" in html and "hiện xếp thứ 56" in html
    assert "D8.3" in html and "Giả định điểm của các đơn vị khác năm 2023 giữ nguyên" in html
    bad = viewer_client.get(analysis_url(ids, "gap"), {"goal": "places", "value": "năm"})
    assert bad.status_code == 400 and "không hợp lệ" in bad.content.decode()
    group = viewer_client.get(analysis_url(ids, "gap"), {"goal": "group", "value": "Cao"})
    assert group.status_code == 200 and "vào nhóm “Cao”" in group.content.decode()
    unknown = viewer_client.get(analysis_url(ids, "gap"), {"goal": "group", "value": "Xuất sắc"})
    assert unknown.status_code == 400 and "các nhóm là" in unknown.content.decode()


def test_whatif_partial(viewer_client, ids):
    same = viewer_client.get(analysis_url(ids, "whatif")).content.decode()
    assert "Tổng mới <strong>39,9613</strong>" in same and "xếp thứ <strong>56/61</strong>" in same
    up = viewer_client.get(analysis_url(ids, "whatif"), {"n:D8.3": "3,3333"})
    assert up.status_code == 200 and "xếp thứ <strong>56/61</strong>" not in up.content.decode()
    too_much = viewer_client.get(analysis_url(ids, "whatif"), {"n:D8.3": "5"})
    assert too_much.status_code == 400 and "vượt điểm tối đa" in too_much.content.decode()
    not_a_number = viewer_client.get(analysis_url(ids, "whatif"), {"n:D8.3": "ba"})
    assert not_a_number.status_code == 400 and "không phải là số" in not_a_number.content.decode()
    derived = viewer_client.get(analysis_url(ids, "whatif"), {"n:D1": "9"})
    assert derived.status_code == 400 and "nội dung con" in derived.content.decode()


def test_opening_text_and_charts(viewer_client, ids):
    text = viewer_client.get(analysis_url(ids, "opening")).content.decode()
    assert "39,9613 điểm" in text and "xếp thứ 56/61" in text
    svg = viewer_client.get(analysis_url(ids, "chart", kind="distribution"))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert viewer_client.get(analysis_url(ids, "chart", kind="pie")).status_code == 404


def test_analysis_of_a_year_without_results_says_so(viewer_client, ids):
    r = viewer_client.get(
        reverse("analysis:page", kwargs={"index": "papi", "unit": ids["kon_tum"], "year": 2030})
    )
    assert r.status_code == 404
    assert "Chưa có" in r.content.decode()


# --- import through the web ------------------------------------------------------------------------


def test_import_through_preview_and_commit(admin_member_client, tmp_path, monkeypatch, fresh_caches):
    coordinator_client = admin_member_client  # national results: the administrators' to import
    from chiso.results import jobs as result_jobs

    monkeypatch.setattr(result_jobs, "UPLOAD_DIR", tmp_path)
    kon_tum = Unit.objects.get(kind="province", code="62")
    data = "Tỉnh;Năm;D1.1\nKon Tum;2023;0,9\n".encode()
    upload = io.BytesIO(data)
    upload.name = "kon_tum.csv"

    r = coordinator_client.post(
        reverse("results:import_new"), {"file": upload, "index": "papi", "year": "2023"}
    )
    assert r.status_code == 302
    preview_url = r["Location"]
    page = coordinator_client.get(preview_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thay đổi" in html and "Kon Tum" in html
    assert Result.objects.get(unit=kon_tum, node__code="D1.1", year=2023).value == pytest.approx(0.875979662)

    batch = ImportBatch.objects.get(status="preview")
    done = coordinator_client.post(reverse("results:import_commit", args=[batch.pk]), follow=True)
    assert "Đã ghi 1 giá trị" in done.content.decode()
    assert Result.objects.get(unit=kon_tum, node__code="D1.1", year=2023).value == pytest.approx(0.9)
    committed = ImportBatch.objects.filter(status="committed").latest("pk")

    undone = coordinator_client.post(reverse("results:import_revert", args=[committed.pk]), follow=True)
    assert "Đã hoàn tác" in undone.content.decode()
    assert Result.objects.get(unit=kon_tum, node__code="D1.1", year=2023).value == pytest.approx(0.875979662)


def test_import_of_a_broken_file_through_the_web_writes_nothing(
    admin_member_client, tmp_path, monkeypatch, fresh_caches
):
    coordinator_client = admin_member_client  # national results: the administrators' to import
    from chiso.results import jobs as result_jobs

    monkeypatch.setattr(result_jobs, "UPLOAD_DIR", tmp_path)
    upload = io.BytesIO("Tỉnh;Năm;D1\nKon Tum;2023;12\n".encode())
    upload.name = "hong.csv"
    r = coordinator_client.post(
        reverse("results:import_new"), {"file": upload, "index": "papi", "year": "2023"}
    )
    page = coordinator_client.get(r["Location"])
    assert "vượt điểm tối đa" in page.content.decode()
    n = Result.objects.count()
    batch = ImportBatch.objects.get(status="preview")
    done = coordinator_client.post(reverse("results:import_commit", args=[batch.pk]), follow=True)
    assert "Không ghi gì vì tệp có lỗi" in done.content.decode()
    assert Result.objects.count() == n
    assert not ImportBatch.objects.filter(file_name="hong.csv", status="committed").exists()


def test_import_form_refuses_a_wrong_extension(coordinator_client):
    upload = io.BytesIO(b"x")
    upload.name = "ket-qua.pdf"
    r = coordinator_client.post(
        reverse("results:import_new"), {"file": upload, "index": "papi", "year": "2023"}
    )
    assert r.status_code == 400
    assert "chỉ nhận CSV, XLSX, XLS hoặc ODS" in r.content.decode()
