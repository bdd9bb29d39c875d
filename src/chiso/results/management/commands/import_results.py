from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from chiso.core.text import format_number
from chiso.frameworks.services import IndexUnknown, get_index
from chiso.results.importer import ImportRefused, commit_import, preview_import


class Command(BaseCommand):
    help = (
        "Nhập kết quả công bố từ tệp XLSX/XLS/ODS/CSV: xem trước, và ghi tất cả hoặc không ghi gì (--commit)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--index", required=True, help="Mã chỉ số (xem chiso import-framework).")
        parser.add_argument("--year", type=int, help="Năm đánh giá (nếu tệp có cột Năm: chỉ nhập năm này).")
        parser.add_argument(
            "--commit", action="store_true", help="Ghi vào cơ sở dữ liệu (mặc định chỉ xem trước)."
        )
        parser.add_argument("--user", help="Tên đăng nhập ghi vào nhật ký.")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, file, index, year=None, commit=False, user=None, quiet=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp “{file}”.")
        data = path.read_bytes()
        account = None
        if user:
            from django.contrib.auth import get_user_model

            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"Không có người dùng “{user}”.")
        try:
            index = get_index(index).code
        except IndexUnknown as exc:
            raise CommandError(str(exc)) from exc
        preview = preview_import(
            data, path.name, index_code=index, year=year, max_bytes=settings.CHISO_MAX_IMPORT_BYTES
        )
        counts = preview.counts
        if not quiet:
            for note in preview.notes:
                self.stdout.write(f"Ghi chú: {note}")
            if preview.ignored:
                self.stdout.write("Cột bỏ qua: " + ", ".join(preview.ignored))
            for row in preview.rows:
                if row.status in ("new", "changed", "error") or row.warnings:
                    detail = "; ".join(row.errors + row.warnings)
                    changed = [c for c in row.cells if c.status != "unchanged"]
                    self.stdout.write(
                        f"Dòng {row.line:>4} {row.status_label:<10} {row.year or '':<5} {row.unit_text:<24} "
                        + (f"{len(changed)} giá trị " if changed else "")
                        + detail
                    )
        self.stdout.write(
            f"Tổng: {counts['new']} mới, {counts['changed']} thay đổi, {counts['unchanged']} không đổi, "
            f"{counts['skipped']} bỏ qua, {counts['error']} lỗi."
        )
        if not preview.ok:
            raise CommandError("Không ghi gì vì tệp có lỗi:\n" + "\n".join(preview.error_messages))
        if not commit:
            self.stdout.write("Xem trước xong; thêm --commit để ghi.")
            return
        try:
            batch = commit_import(
                data,
                path.name,
                index_code=index,
                year=year,
                user=account,
                max_bytes=settings.CHISO_MAX_IMPORT_BYTES,
            )
        except ImportRefused as exc:
            raise CommandError("Không ghi gì:\n" + "\n".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"Không ghi gì: {exc}") from exc
        self.stdout.write(
            f"Đã ghi lần nhập #{batch.pk}: {format_number(batch.rows_changed)} giá trị thay đổi (SHA-256 {batch.file_hash[:12]}…)."
        )
