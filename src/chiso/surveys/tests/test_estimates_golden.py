"""The estimates of a fixed set of responses are those recorded in ``fixtures/estimates_golden.json``
before the estimates were made faster (December 2026): every figure of ``estimates_json`` (weighted and
unweighted) as the API gives it, and every figure of ``compute(…, detail=True)`` (items, elements,
overall, service points and their elements) at full precision, equal to floating-point rounding.

The responses cover what the reading has to get right: two questionnaire versions of different widths
(the second drops two items and adds one), score strings shorter (unanswered tail) and longer than their
version's items, unanswered items ("-"), a character that is not an answer, responses without a service
point, a point without dossiers (left out of the weighted figures), profile answers as numbers, text,
"" and none, margins on the profile columns (sex, age group) and on an answer without a column of its own
(ethnicity, with a value ``true``), and margins that raking cannot reach (a note, design weights only).

The fixture was written by the code of that time: ``CHISO_WRITE_GOLDEN=1 pytest <this file>`` writes it
again (only when the figures are meant to change, stating why in the commit)."""

from __future__ import annotations

import json
import math
import os
import random
from pathlib import Path
from typing import Any

import pytest

from chiso.core import survey as stats
from chiso.surveys.models import Question, Response, ServicePoint
from chiso.surveys.services import estimates
from chiso.surveys.services.questionnaire import new_version_if_answered, scale_codes

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "fixtures" / "estimates_golden.json"

GENDER = [1, 2, "1", "2", 2, 1, None, "", "absent"]
AGE = [1, 2, 3, 4, 5, "3", "4", None, "absent"]
ETHNICITY = [1, 2, "2", 2, 1, None, "absent", True]


def _responses(survey, rng: random.Random, n: int, prefix: str) -> None:
    points = list(survey.points.order_by("code")) + [None]
    levels = {p.code if p else None: rng.uniform(2.2, 4.7) for p in points}
    width = len(scale_codes(survey))
    rows = []
    for i in range(n):
        point = rng.choice(points)
        base = levels[point.code if point else None]
        scores = "".join(
            "-" if rng.random() < 0.08 else str(max(1, min(5, round(rng.gauss(base, 1.0)))))
            for _ in range(width)
        )
        roll = rng.random()
        if roll < 0.05:
            scores = scores[: rng.randrange(width)]  # an unanswered tail
        elif roll < 0.08:
            scores += "452"  # longer than the version's items: cut
        elif roll < 0.1:
            scores = scores[:2] + "ữ" + scores[3:]  # not an answer
        answers: dict[str, Any] = {}
        for var, choices in (("gender", GENDER), ("age", AGE), ("ethnicity", ETHNICITY)):
            value = rng.choice(choices)
            if value != "absent":
                answers[var] = value
        rows.append(
            Response(
                survey=survey,
                version=survey.version,
                point=point,
                receipt=f"{prefix}{i:06d}",
                mode=Response.Mode.IMPORT,
                answers=answers,
                scores=scores,
            )
        )
    Response.objects.bulk_create(rows)


def _scene(survey):
    """600 responses to version 1 (16 items), then version 2 (two items dropped, one added: 15) and 400
    responses to it."""
    rng = random.Random(2026)
    _responses(survey, rng, 600, "G1")
    survey = new_version_if_answered(survey)
    Question.objects.filter(
        survey=survey, version=survey.version, code__in=["q9_sat_26", "q9_sat_38"]
    ).delete()
    last = Question.objects.filter(survey=survey, version=survey.version).order_by("-order").first()
    Question.objects.create(
        survey=survey,
        version=survey.version,
        order=last.order + 1,
        code="q9_sat_40",
        text="Câu hỏi thêm ở phiên bản 2.",
        kind="likert5",
        scale=True,
        element="result",
    )
    survey.__dict__.pop("_questions", None)
    assert len(scale_codes(survey, 1)) == 16 and len(scale_codes(survey)) == 15
    _responses(survey, rng, 400, "G2")
    return survey


def _estimate(e: stats.Estimate) -> dict[str, Any]:
    return e.as_dict()


def _figures(f: estimates.Figures) -> dict[str, Any]:
    return {
        "n": f.n,
        "weighted": f.weighted,
        "notes": f.notes,
        "items": {c: {k: _estimate(e) for k, e in pair.items()} for c, pair in f.items.items()},
        "elements": {e.code: {k: _estimate(v) for k, v in pair.items()} for e, pair in f.elements},
        "overall": {k: _estimate(e) for k, e in f.overall.items()},
        "points": {p.code: _estimate(e) for p, e in f.points},
        "point_elements": {
            ServicePoint.objects.get(pk=pk).code: {c: _estimate(e) for c, e in by.items()}
            for pk, by in f.point_elements.items()
        },
    }


def _api(survey, weighted: bool) -> dict[str, Any]:
    out = estimates.estimates_json(survey, weighted=weighted)
    del out["survey"]  # its primary key
    return out


MARGINS = {
    "gender": {"1": 0.49, "2": 0.51},
    "age": {"1": 0.15, "2": 0.2, "3": 0.3, "4": 0.2, "5": 0.15},
}
CASES: dict[str, dict[str, Any]] = {
    "profile columns": MARGINS,
    "with an answer without a column": {**MARGINS, "ethnicity": {"1": 0.85, "2": 0.1, "True": 0.05}},
    "raking fails": {"age": {"1": 0.3, "2": 0.3, "3": 0.4}},  # ages 4 and 5 are not in the margins
    "none": {},
}


def _snapshot(survey) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for case, margins in CASES.items():
        survey.margins = margins
        survey.save(update_fields=["margins"])
        for weighted in (False, True) if case == "profile columns" else (True,):
            key = f"{case}, {'weighted' if weighted else 'unweighted'}"
            out[key] = {
                "api": _api(survey, weighted),
                "compute": _figures(estimates.compute(survey, weighted=weighted, detail=True)),
            }
    ServicePoint.objects.filter(survey=survey, code="99901").update(dossiers=0)
    survey.margins = MARGINS
    survey.save(update_fields=["margins"])
    out["a point without dossiers, weighted"] = {
        "api": _api(survey, True),
        "compute": _figures(estimates.compute(survey, weighted=True, detail=True)),
    }
    return out


def _same(got: Any, want: Any, where: str) -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), where
        for k, v in want.items():
            _same(got[k], v, f"{where} / {k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same(g, w, f"{where} [{i}]")
    elif isinstance(want, float) and not isinstance(got, bool) and isinstance(got, int | float):
        assert math.isclose(got, want, rel_tol=1e-11, abs_tol=1e-13), (where, got, want)
    else:
        assert got == want, (where, got, want)


def test_the_estimates_are_those_recorded_before_the_speed_up(survey):
    survey = _scene(survey)
    got = json.loads(json.dumps(_snapshot(survey)))  # as JSON gives them: tuples as lists, keys as text
    if os.environ.get("CHISO_WRITE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert list(got) == list(want)
    for case in want:
        _same(got[case], want[case], case)
    # what the cases are meant to show did happen
    assert want["profile columns, weighted"]["api"]["notes"]  # responses without a point left out
    assert any("Không hiệu chỉnh" in n for n in want["raking fails, weighted"]["api"]["notes"])
    assert not any(
        "Không hiệu chỉnh" in n for n in want["with an answer without a column, weighted"]["api"]["notes"]
    )
    items = want["profile columns, unweighted"]["compute"]["items"]
    assert "q9_sat_26" not in items  # the current version's items, answered in either version
    assert 0 < items["q9_sat_40"]["p"]["n"] < 400 < items["q9_sat_24"]["p"]["n"]
