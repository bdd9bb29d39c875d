"""Estimates of a survey: per 1–5 item, per element, per service point and overall — the share satisfied
(answers 4–5) and the mean score, with 95 % intervals — and the sampling quotas. All the statistics are
``chiso.core.survey``'s; this module only reads the responses and the frame.

- ``quotas(survey)`` — per service point: dossiers (N_h), target n_h (the sample size for the survey's
  margin with the finite population correction, per point: each point is a stratum the province reports
  on), collected, remaining (``core.survey.sample_size`` / ``quota_remaining``);
- ``compute(survey, weighted=False)`` — the figures (items, elements, points, overall), weighted or not;
  weighted = design weights N_h / n_h by service point, then raked to the survey's known margins (sex,
  age group) when it has some. Unweighted figures always come alongside;
- ``estimates_json(survey, user, weighted)`` — the CLI's and the API's shape, with the comparison page's
  table (``comparison_json``: the official SIPAS figures and whether each lies in the survey's interval).

Responses are read as one column (``Response.scores``: one character per 1–5 item), so a million
responses are a few numpy operations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q

from chiso.core import survey as stats

from .. import permissions
from ..models import Response, Survey
from .questionnaire import questions_of

METHOD = "linearisation"


def quotas(survey: Survey) -> list[dict[str, Any]]:
    collected = dict(
        Response.objects.filter(survey=survey, point__isnull=False)
        .values_list("point__code")
        .annotate(n=Count("pk"))
        .values_list("point__code", "n")
    )
    margin = float(survey.margin)
    out = []
    for p in survey.points.select_related("unit").order_by("unit__kind", "name"):
        target = stats.sample_size(margin, population=p.dossiers) if p.dossiers > 0 else 0
        got = collected.get(p.code, 0)
        out.append(
            {
                "point": p,
                "dossiers": p.dossiers,
                "target": target,
                "collected": got,
                "remaining": stats.quota_remaining({p.code: target}, {p.code: got})[p.code],
            }
        )
    return out


@dataclass
class Figures:
    n: int
    weighted: bool
    items: dict[str, dict[str, stats.Estimate]] = field(default_factory=dict)  # code → {"p": , "mean": }
    elements: list[tuple[Any, dict[str, stats.Estimate]]] = field(default_factory=list)
    points: list[tuple[Any, stats.Estimate]] = field(default_factory=list)
    #: With ``detail``: per service point, the element estimates (element code → % satisfied).
    point_elements: dict[int, dict[str, stats.Estimate]] = field(default_factory=dict)
    overall: dict[str, stats.Estimate] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _matrix(rows: list[tuple[int, str]], survey: Survey, codes: list[str]) -> np.ndarray:
    """Responses × items (NaN: not answered), items in ``codes`` order whatever the response's version."""
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


def compute(survey: Survey, *, weighted: bool = False, detail: bool = False) -> Figures:
    questions = [q for q in questions_of(survey) if q.scale]
    codes = [q.code for q in questions]
    points = {p.pk: p for p in survey.points.all()}
    qs = Response.objects.filter(survey=survey)
    need_profile = weighted and bool(survey.margins)
    fields = ["version", "scores", "point_id"] + (["answers"] if need_profile else [])
    raw = list(qs.values_list(*fields))
    notes: list[str] = []
    if weighted:
        kept = [r for r in raw if r[2] in points and points[r[2]].dossiers > 0]
        if len(kept) < len(raw):
            notes.append(
                f"{len(raw) - len(kept)} phiếu không gắn với điểm phục vụ có số hồ sơ trong khung mẫu: "
                "không tính vào ước lượng có gia quyền."
            )
        raw = kept
    figures = Figures(n=len(raw), weighted=weighted, notes=notes)
    matrix = _matrix([(r[0], r[1]) for r in raw], survey, codes)
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
    common = {"weights": weights, "strata": strata if raw else None, "method": METHOD, "min_n": survey.min_n}
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
            if detail:
                figures.point_elements[pk] = {
                    e.code: stats.combine(
                        sub,
                        groups[e.code],
                        kind="proportion",
                        weights=sub_weights,
                        method=METHOD,
                        min_n=survey.min_n,
                    )
                    for e, _f in figures.elements
                }
            figures.points.append(
                (
                    point,
                    stats.combine(
                        sub,
                        overall_parts,
                        kind="proportion",
                        weights=sub_weights,
                        method=METHOD,
                        min_n=survey.min_n,
                    ),
                )
            )
    return figures


@dataclass
class Official:
    """The province's published SIPAS (latest year on file) beside the survey's overall % satisfied."""

    year: int
    value: float  # percent
    inside: bool | None  # within the survey's 95 % interval; None without an interval


def official_sipas(survey: Survey, overall: stats.Estimate | None) -> Official | None:
    """The province's official figure (results of the index the survey's template names in
    ``compare_with_index`` — SIPAS for the shipped one —, root node, latest year), and whether it lies in
    the interval of ``overall`` (the survey's share satisfied). None when none is named or on file."""
    from django.core.exceptions import ValidationError

    from chiso.results.models import Result

    from .questionnaire import load_template

    try:
        index_code = (
            str(load_template(survey.template).get("compare_with_index") or "") if survey.template else ""
        )
    except ValidationError:
        index_code = ""
    if not index_code:
        return None
    row = (
        Result.objects.filter(
            framework__index__code=index_code,
            node__parent__isnull=True,
            unit=survey.province,
            value__isnull=False,
        )
        .order_by("-year")
        .values_list("year", "value")
        .first()
    )
    if row is None:
        return None
    year, value = row
    inside = overall.contains(value / 100) if overall is not None else None
    return Official(year=year, value=value, inside=inside)


def _pct(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 2)


def _row(p: stats.Estimate, mean: stats.Estimate) -> dict[str, Any]:
    return {
        "n": p.n,
        "satisfied_pct": _pct(p.value),
        "mean": None if mean.value is None else round(mean.value, 3),
        "ci_low": _pct(p.lower),
        "ci_high": _pct(p.upper),
        "mean_ci_low": None if mean.lower is None else round(mean.lower, 3),
        "mean_ci_high": None if mean.upper is None else round(mean.upper, 3),
        "publishable": p.publishable,
        "unweighted_satisfied_pct": _pct(p.unweighted_value),
        "unweighted_mean": None if mean.unweighted_value is None else round(mean.unweighted_value, 3),
    }


EMPTY = {
    "n": 0,
    "satisfied_pct": None,
    "mean": None,
    "ci_low": None,
    "ci_high": None,
    "publishable": False,
}


def estimates_json(survey: Survey, user=None, *, weighted: bool = False) -> dict[str, Any]:
    if user is not None and not permissions.can_read(user, survey.province_id):
        raise PermissionDenied("Bạn không được xem kết quả của cuộc khảo sát này.")
    f = compute(survey, weighted=weighted)
    items = [{"code": c, **_row(e["p"], e["mean"])} for c, e in f.items.items()]
    return {
        "survey": survey.pk,
        "n": f.n,
        "weighted": weighted,
        "method": METHOD,
        "confidence": 0.95,
        "min_n": survey.min_n,
        "items": items,
        "elements": [{"code": e.code, "label": e.label, **_row(v["p"], v["mean"])} for e, v in f.elements],
        "overall": _row(f.overall["p"], f.overall["mean"]) if f.overall else dict(EMPTY),
        "notes": f.notes,
        "comparison": comparison_json(comparison(survey, f)),
    }


def comparison_json(compared: Comparison | None) -> dict[str, Any] | None:
    """The comparison page's table as data: per row (overall, then each element) the survey's % satisfied
    and interval, the official figure of each year on file, the latest one, the difference and whether the
    latest official figure lies inside the survey's 95 % interval (``inside``: None without an interval or
    without an official figure). None when the template names no index to compare with."""
    if compared is None:
        return None
    rows = []
    for row in compared.table():
        est = row["estimate"]
        rows.append(
            {
                "label": row["label"],
                "satisfied_pct": _pct(est.value) if est is not None else None,
                "ci_low": _pct(est.lower) if est is not None else None,
                "ci_high": _pct(est.upper) if est is not None else None,
                "official": {str(y): v for y, v in zip(compared.years, row["by_year"], strict=True)},
                "official_year": row["latest_year"],
                "official_pct": row["latest"],
                "diff": None if row["diff"] is None else round(row["diff"], 2),
                "inside": row["inside"],
            }
        )
    return {"index": compared.index_name, "years": compared.years, "rows": rows}


@dataclass
class ComparedRow:
    label: str
    estimate: stats.Estimate | None
    #: year → (official value in percent, the node's code it was read from)
    official: dict[int, float] = field(default_factory=dict)

    def latest(self, years: list[int]) -> tuple[int, float] | None:
        for year in years:
            if year in self.official:
                return year, self.official[year]
        return None

    @property
    def survey_pct(self) -> float | None:
        return None if self.estimate is None or self.estimate.value is None else 100 * self.estimate.value


@dataclass
class Comparison:
    index_name: str
    years: list[int]  # latest first, at most three
    rows: list[ComparedRow]

    def table(self) -> list[dict[str, Any]]:
        out = []
        for row in self.rows:
            latest = row.latest(self.years)
            pct = row.survey_pct
            est = row.estimate
            out.append(
                {
                    "label": row.label,
                    "estimate": est,
                    "by_year": [row.official.get(y) for y in self.years],
                    "latest_year": latest[0] if latest else None,
                    "latest": latest[1] if latest else None,
                    "diff": None if latest is None or pct is None else pct - latest[1],
                    "inside": None
                    if latest is None or est is None or est.lower is None
                    else est.contains(latest[1] / 100),
                }
            )
        return out


def comparison(survey: Survey, figures: Figures) -> Comparison | None:
    """The survey's overall and element figures beside the official index the template names
    (``compare_with_index``): its ``compare_overall_node`` (the root when a year's framework has no such
    node) and each element's ``official_node``, for the province, the three latest years on file. None when
    the template names no index; rows without an official figure are kept (shown as "no figure")."""
    from django.core.exceptions import ValidationError

    from chiso.frameworks.models import Index
    from chiso.results.models import Result

    from .questionnaire import load_template

    try:
        template = load_template(survey.template) if survey.template else {}
    except ValidationError:
        template = {}
    index_code = str(template.get("compare_with_index") or "")
    if not index_code:
        return None
    index = Index.objects.filter(code=index_code).first()
    overall_node = str(template.get("compare_overall_node") or "")
    element_nodes = {e["code"]: str(e.get("official_node") or "") for e in template.get("elements", [])}
    results = list(
        Result.objects.filter(framework__index__code=index_code, unit=survey.province, value__isnull=False)
        .filter(
            Q(node__parent__isnull=True) | Q(node__code__in={overall_node, *element_nodes.values()} - {""})
        )
        .values_list("year", "node__code", "node__parent_id", "value")
    )
    by_year: dict[int, dict[str, float]] = {}
    roots: dict[int, float] = {}
    for year, code, parent, value in results:
        by_year.setdefault(year, {})[code] = value
        if parent is None:
            roots[year] = value
    years = sorted(set(by_year), reverse=True)[:3]
    overall = ComparedRow(
        label="Tỷ lệ hài lòng chung",
        estimate=figures.overall.get("p"),
        official={
            y: by_year[y][overall_node] if overall_node in by_year[y] else roots[y]
            for y in years
            if overall_node in by_year[y] or y in roots
        },
    )
    rows = [overall]
    for element, values in figures.elements:
        node = element_nodes.get(element.code, "")
        rows.append(
            ComparedRow(
                label=element.label,
                estimate=values["p"],
                official={y: by_year[y][node] for y in years if node and node in by_year[y]},
            )
        )
    name = (index.short_name or index.name_vi) if index else index_code
    return Comparison(index_name=name, years=years, rows=rows)


def daily(survey: Survey, point_ids=None) -> list[tuple[Any, int]]:
    """Responses per day (the server's time zone), oldest first; ``point_ids`` limits them to some
    service points (an officer's own). Days without a response inside the range are given as 0."""
    import datetime as dt

    from django.db.models.functions import TruncDate

    qs = Response.objects.filter(survey=survey)
    if point_ids is not None:
        qs = qs.filter(point_id__in=list(point_ids))
    counts = dict(
        qs.annotate(day=TruncDate("created_at")).values("day").annotate(n=Count("pk")).values_list("day", "n")
    )
    if not counts:
        return []
    first, last = min(counts), max(counts)
    out = []
    day = first
    while day <= last:
        out.append((day, counts.get(day, 0)))
        day += dt.timedelta(days=1)
    return out
