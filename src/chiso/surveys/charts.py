"""The monitoring chart of a survey: responses per day (bars) and the running total against the target
(line), as SVG with the analysis charts' style (matplotlib, no script, no CDN)."""

from __future__ import annotations

from chiso.analysis import charts
from chiso.core.text import format_number


def daily(days: list[tuple[object, int]], target: int, title: str, fmt: str = "svg") -> bytes:
    plt = charts.plt
    fig, ax = plt.subplots(figsize=(8, 2.8))
    if days:
        xs = list(range(len(days)))
        counts = [n for _d, n in days]
        ax.bar(xs, counts, color=charts.BASE, label="Số phiếu trong ngày")
        step = max(1, len(days) // 12)
        ax.set_xticks(xs[::step], [d.strftime("%d/%m") for d, _n in days][::step])
        ax2 = ax.twinx()
        running = []
        total = 0
        for n in counts:
            total += n
            running.append(total)
        ax2.plot(xs, running, color=charts.MEAN, marker="o", markersize=3, label="Cộng dồn")
        if target:
            ax2.axhline(target, color=charts.HIGHLIGHT, linestyle="--", linewidth=1)
            ax2.annotate(
                f"Chỉ tiêu {format_number(target, 0)}",
                (0, target),
                xytext=(2, 3),
                textcoords="offset points",
                color=charts.HIGHLIGHT,
                fontsize=8,
            )
            ax2.set_ylim(0, max(target, total) * 1.1)
        ax2.spines["top"].set_visible(False)
        ax.set_ylabel("Phiếu/ngày")
        ax2.set_ylabel("Cộng dồn")
    else:
        ax.text(0.5, 0.5, "Chưa có phiếu", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_title(title, loc="left")
    return charts._out(fig, fmt)
