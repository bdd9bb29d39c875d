"""The operator's command line: `analyse --format json` carries every figure the issue lists
(unrounded), `gap --places 5 --format json` the needed increase and the nodes that can supply it;
`import_results` previews without writing unless `--commit` is given, and a broken file stops with a
Vietnamese message and writes nothing."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from chiso.analysis import services as analysis_services
from chiso.results.models import ImportBatch, Result

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parents[2] / "results" / "tests" / "files"

ANALYSIS_KEYS = {
    "unit", "index", "year", "total", "max", "percent", "rank", "rank_of", "rank_source", "group",
    "group_size", "previous_total", "delta_total", "previous_rank", "delta_rank", "national_mean",
    "diff_from_mean", "national_median", "nodes",
}  # fmt: skip
NODE_KEYS = {"code", "name", "score", "max", "rank", "rank_of", "delta", "lost_points"}
GAP_KEYS = {"current_total", "current_rank", "target_rank", "needed_increase", "suggestions"}
SUGGESTION_KEYS = {"code", "name", "score", "max", "available"}


@pytest.fixture(autouse=True)
def _fresh_caches():
    analysis_services.clear_caches()
    cache.clear()
    yield
    analysis_services.clear_caches()
    cache.clear()


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_analyse_json_has_every_key_the_issue_lists():
    data = json.loads(run("analyse", index="papi", unit="Kon Tum", year=2023, format="json"))
    assert ANALYSIS_KEYS <= set(data)
    assert data["unit"] == "Kon Tum" and data["index"] == "papi" and data["year"] == 2023
    assert round(data["total"], 4) == 39.9613 and data["total"] != 39.9613  # unrounded
    assert (data["rank"], data["rank_of"], data["rank_source"]) == (56, 61, "computed")
    assert data["group"] == "Thấp" and data["group_size"] == 16
    assert data["max"] == 80 and data["percent"] == pytest.approx(data["total"] / 80 * 100)
    assert data["delta_rank"] == data["previous_rank"] - data["rank"]
    assert data["delta_total"] == pytest.approx(data["total"] - data["previous_total"])
    assert data["diff_from_mean"] == pytest.approx(data["total"] - data["national_mean"])
    assert data["nodes"] and all(NODE_KEYS <= set(n) for n in data["nodes"])
    d1 = next(n for n in data["nodes"] if n["code"] == "D1")
    assert d1["lost_points"] == pytest.approx(d1["max"] - d1["score"])


def test_analyse_par_uses_the_published_rank():
    data = json.loads(run("analyse", index="par", unit="Tỉnh Kon Tum", year=2023, format="json"))
    assert (data["rank"], data["rank_of"], data["rank_source"]) == (43, 63, "published")


def test_analyse_text_is_the_opening_paragraph():
    text = run("analyse", index="papi", unit="kon tum", year=2023)
    assert "39,9613 điểm" in text and "xếp thứ 56/61" in text


def test_analyse_unknown_unit_is_a_vietnamese_error():
    with pytest.raises(CommandError, match="Không tìm thấy đơn vị “Phù Tang”"):
        run("analyse", index="papi", unit="Phù Tang", year=2023)
    with pytest.raises(CommandError, match="không có hiệu lực trong năm 2030"):
        run("analyse", index="papi", unit="Kon Tum", year=2030)
    with pytest.raises(CommandError, match="Chưa có kết quả PAPI năm 2030 của Hà Nội"):
        run("analyse", index="papi", unit="Hà Nội", year=2030)


def test_gap_json():
    data = json.loads(run("gap", index="papi", unit="Kon Tum", year=2023, places=5, format="json"))
    assert GAP_KEYS <= set(data)
    assert (data["current_rank"], data["target_rank"]) == (56, 51)
    assert data["needed_increase"] > 0
    assert data["suggestions"] and all(SUGGESTION_KEYS <= set(s) for s in data["suggestions"])
    first = data["suggestions"][0]
    assert first["available"] == pytest.approx(first["max"] - first["score"])
    assert [s["available"] for s in data["suggestions"]] == sorted(
        (s["available"] for s in data["suggestions"]), reverse=True
    )


def test_gap_text():
    text = run("gap", "--index=papi", "--unit=Kon Tum", "--year=2023", "--group=Cao")
    assert "Cần tăng tối thiểu" in text and "Giả định điểm của các đơn vị khác năm 2023 giữ nguyên" in text


def footprint():
    return Result.objects.count(), ImportBatch.objects.count(), Result.history.count()


def test_import_results_without_commit_writes_nothing(tmp_path):
    path = tmp_path / "kon_tum.csv"
    path.write_text("Tỉnh;Năm;D1.1\nKon Tum;2023;0,9\n", encoding="utf-8")
    before = footprint()
    out = run("import_results", str(path), index="papi", year=2023)
    assert "1 thay đổi" in out and "thêm --commit để ghi" in out
    assert footprint() == before
    assert Result.objects.get(unit__code="62", node__code="D1.1", year=2023).value == pytest.approx(
        0.875979662
    )


def test_import_results_with_commit_writes(tmp_path, coordinator, admin_user):
    path = tmp_path / "kon_tum.csv"
    path.write_text("Tỉnh;Năm;D1.1\nKon Tum;2023;0,9\n", encoding="utf-8")
    # National results are the administrators' to change: a coordinator named as the importer is refused.
    with pytest.raises(CommandError, match="quản trị hệ thống"):
        run("import_results", str(path), index="papi", year=2023, commit=True, user=coordinator.username)
    assert not ImportBatch.objects.filter(file_name="kon_tum.csv").exists()
    out = run("import_results", str(path), index="papi", year=2023, commit=True, user=admin_user.username)
    assert "Đã ghi lần nhập" in out and "1 giá trị thay đổi" in out
    assert Result.objects.get(unit__code="62", node__code="D1.1", year=2023).value == pytest.approx(0.9)
    batch = ImportBatch.objects.latest("pk")
    assert batch.created_by == admin_user and batch.file_name == "kon_tum.csv"
    # Again: nothing changes.
    out = run("import_results", str(path), index="papi", year=2023, commit=True)
    assert "0 giá trị thay đổi" in out


def test_import_results_real_slice_is_unchanged():
    out = run("import_results", str(FILES / "papi_2023_tay_nguyen.csv"), index="papi", year=2023)
    assert "0 mới, 0 thay đổi, 4 không đổi" in out


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("score_above_max.csv", "vượt điểm tối đa"),
        ("papi_2023_tcvn3.csv", "bảng mã cũ"),
        ("unknown_unit.csv", "Không tìm thấy đơn vị"),
    ],
)
def test_import_results_bad_file_is_a_vietnamese_error_and_writes_nothing(name, phrase):
    before = footprint()
    with pytest.raises(CommandError) as exc:
        run("import_results", str(FILES / name), index="papi", year=2023, commit=True)
    assert "Không ghi gì" in str(exc.value) and phrase in str(exc.value)
    assert footprint() == before


def test_import_results_missing_file():
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        run("import_results", "/khong/co/tep.csv", index="papi", year=2023)
