from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chiso.accounts.models import Membership
from chiso.results.importer import ImportRefused, commit_import
from chiso.units.models import Unit

RESULTS_DIR = Path(__file__).resolve().parents[3] / "data" / "results"
DEMO_FILES = [
    ("papi", "papi_2011_2024_provinces_wide.csv"),
    ("par", "par_index_provinces.csv"),
    ("sipas", "sipas_provinces.csv"),
]
DEMO_USERS = [
    # username, password, role, full name
    ("quantri", "chiso-quantri", "admin", "Quản trị hệ thống"),
    ("dieuphoi", "chiso-dieuphoi", "coordinator", "Nguyễn Thị Hương (Sở Nội vụ)"),
    ("xem", "chiso-xem", "viewer", "Trần Văn Minh (Văn phòng UBND tỉnh)"),
    ("lanhdao", "chiso-lanhdao", "leader", "Lê Quang Vinh (Phó Chủ tịch UBND tỉnh)"),
    ("thamdinh", "chiso-thamdinh", "appraiser", "Đặng Quốc Thắng (Hội đồng thẩm định)"),
]
# Unit officers: username, password, key of chiso.seed.demo_plans.demo_units, full name
DEMO_OFFICERS = [
    ("tuphap", "chiso-tuphap", "tuphap", "Phạm Thị Lan (Sở Tư pháp)"),
    ("yte", "chiso-yte", "yte", "Ngô Thị Mai (Sở Y tế)"),
    ("xadakha", "chiso-xadakha", "xa_dakha", "Võ Văn Hùng (UBND xã Đăk Hà)"),
]
# Leaders of a subordinate unit (approve and issue the plan their unit derives from the province's):
# username, password, key of chiso.seed.demo_plans.demo_units, full name
DEMO_UNIT_LEADERS = [
    ("camthanh", "chiso-camthanh", "camthanh", "Trần Thị Thu (Chủ tịch UBND phường Cẩm Thành)"),
]


class Command(BaseCommand):
    help = "Nạp dữ liệu trình diễn: đơn vị, bộ chỉ số, PAPI 2011–2024, PAR INDEX và SIPAS đã công bố, tài khoản mẫu."

    def add_arguments(self, parser):
        parser.add_argument("--no-wards", action="store_true")
        parser.add_argument("--no-users", action="store_true")

    def handle(self, *args, no_wards=False, no_users=False, **options):
        call_command("load_reference", no_wards=no_wards, stdout=self.stdout)
        for index, name in DEMO_FILES:
            path = RESULTS_DIR / name
            try:
                batch = commit_import(path.read_bytes(), name, index_code=index)
            except ImportRefused as exc:
                raise CommandError(f"{name}: " + "\n".join(exc.messages[:20])) from exc
            self.stdout.write(f"{name}: {batch.rows_changed} giá trị mới hoặc thay đổi.")
        if not no_users:
            if settings.ENV not in ("demo", "dev", "test"):
                raise CommandError("Tài khoản mẫu chỉ được tạo trong môi trường demo (CHISO_ENV=demo).")
            self.create_users()
            self.create_plans()
            self.create_assessment()
            self.create_survey()

    @transaction.atomic
    def create_users(self):
        User = get_user_model()
        home = (
            Unit.objects.filter(kind=Unit.Kind.PROVINCE, code="51", valid_from__isnull=False).first()
            or Unit.objects.filter(kind=Unit.Kind.PROVINCE, code=settings.CHISO_HOME_UNIT_CODE).first()
        )
        for username, password, role, full_name in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
            last, _, first = full_name.rpartition(" ")
            user.first_name, user.last_name = full_name, ""
            user.is_staff = role == "admin"
            user.is_superuser = role == "admin"
            user.save()
            Membership.objects.get_or_create(user=user, unit=home, role=role)
            self.stdout.write(f"Tài khoản {username} / {password} ({role})")

    @transaction.atomic
    def create_plans(self):
        from chiso.seed.demo_plans import demo_province, demo_units, load_demo_plans

        units = demo_units(demo_province())
        User = get_user_model()
        accounts = [(*row, "officer") for row in DEMO_OFFICERS] + [
            (*row, "leader") for row in DEMO_UNIT_LEADERS
        ]
        for username, password, key, full_name, role in accounts:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
            user.first_name, user.last_name = full_name, ""
            user.email = user.email or f"{username}@example.vn"
            user.save()
            Membership.objects.get_or_create(user=user, unit=units[key], role=role)
            self.stdout.write(f"Tài khoản {username} / {password} ({role}, {units[key].name})")
        result = load_demo_plans()
        self.stdout.write(
            f"Kế hoạch mẫu: {result.plan} ({result.plan.tasks.count()} nhiệm vụ)"
            + (" — đã tạo" if result.created else " — đã có")
        )

    def create_assessment(self):
        from chiso.seed.demo_assessment import load_demo_assessment

        result = load_demo_assessment()
        for rnd in (result.closed, result.open, result.province):
            if rnd is None:
                continue
            self.stdout.write(
                f"Đợt đánh giá mẫu: {rnd} ({rnd.status_label})"
                + (" — đã tạo" if result.created else " — đã có")
            )

    def create_survey(self):
        from chiso.seed.demo_survey import load_demo_survey

        result = load_demo_survey()
        n = result.survey.responses.count()
        self.stdout.write(
            f"Khảo sát mẫu: {result.survey} ({n} phiếu mô phỏng)"
            + (" — đã tạo" if result.created else " — đã có")
        )
