"""``chiso plan draft …`` and ``chiso plan list``: plans from the command line.

``chiso plan draft --index papi --unit "Kon Tum" --year 2024 --places 5 --out kh.docx [--pdf kh.pdf]
[--weakest 5] [--user USERNAME] [--save]`` drafts a plan from the unit's results (as the web page
"Lập kế hoạch từ kết quả phân tích" does), writes its DOCX and/or PDF and prints a JSON summary.
``--index`` takes several codes (``--index papi par`` or ``--index papi,par``): one plan covering them
all (the ambition applies to each index; ``drafting.draft_plan`` with ``into``). Without
--save nothing is kept in the database (the draft is rolled back after the documents are written).
``chiso plan list [--year Y] [--status S] [--json]`` lists the stored plans.
Errors (unknown unit, no results, impossible target, no permission) exit with code 2.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chiso.frameworks.services import IndexUnknown, get_index, resolve_scored_unit
from chiso.plans.models import Plan
from chiso.plans.services.drafting import (
    DraftError,
    draft_plan,
    issuing_unit_for,
    parse_ambition,
    summary,
)
from chiso.units.services import UnitLookupError


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Kế hoạch: lập dự thảo từ kết quả phân tích và xuất DOCX/PDF (draft), liệt kê kế hoạch (list)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="lệnh")
        d = sub.add_parser("draft", help="Lập dự thảo kế hoạch từ kết quả của một đơn vị và xuất văn bản.")
        d.add_argument(
            "--index",
            required=True,
            nargs="+",
            help="Mã chỉ số, một hoặc nhiều (ví dụ: papi hoặc papi par sipas hoặc papi,par)",
        )
        d.add_argument("--unit", required=True, help="Tên hoặc mã đơn vị (ví dụ: “Kon Tum”, 62)")
        d.add_argument("--year", required=True, type=int, help="Năm kết quả làm căn cứ")
        goal = d.add_mutually_exclusive_group()
        goal.add_argument("--places", type=int, help="Tăng N bậc (mặc định 5)")
        goal.add_argument("--rank", type=int, help="Đạt thứ hạng K")
        goal.add_argument("--top", type=int, help="Vào nhóm K đơn vị dẫn đầu")
        goal.add_argument("--group", help="Vào nhóm xếp loại (ví dụ: “Trung bình cao”)")
        goal.add_argument("--score", help="Đạt số điểm")
        goal.add_argument("--percent", help="Đạt tỷ lệ %% điểm tối đa")
        d.add_argument(
            "--weakest", type=int, default=5, help="Số nội dung yếu nhất đặt mục tiêu (mặc định 5)"
        )
        d.add_argument("--plan-year", type=int, help="Năm thực hiện kế hoạch (mặc định: năm sau năm kết quả)")
        d.add_argument("--out", help="Tệp DOCX xuất ra")
        d.add_argument("--pdf", help="Tệp PDF xuất ra")
        d.add_argument("--user", help="Tên đăng nhập của người lập (kiểm tra quyền điều phối)")
        d.add_argument("--save", action="store_true", help="Lưu dự thảo vào cơ sở dữ liệu")
        ls = sub.add_parser("list", help="Liệt kê kế hoạch.")
        ls.add_argument("--year", type=int)
        ls.add_argument("--status", choices=[code for code, _label in Plan.workflow().choices()])
        ls.add_argument("--json", action="store_true", help="In dạng JSON")

    def handle(self, *args, action, **options):
        if action == "draft":
            return self.draft(**options)
        return self.list(**options)

    # ------------------------------------------------------------------ draft

    def draft(self, *, index, unit, year, weakest, out=None, pdf=None, user=None, save=False, **options):
        kind, value = "places", 5
        for k in ("places", "rank", "top", "group", "score", "percent"):
            if options.get(k) is not None:
                kind, value = k, options[k]
        try:
            ambition = parse_ambition(kind, value)
        except DraftError as exc:
            raise _fail(str(exc)) from exc
        codes = list(
            dict.fromkeys(c.strip().lower() for raw in index for c in str(raw).split(",") if c.strip())
        )
        if not codes:
            raise _fail("Cần ít nhất một mã chỉ số (--index).")
        units = []
        try:
            for code in codes:
                units.append(resolve_scored_unit(get_index(code), unit, year))
        except (IndexUnknown, UnitLookupError) as exc:
            raise _fail(str(exc)) from exc
        u = units[0]
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise _fail(f"Không có tài khoản “{user}”.")
        issuing = issuing_unit_for(account, u)
        if issuing is None:
            raise _fail(
                f"Tài khoản “{user}” không phải chuyên viên điều phối của {u.short_name} (hoặc đơn vị kế thừa)."
            )
        outputs = [(fmt, Path(p)) for fmt, p in (("docx", out), ("pdf", pdf)) if p]
        for _fmt, p in outputs:
            if not p.parent.exists():
                raise _fail(f"Thư mục {p.parent} không tồn tại.")
        rendered: list[tuple[Path, bytes]] = []
        with transaction.atomic():
            try:
                plan = None
                for code, scored in zip(codes, units, strict=True):
                    # each index from the unit that carries its results, into one draft
                    plan = draft_plan(
                        code,
                        scored,
                        year,
                        ambition,
                        account,
                        weakest=weakest,
                        issuing_unit=issuing,
                        plan_year=options.get("plan_year"),
                        into=plan,
                    )
                assert plan is not None
            except DraftError as exc:
                raise _fail(str(exc)) from exc
            if outputs:
                try:
                    from chiso.plans.documents import render_plan
                except ImportError as exc:  # the documents module is not installed
                    raise _fail("Chưa có mô-đun xuất văn bản (chiso.plans.documents).") from exc
                for fmt, p in outputs:
                    rendered.append((p, render_plan(plan, fmt)))
            data = summary(plan)
            data["indices"] = list(plan.indices)
            if not save:
                transaction.set_rollback(True)
                data["id"] = None
        for p, content in rendered:
            p.write_bytes(content)
        data["saved"] = bool(save)
        data["unit"] = u.name
        data["files"] = [str(p) for p, _c in rendered]
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    # ------------------------------------------------------------------ list

    def list(self, *, year=None, status=None, json=False, **options):
        import json as jsonlib

        qs = Plan.objects.select_related("issuing_unit").order_by("-year", "-pk")
        if year:
            qs = qs.filter(year=year)
        if status:
            qs = qs.filter(status=status)
        rows = [
            {
                "id": p.pk,
                "number": p.number_symbol if p.number else "",
                "title": p.title,
                "issuing_unit": p.issuing_unit.short_name,
                "year": p.year,
                "status": p.status,
                "tasks": p.tasks.count(),
            }
            for p in qs
        ]
        if json:
            self.stdout.write(jsonlib.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("Chưa có kế hoạch nào.")
            return
        labels = dict(Plan.workflow().choices())
        for r in rows:
            number = r["number"] or "(chưa có số)"
            self.stdout.write(
                f"{r['id']:>5}  {r['year']}  {number:<18} {str(labels.get(r['status'], r['status'])):<14} "
                f"{r['issuing_unit']}: {r['title']} ({r['tasks']} nhiệm vụ)"
            )
