"""Sampling, weights and estimates of satisfaction surveys (chiso.core.survey)."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chiso.core.survey import (
    Estimate,
    RakingError,
    SurveyError,
    allocate,
    combine,
    design_weights,
    estimate,
    estimate_many,
    poststratify,
    quota_remaining,
    rake,
    respondent_scores,
    respondent_weights,
    sample_size,
)

FAST = settings(max_examples=60, deadline=None)

# --- sample size ------------------------------------------------------------------------------------


def test_sample_size_textbook_values():
    # 1.96² · 0.25 / 0.05² = 384.15 → 385; with N = 1000: 384.15 / (1 + 383.15/1000) = 277.7 → 278
    assert sample_size(0.05) == 385
    assert sample_size(0.05, population=1000) == 278
    assert sample_size(0.03) == 1068
    assert sample_size(0.05, design_effect=2.0) == 769
    assert sample_size(0.05, p=0.8) == 246
    assert sample_size(0.05, population=50) == 45
    assert sample_size(0.05, confidence=0.99) == 664


@FAST
@given(
    st.floats(0.005, 0.5),
    st.floats(0.005, 0.5),
    st.one_of(st.none(), st.integers(1, 10**7)),
    st.floats(0.01, 0.99),
)
def test_sample_size_decreases_with_margin(m1, m2, population, p):
    small, large = sorted((m1, m2))
    assert sample_size(small, population=population, p=p) >= sample_size(large, population=population, p=p)


@FAST
@given(st.floats(0.005, 0.5), st.integers(1, 10**7), st.floats(0.0, 1.0), st.floats(0.5, 4.0))
def test_finite_population_correction_never_increases_and_never_exceeds_population(
    margin, population, p, deff
):
    with_fpc = sample_size(margin, population=population, p=p, design_effect=deff)
    without = sample_size(margin, p=p, design_effect=deff)
    assert 1 <= with_fpc <= without
    assert with_fpc <= population


@pytest.mark.parametrize(
    "kwargs",
    [
        {"margin": 0},
        {"margin": 1.5},
        {"margin": 0.05, "population": 0},
        {"margin": 0.05, "p": 2},
        {"margin": 0.05, "confidence": 1},
        {"margin": 0.05, "design_effect": 0},
    ],
)
def test_sample_size_rejects_nonsense(kwargs):
    with pytest.raises(SurveyError):
        sample_size(**kwargs)


# --- allocation and quotas --------------------------------------------------------------------------

frames = st.dictionaries(
    st.text("abcdefghij", min_size=1, max_size=3), st.integers(0, 5000), min_size=1, max_size=12
)


@FAST
@given(frames, st.integers(0, 60), st.sampled_from(["proportional", "equal"]), st.data())
def test_allocation_sums_to_total_and_respects_minima_and_sizes(frame, minimum, method, data):
    floor = sum(min(minimum, n) for n in frame.values())
    assume(floor <= sum(frame.values()))
    total = data.draw(st.integers(floor, sum(frame.values())))
    out = allocate(frame, total, method=method, minimum=minimum)
    assert list(out) == list(frame)
    assert sum(out.values()) == total
    for k, n in frame.items():
        assert min(minimum, n) <= out[k] <= n


@FAST
@given(frames, st.data())
def test_proportional_allocation_is_within_one_of_the_exact_share(frame, data):
    big_n = sum(frame.values())
    assume(big_n > 0)
    total = data.draw(st.integers(0, big_n))
    out = allocate(frame, total)
    for k, n in frame.items():
        assert abs(out[k] - total * n / big_n) < 1 + 1e-9


def test_allocation_examples():
    frame = {"Sở Tư pháp": 6000, "UBND xã A": 3000, "UBND xã B": 900, "UBND xã C": 100}
    assert allocate(frame, 1000) == {"Sở Tư pháp": 600, "UBND xã A": 300, "UBND xã B": 90, "UBND xã C": 10}
    # a minimum of 50 lifts the small commune; the rest stays proportional among the others
    out = allocate(frame, 1000, minimum=50)
    assert out["UBND xã C"] == 50 and sum(out.values()) == 1000
    assert out["Sở Tư pháp"] > out["UBND xã A"] > out["UBND xã B"] > 50
    assert allocate(frame, 400, method="equal") == {k: 100 for k in frame}
    # a stratum never gets more than its dossiers
    assert allocate({"a": 10, "b": 1000}, 500, method="equal") == {"a": 10, "b": 490}


def test_allocation_errors():
    with pytest.raises(SurveyError, match="tối thiểu"):
        allocate({"a": 100, "b": 100}, 50, minimum=30)
    with pytest.raises(SurveyError, match="lớn hơn"):
        allocate({"a": 10}, 11)
    with pytest.raises(SurveyError):
        allocate({"a": 10}, 5, method="neyman")
    with pytest.raises(SurveyError):
        allocate({"a": -1}, 0)


def test_quota_remaining():
    assert quota_remaining({"a": 100, "b": 50, "c": 10}, {"a": 40, "b": 70, "x": 5}) == {
        "a": 60,
        "b": 0,
        "c": 10,
    }


# --- weights ----------------------------------------------------------------------------------------


@FAST
@given(
    st.dictionaries(
        st.text("abcdef", min_size=1, max_size=2),
        st.tuples(st.integers(1, 10**6), st.integers(0, 2000)),
        min_size=1,
    )
)
def test_design_weights_sum_to_the_population_of_the_sampled_strata(cells):
    population = {h: big_n for h, (big_n, _) in cells.items()}
    sample = {h: n for h, (_, n) in cells.items()}
    w = design_weights(population, sample)
    assert set(w) == {h for h, n in sample.items() if n > 0}
    covered = sum(population[h] for h in w)
    assert math.isclose(sum(sample[h] * w[h] for h in w), covered, rel_tol=1e-12)


def test_respondent_weights_and_errors():
    ws = respondent_weights(["a", "a", "b", "a"], {"a": 300, "b": 50, "c": 10})
    assert ws == [100.0, 100.0, 50.0, 100.0]
    assert sum(ws) == 350
    with pytest.raises(SurveyError, match="không có trong khung mẫu"):
        design_weights({"a": 10}, {"z": 3})
    with pytest.raises(SurveyError):
        design_weights({"a": 0}, {"a": 3})


cells_sex = st.sampled_from(["Nam", "Nữ"])
cells_age = st.sampled_from(["18-24", "25-34", "35-49", "50-60", "60+"])


@FAST
@given(
    st.lists(st.tuples(cells_sex, cells_age, st.floats(0.1, 10)), min_size=10, max_size=300),
    st.floats(0.2, 0.8),
    st.lists(st.floats(0.05, 1), min_size=5, max_size=5),
    st.booleans(),
)
def test_raking_converges_to_the_margins(rows, female, age_raw, as_totals):
    sexes = [r[0] for r in rows]
    ages = [r[1] for r in rows]
    assume(set(sexes) == {"Nam", "Nữ"} and len(set(ages)) == 5)
    age_shares = dict(
        zip(["18-24", "25-34", "35-49", "50-60", "60+"], np.array(age_raw) / sum(age_raw), strict=True)
    )
    margins = {"sex": {"Nữ": female, "Nam": 1 - female}, "age": age_shares}
    if as_totals:
        margins = {v: {c: s * 250_000 for c, s in m.items()} for v, m in margins.items()}
    w0 = [r[2] for r in rows]
    try:
        w = np.array(rake(w0, {"sex": sexes, "age": ages}, margins, max_iter=500, tol=1e-9))
    except RakingError as exc:  # a sample with empty crossings may not reach the margins: say where
        assert exc.variable in ("sex", "age")
        return
    total = w.sum()
    if as_totals:
        assert math.isclose(total, 250_000, rel_tol=1e-6)
    else:
        assert math.isclose(total, sum(w0), rel_tol=1e-9)
    for v, col in (("sex", sexes), ("age", ages)):
        m = margins[v]
        msum = sum(m.values())
        for c, target in m.items():
            got = w[[x == c for x in col]].sum() / total
            assert abs(got - target / msum) < 1e-6
    assert np.all(w > 0)


def test_raking_with_shares_and_missing_answers():
    sexes = ["Nam", "Nam", "Nam", "Nữ", None, "Nữ"]
    ages = ["trẻ", "già", "trẻ", "già", "già", ""]
    w = rake(
        [1.0] * 6,
        {"sex": sexes, "age": ages},
        {"sex": {"Nam": 0.5, "Nữ": 0.5}, "age": {"trẻ": 0.4, "già": 0.6}},
    )
    w = np.array(w)
    known_sex = np.array([s is not None for s in sexes])
    assert math.isclose(w.sum(), 6.0)
    assert math.isclose(w[[s == "Nữ" for s in sexes]].sum() / w[known_sex].sum(), 0.5, abs_tol=1e-7)
    known_age = np.array([a not in (None, "") for a in ages])
    assert math.isclose(w[[a == "trẻ" for a in ages]].sum() / w[known_age].sum(), 0.4, abs_tol=1e-7)


def test_raking_errors_name_the_variable():
    sexes = ["Nam", "Nam", "Nữ"]
    with pytest.raises(RakingError, match="'sex'.*'Khác'") as exc:
        rake([1, 1, 1], {"sex": sexes}, {"sex": {"Nam": 0.4, "Nữ": 0.3, "Khác": 0.3}})
    assert exc.value.variable == "sex" and exc.value.cell == "Khác"
    with pytest.raises(RakingError, match="không có trong biên") as exc:
        rake([1, 1, 1], {"sex": ["Nam", "Nữ", "?"]}, {"sex": {"Nam": 0.5, "Nữ": 0.5}})
    assert exc.value.cell == "?"
    with pytest.raises(RakingError) as exc:
        rake([1, 1], {"a": ["x", "y"], "b": ["u", "v"]}, {"a": {"x": 10, "y": 10}, "b": {"u": 5, "v": 5}})
    assert exc.value.variable == "b"
    # contradictory margins: every "x" is "u", so x = 0.9 and u = 0.1 cannot both hold
    with pytest.raises(RakingError, match="không hội tụ") as exc:
        rake(
            [1, 1, 1, 1],
            {"a": ["x", "x", "y", "y"], "b": ["u", "u", "v", "v"]},
            {"a": {"x": 0.9, "y": 0.1}, "b": {"u": 0.1, "v": 0.9}},
            max_iter=50,
        )
    assert exc.value.variable in ("a", "b")


def test_poststratify_hits_the_totals():
    w = poststratify([1, 2, 3, 4], ["Nam", "Nữ", "Nữ", "Nam"], {"Nam": 600, "Nữ": 400})
    assert w == pytest.approx([120.0, 160.0, 240.0, 480.0])
    with pytest.raises(RakingError) as exc:
        poststratify([1, 1], ["Nam", "Nam"], {"Nam": 0.5, "Nữ": 0.5})
    assert exc.value.variable == "cell" and exc.value.cell == "Nữ"


# --- estimates --------------------------------------------------------------------------------------


def test_proportion_and_standard_error_of_a_simple_random_sample():
    values = [5, 4, 3, None, 1, 4, 2, 5, 4, 3, 1]
    e = estimate(values, min_n=10)
    p = 5 / 10
    assert e.n == 10 and e.value == pytest.approx(p) and e.unweighted_value == pytest.approx(p)
    assert e.se == pytest.approx(math.sqrt(p * (1 - p) / 9))  # linearisation of a simple random sample
    assert e.lower == pytest.approx(p - 1.959964 * e.se, abs=1e-6)
    assert e.publishable and e.method == "linearisation" and e.n_eff == pytest.approx(10)
    assert not estimate(values).publishable  # 10 < 30
    m = estimate(values, kind="mean")
    assert m.value == pytest.approx(3.2)
    assert m.se == pytest.approx(np.std([5, 4, 3, 1, 4, 2, 5, 4, 3, 1], ddof=1) / math.sqrt(10))


def test_no_valid_answer_gives_no_figure():
    e = estimate([None, None, float("nan")])
    assert e.n == 0 and e.value is None and e.lower is None and not e.publishable


def test_weights_change_the_value_and_the_unweighted_figure_stays():
    values = [5, 1, 1, 1]
    e = estimate(values, weights=[7, 1, 1, 1], min_n=1)
    assert e.value == pytest.approx(0.7) and e.unweighted_value == pytest.approx(0.25)
    assert e.n_eff == pytest.approx(100 / 52)


answers = st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=2, max_size=120)


@FAST
@given(answers, st.data(), st.floats(0.001, 1000), st.sampled_from(["proportion", "mean"]))
def test_estimates_are_invariant_to_weight_scaling(values, data, factor, kind):
    n = len(values)
    w = data.draw(st.lists(st.floats(0.5, 50), min_size=n, max_size=n))
    strata = data.draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
    a = estimate(values, weights=w, strata=strata, kind=kind)
    b = estimate(values, weights=[x * factor for x in w], strata=strata, kind=kind)
    for field in ("value", "se", "lower", "upper", "n_eff"):
        x, y = getattr(a, field), getattr(b, field)
        assert (x is None and y is None) or math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
    assert a.n == b.n


@FAST
@given(answers, st.floats(0.01, 100), st.sampled_from(["proportion", "mean"]), st.booleans())
def test_unweighted_equals_weighted_with_equal_weights(values, c, kind, stratified):
    strata = ["a" if i % 3 else "b" for i in range(len(values))] if stratified else None
    a = estimate(values, kind=kind, strata=strata)
    b = estimate(values, weights=[c] * len(values), kind=kind, strata=strata)
    assert a.n == b.n
    if a.value is None:
        assert b.value is None
        return
    assert a.value == pytest.approx(b.value, rel=1e-12)
    assert a.value == pytest.approx(a.unweighted_value, rel=1e-12)
    assert a.se == pytest.approx(b.se, rel=1e-9, abs=1e-15)


def assert_same(a: Estimate, b: Estimate) -> None:
    """Equal up to the order of floating-point sums."""
    assert (a.n, a.publishable, a.method, a.kind) == (b.n, b.publishable, b.method, b.kind)
    for field in ("value", "lower", "upper", "se", "n_eff", "unweighted_value"):
        assert getattr(a, field) == pytest.approx(getattr(b, field), rel=1e-12), field


def test_estimate_many_equals_estimate_per_item_and_lists_equal_arrays():
    rng = np.random.default_rng(3)
    n = 500
    cols = {f"q{j}": rng.integers(1, 6, n).astype(float) for j in range(5)}
    cols["q2"][:100] = np.nan
    w = rng.uniform(1, 5, n)
    strata = rng.choice(["a", "b", "c", "d"], n)
    many = estimate_many(cols, weights=w, strata=strata)
    as_lists = {k: [None if math.isnan(x) else float(x) for x in v] for k, v in cols.items()}
    many_lists = estimate_many(as_lists, weights=list(w), strata=list(strata))
    for k, col in cols.items():
        one = estimate(col, weights=w, strata=strata)
        assert_same(many[k], one)
        assert_same(many_lists[k], one)
    assert many["q2"].n == 400


def test_bootstrap_agrees_with_linearisation_on_a_large_sample():
    rng = np.random.default_rng(5)
    n = 4000
    strata = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    w = np.select([strata == "a", strata == "b"], [2.0, 5.0], 10.0)
    y = np.where(rng.random(n) < np.select([strata == "a", strata == "b"], [0.6, 0.8], 0.9), 5.0, 2.0)
    lin = estimate(y, weights=w, strata=strata)
    boot = estimate(y, weights=w, strata=strata, method="bootstrap", replicates=400, seed=1)
    assert boot.value == lin.value and boot.method == "bootstrap"
    assert boot.se == pytest.approx(lin.se, rel=0.12)
    assert estimate(y, weights=w, strata=strata, method="bootstrap", replicates=50, seed=7) == estimate(
        y, weights=w, strata=strata, method="bootstrap", replicates=50, seed=7
    )


def _coverage(method: str, kind: str, sims: int = 400) -> float:
    """Share of 95 % intervals that contain the population value, over simulated stratified samples
    with unequal design weights (three strata of very different sizes, equal sample sizes)."""
    rng = np.random.default_rng(20261203)
    sizes = np.array([40_000, 8_000, 1_500])
    probs = np.array(
        [[0.05, 0.10, 0.20, 0.40, 0.25], [0.02, 0.05, 0.13, 0.45, 0.35], [0.10, 0.10, 0.20, 0.30, 0.30]]
    )
    scale = np.arange(1, 6)
    if kind == "proportion":
        per_stratum = probs[:, 3:].sum(axis=1)
    else:
        per_stratum = probs @ scale
    truth = float((sizes * per_stratum).sum() / sizes.sum())
    n_h = 80
    strata = np.repeat(["a", "b", "c"], n_h)
    w = np.repeat(sizes / n_h, n_h)
    hits = 0
    for _ in range(sims):
        y = np.concatenate([rng.choice(scale, n_h, p=p) for p in probs]).astype(float)
        e = estimate(
            y,
            weights=w,
            strata=strata,
            kind=kind,
            method=method,
            replicates=200,
            seed=int(rng.integers(1 << 30)),
        )
        hits += e.lower <= truth <= e.upper
    return hits / sims


@pytest.mark.parametrize(
    ("method", "kind"),
    [("linearisation", "proportion"), ("linearisation", "mean"), ("bootstrap", "proportion")],
)
def test_confidence_intervals_cover_about_95_percent(method, kind):
    assert 0.92 <= _coverage(method, kind) <= 0.975


# --- combined scores --------------------------------------------------------------------------------


def test_combined_score_equals_the_mean_of_item_estimates_without_missing_answers():
    rng = np.random.default_rng(11)
    n = 300
    cols = {f"q{j}": rng.integers(1, 6, n).astype(float) for j in range(24, 31)}
    w = rng.uniform(1, 4, n)
    strata = rng.choice(["a", "b"], n)
    for kind in ("proportion", "mean"):
        items = estimate_many(cols, weights=w, strata=strata, kind=kind)
        element = combine(cols, ["q24", "q25", "q26"], weights=w, strata=strata, kind=kind)
        assert element.value == pytest.approx(np.mean([items[c].value for c in ("q24", "q25", "q26")]))
        assert element.kind == kind and element.n == n
        # overall over elements: each element counts once, whatever its number of items
        overall = combine(cols, [["q24", "q25", "q26"], ["q27", "q28", "q29", "q30"]], weights=w, kind=kind)
        e1 = np.mean([items[c].value for c in ("q24", "q25", "q26")])
        e2 = np.mean([items[c].value for c in ("q27", "q28", "q29", "q30")])
        assert overall.value == pytest.approx((e1 + e2) / 2)
        assert 0 < overall.se < max(items[c].se for c in cols)


def test_respondent_scores_skip_missing_answers():
    cols = {"a": [5, None, 2, None], "b": [1, 4, None, None]}
    s = respondent_scores(cols, ["a", "b"])
    assert list(s[:3]) == [0.5, 1.0, 0.0] and math.isnan(s[3])
    m = respondent_scores(cols, ["a", "b"], kind="mean")
    assert list(m[:3]) == [3.0, 4.0, 2.0]
    e = combine(cols, ["a", "b"], min_n=1)
    assert e.n == 3 and e.value == pytest.approx(0.5)
    with pytest.raises(SurveyError, match="'zz'"):
        combine(cols, ["a", "zz"])


def test_estimate_as_dict_in_percent():
    e = estimate([5, 4, 1, 2], min_n=1)
    d = e.as_dict(percent=True)
    assert d["value"] == pytest.approx(50.0) and d["n"] == 4 and d["method"] == "linearisation"
    assert isinstance(e, Estimate)
