"""Scores imported from a file (``services.imports``): the preview says per row and cell what is new,
changed, unchanged or wrong (in Vietnamese, naming the line and column) and writes nothing; the commit
writes everything or nothing, with the history, versions and totals of typed scores; importing the same
file again changes nothing; survey criteria are imported with their source and count at every stage; who
may import, and when."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chiso.assessment.models import Round, Score, Sheet
from chiso.assessment.services import rounds, sheets
from chiso.assessment.services.imports import commit_scores, preview_scores
from chiso.assessment.services.results import summary_data
from chiso.units.models import Unit

SELF_DAY = dt.date(2026, 1, 10)
APPRAISAL_DAY = dt.date(2026, 1, 20)


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


GOOD = _csv(
    "Đơn vị,1.3,1.4,2.1,T.1,P.1",
    'Sở Tư pháp,2.5,2,"3,5",1,0',
    "Sở Y tế,1,1.5,2,,-0.5",
)


def _scores(sheet: Sheet, name: str = "self_score") -> dict[str, float | None]:
    return dict(Score.objects.filter(sheet=sheet).values_list("node__code", name))


def _state():
    return (
        list(Score.objects.order_by("pk").values()),
        list(Sheet.objects.order_by("pk").values()),
        Score.history.count(),
        Sheet.history.count(),
    )


def test_preview_writes_nothing_and_commit_writes_all_with_history_and_totals(scene, open_round):
    rnd = open_round()
    before = _state()
    preview = preview_scores(rnd, GOOD, "diem.csv", "self", user=scene.coordinator, today=SELF_DAY)
    assert preview.ok, preview.error_messages
    assert [(r.unit.short_name, r.status) for r in preview.rows] == [
        ("Sở Tư pháp", "new"),
        ("Sở Y tế", "new"),
    ]
    assert [(c.node_code, c.new, c.status) for c in preview.rows[0].cells] == [
        ("1.3", 2.5, "new"),
        ("1.4", 2.0, "new"),
        ("2.1", 3.5, "new"),
        ("T.1", 1.0, "new"),
        ("P.1", 0.0, "new"),
    ]
    assert preview.counts == {"new": 2, "changed": 0, "unchanged": 0, "error": 0, "values_changed": 9}
    assert _state() == before

    done = commit_scores(rnd, GOOD, "diem.csv", "self", scene.coordinator, today=SELF_DAY)
    assert done.written == 9
    tp = rnd.sheets.get(unit=scene.tuphap)
    assert _scores(tp) == {"1.3": 2.5, "1.4": 2.0, "2.1": 3.5, "T.1": 1.0, "P.1": 0.0}
    yt = rnd.sheets.get(unit=scene.yte)
    assert _scores(yt) == {"1.3": 1.0, "1.4": 1.5, "2.1": 2.0, "P.1": -0.5}
    assert tp.state == Sheet.State.IN_PROGRESS and tp.self_total == 9.0 and yt.self_total == 4.0
    assert rnd.sheets.get(unit=scene.xd).state == Sheet.State.NOT_STARTED
    record = Score.history.filter(sheet_id=tp.pk, node__code="1.3").get()
    assert record.history_user == scene.coordinator
    digest = hashlib.sha256(GOOD).hexdigest()[:12]
    assert record.history_change_reason == f"Nhập điểm tự đánh giá từ tệp “diem.csv”, SHA-256 {digest}…"
    # self-scores carry no source: they are the unit's own
    assert set(Score.objects.filter(sheet=tp).values_list("source", flat=True)) == {""}


def test_importing_the_same_file_twice_changes_nothing(scene, open_round):
    rnd = open_round()
    commit_scores(rnd, GOOD, "diem.csv", "self", scene.coordinator, today=SELF_DAY)
    before = _state()
    preview = preview_scores(rnd, GOOD, "diem.csv", "self", user=scene.coordinator, today=SELF_DAY)
    assert [r.status for r in preview.rows] == ["unchanged", "unchanged"]
    assert preview.counts["values_changed"] == 0
    assert commit_scores(rnd, GOOD, "diem.csv", "self", scene.coordinator, today=SELF_DAY).written == 0
    assert _state() == before
    # one value changed: that cell is "changed", the rest unchanged; the old value is shown
    changed = GOOD.replace(b"Y t\xe1\xba\xbf,1,", b"Y t\xe1\xba\xbf,1.5,")
    preview = preview_scores(rnd, changed, "diem.csv", "self", user=scene.coordinator, today=SELF_DAY)
    assert [r.status for r in preview.rows] == ["unchanged", "changed"]
    cell = next(c for c in preview.rows[1].cells if c.status == "changed")
    assert (cell.node_code, cell.old, cell.new) == ("1.3", 1.0, 1.5)


def test_an_import_makes_an_open_form_stale(scene, open_round):
    rnd = open_round()
    tp = rnd.sheets.get(unit=scene.tuphap)
    sheets.save(tp, scene.officer_tp, "self", {"1.3": {"score": 1}}, today=SELF_DAY)
    opened_at = Score.objects.get(sheet=tp, node__code="1.3").version
    commit_scores(rnd, GOOD, "diem.csv", "self", scene.coordinator, today=SELF_DAY)
    with pytest.raises(sheets.StaleScores, match="dp đã sửa tiêu chí này"):
        sheets.save(
            tp, scene.officer_tp, "self", {"1.3": {"score": 3}}, versions={"1.3": opened_at}, today=SELF_DAY
        )
    assert Score.objects.get(sheet=tp, node__code="1.3").self_score == 2.5


def test_every_broken_cell_is_named_and_nothing_is_written(scene, open_round):
    rnd = open_round()
    Unit.objects.create(kind="department", code="QNG-STC", name="Sở Tài chính", parent=scene.province)
    tp = rnd.sheets.get(unit=scene.tuphap)
    sheets.save(
        tp, scene.officer_tp, "self", {"3.3": {"na": True, "note": "Không có phản ánh"}}, today=SELF_DAY
    )
    data = _csv(
        "STT,Đơn vị,1.3,2.1,3.3,1.1,9.9,8.1,3.4,Ghi chú",
        '1,Sở Tư pháp,"2,3",9,2,,,,1,',
        '2,Sở Y tế,abc,-1,,1,2,7,"1,25",ghi chú tự do',
        "3,Sở Ngoại vụ,1,,,,,,,",
        "4,Sở Tài chính,1,,,,,,,",
        "5,Sở Tư pháp,1,,,,,,,",
        "6,Sở Xây dựng,1,1,,,,,,",
    )
    before = _state()
    preview = preview_scores(rnd, data, "loi.csv", "self", user=scene.coordinator, today=SELF_DAY)
    assert not preview.ok
    assert preview.ignored == ["STT", "Ghi chú"]
    assert [r.status for r in preview.rows] == ["error", "error", "error", "error", "error", "new"]
    messages = preview.error_messages
    expected = [
        "Dòng 2: cột “1.3”: điểm phải theo bước 0,5 (ví dụ 2).",
        "Dòng 2: cột “2.1”: 9 vượt điểm tối đa 4.",
        "Dòng 2: cột “3.3”: đơn vị đã đánh dấu tiêu chí 3.3 “không áp dụng”; bỏ đánh dấu trên phiếu rồi nhập lại.",
        "Dòng 3: cột “1.3”: “abc” không phải là số.",
        "Dòng 3: cột “2.1”: -1 thấp hơn điểm tối thiểu 0.",
        "Dòng 3: cột “1.1”: “1.1” không được chấm trực tiếp: điểm của nó cộng từ các tiêu chí thành phần "
        "(1.1.1, 1.1.2, 1.1.3, 1.1.4).",
        "Dòng 3: cột “9.9”: không có tiêu chí mã “9.9” trong bộ chỉ số Chỉ số CCHC các sở, ban, ngành năm 2025 "
        "(minh họa).",
        "Dòng 3: cột “8.1”: điểm tiêu chí 8.1 lấy từ kết quả khảo sát: nhập ở giai đoạn “khảo sát” (survey).",
        "Dòng 3: cột “3.4”: điểm phải theo bước 0,5 (ví dụ 1).",
        "Dòng 4: Không tìm thấy đơn vị “Sở Ngoại vụ”.",
        "Dòng 5: Sở Tài chính không thuộc đợt đánh giá này.",
        "Dòng 6: Sở Tư pháp đã có ở dòng 2.",
    ]
    assert messages == expected, messages
    with pytest.raises(ValidationError) as exc:
        commit_scores(rnd, data, "loi.csv", "self", scene.coordinator, today=SELF_DAY)
    assert exc.value.message_dict["file"] == expected
    assert _state() == before  # the good row (Sở Xây dựng) was not written either


def test_file_level_problems(scene, open_round):
    rnd = open_round()

    def errors(data, name="d.csv", stage="self", user=scene.coordinator):
        return preview_scores(rnd, data, name, stage, user=user, today=SELF_DAY).errors

    assert errors(b"", "d.csv") == ["Tệp “d.csv” rỗng."]
    assert "chỉ nhận CSV, XLSX, XLS hoặc ODS" in errors(b"x", "d.pdf")[0]
    assert "Không tìm thấy dòng tiêu đề" in errors(_csv("Tên,1.3", "Sở Y tế,1"))[0]
    assert errors(_csv("Đơn vị,Ghi chú", "Sở Y tế,x")) == [
        "Không có cột nào là tiêu chí được nhập ở giai đoạn tự đánh giá (tiêu đề cột là mã tiêu chí, ví dụ “1.3”)."
    ]
    assert errors(_csv("Đơn vị,1.3,1.3", "Sở Y tế,1,1")) == ["Hai cột cùng là tiêu chí 1.3: “1.3” và “1.3”."]
    assert (
        "Đợt đánh giá đang ở giai đoạn «Tự đánh giá»"
        in errors(GOOD, stage="appraisal", user=scene.appraiser)[0]
    )
    with pytest.raises(ValidationError) as exc:
        preview_scores(rnd, GOOD, "d.csv", "nhap", user=scene.coordinator)
    assert "Giai đoạn “nhap” không có" in exc.value.message_dict["stage"][0]


def test_an_xlsx_file_and_codes_as_unit_keys(scene, open_round):
    from openpyxl import Workbook

    Unit.objects.filter(pk=scene.xd.pk).update(code="99001")
    Unit.objects.filter(pk=scene.yte.pk).update(code="99002")
    rnd = open_round()
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã đơn vị", "Tên đơn vị", "1.3", "7.2"])
    ws.append([99001, "Sở Xây dựng", 3, 4.5])
    ws.append([99002, "Sở Tư pháp", 1, 1])
    buf = io.BytesIO()
    wb.save(buf)
    preview = preview_scores(rnd, buf.getvalue(), "diem.xlsx", "self", user=scene.coordinator, today=SELF_DAY)
    assert preview.rows[0].status == "new" and preview.rows[0].unit == scene.xd
    assert [(c.node_code, c.new) for c in preview.rows[0].cells] == [("1.3", 3.0), ("7.2", 4.5)]
    assert preview.rows[1].errors == ["mã “99002” (Sở Y tế) không khớp với tên “Sở Tư pháp”."]


def test_deadline_and_reopen_per_unit(scene, open_round):
    rnd = open_round(self=dt.date(2026, 1, 15))
    late = dt.date(2026, 1, 16)
    preview = preview_scores(rnd, GOOD, "d.csv", "self", user=scene.coordinator, today=late)
    assert [r.errors for r in preview.rows] == [
        [
            "Giai đoạn «Tự đánh giá» đã hết hạn ngày 15/01/2026: không ghi được (chuyên viên điều phối có thể mở lại)."
        ]
    ] * 2
    rounds.reopen(
        rnd.sheets.get(unit=scene.yte), scene.coordinator, dt.date(2026, 1, 20), "Mất điện", today=late
    )
    preview = preview_scores(rnd, GOOD, "d.csv", "self", user=scene.coordinator, today=late)
    assert [r.status for r in preview.rows] == ["error", "new"]


def test_survey_scores_are_imported_with_their_source_and_count_at_every_stage(scene, open_round):
    rnd = open_round()
    data = _csv("Đơn vị,8.1,1.3", 'Sở Tư pháp,"8,75",', "Sở Y tế,6.5,")
    preview = preview_scores(rnd, data, "sipas.csv", "survey", user=scene.coordinator, today=SELF_DAY)
    assert preview.ok and [r.status for r in preview.rows] == ["new", "new"]
    wrong = _csv("Đơn vị,8.1,1.3", "Sở Tư pháp,8,2")
    assert preview_scores(rnd, wrong, "s.csv", "survey", user=scene.coordinator).error_messages == [
        "Dòng 2: cột “1.3”: tiêu chí 1.3 không chấm từ khảo sát: chỉ nhập ở giai đoạn “khảo sát” các tiêu chí "
        "khảo sát."
    ]
    commit_scores(rnd, data, "sipas.csv", "survey", scene.coordinator, "Khảo sát SIPAS 2025 của tỉnh")
    tp = rnd.sheets.get(unit=scene.tuphap)
    score = Score.objects.get(sheet=tp, node__code="8.1")
    assert (score.self_score, score.source) == (8.75, "Khảo sát SIPAS 2025 của tỉnh")
    # the unit cannot type it; appraisal and re-appraisal carry it
    with pytest.raises(ValidationError, match="khảo sát"):
        sheets.save(tp, scene.officer_tp, "self", {"8.1": {"score": 10}}, today=SELF_DAY)
    sheets.save(tp, scene.officer_tp, "self", {"1.3": {"score": 2}, "1.4": {"score": 2}}, today=SELF_DAY)
    rnd = rounds.advance(rnd, scene.coordinator)
    sheets.save(tp, scene.appraiser, "appraisal", {"1.3": {"score": 1}}, today=APPRAISAL_DAY)
    tp.refresh_from_db()
    assert (tp.self_total, tp.appraised_total, tp.final_total) == (12.75, 11.75, 11.75)
    # surveys are imported in any phase until the round closes; the default source names the file
    later = _csv("Đơn vị,8.1", "Sở Tư pháp,9")
    commit_scores(rnd, later, "sipas-bo-sung.csv", "survey", scene.coordinator)
    score.refresh_from_db()
    assert (score.self_score, score.source) == (9.0, "Nhập từ tệp “sipas-bo-sung.csv” (khảo sát)")
    rnd = rounds.advance(rnd, scene.coordinator, to="closed", today=dt.date(2026, 2, 25))
    assert preview_scores(rnd, later, "s.csv", "survey").errors == [
        "Đợt đánh giá đã kết thúc: không nhập điểm được nữa."
    ]


def test_who_may_import(scene, open_round):
    rnd = open_round()
    for user in (scene.officer_tp, scene.leader, scene.appraiser, scene.outsider):
        for stage in ("self", "survey"):
            with pytest.raises(PermissionDenied):
                preview_scores(rnd, GOOD, "d.csv", stage, user=user, today=SELF_DAY)
            with pytest.raises(PermissionDenied):
                commit_scores(rnd, GOOD, "d.csv", stage, user, today=SELF_DAY)
    assert not Score.objects.exists()
    # an operator on the server (no user) imports
    assert commit_scores(rnd, GOOD, "d.csv", "self", None, today=SELF_DAY).written == 9
    # the appraisal of a council's round is the appraisers': each imports hers, for her units
    rnd = rounds.advance(rnd, scene.coordinator)
    with pytest.raises(PermissionDenied, match="thành viên thẩm định"):
        preview_scores(rnd, GOOD, "d.csv", "appraisal", user=scene.coordinator, today=APPRAISAL_DAY)
    data = _csv("Đơn vị,1.3", "Sở Tư pháp,2", "Sở Xây dựng,1")
    preview = preview_scores(rnd, data, "td.csv", "appraisal", user=scene.appraiser, today=APPRAISAL_DAY)
    assert preview.error_messages == [
        "Dòng 3: cột “1.3”: bạn không được phân công thẩm định tiêu chí 1.3 của Sở Xây dựng."
    ]
    ok = _csv("Đơn vị,1.3", "Sở Tư pháp,2")
    commit_scores(rnd, ok, "td.csv", "appraisal", scene.appraiser, today=APPRAISAL_DAY)
    score = Score.objects.get(sheet__unit=scene.tuphap, sheet__round=rnd, node__code="1.3")
    assert (score.self_score, score.appraised_score) == (2.5, 2.0)
    assert score.source == "Nhập từ tệp “td.csv” (thẩm định)"


def test_the_ministry_appraisal_of_a_round_on_the_province_itself(scene):
    rnd = rounds.open_round(
        scene.framework, 2025, scene.province, Round.Scope.PROVINCE, scene.coordinator,
        deadlines={"self": dt.date(2026, 1, 15), "appraisal": dt.date(2026, 1, 31)},
    )  # fmt: skip
    name = scene.province.short_name
    commit_scores(
        rnd, _csv("Tỉnh,1.3,2.1", f"{name},3,4"), "tu-cham.csv", "self", scene.coordinator, today=SELF_DAY
    )
    rnd = rounds.advance(rnd, scene.coordinator)
    data = _csv("Tỉnh,1.3,2.1", f"{name},2.5,4")
    with pytest.raises(PermissionDenied):
        commit_scores(rnd, data, "bo.csv", "appraisal", scene.appraiser, today=APPRAISAL_DAY)
    done = commit_scores(
        rnd,
        data,
        "bo.csv",
        "appraisal",
        scene.coordinator,
        "Kết quả thẩm định của Bộ Nội vụ",
        today=APPRAISAL_DAY,
    )
    assert [r.status for r in done.rows] == ["new"] and done.written == 2
    sheet = rnd.sheets.get()
    assert _scores(sheet, "appraised_score") == {"1.3": 2.5, "2.1": 4.0}
    assert set(Score.objects.filter(sheet=sheet).values_list("source", flat=True)) == {
        "Kết quả thẩm định của Bộ Nội vụ"
    }
    summary = summary_data(rnd)
    assert summary["units"][0]["self_total"] == 7.0 and summary["units"][0]["final_total"] == 6.5


def test_numbers_read_silently_are_warned_as_in_results_imports(scene, open_round):
    """ "1.000" (one thousand, or one?) and a dropped "%" are said in the preview's notes (issue 10)."""
    rnd = open_round()
    data = _csv("Đơn vị,1.3,2.1", 'Sở Tư pháp,1.000,"2,5%"')
    preview = preview_scores(rnd, data, "diem.csv", "self", user=scene.coordinator, today=SELF_DAY)
    assert any("“1.000”" in n and "đọc là 1" in n and "1.3" in n for n in preview.notes), preview.notes
    assert any("“2,5%”" in n and "bỏ dấu %" in n for n in preview.notes), preview.notes
    assert preview.as_data()["notes"] == preview.notes


def test_a_two_row_header_is_said(scene, open_round):
    rnd = open_round()
    data = _csv("Đơn vị,1.3,2.1", ",Tiêu chí a,Tiêu chí b", "Sở Tư pháp,1,2")
    preview = preview_scores(rnd, data, "diem.csv", "self", user=scene.coordinator, today=SELF_DAY)
    assert any("tiêu đề hai dòng (dòng 1 và 2" in e for e in preview.errors), preview.errors
