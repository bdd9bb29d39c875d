from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "chiso.assessment"
    verbose_name = _("Tự đánh giá, thẩm định")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from chiso.notifications.services import register_source

        from .services import reminders

        register_source("assessment", reminders.phase_reminders, reminders.describe, ("assessment",))
