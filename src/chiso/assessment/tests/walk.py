"""A round walked through its services up to a chosen phase, for the document and package tests: three
departments self-score (Sở Tư pháp best, Sở Y tế weakest); in appraisal the appraiser lowers two of Sở Tư
pháp's criteria with comments; in explanation the unit explains one of them; in re-appraisal that one is
given back; then the round closes and publishes."""

from __future__ import annotations

import datetime as dt

from chiso.assessment.models import Score
from chiso.assessment.services import rounds, sheets

from .test_round_services import SELF_DAY, _full_self

PHASES = ("self", "appraisal", "explanation", "final", "closed")
#: What the appraiser writes on Sở Tư pháp's sheet.
COMMENT_13 = "Thiếu biên bản kiểm tra các phòng, đơn vị trực thuộc"
COMMENT_21 = "Chỉ 01/03 văn bản được ban hành đúng hạn"
EXPLANATION_13 = "Bổ sung Biên bản kiểm tra số 12/BB-STP ngày 15/11/2025"


def walk(scene, open_round, until: str):
    """The round at phase ``until`` (a work it opens, or "closed")."""
    rnd = open_round()
    for unit, officer, base in ((scene.tuphap, scene.officer_tp, 0.95), (scene.yte, scene.officer_yt, 0.7),
                                (scene.xd, scene.officer_xd, 0.85)):  # fmt: skip
        sheets.save(rnd.sheets.get(unit=unit), officer, "self", _full_self(rnd, unit, base), today=SELF_DAY)
    if until == "self":
        return rnd
    rnd = rounds.advance(rnd, scene.coordinator)
    tp = rnd.sheets.get(unit=scene.tuphap)
    sheets.save(
        tp,
        scene.appraiser,
        "appraisal",
        {"1.3": {"score": 1, "note": COMMENT_13}, "2.1": {"score": 2, "note": COMMENT_21}},
        today=dt.date(2026, 1, 20),
    )
    if until == "appraisal":
        return rnd
    rnd = rounds.advance(rnd, scene.coordinator)
    if until == "explanation":
        return rnd
    sheets.save(
        tp, scene.officer_tp, "explanation", {"1.3": {"note": EXPLANATION_13}}, today=dt.date(2026, 2, 5)
    )
    rnd = rounds.advance(rnd, scene.coordinator)
    self_13 = Score.objects.get(sheet=tp, node__code="1.3").self_score
    sheets.save(
        tp, scene.appraiser, "final", {"1.3": {"score": self_13, "note": "Chấp nhận giải trình"}},
        today=dt.date(2026, 2, 15),
    )  # fmt: skip
    if until == "final":
        return rnd
    return rounds.advance(rnd, scene.coordinator, to="closed", today=dt.date(2026, 2, 25))
