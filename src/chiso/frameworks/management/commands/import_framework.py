import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chiso.core import framework as fwcore
from chiso.frameworks.services import FrameworkInvalid, install_framework, known_indices
from chiso.units.services import UnitLookupError, resolve_unit

OUTCOMES = {
    "created": "đã tạo",
    "unchanged": "không thay đổi",
    "replaced": "đã cập nhật (chưa có kết quả nào dùng)",
    "new_version": "đã tạo phiên bản mới (phiên bản cũ được giữ cho các kết quả đã có)",
}


class Command(BaseCommand):
    help = (
        "Nhập một bộ chỉ số từ tệp mẫu XLSX (một dòng một nút) hoặc tệp YAML. Tệp của một chỉ số mới khai "
        "báo chỉ số đó (tên, các cấp): sau khi nhập, chỉ số dùng được ở mọi nơi."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--province",
            help="Chỉ số mới là chỉ số riêng của tỉnh này (tên hoặc mã); bỏ trống: chỉ số quốc gia.",
        )

    def handle(self, *args, file, province=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp “{file}”.")
        data = path.read_bytes()
        owner = None
        if province:
            try:  # the province in force: "Quảng Ngãi" is the merged province, not its predecessor
                owner = resolve_unit(province, timezone.localdate().year)
            except UnitLookupError as exc:
                raise CommandError(str(exc)) from exc
        if path.suffix.lower() in (".yaml", ".yml"):
            try:
                fw, errors = fwcore.load_yaml(path), []
            except (fwcore.FrameworkFormatError, ValueError) as exc:
                raise CommandError(f"Bộ chỉ số không hợp lệ, không ghi gì:\n{exc}") from exc
        elif path.suffix.lower() == ".xlsx":
            fw, errors = fwcore.read_xlsx(data, known_indices())
        else:
            raise CommandError("Chỉ nhận tệp .xlsx (theo mẫu) hoặc .yaml.")
        if errors or fw is None:
            raise CommandError(
                "Bộ chỉ số không hợp lệ, không ghi gì:\n" + "\n".join(e.message for e in errors)
            )
        try:
            framework, outcome = install_framework(
                fw, file_name=path.name, file_hash=hashlib.sha256(data).hexdigest(), owner=owner
            )
        except FrameworkInvalid as exc:
            raise CommandError("Bộ chỉ số không hợp lệ, không ghi gì:\n" + str(exc)) from exc
        self.stdout.write(f"Bộ chỉ số {framework.code} (phiên bản {framework.version}): {OUTCOMES[outcome]}.")
