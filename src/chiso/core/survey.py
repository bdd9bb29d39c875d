"""Statistics of satisfaction surveys (SIPAS-shaped): sample sizes, allocation, weights, estimates.

Pure Python + numpy, no Django. Everything the survey app computes about a sample goes through here:

* **Sampling** — :func:`sample_size` (margin of error → n, with the finite population correction),
  :func:`allocate` (a total over strata: service points with their dossier counts),
  :func:`quota_remaining` (live quotas).
* **Weights** — :func:`design_weights` (inverse inclusion probability N_h / n_h per stratum),
  :func:`respondent_weights` (the same, one per response), :func:`poststratify` and :func:`rake`
  (adjust weights to known margins such as sex and age group).
* **Estimates** — :func:`estimate` (one item), :func:`estimate_many` (all items at once, numpy-vectorised)
  and :func:`combine` (an element, unit or overall score from several items), each returning an
  :class:`Estimate` with a confidence interval that accounts for weights and strata.

Conventions
-----------
* A *proportion* is the weighted share of valid answers at or above ``satisfied_threshold`` (on the
  SIPAS 1–5 scale: "Hài lòng" (4) or "Rất hài lòng" (5)); it is returned as a share in [0, 1], not a
  percentage. A *mean* is the weighted mean answer on the item's own scale.
* Missing answers (``None`` or NaN) are excluded item by item: an item's n is its number of valid answers.
* Point estimates are ratio estimators ``Σ w·y / Σ w``; they do not change when all weights are multiplied
  by the same positive number, and with equal weights they equal the unweighted figures.
* Variance, ``method="linearisation"``: Taylor linearisation of the ratio, each respondent a primary
  sampling unit drawn with replacement within its stratum (the usual approximation for a sample that is
  small against the stratum's dossiers). ``method="bootstrap"``: Rao–Wu rescaling bootstrap
  (n_h − 1 respondents drawn with replacement in each stratum, weights rescaled by n_h / (n_h − 1)).
  Strata with a single valid answer are pooled into one stratum (with one such stratum only, it adds
  no variance). The interval is value ± z·se with z the normal quantile of ``confidence``; an interval
  of a proportion is clipped to [0, 1].
* Which of these rules are SIPAS's own and which are chiso's (or the province's) choice is stated in
  ``docs/methodology.md`` ("Survey estimates"). The official SIPAS formula (1001/QĐ-BNV) was not seen.

Errors are :class:`SurveyError` (a ``ValueError``) with a Vietnamese message fit to show a user;
:class:`RakingError` also names the variable (and cell) at fault.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal, TypeAlias, cast

import numpy as np
import numpy.typing as npt

__all__ = [
    "Column",
    "Estimate",
    "Kind",
    "Method",
    "Part",
    "RakingError",
    "SurveyError",
    "allocate",
    "combine",
    "design_weights",
    "estimate",
    "estimate_many",
    "poststratify",
    "quota_remaining",
    "rake",
    "respondent_scores",
    "respondent_weights",
    "sample_size",
]

Kind = Literal["proportion", "mean"]
Method = Literal["linearisation", "bootstrap"]
FloatArray: TypeAlias = npt.NDArray[np.float64]
# One answer per respondent; None (or NaN) = no valid answer. A numpy float array (NaN = missing) is
# taken as it is, without conversion: the fast path for large surveys.
Column: TypeAlias = Sequence[float | None] | FloatArray
# What :func:`combine` averages: an item code, or a group of parts averaged first (recursively).
Part: TypeAlias = str | Sequence["Part"]

SINGLETONS = "\x00singletons"  # the pooled stratum of strata with one valid answer


class SurveyError(ValueError):
    """Bad input to a survey computation; the message is Vietnamese, fit to show a user."""


class RakingError(SurveyError):
    """Raking or post-stratification could not reach the margins; ``variable`` and ``cell`` say where."""

    def __init__(self, message: str, *, variable: str, cell: str | None = None) -> None:
        super().__init__(message)
        self.variable = variable
        self.cell = cell


# --- sampling ---------------------------------------------------------------------------------------


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise SurveyError(f"Độ tin cậy phải nằm giữa 0 và 1, nhận được {confidence!r}.")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def sample_size(
    margin: float,
    *,
    population: int | None = None,
    p: float = 0.5,
    confidence: float = 0.95,
    design_effect: float = 1.0,
) -> int:
    """Responses needed for a proportion to have the given margin of error (half-width of the interval).

    ``n0 = z² · p(1 − p) · design_effect / margin²`` with z the normal quantile of ``confidence``
    (1.96 for 95 %); p = 0.5 is the safe (largest) choice. With ``population`` N (e.g. the dossiers of a
    service point in the survey period) the finite population correction gives
    ``n = n0 / (1 + (n0 − 1) / N)``, never more than n0 nor N. The result is rounded up, at least 1.
    Example: margin 0.05 → 385; with N = 1000 → 278.
    """
    if not (isinstance(margin, int | float) and 0 < margin < 1):
        raise SurveyError(f"Sai số cho phép phải nằm giữa 0 và 1 (ví dụ 0,05), nhận được {margin!r}.")
    if not 0 <= p <= 1:
        raise SurveyError(f"Tỷ lệ dự kiến p phải nằm trong [0, 1], nhận được {p!r}.")
    if not (design_effect > 0 and math.isfinite(design_effect)):
        raise SurveyError(f"Hệ số thiết kế phải dương, nhận được {design_effect!r}.")
    z = _z(confidence)
    n0 = z * z * p * (1 - p) * design_effect / (margin * margin)
    n = _ceil(n0)
    if population is not None:
        if isinstance(population, bool) or not isinstance(population, int) or population < 1:
            raise SurveyError(f"Tổng thể phải là số nguyên dương, nhận được {population!r}.")
        if n0 > 1:
            n = min(n, _ceil(n0 / (1 + (n0 - 1) / population)))
        n = min(n, population)
    return max(1, n)


def _ceil(x: float) -> int:
    """Ceiling that ignores floating-point noise (384.0000000001 → 384)."""
    return math.ceil(x - 1e-9 * max(1.0, abs(x)))


def allocate(
    frame: Mapping[str, int],
    total: int,
    *,
    method: str = "proportional",
    minimum: int = 0,
) -> dict[str, int]:
    """Share ``total`` responses among strata (service points or units with their dossier counts).

    ``method="proportional"``: n_h proportional to N_h; ``"equal"``: the same n_h everywhere.
    Every stratum gets at least ``min(minimum, N_h)`` and at most N_h (a stratum cannot give more
    responses than it has dossiers; one with N_h = 0 gets 0). Within those bounds the shares follow the
    method (n_h = clip(λ·size_h, lower_h, N_h) with λ chosen so that they add up to ``total``), then are
    rounded to integers by largest remainder so that they sum to ``total`` exactly (ties broken by the
    frame's order). Raises :class:`SurveyError` when the total is below the minima or above Σ N_h.
    """
    if method not in ("proportional", "equal"):
        raise SurveyError(f"Cách phân bổ không hợp lệ: {method!r} (chỉ 'proportional' hoặc 'equal').")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise SurveyError(f"Cỡ mẫu tổng phải là số nguyên không âm, nhận được {total!r}.")
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
        raise SurveyError(f"Số phiếu tối thiểu mỗi tầng phải là số nguyên không âm, nhận được {minimum!r}.")
    keys = list(frame)
    sizes = []
    for k in keys:
        v = frame[k]
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise SurveyError(f"Số hồ sơ của '{k}' phải là số nguyên không âm, nhận được {v!r}.")
        sizes.append(v)
    lower = [min(minimum, s) for s in sizes]
    if total < sum(lower):
        raise SurveyError(f"Cỡ mẫu {total} nhỏ hơn tổng số phiếu tối thiểu của các tầng ({sum(lower)}).")
    if total > sum(sizes):
        raise SurveyError(f"Cỡ mẫu {total} lớn hơn tổng số hồ sơ của khung mẫu ({sum(sizes)}).")
    if not keys:
        return {}
    base = [float(s) if method == "proportional" else (1.0 if s > 0 else 0.0) for s in sizes]

    def filled(lam: float) -> list[float]:
        return [min(float(hi), max(float(lo), lam * b)) for lo, hi, b in zip(lower, sizes, base, strict=True)]

    lo_lam, hi_lam = 0.0, 1.0
    while sum(filled(hi_lam)) < total and hi_lam < 1e300:
        hi_lam *= 2
    for _ in range(200):
        mid = (lo_lam + hi_lam) / 2
        if sum(filled(mid)) < total:
            lo_lam = mid
        else:
            hi_lam = mid
    exact = filled(hi_lam)
    counts = [max(lo, min(hi, math.floor(x + 1e-9))) for x, lo, hi in zip(exact, lower, sizes, strict=True)]
    order = sorted(range(len(keys)), key=lambda i: (-(exact[i] - math.floor(exact[i] + 1e-9)), i))
    gap = total - sum(counts)
    while gap > 0:  # hand out the remaining units, largest remainder first
        moved = False
        for i in order:
            if gap == 0:
                break
            if counts[i] < sizes[i]:
                counts[i] += 1
                gap -= 1
                moved = True
        if not moved:  # pragma: no cover - excluded by the checks above
            raise SurveyError("Không phân bổ được cỡ mẫu.")
    while gap < 0:  # floating-point excess: take back from the smallest remainders
        for i in reversed(order):
            if gap == 0:
                break
            if counts[i] > lower[i]:
                counts[i] -= 1
                gap += 1
    return dict(zip(keys, counts, strict=True))


def quota_remaining(targets: Mapping[str, int], collected: Mapping[str, int]) -> dict[str, int]:
    """How many more responses each stratum needs: max(0, target − collected), for every target key.

    Responses collected for a stratum without a target are ignored.
    """
    return {k: max(0, int(t) - int(collected.get(k, 0))) for k, t in targets.items()}


# --- weights ----------------------------------------------------------------------------------------


def design_weights(population: Mapping[str, int], sample: Mapping[str, int]) -> dict[str, float]:
    """Design weight of a response in each sampled stratum: N_h / n_h (inverse inclusion probability).

    ``population``: dossiers (or people served) per stratum in the frame; ``sample``: valid responses per
    stratum. Strata with no response get no weight (they are not represented; the caller should say so);
    Σ_h n_h · w_h equals the population of the sampled strata. A sampled stratum missing from the frame,
    or with N_h = 0, is an error.
    """
    out: dict[str, float] = {}
    for h, n in sample.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise SurveyError(f"Số phiếu của '{h}' phải là số nguyên không âm, nhận được {n!r}.")
        if n == 0:
            continue
        if h not in population:
            raise SurveyError(f"'{h}' có phiếu trả lời nhưng không có trong khung mẫu.")
        big_n = population[h]
        if not isinstance(big_n, int | float) or not big_n > 0:
            raise SurveyError(f"'{h}' có phiếu trả lời nhưng số hồ sơ trong khung mẫu là {big_n!r}.")
        out[h] = float(big_n) / n
    return out


def respondent_weights(strata: Sequence[str], population: Mapping[str, int]) -> list[float]:
    """One design weight per response (N_h / n_h of its stratum), n_h counted from ``strata`` itself."""
    counts: dict[str, int] = {}
    for h in strata:
        counts[h] = counts.get(h, 0) + 1
    per = design_weights(population, counts)
    return [per[h] for h in strata]


def _check_weights(weights: Sequence[float] | FloatArray, n: int | None = None) -> FloatArray:
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1:
        raise SurveyError("Trọng số phải là một dãy số.")
    if n is not None and w.shape[0] != n:
        raise SurveyError(f"Có {w.shape[0]} trọng số cho {n} phiếu.")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise SurveyError("Trọng số phải là số hữu hạn, không âm.")
    return w


def _shares(variable: str, margin: Mapping[str, float]) -> tuple[dict[str, float], float | None]:
    """Margins as shares, and their total when they were given as totals (None for shares)."""
    values = {}
    for cell, v in margin.items():
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
            raise RakingError(
                f"Biên '{variable}' ô '{cell}' phải là số không âm, nhận được {v!r}.",
                variable=variable,
                cell=str(cell),
            )
        values[str(cell)] = float(v)
    s = sum(values.values())
    if s <= 0:
        raise RakingError(f"Biên '{variable}' không có ô nào dương.", variable=variable)
    if abs(s - 1.0) <= 1e-6:
        return {k: v / s for k, v in values.items()}, None
    return {k: v / s for k, v in values.items()}, s


def _codes(variable: str, values: Sequence[str | None], cells: list[str], n: int) -> npt.NDArray[np.intp]:
    """Cell index per respondent (−1 = no answer to this variable)."""
    if len(values) != n:
        raise RakingError(f"Biến '{variable}' có {len(values)} giá trị cho {n} phiếu.", variable=variable)
    index = {c: i for i, c in enumerate(cells)}
    out = np.empty(n, dtype=np.intp)
    for i, v in enumerate(values):
        if v is None or v == "":
            out[i] = -1
            continue
        j = index.get(str(v))
        if j is None:
            raise RakingError(
                f"Biến '{variable}': giá trị '{v}' không có trong biên đã cho.",
                variable=variable,
                cell=str(v),
            )
        out[i] = j
    return out


def rake(
    weights: Sequence[float] | FloatArray,
    variables: Mapping[str, Sequence[str | None]],
    margins: Mapping[str, Mapping[str, float]],
    *,
    max_iter: int = 100,
    tol: float = 1e-8,
) -> list[float]:
    """Adjust weights so that their distribution matches known margins (raking, iterative proportional
    fitting). ``variables[v][i]`` is respondent i's cell of variable v (e.g. "Nam"/"Nữ"); ``margins[v]``
    the known distribution of v, as shares (summing to 1) or totals (e.g. census counts; all variables
    given as totals must then have the same total).

    The weights are first scaled to the margins' total (totals) or kept at their sum (shares). Each
    step multiplies, for one variable, the weights in each cell by target / current, the target being
    the cell's share of the weight of respondents who answered that variable; respondents who did not
    answer it (None or "") keep their weight in that step. Stops when every cell's share is within
    ``tol`` of its margin. Raises :class:`RakingError` naming the variable (and cell) for a value not in
    the margins, a cell with a positive margin but no respondent (collapse it with a neighbour), a
    respondent in a cell whose margin is 0, or no convergence after ``max_iter`` sweeps.
    """
    w = _check_weights(weights).copy()
    n = w.shape[0]
    if set(variables) != set(margins):
        missing = sorted(set(variables) ^ set(margins))
        raise RakingError(f"Biến và biên không khớp: {', '.join(missing)}.", variable=missing[0])
    if not margins:
        return [float(x) for x in w]
    plan: list[tuple[str, list[str], FloatArray, npt.NDArray[np.intp]]] = []
    totals: list[tuple[str, float]] = []
    for v, margin in margins.items():
        shares, total = _shares(v, margin)
        cells = list(shares)
        codes = _codes(v, variables[v], cells, n)
        target = np.array([shares[c] for c in cells], dtype=np.float64)
        known = codes >= 0
        counts = np.bincount(codes[known], minlength=len(cells))
        for j, c in enumerate(cells):
            if target[j] > 0 and counts[j] == 0:
                raise RakingError(
                    f"Biến '{v}': ô '{c}' có biên dương nhưng không có phiếu nào; hãy gộp ô này với ô bên cạnh.",
                    variable=v,
                    cell=c,
                )
            if target[j] == 0 and counts[j] > 0:
                raise RakingError(
                    f"Biến '{v}': ô '{c}' có {int(counts[j])} phiếu nhưng biên bằng 0.", variable=v, cell=c
                )
        if total is not None:
            totals.append((v, total))
        plan.append((v, cells, target, codes))
    if totals:
        t0 = totals[0][1]
        for v, t in totals[1:]:
            if abs(t - t0) > 1e-6 * max(1.0, t0):
                raise RakingError(
                    f"Tổng của biên '{v}' ({t:g}) khác tổng của biên '{totals[0][0]}' ({t0:g}).", variable=v
                )
        s = w.sum()
        if s <= 0:
            raise RakingError("Tổng trọng số bằng 0.", variable=totals[0][0])
        w *= t0 / s
    worst_var, worst = plan[0][0], math.inf
    for _ in range(max(1, max_iter)):
        for v, _cells, target, codes in plan:
            known = codes >= 0
            sums = np.bincount(codes[known], weights=w[known], minlength=target.shape[0])
            wk = sums.sum()
            empty = (target > 0) & (sums <= 0)
            if wk <= 0 or np.any(empty):
                j = int(np.argmax(empty)) if np.any(empty) else 0
                raise RakingError(
                    f"Biến '{v}': ô '{_cells[j]}' có tổng trọng số bằng 0.", variable=v, cell=_cells[j]
                )
            factor = np.divide(target * wk, sums, out=np.zeros_like(sums), where=sums > 0)
            w[known] *= factor[codes[known]]
        worst, worst_var = 0.0, plan[0][0]
        for v, _cells, target, codes in plan:
            known = codes >= 0
            sums = np.bincount(codes[known], weights=w[known], minlength=target.shape[0])
            gap = float(np.max(np.abs(sums / sums.sum() - target)))
            if gap > worst:
                worst, worst_var = gap, v
        if worst <= tol:
            return [float(x) for x in w]
    raise RakingError(
        f"Phép cào trọng số (raking) không hội tụ sau {max_iter} vòng: biến '{worst_var}' còn lệch "
        f"{worst:.2g} so với biên.",
        variable=worst_var,
    )


def poststratify(
    weights: Sequence[float] | FloatArray,
    cells: Sequence[str | None],
    totals: Mapping[str, float],
) -> list[float]:
    """Post-stratification: scale the weights in each cell so that the cells match ``totals``
    (shares or totals, as in :func:`rake`, of which this is the one-variable case). Errors name the
    variable ``"cell"``."""
    return rake(weights, {"cell": cells}, {"cell": totals}, max_iter=1, tol=1e-9)


# --- estimates --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A survey estimate with its interval.

    ``value``: the weighted estimate (a share in [0, 1] for a proportion, a mean score for a mean);
    ``lower``/``upper``: the ``confidence`` interval; ``se``: its standard error; ``n``: valid answers;
    ``n_eff``: Kish's effective sample size (Σw)² / Σw²; ``publishable``: n ≥ ``min_n``;
    ``method``: "linearisation" or "bootstrap"; ``unweighted_value``: the plain share/mean of the
    valid answers. With n = 0 the figures are None.
    """

    value: float | None
    lower: float | None
    upper: float | None
    se: float | None
    n: int
    n_eff: float
    publishable: bool
    method: Method
    unweighted_value: float | None
    kind: Kind = "proportion"
    confidence: float = 0.95

    def as_dict(self, *, percent: bool = False) -> dict[str, Any]:
        """A JSON-ready dict; ``percent=True`` turns the figures of a proportion into percentages."""
        f = 100.0 if percent and self.kind == "proportion" else 1.0

        def sc(x: float | None) -> float | None:
            return None if x is None else x * f

        return {
            "value": sc(self.value),
            "lower": sc(self.lower),
            "upper": sc(self.upper),
            "se": sc(self.se),
            "n": self.n,
            "n_eff": self.n_eff,
            "publishable": self.publishable,
            "method": self.method,
            "unweighted_value": sc(self.unweighted_value),
            "kind": self.kind,
            "confidence": self.confidence,
        }


def _column(values: Column, n: int | None = None) -> FloatArray:
    if isinstance(values, np.ndarray):
        arr = values.astype(np.float64, copy=False)
    else:
        arr = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    if arr.ndim != 1:
        raise SurveyError("Mỗi câu hỏi phải là một dãy câu trả lời.")
    if n is not None and arr.shape[0] != n:
        raise SurveyError(f"Câu hỏi có {arr.shape[0]} câu trả lời, khác số phiếu {n}.")
    return arr


def _options(
    kind: str, method: str, replicates: int, min_n: int, confidence: float
) -> tuple[Kind, Method, float]:
    if kind not in ("proportion", "mean"):
        raise SurveyError(f"Loại ước lượng không hợp lệ: {kind!r} (chỉ 'proportion' hoặc 'mean').")
    if method not in ("linearisation", "bootstrap"):
        raise SurveyError(f"Phương pháp không hợp lệ: {method!r} (chỉ 'linearisation' hoặc 'bootstrap').")
    if method == "bootstrap" and replicates < 2:
        raise SurveyError("Bootstrap cần ít nhất 2 lần lặp.")
    if min_n < 0:
        raise SurveyError("Cỡ mẫu tối thiểu để công bố phải không âm.")
    return cast(Kind, kind), cast(Method, method), _z(confidence)


def _strata_codes(strata: Sequence[str] | npt.NDArray[Any] | None, n: int) -> npt.NDArray[np.intp]:
    if strata is None:
        return np.zeros(n, dtype=np.intp)
    if len(strata) != n:
        raise SurveyError(f"Có {len(strata)} tầng cho {n} phiếu.")
    _, codes = np.unique(np.asarray(strata), return_inverse=True)
    return cast(npt.NDArray[np.intp], codes.astype(np.intp).reshape(-1))


def estimate_many(
    columns: Mapping[str, Column],
    *,
    weights: Sequence[float] | FloatArray | None = None,
    strata: Sequence[str] | npt.NDArray[Any] | None = None,
    kind: str = "proportion",
    satisfied_threshold: float = 4,
    method: str = "linearisation",
    replicates: int = 500,
    seed: int = 0,
    min_n: int = 30,
    confidence: float = 0.95,
) -> dict[str, Estimate]:
    """:func:`estimate` for every column at once (one answer per respondent in each; all columns the
    same length as ``weights`` and ``strata``). Vectorised: pass numpy float arrays (NaN = missing) for
    large surveys; lists with None are converted first."""
    kind_, method_, z = _options(kind, method, replicates, min_n, confidence)
    codes = list(columns)
    if not codes:
        return {}
    first = _column(columns[codes[0]])
    n = first.shape[0]
    matrix = np.empty((n, len(codes)), dtype=np.float64)
    matrix[:, 0] = first
    for j, code in enumerate(codes[1:], start=1):
        matrix[:, j] = _column(columns[code], n)
    w = None if weights is None else _check_weights(weights, n)
    st = _strata_codes(strata, n)
    figures = _estimate_matrix(matrix, w, st, kind_, float(satisfied_threshold), method_, replicates, seed, z)
    return {code: _make(figures, j, kind_, method_, min_n, confidence) for j, code in enumerate(codes)}


def estimate(
    values: Column,
    *,
    weights: Sequence[float] | FloatArray | None = None,
    strata: Sequence[str] | npt.NDArray[Any] | None = None,
    kind: str = "proportion",
    satisfied_threshold: float = 4,
    method: str = "linearisation",
    replicates: int = 500,
    seed: int = 0,
    min_n: int = 30,
    confidence: float = 0.95,
) -> Estimate:
    """Estimate one item: the weighted share of answers ≥ ``satisfied_threshold`` (``kind="proportion"``)
    or the weighted mean answer (``kind="mean"``), with its ``confidence`` interval.

    ``values``: one answer per respondent (None = missing, excluded); ``weights``: one per respondent
    (default: all 1 — the unweighted estimate); ``strata``: the respondent's stratum (service point or
    unit; default: one stratum). ``method``: "linearisation" (Taylor) or "bootstrap" (Rao–Wu rescaling,
    ``replicates`` replicates from ``seed``). See the module docstring for the formulas.
    """
    return estimate_many(
        {"_": values},
        weights=weights,
        strata=strata,
        kind=kind,
        satisfied_threshold=satisfied_threshold,
        method=method,
        replicates=replicates,
        seed=seed,
        min_n=min_n,
        confidence=confidence,
    )["_"]


@dataclass
class _Figures:
    value: FloatArray
    se: FloatArray
    n: npt.NDArray[np.int64]
    n_eff: FloatArray
    unweighted: FloatArray
    z: float
    clip: bool


def _make(f: _Figures, j: int, kind: Kind, method: Method, min_n: int, confidence: float) -> Estimate:
    n = int(f.n[j])
    if n == 0 or not math.isfinite(float(f.value[j])):
        return Estimate(None, None, None, None, n, 0.0, False, method, None, kind, confidence)
    value = float(f.value[j])
    se = float(f.se[j])
    lower, upper = value - f.z * se, value + f.z * se
    if f.clip:
        lower, upper = max(0.0, lower), min(1.0, upper)
    unweighted = float(f.unweighted[j])
    return Estimate(
        value, lower, upper, se, n, float(f.n_eff[j]), n >= min_n, method, unweighted, kind, confidence
    )


CHUNK_COLUMNS = 8


def _estimate_matrix(
    y: FloatArray,
    w: FloatArray | None,
    strata: npt.NDArray[np.intp],
    kind: Kind,
    threshold: float,
    method: Method,
    replicates: int,
    seed: int,
    z: float,
    clip: bool | None = None,
) -> _Figures:
    """The estimates of every column of ``y`` (respondents × items, NaN = missing)."""
    n, k = y.shape
    order = np.argsort(strata, kind="stable")
    sorted_strata = strata[order]
    starts = (
        np.flatnonzero(np.r_[True, sorted_strata[1:] != sorted_strata[:-1]]) if n else np.zeros(0, np.intp)
    )
    sizes = np.diff(np.r_[starts, n])
    ys = y[order]
    ws = None if w is None else w[order]
    value = np.full(k, np.nan)
    se = np.full(k, np.nan)
    count = np.zeros(k, dtype=np.int64)
    n_eff = np.zeros(k)
    unweighted = np.full(k, np.nan)
    if n == 0:
        return _Figures(
            value, se, count, n_eff, unweighted, z, kind == "proportion" if clip is None else clip
        )
    for c0 in range(0, k, CHUNK_COLUMNS):
        sl = slice(c0, min(k, c0 + CHUNK_COLUMNS))
        block = ys[:, sl]
        m = ~np.isnan(block)
        if kind == "proportion":
            y0 = (block >= threshold).astype(np.float64)  # NaN compares False
        else:
            y0 = np.where(m, block, 0.0)
        mf = m.astype(np.float64)
        if ws is None:
            wm, wy, sw2 = mf, y0, m.sum(axis=0).astype(np.float64)
        else:
            wcol = ws[:, None]
            wm = mf * wcol
            wy = y0 * wcol
            sw2 = (wm * wcol).sum(axis=0)  # Σ w² of the valid answers
        nh = np.add.reduceat(mf, starts, axis=0)  # valid answers per stratum and item
        big_w = wm.sum(axis=0)
        total = wy.sum(axis=0)
        cnt = nh.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = total / big_w
            unweighted[sl] = y0.sum(axis=0) / cnt
            n_eff[sl] = np.where(sw2 > 0, big_w * big_w / sw2, 0.0)
            value[sl] = r
            count[sl] = cnt.astype(np.int64)
            if method == "linearisation":
                # linearised ratio: z_i = w_i (y_i − R) / W for valid answers, 0 otherwise
                zs = (wy - wm * r) / big_w
                s1 = np.add.reduceat(zs, starts, axis=0)
                mean_h = np.divide(s1, nh, out=np.zeros_like(s1), where=nh > 0)
                dev = zs - np.repeat(mean_h, sizes, axis=0) * mf  # two-pass: no cancellation
                s2 = np.add.reduceat(dev * dev, starts, axis=0)
                se[sl] = np.sqrt(np.maximum(_strat_var(nh, s1, s2), 0.0))
    if method == "bootstrap":
        se[:] = _bootstrap_se(ys, ws, starts, kind, threshold, replicates, seed)
    se[count == 0] = np.nan
    return _Figures(value, se, count, n_eff, unweighted, z, kind == "proportion" if clip is None else clip)


def _strat_var(nh: FloatArray, s1: FloatArray, s2: FloatArray) -> FloatArray:
    """Σ_h n_h/(n_h−1) · Σ_i (z_i − z̄_h)² over strata with ≥ 2 answers (``s2`` holds the centred sums of
    squares, ``s1`` the sums Σz); strata with one answer are pooled into one stratum."""
    multi = nh >= 2
    single = nh == 1
    safe = np.where(multi, nh, 2.0)
    var = np.where(multi, safe / (safe - 1) * s2, 0.0).sum(axis=0)
    n_p = single.sum(axis=0).astype(np.float64)
    p1 = np.where(single, s1, 0.0).sum(axis=0)
    p2 = np.where(single, s1 * s1, 0.0).sum(axis=0)  # one answer: Σz² = (Σz)²
    safe_p = np.where(n_p >= 2, n_p, 2.0)
    var = var + np.where(n_p >= 2, safe_p / (safe_p - 1) * (p2 - p1 * p1 / safe_p), 0.0)
    return cast(FloatArray, var)


BOOTSTRAP_CELLS = 4_000_000  # replicate factors generated at a time (replicates × respondents)


def _bootstrap_se(
    ys: FloatArray,
    ws: FloatArray | None,
    starts: npt.NDArray[np.intp],
    kind: Kind,
    threshold: float,
    replicates: int,
    seed: int,
) -> FloatArray:
    """Rao–Wu rescaling bootstrap standard errors (rows of ``ys`` sorted by stratum)."""
    n, k = ys.shape
    rng = np.random.default_rng(seed)
    sizes = np.diff(np.r_[starts, n])
    # strata of one respondent are pooled into one stratum (rows are not contiguous: use an index)
    groups: list[npt.NDArray[np.intp]] = []
    single_rows = [int(s) for s, size in zip(starts, sizes, strict=True) if size == 1]
    for s, size in zip(starts, sizes, strict=True):
        if size >= 2:
            groups.append(np.arange(s, s + size, dtype=np.intp))
    if len(single_rows) >= 2:
        groups.append(np.array(single_rows, dtype=np.intp))
    m = ~np.isnan(ys)
    y0 = (ys >= threshold).astype(np.float64) if kind == "proportion" else np.where(m, ys, 0.0)
    wv = np.ones(n) if ws is None else ws
    wy = y0 * wv[:, None]
    wm = m * wv[:, None]
    estimates = np.empty((replicates, k))
    step = max(1, BOOTSTRAP_CELLS // max(1, n))
    for r0 in range(0, replicates, step):
        rr = min(replicates, r0 + step) - r0
        factor = np.ones((rr, n))
        for g in groups:
            size = g.shape[0]
            draws = rng.multinomial(size - 1, np.full(size, 1.0 / size), size=rr)
            factor[:, g] = draws * (size / (size - 1))
        num = factor @ wy
        den = factor @ wm
        with np.errstate(invalid="ignore", divide="ignore"):
            estimates[r0 : r0 + rr] = num / den
    with np.errstate(invalid="ignore"):
        return cast(FloatArray, np.nanstd(estimates, axis=0, ddof=1))


# --- combined scores --------------------------------------------------------------------------------


def respondent_scores(
    columns: Mapping[str, Column],
    parts: Sequence[Part],
    *,
    kind: str = "proportion",
    satisfied_threshold: float = 4,
) -> FloatArray:
    """Each respondent's score over ``parts``: the mean of the part scores they have (NaN if none).

    A part is an item code — its score is 1/0 (answer ≥ threshold or not) for a proportion, the answer
    for a mean — or a sequence of parts, whose score is the mean of its own parts' scores (so an overall
    score over elements gives each element the same weight whatever its number of items).
    """
    if kind not in ("proportion", "mean"):
        raise SurveyError(f"Loại ước lượng không hợp lệ: {kind!r}.")
    if isinstance(parts, str) or not parts:
        raise SurveyError("Cần ít nhất một câu hỏi để tổng hợp.")
    n: list[int] = []

    def score(part: Part) -> FloatArray:
        if isinstance(part, str):
            if part not in columns:
                raise SurveyError(f"Không có câu hỏi '{part}'.")
            col = _column(columns[part], n[0] if n else None)
            if not n:
                n.append(col.shape[0])
            if kind == "proportion":
                return cast(FloatArray, np.where(np.isnan(col), np.nan, (col >= satisfied_threshold) * 1.0))
            return col
        if not part:
            raise SurveyError("Nhóm câu hỏi rỗng.")
        stack = np.vstack([score(p) for p in part])
        valid = ~np.isnan(stack)
        cnt = valid.sum(axis=0)
        total = np.where(valid, stack, 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return cast(FloatArray, np.where(cnt > 0, total / np.maximum(cnt, 1), np.nan))

    return score(list(parts))


def combine(
    columns: Mapping[str, Column],
    parts: Sequence[Part],
    *,
    weights: Sequence[float] | FloatArray | None = None,
    strata: Sequence[str] | npt.NDArray[Any] | None = None,
    kind: str = "proportion",
    satisfied_threshold: float = 4,
    method: str = "linearisation",
    replicates: int = 500,
    seed: int = 0,
    min_n: int = 30,
    confidence: float = 0.95,
) -> Estimate:
    """An element, unit or overall score from several items, with its interval.

    How: each respondent's score is the mean of their item scores over ``parts`` (see
    :func:`respondent_scores`: for a proportion, the share of their answered items that are satisfied;
    nested groups are averaged first), then that score is estimated like one item (weighted ratio
    estimator, same variance method). A respondent who answered none of the items is excluded. With no
    missing answers the value equals the mean of the item estimates (and, nested, the mean of the element
    means); unlike averaging item estimates, the interval accounts for answers of one respondent being
    correlated. ``Estimate.kind`` is the ``kind`` asked for; a proportion's interval stays in [0, 1].
    A unit's score is this over the unit's respondents only (its strata: exact when a unit is a union
    of strata).
    """
    kind_, method_, z = _options(kind, method, replicates, min_n, confidence)
    scores = respondent_scores(columns, parts, kind=kind_, satisfied_threshold=satisfied_threshold)
    n = scores.shape[0]
    w = None if weights is None else _check_weights(weights, n)
    st = _strata_codes(strata, n)
    figures = _estimate_matrix(
        scores[:, None], w, st, "mean", 0.0, method_, replicates, seed, z, clip=kind_ == "proportion"
    )
    return _make(figures, 0, kind_, method_, min_n, confidence)
