from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "chiso.notifications"
    verbose_name = _("Nhắc việc, thông báo")
    default_auto_field = "django.db.models.BigAutoField"
