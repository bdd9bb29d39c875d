"""Who may do what, on which units: a role on a unit applies to its whole subtree."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chiso.units.models import Unit


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Quản trị hệ thống")
        COORDINATOR = "coordinator", _("Chuyên viên điều phối (Sở Nội vụ)")
        LEADER = "leader", _("Lãnh đạo (phê duyệt, ban hành)")
        OFFICER = "officer", _("Cán bộ đơn vị")
        VIEWER = "viewer", _("Người xem")
        APPRAISER = "appraiser", _("Thành viên Hội đồng thẩm định")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]
        verbose_name = _("vai trò tại đơn vị")
        verbose_name_plural = _("vai trò tại đơn vị")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
