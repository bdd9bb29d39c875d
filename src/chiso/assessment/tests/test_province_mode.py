"""The province's own PAR INDEX self-assessment: each criterion of the appraisal part goes to the lead and
coordinating departments of the responsibility map; they propose a score and add evidence; the coordinator
consolidates the province's self-score by the self-assessment's rules; the forecast of the official total
is a range (the expected appraisal cut, the survey blocks carried from published results); the ministry's
appraisal is recorded as the round's appraisal stage, the difference per criterion follows, and the lost
points become rows of the next plan's shortcomings appendix."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chiso.assessment import permissions
from chiso.assessment.models import EvidenceFile, Proposal, Score
from chiso.assessment.services import province as svc
from chiso.assessment.services import rounds
from chiso.core.framework import parse_dict
from chiso.frameworks.services import framework_for, install_framework
from chiso.plans.models import Responsibility

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 1, 10)
KON_TUM_2023 = {"SIPAS": 8.50, "LEADERS": 18.33, "SOCIOECON": 4.36}  # par_index_provinces.csv

# The appraisal block split into criteria (the 876 table of criteria is not public: a test structure).
PAR_TEST = """
index: par
code: par-thu-nghiem
name_vi: PAR INDEX (cấu trúc thử nghiệm)
valid_from: 2025
valid_to: null
complete: true
unit_kind: province
value_kind: points
precision: 2
root:
  code: PAR
  level: total
  name_vi: Chỉ số CCHC
  max: 100
  source_kind: mixed
  children:
    - code: APPRAISAL
      level: block
      name_vi: Điểm thẩm định
      max: 61.5
      source_kind: appraisal
      children:
        - {code: F1, level: field, name_vi: "Công tác chỉ đạo, điều hành", max: 20, step: 0.25}
        - {code: F2, level: field, name_vi: "Cải cách thể chế", max: 21.5, step: 0.25}
        - {code: F3, level: field, name_vi: "Cải cách thủ tục hành chính", max: 20, step: 0.25}
    - {code: SIPAS, level: block, name_vi: "Điểm SIPAS", max: 10, source_kind: satisfaction_survey}
    - {code: LEADERS, level: block, name_vi: "Khảo sát lãnh đạo, quản lý", max: 22, source_kind: leader_survey}
    - {code: SOCIOECON, level: block, name_vi: "Tác động kinh tế – xã hội", max: 6.5, source_kind: socioeconomic}
"""


@pytest.fixture
def par(world):
    framework, _ = install_framework(parse_dict(yaml.safe_load(PAR_TEST)))
    for code, lead, coordinating in (("F1", world.noivu, [world.tuphap]), ("APPRAISAL", world.noivu, []),
                                     ("F2", world.tuphap, [world.noivu, world.yte])):  # fmt: skip
        row = Responsibility.objects.create(
            province=world.province, index="par", node_code=code, lead_unit=lead
        )
        row.coordinating_units.set(coordinating)
    return framework


def _round(world, framework, year=2025):
    return rounds.open_round(
        framework, year, world.province, "province", world.coordinator,
        deadlines={"self": dt.date(year + 1, 1, 31), "appraisal": dt.date(year + 1, 3, 31)},
    )  # fmt: skip


def test_criteria_go_to_the_departments_of_the_map(world, par):
    rnd = _round(world, par)
    with pytest.raises(PermissionDenied):
        svc.assign_departments(rnd, world.officer_tp)
    out = svc.assign_departments(rnd, world.coordinator)
    assert [(p.unit, p.lead) for p in out.proposals["F1"]] == [(world.noivu, True), (world.tuphap, False)]
    assert [(p.unit, p.lead) for p in out.proposals["F2"]] == [
        (world.tuphap, True), (world.noivu, False), (world.yte, False)
    ]  # fmt: skip
    assert [p.unit for p in out.proposals["F3"]] == [world.noivu]  # the block's entry (nearest ancestor)
    assert not out.unassigned and set(out.proposals) == {"F1", "F2", "F3"}  # surveys are not self-scored
    # the departments assigned see the round and the province's sheet; others do not
    sheet = rnd.sheets.get()
    for user, sees in ((world.officer_tp, True), (world.officer_yt, True), (world.officer_xa, False),
                       (world.outsider, False), (world.viewer, True)):  # fmt: skip
        assert permissions.can_view_sheet(user, sheet) is sees
        assert permissions.visible_rounds(user).filter(pk=rnd.pk).exists() is sees
    # running it again changes nothing
    before = list(Proposal.objects.values_list("pk", "unit", "lead"))
    svc.assign_departments(rnd, world.coordinator)
    assert list(Proposal.objects.values_list("pk", "unit", "lead")) == before
    # the shipped framework (one appraisal block) without any map entry: nobody answers for it
    dept = rounds.open_round(framework_for("par", 2024), 2024, world.province, "province", world.coordinator)
    Score.objects.filter(sheet__round=dept).delete()
    Responsibility.objects.filter(index="par").delete()
    assert [c.code for c in svc.assign_departments(dept, world.coordinator).unassigned] == ["APPRAISAL"]


def test_departments_propose_and_add_evidence_the_coordinator_consolidates(world, par, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rnd = _round(world, par)
    svc.assign_departments(rnd, world.coordinator)
    svc.propose(
        rnd, world.officer_tp, world.tuphap, "F2", {"score": "19,5", "note": "Báo cáo số 12"}, today=DAY
    )
    svc.propose(rnd, world.officer_yt, world.yte, "F2", {"score": 18}, today=DAY)
    # the rules of a self-score, the assignment, the officer's own unit, the phase
    with pytest.raises(ValidationError, match="bước 0,25"):
        svc.propose(rnd, world.officer_tp, world.tuphap, "F2", {"score": "19,1"}, today=DAY)
    with pytest.raises(ValidationError, match="không được phân công"):
        svc.propose(rnd, world.officer_yt, world.yte, "F1", {"score": 10}, today=DAY)
    with pytest.raises(PermissionDenied):
        svc.propose(rnd, world.officer_yt, world.tuphap, "F2", {"score": 10}, today=DAY)
    with pytest.raises(ValidationError, match="hết hạn"):
        svc.propose(rnd, world.officer_tp, world.tuphap, "F2", {"score": 10}, today=dt.date(2026, 2, 1))
    assert Proposal.objects.get(unit=world.tuphap, score__node__code="F2").proposed_score == 19.5
    # evidence on the province's score, by the departments assigned to it
    score = Score.objects.get(sheet__round=rnd, node__code="F2")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    f = svc.add_evidence(score, world.officer_yt, SimpleUploadedFile("bc.pdf", pdf), today=DAY)
    assert f.score == score and f.uploaded_by == world.officer_yt
    with pytest.raises(ValidationError):
        svc.add_evidence(score, world.officer_yt, SimpleUploadedFile("bc.pdf", b"not a pdf"), today=DAY)
    for user in (world.outsider, world.officer_xa):
        with pytest.raises(PermissionDenied):
            svc.add_evidence(score, user, SimpleUploadedFile("bc.pdf", pdf), today=DAY)
    assert EvidenceFile.objects.filter(score=score).count() == 1
    # departments never write the province's score; the coordinator does, from a proposal or her own value
    with pytest.raises(PermissionDenied):
        from chiso.assessment.services.sheets import save

        save(score.sheet, world.officer_tp, "self", {"F2": {"score": 20}}, today=DAY)
    tp = Proposal.objects.get(unit=world.tuphap, score=score)
    svc.consolidate(rnd, world.coordinator, "F2", proposal=tp, today=DAY)
    score.refresh_from_db()
    assert score.self_score == 19.5 and score.self_note == "Theo đề xuất của Sở Tư pháp. Báo cáo số 12"
    svc.consolidate(rnd, world.coordinator, "F1", entry={"score": 18.75, "note": "Tổng hợp"}, today=DAY)
    with pytest.raises(ValidationError, match="vượt điểm tối đa"):
        svc.consolidate(rnd, world.coordinator, "F3", entry={"score": 25}, today=DAY)
    with pytest.raises(ValidationError, match="không thuộc tiêu chí F1"):
        svc.consolidate(rnd, world.coordinator, "F1", proposal=tp, today=DAY)
    with pytest.raises(PermissionDenied):
        svc.consolidate(rnd, world.officer_tp, "F1", entry={"score": 20}, today=DAY)
    assert score.history.first().history_user == world.coordinator


def test_forecast_is_a_range_from_the_expected_cut_and_last_years_blocks(world, par):
    rnd = _round(world, par)
    svc.assign_departments(rnd, world.coordinator)
    for code, value in (("F1", 18), ("F2", 20), ("F3", 18)):
        svc.consolidate(rnd, world.coordinator, code, entry={"score": value}, today=DAY)
    f = svc.forecast(rnd)
    carried = sum(KON_TUM_2023.values())  # the merged Quảng Ngãi carries Kon Tum's last published blocks
    assert f.appraisal_high == 56 and f.ratio == pytest.approx(62.62 / 64.75)
    assert f.high == pytest.approx(56 + carried) and f.low == pytest.approx(56 * 62.62 / 64.75 + carried)
    assert {b.criterion.code: (b.low, b.high) for b in f.blocks} == {
        c: (v, v) for c, v in KON_TUM_2023.items()
    }
    assert "Kon Tum 2023: 8,5" in f.method and "Nam Định 2020" in f.method and not f.missing
    # no value of the province in the years looked at: the range of the provinces published that year
    narrow = svc.forecast(rnd, lookback=1)
    sipas = next(b for b in narrow.blocks if b.criterion.code == "SIPAS")
    assert (sipas.low, sipas.high) == (8.15, 8.50) and "2 tỉnh đã công bố năm 2023" in sipas.source
    # last year's own round gives the ratio: the ministry cut 58 → 55,1 (95 %)
    prev = _round(world, framework_for("par", 2024), year=2024)
    rounds.advance(prev, world.coordinator)  # the self-assessment was done in the ministry's system
    svc.import_ministry_appraisal(prev, world.coordinator, {"APPRAISAL": {"score": 55.1}},
                                  source="Bộ Nội vụ", today=dt.date(2025, 3, 1))  # fmt: skip
    Score.objects.filter(sheet__round=prev, node__code="APPRAISAL").update(self_score=58)
    f = svc.forecast(rnd)
    assert f.ratio == pytest.approx(0.95) and "đợt tự đánh giá năm 2024 của tỉnh" in f.method
    assert f.low == pytest.approx(56 * 0.95 + carried)


def test_the_ministrys_appraisal_gives_the_difference_and_the_appendix_rows(world, par, make_plan):
    rnd = _round(world, par)
    svc.assign_departments(rnd, world.coordinator)
    for code, value in (("F1", 18), ("F2", 20), ("F3", 18)):
        svc.consolidate(rnd, world.coordinator, code, entry={"score": value}, today=DAY)
    with pytest.raises(ValidationError):  # not before the appraisal stage
        svc.import_ministry_appraisal(
            rnd, world.coordinator, {"F1": {"score": 17}}, source="Bộ Nội vụ", today=DAY
        )
    rnd = rounds.advance(rnd, world.coordinator)
    entries = {"F1": {"score": 17, "note": "Thiếu kế hoạch kiểm tra"}, "F2": {"score": 20},
               "F3": {"score": 16.5, "note": "Tỷ lệ hồ sơ trực tuyến thấp"}}  # fmt: skip
    for user in (world.officer_tp, world.leader, world.outsider):
        with pytest.raises(PermissionDenied):
            svc.import_ministry_appraisal(rnd, user, entries, source="Bộ Nội vụ", today=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError) as exc:
        svc.import_ministry_appraisal(rnd, world.coordinator, {**entries, "F2": {"score": 30}},
                                      source="Bộ Nội vụ", today=dt.date(2026, 3, 1))  # fmt: skip
    assert list(exc.value.message_dict) == ["F2"]
    assert not Score.objects.filter(sheet__round=rnd, appraised_score__isnull=False).exists()
    svc.import_ministry_appraisal(rnd, world.coordinator, entries, source="Bộ Nội vụ, văn bản 123/BNV-CCHC",
                                  today=dt.date(2026, 3, 1))  # fmt: skip
    f1 = Score.objects.get(sheet__round=rnd, node__code="F1")
    assert f1.appraised_score == 17 and f1.source == "Bộ Nội vụ, văn bản 123/BNV-CCHC"
    diffs = {d.criterion.code: d for d in svc.differences(rnd)}
    assert {c: d.difference for c, d in diffs.items()} == {"F1": -1, "F2": 0, "F3": -1.5}
    assert (
        diffs["F1"].responsible == [world.noivu, world.tuphap]
        and diffs["F1"].comment == "Thiếu kế hoạch kiểm tra"
    )
    # the forecast now uses the ministry's appraisal as it is
    assert svc.forecast(rnd).appraisal_low == svc.forecast(rnd).appraisal_high == 53.5
    rows = {r["node_code"]: r for r in svc.lost_rows(rnd)}
    assert set(rows) == {"F1", "F2", "F3"}  # F2 accepted as self-scored, still 1,5 below its maximum
    assert rows["F1"]["achieved"] == 17 and rows["F1"]["maximum"] == 20 and rows["F1"]["lost"] == 3
    assert (
        rows["F1"]["note"]
        == "Tự đánh giá 18 điểm; Bộ Nội vụ thẩm định 17 điểm (giảm 1 điểm). Thiếu kế hoạch kiểm tra"
    )
    assert rows["F2"]["note"] == "" and rows["F2"]["responsible_units"][0] == world.tuphap
    # into the next plan's appendix, updating the row the plan already has
    plan = make_plan(indices=["par"], year=2026)
    plan.shortcomings.create(
        index="par", node_code="F3", node_name="Cũ", achieved=10, maximum=20, lost=10, order=1
    )
    svc.add_lost_to_plan(rnd, plan, world.coordinator)
    got = {s.node_code: s for s in plan.shortcomings.all()}
    assert set(got) == {"F1", "F2", "F3"} and got["F3"].achieved == 16.5 and got["F3"].lost == 3.5
    assert list(got["F1"].responsible_units.order_by("code")) == sorted(
        [world.noivu, world.tuphap], key=lambda u: u.code
    )
    assert "giảm 1,5 điểm" in got["F3"].note
    svc.add_lost_to_plan(rnd, plan, world.coordinator)
    assert plan.shortcomings.count() == 3
    with pytest.raises(PermissionDenied):
        svc.add_lost_to_plan(rnd, plan, world.officer_tp)
