from django.core.management.base import BaseCommand

from chiso.frameworks.services import load_shipped_frameworks
from chiso.plans.services.library import load_shipped_library
from chiso.units.services import load_reference_units

OUTCOMES = {
    "created": "đã tạo",
    "unchanged": "không thay đổi",
    "replaced": "đã cập nhật (chưa có kết quả nào dùng)",
    "new_version": "đã tạo phiên bản mới (phiên bản cũ giữ cho các kết quả đã có)",
    "kept": "giữ bản do chuyên viên đã sửa",
}


class Command(BaseCommand):
    help = "Nạp dữ liệu tham chiếu: đơn vị hành chính trước/sau 01/07/2025, vùng, và các bộ chỉ số kèm theo."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-wards", action="store_true", help="Chỉ nạp cấp tỉnh (nhanh, dùng khi kiểm thử)."
        )

    def handle(self, *args, no_wards=False, **options):
        counts = load_reference_units(with_wards=not no_wards)
        self.stdout.write("Đơn vị: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
        for framework, outcome in load_shipped_frameworks():
            self.stdout.write(f"Bộ chỉ số {framework.code}: {OUTCOMES.get(outcome, outcome)}")
        library = load_shipped_library()
        self.stdout.write("Thư viện nhiệm vụ: " + ", ".join(f"{k}={v}" for k, v in sorted(library.items())))
