"""The figures a coordinator reads on the morning the results come out, checked against the real
published data (recomputed here from the shipped CSV, not copied from the code's own output):
Kon Tum's PAPI 2023 score, rank among the scored provinces, quartile group, change since 2022 in
points and places; the national mean and median; the PAPI quartile group sizes; PAR INDEX ranks that
come from the publication when the year is not fully known; incomplete provinces neither ranked nor
averaged; no point delta across the 2018 scale change; the gap solver (the increase it names really
lifts the unit to the target rank or group, and a hair less does not); the what-if; and the opening
text a plan uses."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from django.core.cache import cache

import chiso
from chiso.analysis import services as analysis_services
from chiso.analysis.services import AnalysisError, analyse, gap, opening_text, what_if, year_figures
from chiso.units.services import resolve_unit

pytestmark = pytest.mark.django_db

PAPI_CSV = Path(chiso.__file__).parent / "data" / "results" / "papi_2011_2024_provinces_wide.csv"
NDIGITS = 9
GROUPS = ["Cao", "Trung bình cao", "Trung bình thấp", "Thấp"]


@pytest.fixture(autouse=True, scope="module")
def _fresh_caches():
    """Start from empty in-memory caches; these tests only read, so they share what they compute."""
    analysis_services.clear_caches()
    cache.clear()
    yield


# --- independent figures from the published CSV ----------------------------------------------------


def papi_rows(year: int) -> list[dict[str, str]]:
    with open(PAPI_CSV, encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.DictReader(fh) if int(r["year"]) == year]


def papi_totals(year: int) -> dict[str, float]:
    """Province → total of the provinces scored on every sub-dimension (the published 'complete')."""
    return {r["province"]: float(r["total_unweighted"]) for r in papi_rows(year) if r["complete"] == "True"}


def rank_in(value: float, others: list[float]) -> int:
    v = round(value, NDIGITS)
    return 1 + sum(1 for o in others if round(o, NDIGITS) > v)


def percentile(values: list[float], p: float) -> float:
    xs = sorted(values)
    h = (len(xs) - 1) * p / 100
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (h - lo)


def quartile_group(x: float, population: list[float]) -> str:
    """METHODOLOGY §4.4: Cao ≥ P75, Trung bình cao ≥ P50, Trung bình thấp > P25, Thấp the rest."""
    r = lambda v: round(v, NDIGITS)  # noqa: E731
    if r(x) >= r(percentile(population, 75)):
        return "Cao"
    if r(x) >= r(percentile(population, 50)):
        return "Trung bình cao"
    if r(x) > r(percentile(population, 25)):
        return "Trung bình thấp"
    return "Thấp"


def unit(name: str, year: int):
    return resolve_unit(name, year)


# --- Kon Tum, PAPI 2023 ----------------------------------------------------------------------------


def test_kon_tum_papi_2023_as_published():
    totals = papi_totals(2023)
    a = analyse("papi", unit("Kon Tum", 2023), 2023)

    assert round(a.total, 4) == round(totals["Kon Tum"], 4) == 39.9613
    assert a.max == 80
    assert a.percent == pytest.approx(a.total / 80 * 100)
    others = [v for k, v in totals.items() if k != "Kon Tum"]
    assert (a.rank, a.rank_of) == (rank_in(totals["Kon Tum"], others), len(totals)) == (56, 61)
    assert a.rank_source == "computed"
    assert a.group == quartile_group(totals["Kon Tum"], list(totals.values())) == "Thấp"
    assert a.group_size == sum(
        1 for v in totals.values() if quartile_group(v, list(totals.values())) == "Thấp"
    )

    previous = papi_totals(2022)
    assert a.previous_year == 2022
    assert a.previous_total == pytest.approx(previous["Kon Tum"], abs=1e-5)
    assert a.delta_total == pytest.approx(totals["Kon Tum"] - previous["Kon Tum"], abs=1e-5)
    previous_rank = rank_in(previous["Kon Tum"], [v for k, v in previous.items() if k != "Kon Tum"])
    assert a.previous_rank == previous_rank
    assert a.delta_rank == previous_rank - 56  # places gained; negative = fell
    assert a.delta_rank == -2

    mean = sum(totals.values()) / len(totals)
    assert a.national_mean == pytest.approx(mean, abs=1e-5)
    assert a.diff_from_mean == pytest.approx(a.total - a.national_mean)
    assert a.national_median == pytest.approx(percentile(list(totals.values()), 50), abs=1e-5)


def test_2022_national_median_is_the_42_2377_the_methodology_quotes():
    a = analyse("papi", unit("Kon Tum", 2022), 2022)
    assert round(a.national_median, 4) == 42.2377
    assert round(percentile(list(papi_totals(2022).values()), 50), 4) == 42.2377


def test_papi_2019_quartile_groups_have_16_16_15_16_provinces():
    totals = papi_totals(2019)
    assert len(totals) == 63
    expected = {g: 0 for g in GROUPS}
    for v in totals.values():
        expected[quartile_group(v, list(totals.values()))] += 1
    assert expected == {"Cao": 16, "Trung bình cao": 16, "Trung bình thấp": 15, "Thấp": 16}
    ctx = year_figures("papi", 2019)
    assert ctx.derived.group_sizes == expected


def test_node_lines_carry_score_max_rank_and_lost_points():
    a = analyse("papi", unit("Kon Tum", 2023), 2023)
    by_code = {n.code: n for n in a.nodes}
    row = next(r for r in papi_rows(2023) if r["province"] == "Kon Tum")
    d1 = by_code["D1"]
    assert d1.score == pytest.approx(float(row["D1"]), abs=1e-5)
    assert d1.max == 10 and d1.lost_points == pytest.approx(10 - d1.score)
    assert d1.rank_of == 61 and 1 <= d1.rank <= 61
    assert by_code["D1.1"].score == pytest.approx(float(row["SC11"]))
    # Every leaf with points at stake is listed, most points first.
    lost = a.lost
    assert lost and all(n.is_leaf for n in lost)
    assert [n.lost_points for n in lost] == sorted((n.lost_points for n in lost), reverse=True)
    assert a.weaknesses and a.weaknesses[0].depth == 1


def test_strengths_and_weaknesses_consider_every_level():
    """A sub-dimension ranked in the top third is a strength even when its dimension is not (issue 10,
    item 19: "Ưu điểm" said there were none while sub-dimensions ranked 4th and 11th); nothing under a
    listed dimension is repeated."""
    for name in ("Kon Tum", "Quảng Ngãi", "Gia Lai"):
        a = analyse("papi", unit(name, 2023), 2023)
        listed = {n.code for n in a.strengths}
        for n in a.nodes:
            if n.depth >= 1 and n.rank and n.rank <= n.rank_of // 3:
                ancestors = [c for c in listed if n.code.startswith(c + ".")]
                assert n.code in listed or ancestors, (name, n.code, n.rank)
            if n.code in listed:
                assert not any(c != n.code and n.code.startswith(c + ".") for c in listed), n.code
        assert [n.depth for n in a.strengths] == sorted(n.depth for n in a.strengths)
        assert all(n.rank and n.rank > n.rank_of * 2 // 3 for n in a.weaknesses)


# --- rank sources, incomplete units, scale changes -------------------------------------------------


def test_par_2023_rank_is_the_published_one_when_the_year_is_not_fully_known():
    a = analyse("par", unit("Kon Tum", 2023), 2023)
    assert a.total == pytest.approx(86.14)
    assert (a.rank, a.rank_of, a.rank_source) == (43, 63, "published")
    assert a.computed_rank is None
    assert not a.full_coverage
    assert "(theo công bố)" in opening_text(a)


def test_a_published_total_without_its_parts_gets_its_par_group():
    """Newspapers print a PAR INDEX total without its four blocks: the total is the official figure,
    so the province gets its group (A ≥ 90, B 80–<90, C 70–<80 of 100 points) from it; no national
    mean is claimed over a year known for only part of the provinces."""
    from chiso.units.models import Unit

    old_quang_ngai = Unit.objects.get(kind="province", code="51", valid_from__isnull=True)
    a = analyse("par", old_quang_ngai, 2021)
    assert a.total == pytest.approx(86.45)
    assert a.group == "B" and a.group_source == "computed"
    assert (a.rank, a.rank_source) == (39, "published")
    assert a.national_mean is None and a.diff_from_mean is None


def test_papi_ranks_are_computed():
    a = analyse("papi", unit("Đắk Lắk", 2021), 2021)
    assert a.rank_source == "computed" and a.rank_of == len(papi_totals(2021))


def test_incomplete_units_are_shown_but_not_ranked_nor_averaged():
    totals = papi_totals(2022)
    assert "Bắc Giang" not in totals and "Bắc Ninh" not in totals
    for name in ("Bắc Giang", "Bắc Ninh"):
        a = analyse("papi", unit(name, 2022), 2022)
        assert not a.complete
        assert a.rank is None and a.group is None
    a = analyse("papi", unit("Kon Tum", 2022), 2022)
    assert a.n_scored == 61 and a.rank_of == 61
    assert a.national_mean == pytest.approx(sum(totals.values()) / len(totals), abs=1e-5)


def test_no_point_delta_across_the_2018_scale_change():
    a = analyse("papi", unit("Kon Tum", 2018), 2018)
    assert a.previous_year == 2017
    assert a.previous_total is not None
    assert a.delta_total is None
    assert "không so sánh trực tiếp điểm tổng" in a.previous_unit_note
    assert "so với năm 2017" not in opening_text(a)


def test_merged_unit_shows_its_predecessors_history():
    merged = unit("Quảng Ngãi", 2026)
    history = analysis_services.unit_history("papi", merged)
    names = {h["unit"].short_name: h for h in history}
    assert names["Kon Tum"]["is_predecessor"] and names["Quảng Ngãi"]["is_predecessor"]
    kon_tum_2023 = next(p for p in names["Kon Tum"]["series"] if p["year"] == 2023)
    assert round(kon_tum_2023["total"], 4) == 39.9613


# --- gap solver ------------------------------------------------------------------------------------

GAP_UNITS = ["Kon Tum", "Đắk Lắk", "Hà Nội", "Bình Định", "An Giang"]


@pytest.mark.parametrize("name", GAP_UNITS)
def test_needed_increase_really_lifts_the_unit_the_asked_number_of_places(name):
    u = unit(name, 2023)
    ctx = year_figures("papi", 2023)
    total = ctx.derived.units[u.pk].total
    others = ctx.derived.totals(exclude=u.pk)
    current = rank_in(total, others)
    for places in range(1, 11):
        g = gap("papi", u, 2023, places=places)
        target = max(1, current - places)
        assert (g.current_rank, g.target_rank) == (current, target)
        assert g.needed_increase >= 0
        assert rank_in(total + g.needed_increase, others) <= target, (name, places)
        if g.needed_increase > 0:
            assert rank_in(total + g.needed_increase - 1e-6, others) > target, (name, places)
            # The suggested nodes can supply it.
            assert sum(s.available for s in g.cover) >= g.needed_increase - 1e-9


@pytest.mark.parametrize("name", GAP_UNITS)
@pytest.mark.parametrize("group", ["Cao", "Trung bình cao"])
def test_needed_increase_really_reaches_the_group(name, group):
    u = unit(name, 2023)
    ctx = year_figures("papi", 2023)
    total = ctx.derived.units[u.pk].total
    others = ctx.derived.totals(exclude=u.pk)
    order = GROUPS.index(group)

    g = gap("papi", u, 2023, group=group)

    reached = quartile_group(total + g.needed_increase, [*others, total + g.needed_increase])
    assert GROUPS.index(reached) <= order, (name, group, reached)
    if g.needed_increase > 0:
        x = total + g.needed_increase - 1e-6
        assert GROUPS.index(quartile_group(x, [*others, x])) > order, (name, group)


def test_gap_goals_are_checked():
    u = unit("Kon Tum", 2023)
    with pytest.raises(AnalysisError, match="không có; các nhóm là: Cao"):
        gap("papi", u, 2023, group="Xuất sắc")
    with pytest.raises(AnalysisError, match="từ 1 trở lên"):
        gap("papi", u, 2023, places=0)
    g = gap("papi", u, 2023, score=45)
    assert g.needed_increase == pytest.approx(45 - g.current_total)
    g = gap("papi", u, 2023, top=10)
    assert (
        rank_in(g.current_total + g.needed_increase, year_figures("papi", 2023).derived.totals(exclude=u.pk))
        <= 10
    )


# --- what-if ---------------------------------------------------------------------------------------


def test_what_if_with_no_change_is_the_current_standing():
    u = unit("Kon Tum", 2023)
    a = analyse("papi", u, 2023)
    w = what_if("papi", u, 2023, {})
    assert w.total == pytest.approx(a.total)
    assert w.rank == a.rank and w.rank_of == a.rank_of
    assert w.group == a.group
    assert not w.delta_total


def test_what_if_raising_a_node_moves_total_rank_and_group():
    u = unit("Kon Tum", 2023)
    a = analyse("papi", u, 2023)
    d83 = next(n for n in a.nodes if n.code == "D8.3")
    w = what_if("papi", u, 2023, {"D8.3": d83.max})
    assert w.total == pytest.approx(a.total + d83.max - d83.score)
    others = year_figures("papi", 2023).derived.totals(exclude=u.pk)
    assert w.rank == rank_in(w.total, others) < a.rank
    assert w.group == quartile_group(w.total, [*others, w.total])


def test_what_if_refuses_impossible_values_in_vietnamese():
    u = unit("Kon Tum", 2023)
    with pytest.raises(AnalysisError, match="vượt điểm tối đa"):
        what_if("papi", u, 2023, {"D8.3": 5})
    with pytest.raises(AnalysisError, match="Không có nút"):
        what_if("papi", u, 2023, {"X9": 1})
    with pytest.raises(AnalysisError, match="nội dung con"):
        what_if("papi", u, 2023, {"D1": 9})


# --- the opening text a plan uses -------------------------------------------------------------------


def vn(x: float) -> str:
    return f"{x:.4f}".replace(".", ",")


def test_opening_text():
    totals, previous = papi_totals(2023), papi_totals(2022)
    below_mean = sum(totals.values()) / len(totals) - totals["Kon Tum"]
    fell = previous["Kon Tum"] - totals["Kon Tum"]
    assert below_mean > 0 and fell > 0

    text = opening_text(analyse("papi", unit("Kon Tum", 2023), 2023))

    assert text.startswith("Chỉ số PAPI năm 2023 của tỉnh đạt 39,9613 điểm")
    assert f"thấp hơn trung bình chung cả nước {vn(below_mean)} điểm" in text
    assert "xếp thứ 56/61" in text
    assert "thuộc nhóm Thấp" in text
    assert f"giảm {vn(fell)} điểm và giảm 2 bậc so với năm 2022" in text


def test_a_merged_province_is_compared_with_its_predecessors(admin_user):
    """Quảng Ngãi since 1 July 2025 has no 2024 result of its own: its first result is compared
    with Kon Tum's and the old Quảng Ngãi's 2024 results, and the page says so."""
    from chiso.results.importer import commit_import
    from chiso.units.models import Unit

    merged = Unit.objects.get(kind="province", code="51", valid_from__isnull=False)
    header = "year,gso_code,province,D1,D2,D3,D4,D5,D6,D7,D8\n"
    row = "2025,51,Quảng Ngãi,5,5,5,6,7,7,3,3\n"
    commit_import((header + row).encode(), "papi-2025.csv", index_code="papi", year=2025, user=admin_user)
    a = analyse("papi", merged, 2025)
    assert a.total == pytest.approx(41.0)
    assert a.previous_total is None and a.delta_total is None
    names = {d["unit"].short_name: d for d in a.predecessors_previous}
    assert set(names) == {"Kon Tum", "Quảng Ngãi"} and all(d["year"] == 2024 for d in names.values())
    assert names["Kon Tum"]["total"] == pytest.approx(papi_totals(2024)["Kon Tum"], abs=1e-4)
    assert "hình thành do sáp nhập" in a.previous_unit_note and "Kon Tum" in a.previous_unit_note


# --- "at least" figures are rounded up; impossible goals are refused (issue 10, item 3) --------------


def test_the_shown_minimum_really_reaches_the_goal_when_applied():
    """The figure a coordinator reads (and copies into a plan) is rounded UP at the framework's
    precision: applying it reaches the goal. Rounded to nearest it would, somewhere, miss it."""
    from chiso.core.text import format_number, parse_number

    nearest_would_miss = 0
    for name in GAP_UNITS:
        u = unit(name, 2023)
        ctx = year_figures("papi", 2023)
        total = ctx.derived.units[u.pk].total
        others = ctx.derived.totals(exclude=u.pk)
        for places in range(1, 8):
            g = gap("papi", u, 2023, places=places)
            shown = parse_number(g.needed_text)
            assert rank_in(total + shown, others) <= g.target_rank, (name, places, g.needed_text)
            assert parse_number(g.new_total_text) >= total + g.needed_increase - 1e-12
            nearest = parse_number(format_number(g.needed_increase, 4))
            if rank_in(total + nearest, others) > g.target_rank:
                nearest_would_miss += 1
    assert nearest_would_miss > 0  # the case the issue reported exists in the real data


def test_impossible_goals_are_refused_with_the_reason():
    u = unit("Kon Tum", 2023)
    with pytest.raises(AnalysisError, match="chỉ có thể tăng tối đa 55 bậc"):
        gap("papi", u, 2023, places=56)
    with pytest.raises(AnalysisError, match="vượt điểm tối đa 80"):
        gap("papi", u, 2023, score=81)
    with pytest.raises(AnalysisError, match="phải nhỏ hơn 61"):
        gap("papi", u, 2023, top=61)
    best = max(year_figures("papi", 2023).derived.units.values(), key=lambda d: d.total or 0)
    from chiso.units.models import Unit

    with pytest.raises(AnalysisError, match="đã xếp thứ nhất"):
        gap("papi", Unit.objects.get(pk=best.key), 2023, places=1)


def test_fractional_places_are_refused_on_the_web_not_truncated(viewer_client):
    u = unit("Kon Tum", 2023)
    response = viewer_client.get(
        f"/phan-tich/papi/{u.pk}/2023/khoang-cach/", {"goal": "places", "value": "5,7"}
    )
    assert response.status_code == 400
    assert "phải là số nguyên" in response.content.decode()
    response = viewer_client.get(
        f"/phan-tich/papi/{u.pk}/2023/khoang-cach/", {"goal": "score", "value": "95"}
    )
    assert response.status_code == 400 and "vượt điểm tối đa" in response.content.decode()


def test_the_web_gap_shows_the_rounded_up_minimum(viewer_client):
    import re

    from chiso.core.text import parse_number

    u = unit("Kon Tum", 2023)
    g = gap("papi", u, 2023, places=5)
    html = viewer_client.get(
        f"/phan-tich/papi/{u.pk}/2023/khoang-cach/", {"goal": "places", "value": "5"}
    ).content.decode()
    shown = re.search(r"tối thiểu <strong>([\d.,]+)</strong>", html).group(1)
    assert shown == g.needed_text and parse_number(shown) >= g.needed_increase


# --- a partial year: one rule for the rank card, the gap and the charts (issue 10, item 4) ---------


def test_a_partial_year_gap_never_ranks_among_the_units_with_data(viewer_client):
    """PAR INDEX 2023 is known for part of the 63 provinces; Kon Tum's published rank is 43/63. The
    gap, the what-if and the chart either use that or say plainly that they cannot."""
    u = unit("Kon Tum", 2023)
    ctx = year_figures("par", 2023)
    assert not ctx.derived.full_coverage and ctx.derived.n_with_data < 63
    n = ctx.derived.n_with_data
    with pytest.raises(AnalysisError, match="43/63") as exc:
        gap("par", u, 2023, places=5)
    assert f"{n}/63" in str(exc.value) and "theo số điểm" in str(exc.value)
    with pytest.raises(AnalysisError, match="43/63"):
        gap("par", u, 2023, top=10)
    g = gap("par", u, 2023, score=90)  # an absolute goal is answered, with the published rank
    assert (g.current_rank, g.rank_of) == (43, 63) and g.needed_increase == pytest.approx(90 - 86.14)
    assert g.note
    w = what_if("par", u, 2023, {})
    assert w.rank is None

    page = viewer_client.get(f"/phan-tich/par/{u.pk}/2023/").content.decode()
    assert "43/63" in page
    for url, params in (
        (f"/phan-tich/par/{u.pk}/2023/khoang-cach/", {"goal": "places", "value": "5"}),
        (f"/phan-tich/par/{u.pk}/2023/khoang-cach/", {"goal": "score", "value": "90"}),
        (f"/phan-tich/par/{u.pk}/2023/gia-dinh/", {}),
    ):
        html = viewer_client.get(url, params).content.decode()
        for among in {n, ctx.derived.n_scored}:  # never "18/28": a rank among those with data
            assert f"/{among}" not in html, (url, params)
    svg = viewer_client.get(f"/phan-tich/par/{u.pk}/2023/bieu-do/distribution.svg").content.decode()
    assert "43/63" in svg and "so với cả nước" not in svg
    assert f"/{n})" not in svg and f"/{ctx.derived.n_scored})" not in svg

    api = viewer_client.get(f"/api/gap/par/{u.pk}/2023/", {"places": 5})
    assert api.status_code == 400 and "43/63" in api.json()["detail"]
    data = viewer_client.get(f"/api/whatif/par/{u.pk}/2023/").json()
    assert data["rank"] is None and data["note"]
