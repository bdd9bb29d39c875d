from django.core.management.base import BaseCommand, CommandError

from chiso.results.importer import RevertRefused, revert_import
from chiso.results.models import ImportBatch


class Command(BaseCommand):
    help = "Hoàn tác toàn bộ một lần nhập kết quả."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)

    def handle(self, *args, batch_id, **options):
        batch = ImportBatch.objects.filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(f"Không có lần nhập #{batch_id}.")
        try:
            n = revert_import(batch)
        except RevertRefused as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(f"Đã hoàn tác lần nhập #{batch_id}: {n} giá trị được khôi phục.")
