"""Issue 10, items 13 and 17: response headers (a Content-Security-Policy with no inline script, no
caching of signed-in pages and API answers), no inline script or handler in any template, the API's
page size capped, numbers in addresses and parameters bounded, the API's errors in JSON even where no
view was reached."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.PACKAGE_DIR) / "templates"


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        for handler in re.findall(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: {handler.strip()}")
        if "javascript:" in text:
            offenders.append(f"{path.relative_to(TEMPLATES)}: javascript:")
    assert offenders == []


def test_pages_carry_the_csp_and_are_not_cached(viewer_client):
    r = viewer_client.get("/")
    assert r.status_code == 200
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert "private" in r["Cache-Control"] and "no-store" in r["Cache-Control"]
    # The page's own scripts are static files, never inline.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.content.decode())


def test_api_answers_are_not_cached(viewer_client):
    r = viewer_client.get("/api/indices/")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]


def test_swagger_ui_has_no_inline_script(viewer_client):
    r = viewer_client.get("/api/docs/")
    assert r.status_code == 200
    page = r.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    script = re.search(r'<script src="([^"]*script=[^"]*)"', page).group(1).replace("&amp;", "&")
    js = viewer_client.get(script)
    assert js.status_code == 200 and js["Content-Type"].startswith("application/javascript")


def test_api_page_size_is_capped(viewer_client):
    r = viewer_client.get("/api/results/?index=papi&limit=99999999999999999999")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] > settings.API_MAX_PAGE_SIZE
    assert len(body["results"]) == settings.API_MAX_PAGE_SIZE
    far = viewer_client.get("/api/results/?index=papi&offset=99999999999999999999")
    assert far.status_code == 200 and far.json()["results"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/results/?index=papi&year=99999999999999999999",
        "/api/units/?year=178677",
        "/api/plans/?year=10000",
    ],
)
def test_api_refuses_out_of_range_years(viewer_client, url):
    r = viewer_client.get(url)
    assert r.status_code == 400
    assert "không quá" in r.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/plans/99999999999999999999/",
        "/api/figures/papi/99999999999999999999/",
        "/api/figures/papi/0.5/",  # matches no route
        "/api/khong-co/",
    ],
)
def test_api_not_found_is_json(viewer_client, url):
    r = viewer_client.get(url)
    assert r.status_code == 404
    assert r["Content-Type"].startswith("application/json")
    assert r.json() == {"detail": "Không tìm thấy."}


@pytest.mark.parametrize(
    "url",
    [
        "/phan-tich/papi/1/99999999999999999999/",
        "/phan-tich/papi/99999999999999999999/2023/",
        "/don-vi/99999999999999999999/",
    ],
)
def test_web_out_of_range_numbers_are_not_found(viewer_client, url):
    r = viewer_client.get(url, follow=True)
    assert r.status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/phan-tich/?unit=abc&year=2023&index=papi", "/phan-tich/?unit=1&year=99999999999999999999&index=papi"],
)
def test_analysis_form_says_what_is_wrong(viewer_client, url):
    r = viewer_client.get(url)
    assert r.status_code == 400
    assert 'role="alert"' in r.content.decode()


def test_import_log_is_for_coordinators(viewer_client):
    assert viewer_client.get("/ket-qua/nhap/").status_code == 403
    assert "/ket-qua/nhap/" not in viewer_client.get("/").content.decode()


def test_coordinator_reads_the_import_log(coordinator_client):
    r = coordinator_client.get("/ket-qua/nhap/")
    assert r.status_code == 200
    assert 'href="/ket-qua/nhap/"' in coordinator_client.get("/").content.decode()


def test_over_long_codes_and_names_are_refused_with_a_message(coordinator_client):
    """Issue 10, item 17: on PostgreSQL an over-long code or name was a 500 (the database refused it);
    on SQLite it was stored whole. Both now refuse it with a Vietnamese message, nothing stored."""
    from chiso.units.models import Region, Unit

    province = Unit.objects.filter(kind="province", code="51").order_by("-valid_from").first()
    before = Unit.objects.count()
    r = coordinator_client.post(
        f"/don-vi/{province.pk}/them-co-quan/", {"name": "Sở X", "code": "S" * 300}, follow=True
    )
    assert r.status_code == 200 and "không được dài quá 20 ký tự" in r.content.decode()
    r = coordinator_client.post(
        f"/don-vi/{province.pk}/them-co-quan/", {"name": "Sở " + "x" * 5000, "code": "SX"}, follow=True
    )
    assert r.status_code == 200 and "không được dài quá 200 ký tự" in r.content.decode()
    assert Unit.objects.count() == before
    regions = Region.objects.count()
    members = [str(pk) for pk in Unit.objects.filter(kind="province").values_list("pk", flat=True)[:2]]
    r = coordinator_client.post("/vung/moi/", {"name": "N" * 1000, "members": members})
    assert r.status_code in (200, 400) and "không được dài quá 200 ký tự" in r.content.decode()
    assert Region.objects.count() == regions


def test_gap_and_what_if_take_huge_numbers_without_a_500(viewer_client):
    from chiso.units.models import Unit

    kon_tum = Unit.objects.filter(kind="province", name__contains="Kon Tum").first().pk
    base = f"/phan-tich/papi/{kon_tum}/2023/"
    assert viewer_client.get(base + "khoang-cach/?goal=score&value=1e308").status_code in (200, 400)
    assert viewer_client.get(base + "gia-dinh/?n:D1.1=1e308").status_code in (200, 400)
    assert viewer_client.get(f"/api/gap/papi/{kon_tum}/2023/?score=1e308").status_code in (200, 400)
    assert viewer_client.get(f"/api/whatif/papi/{kon_tum}/2023/?D1.1=1e308").status_code in (200, 400)


def test_framework_length_limits_match_the_database_columns():
    from chiso.core.framework import MAX_LENGTHS
    from chiso.frameworks.models import Framework, Index, Node

    def size(model, name):
        return model._meta.get_field(name).max_length

    assert MAX_LENGTHS == {
        "index.name": min(size(Index, "name_vi"), size(Index, "name_en")),
        "index.short_name": size(Index, "short_name"),
        "framework.code": size(Framework, "code"),
        "framework.name": min(size(Framework, "name_vi"), size(Framework, "name_en")),
        "node.code": size(Node, "code"),
        "node.name": min(size(Node, "name_vi"), size(Node, "name_en")),
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/results/?index=%00papi",
        "/api/results/?offset=1&%00=1",
        "/api/results/%00/",
        "/phan-tich/?index=pa%00pi",
    ],
)
def test_a_nul_character_is_refused_before_any_view(viewer_client, url):
    """PostgreSQL cannot store or compare text with NUL: a filter read from the URL used to raise a 500
    on PostgreSQL (schemathesis found it on /api/results/)."""
    r = viewer_client.get(url)
    assert r.status_code == 400
    assert "NUL" in r.content.decode()
    if url.startswith("/api/"):
        assert r.json() == {"detail": "Yêu cầu chứa ký tự không hợp lệ (NUL)."}


def test_a_nul_character_in_a_form_field_is_refused(coordinator_client):
    r = coordinator_client.post("/dang-xuat/", {"next": "/\x00"})
    assert r.status_code == 400


def test_the_same_filter_without_nul_answers(viewer_client):
    assert viewer_client.get("/api/results/?index=papi").status_code == 200


@pytest.mark.parametrize("url", ["/api/results/?index=papi", "/ket-qua/papi/2023/"])
def test_a_lost_database_connection_is_a_503_to_retry_not_a_500(viewer_client, url, monkeypatch):
    """A PostgreSQL restart mid-load (bench/surveys.py --http) answered 500: the client must learn that
    nothing was written and that the same request will work again shortly."""
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    def gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    viewer_client.raise_request_exception = False
    assert viewer_client.get(url).status_code == 200
    monkeypatch.setattr(QuerySet, "_fetch_all", gone)
    r = viewer_client.get(url)
    assert r.status_code == 503
    assert r["Retry-After"] == "5"
    assert "chưa được ghi" in r.content.decode()
    if url.startswith("/api/"):
        assert r.json()["detail"].startswith("Cơ sở dữ liệu tạm thời không trả lời")


def test_other_server_errors_stay_500(viewer_client, monkeypatch):
    from django.db.models.query import QuerySet

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    viewer_client.raise_request_exception = False
    monkeypatch.setattr(QuerySet, "_fetch_all", broken)
    r = viewer_client.get("/api/results/?index=papi")
    assert r.status_code == 500 and "Retry-After" not in r
