from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "chiso.tracking"
    verbose_name = _("Theo dõi thực hiện kế hoạch")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from chiso.notifications.services import register_source

        from . import reminders, version

        version.connect()
        register_source("tasks", reminders.task_reminders, reminders.describe_tasks, ("tasks", "flags"))
        register_source("digests", reminders.digests, reminders.describe_digests, ("digests",))
