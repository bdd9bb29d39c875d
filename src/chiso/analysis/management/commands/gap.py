import json

from django.core.management.base import BaseCommand, CommandError

from chiso.analysis.serialize import gap_to_dict
from chiso.analysis.services import AnalysisError, gap
from chiso.core.text import format_number
from chiso.frameworks.services import IndexUnknown, get_index, resolve_scored_unit
from chiso.units.services import UnitLookupError


class Command(BaseCommand):
    help = "Tính số điểm cần tăng để lên N bậc, vào một nhóm, vào top K hoặc đạt một mức điểm."

    def add_arguments(self, parser):
        parser.add_argument("--index", required=True, help="Mã chỉ số (xem chiso import-framework).")
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
            u = resolve_scored_unit(get_index(index), unit, year)
            g = gap(index, u, year, places=places, group=group, top=top, score=score)
        except (IndexUnknown, UnitLookupError, AnalysisError) as exc:
            raise CommandError(str(exc)) from exc
        if format == "json":
            self.stdout.write(json.dumps(gap_to_dict(g), ensure_ascii=False, indent=2))
            return
        a = g.analysis
        self.stdout.write(
            f"{a.unit.short_name} – {a.index.short_name} {a.year}: {format_number(g.current_total, 4)} điểm, "
            + (f"hạng {g.current_rank}/{g.rank_of}" if g.current_rank else "chưa có hạng")
            + f". Mục tiêu: {g.goal}."
        )
        if g.note:
            self.stdout.write(g.note)
        if g.needed_increase is None:
            self.stdout.write("Không thể đạt mục tiêu trong thang điểm.")
            return
        self.stdout.write(
            f"Cần tăng tối thiểu {g.needed_text} điểm (lên ít nhất {g.new_total_text}). {g.assumptions}"
        )
        self.stdout.write("Các nội dung có thể bù điểm (điểm còn thiếu so với tối đa):")
        for s in g.suggestions[:12]:
            best = f"; tốt nhất từng đạt {format_number(s.best_past, 4)}" if s.best_past is not None else ""
            self.stdout.write(
                f"  {s.code:<8} {s.name[:55]:<55} {format_number(s.score, 4)}/{format_number(s.max)} "
                f"(còn {format_number(s.available, 4)}{best})"
            )
