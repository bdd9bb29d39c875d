from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "chiso.workflows"
    verbose_name = _("Quy trình văn bản")
    default_auto_field = "django.db.models.BigAutoField"
