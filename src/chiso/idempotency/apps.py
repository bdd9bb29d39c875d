from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdempotencyConfig(AppConfig):
    name = "chiso.idempotency"
    verbose_name = _("Chống gửi trùng")
    default_auto_field = "django.db.models.BigAutoField"
