import csv
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiso.core.stats import (
    GroupBand,
    GroupRule,
    assign_groups,
    group_cutoffs,
    mean,
    median,
    percentile,
    rank_desc,
)

FIXTURE = Path(__file__).parent / "fixtures" / "papi_totals_2019_2023.csv"

PAPI_RULE_DICT = {
    "kind": "quantile",
    "population": "scored",
    "groups": [
        {"label": "Cao", "label_en": "High", "lower": 75},
        {"label": "Trung bình cao", "label_en": "High-average", "lower": 50},
        {"label": "Trung bình thấp", "label_en": "Low-average", "lower": 25},
        {"label": "Thấp", "label_en": "Low", "lower": None},
    ],
}
PAR_RULE_DICT = {
    "kind": "threshold",
    "on": "percent",
    "groups": [{"label": "A", "lower": 90}, {"label": "B", "lower": 80}, {"label": "C", "lower": 70}],
}
LABELS = ["Cao", "Trung bình cao", "Trung bình thấp", "Thấp"]


def papi_rule(*, population="scored", p25_inclusive=True) -> GroupRule:
    d = json.loads(json.dumps(PAPI_RULE_DICT))
    d["population"] = population
    d["groups"][2]["lower_inclusive"] = p25_inclusive
    return GroupRule.from_dict(d)


def load_year(year: int) -> tuple[dict[str, float], dict[str, float]]:
    """(complete totals, incomplete totals) by province for one year of the fixture."""
    complete: dict[str, float] = {}
    incomplete: dict[str, float] = {}
    with FIXTURE.open(encoding="utf-8") as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            if int(row["year"]) != year or not row["total_unweighted"]:
                continue
            target = complete if row["complete"] == "True" else incomplete
            target[row["province"]] = float(row["total_unweighted"])
    return complete, incomplete


def sizes(groups: dict[str, str | None]) -> list[int]:
    c = Counter(groups.values())
    return [c[label] for label in LABELS]


# ------------------------------------------------------------------ ranking


def test_rank_desc_competition():
    assert rank_desc({"a": 10, "b": 9, "c": 9, "d": 8}) == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert rank_desc({"a": 1.0, "b": None, "c": 2.0}) == {"c": 1, "a": 2}
    assert rank_desc({}) == {}
    assert rank_desc({"a": 0.1 + 0.2, "b": 0.3}) == {"a": 1, "b": 1}  # equal after rounding
    assert rank_desc({"a": 1.004, "b": 1.0}, ndigits=2) == {"a": 1, "b": 1}
    assert rank_desc({"a": float("nan"), "b": 1}) == {"b": 1}


@settings(deadline=None)
@given(st.dictionaries(st.integers(0, 80), st.one_of(st.none(), st.integers(-5, 5).map(float)), max_size=30))
def test_rank_desc_properties(scores):
    ranks = rank_desc(scores)
    scored = {k: v for k, v in scores.items() if v is not None}
    assert set(ranks) == set(scored)
    for k, v in scored.items():
        # rank = 1 + number of strictly better units
        assert ranks[k] == 1 + sum(1 for w in scored.values() if w > v)
        for k2, v2 in scored.items():
            if v == v2:
                assert ranks[k] == ranks[k2]
            elif v > v2:
                assert ranks[k] < ranks[k2]
    if scored:
        assert min(ranks.values()) == 1
        assert max(ranks.values()) <= len(scored)


# ------------------------------------------------------------------ percentile, mean, median


def test_percentile_examples():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 75) == 5
    assert percentile([3, 1, 2], 0) == 1 and percentile([3, 1, 2], 100) == 3
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 101)


@settings(deadline=None)
@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=80),
    st.floats(min_value=0, max_value=100),
)
def test_percentile_equals_numpy(values, p):
    assert percentile(values, p) == float(np.percentile(values, p))


@settings(deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=80, allow_nan=False), min_size=1, max_size=70))
def test_percentile_equals_numpy_at_quartiles(values):
    for p in (25, 50, 75):
        assert percentile(values, p) == float(np.percentile(values, p))


def test_mean_median():
    assert mean([]) is None and median([]) is None
    assert mean([1, 2, None, 6]) == 3
    assert median([3, 1, 2, None]) == 2
    assert median([1, 2, 3, 4]) == 2.5


def test_papi_national_median_2022():
    # METHODOLOGY §4.3: the published 2022 "national average" 42.2377 is the median of the scored totals
    complete, _ = load_year(2022)
    assert round(median(complete.values()), 4) == 42.2377
    assert round(mean(complete.values()), 2) == 42.34


# ------------------------------------------------------------------ rules as data


def test_rule_round_trip():
    for d in (PAPI_RULE_DICT, PAR_RULE_DICT):
        rule = GroupRule.from_dict(d)
        assert GroupRule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule
    par = GroupRule.from_dict(PAR_RULE_DICT)
    assert par.labels == ("A", "B", "C")
    assert par.groups[0] == GroupBand("A", "A", 90.0)
    assert par.at_least("A", "B") and not par.at_least("C", "B") and not par.at_least(None, "C")


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "ranking", "groups": [{"label": "A", "lower": 1}]},
        {"kind": "quantile", "groups": []},
        {"kind": "quantile", "groups": [{"label": "A", "lower": 25}, {"label": "B", "lower": 75}]},
        {"kind": "quantile", "groups": [{"label": "A", "lower": None}, {"label": "B", "lower": 75}]},
        {"kind": "quantile", "groups": [{"label": "A", "lower": 175}]},
        {"kind": "threshold", "groups": [{"label": "A", "lower": 90}, {"label": "A", "lower": 80}]},
        {"kind": "quantile", "population": "some", "groups": [{"label": "A", "lower": None}]},
    ],
)
def test_rule_validation(bad):
    with pytest.raises(ValueError):
        GroupRule.from_dict(bad)


def test_unknown_label():
    with pytest.raises(ValueError):
        papi_rule().index("Rất cao")


# ------------------------------------------------------------------ assign groups


def test_threshold_par_groups():
    rule = GroupRule.from_dict(PAR_RULE_DICT)
    scores = {"x": 90.0, "y": 89.99, "z": 80, "w": 69.99, "v": None, "u": 75}
    assert assign_groups(scores, rule, maximum=100) == {
        "x": "A",
        "y": "B",
        "z": "B",
        "w": None,
        "v": None,
        "u": "C",
    }
    # percent of a non-100 maximum (internal index: 91.86 of 95.75 = 95.94 %)
    assert assign_groups({"so_noi_vu": 91.86}, rule, maximum=95.75) == {"so_noi_vu": "A"}
    # 0.9 * 100 style float noise still reaches the bound
    assert assign_groups({"a": 0.9 * 100}, rule, maximum=100.0) == {"a": "A"}
    with pytest.raises(ValueError):
        assign_groups({"a": 1.0}, rule)
    assert group_cutoffs({"a": 1.0}, rule, maximum=100) == [("A", 90), ("B", 80), ("C", 70)]


def test_threshold_on_value_with_catch_all():
    rule = GroupRule(
        "threshold",
        (
            GroupBand("Xuất sắc", "Excellent", 90),
            GroupBand("Tốt", "Good", 80),
            GroupBand("Khá", "Fair", None),
        ),
    )
    assert assign_groups({"a": 95, "b": 80, "c": 10}, rule) == {"a": "Xuất sắc", "b": "Tốt", "c": "Khá"}


def test_quantile_basic():
    scores = {i: float(i) for i in range(1, 9)}  # 1..8: P75 6.25, P50 4.5, P25 2.75
    g = assign_groups(scores, papi_rule())
    assert [g[i] for i in range(1, 9)] == ["Thấp"] * 2 + ["Trung bình thấp"] * 2 + ["Trung bình cao"] * 2 + [
        "Cao"
    ] * 2
    assert group_cutoffs(scores, papi_rule()) == [
        ("Cao", 6.25),
        ("Trung bình cao", 4.5),
        ("Trung bình thấp", 2.75),
        ("Thấp", None),
    ]
    assert assign_groups({"a": None}, papi_rule()) == {"a": None}


def test_quantile_inclusive_boundary():
    scores = {i: float(i) for i in range(1, 6)}  # P25 = 2 exactly
    assert assign_groups(scores, papi_rule())[2] == "Trung bình thấp"
    assert assign_groups(scores, papi_rule(p25_inclusive=False))[2] == "Thấp"


def test_papi_2019_group_sizes():
    complete, incomplete = load_year(2019)
    assert len(complete) == 63 and not incomplete
    assert sizes(assign_groups(complete, papi_rule())) == [16, 16, 15, 16]  # as published [S46]
    assert sizes(assign_groups(complete, papi_rule(p25_inclusive=False))) == [16, 16, 15, 16]


def test_papi_2022_population_all_reproduces_published_sizes():
    complete, incomplete = load_year(2022)
    assert len(complete) == 61 and set(incomplete) == {"Bắc Giang", "Bắc Ninh"}
    extra = list(incomplete.values())
    assert sizes(assign_groups(complete, papi_rule(population="all"), extra_population=extra)) == [
        16,
        16,
        15,
        14,
    ]
    assert sizes(assign_groups(complete, papi_rule(population="scored"), extra_population=extra)) == [
        16,
        15,
        15,
        15,
    ]


def test_papi_2023_kon_tum_in_bottom_group_of_16():
    """Kon Tum 2023 = 39.9613 sits in "Thấp"; the bottom group has 16 of 61 provinces only when a unit
    exactly at P25 falls to "Thấp" (lower_inclusive=False on "Trung bình thấp"; METHODOLOGY §4.4)."""
    complete, _ = load_year(2023)
    assert len(complete) == 61
    assert round(complete["Kon Tum"], 4) == 39.9613
    strict = assign_groups(complete, papi_rule(p25_inclusive=False))
    assert strict["Kon Tum"] == "Thấp"
    assert sizes(strict) == [16, 15, 14, 16]
    inclusive = assign_groups(complete, papi_rule())
    assert inclusive["Kon Tum"] == "Thấp"
    assert sizes(inclusive) == [16, 15, 15, 15]  # does not match the published 16 in "Thấp"
    cut = dict(group_cutoffs(complete, papi_rule()))
    assert round(cut["Trung bình thấp"], 6) == 40.832953
    assert cut["Trung bình thấp"] in complete.values()  # P25 is itself a province's total


@settings(deadline=None)
@given(
    st.lists(st.floats(min_value=10, max_value=80, allow_nan=False), min_size=1, max_size=70),
    st.booleans(),
)
def test_quantile_groups_monotone(values, inclusive):
    scores = dict(enumerate(values))
    g = assign_groups(scores, papi_rule(p25_inclusive=inclusive))
    rule = papi_rule()
    for i, vi in scores.items():
        assert g[i] is not None
        for j, vj in scores.items():
            if vi > vj:
                assert rule.index(g[i]) <= rule.index(g[j])
    assert not math.isnan(sum(c for _, c in group_cutoffs(scores, rule) if c is not None))
