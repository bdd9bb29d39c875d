from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "chiso.surveys"
    verbose_name = _("Khảo sát sự hài lòng")
    default_auto_field = "django.db.models.BigAutoField"
