from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "chiso.plans"
    verbose_name = _("Kế hoạch cải thiện chỉ số")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from chiso.workflows.services import transitioned

        from .models import Plan
        from .services.plans import on_plan_transition

        transitioned.connect(on_plan_transition, sender=Plan, dispatch_uid="plans-supersede-amended")
