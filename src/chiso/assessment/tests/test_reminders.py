"""Reminders before each phase deadline of a round, sent by `chiso remind` (in the app and by e-mail, each
once): units that have not submitted 7, 3, 1 days before the self-assessment deadline and the day after;
appraisers with criteria left before the appraisal and re-appraisal deadlines; units with lowered scores
not explained before the explanation deadline; in a round on the province itself, the departments that
have not proposed their criteria."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from chiso.assessment.models import Assignment
from chiso.assessment.services import rounds, sheets
from chiso.assessment.services.structure import structure
from chiso.notifications.models import Reminder
from chiso.plans.models import Responsibility

from .test_round_services import _full_self

pytestmark = pytest.mark.django_db


def remind(day: str) -> str:
    out = io.StringIO()
    call_command("remind", today=day, stdout=out)
    return out.getvalue()


def subjects(user) -> list[str]:
    return [m.subject for m in mail.outbox if user.email in m.to]


def test_units_that_have_not_submitted_are_reminded_before_and_after_the_deadline(scene, open_round):
    rnd = open_round(self=dt.date(2026, 1, 15))
    tp = rnd.sheets.get(unit=scene.tuphap)
    sheets.save(tp, scene.officer_tp, "self", _full_self(rnd, scene.tuphap, 0.9), today=dt.date(2026, 1, 5))
    sheets.submit(tp, scene.officer_tp, today=dt.date(2026, 1, 5))
    assert "0 nhắc việc đánh giá" in remind("10/01/2026")  # five days before: nothing
    out = remind("08/01/2026")
    assert "3 nhắc việc đánh giá" in out  # two units, and the coordinator
    for user in (scene.officer_yt, scene.officer_xd):
        assert subjects(user) == ["[chiso] Còn 7 ngày đến hạn tự đánh giá: " + rnd.title]
        assert set(Reminder.objects.filter(user=user).values_list("kind", "channel")) == {
            ("d7", "app"),
            ("d7", "email"),
        }
    body = next(m.body for m in mail.outbox if scene.officer_yt.email in m.to)
    to_score = len([c for c in structure(rnd.framework).criteria if not c.survey])
    assert f"Sở Y tế chưa nộp phiếu tự đánh giá (đã chấm 0/{to_score} tiêu chí; 0 tiêu chí" in body
    assert "15/01/2026" in body
    assert not subjects(scene.officer_tp)  # submitted
    # the coordinator: where the round stands, with the monitoring page's figures
    assert subjects(scene.coordinator) == [
        "[chiso] Còn 7 ngày đến hạn giai đoạn hiện tại — tình hình: " + rnd.title
    ]
    overview = next(m.body for m in mail.outbox if scene.coordinator.email in m.to)
    assert "Tình hình 3 đơn vị:" in overview
    assert "Chưa bắt đầu: 2 đơn vị (Sở Xây dựng, Sở Y tế)" in overview
    assert "Đang chấm, chưa nộp: 0 đơn vị" in overview and "Đã nộp: 1 đơn vị" in overview
    sent = len(mail.outbox)
    assert "0 nhắc việc đánh giá" in remind("08/01/2026") and len(mail.outbox) == sent  # never twice
    remind("12/01/2026")
    remind("14/01/2026")
    assert [s.split(":")[0] for s in subjects(scene.officer_xd)] == [
        "[chiso] Còn 7 ngày đến hạn tự đánh giá", "[chiso] Còn 3 ngày đến hạn tự đánh giá",
        "[chiso] Còn 1 ngày đến hạn tự đánh giá",
    ]  # fmt: skip
    # the day after: late — but a unit reopened until the 20th is reminded of its own date instead
    rounds.reopen(rnd.sheets.get(unit=scene.yte), scene.coordinator, dt.date(2026, 1, 20), "Mất điện",
                  today=dt.date(2026, 1, 16))  # fmt: skip
    remind("16/01/2026")
    assert subjects(scene.officer_xd)[-1] == f"[chiso] Quá hạn tự đánh giá: Sở Xây dựng — {rnd.title}"
    assert "quá hạn 1 ngày" in [m.body for m in mail.outbox if scene.officer_xd.email in m.to][-1]
    assert not any("Quá hạn" in s for s in subjects(scene.officer_yt))
    remind("17/01/2026")
    assert subjects(scene.officer_yt)[-1].startswith("[chiso] Còn 3 ngày đến hạn tự đánh giá")
    assert "0 nhắc việc đánh giá" in remind("18/01/2026")  # late once only


def test_a_unit_and_the_coordinator_read_the_criteria_without_evidence(scene, open_round):
    rnd = open_round(self=dt.date(2026, 1, 15))
    yt = rnd.sheets.get(unit=scene.yte)
    sheets.save(yt, scene.officer_yt, "self", {"1.3": {"score": 2}, "1.4": {"score": 1.5}, "2.1": {"score": 0}},
                today=dt.date(2026, 1, 5))  # fmt: skip
    remind("12/01/2026")  # three days before
    body = next(m.body for m in mail.outbox if scene.officer_yt.email in m.to)
    assert "(đã chấm 3/" in body and "; 2 tiêu chí có điểm chưa có tài liệu kiểm chứng)" in body
    overview = next(m.body for m in mail.outbox if scene.coordinator.email in m.to)
    assert "Chưa bắt đầu: 2 đơn vị (Sở Tư pháp, Sở Xây dựng)" in overview
    assert "Đang chấm, chưa nộp: 1 đơn vị" in overview
    assert "Tiêu chí có điểm nhưng chưa có tài liệu kiểm chứng: 2 (ở 1 đơn vị)" in overview
    # in appraisal, the coordinator reads who is behind
    rnd = rounds.advance(rnd, scene.coordinator)
    remind("24/01/2026")
    overview = [m.body for m in mail.outbox if scene.coordinator.email in m.to][-1]
    assert "Thành viên thẩm định chưa xong (đã chấm/được phân công): td 0/" in overview


def _not_coordinators(scene) -> int:
    return sum(1 for m in mail.outbox if scene.coordinator.email not in m.to)


def test_appraisers_explanations_and_reappraisal(scene, open_round):
    rnd = open_round()
    for unit, officer in ((scene.tuphap, scene.officer_tp), (scene.yte, scene.officer_yt)):
        sheets.save(rnd.sheets.get(unit=unit), officer, "self", _full_self(rnd, unit, 0.9),
                    today=dt.date(2026, 1, 10))  # fmt: skip
    other = type(scene.appraiser).objects.create_user("td2", email="td2@example.vn")
    Assignment.objects.create(round=rnd, user=other, criteria=["1.3"])
    rnd = rounds.advance(rnd, scene.coordinator)
    assert "0 nhắc việc đánh giá" in remind("10/01/2026")  # no longer in self-assessment
    remind("24/01/2026")
    typed = [c for c in structure(rnd.framework).criteria if not c.survey]
    na = rnd.sheets.filter(unit__in=[scene.tuphap, scene.yte]).filter(scores__not_applicable=True).count()
    body = next(m.body for m in mail.outbox if scene.appraiser.email in m.to)
    assert f"Còn {2 * len(typed) - na} tiêu chí được phân công chưa thẩm định" in body
    assert subjects(other) == ["[chiso] Còn 7 ngày đến hạn thẩm định: " + rnd.title]
    assert "Còn 3 tiêu chí được phân công" in next(m.body for m in mail.outbox if other.email in m.to)
    # the appraiser appraises all she is assigned (lowering 1.3 of Sở Tư pháp): no reminder at d3
    for unit in (scene.tuphap, scene.yte):
        sheet = rnd.sheets.get(unit=unit)
        entries = {s.node.code: {"score": s.self_score} for s in sheet.scores.select_related("node")
                   if not s.not_applicable and s.self_score is not None}  # fmt: skip
        if unit == scene.tuphap:
            entries["1.3"] = {"score": 1, "note": "Thiếu biên bản"}
        sheets.save(sheet, scene.appraiser, "appraisal", entries, today=dt.date(2026, 1, 25))
    remind("28/01/2026")
    assert len(subjects(scene.appraiser)) == 1 and len(subjects(other)) == 2  # td2 has Sở Xây dựng's 1.3 left
    # explanation: only the unit whose score was lowered, until it has explained
    rnd = rounds.advance(rnd, scene.coordinator)
    remind("03/02/2026")
    assert subjects(scene.officer_tp)[-1] == "[chiso] Còn 7 ngày đến hạn giải trình: " + rnd.title
    assert (
        "còn 1 tiêu chí bị giảm điểm chưa giải trình"
        in [m.body for m in mail.outbox if scene.officer_tp.email in m.to][-1]
    )
    assert not subjects(scene.officer_yt)
    sheets.save(rnd.sheets.get(unit=scene.tuphap), scene.officer_tp, "explanation",
                {"1.3": {"note": "Bổ sung biên bản"}}, today=dt.date(2026, 2, 4))  # fmt: skip
    sent = _not_coordinators(scene)
    remind("07/02/2026")
    assert _not_coordinators(scene) == sent  # the coordinator alone is told where the round stands
    # re-appraisal: the lowered criterion without a final score, for both appraisers assigned it
    rnd = rounds.advance(rnd, scene.coordinator)
    remind("13/02/2026")
    for user in (scene.appraiser, other):
        assert subjects(user)[-1] == "[chiso] Còn 7 ngày đến hạn thẩm định lại: " + rnd.title
    sheets.save(
        rnd.sheets.get(unit=scene.tuphap), other, "final", {"1.3": {"score": 2}}, today=dt.date(2026, 2, 14)
    )
    sent = _not_coordinators(scene)
    remind("17/02/2026")
    assert _not_coordinators(scene) == sent


def test_province_round_reminds_coordinators_and_departments_with_criteria_to_propose(scene):
    from chiso.assessment.services.province import assign_departments, propose

    rnd = rounds.open_round(scene.framework, 2025, scene.province, "province", scene.coordinator,
                            deadlines={"self": dt.date(2026, 1, 15)})  # fmt: skip
    row = Responsibility.objects.create(province=scene.province, index="cchc-so", node_code="1.1",
                                        lead_unit=scene.tuphap)  # fmt: skip
    row.coordinating_units.set([scene.yte])
    assign_departments(rnd, scene.coordinator)
    for code in ("1.1.1", "1.1.2", "1.1.3", "1.1.4"):
        entry = {"inputs": {"done": 9, "planned": 10}} if code == "1.1.4" else {"inputs": {"choice": "dat"}}
        if code == "1.1.1":
            entry = {"inputs": {"choice": "kip_thoi"}}
        propose(rnd, scene.officer_yt, scene.yte, code, entry, today=dt.date(2026, 1, 5))
    remind("12/01/2026")
    assert subjects(scene.coordinator) == ["[chiso] Còn 3 ngày đến hạn tự đánh giá: " + rnd.title]
    assert subjects(scene.officer_tp) == ["[chiso] Còn 3 ngày đến hạn đề xuất điểm: " + rnd.title]
    body = next(m.body for m in mail.outbox if scene.officer_tp.email in m.to)
    assert "1.1.1, 1.1.2, 1.1.3, 1.1.4" in body
    assert not subjects(scene.officer_yt) and not subjects(scene.officer_xd)  # proposed all; none assigned
