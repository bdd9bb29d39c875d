"""The read-only API on the real reference data (provinces, frameworks, published results)."""

from __future__ import annotations

import base64
import unicodedata

import pytest
from django.contrib.auth import get_user_model

from chiso.analysis.serialize import analysis_to_dict
from chiso.analysis.services import analyse, opening_text
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def kon_tum():
    return Unit.objects.get(kind="province", code="62", valid_from__isnull=True)


def endpoints(kon_tum: Unit) -> list[str]:
    k = kon_tum.pk
    framework = 1  # any id: permission is checked before the lookup
    return [
        "/api/units/",
        f"/api/units/{k}/",
        "/api/units/resolve/?name=Kon%20Tum&year=2023",
        "/api/regions/",
        "/api/indices/",
        "/api/frameworks/",
        f"/api/frameworks/{framework}/",
        "/api/results/?index=papi&year=2023",
        "/api/figures/papi/2023/",
        f"/api/analysis/papi/{k}/2023/",
        f"/api/gap/papi/{k}/2023/?places=5",
        f"/api/whatif/papi/{k}/2023/",
        "/api/schema/",
        "/api/docs/",
    ]


def _basic(username: str, password: str = "mat-khau-thu-nghiem") -> dict:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


# --- permissions ------------------------------------------------------------------------------------


def test_anonymous_is_refused_everywhere(client, kon_tum):
    for url in endpoints(kon_tum):
        response = client.get(url)
        if url == "/api/docs/":
            assert response.status_code == 302, url  # to the sign-in page
            continue
        assert response.status_code in (401, 403), url


def test_anonymous_messages_are_vietnamese(client):
    response = client.get("/api/units/")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Chưa đăng nhập")
    response = client.get("/api/units/", **_basic("khong-co", "sai"))
    assert "mật khẩu không đúng" in response.json()["detail"]


def test_anonymous_browser_on_swagger_ui_goes_to_sign_in(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/docs/")


def test_wrong_password_is_refused(client, viewer, kon_tum):
    response = client.get("/api/units/", **_basic("nguoixem", "sai-mat-khau"))
    assert response.status_code in (401, 403)


def test_signed_in_user_without_role_gets_403(client, outsider, kon_tum):
    client.force_login(outsider)
    for url in endpoints(kon_tum):
        response = client.get(url)
        assert response.status_code == 403, url
    response = client.get("/api/units/")
    assert "vai trò" in response.json()["detail"]


def test_outsider_with_basic_auth_gets_403(client, outsider):
    assert client.get("/api/indices/", **_basic("nguoingoai")).status_code == 403


def test_viewer_reads_everything(viewer_client, kon_tum):
    from chiso.frameworks.models import Framework

    urls = endpoints(kon_tum)
    urls[6] = f"/api/frameworks/{Framework.objects.first().pk}/"
    for url in urls:
        response = viewer_client.get(url)
        assert response.status_code == 200, (url, response.content[:300])


def test_viewer_with_http_basic(client, viewer, kon_tum):
    response = client.get(f"/api/analysis/papi/{kon_tum.pk}/2023/", **_basic("nguoixem"))
    assert response.status_code == 200
    assert response.json()["unit_id"] == kon_tum.pk


def test_swagger_ui_is_served_locally(viewer_client):
    response = viewer_client.get("/api/docs/")
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    # The start-up script is its own response (no inline script, for the Content-Security-Policy).
    script = viewer_client.get("/api/docs/?script=").content.decode()
    assert "/api/schema/" in script


# --- units ---------------------------------------------------------------------------------------------


def test_unit_list_filters(viewer_client):
    data = viewer_client.get("/api/units/?kind=province&year=2023&limit=200").json()
    assert data["count"] == 63
    assert {u["kind"] for u in data["results"]} == {"province"}
    data = viewer_client.get("/api/units/?kind=province&year=2026&limit=200").json()
    assert data["count"] == 34
    found = viewer_client.get("/api/units/?q=dak%20lak&year=2023").json()["results"]
    assert [u["short_name"] for u in found] == ["Đắk Lắk"]
    found = viewer_client.get("/api/units/?q=%C4%90%E1%BA%AEK%20L%E1%BA%AEK").json()["results"]  # ĐẮK LẮK
    assert {u["code"] for u in found} == {"66"}
    assert len(found) == 2  # before and after 1 July 2025
    by_code = viewer_client.get("/api/units/?code=62").json()["results"]
    assert [u["short_name"] for u in by_code] == ["Kon Tum"]


def test_unit_list_bad_filters(viewer_client):
    response = viewer_client.get("/api/units/?year=abc")
    assert response.status_code == 400
    assert "số nguyên" in response.json()["detail"]
    assert viewer_client.get("/api/units/?kind=planet").status_code == 400


def test_unit_detail_links_and_regions(viewer_client, kon_tum):
    data = viewer_client.get(f"/api/units/{kon_tum.pk}/").json()
    assert data["code"] == "62" and data["valid_to"] == "2025-06-30"
    assert data["predecessors"] == []
    [successor] = data["successors"]
    assert successor["code"] == "51" and successor["valid_from"] == "2025-07-01"
    assert set(successor) == {"id", "code", "name", "short_name", "valid_from", "valid_to"}
    assert data["regions"]
    merged = viewer_client.get(f"/api/units/{successor['id']}/").json()
    assert {p["code"] for p in merged["predecessors"]} == {"51", "62"}
    missing = viewer_client.get("/api/units/999999/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Không tìm thấy."}


@pytest.mark.parametrize(
    "name", ["Dak Lak", "Đắk Lắk", "Tỉnh Đắk Lắk", unicodedata.normalize("NFD", "Đắk Lắk"), "dak lak", "66"]
)
def test_resolve_spellings_give_the_same_unit(viewer_client, name):
    expected = Unit.objects.get(kind="province", code="66", valid_from__isnull=True)
    response = viewer_client.get("/api/units/resolve/", {"name": name, "year": 2023})
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == expected.pk


def test_resolve_depends_on_the_year(viewer_client):
    old = viewer_client.get("/api/units/resolve/", {"name": "Quảng Ngãi", "year": 2022}).json()
    new = viewer_client.get("/api/units/resolve/", {"name": "Quảng Ngãi", "year": 2026}).json()
    assert old["id"] != new["id"]
    assert old["code"] == "51" and old["valid_from"] is None and old["valid_to"] == "2025-06-30"
    assert new["valid_from"] == "2025-07-01" and new["valid_to"] is None
    assert {p["code"] for p in new["predecessors"]} == {"51", "62"}


def test_resolve_ambiguous_or_unknown_is_404_with_candidates(viewer_client):
    response = viewer_client.get("/api/units/resolve/", {"name": "Quảng Ngãi"})
    assert response.status_code == 404
    data = response.json()
    assert "chưa rõ" in data["detail"]
    assert len(data["candidates"]) == 2
    response = viewer_client.get("/api/units/resolve/", {"name": "Kon Tum", "year": 2026})
    assert response.status_code == 404
    assert "không có hiệu lực" in response.json()["detail"]
    assert [c["code"] for c in response.json()["candidates"]] == ["62"]
    response = viewer_client.get("/api/units/resolve/", {"name": "Xứ Sở Thần Tiên"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy đơn vị “Xứ Sở Thần Tiên”.", "candidates": []}
    assert viewer_client.get("/api/units/resolve/").status_code == 400


def test_regions_list_member_ids(viewer_client, kon_tum):
    regions = viewer_client.get("/api/regions/").json()
    assert any(kon_tum.pk in r["members"] for r in regions)


# --- indices, frameworks, results ---------------------------------------------------------------------


def test_indices(viewer_client):
    data = viewer_client.get("/api/indices/").json()
    by_code = {i["code"]: i for i in data}
    assert set(by_code) == {"papi", "par", "sipas"}
    assert 2023 in by_code["papi"]["years"]


def test_frameworks_covering_a_year(viewer_client):
    data = viewer_client.get("/api/frameworks/", {"index": "papi", "year": 2023}).json()
    assert [f["code"] for f in data] == ["papi-2021"]
    assert data[0]["grouping"]["kind"] == "quantile"
    assert [g["label"] for g in data[0]["grouping"]["groups"]] == [
        "Cao",
        "Trung bình cao",
        "Trung bình thấp",
        "Thấp",
    ]
    everything = viewer_client.get("/api/frameworks/").json()
    assert {f["index"] for f in everything} == {"papi", "par", "sipas"}
    assert viewer_client.get("/api/frameworks/?year=x").status_code == 400


def test_framework_detail_nodes(viewer_client):
    summary = viewer_client.get("/api/frameworks/", {"index": "papi", "year": 2023}).json()[0]
    data = viewer_client.get(f"/api/frameworks/{summary['id']}/").json()
    for key in ("complete", "incomplete_note", "grouping", "valid_from", "valid_to", "version", "active"):
        assert key in data
    nodes = {n["code"]: n for n in data["nodes"]}
    root = data["nodes"][0]
    assert root["parent"] is None and root["max"] == 80
    assert nodes["D1"]["parent"] == root["code"]
    assert nodes["D1.1"]["parent"] == "D1"
    for key in (
        "level",
        "name_vi",
        "name_en",
        "min",
        "aggregation",
        "contributes",
        "source_kind",
        "incomplete",
        "note",
    ):
        assert key in nodes["D1.1"]
    assert viewer_client.get("/api/frameworks/999999/").status_code == 404


def test_results_are_the_published_values(viewer_client, kon_tum):
    data = viewer_client.get("/api/results/", {"index": "papi", "year": 2023, "unit": kon_tum.pk}).json()
    assert data["count"] > 30  # root, 8 dimensions and their sub-dimensions
    rows = data["results"]
    assert {r["unit"]["id"] for r in rows} == {kon_tum.pk}
    assert rows[0]["unit"] == {"id": kon_tum.pk, "code": "62", "name": "Kon Tum"}
    root = viewer_client.get(
        "/api/results/", {"index": "papi", "year": 2023, "unit": kon_tum.pk, "node": "PAPI"}
    )
    [total] = root.json()["results"]
    assert total["value"] == pytest.approx(39.9613, abs=1e-4)
    par = viewer_client.get(
        "/api/results/", {"index": "par", "year": 2023, "unit": kon_tum.pk, "node": "PAR"}
    )
    [par_total] = par.json()["results"]
    assert (par_total["rank"], par_total["rank_of"]) == (43, 63)


def test_results_pagination_and_errors(viewer_client):
    page = viewer_client.get("/api/results/", {"index": "papi", "year": 2023, "limit": 10}).json()
    assert len(page["results"]) == 10 and page["count"] > 10 and page["next"]
    assert viewer_client.get("/api/results/").status_code == 400
    assert viewer_client.get("/api/results/", {"index": "nope"}).status_code == 400
    assert viewer_client.get("/api/results/", {"index": "papi", "unit": "abc"}).status_code == 400


# --- figures, analysis, gap, what-if --------------------------------------------------------------------


def test_figures_of_a_year(viewer_client, kon_tum):
    data = viewer_client.get("/api/figures/papi/2023/").json()
    assert data["framework"] == "papi-2021" and data["full_coverage"] is True
    assert data["n_scored"] == 61
    assert len(data["units"]) == 61
    assert [u["rank"] for u in data["units"]][:3] == [1, 2, 3]
    kt = next(u for u in data["units"] if u["unit_id"] == kon_tum.pk)
    assert kt["total"] == pytest.approx(39.9613, abs=1e-4)
    assert (kt["rank"], kt["rank_of"], kt["group"], kt["rank_source"]) == (56, 61, "Thấp", "computed")
    assert [c["group"] for c in data["group_cutoffs"]] == ["Cao", "Trung bình cao", "Trung bình thấp", "Thấp"]
    assert data["national_mean"] is not None and data["national_median"] is not None
    assert viewer_client.get("/api/figures/papi/1990/").status_code == 404
    assert viewer_client.get("/api/figures/xyz/2023/").status_code == 404


def test_analysis_kon_tum_papi_2023(viewer_client, kon_tum):
    response = viewer_client.get(f"/api/analysis/papi/{kon_tum.pk}/2023/")
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == pytest.approx(39.9613, abs=1e-4)
    assert (data["rank"], data["rank_of"], data["group"], data["rank_source"]) == (56, 61, "Thấp", "computed")
    assert data["opening_text"].startswith("Chỉ số PAPI năm 2023 của tỉnh đạt 39,9613 điểm")


def test_analysis_is_exactly_the_serialized_analysis(viewer_client, kon_tum):
    a = analyse("papi", kon_tum, 2023)
    expected = {**analysis_to_dict(a), "opening_text": opening_text(a)}
    assert viewer_client.get(f"/api/analysis/papi/{kon_tum.pk}/2023/").json() == expected


def test_analysis_kon_tum_par_2023_uses_published_rank(viewer_client, kon_tum):
    data = viewer_client.get(f"/api/analysis/par/{kon_tum.pk}/2023/").json()
    assert (data["rank"], data["rank_of"], data["rank_source"]) == (43, 63, "published")


def test_analysis_errors_are_404_in_vietnamese(viewer_client, kon_tum):
    response = viewer_client.get(f"/api/analysis/papi/{kon_tum.pk}/1990/")
    assert response.status_code == 404
    assert "Chưa có" in response.json()["detail"]
    assert viewer_client.get("/api/analysis/papi/999999/2023/").status_code == 404
    assert viewer_client.get(f"/api/analysis/nope/{kon_tum.pk}/2023/").status_code == 404


def test_gap_places_reaches_the_target_rank(viewer_client, kon_tum):
    data = viewer_client.get(f"/api/gap/papi/{kon_tum.pk}/2023/", {"places": 5}).json()
    assert (data["current_rank"], data["target_rank"]) == (56, 51)
    assert data["needed_increase"] > 0
    figures = viewer_client.get("/api/figures/papi/2023/").json()
    others = [
        u["total"]
        for u in figures["units"]
        if u["unit_id"] != kon_tum.pk and u["complete"] and u["total"] is not None
    ]
    new_total = data["current_total"] + data["needed_increase"]

    def rank(score: float) -> int:  # ties share a rank (values compared to 9 decimals, like the analysis)
        return 1 + sum(1 for o in others if round(o, 9) > round(score, 9))

    assert rank(data["current_total"]) == 56
    assert rank(new_total) <= 51
    assert rank(new_total - 1e-4) > 51  # the increase is (close to) the smallest that works
    assert data["suggestions"] and data["cover"]
    covered = sum(s["available"] for s in data["suggestions"] if s["code"] in data["cover"])
    assert covered >= data["needed_increase"]


def test_gap_other_goals(viewer_client, kon_tum):
    url = f"/api/gap/papi/{kon_tum.pk}/2023/"
    group = viewer_client.get(url, {"group": "Cao"}).json()
    assert group["target_group"] == "Cao" and group["needed_increase"] > 0
    score = viewer_client.get(url, {"score": "41,5"}).json()
    assert score["needed_increase"] == pytest.approx(41.5 - score["current_total"])
    top = viewer_client.get(url, {"top": 10}).json()
    assert top["target_rank"] == 10


@pytest.mark.parametrize(
    "params",
    [
        {"places": "nhiều"},
        {"places": "2.5"},
        {"score": "abc"},
        {"top": "0"},
        {"places": "0"},
        {"group": "Siêu hạng"},
        {},
        {"places": "5", "group": "Cao"},
    ],
)
def test_gap_bad_input_is_400_in_vietnamese(viewer_client, kon_tum, params):
    response = viewer_client.get(f"/api/gap/papi/{kon_tum.pk}/2023/", params)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail and any(ord(c) > 127 for c in detail)  # Vietnamese, with diacritics


def test_whatif_without_changes_is_the_current_state(viewer_client, kon_tum):
    data = viewer_client.get(f"/api/whatif/papi/{kon_tum.pk}/2023/").json()
    assert data["total"] == pytest.approx(39.9613, abs=1e-4)
    assert (data["rank"], data["rank_of"], data["group"]) == (56, 61, "Thấp")
    assert data["delta_total"] == pytest.approx(0)
    assert data["changes"] == {}


def test_whatif_changes(viewer_client, kon_tum):
    url = f"/api/whatif/papi/{kon_tum.pk}/2023/"
    results = viewer_client.get(
        "/api/results/", {"index": "papi", "year": 2023, "unit": kon_tum.pk, "node": "D8.3"}
    )
    [d83] = results.json()["results"]
    data = viewer_client.get(url, {"D8.3": "1,5"}).json()
    assert data["changes"] == {"D8.3": 1.5}
    assert data["delta_total"] == pytest.approx(1.5 - d83["value"], abs=1e-6)
    assert data["rank"] < 56
    for params, word in [
        ({"D8.3": "abc"}, "không phải là số"),
        ({"D8.3": "99"}, "vượt điểm tối đa"),
        ({"ZZZ": "1"}, "Không có nút"),
        ({"D8": "3"}, "được tính từ các"),
    ]:
        response = viewer_client.get(url, params)
        assert response.status_code == 400, params
        assert word in response.json()["detail"]


def test_viewer_cannot_write(viewer_client):
    response = viewer_client.post("/api/units/", {})
    assert response.status_code in (403, 405)
    assert response.json()["detail"]
    user = get_user_model().objects.get(username="nguoixem")
    assert user.has_perm("chiso.view_data")
