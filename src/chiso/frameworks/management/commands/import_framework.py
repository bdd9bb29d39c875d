import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chiso.core import framework as fwcore
from chiso.frameworks.services import FrameworkInvalid, install_framework

OUTCOMES = {
    "created": "đã tạo",
    "unchanged": "không thay đổi",
    "replaced": "đã cập nhật (chưa có kết quả nào dùng)",
    "new_version": "đã tạo phiên bản mới (phiên bản cũ được giữ cho các kết quả đã có)",
}


class Command(BaseCommand):
    help = "Nhập một bộ chỉ số từ tệp mẫu XLSX (một dòng một nút) hoặc tệp YAML."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp “{file}”.")
        data = path.read_bytes()
        if path.suffix.lower() in (".yaml", ".yml"):
            fw, errors = fwcore.load_yaml(path), []
        elif path.suffix.lower() == ".xlsx":
            fw, errors = fwcore.read_xlsx(data)
        else:
            raise CommandError("Chỉ nhận tệp .xlsx (theo mẫu) hoặc .yaml.")
        if errors or fw is None:
            raise CommandError(
                "Bộ chỉ số không hợp lệ, không ghi gì:\n" + "\n".join(e.message for e in errors)
            )
        try:
            framework, outcome = install_framework(
                fw, file_name=path.name, file_hash=hashlib.sha256(data).hexdigest()
            )
        except FrameworkInvalid as exc:
            raise CommandError("Bộ chỉ số không hợp lệ, không ghi gì:\n" + str(exc)) from exc
        self.stdout.write(f"Bộ chỉ số {framework.code} (phiên bản {framework.version}): {OUTCOMES[outcome]}.")
