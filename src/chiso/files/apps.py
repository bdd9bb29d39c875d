from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "chiso.files"
    verbose_name = _("Tệp tải lên")
    default_auto_field = "django.db.models.BigAutoField"
