"""Layouts and standard wording a province adjusts without code: a YAML override per province and kind
of document (the installation's own rows, with no province, apply to every province), with history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DocumentLayout(models.Model):
    """An override of the shipped layout (``chiso/data/documents/layout.yaml``) for one kind of document,
    key by key: the installation's (``province`` empty, kept by an administrator) or one province's
    (kept by its coordinators). "default" applies to every kind; a kind's own row goes over it; a
    province's rows go over the installation's. Written only by ``services.save_layout``, which
    validates it first."""

    class Kind(models.TextChoices):
        DEFAULT = "default", _("Mặc định (mọi loại văn bản)")
        PLAN = "plan", _("Kế hoạch")
        REPORT = "report", _("Báo cáo")
        LETTER = "letter", _("Công văn")
        DECISION = "decision", _("Quyết định")

    name = models.CharField(_("tên"), max_length=200, blank=True)
    province = models.ForeignKey(
        "units.Unit",
        verbose_name=_("tỉnh, thành phố"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="document_layouts",
        limit_choices_to={"kind": "province"},
        help_text=_("Để trống: mẫu chung của hệ thống, áp dụng cho mọi tỉnh."),
    )
    kind = models.CharField(_("loại văn bản"), max_length=20, choices=Kind.choices)
    yaml = models.TextField(
        _("thể thức (YAML)"), blank=True, help_text=_("Chỉ ghi các khóa muốn đổi so với mẫu chuẩn.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người sửa"),
    )
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["province_id", "kind"]
        verbose_name = _("mẫu thể thức văn bản")
        verbose_name_plural = _("mẫu thể thức văn bản")
        constraints = [
            models.UniqueConstraint(fields=["province", "kind"], name="documentlayout_unique_province_kind"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(province__isnull=True), name="documentlayout_unique_default_kind"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()
