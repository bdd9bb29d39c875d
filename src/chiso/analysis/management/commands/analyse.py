import json

from django.core.management.base import BaseCommand, CommandError

from chiso.analysis.serialize import analysis_to_dict
from chiso.analysis.services import AnalysisError, analyse, opening_text
from chiso.core.text import format_number, format_signed
from chiso.units.lineage import unit_valid_in
from chiso.units.services import UnitLookupError


class Command(BaseCommand):
    help = "Phân tích kết quả một chỉ số của một đơn vị trong một năm."

    def add_arguments(self, parser):
        parser.add_argument("--index", required=True, choices=["papi", "par", "sipas"])
        parser.add_argument("--unit", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, index, unit, year, format="text", **options):
        try:
            u = unit_valid_in(unit, year)
            a = analyse(index, u, year)
        except (UnitLookupError, AnalysisError) as exc:
            raise CommandError(str(exc)) from exc
        if format == "json":
            self.stdout.write(json.dumps(analysis_to_dict(a), ensure_ascii=False, indent=2))
            return
        self.stdout.write(opening_text(a))
        self.stdout.write("")
        self.stdout.write(
            f"{'Mã':<8} {'Tên':<50} {'Điểm':>9} {'Tối đa':>7} {'Hạng':>7} {'+/-':>8} {'Bị trừ':>8}"
        )
        for n in a.nodes:
            rank = f"{n.rank}/{n.rank_of}" if n.rank else ""
            self.stdout.write(
                f"{n.code:<8} {('  ' * n.depth + n.name)[:50]:<50} {format_number(n.score, 4):>9} "
                f"{format_number(n.max):>7} {rank:>7} {format_signed(n.delta, 2) if n.delta is not None else '':>8} "
                f"{format_number(n.lost_points, 4) if n.lost_points is not None else '':>8}"
            )
