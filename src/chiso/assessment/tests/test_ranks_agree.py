"""One ranking rule: the round's summary ranks the units by the percent of their applicable maximum and
classes them by the framework's thresholds; closing publishes those ranks and classes with the results,
and the analysis page reads the same rank and class for every unit of the round — even where a unit with
a criterion not applicable to it has fewer points than another but a higher percent. While the round is
open the ranks are provisional (the round page says so), and the closed round keeps them on its sheets."""

from __future__ import annotations

import datetime as dt

import pytest

from chiso.analysis.services import analyse
from chiso.assessment.services import rounds, sheets
from chiso.assessment.services.results import summary, summary_data

from .test_round_services import _full_self

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 1, 10)


def test_summary_ranks_and_classes_are_the_analysis_ranks_and_classes(scene, open_round):
    rnd = open_round()
    tp = _full_self(rnd, scene.tuphap, 0.95)
    tp["1.5"] = {"na": True, "note": "Năm nay đơn vị không có sáng kiến được xét công nhận"}
    yt = _full_self(rnd, scene.yte, 0.97)
    yt["4.1"] = {"score": 3, "note": "Chưa hoàn thành sắp xếp một phòng"}
    for unit, officer, entries in (
        (scene.tuphap, scene.officer_tp, tp),
        (scene.yte, scene.officer_yt, yt),
        (scene.xd, scene.officer_xd, _full_self(rnd, scene.xd, 0.6)),
    ):
        sheets.save(rnd.sheets.get(unit=unit), officer, "self", entries, today=DAY)
    provisional = {r.unit.pk: (r.rank, r.klass) for r in summary(rnd)}
    by_unit = {r.unit.pk: r for r in summary(rnd)}
    # the case that tells the rules apart: fewer points, a higher percent
    tp_r, yt_r = by_unit[scene.tuphap.pk], by_unit[scene.yte.pk]
    assert tp_r.self_total < yt_r.self_total and tp_r.percent > yt_r.percent
    assert (tp_r.rank, yt_r.rank) == (1, 2)

    rnd = rounds.advance(rnd, scene.coordinator, to="closed", today=dt.date(2026, 3, 1))
    closed = summary_data(rnd)["units"]
    assert [(u["rank"], u["class"]) for u in closed] == [
        provisional[u.pk] for u in (scene.tuphap, scene.yte, scene.xd)
    ]
    for unit in (scene.tuphap, scene.yte, scene.xd):
        row = next(u for u in closed if u["unit"] == unit.name)
        a = analyse(rnd.framework.index.code, unit, rnd.year)
        assert (a.rank, a.rank_of) == (row["rank"], 3), unit.name
        assert a.group == row["class"], unit.name
        # the total published: the points; for a unit with a criterion not applicable, converted to the
        # framework's 100 points from its percent of the applicable maximum
        expected = row["percent"] if unit == scene.tuphap else row["self_total"]
        assert a.total == pytest.approx(expected, abs=0.01), unit.name
        # and the sheet keeps them
        sheet = rnd.sheets.get(unit=unit)
        assert (sheet.rank, sheet.klass or None) == (row["rank"], row["class"])
