import csv
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chiso.core.gap import (
    Suggestion,
    cover,
    group_with,
    needed_for_group,
    needed_for_places,
    needed_for_rank,
    needed_for_score,
    rank_of,
    suggest,
    what_if,
)
from chiso.core.stats import GroupBand, GroupRule, assign_groups
from chiso.core.tree import NodeSpec, Tree

FIXTURE = Path(__file__).parent / "fixtures" / "papi_totals_2019_2023.csv"
EPS = 1e-6


def papi_rule(population="scored", p25_inclusive=True, p75_inclusive=True) -> GroupRule:
    return GroupRule(
        "quantile",
        (
            GroupBand("Cao", "High", 75, p75_inclusive),
            GroupBand("Trung bình cao", "High-average", 50),
            GroupBand("Trung bình thấp", "Low-average", 25, p25_inclusive),
            GroupBand("Thấp", "Low", None),
        ),
        population=population,
    )


PAR_RULE = GroupRule(
    "threshold", (GroupBand("A", "A", 90), GroupBand("B", "B", 80), GroupBand("C", "C", 70)), on="percent"
)


def totals(year: int) -> tuple[dict[str, float], list[float]]:
    complete: dict[str, float] = {}
    incomplete: list[float] = []
    with FIXTURE.open(encoding="utf-8") as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            if int(row["year"]) == year and row["total_unweighted"]:
                if row["complete"] == "True":
                    complete[row["province"]] = float(row["total_unweighted"])
                else:
                    incomplete.append(float(row["total_unweighted"]))
    return complete, incomplete


def group_after(score, others, rule, maximum=None, extra=()):
    """The unit's group computed the plain way: assign_groups over everyone, the unit included."""
    scores = {("o", i): v for i, v in enumerate(others)}
    scores["me"] = score
    return assign_groups(scores, rule, maximum=maximum, extra_population=list(extra))["me"]


# values on a 0.1 grid (many ties) or arbitrary floats
score = st.one_of(st.integers(100, 800).map(lambda i: i / 10), st.floats(10, 80, allow_nan=False))
scores = st.lists(score, min_size=0, max_size=64)


# ------------------------------------------------------------------ ranks


def test_rank_of():
    assert rank_of(5, [6, 5, 4]) == 2
    assert rank_of(7, [6, 5, 4]) == 1
    assert rank_of(3, [6, 5, 4]) == 4
    assert rank_of(0.3, [0.1 + 0.2]) == 1  # equal after rounding: shared
    assert rank_of(1, []) == 1


def test_needed_for_rank_examples():
    others = [90, 85, 85, 80]
    assert needed_for_rank(70, others, 1) == 20
    assert needed_for_rank(70, others, 2) == 15  # tie at 85 counts as reached
    assert needed_for_rank(70, others, 3) == 15
    assert needed_for_rank(70, others, 5) == 0
    assert needed_for_rank(95, others, 1) == 0
    with pytest.raises(ValueError):
        needed_for_rank(1, others, 0)
    assert needed_for_places(70, others, 1) == 10  # rank 5 → 4
    assert needed_for_places(70, others, 2) == 15  # → 3 (tied second)
    assert needed_for_places(70, others, 10) == 20  # capped at rank 1
    assert needed_for_score(8.1, 8.5) == pytest.approx(0.4)
    assert needed_for_score(9, 8.5) == 0


def test_kon_tum_par_2023_gap():
    # Kon Tum 86.14 ranked 43/63: to climb 10 places it must reach the 33rd best of the others
    others = [86.14 + 0.1 * i for i in range(1, 43)] + [80 - 0.1 * i for i in range(20)]
    assert rank_of(86.14, others) == 43
    d = needed_for_places(86.14, others, 10)
    assert rank_of(86.14 + d, others) == 33
    assert d == pytest.approx(0.1 * 10)


@settings(deadline=None)
@given(score, scores, st.integers(1, 70))
def test_needed_for_rank_property(current, others, target):
    d = needed_for_rank(current, others, target)
    assert d >= 0
    assert rank_of(current + d, others) <= target
    if d > EPS:
        assert rank_of(current + d - EPS, others) > target


@settings(deadline=None)
@given(score, scores, st.integers(0, 70))
def test_needed_for_places_property(current, others, places):
    old = rank_of(current, others)
    d = needed_for_places(current, others, places)
    new = rank_of(current + d, others)
    assert new <= max(1, old - places)
    if d > EPS:
        assert rank_of(current + d - EPS, others) > max(1, old - places)
    if places == 0:
        assert d == 0


# ------------------------------------------------------------------ groups


def test_needed_for_group_simple():
    rule = papi_rule()
    others = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    # with x in the population, "Cao" (>= P75) needs x >= 6 (P75 of 1..7 + x at 6 is 6)
    d = needed_for_group(0.0, others, rule, "Cao")
    assert d == pytest.approx(6.0)
    assert group_after(6.0, others, rule) == "Cao"
    assert group_after(6.0 - EPS, others, rule) != "Cao"
    assert needed_for_group(0.0, others, rule, "Thấp") == 0
    assert needed_for_group(7.0, others, rule, "Cao") == 0


def test_needed_for_group_moving_cutoff():
    """The cut-off moves with the unit: the answer is below the static P75 of the others."""
    rule = papi_rule()
    others = [0.0, 0.0, 0.0, 10.0]  # population of 5 with x: P75 = 4th smallest
    d = needed_for_group(0.0, others, rule, "Cao")
    # sorted [0,0,0,x,10] → P75 (h = 3) = x: any x reaches "Cao" once it is 4th smallest, i.e. x >= 0
    assert d == 0
    others = [0.0, 0.0, 10.0, 10.0, 10.0, 20.0]  # n = 7, P75: h = 4.5
    d = needed_for_group(0.0, others, rule, "Cao")
    assert group_after(d, others, rule) == "Cao"
    assert group_after(d - EPS, others, rule) != "Cao"


def test_needed_for_group_threshold():
    assert needed_for_group(86.14, [], PAR_RULE, "A", maximum=100) == pytest.approx(3.86)
    assert needed_for_group(95, [], PAR_RULE, "A", maximum=100) == 0
    assert needed_for_group(50, [], PAR_RULE, "C", maximum=100) == pytest.approx(20)
    # internal index with a maximum of 95.75 points: A needs 90 % = 86.175 points
    assert needed_for_group(80, [], PAR_RULE, "A", maximum=95.75) == pytest.approx(6.175)
    strict = GroupRule("threshold", (GroupBand("Tốt", "Good", 80, False),))
    d = needed_for_group(70, [], strict, "Tốt")
    assert d is not None and 10 < d < 10 + 1e-8
    assert group_with(70 + d, [], strict) == "Tốt"
    with pytest.raises(ValueError):
        needed_for_group(80, [], PAR_RULE, "A")


def test_needed_for_group_unreachable():
    by_value = GroupRule("threshold", (GroupBand("A", "A", 90), GroupBand("B", "B", 80)))
    assert needed_for_group(50, [], by_value, "A", maximum=85) is None  # 90 points above the maximum
    assert needed_for_group(50, [], by_value, "B", maximum=85) == 30
    assert needed_for_group(50, [], PAR_RULE, "A", maximum=50) == 0  # 100 % of its maximum
    top = GroupRule("quantile", (GroupBand("Top", "Top", 100, False), GroupBand("Rest", "Rest", None)))
    assert needed_for_group(1, [2, 3], top, "Top") is None  # > own maximum is impossible
    assert needed_for_group(30, [40, 50, 60], papi_rule(), "Cao", maximum=40) is None


def test_kon_tum_papi_2023_to_low_average():
    complete, _ = totals(2023)
    kt = complete.pop("Kon Tum")
    others = list(complete.values())
    rule = papi_rule(p25_inclusive=False)
    assert group_with(kt, others, rule) == "Thấp"
    d = needed_for_group(kt, others, rule, "Trung bình thấp", maximum=80)
    assert d is not None and 0.5 < d < 2
    assert group_after(kt + d, others, rule) == "Trung bình thấp"
    assert group_after(kt + d - EPS, others, rule) == "Thấp"


def test_papi_2022_population_all():
    complete, incomplete = totals(2022)
    kt = complete.pop("Kon Tum")
    others = list(complete.values())
    rule = papi_rule(population="all")
    d = needed_for_group(kt, others, rule, "Trung bình cao", maximum=80, extra_population=incomplete)
    assert d is not None
    assert group_after(kt + d, others, rule, extra=incomplete) in ("Cao", "Trung bình cao")
    assert group_after(kt + d - EPS, others, rule, extra=incomplete) not in ("Cao", "Trung bình cao")


@settings(max_examples=150, deadline=None)
@given(
    score,
    scores,
    st.sampled_from(["Cao", "Trung bình cao", "Trung bình thấp", "Thấp"]),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["scored", "all"]),
    st.lists(score, max_size=3),
)
def test_needed_for_group_property(current, others, target, p25_incl, p75_incl, population, extra):
    rule = papi_rule(population, p25_incl, p75_incl)
    d = needed_for_group(current, others, rule, target, extra_population=extra)
    if d is None:
        # unreachable only when even a huge score does not reach it
        assert not rule.at_least(group_after(1e6, others, rule, extra=extra), target)
        return
    assert d >= 0
    assert rule.at_least(group_after(current + d, others, rule, extra=extra), target)
    if d > EPS:
        assert not rule.at_least(group_after(current + d - EPS, others, rule, extra=extra), target)


@settings(deadline=None)
@given(score, st.sampled_from(["A", "B", "C"]), st.sampled_from([100.0, 95.75, 61.5]))
def test_needed_for_group_threshold_property(current, target, maximum):
    assume(current <= maximum)
    d = needed_for_group(current, [], PAR_RULE, target, maximum=maximum)
    if d is None:
        return
    assert PAR_RULE.at_least(group_after(current + d, [], PAR_RULE, maximum=maximum), target)
    if d > EPS:
        assert not PAR_RULE.at_least(group_after(current + d - EPS, [], PAR_RULE, maximum=maximum), target)


# ------------------------------------------------------------------ suggestions


def test_suggest_and_cover():
    class Node:
        def __init__(self, code, score, mx, best_past=None):
            self.code, self.name, self.score, self.max, self.best_past = (
                code,
                f"Node {code}",
                score,
                mx,
                best_past,
            )

    nodes = [
        {"code": "D1", "name": "Tham gia", "score": 4.9, "max": 10, "best_past": 5.5},
        {"code": "D8", "name": "Điện tử", "score": 2.69, "max": 10, "best_past": 3.2},
        Node("D6", 7.28, 10, 7.0),
        Node("D7", 3.15, 10),
        {"code": "X", "name": "no max", "score": 1, "max": None},
        {"code": "F", "name": "full", "score": 10, "max": 10},
    ]
    out = suggest(nodes, needed=3)
    assert [s.code for s in out] == ["D8", "D7", "D1", "D6"]
    assert out[0] == Suggestion("D8", "Điện tử", 2.69, 10.0, pytest.approx(7.31), 3.2, pytest.approx(0.51))
    assert out[3].to_best_past is None  # best past below the current score
    assert [s.code for s in cover(out, 3)] == ["D8"]
    assert [s.code for s in cover(out, 7.31)] == ["D8"]
    assert [s.code for s in cover(out, 10)] == ["D8", "D7"]
    assert [s.code for s in cover(out, 1000)] == ["D8", "D7", "D1", "D6"]
    assert cover(out, 0) == [] and suggest(nodes, 0) == []


def test_suggest_tie_break_on_best_past():
    nodes = [
        {"code": "a", "name": "a", "score": 5, "max": 10, "best_past": 6},
        {"code": "b", "name": "b", "score": 5, "max": 10, "best_past": 8},
    ]
    assert [s.code for s in suggest(nodes, 1)] == ["b", "a"]


# ------------------------------------------------------------------ what-if


def par_tree() -> Tree:
    return Tree(
        [
            NodeSpec("PAR", None, 100),
            NodeSpec("TD", "PAR", 61.5, 0),
            NodeSpec("TAC", "PAR", 38.5, 0),
            NodeSpec("SIPAS", "TAC", 10, 0),
            NodeSpec("LD", "TAC", 22, 0),
            NodeSpec("KTXH", "TAC", 6.5, 0),
        ]
    )


KT = {"TD": 54.95, "SIPAS": 8.50, "LD": 18.33, "KTXH": 4.36}


def test_what_if_kon_tum():
    tree = par_tree()
    others = [86.14 + 0.1 * i for i in range(1, 43)] + [80 - 0.1 * i for i in range(20)]
    base = what_if(tree, KT, {}, others, PAR_RULE, None)
    assert base.total == pytest.approx(86.14) and base.delta_total == 0
    assert base.rank == 43 and base.rank_of == 63 and base.group == "B"
    w = what_if(tree, KT, {"SIPAS": 9.5, "LD": 20.33}, others, PAR_RULE, 100)
    assert w.total == pytest.approx(89.14) and w.delta_total == pytest.approx(3.0)
    assert w.rank == rank_of(89.14, others) < 43 and w.group == "B"
    w = what_if(tree, KT, {"TD": 58.82}, others, PAR_RULE, None)
    assert w.group == "A" and w.nodes["TD"].value == 58.82


def test_what_if_rejections():
    tree = par_tree()
    with pytest.raises(ValueError, match="derived"):
        what_if(tree, KT, {"TAC": 35}, [], None, None)
    with pytest.raises(ValueError, match="unknown"):
        what_if(tree, KT, {"ZZ": 1}, [], None, None)
    with pytest.raises(ValueError, match="outside"):
        what_if(tree, KT, {"SIPAS": 11}, [], None, None)
    # a published block with no children scored may be changed, and the change reaches the total
    w = what_if(tree, {"TD": 54.95, "TAC": 31.19}, {"TAC": 33}, [], None, None)
    assert w.total == pytest.approx(87.95)
    w = what_if(tree, {"TD": 54.95, "TAC": 31.19, "PAR": 86.14}, {"TAC": 33}, [], None, None)
    assert w.total == pytest.approx(87.95)  # derived from the blocks, not the old published total


@settings(deadline=None)
@given(
    st.lists(st.floats(0, 10, allow_nan=False), min_size=4, max_size=4),
    scores,
    st.sampled_from([None, "quantile", "threshold"]),
)
def test_what_if_no_change_is_identity(leaves, others, kind):
    tree = Tree(
        [
            NodeSpec("T", None, 40),
            NodeSpec("A", "T", 20),
            NodeSpec("B", "T", 20),
            *[NodeSpec(f"L{i}", "A" if i < 2 else "B", 10) for i in range(4)],
        ]
    )
    vals = {f"L{i}": v for i, v in enumerate(leaves)}
    rule = {None: None, "quantile": papi_rule(), "threshold": PAR_RULE}[kind]
    w = what_if(tree, vals, {}, others, rule, None)
    current = tree.total(vals)
    assert w.total == current and w.delta_total == 0
    assert w.rank == rank_of(current, others) and w.rank_of == len(others) + 1
    expected = None if rule is None else group_after(current, others, rule, maximum=40)
    assert w.group == expected
    # a leaf change moves the total by exactly that much
    w2 = what_if(tree, vals, {"L0": 10.0}, others, rule, None)
    assert w2.delta_total == pytest.approx(10.0 - leaves[0])


@st.composite
def quantile_rules(draw):
    lowers = sorted(draw(st.lists(st.integers(0, 100), min_size=1, max_size=5, unique=True)), reverse=True)
    bands = [GroupBand(f"G{i}", f"G{i}", float(lo), draw(st.booleans())) for i, lo in enumerate(lowers)]
    if draw(st.booleans()):
        bands.append(GroupBand("rest", "rest", None))
    return GroupRule("quantile", tuple(bands), population=draw(st.sampled_from(["scored", "all"])))


@settings(max_examples=150, deadline=None)
@given(score, scores, quantile_rules(), st.data(), st.lists(score, max_size=3))
def test_needed_for_group_any_quantile_rule(current, others, rule, data, extra):
    target = data.draw(st.sampled_from(rule.labels))
    d = needed_for_group(current, others, rule, target, extra_population=extra)
    if d is None:
        assert not rule.at_least(group_after(current + 1e6, others, rule, extra=extra), target)
        return
    assert rule.at_least(group_after(current + d, others, rule, extra=extra), target)
    if d > EPS:
        assert not rule.at_least(group_after(current + d - EPS, others, rule, extra=extra), target)
