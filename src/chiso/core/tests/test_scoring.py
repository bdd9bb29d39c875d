"""Scoring rules of assessment rounds (chiso.core.scoring): typed scores within bounds and on their step,
rules from entered figures (choice, bands, proportional — the Cà Mau 1880/QĐ-UBND patterns), bonus and
penalty caps, and the percent over the applicable maximum when criteria are not applicable. Examples from
real decisions, then properties that must hold for any input."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chiso.core.framework import parse_dict, validate
from chiso.core.scoring import (
    InputError,
    Item,
    RuleError,
    check_score,
    parse_rule,
    rule_problems,
    rule_score,
    totals,
)

# Cà Mau 1880/QĐ-UBND/2013, sub-criteria 1.1.1 and 1.1.4, as a framework would write them.
ON_TIME = {
    "kind": "choice",
    "choices": [
        {"code": "kip_thoi", "label": "Ban hành kịp thời", "score": 1},
        {"code": "khong_kip_thoi", "label": "Ban hành không kịp thời", "score": 0.5},
        {"code": "khong", "label": "Không ban hành", "score": 0},
    ],
}
PLAN_DONE = {
    "kind": "bands",
    "inputs": [
        {"code": "done", "label": "Số nhiệm vụ hoàn thành"},
        {"code": "planned", "label": "Số nhiệm vụ"},
    ],
    "bands": [{"from": 90, "score": 2}, {"from": 70, "score": 1}, {"score": 0}],
}


def test_choice_rule_gives_the_listed_score():
    rule = parse_rule(ON_TIME)
    assert rule_problems(rule, 1) == []
    assert rule_score(rule, {"choice": "khong_kip_thoi"}, 1) == 0.5
    with pytest.raises(InputError, match="Chọn một mức: Ban hành kịp thời; Ban hành không kịp thời"):
        rule_score(rule, {}, 1)


def test_bands_on_a_ratio():
    rule = parse_rule(PLAN_DONE)
    assert rule_problems(rule, 2) == []
    assert rule_score(rule, {"done": "19", "planned": "20"}, 2) == 2  # 95 %
    assert rule_score(rule, {"done": 18, "planned": 20}, 2) == 2  # exactly 90 % is in the top band
    assert rule_score(rule, {"done": "7,5", "planned": 10}, 2) == 1
    assert rule_score(rule, {"done": 1, "planned": 10}, 2) == 0
    with pytest.raises(InputError, match="bằng 0"):
        rule_score(rule, {"done": 0, "planned": 0}, 2)
    with pytest.raises(InputError, match="lớn hơn"):
        rule_score(rule, {"done": 21, "planned": 20}, 2)
    with pytest.raises(InputError, match="Thiếu số liệu «Số nhiệm vụ»"):
        rule_score(rule, {"done": 3}, 2)
    with pytest.raises(InputError, match="không phải là số"):
        rule_score(rule, {"done": "ba", "planned": 3}, 2)


def test_proportional_rule_reaches_the_maximum_at_full_at():
    rule = parse_rule({"kind": "proportional", "inputs": PLAN_DONE["inputs"], "full_at": 80})
    assert rule_score(rule, {"done": 40, "planned": 100}, 2) == pytest.approx(1.0)
    assert rule_score(rule, {"done": 90, "planned": 100}, 2) == 2  # capped at the maximum


def test_malformed_rules_say_why():
    with pytest.raises(RuleError, match="Loại quy tắc chấm điểm 'guess'"):
        parse_rule({"kind": "guess"})
    with pytest.raises(RuleError, match="khóa không được hỗ trợ: levels"):
        parse_rule({"kind": "choice", "levels": []})
    problems = rule_problems(parse_rule({**PLAN_DONE, "bands": [{"from": 90, "score": 3}, {"score": 0}]}), 2)
    assert problems == ["Khoảng từ 90: 3 điểm nằm ngoài 0–2 điểm của tiêu chí."]
    assert "Quy tắc chọn mức cần ít nhất hai mức." in rule_problems(
        parse_rule({"kind": "choice", "choices": [{"label": "Có", "score": 1}]}), 1
    )


def test_a_framework_checks_its_rules_and_steps():
    fw = parse_dict(
        {
            "index": "noi-bo",
            "code": "noi-bo-2025",
            "name_vi": "Nội bộ",
            "index_name_vi": "Chỉ số nội bộ",
            "index_name_en": "Internal index",
            "levels": [{"code": "total", "name_vi": "Tổng"}, {"code": "sub", "name_vi": "Tiêu chí"}],
            "root": {
                "code": "T",
                "level": "total",
                "name_vi": "Tổng",
                "max": 3,
                "children": [
                    {"code": "A", "level": "sub", "name_vi": "A", "max": 1, "rule": ON_TIME},
                    {"code": "B", "level": "sub", "name_vi": "B", "max": 2, "step": 0, "rule": {"kind": "x"}},
                ],
            },
        }
    )
    messages = [e.message for e in validate(fw)]
    assert "Nút 'B': bước điểm phải lớn hơn 0." in messages
    assert any(m.startswith("Nút 'B': Loại quy tắc chấm điểm 'x'") for m in messages)
    assert not any("'A'" in m for m in messages)


def test_typed_scores():
    ok = {"maximum": 2.0, "minimum": 0.0, "step": 0.25, "precision": 2}
    assert check_score(1.75, **ok) is None
    assert check_score(2.5, **ok) == "2,5 vượt điểm tối đa 2."
    assert check_score(-0.25, **ok) == "-0,25 thấp hơn điểm tối thiểu 0."
    assert check_score(1.3, **ok) == "điểm phải theo bước 0,25 (ví dụ 1,25)."
    assert (
        check_score(1.333, maximum=2, minimum=0, step=None, precision=2)
        == "điểm chỉ có tối đa 2 chữ số thập phân."
    )
    # a penalty criterion: between its negative minimum and 0
    assert check_score(-1, maximum=0, minimum=-2, step=0.5, precision=2) is None
    assert check_score(1, maximum=0, minimum=-2, step=0.5, precision=2) == "1 vượt điểm tối đa 0."


SHEET = [
    Item("T", None, 100, 0, aggregation="capped"),
    Item("F1", "T", 60),
    Item("F1.1", "F1", 40),
    Item("F1.2", "F1", 20, may_be_na=True),
    Item("F2", "T", 40),
    Item("F2.1", "F2", 40),
    Item("B", "T", 5, 0, aggregation="capped", bonus=True),
    Item("B1", "B", 3, bonus=True),
    Item("B2", "B", 3, bonus=True),
    Item("P", "T", 0, -5, aggregation="capped"),
    Item("P1", "P", 0, -3),
    Item("P2", "P", 0, -3),
]


def test_totals_with_bonus_penalty_and_not_applicable():
    scores = {"F1.1": 35, "F1.2": 10, "F2.1": 30, "B1": 3, "B2": 3, "P1": -3, "P2": -3}
    t = totals(SHEET, scores)
    assert t.complete and t.score["B"] == 5 and t.score["P"] == -5  # both groups capped
    assert t.total == 75 + 5 - 5 and t.applicable["T"] == 100 and t.percent() == pytest.approx(75.0)
    # F1.2 not applicable to this unit: out of the score and of the maximum
    t = totals(SHEET, scores, not_applicable={"F1.2"})
    assert t.score["F1"] == 35 and t.applicable["F1"] == 40 and t.applicable["T"] == 80
    assert t.percent() == pytest.approx(100 * 65 / 80)
    # a criterion that may not be declared not applicable stays in
    assert totals(SHEET, scores, not_applicable={"F2.1"}).applicable["T"] == 100
    # the total never goes above its maximum, whatever the bonus
    assert totals(SHEET, {"F1.1": 40, "F1.2": 20, "F2.1": 40, "B1": 3, "B2": 3}).total == 100


def test_missing_criteria_are_listed_in_order():
    t = totals(SHEET, {"F2.1": 10})
    assert t.missing == ("F1.1", "F1.2", "B1", "B2", "P1", "P2") and not t.complete
    assert t.total == 10


# --- properties -----------------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.dictionaries(st.sampled_from([i.code for i in SHEET if i.code[-1].isdigit()]), finite), st.sets(
    st.sampled_from(["F1.2", "F2.1", "B1"])
))  # fmt: skip
def test_capped_groups_stay_within_their_bounds(scores, na):
    t = totals(SHEET, scores, na)
    for item in SHEET:
        if item.aggregation == "capped":
            assert item.min - 1e-9 <= t.score[item.code] <= item.max + 1e-9
    assert 0 <= t.applicable["T"] <= 100


@given(
    st.floats(min_value=0, max_value=40),
    st.floats(min_value=0, max_value=20),
    st.floats(min_value=0, max_value=40),
)
def test_percent_is_score_over_applicable_maximum(a, b, c):
    with_b = totals(SHEET, {"F1.1": a, "F1.2": b, "F2.1": c, "B1": 0, "B2": 0, "P1": 0, "P2": 0})
    without_b = totals(SHEET, {"F1.1": a, "F1.2": b, "F2.1": c, "B1": 0, "B2": 0, "P1": 0, "P2": 0}, {"F1.2"})
    assert with_b.percent() == pytest.approx(a + b + c)  # maximum 100
    assert without_b.percent() == pytest.approx(100 * (a + c) / 80)
    assert 0 <= without_b.percent() <= 100 + 1e-9


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_bands_are_monotonic_in_the_ratio(done, planned):
    assume(done <= planned)
    rule = parse_rule(PLAN_DONE)
    score = rule_score(rule, {"done": done, "planned": planned}, 2)
    ratio = 100 * done / planned
    assert score == (2 if ratio >= 90 else 1 if ratio >= 70 else 0)
    if done < planned:
        assert rule_score(rule, {"done": done + 1, "planned": planned}, 2) >= score


@given(st.floats(min_value=0, max_value=1000, allow_nan=False), st.floats(min_value=0.25, max_value=10))
def test_a_score_on_the_step_within_bounds_is_accepted(value, step):
    k = math.floor(value / step)
    on_step = k * step
    assume(on_step <= 1000)
    assert check_score(on_step, maximum=1000, minimum=0, step=step, precision=2) is None


def test_a_rule_names_its_levels_and_figures_in_english_too():
    rule = parse_rule(
        {
            "kind": "choice",
            "choices": [
                {"code": "kip_thoi", "label": "Ban hành kịp thời", "label_en": "Issued on time", "score": 1},
                {"code": "khong", "label": "Không ban hành", "score": 0},
            ],
        }
    )
    assert [c.label_for("en") for c in rule.choices] == ["Issued on time", "Không ban hành"]
    assert [c.label_for("vi") for c in rule.choices] == ["Ban hành kịp thời", "Không ban hành"]
    bands = parse_rule(
        {
            "kind": "proportional",
            "inputs": [
                {"code": "on_time", "label": "Số hồ sơ đúng hạn", "label_en": "Cases settled on time"},
                {"code": "total", "label": "Tổng số hồ sơ"},
            ],
        }
    )
    assert [i.label_for("en-gb") for i in bands.inputs] == ["Cases settled on time", "Tổng số hồ sơ"]
    assert bands.inputs[0].label_for(None) == "Số hồ sơ đúng hạn"
