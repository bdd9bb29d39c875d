"""``chiso backup FILE``: the database and the uploaded files in one archive with a manifest of SHA-256
hashes (chiso.backup.archive)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chiso.backup.archive import BackupError, make_backup


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và các tệp tải lên vào một tệp (kèm bản kê mã băm SHA-256)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp sao lưu sẽ ghi, ví dụ chiso-2026-12-03.tar.gz")

    def handle(self, *args, **options):
        try:
            manifest = make_backup(options["file"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        files = sum(1 for name in manifest["members"] if name.startswith("media/"))
        self.stdout.write(
            f"Đã sao lưu cơ sở dữ liệu ({manifest['database']['vendor']}) và {files} tệp vào {options['file']}."
        )
