"""``chiso assessment …``: assessment rounds from the command line (issue 8), for operators and scripts.

- ``chiso assessment open --index CODE --year YYYY --province NAME [--units department|commune|province]
  [--self-deadline D --appraisal-deadline D --explanation-deadline D --final-deadline D] [--title T]
  [--user USERNAME] --format json`` → ``{"round": ID, "units": ["<unit name>", …]}``: a round on the index's
  framework for that year (``rounds.framework_of``), scoring the province's departments, its communes or
  the province itself (default: the index's kind of unit);
- ``chiso assessment import-scores FILE --round ID --stage self|appraisal|final|survey [--commit]
  [--source TEXT] [--user USERNAME] [--format json]`` — a wide table (a unit column, one column per leaf
  criterion code): preview by default, all or nothing with ``--commit`` (``services.imports``);
- ``chiso assessment advance --round ID [--to STAGE] [--user USERNAME] [--format json]`` — the next phase, or
  straight to STAGE (a state code of the round's workflow, e.g. ``closed``: closing publishes the results);
- ``chiso assessment summary --round ID --format json`` → ``{"round", "index", "year", "stage", "units":
  [{"unit", "self_total", "appraised_total", "final_total", "percent", "rank", "class"}]}``
  (``results.summary_data``).

Without ``--user`` a command is the operator's (run on the server: no permission is checked); with it,
the account's roles are checked as on the web. Every refusal is a CommandError with the service's
Vietnamese message (exit code 2) and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings

from chiso.assessment.models import Round
from chiso.assessment.services import rounds
from chiso.assessment.services.imports import STAGES, commit_scores, preview_scores
from chiso.assessment.services.results import summary_data
from chiso.commands import ActionCommand, fail
from chiso.core.text import format_number
from chiso.units.lineage import unit_valid_in

WORKS = ("self", "appraisal", "explanation", "final")


def _date(text: str) -> dt.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise fail(f"Ngày “{text}” không hợp lệ: dùng dd/mm/yyyy hoặc yyyy-mm-dd.")


class Command(ActionCommand):
    ACTIONS = {"open": "open", "import-scores": "import_scores", "advance": "advance", "summary": "summary"}
    help = (
        "Đợt đánh giá: mở đợt (open), nhập điểm từ tệp (import-scores), chuyển giai đoạn (advance), "
        "tổng hợp kết quả (summary)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="lệnh")
        o = sub.add_parser("open", help="Mở đợt đánh giá mới.")
        o.add_argument("--index", required=True, help="Mã chỉ số (ví dụ cchc-so)")
        o.add_argument("--year", required=True, type=int, help="Năm đánh giá")
        o.add_argument("--province", required=True, help="Tỉnh tổ chức (tên hoặc mã)")
        o.add_argument(
            "--units",
            choices=[c for c, _label in Round.Scope.choices],
            help="Đơn vị được đánh giá: department (các sở, ngành), commune (các xã, phường), province (chính "
            "tỉnh); mặc định theo loại đơn vị của chỉ số",
        )
        for work in WORKS:
            o.add_argument(f"--{work}-deadline", help="Hạn (dd/mm/yyyy hoặc yyyy-mm-dd)")
        o.add_argument("--title", default="", help="Tên đợt đánh giá (mặc định: tự đặt)")
        i = sub.add_parser(
            "import-scores", help="Nhập điểm từ tệp CSV/XLSX/XLS/ODS (xem trước; --commit để ghi)."
        )
        i.add_argument("file")
        i.add_argument("--round", required=True, type=int, dest="round_id", help="Mã số đợt đánh giá")
        i.add_argument("--stage", required=True, choices=list(STAGES), help="Giai đoạn điểm của tệp")
        i.add_argument("--commit", action="store_true", help="Ghi tất cả hoặc không ghi gì")
        i.add_argument("--source", default="", help="Nguồn điểm ghi kèm (ví dụ: Kết quả khảo sát SIPAS 2025)")
        a = sub.add_parser("advance", help="Chuyển đợt đánh giá sang giai đoạn sau (hoặc thẳng tới --to).")
        a.add_argument("--round", required=True, type=int, dest="round_id", help="Mã số đợt đánh giá")
        a.add_argument("--to", help="Mã giai đoạn đích (ví dụ: closed — kết thúc và công bố)")
        s = sub.add_parser("summary", help="Tổng hợp điểm, xếp hạng, xếp loại của đợt đánh giá.")
        s.add_argument("--round", required=True, type=int, dest="round_id", help="Mã số đợt đánh giá")
        for p in (o, i, a, s):
            p.add_argument("--format", choices=["text", "json"], default="text")
        for p in (o, i, a):
            p.add_argument("--user", help="Tên đăng nhập (kiểm tra quyền); bỏ trống: lệnh của người vận hành")

    def _round(self, pk: int) -> Round:
        rnd = Round.objects.select_related("framework__index", "province").filter(pk=pk).first()
        if rnd is None:
            raise fail(f"Không có đợt đánh giá số {pk}.")
        return rnd

    # ------------------------------------------------------------------ open

    def open(self, account, *, index, year, province, units=None, title="", **options):
        framework = rounds.framework_of(index, year)
        where = unit_valid_in(province, year)
        scope = units or rounds.default_scope(framework.index)
        deadlines = {w: _date(options[f"{w}_deadline"]) for w in WORKS if options.get(f"{w}_deadline")}
        rnd = rounds.open_round(framework, year, where, scope, account, deadlines=deadlines, title=title)
        names = [
            s.unit.name for s in rnd.sheets.select_related("unit").order_by("pk")
        ]  # as round_units sorts
        text = f"Đã mở đợt đánh giá số {rnd.pk}: {rnd.title} — {len(names)} đơn vị: {', '.join(names)}."
        return {"round": rnd.pk, "units": names}, text

    # ------------------------------------------------------------------ import-scores

    def import_scores(self, account, *, file, round_id, stage, commit=False, source="", **options):
        path = Path(file)
        if not path.is_file():
            raise fail(f"Không tìm thấy tệp “{file}”.")
        rnd = self._round(round_id)
        data = path.read_bytes()
        limit = settings.CHISO_MAX_IMPORT_BYTES
        preview = preview_scores(rnd, data, path.name, stage, user=account, max_bytes=limit)
        if preview.ok and commit:
            preview = commit_scores(rnd, data, path.name, stage, account, source, max_bytes=limit)
        lines = [f"Ghi chú: {n}" for n in preview.notes]
        if preview.ignored:
            lines.append("Cột bỏ qua: " + ", ".join(preview.ignored))
        for r in preview.rows:
            changed = [c for c in r.cells if c.status != "unchanged"]
            detail = "; ".join(
                r.errors
                or [f"{c.node_code}: {format_number(c.old)} → {format_number(c.new)}" for c in changed]
            )
            lines.append(f"Dòng {r.line:>4} {r.status_label:<10} {r.unit_text:<28} {detail}")
            lines.extend(f"          Cần kiểm tra: {w}" for w in r.warnings)
        c = preview.counts
        lines.append(
            f"Tổng: {c['new']} mới, {c['changed']} thay đổi, {c['unchanged']} không đổi, {c['error']} lỗi; "
            f"{c['values_changed']} điểm sẽ ghi."
        )
        if not preview.ok:
            if options["format"] == "json":
                self.stdout.write(json.dumps(preview.as_data(), ensure_ascii=False, indent=2))
            else:
                self.stdout.write("\n".join(lines))
            raise fail("Không ghi gì vì tệp có lỗi:\n" + "\n".join(preview.error_messages))
        if commit:
            lines.append(f"Đã ghi {preview.written} điểm.")
        else:
            lines.append("Xem trước xong; thêm --commit để ghi.")
        return preview.as_data(), "\n".join(lines)

    # ------------------------------------------------------------------ advance

    def advance(self, account, *, round_id, to=None, **options):
        rnd = self._round(round_id)
        before = rnd.status_label
        rnd = rounds.advance(rnd, account, to=to)
        text = f"Đợt đánh giá số {rnd.pk}: «{before}» → «{rnd.status_label}»."
        return {"round": rnd.pk, "stage": rnd.status}, text

    # ------------------------------------------------------------------ summary

    def summary(self, account, *, round_id, **options):
        data = summary_data(self._round(round_id))
        lines = [f"Đợt đánh giá số {data['round']} — {data['index']} {data['year']} ({data['stage']})"]
        for u in data["units"]:
            lines.append(
                f"{u['rank'] or '—':>3}  {u['unit']:<32} tự chấm {format_number(u['self_total']):>7}  "
                f"thẩm định {format_number(u['appraised_total']):>7}  "
                f"cuối cùng {format_number(u['final_total']):>7}  "
                f"{format_number(u['percent']):>6} %  {u['class'] or ''}"
            )
        return data, "\n".join(lines)
