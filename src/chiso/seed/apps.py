from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeedConfig(AppConfig):
    """Loading the shipped reference data (``chiso load-reference``) and the demo (``chiso load-demo``):
    every loader in one place, each idempotent."""

    name = "chiso.seed"
    verbose_name = _("Dữ liệu tham chiếu và dữ liệu trình diễn")
