import json

from django.core.management.base import BaseCommand, CommandError

from chiso.analysis.serialize import gap_to_dict
from chiso.analysis.services import AnalysisError, gap
from chiso.core.text import format_number
from chiso.units.lineage import unit_valid_in
from chiso.units.services import UnitLookupError


class Command(BaseCommand):
    help = "Tính số điểm cần tăng để lên N bậc, vào một nhóm, vào top K hoặc đạt một mức điểm."

    def add_arguments(self, parser):
        parser.add_argument("--index", required=True, choices=["papi", "par", "sipas"])
        parser.add_argument("--unit", required=True)
        parser.add_argument("--year", required=True, type=int)
        goal = parser.add_mutually_exclusive_group(required=True)
        goal.add_argument("--places", type=int)
        goal.add_argument("--group")
        goal.add_argument("--top", type=int)
        goal.add_argument("--score", type=float)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(
        self, *args, index, unit, year, places=None, group=None, top=None, score=None, format="text", **o
    ):
        try:
            u = unit_valid_in(unit, year)
            g = gap(index, u, year, places=places, group=group, top=top, score=score)
        except (UnitLookupError, AnalysisError) as exc:
            raise CommandError(str(exc)) from exc
        if format == "json":
            self.stdout.write(json.dumps(gap_to_dict(g), ensure_ascii=False, indent=2))
            return
        a = g.analysis
        self.stdout.write(
            f"{a.unit.short_name} – {a.index.short_name} {a.year}: {format_number(g.current_total, 4)} điểm, "
            f"hạng {g.current_rank}/{a.n_scored}. Mục tiêu: {g.goal}."
        )
        if g.needed_increase is None:
            self.stdout.write("Không thể đạt mục tiêu trong thang điểm.")
            return
        self.stdout.write(f"Cần tăng tối thiểu {format_number(g.needed_increase, 4)} điểm. {g.assumptions}")
        self.stdout.write("Các nội dung có thể bù điểm (điểm còn thiếu so với tối đa):")
        for s in g.suggestions[:12]:
            best = f"; tốt nhất từng đạt {format_number(s.best_past, 4)}" if s.best_past is not None else ""
            self.stdout.write(
                f"  {s.code:<8} {s.name[:55]:<55} {format_number(s.score, 4)}/{format_number(s.max)} "
                f"(còn {format_number(s.available, 4)}{best})"
            )
