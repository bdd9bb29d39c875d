"""Plain dictionaries of an analysis and a gap result: the JSON of the CLI and the API.
Numbers are unrounded."""

from __future__ import annotations

from .services import Analysis, GapResult


def analysis_to_dict(a: Analysis) -> dict:
    return {
        "unit": a.unit.short_name,
        "unit_code": a.unit.code,
        "unit_id": a.unit.pk,
        "index": a.index.code,
        "framework": a.framework.code,
        "year": a.year,
        "total": a.total,
        "max": a.max,
        "percent": a.percent,
        "complete": a.complete,
        "rank": a.rank,
        "rank_of": a.rank_of,
        "rank_source": a.rank_source,
        "computed_rank": a.computed_rank,
        "published_rank": a.published_rank,
        "published_rank_of": a.published_rank_of,
        "group": a.group,
        "group_source": a.group_source,
        "group_size": a.group_size,
        "group_cutoffs": [{"group": g, "from": v} for g, v in a.cutoffs],
        "previous_year": a.previous_year,
        "previous_total": a.previous_total,
        "delta_total": a.delta_total,
        "previous_rank": a.previous_rank,
        "delta_rank": a.delta_rank,
        "comparison_note": a.previous_unit_note,
        "predecessors_previous": [
            {
                "unit": d["unit"].short_name,
                "unit_id": d["unit"].pk,
                "year": d["year"],
                "total": d["total"],
                "rank": d["rank"],
                "rank_of": d["rank_of"],
                "group": d["group"],
            }
            for d in a.predecessors_previous
        ],
        "national_mean": a.national_mean,
        "diff_from_mean": a.diff_from_mean,
        "national_median": a.national_median,
        "diff_from_median": a.diff_from_median,
        "n_scored": a.n_scored,
        "mismatches": a.mismatches,
        "regions": [
            {
                "code": r["region"].code,
                "name": r["region"].name_vi,
                "rank": r["rank"],
                "rank_of": r["rank_of"],
                "mean": r["mean"],
            }
            for r in a.regions
        ],
        "nodes": [
            {
                "code": n.code,
                "name": n.name,
                "level": n.level,
                "depth": n.depth,
                "score": n.score,
                "max": n.max,
                "percent": n.percent,
                "rank": n.rank,
                "rank_of": n.rank_of,
                "mean": n.mean,
                "previous": n.previous,
                "delta": n.delta,
                "lost_points": n.lost_points,
                "complete": n.complete,
                "contributes": n.contributes,
            }
            for n in a.nodes
        ],
    }


def gap_to_dict(g: GapResult) -> dict:
    return {
        "unit": g.analysis.unit.short_name,
        "index": g.analysis.index.code,
        "year": g.analysis.year,
        "goal": g.goal,
        "current_total": g.current_total,
        "current_rank": g.current_rank,
        "rank_of": g.rank_of,
        "target_rank": g.target_rank,
        "target_group": g.target_group,
        "needed_increase": g.needed_increase,
        "new_total": g.new_total,
        "needed_increase_text": g.needed_text,
        "note": g.note,
        "assumptions": g.assumptions,
        "suggestions": [
            {
                "code": s.code,
                "name": s.name,
                "score": s.score,
                "max": s.max,
                "available": s.available,
                "best_past": s.best_past,
                "to_best_past": s.to_best_past,
            }
            for s in g.suggestions
        ],
        "cover": [s.code for s in g.cover],
    }
