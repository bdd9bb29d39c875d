"""Charts drawn with matplotlib, as SVG for pages (and PNG for documents later): one function per
chart, the same code for every output."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from chiso.core.text import format_number  # noqa: E402

plt.rcParams.update(
    {
        "font.family": ["Liberation Sans", "DejaVu Sans", "sans-serif"],
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "none",
    }
)
HIGHLIGHT = "#b3261e"
BASE = "#7a8ca3"
MEAN = "#1f5f8b"


def _out(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight", dpi=150 if fmt == "png" else None)
    plt.close(fig)
    return buf.getvalue()


def distribution(
    totals: list[tuple[str, float]],
    highlight: str,
    mean: float | None,
    title: str,
    fmt="svg",
    *,
    rank_text: str = "",
) -> bytes:
    """Every scored unit's total as a sorted bar; the unit in red with its rank as the rank card gives
    it (``rank_text``, never a position among the bars: in a partial year they are not every unit); the
    national mean as a line (when there is one)."""
    items = sorted(totals, key=lambda t: -t[1])
    fig, ax = plt.subplots(figsize=(8, 2.6))
    colors = [HIGHLIGHT if name == highlight else BASE for name, _ in items]
    ax.bar(range(len(items)), [v for _, v in items], color=colors, width=0.8)
    lo = min(v for _, v in items) if items else 0
    hi = max(v for _, v in items) if items else 1
    ax.set_ylim(lo - (hi - lo) * 0.15, hi + (hi - lo) * 0.1)
    if mean is not None:
        ax.axhline(mean, color=MEAN, linestyle="--", linewidth=1)
        ax.text(len(items) - 0.5, mean, f" TB {format_number(mean, 2)}", color=MEAN, va="bottom", ha="right")
    for i, (name, v) in enumerate(items):
        if name == highlight:
            ax.annotate(
                f"{name}\n{format_number(v, 2)}" + (f" ({rank_text})" if rank_text else ""),
                (i, v),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                color=HIGHLIGHT,
                fontweight="bold",
            )
    ax.set_xticks([])
    ax.set_xlabel("Các đơn vị, xếp từ cao xuống thấp")
    ax.set_title(title, loc="left")
    return _out(fig, fmt)


def profile(rows: list[tuple[str, float | None, float | None, float | None]], title: str, fmt="svg") -> bytes:
    """Node profile: the unit's score against the national mean, as percent of each node's maximum.
    rows: (label, score, mean, max)."""
    rows = [r for r in rows if r[1] is not None and r[3]]
    labels = [r[0] for r in rows]
    unit = [r[1] / r[3] * 100 for r in rows]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 0.8))
    y = range(len(rows))
    ax.barh([i + 0.2 for i in y], unit, height=0.4, color=HIGHLIGHT, label="Đơn vị")
    if any(r[2] is not None for r in rows):  # a partial year has no national mean: no bar of 0
        avg = [(r[2] or 0) / r[3] * 100 if r[2] is not None else 0 for r in rows]
        ax.barh([i - 0.2 for i in y], avg, height=0.4, color=BASE, label="Trung bình cả nước")
    ax.set_yticks(list(y), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% điểm tối đa")
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(title, loc="left")
    return _out(fig, fmt)


def history(series: list[tuple[str, list[tuple[int, float, float | None]]]], title: str, fmt="svg") -> bytes:
    """Totals over the years; a merged unit shows each predecessor's line. Points are
    (year, total, maximum): the line breaks where the scale changes (PAPI 60 → 80 points in 2018),
    so totals on different scales are never joined."""
    fig, ax = plt.subplots(figsize=(8, 2.6))
    for i, (name, points) in enumerate(series):
        if not points:
            continue
        color = HIGHLIGHT if i == 0 else f"C{i}"
        segments: list[list[tuple[int, float]]] = []
        last_max = object()
        for year, total, maximum in points:
            if maximum != last_max or (segments and year - segments[-1][-1][0] > 1):
                segments.append([])
                last_max = maximum
            segments[-1].append((year, total))
        for k, seg in enumerate(segments):
            xs, ys = zip(*seg, strict=True)
            ax.plot(xs, ys, marker="o", color=color, label=name if k == 0 else None)
    ax.set_title(title, loc="left")
    ax.legend(frameon=False, fontsize=8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return _out(fig, fmt)
