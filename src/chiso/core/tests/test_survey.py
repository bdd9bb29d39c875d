"""Sampling, weights and estimates of satisfaction surveys (chiso.core.survey)."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chiso.core import survey
from chiso.core.survey import (
    Estimate,
    RakingError,
    SurveyError,
    allocate,
    combine,
    design_weights,
    estimate,
    estimate_domains,
    estimate_many,
    poststratify,
    quota_remaining,
    rake,
    respondent_scores,
    respondent_weights,
    sample_size,
    slovin,
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


def test_slovin_as_in_the_2012_sipas_method():
    assert slovin(1000) == 286  # 1000 / (1 + 1000 · 0.0025) = 285.7
    assert slovin(100) == 80
    assert slovin(10**6) == 400
    with pytest.raises(SurveyError):
        slovin(0)


@FAST
@given(st.integers(1, 10**7), st.floats(0.01, 0.2))
def test_cochran_with_z_2_matches_slovin_to_within_one_response(population, margin):
    # z = 2 exactly: NormalDist().inv_cdf(0.5 + c/2) = 2 for c = 0.954499736...
    cochran = sample_size(margin, population=population, confidence=0.9544997361036416)
    assert 0 <= cochran - slovin(population, margin) <= 1


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


AGES = ["18-24", "25-34", "35-49", "50-60", "60+"]


@FAST
@given(
    st.lists(st.floats(0.1, 10), min_size=10, max_size=10),
    st.lists(st.tuples(cells_sex, cells_age, st.floats(0.1, 10)), max_size=300),
    st.floats(0.2, 0.8),
    st.lists(st.floats(0.05, 1), min_size=5, max_size=5),
    st.booleans(),
)
def test_raking_converges_to_the_margins(base_weights, extra, female, age_raw, as_totals):
    # every sex × age crossing has a respondent (so the margins can be met), then any others
    crossings = [(sex, age) for sex in ("Nam", "Nữ") for age in AGES]
    rows = [(sex, age, wt) for (sex, age), wt in zip(crossings, base_weights, strict=True)] + extra
    sexes = [r[0] for r in rows]
    ages = [r[1] for r in rows]
    age_shares = dict(zip(AGES, np.array(age_raw) / sum(age_raw), strict=True))
    margins = {"sex": {"Nữ": female, "Nam": 1 - female}, "age": age_shares}
    if as_totals:
        margins = {v: {c: s * 250_000 for c, s in m.items()} for v, m in margins.items()}
    w0 = [r[2] for r in rows]
    w = np.array(rake(w0, {"sex": sexes, "age": ages}, margins, max_iter=500, tol=1e-9))
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


@pytest.mark.parametrize("method", ["linearisation", "bootstrap"])
def test_one_answer_gives_a_value_without_interval(method):
    e = estimate([None, 5, None], method=method, replicates=20, min_n=1)
    assert e.n == 1 and e.value == 1.0 and e.se is None and e.lower is None and e.upper is None
    assert e.publishable  # min_n = 1 says so; the missing interval says the rest


def test_single_answer_strata_are_pooled():
    # every respondent alone in its stratum: pooled into one stratum, i.e. a simple random sample
    values = [5, 4, 1, 2, 5, 3]
    pooled = estimate(values, strata=list("abcdef"))
    plain = estimate(values)
    assert pooled.se == pytest.approx(plain.se)
    # one single-answer stratum next to a larger one adds no variance of its own
    e = estimate([5, 4, 1, 2, 5], strata=["a", "a", "a", "a", "b"])
    # R = 3/5; z = (y − R)/5 in "a": 0.08, 0.08, −0.12, −0.12 → Σ(z − z̄)² = 0.04, × 4/3
    assert e.value == pytest.approx(0.6) and e.se == pytest.approx(math.sqrt(0.04 * 4 / 3))


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
    assert (a.se is None and b.se is None) or a.se == pytest.approx(b.se, rel=1e-9, abs=1e-15)


def assert_same(a: Estimate, b: Estimate) -> None:
    """Equal up to the order of floating-point sums."""
    assert (a.n, a.publishable, a.method, a.kind) == (b.n, b.publishable, b.method, b.kind)
    for field in ("value", "lower", "upper", "se", "n_eff", "unweighted_value"):
        x, y = getattr(a, field), getattr(b, field)
        assert (x is None and y is None) or x == pytest.approx(y, rel=1e-12), field


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


@FAST
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.integers(1, 5)), st.floats(0.1, 30), st.integers(0, 6)),
        min_size=1,
        max_size=150,
    ),
    st.sampled_from(["proportion", "mean"]),
    st.booleans(),
)
def test_answer_cell_fast_path_equals_the_per_respondent_computation(rows, kind, weighted):
    values = [r[0] for r in rows]
    w = [r[1] for r in rows] if weighted else None
    strata = np.array([r[2] for r in rows])
    fast = estimate(values, weights=w, strata=strata, kind=kind)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(survey, "MAX_CELLS", 0)  # every column takes the per-respondent path
        slow = estimate(values, weights=w, strata=strata, kind=kind)
    assert fast.n == slow.n
    if fast.value is None:
        assert slow.value is None
        return
    for field in ("value", "unweighted_value", "n_eff", "se", "lower", "upper"):
        x, y = getattr(fast, field), getattr(slow, field)
        assert (x is None and y is None) or x == pytest.approx(y, rel=1e-9, abs=1e-12), field


def test_labels_and_integer_codes_as_strata_give_the_same_estimates():
    rng = np.random.default_rng(8)
    y = rng.integers(1, 6, 200).astype(float)
    ids = rng.integers(0, 7, 200)
    labels = [f"điểm {i}" for i in ids]
    assert_same(estimate(y, strata=ids), estimate(y, strata=labels))
    assert_same(estimate(y, strata=ids), estimate(y, strata=np.array(labels)))


def test_non_integer_answers_are_estimated_too():
    e = estimate([1.5, 2.5, 4.5, None, 3.0], kind="mean", min_n=1)
    assert e.value == pytest.approx(2.875) and e.n == 4
    with pytest.raises(SurveyError):
        estimate([1.0, float("inf")])
    with pytest.raises(SurveyError, match="phải là số"):
        estimate([5, "rất hài lòng"])


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
    assert e.contains(0.5) and not e.contains(1.5)
    assert estimate([5], min_n=1).contains(1.0) is None


def test_domain_estimates_equal_estimates_on_the_domain_respondents():
    rng = np.random.default_rng(21)
    n = 600
    cols = {f"q{j}": rng.integers(1, 6, n).astype(float) for j in range(4)}
    cols["q1"][rng.random(n) < 0.2] = np.nan
    points = rng.choice(["sp1", "sp2", "sp3", "sp4", "sp5"], n)
    unit_of = {"sp1": "Sở Tư pháp", "sp2": "Sở Tư pháp", "sp3": "UBND xã A", "sp4": "UBND xã A", "sp5": None}
    units = [unit_of[p] for p in points]
    w = rng.uniform(1, 9, n)
    out = estimate_domains(cols, units, weights=w, strata=points)
    assert list(out) == list(dict.fromkeys(u for u in units if u is not None))
    for unit, figures in out.items():
        mask = np.array([u == unit for u in units])
        direct = estimate_many({c: v[mask] for c, v in cols.items()}, weights=w[mask], strata=points[mask])
        for c in cols:
            assert_same(figures[c], direct[c])
    parts = {"A": ["q0", "q1"], "overall": [["q0", "q1"], ["q2", "q3"]]}
    scored = estimate_domains(cols, units, parts=parts, weights=w, strata=points, kind="mean")
    for unit, figures in scored.items():
        mask = np.array([u == unit for u in units])
        sub = {c: v[mask] for c, v in cols.items()}
        for code, part in parts.items():
            assert_same(figures[code], combine(sub, part, weights=w[mask], strata=points[mask], kind="mean"))
    assert figures["A"].kind == "mean"


@FAST
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(1, 5)),
            st.one_of(st.none(), st.integers(1, 5)),
            st.floats(0.1, 30),
            st.sampled_from(["sp1", "sp2", "sp3", "sp4"]),
            st.sampled_from(["A", "B", "C", None]),
        ),
        min_size=1,
        max_size=80,
    ),
    st.sampled_from(["proportion", "mean"]),
)
def test_domain_estimates_equal_estimates_on_the_domain_respondents_property(rows, kind):
    cols = {"q1": [r[0] for r in rows], "q2": [r[1] for r in rows]}
    w = np.array([r[2] for r in rows])
    points = np.array([r[3] for r in rows])
    doms = [r[4] for r in rows]
    out = estimate_domains(cols, doms, weights=w, strata=points, kind=kind)
    assert set(out) == {d for d in doms if d is not None}
    for dom, figures in out.items():
        mask = np.array([d == dom for d in doms])
        sub = {c: [v for v, keep in zip(col, mask, strict=True) if keep] for c, col in cols.items()}
        direct = estimate_many(sub, weights=w[mask], strata=points[mask], kind=kind)
        for c in cols:
            a, b = figures[c], direct[c]
            assert (a.n, a.publishable) == (b.n, b.publishable)
            for field in ("value", "lower", "upper", "se", "n_eff", "unweighted_value"):
                x, y = getattr(a, field), getattr(b, field)
                assert (x is None and y is None) or x == pytest.approx(y, rel=1e-9, abs=1e-12), field


def test_domains_given_as_integer_ids_keep_the_order_of_first_appearance():
    rng = np.random.default_rng(4)
    y = rng.integers(1, 6, 300).astype(float)
    ids = rng.choice([17, 3, 250, 9], 300)
    by_ids = estimate_domains({"q": y}, ids)
    by_text = estimate_domains({"q": y}, [str(i) for i in ids])
    assert list(by_ids) == list(by_text) == [str(i) for i in dict.fromkeys(ids.tolist())]
    for key in by_ids:
        assert_same(by_ids[key]["q"], by_text[key]["q"])
    assert estimate_domains({"q": [5, 4]}, [None, None]) == {}


def test_domain_estimates_by_bootstrap_resample_each_unit():
    rng = np.random.default_rng(31)
    n = 3000
    points = rng.choice(["sp1", "sp2", "sp3", "sp4"], n)
    units = np.where(np.isin(points, ["sp1", "sp2"]), "Sở Tư pháp", "UBND xã A")
    y = np.where(rng.random(n) < 0.75, 5.0, 2.0)
    w = rng.uniform(1, 5, n)
    boot = estimate_domains({"q": y}, units, weights=w, strata=points, method="bootstrap", replicates=300)
    lin = estimate_domains({"q": y}, units, weights=w, strata=points)
    for unit in ("Sở Tư pháp", "UBND xã A"):
        b, li = boot[unit]["q"], lin[unit]["q"]
        assert b.method == "bootstrap" and b.value == pytest.approx(li.value)
        assert b.se == pytest.approx(li.se, rel=0.2)


def test_finite_population_correction_of_the_variance():
    rng = np.random.default_rng(12)
    points = np.repeat(["sp1", "sp2"], [60, 40])
    y = rng.integers(1, 6, 100).astype(float)
    plain = estimate(y, strata=points)
    # a census of both points: nothing left to estimate
    census = estimate(y, strata=points, population={"sp1": 60, "sp2": 40})
    assert census.value == plain.value and census.se == pytest.approx(0.0, abs=1e-15)
    # a tiny sampling fraction changes (almost) nothing; half of each point: variance × 1/2
    assert estimate(y, strata=points, population={"sp1": 6 * 10**6, "sp2": 4 * 10**6}).se == pytest.approx(
        plain.se, rel=1e-5
    )
    half = estimate(y, strata=points, population={"sp1": 120, "sp2": 80})
    assert half.se == pytest.approx(plain.se / math.sqrt(2))
    # a stratum missing from the population gets no correction; integer ids look up their labels
    partial = estimate(y, strata=np.where(points == "sp1", 7, 9), population={7: 60})
    assert 0 < partial.se < plain.se
    # the same through combine and per unit
    assert combine({"q": y}, ["q"], strata=points, population={"sp1": 120, "sp2": 80}).se == pytest.approx(
        half.se
    )
    by_unit = estimate_domains({"q": y}, ["U"] * 100, strata=points, population={"sp1": 120, "sp2": 80})
    assert by_unit["U"]["q"].se == pytest.approx(half.se)
    assert estimate_domains(
        {"q": y + 0.5}, ["U"] * 100, strata=points, population={"sp1": 60, "sp2": 40}, kind="mean"
    )["U"]["q"].se == pytest.approx(0.0, abs=1e-12)


def test_coverage_with_large_sampling_fractions_needs_the_correction():
    """Service points whose responses are three quarters of their dossiers, drawn without replacement:
    with the correction about 95 % of the intervals hold the true value; without, far more (too wide)."""
    rng = np.random.default_rng(77)
    sizes = {"sp1": 400, "sp2": 200, "sp3": 120}
    frames = {
        h: rng.choice(np.arange(1.0, 6.0), big_n, p=[0.05, 0.1, 0.2, 0.4, 0.25]) for h, big_n in sizes.items()
    }
    truth = sum((f >= 4).sum() for f in frames.values()) / sum(sizes.values())
    n_h = {h: big_n * 3 // 4 for h, big_n in sizes.items()}
    strata = np.concatenate([np.repeat(h, n) for h, n in n_h.items()])
    w = np.concatenate([np.full(n, sizes[h] / n) for h, n in n_h.items()])
    with_fpc = without = 0
    sims = 400
    for _ in range(sims):
        y = np.concatenate([rng.choice(frames[h], n, replace=False) for h, n in n_h.items()])
        a = estimate(y, weights=w, strata=strata, population=sizes)
        b = estimate(y, weights=w, strata=strata)
        with_fpc += a.lower <= truth <= a.upper
        without += b.lower <= truth <= b.upper
    assert 0.92 <= with_fpc / sims <= 0.975
    assert without / sims > 0.99


# --- the fast paths of large surveys equal the plain functions -----------------------------------------


@FAST
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Nam", "Nữ", None, ""]),
            st.sampled_from(["1", "2", "3", None]),
            st.integers(1, 4),
            st.floats(0.5, 40),
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["shares", "totals"]),
)
def test_rake_of_grouped_rows_equals_rake_of_the_respondents(groups, scale):
    """Rows standing for ``counts`` identical respondents rake to the same weights as the respondents."""
    margins = {"sex": {"Nam": 0.48, "Nữ": 0.52}, "age": {"1": 0.3, "2": 0.5, "3": 0.2}}
    if scale == "totals":
        margins = {v: {c: 1000 * s for c, s in m.items()} for v, m in margins.items()}
    sexes = [g[0] for g in groups]
    ages = [g[1] for g in groups]
    counts = [g[2] for g in groups]
    w0 = [g[3] for g in groups]
    expand = np.repeat(np.arange(len(groups)), counts)
    try:
        want = rake(
            [w0[i] for i in expand],
            {"sex": [sexes[i] for i in expand], "age": [ages[i] for i in expand]},
            margins,
            max_iter=300,
        )
    except RakingError as exc:
        with pytest.raises(RakingError) as got:
            rake(w0, {"sex": sexes, "age": ages}, margins, max_iter=300, counts=counts)
        assert (got.value.variable, got.value.cell) == (exc.variable, exc.cell)
        if "không hội tụ" in str(exc):  # no convergence: the gap left is printed to 2 digits, rounded
            assert str(got.value).split(" còn lệch ")[0] == str(exc).split(" còn lệch ")[0]
        else:
            assert str(got.value) == str(exc)
        return
    got = rake(w0, {"sex": sexes, "age": ages}, margins, max_iter=300, counts=counts)
    assert np.allclose(np.array(got)[expand], want, rtol=1e-9, atol=0)


def test_rake_counts_must_match_the_rows():
    with pytest.raises(SurveyError):
        rake([1, 1], {"a": ["x", "y"]}, {"a": {"x": 0.5, "y": 0.5}}, counts=[1])
    with pytest.raises(SurveyError):
        rake([1, 1], {"a": ["x", "y"]}, {"a": {"x": 0.5, "y": 0.5}}, counts=[1, -1])


@pytest.mark.parametrize("weighted", [False, True])
def test_estimate_many_kinds_and_combine_many_equal_the_one_at_a_time_functions(weighted):
    rng = np.random.default_rng(11)
    n = 3000
    cols = {f"q{j}": rng.integers(1, 6, n).astype(float) for j in range(7)}
    for c in cols.values():
        c[rng.random(n) < 0.1] = np.nan
    points = rng.integers(0, 9, n)
    w = rng.uniform(1, 30, 9)[points] * rng.uniform(0.8, 1.2, n) if weighted else None
    both = survey.estimate_many_kinds(cols, ("proportion", "mean"), weights=w, strata=points)
    for kind in ("proportion", "mean"):
        one = estimate_many(cols, weights=w, strata=points, kind=kind)
        for code in cols:
            assert_same(both[kind][code], one[code])
    parts = {"A": ["q0", "q1", "q2"], "B": ["q3", "q4", "q5", "q6"]}
    parts["overall"] = [parts["A"], parts["B"]]
    parts["flat"] = list(cols)
    for kind in ("proportion", "mean"):
        many = survey.combine_many(cols, parts, weights=w, strata=points, kind=kind)
        for code, part in parts.items():
            assert_same(many[code], combine(cols, part, weights=w, strata=points, kind=kind))


def test_scores_kept_across_calls_give_the_same_figures():
    """``scores_cache``: the respondent scores kept by the caller from one call to the next (the share
    satisfied, the mean, then per domain) give the figures of calls that compute everything again."""
    rng = np.random.default_rng(12)
    n = 2000
    cols = {f"q{j}": rng.integers(1, 6, n).astype(float) for j in range(5)}
    cols["q3"][rng.random(n) < 0.3] = np.nan
    points = rng.integers(0, 6, n)
    w = rng.uniform(1, 30, 6)[points] * rng.uniform(0.8, 1.2, n)
    parts = {"A": ["q0", "q1"], "B": ["q2", "q3", "q4"]}
    parts["overall"] = [parts["A"], parts["B"]]
    kept: dict = {}
    for kind in ("proportion", "mean"):
        again = survey.combine_many(cols, parts, weights=w, strata=points, kind=kind)
        reused = survey.combine_many(cols, parts, weights=w, strata=points, kind=kind, scores_cache=kept)
        assert reused == again
    by_point = estimate_domains(cols, points, parts=parts, weights=w, strata=points, scores_cache=kept)
    assert by_point == estimate_domains(cols, points, parts=parts, weights=w, strata=points)
    assert set(by_point) == {str(p) for p in range(6)}


@pytest.mark.parametrize("weighted", [False, True])
def test_respondents_in_runs_of_one_stratum_and_weight_give_the_figures_of_any_order(weighted):
    """Respondents read in runs (consecutive, one stratum, one weight: how the survey app reads a group
    of one service point and profile) are summed per run; the figures are those of the same respondents
    in any other order."""
    rng = np.random.default_rng(13)
    n_runs = 300
    lengths = rng.integers(20, 120, n_runs)
    points = np.repeat(rng.integers(0, 25, n_runs), lengths)
    w = np.repeat(rng.uniform(1, 40, n_runs), lengths) if weighted else None
    n = points.shape[0]
    cols = {f"q{j}": rng.integers(1, 6, n).astype(float) for j in range(6)}
    cols["q2"][rng.random(n) < 0.4] = np.nan
    cols["q5"][:] = np.nan
    cols["q5"][rng.random(n) < 0.05] = 3.0
    parts = {"A": ["q0", "q1", "q2"], "B": ["q3", "q4"], "C": ["q5"]}
    parts["overall"] = [parts["A"], parts["B"], parts["C"]]
    shuffle = rng.permutation(n)

    def figures(order):
        c = {k: v[order] for k, v in cols.items()}
        wo = None if w is None else w[order]
        items = survey.estimate_many_kinds(c, ("proportion", "mean"), weights=wo, strata=points[order])
        scored = {
            kind: survey.combine_many(c, parts, weights=wo, strata=points[order], kind=kind)
            for kind in ("proportion", "mean")
        }
        by_point = estimate_domains(c, points[order], parts=parts, weights=wo, strata=points[order])
        by_point_items = estimate_domains(c, points[order], weights=wo, strata=points[order], kind="mean")
        return items, scored, by_point, by_point_items

    in_runs, shuffled = figures(np.arange(n)), figures(shuffle)
    for got, want in zip(in_runs, shuffled, strict=True):
        assert set(got) == set(want)
        for key in want:
            for code in want[key]:
                assert_same(got[key][code], want[key][code])
    assert in_runs[0]["mean"]["q5"].n == int((~np.isnan(cols["q5"])).sum())
