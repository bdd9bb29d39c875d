"""A whole round through its services: opened by the coordinator for the province's departments; units
score themselves (typed, by a rule from their figures, not applicable) and submit; the self-assessment
locks at its deadline unless a unit is reopened; the appraiser appraises what she is assigned; units
explain; re-appraisal; closing ranks and classes the units and publishes the final scores as the results
of the province's index, which the analysis then reads. Every refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chiso.assessment.models import EvidenceLink, Score, Sheet
from chiso.assessment.services import rounds, sheets
from chiso.assessment.services.results import summary
from chiso.results.models import Result

SELF_DAY = dt.date(2026, 1, 10)


def _full_self(rnd, unit, base: float):
    """Every typed criterion at ``base`` × its maximum, rule criteria from figures, the survey left out."""
    from chiso.assessment.services.structure import structure

    entries = {}
    for c in structure(rnd.framework).criteria:
        n = c.node
        if c.survey:
            continue
        if c.rule is not None and c.rule.kind == "choice":
            entries[c.code] = {"inputs": {"choice": c.rule.choices[0].code}, "note": "Có văn bản"}
        elif c.rule is not None:
            entries[c.code] = {
                "inputs": {c.rule.inputs[0].code: 95, c.rule.inputs[1].code: 100},
                "note": "Số liệu",
            }
        else:
            step = n.step or 0.5
            lo = n.min_score or 0.0
            value = lo + round((base * ((n.max_score or 0) - lo)) / step) * step
            entries[c.code] = {"score": value, "note": "Có tài liệu"}
    return entries


def test_open_round_makes_a_sheet_per_department(scene, open_round):
    rnd = open_round()
    assert rnd.status == "self_assessment" and rnd.opens == "self"
    assert set(rnd.sheets.values_list("unit__short_name", flat=True)) == {
        "Sở Tư pháp",
        "Sở Y tế",
        "Sở Xây dựng",
    }
    with pytest.raises(ValidationError) as exc:
        open_round()
    assert "đã có đợt đánh giá" in str(exc.value)
    with pytest.raises(PermissionDenied):
        rounds.open_round(scene.framework, 2025, scene.province, "commune", scene.officer_tp)


def test_self_assessment_rules_and_refusals(scene, open_round):
    rnd = open_round()
    sheet = rnd.sheets.get(unit=scene.tuphap)
    sheets.save(
        sheet,
        scene.officer_tp,
        "self",
        {
            "1.1.1": {"inputs": {"choice": "khong_kip_thoi"}},
            "1.1.4": {"inputs": {"done": 19, "planned": 20}},
            "1.3": {"score": "2,5", "note": "Biên bản kiểm tra số 12"},
            "3.3": {"na": True, "note": "Không nhận phản ánh nào trong năm"},
        },
        today=SELF_DAY,
    )
    scores = {s.node.code: s for s in sheet.scores.select_related("node")}
    assert scores["1.1.1"].self_score == 0.5 and scores["1.1.4"].self_score == 2
    assert scores["1.1.4"].inputs == {"self": {"done": 19, "planned": 20}}
    assert scores["1.3"].self_score == 2.5 and scores["3.3"].not_applicable
    sheet.refresh_from_db()
    assert sheet.state == Sheet.State.IN_PROGRESS and sheet.self_total == 5.0
    assert sheet.applicable_max == 96  # 3.3 (4 points) not applicable
    # all or nothing: one bad entry refuses the lot, with a message per criterion
    before = list(Score.objects.values_list("pk", "self_score", "version"))
    with pytest.raises(ValidationError) as exc:
        sheets.save(
            sheet,
            scene.officer_tp,
            "self",
            {
                "1.4": {"score": "1,5"},
                "1.3": {"score": "2,3"},
                "2.1": {"score": "9"},
                "8.1": {"score": "5"},
                "1.2.1": {"na": True},
                "9.9": {"score": 1},
            },  # fmt: skip
            today=SELF_DAY,
        )
    errors = exc.value.message_dict
    assert "bước 0,5" in errors["1.3"][0] and "vượt điểm tối đa 4" in errors["2.1"][0]
    assert "khảo sát" in errors["8.1"][0] and "không áp dụng" in errors["1.2.1"][0]
    assert "Không có tiêu chí" in errors["9.9"][0] and "1.4" not in errors
    assert list(Score.objects.values_list("pk", "self_score", "version")) == before
    # another unit's officer, and the appraiser, may not self-score this sheet
    for user in (scene.officer_yt, scene.appraiser):
        with pytest.raises(PermissionDenied):
            sheets.save(sheet, user, "self", {"1.4": {"score": 1}}, today=SELF_DAY)


def test_a_stale_form_is_refused_with_who_changed_it(scene, open_round):
    rnd = open_round()
    sheet = rnd.sheets.get(unit=scene.tuphap)
    sheets.save(sheet, scene.officer_tp, "self", {"1.4": {"score": 1}}, today=SELF_DAY)
    opened_at = Score.objects.get(sheet=sheet, node__code="1.4").version
    sheets.save(
        sheet, scene.officer_tp, "self", {"1.4": {"score": 2}}, versions={"1.4": opened_at}, today=SELF_DAY
    )
    with pytest.raises(ValidationError, match="cb_tp đã sửa tiêu chí này"):
        sheets.save(
            sheet,
            scene.officer_tp,
            "self",
            {"1.4": {"score": 0.5}},
            versions={"1.4": opened_at},
            today=SELF_DAY,
        )
    assert Score.objects.get(sheet=sheet, node__code="1.4").self_score == 2


def test_deadline_locks_and_reopen(scene, open_round):
    rnd = open_round(self=dt.date(2026, 1, 15))
    sheet = rnd.sheets.get(unit=scene.yte)
    late = dt.date(2026, 1, 16)
    with pytest.raises(ValidationError, match="đã hết hạn ngày 15/01/2026"):
        sheets.save(sheet, scene.officer_yt, "self", {"1.4": {"score": 1}}, today=late)
    with pytest.raises(ValidationError) as exc:
        rounds.reopen(sheet, scene.coordinator, dt.date(2026, 1, 20), "", today=late)
    assert "lý do" in str(exc.value)
    with pytest.raises(PermissionDenied):
        rounds.reopen(sheet, scene.officer_yt, dt.date(2026, 1, 20), "Xin thêm thời gian", today=late)
    rounds.reopen(sheet, scene.coordinator, dt.date(2026, 1, 20), "Mạng gián đoạn ngày 15/01", today=late)
    sheets.save(sheet, scene.officer_yt, "self", {"1.4": {"score": 1}}, today=late)
    reopened = sheet.history.filter(history_change_reason__startswith="Mở lại đến 20/01/2026").get()
    assert reopened.history_user == scene.coordinator and "Mạng gián đoạn" in reopened.history_change_reason
    # only this unit: another unit stays locked
    with pytest.raises(ValidationError):
        sheets.save(
            rnd.sheets.get(unit=scene.tuphap), scene.officer_tp, "self", {"1.4": {"score": 1}}, today=late
        )


def test_submit_needs_every_score_and_evidence_or_a_reason(scene, open_round):
    rnd = open_round()
    sheet = rnd.sheets.get(unit=scene.tuphap)
    with pytest.raises(ValidationError) as exc:
        sheets.submit(sheet, scene.officer_tp, today=SELF_DAY)
    assert "1.1.1: chưa chấm điểm." in exc.value.message_dict["1.1.1"]
    entries = _full_self(rnd, scene.tuphap, 0.9)
    entries["2.1"] = {"score": 3, "note": ""}  # a score without evidence and without a reason
    sheets.save(sheet, scene.officer_tp, "self", entries, today=SELF_DAY)
    with pytest.raises(ValidationError) as exc:
        sheets.submit(sheet, scene.officer_tp, today=SELF_DAY)
    assert (
        list(exc.value.message_dict) == ["2.1"] and "tài liệu kiểm chứng" in exc.value.message_dict["2.1"][0]
    )
    score = Score.objects.get(sheet=sheet, node__code="2.1")
    EvidenceLink.objects.create(score=score, label="Quyết định số 15/QĐ-STP")
    assert sheets.submit(sheet, scene.officer_tp, today=SELF_DAY).state == Sheet.State.SUBMITTED


def test_the_round_from_appraisal_to_published_results(scene, open_round):
    rnd = open_round()
    for unit, officer, base in ((scene.tuphap, scene.officer_tp, 0.95), (scene.yte, scene.officer_yt, 0.7),
                                (scene.xd, scene.officer_xd, 0.85)):  # fmt: skip
        sheets.save(rnd.sheets.get(unit=unit), officer, "self", _full_self(rnd, unit, base), today=SELF_DAY)
    rnd = rounds.advance(rnd, scene.coordinator)
    assert rnd.opens == "appraisal"
    tp = rnd.sheets.get(unit=scene.tuphap)
    # the appraiser lowers one score with a comment; she is not assigned Sở Xây dựng
    sheets.save(tp, scene.appraiser, "appraisal", {"1.3": {"score": 1, "note": "Thiếu biên bản"}},
                today=dt.date(2026, 1, 20))  # fmt: skip
    with pytest.raises(PermissionDenied):
        sheets.save(rnd.sheets.get(unit=scene.xd), scene.appraiser, "appraisal", {"1.3": {"score": 1}},
                    today=dt.date(2026, 1, 20))  # fmt: skip
    rnd = rounds.advance(rnd, scene.coordinator)
    sheets.save(tp, scene.officer_tp, "explanation", {"1.3": {"note": "Bổ sung biên bản số 12"}},
                today=dt.date(2026, 2, 5))  # fmt: skip
    rnd = rounds.advance(rnd, scene.coordinator)
    self_13 = Score.objects.get(sheet=tp, node__code="1.3").self_score
    sheets.save(tp, scene.appraiser, "final", {"1.3": {"score": self_13, "note": "Chấp nhận giải trình"}},
                today=dt.date(2026, 2, 15))  # fmt: skip
    tp.refresh_from_db()
    assert tp.final_total == tp.self_total and tp.appraised_total == pytest.approx(
        tp.self_total - (self_13 - 1)
    )
    rnd = rounds.advance(rnd, scene.coordinator, to="closed", today=dt.date(2026, 2, 25))
    assert rnd.status == "closed" and rnd.published_batch is not None
    rows = {r.unit.short_name: r for r in summary(rnd)}
    assert [rows[n].rank for n in ("Sở Tư pháp", "Sở Xây dựng", "Sở Y tế")] == [1, 2, 3]
    assert rows["Sở Tư pháp"].klass == "Xuất sắc" and rows["Sở Y tế"].klass in ("Khá", "Trung bình")
    # published as the results of the province's index: the analysis reads the departments
    total = Result.objects.get(unit=scene.tuphap, node__code="TONG", year=2025)
    assert total.published_rank == 1 and total.published_group == "Xuất sắc"
    from chiso.analysis.services import analyse

    a = analyse("cchc-so", scene.yte, 2025)
    assert a.rank == 3 and a.n_scored == 3
    # after closing nobody scores any more
    with pytest.raises(ValidationError):
        sheets.save(tp, scene.appraiser, "final", {"1.3": {"score": 3}}, today=dt.date(2026, 2, 15))
