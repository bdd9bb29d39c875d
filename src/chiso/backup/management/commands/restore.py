"""``chiso restore FILE [--force]``: restore a backup into an empty installation (chiso.backup.archive);
every hash is checked before anything is written."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chiso.backup.archive import BackupError, restore_backup


class Command(BaseCommand):
    help = "Khôi phục từ tệp sao lưu vào cài đặt trống (kiểm tra mã băm trước khi ghi)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp sao lưu do chiso backup tạo")
        parser.add_argument(
            "--force", action="store_true", help="Ghi đè cài đặt đang có dữ liệu (dữ liệu hiện có sẽ mất)."
        )

    def handle(self, *args, **options):
        try:
            manifest = restore_backup(options["file"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        files = sum(1 for name in manifest["members"] if name.startswith("media/"))
        self.stdout.write(
            f"Đã khôi phục bản sao lưu lúc {manifest['created_at']}: cơ sở dữ liệu và {files} tệp."
        )
