"""``chiso assessment open|import-scores|advance|summary``: the JSON keys exactly as issue 8 writes them,
their values on a small round (``final_total``: the re-appraised total where there is one, else the
appraised, else null), and every refusal a CommandError with the Vietnamese message that writes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chiso.assessment.models import Round, Score, Sheet
from chiso.assessment.services import rounds, sheets
from chiso.results.models import Result

SELF_DAY = dt.date(2026, 1, 10)


def run(*args) -> str:
    out = io.StringIO()
    call_command("assessment", *args, stdout=out)
    return out.getvalue()


def run_json(*args):
    return json.loads(run(*args, "--format", "json"))


def _refused(*args, match: str) -> CommandError:
    with pytest.raises(CommandError, match=match) as exc:
        run(*args)
    assert exc.value.returncode == 2
    return exc.value


def _snapshot():
    return (
        list(Round.objects.order_by("pk").values()),
        list(Sheet.objects.order_by("pk").values()),
        list(Score.objects.order_by("pk").values()),
    )


def test_open_prints_the_round_and_its_units(scene):
    data = run_json(
        "open", "--index", "cchc-so", "--year", "2025", "--province", "Quảng Ngãi", "--units", "department",
        "--self-deadline", "15/01/2026", "--appraisal-deadline", "2026-01-31",
    )  # fmt: skip
    rnd = Round.objects.get()
    assert data == {"round": rnd.pk, "units": ["Sở Tư pháp", "Sở Xây dựng", "Sở Y tế"]}
    assert (rnd.framework, rnd.province, rnd.scope) == (scene.framework, scene.province, "department")
    assert (rnd.self_deadline, rnd.appraisal_deadline) == (dt.date(2026, 1, 15), dt.date(2026, 1, 31))
    assert rnd.created_by is None  # an operator's command


def test_open_defaults_and_refusals_write_nothing(scene):
    before = _snapshot()
    _refused("open", "--index", "khong-co", "--year", "2025", "--province", "Quảng Ngãi",
             match="Không có chỉ số “khong-co”")  # fmt: skip
    _refused("open", "--index", "cchc-so", "--year", "2024", "--province", "Quảng Ngãi",
             match="Chưa có bộ chỉ số CCHC sở, ngành áp dụng cho năm 2024")  # fmt: skip
    _refused("open", "--index", "cchc-so", "--year", "2025", "--province", "Atlantis",
             match="Không tìm thấy đơn vị “Atlantis”")  # fmt: skip
    _refused("open", "--index", "cchc-so", "--year", "2025", "--province", "Quảng Ngãi", "--user", "cb_tp",
             match="Chỉ chuyên viên điều phối của tỉnh mở được đợt đánh giá")  # fmt: skip
    _refused("open", "--index", "cchc-so", "--year", "2025", "--province", "Quảng Ngãi", "--user", "ai-do",
             match="Không có tài khoản “ai-do”")  # fmt: skip
    _refused("open", "--index", "cchc-so", "--year", "2025", "--province", "Quảng Ngãi",
             "--self-deadline", "31/01/2026", "--appraisal-deadline", "15/01/2026",
             match="Hạn của giai đoạn sau không được sớm hơn giai đoạn trước")  # fmt: skip
    assert _snapshot() == before
    # the index's kind of unit is the default; a coordinator given with --user may open it
    data = run_json(
        "open", "--index", "cchc-so", "--year", "2025", "--province", "Quảng Ngãi", "--user", "dp"
    )
    assert Round.objects.get(pk=data["round"]).scope == "department"
    assert Round.objects.get(pk=data["round"]).created_by == scene.coordinator
    _refused("open", "--index", "cchc-so", "--year", "2025", "--province", "Quảng Ngãi",
             match="Tỉnh đã có đợt đánh giá CCHC sở, ngành năm 2025")  # fmt: skip


def test_import_scores_previews_then_commits_all_or_nothing(scene, open_round, tmp_path):
    rnd = open_round(self=dt.date(2099, 1, 1), appraisal=None, explanation=None, final=None)
    good = tmp_path / "diem.csv"
    good.write_text('Đơn vị,1.3,1.4\nSở Tư pháp,3,2\nSở Y tế,"1,5",\n', encoding="utf-8")
    out = run("import-scores", str(good), "--round", str(rnd.pk), "--stage", "self")
    assert "Tổng: 2 mới, 0 thay đổi, 0 không đổi, 0 lỗi; 3 điểm sẽ ghi." in out
    assert "Xem trước xong; thêm --commit để ghi." in out and not Score.objects.exists()
    data = run_json("import-scores", str(good), "--round", str(rnd.pk), "--stage", "self", "--commit")
    assert data["committed"] is True and data["written"] == 3
    assert data["rows"][0] == {
        "line": 2,
        "unit": "Sở Tư pháp",
        "status": "new",
        "errors": [],
        "warnings": [],
        "cells": [
            {"criterion": "1.3", "old": None, "new": 3.0, "status": "new"},
            {"criterion": "1.4", "old": None, "new": 2.0, "status": "new"},
        ],
    }
    assert rnd.sheets.get(unit=scene.tuphap).self_total == 5.0
    # the same file again: nothing to write
    again = run_json("import-scores", str(good), "--round", str(rnd.pk), "--stage", "self", "--commit")
    assert again["written"] == 0 and [r["status"] for r in again["rows"]] == ["unchanged", "unchanged"]
    # a broken file: every problem, non-zero exit, nothing written
    bad = tmp_path / "loi.csv"
    bad.write_text("Đơn vị,1.3,1.4\nSở Tư pháp,1,2\nSở Y tế,7,\n", encoding="utf-8")
    before = _snapshot()
    error = _refused("import-scores", str(bad), "--round", str(rnd.pk), "--stage", "self", "--commit",
                     match="Không ghi gì vì tệp có lỗi")  # fmt: skip
    assert "Dòng 3: cột “1.3”: 7 vượt điểm tối đa 3." in str(error)
    assert _snapshot() == before
    _refused("import-scores", str(good), "--round", str(rnd.pk), "--stage", "self", "--user", "cb_tp",
             match="Chỉ chuyên viên điều phối của tỉnh nhập được điểm từ tệp")  # fmt: skip
    _refused("import-scores", str(tmp_path / "khong.csv"), "--round", str(rnd.pk), "--stage", "self",
             match="Không tìm thấy tệp")  # fmt: skip
    _refused(
        "import-scores",
        str(good),
        "--round",
        "9999",
        "--stage",
        "self",
        match="Không có đợt đánh giá số 9999",
    )


def test_advance_to_the_next_phase_or_straight_to_closed(scene, open_round):
    rnd = open_round()
    _refused("advance", "--round", str(rnd.pk), "--user", "cb_tp", match="Bạn không có quyền")
    _refused("advance", "--round", str(rnd.pk), "--to", "xong",
             match="Không có giai đoạn “xong”; các giai đoạn: self_assessment")  # fmt: skip
    _refused("advance", "--round", str(rnd.pk), "--to", "reappraisal",
             match="Không chuyển được từ «Tự đánh giá» sang «Thẩm định lại»")  # fmt: skip
    assert Round.objects.get(pk=rnd.pk).status == "self_assessment"
    assert run_json("advance", "--round", str(rnd.pk)) == {"round": rnd.pk, "stage": "appraisal"}
    assert "«Thẩm định» → «Giải trình»" in run("advance", "--round", str(rnd.pk), "--user", "dp")
    sheets.save(rnd.sheets.get(unit=scene.tuphap), scene.officer_tp, "explanation", {"1.3": {"note": "x"}},
                today=dt.date(2026, 2, 5))  # fmt: skip
    assert run_json("advance", "--round", str(rnd.pk), "--to", "closed") == {
        "round": rnd.pk,
        "stage": "closed",
    }
    _refused("advance", "--round", str(rnd.pk), match="Đợt đánh giá đã kết thúc")


def test_summary_json_keys_and_the_meaning_of_final_total(scene, open_round):
    rnd = open_round()
    tp, yt, xd = (rnd.sheets.get(unit=u) for u in (scene.tuphap, scene.yte, scene.xd))
    sheets.save(tp, scene.officer_tp, "self", {"1.3": {"score": 3}, "1.4": {"score": 2}, "2.1": {"score": 4}},
                today=SELF_DAY)  # fmt: skip
    sheets.save(yt, scene.officer_yt, "self", {"1.3": {"score": 1}, "1.4": {"score": 1}}, today=SELF_DAY)
    sheets.save(xd, scene.officer_xd, "self", {"1.3": {"score": 2}}, today=SELF_DAY)
    data = run_json("summary", "--round", str(rnd.pk))
    assert list(data) == ["round", "index", "year", "stage", "units"]
    assert (data["round"], data["index"], data["year"], data["stage"]) == (
        rnd.pk,
        "cchc-so",
        2025,
        "self_assessment",
    )
    assert list(data["units"][0]) == [
        "unit", "self_total", "appraised_total", "final_total", "percent", "rank", "class",
    ]  # fmt: skip
    # before any appraisal: no appraised nor final total; ranked on the self-assessment
    assert [(u["unit"], u["self_total"], u["appraised_total"], u["final_total"]) for u in data["units"]] == [
        ("Sở Tư pháp", 9.0, None, None),
        ("Sở Xây dựng", 2.0, None, None),
        ("Sở Y tế", 2.0, None, None),
    ]
    rnd = rounds.advance(rnd, scene.coordinator)
    sheets.save(tp, scene.appraiser, "appraisal", {"1.3": {"score": 2}}, today=dt.date(2026, 1, 20))
    sheets.save(yt, scene.appraiser, "appraisal", {"1.4": {"score": 0.5}}, today=dt.date(2026, 1, 20))
    rnd = rounds.advance(rnd, scene.coordinator)
    rnd = rounds.advance(rnd, scene.coordinator)
    sheets.save(tp, scene.appraiser, "final", {"1.3": {"score": 2.5}}, today=dt.date(2026, 2, 15))
    data = run_json("summary", "--round", str(rnd.pk))
    assert data["stage"] == "reappraisal"
    assert data["units"] == [
        # re-appraised: final_total is the re-appraisal (appraised 8 → 8,5)
        {"unit": "Sở Tư pháp", "self_total": 9.0, "appraised_total": 8.0, "final_total": 8.5, "percent": 8.5,
         "rank": 1, "class": "Yếu"},
        # never appraised: no final total; its percent is its self-assessment's
        {"unit": "Sở Xây dựng", "self_total": 2.0, "appraised_total": None, "final_total": None, "percent": 2.0,
         "rank": 2, "class": "Yếu"},
        # appraised, not re-appraised: final_total is the appraised total
        {"unit": "Sở Y tế", "self_total": 2.0, "appraised_total": 1.5, "final_total": 1.5, "percent": 1.5,
         "rank": 3, "class": "Yếu"},
    ]  # fmt: skip
    text = run("summary", "--round", str(rnd.pk))
    assert "Sở Tư pháp" in text and "8,5" in text
    # reading the summary writes nothing
    history = Sheet.history.count()
    run("summary", "--round", str(rnd.pk))
    assert Sheet.history.count() == history
    # closing publishes the final totals (final, else self) as the index's results
    run("advance", "--round", str(rnd.pk), "--to", "closed")
    assert Result.objects.get(unit=scene.tuphap, node__code="TONG", year=2025).value == 8.5
    assert run_json("summary", "--round", str(rnd.pk))["stage"] == "closed"
