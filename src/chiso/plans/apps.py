from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "chiso.plans"
    verbose_name = _("Kế hoạch cải thiện chỉ số")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import version

        version.connect()
