"""The estimates read as flat arrays (one query of the needed columns, grouped raking, element and overall
scores in one pass) give the same figures as the first implementation (one Python object per response,
the whole ``answers`` JSON parsed, raking respondent by respondent), kept here as the reference: on random
responses with missing and malformed answers, responses without a service point, a point without
dossiers, profile answers given as numbers, text, nothing, or values outside the margins."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from chiso.core import survey as stats
from chiso.surveys.models import Response, ServicePoint
from chiso.surveys.services import estimates
from chiso.surveys.services.questionnaire import questions_of, scale_codes

pytestmark = pytest.mark.django_db


# --- the reference: the service as it was before the flat-array reading ---------------------------


def _reference_matrix(rows, survey, codes):
    matrix = np.full((len(rows), len(codes)), np.nan)
    by_version: dict[int, list[int]] = {}
    for i, (version, _s) in enumerate(rows):
        by_version.setdefault(version, []).append(i)
    position = {c: j for j, c in enumerate(codes)}
    for version, idx in by_version.items():
        vcodes = [q.code for q in questions_of(survey, version) if q.scale]
        width = len(vcodes)
        text = "".join(rows[i][1].ljust(width, "-")[:width] for i in idx).encode("ascii", "replace")
        block = np.frombuffer(text, dtype=np.uint8).reshape(len(idx), width).astype(np.float64) - 48.0
        block[(block < 1) | (block > 5)] = np.nan
        for k, code in enumerate(vcodes):
            if code in position:
                matrix[idx, position[code]] = block[:, k]
    return matrix


def _reference_compute(survey, *, weighted=False, detail=False):
    questions = [q for q in questions_of(survey) if q.scale]
    codes = [q.code for q in questions]
    points = {p.pk: p for p in survey.points.all()}
    need_profile = weighted and bool(survey.margins)
    fields = ["version", "scores", "point_id"] + (["answers"] if need_profile else [])
    raw = list(Response.objects.filter(survey=survey).values_list(*fields))
    notes = []
    if weighted:
        kept = [r for r in raw if r[2] in points and points[r[2]].dossiers > 0]
        if len(kept) < len(raw):
            notes.append(
                f"{len(raw) - len(kept)} phiếu không gắn với điểm phục vụ có số hồ sơ trong khung mẫu: "
                "không tính vào ước lượng có gia quyền."
            )
        raw = kept
    figures = estimates.Figures(n=len(raw), weighted=weighted, notes=notes)
    matrix = _reference_matrix([(r[0], r[1]) for r in raw], survey, codes)
    point_ids = np.array([r[2] or 0 for r in raw], dtype=np.int64)
    strata = point_ids.astype(str)
    weights = None
    if weighted and raw:
        population = {str(pk): p.dossiers for pk, p in points.items()}
        weights = np.array(stats.respondent_weights(strata.tolist(), population))
        if need_profile:
            variables = {}
            for var in survey.margins:
                variables[var] = [(str(r[3].get(var)) if r[3].get(var) is not None else None) for r in raw]
            try:
                weights = np.array(stats.rake(weights, variables, survey.margins))
            except stats.SurveyError as exc:
                notes.append(f"Không hiệu chỉnh được theo cơ cấu dân số ({exc}); chỉ dùng trọng số thiết kế.")
    columns = {c: matrix[:, j] for j, c in enumerate(codes)}
    common = {"weights": weights, "strata": strata if raw else None, "method": "linearisation"}
    common["min_n"] = survey.min_n
    if raw:
        props = stats.estimate_many(columns, kind="proportion", **common)
        means = stats.estimate_many(columns, kind="mean", **common)
        figures.items = {c: {"p": props[c], "mean": means[c]} for c in codes}
        groups: dict[str, list[str]] = {}
        for q in questions:
            groups.setdefault(q.element or "", []).append(q.code)
        for element in survey.elements.all():
            parts = groups.get(element.code)
            if parts:
                figures.elements.append(
                    (
                        element,
                        {
                            "p": stats.combine(columns, parts, kind="proportion", **common),
                            "mean": stats.combine(columns, parts, kind="mean", **common),
                        },
                    )
                )
        overall_parts = [groups[e.code] for e, _f in figures.elements] or codes
        figures.overall = {
            "p": stats.combine(columns, overall_parts, kind="proportion", **common),
            "mean": stats.combine(columns, overall_parts, kind="mean", **common),
        }
        for pk, point in sorted(points.items(), key=lambda kv: kv[1].name):
            mask = point_ids == pk
            if not mask.any():
                continue
            sub = {c: v[mask] for c, v in columns.items()}
            sub_weights = None if weights is None else weights[mask]
            one = {"weights": sub_weights, "method": "linearisation", "min_n": survey.min_n}
            if detail:
                figures.point_elements[pk] = {
                    e.code: stats.combine(sub, groups[e.code], kind="proportion", **one)
                    for e, _f in figures.elements
                }
            figures.points.append((point, stats.combine(sub, overall_parts, kind="proportion", **one)))
    return figures


# --- comparison --------------------------------------------------------------------------------------


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def assert_same_estimate(got: stats.Estimate, want: stats.Estimate, where: str) -> None:
    for name in ("value", "lower", "upper", "se", "n_eff", "unweighted_value"):
        assert _close(getattr(got, name), getattr(want, name)), (where, name, got, want)
    for name in ("n", "publishable", "method", "kind", "confidence"):
        assert getattr(got, name) == getattr(want, name), (where, name, got, want)


def assert_same_figures(got: estimates.Figures, want: estimates.Figures) -> None:
    assert (got.n, got.weighted, got.notes) == (want.n, want.weighted, want.notes)
    assert list(got.items) == list(want.items)
    for code, pair in want.items.items():
        for kind in ("p", "mean"):
            assert_same_estimate(got.items[code][kind], pair[kind], f"item {code} {kind}")
    assert [e.code for e, _v in got.elements] == [e.code for e, _v in want.elements]
    for (element, values), (_e, expected) in zip(got.elements, want.elements, strict=True):
        for kind in ("p", "mean"):
            assert_same_estimate(values[kind], expected[kind], f"element {element.code} {kind}")
    assert list(got.overall) == list(want.overall)
    for kind, value in want.overall.items():
        assert_same_estimate(got.overall[kind], value, f"overall {kind}")
    assert [p.pk for p, _e in got.points] == [p.pk for p, _e in want.points]
    for (point, value), (_p, expected) in zip(got.points, want.points, strict=True):
        assert_same_estimate(value, expected, f"point {point.code}")
    assert list(got.point_elements) == list(want.point_elements)
    for pk, by_element in want.point_elements.items():
        assert list(got.point_elements[pk]) == list(by_element)
        for code, expected in by_element.items():
            assert_same_estimate(got.point_elements[pk][code], expected, f"point {pk} element {code}")


# --- random responses --------------------------------------------------------------------------------


def _fill(survey, seed: int, n: int, profile_values) -> None:
    rng = random.Random(seed)
    points = list(survey.points.order_by("pk")) + [None]
    levels = {p.pk if p else None: rng.uniform(2.0, 4.8) for p in points}
    width = len(scale_codes(survey))
    rows = []
    for i in range(n):
        point = rng.choice(points)
        base = levels[point.pk if point else None]
        scores = "".join(
            "-" if rng.random() < 0.1 else str(max(1, min(5, round(rng.gauss(base, 1.0)))))
            for _ in range(width)
        )
        roll = rng.random()
        if roll < 0.05:
            scores = scores[: rng.randrange(width)]  # an unanswered tail
        elif roll < 0.08:
            scores += "45"  # longer than the questionnaire: cut
        elif roll < 0.1:
            scores = scores[:2] + "ữ" + scores[3:]  # not an answer
        answers = {}
        for var, choices in profile_values.items():
            value = rng.choice(choices)
            if value != "absent":
                answers[var] = value
        rows.append(
            Response(
                survey=survey,
                version=survey.version,
                point=point,
                receipt=f"R{seed:02d}{i:06d}",
                mode=Response.Mode.IMPORT,
                answers=answers,
                scores=scores,
            )
        )
    Response.objects.bulk_create(rows)


MARGINS = {
    "gender": {"1": 0.49, "2": 0.51},
    "age": {"1": 0.15, "2": 0.2, "3": 0.3, "4": 0.2, "5": 0.15},
}
PROFILE = {
    # numbers and text for the same cell, unanswered (None, "", absent), and the rest
    "gender": [1, 2, "1", "2", 2, 1, None, "", "absent"],
    "age": [1, 2, 3, 4, 5, "3", "4", None, "absent"],
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_estimates_equal_the_reference_on_random_responses(survey, seed):
    _fill(survey, seed, 400, PROFILE)
    if seed == 2:  # a service point without dossiers: its responses leave the weighted estimates
        ServicePoint.objects.filter(survey=survey, code="99901").update(dossiers=0)
    survey.margins = MARGINS if seed != 3 else {"gender": MARGINS["gender"]}
    survey.save(update_fields=["margins"])
    for weighted in (False, True):
        for detail in (False, True):
            got = estimates.compute(survey, weighted=weighted, detail=detail)
            want = _reference_compute(survey, weighted=weighted, detail=detail)
            assert_same_figures(got, want)
            assert got.n > 0 and got.points


@pytest.mark.parametrize(
    "bad",
    [
        [1, 2, 3, "3", None],  # a value outside the margins, as a number and as text
        [1, 2, True, None],  # True is "True", not "1"
        [1, 2, 1.0],  # 1.0 is "1.0", not "1"
        [1, 2, [1, 2], {"a": 1}],
        [1, 2, "true", "Nữ"],
    ],
)
def test_raking_errors_name_the_same_value_as_the_reference(survey, bad):
    _fill(survey, 7, 120, {"gender": bad, "age": PROFILE["age"]})
    survey.margins = MARGINS
    survey.save(update_fields=["margins"])
    got = estimates.compute(survey, weighted=True)
    want = _reference_compute(survey, weighted=True)
    assert_same_figures(got, want)


def test_no_response_gives_no_figure(survey):
    for weighted in (False, True):
        got = estimates.compute(survey, weighted=weighted, detail=True)
        assert_same_figures(got, _reference_compute(survey, weighted=weighted, detail=True))
        assert got.n == 0 and not got.items and not got.overall


def test_a_margin_of_a_question_without_a_column_of_its_own_is_read_from_the_answers(survey):
    """Sex and age group are read from their columns; any other margin variable (here ethnicity, with odd
    values) from the JSON answers, with the same figures as the reference."""
    _fill(survey, 11, 300, {**PROFILE, "ethnicity": [1, 2, "2", 2, None, "absent", True]})
    survey.margins = {**MARGINS, "ethnicity": {"1": 0.85, "2": 0.15}}
    survey.save(update_fields=["margins"])
    for detail in (False, True):
        assert_same_figures(
            estimates.compute(survey, weighted=True, detail=detail),
            _reference_compute(survey, weighted=True, detail=detail),
        )
    survey.margins = {"ethnicity": {"1": 0.8, "2": 0.2}, "age": MARGINS["age"]}
    survey.save(update_fields=["margins"])
    assert_same_figures(estimates.compute(survey, weighted=True), _reference_compute(survey, weighted=True))


def test_scores_holding_the_separator_or_of_other_widths_are_read_as_the_reference(survey):
    """The scores of a group are read joined by a separator character: a score holding that character
    itself (never written by chiso, but not refused by the column), scores shorter and longer than their
    version's items, and responses to an earlier version with other items, give the reference figures."""
    from chiso.surveys.models import Question
    from chiso.surveys.services.questionnaire import new_version_if_answered

    _fill(survey, 5, 150, PROFILE)
    survey = new_version_if_answered(survey)
    Question.objects.filter(survey=survey, version=survey.version, code="q9_sat_25").delete()
    survey.__dict__.pop("_questions", None)
    _fill(survey, 6, 150, PROFILE)
    odd = list(Response.objects.filter(survey=survey).order_by("pk")[:40:3])
    for i, r in enumerate(odd):
        r.scores = ("45" + estimates.SEP + "3" + r.scores)[: 8 + i] if i % 2 else r.scores + estimates.SEP
    Response.objects.bulk_update(odd, ["scores"])
    survey.margins = MARGINS
    survey.save(update_fields=["margins"])
    for weighted in (False, True):
        assert_same_figures(
            estimates.compute(survey, weighted=weighted, detail=True),
            _reference_compute(survey, weighted=weighted, detail=True),
        )
