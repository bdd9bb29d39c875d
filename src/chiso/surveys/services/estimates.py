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

Responses are read by one statement, grouped (``_fetch``): one row per group of responses with the same
service point, questionnaire version and margin answers (sex and age group from their own columns
``Response.gender`` / ``Response.age``, any other margin variable from the JSON answers), with the group's
``Response.scores`` (one character per 1–5 item) joined into one text — a few hundred rows for a million
responses, no Python object per response. Each version's texts become one array of answer bytes (rows cut
at the version's width), raking works on the groups (each stands for its responses, ``rake(counts=)``),
and the statistics run on flat numpy arrays, the respondent scores of the elements and the overall computed
once for the share satisfied, the mean and the service points (``bench/surveys.py`` (a)).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.db.models import Aggregate, Count, F, Min, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Length

from chiso.core import survey as stats

from .. import permissions
from ..models import PROFILE_CODES, Response, Survey
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


# answer byte of ``Response.scores`` → score: "1"–"5" → 1–5, anything else ("-", unanswered) → NaN
_SCORE = np.full(256, np.nan)
_SCORE[ord("1") : ord("5") + 1] = np.arange(1.0, 6.0)


@dataclass
class _Rows:
    """The responses as flat arrays, one row per response, grouped: the responses of one group share their
    service point, questionnaire version and answers to the margin variables, and are consecutive rows."""

    columns: dict[str, np.ndarray]  # item → per response, float (NaN: not answered), current items
    points: np.ndarray  # service point id per response (0: none)
    dropped: int  # responses left out: not at one of the ``framed`` points
    counts: np.ndarray  # responses per group, groups in order of their first response (lowest id)
    profile: dict[str, list[str | None]]  # margin variable → per group, its answer as a cell name


#: Between the scores of the responses of a group in one text: not an answer character (a score holding it
#: is still read exactly: see ``_read``).
SEP = "\x1f"


class _Concat(Aggregate):
    """The texts of a group joined by a separator, in the order the rows are read: PostgreSQL's
    ``string_agg``, SQLite's ``group_concat`` (every aggregate of a group reads its rows in the same
    order)."""

    function = "STRING_AGG"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _fetch(survey: Survey, variables: list[str], *, lengths: bool = False) -> list[tuple]:
    """One row per group of responses with the same service point, version and answers to the margin
    variables, in order of their first response: point (None: none), version, each variable's answer (its
    own column for the profile questions kept as columns, ``PROFILE_CODES``; else the JSON text of its
    value in ``answers``), the number of responses, the scores of the group's responses joined by ``SEP``
    — or, with ``lengths``, joined by nothing, and their lengths as decimal numbers joined by ",". A
    million responses come as a few hundred rows: one statement, no Python object per response."""
    profile = {
        f"v{i}": F(var) if var in PROFILE_CODES else RawSQL("CAST(answers -> %s AS TEXT)", (var,))
        for i, var in enumerate(variables)
    }
    texts = (
        {
            "texts": _Concat("scores", Value("")),
            "lengths": _Concat(Cast(Length("scores"), TextField()), Value(",")),
        }
        if lengths
        else {"texts": _Concat("scores", Value(SEP))}
    )
    qs = (
        Response.objects.filter(survey=survey)
        .annotate(**profile)
        .values("point_id", "version", *profile)
        .annotate(n=Count("pk"), first=Min("pk"), **texts)
        .order_by("first")
        .values_list("point_id", "version", *profile, "n", *texts)
    )
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # PostgreSQL: grouped by hashing, in one pass over the rows. Its planner sorts the rows instead when it
    # expects more groups than its memory setting allows for their texts (no statistics for answers read
    # from the JSON, many service points): an index scan and a sort of a million rows, several times
    # slower. The texts are held either way; sorting is turned off for this statement only.
    with transaction.atomic(using=qs.db), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_sort'), current_setting('enable_incremental_sort')")
        before = cursor.fetchone()
        cursor.execute(
            "SELECT set_config('enable_sort', 'off', true), set_config('enable_incremental_sort', 'off', true)"
        )
        cursor.execute(sql, params)
        groups = cursor.fetchall()
        cursor.execute(  # as they were, should this run inside a caller's transaction
            "SELECT set_config('enable_sort', %s, true), set_config('enable_incremental_sort', %s, true)",
            before,
        )
        return groups


def _read(survey: Survey, codes: list[str], variables: list[str], framed: set[int] | None = None) -> _Rows:
    """The columns the estimates need — version, scores, point and, for raking, each margin variable's
    answer (not the whole ``answers``: parsing a million JSON documents would cost more than all the
    rest) — read grouped (``_fetch``), then turned into numpy arrays: each group's scores are one text,
    cut into rows of its version's width. With ``framed`` (point ids), only the responses at those points
    are kept.

    Each row of ``scores`` is padded with "-" (unanswered tail) or cut to its version's items; the text of
    a group whose rows are not all of that width is split at ``SEP`` — or, should a score hold ``SEP``
    itself, everything is read again with each row's length (``_fetch(lengths=True)``)."""
    # Each margin variable's answer as a cell name, as ``str(value)`` of the JSON value (None: none). The
    # profile questions of ``PROFILE_CODES`` (sex, age group) are columns of their own, already cell names;
    # any other variable is read as JSON text, parsed once per group.
    from_json = [i for i, var in enumerate(variables) if var not in PROFILE_CODES]
    groups = _fetch(survey, variables)
    try:
        return _arrays(survey, codes, variables, from_json, groups, framed, None)
    except _Unsplittable:
        groups = _fetch(survey, variables, lengths=True)
        return _arrays(survey, codes, variables, from_json, groups, framed, len(variables) + 4)


class _Unsplittable(Exception):
    """A score holds ``SEP``: its group's text cannot be cut at the separators."""


def _arrays(
    survey: Survey,
    codes: list[str],
    variables: list[str],
    from_json: list[int],
    groups: list[tuple],
    framed: set[int] | None,
    lengths_at: int | None,
) -> _Rows:
    """``_read``'s arrays from ``_fetch``'s groups (``lengths_at``: where each group's row lengths are,
    when fetched with them)."""
    nv = len(variables)
    dropped = 0
    if framed is not None:
        kept = [g for g in groups if g[0] is not None and g[0] in framed]
        dropped = sum(g[2 + nv] for g in groups) - sum(g[2 + nv] for g in kept)
        groups = kept
    counts = np.array([g[2 + nv] for g in groups], dtype=np.int64)
    n = int(counts.sum())
    if not n:
        empty = {c: np.zeros(0) for c in codes}
        return _Rows(empty, np.zeros(0, dtype=np.int64), dropped, counts, {v: [] for v in variables})
    points = np.repeat(np.array([g[0] or 0 for g in groups], dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    profile: dict[str, list[str | None]] = {}
    for i, var in enumerate(variables):
        names = [g[2 + i] for g in groups]
        profile[var] = [_answer_text(t) for t in names] if i in from_json else names
    versions = [int(g[1]) for g in groups]
    columns: dict[str, np.ndarray] = {}
    present = sorted(set(versions))
    for version in present:
        vcodes = [q.code for q in questions_of(survey, version) if q.scale]
        width = len(vcodes)
        if width == 0:
            continue
        mine = [j for j, v in enumerate(versions) if v == version]
        if lengths_at is None:  # group by group: a group with a score of another width is cut apart
            blocks = [_block(groups[j][3 + nv], int(counts[j]), width) for j in mine]
            block = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
        else:
            block = _block_by_lengths([groups[j] for j in mine], 3 + nv, lengths_at, width)
        if len(present) == 1:
            idx = None
        else:
            idx = np.concatenate([np.arange(starts[j], starts[j] + counts[j]) for j in mine])
        for k, code in enumerate(vcodes):
            if code not in codes:
                continue
            if idx is None:
                columns[code] = _SCORE.take(block[:, k])
            else:
                columns.setdefault(code, np.full(n, np.nan))[idx] = _SCORE.take(block[:, k])
    columns = {c: columns[c] if c in columns else np.full(n, np.nan) for c in codes}
    return _Rows(columns, points, dropped, counts, profile)


def _block(text: str, rows: int, width: int) -> np.ndarray:
    """``rows`` scores joined by ``SEP`` (one group's) as a rows × width array of answer bytes (a
    character that is not ASCII is one "?"), each score padded with "-" or cut to ``width``."""
    raw = np.frombuffer(text.encode("ascii", "replace"), dtype=np.uint8)
    sep = ord(SEP)
    if raw.shape[0] == rows * (width + 1) - 1:  # every score of the same width, as they are written
        if rows == 1 or bool(np.all(raw[width :: width + 1] == sep)):
            if int(np.count_nonzero(raw == sep)) == rows - 1:
                return np.lib.stride_tricks.as_strided(raw, shape=(rows, width), strides=(width + 1, 1))
    parts = text.split(SEP)
    if len(parts) != rows:
        raise _Unsplittable
    return _padded(parts, width)


def _block_by_lengths(groups: list[tuple], text_at: int, lengths_at: int, width: int) -> np.ndarray:
    """``_block`` of groups fetched with each score's length."""
    parts: list[str] = []
    for g in groups:
        text, at = g[text_at], 0
        for length in map(int, g[lengths_at].split(",")):
            parts.append(text[at : at + length])
            at += length
    return _padded(parts, width)


def _padded(parts: list[str], width: int) -> np.ndarray:
    text = "".join(s.ljust(width, "-")[:width] for s in parts)
    return np.frombuffer(text.encode("ascii", "replace"), dtype=np.uint8).reshape(len(parts), width)


def _compact(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct non-negative ids (ascending) and each one's index among them (a stratum code)."""
    if not ids.shape[0]:
        return ids, np.zeros(0, dtype=np.intp)
    seen = np.flatnonzero(np.bincount(ids))
    index = np.zeros(int(ids.max()) + 1, dtype=np.intp)
    index[seen] = np.arange(seen.shape[0])
    return seen, index[ids]


def _raked(
    weights: np.ndarray, counts: np.ndarray, profile: dict[str, list[str | None]], margins: dict
) -> np.ndarray:
    """``core.survey.rake`` of the groups of respondents: the respondents of a group (one service point,
    the same answers to the margin variables) have the same design weight and get the same raking
    factors, so each group is raked as one row standing for them all (``counts``) — the same weights as
    raking them one by one, from a few hundred rows instead of a million. ``weights``: per group."""
    variables = {var: profile[var] for var in margins}
    return np.array(stats.rake(weights, variables, margins, counts=counts))


def _answer_text(text: str | None) -> str | None:
    """An answer given as JSON text, as the cell name raking compares with the margins' (None: none)."""
    if text is None:
        return None
    value = json.loads(text)
    return None if value is None else str(value)


def compute(survey: Survey, *, weighted: bool = False, detail: bool = False) -> Figures:
    questions = [q for q in questions_of(survey) if q.scale]
    codes = [q.code for q in questions]
    points = {p.pk: p for p in survey.points.all()}
    need_profile = weighted and bool(survey.margins)
    framed = {pk for pk, p in points.items() if p.dossiers > 0} if weighted else None
    data = _read(survey, codes, list(survey.margins) if need_profile else [], framed)
    columns, point_ids, profile = data.columns, data.points, data.profile
    notes: list[str] = []
    if data.dropped:
        notes.append(
            f"{data.dropped} phiếu không gắn với điểm phục vụ có số hồ sơ trong khung mẫu: "
            "không tính vào ước lượng có gia quyền."
        )
    n = int(point_ids.shape[0])
    figures = Figures(n=n, weighted=weighted, notes=notes)
    stratum_ids, strata = _compact(point_ids)
    weights = None
    if weighted and n:
        sample = np.bincount(strata, minlength=stratum_ids.shape[0])
        per = stats.design_weights(
            {str(pk): points[pk].dossiers for pk in stratum_ids.tolist()},
            {str(pk): int(c) for pk, c in zip(stratum_ids.tolist(), sample.tolist(), strict=True)},
        )
        weights = np.array([per[str(pk)] for pk in stratum_ids.tolist()])[strata]
        if need_profile:
            group_weights = weights[np.cumsum(data.counts) - data.counts]  # each group's first response's
            try:
                weights = np.repeat(_raked(group_weights, data.counts, profile, survey.margins), data.counts)
            except stats.SurveyError as exc:
                notes.append(f"Không hiệu chỉnh được theo cơ cấu dân số ({exc}); chỉ dùng trọng số thiết kế.")
    common = {"weights": weights, "strata": strata if n else None, "method": METHOD, "min_n": survey.min_n}
    scored: dict[Any, Any] = {}  # checked columns and respondent scores, shared by the calls below
    if n:
        items = stats.estimate_many_kinds(columns, ("proportion", "mean"), **common)
        figures.items = {c: {"p": items["proportion"][c], "mean": items["mean"][c]} for c in codes}
        groups: dict[str, list[str]] = {}
        for q in questions:
            groups.setdefault(q.element or "", []).append(q.code)
        elements = [e for e in survey.elements.all() if groups.get(e.code)]
        overall_parts = [groups[e.code] for e in elements] or codes
        # element and overall scores in one call per kind (the overall reuses the element scores)
        parts: dict[str, Any] = {f"element:{e.code}": groups[e.code] for e in elements}
        parts["overall"] = overall_parts
        p = stats.combine_many(columns, parts, kind="proportion", scores_cache=scored, **common)
        mean = stats.combine_many(columns, parts, kind="mean", scores_cache=scored, **common)
        for e in elements:
            key = f"element:{e.code}"
            figures.elements.append((e, {"p": p[key], "mean": mean[key]}))
        figures.overall = {"p": p["overall"], "mean": mean["overall"]}
        # per service point: each point is one stratum, so a domain estimate over its own respondents is
        # the same as combining its respondents alone
        point_parts: dict[str, Any] = {"overall": overall_parts}
        if detail:
            point_parts.update({f"element:{e.code}": groups[e.code] for e in elements})
        by_point = stats.estimate_domains(
            columns,
            point_ids,
            parts=point_parts,
            kind="proportion",
            weights=weights,
            strata=strata,
            method=METHOD,
            min_n=survey.min_n,
            scores_cache=scored,
        )
        for pk, point in sorted(points.items(), key=lambda kv: kv[1].name):
            found = by_point.get(str(pk))
            if found is None:
                continue
            if detail:
                figures.point_elements[pk] = {e.code: found[f"element:{e.code}"] for e in elements}
            figures.points.append((point, found["overall"]))
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


#: a row with no response: the keys of ``_row``, no figure
EMPTY = {
    "n": 0,
    "satisfied_pct": None,
    "mean": None,
    "ci_low": None,
    "ci_high": None,
    "mean_ci_low": None,
    "mean_ci_high": None,
    "publishable": False,
    "unweighted_satisfied_pct": None,
    "unweighted_mean": None,
}


def estimates_json(survey: Survey, user=None, *, weighted: bool = False) -> dict[str, Any]:
    if user is not None and not permissions.can_read(user, survey.province_id):
        raise PermissionDenied("Bạn không được xem kết quả của cuộc khảo sát này.")
    f = compute(survey, weighted=weighted)
    items = [{"code": c, **_row(e["p"], e["mean"])} for c, e in f.items.items()]
    elements = [{"code": e.code, "label": e.label, **_row(v["p"], v["mean"])} for e, v in f.elements]
    if not f.n:  # no response yet: every item and element, with n 0 and no figure (the same keys)
        scale = [q for q in questions_of(survey) if q.scale]
        items = [{"code": q.code, **EMPTY} for q in scale]
        asked = {q.element for q in scale}
        elements = [
            {"code": e.code, "label": e.label, **EMPTY} for e in survey.elements.all() if e.code in asked
        ]
    return {
        "survey": survey.pk,
        "n": f.n,
        "weighted": weighted,
        "method": METHOD,
        "confidence": 0.95,
        "min_n": survey.min_n,
        "items": items,
        "elements": elements,
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
