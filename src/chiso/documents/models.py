"""Layouts a province adjusts without code: a YAML override per kind of document, with history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DocumentLayout(models.Model):
    """The province's override of the shipped layout (``chiso/data/documents/layout.yaml``) for one kind
    of document, key by key. "default" applies to every kind; a kind's own row goes over it. Written
    only by ``services.save_layout``, which validates it first."""

    class Kind(models.TextChoices):
        DEFAULT = "default", _("Mặc định (mọi loại văn bản)")
        PLAN = "plan", _("Kế hoạch")
        REPORT = "report", _("Báo cáo")
        LETTER = "letter", _("Công văn")

    name = models.CharField(_("tên"), max_length=200, blank=True)
    kind = models.CharField(_("loại văn bản"), max_length=20, choices=Kind.choices, unique=True)
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
        ordering = ["kind"]
        verbose_name = _("mẫu thể thức văn bản")
        verbose_name_plural = _("mẫu thể thức văn bản")

    def __str__(self) -> str:
        return self.name or self.get_kind_display()
