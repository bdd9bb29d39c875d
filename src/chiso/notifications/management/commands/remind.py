"""``chiso remind [--today dd/mm/yyyy] [--loop [--interval SECONDS]]``: send the reminders owed today
by every registered source (tasks of issued plans: 7, 3, 1 days before a due date and late, and the
coordinators' daily digest). Every pass is idempotent: a reminder already sent is never sent again, so
the command can run from cron or with --loop."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from chiso.notifications.services import describe, send_due


def _date(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except ValueError as exc:
        raise CommandError(f"Ngày không hợp lệ: {value!r} (nhập theo dạng dd/mm/yyyy)") from exc


class Command(BaseCommand):
    help = (
        "Gửi nhắc việc (trước hạn 7, 3, 1 ngày và khi quá hạn) và bản tổng hợp hằng ngày cho điều phối viên."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Ngày chạy (dd/mm/yyyy), mặc định hôm nay — dùng để thử nghiệm")
        parser.add_argument("--loop", action="store_true", help="Chạy lặp lại cho đến khi bị dừng (Ctrl+C)")
        parser.add_argument(
            "--interval", type=int, default=3600, help="Số giây giữa hai lần chạy khi --loop (mặc định 3600)"
        )
        parser.add_argument("--max-passes", type=int, default=0, help="(thử nghiệm) dừng sau N lần chạy")

    def handle(self, *args, **options):
        today = _date(options["today"]) if options.get("today") else None
        if options["interval"] < 0:
            raise CommandError("--interval phải là số giây không âm")
        passes = 0
        try:
            while True:
                day = today or dt.date.today()
                counts = send_due(day)
                self.stdout.write(f"{day:%d/%m/%Y}: {describe(counts)}")
                passes += 1
                if not options["loop"] or (options["max_passes"] and passes >= options["max_passes"]):
                    break
                time.sleep(options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("Đã dừng.")
