"""Administrative units with their validity in time, and the groups they belong to."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chiso.core.text import fold, name_key, nfc


class Unit(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        DISTRICT = "district", _("Quận, huyện")
        WARD = "ward", _("Xã, phường, đặc khu")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        OTHER = "other", _("Cơ quan, đơn vị khác")

    code = models.CharField(_("mã"), max_length=20, help_text=_("Mã GSO hoặc mã nội bộ"))
    name = models.CharField(_("tên đầy đủ"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    subtype = models.CharField(
        _("loại cụ thể"), max_length=40, blank=True, help_text=_("Tỉnh, Thành phố, Phường, Xã…")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    aliases = models.JSONField(_("tên khác"), default=list, blank=True)
    search_key = models.CharField(max_length=200, db_index=True, editable=False)
    search_text = models.CharField(max_length=400, editable=False, default="")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cơ quan, đơn vị, địa phương")
        verbose_name_plural = _("cơ quan, đơn vị, địa phương")
        constraints = [
            models.UniqueConstraint(fields=["kind", "code", "valid_from"], name="unit_unique_code_period"),
            # valid_from is NULL for a unit whose start is unknown; NULLs are distinct in a unique
            # constraint, so one undated unit per kind and code is kept by its own constraint.
            models.UniqueConstraint(
                fields=["kind", "code"], condition=Q(valid_from__isnull=True), name="unit_unique_code_undated"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_period",
            ),
        ]
        indexes = [models.Index(fields=["kind", "code"])]

    def __str__(self) -> str:
        return self.short_name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.short_name = nfc(self.short_name or self.name)
        self.aliases = [nfc(a) for a in self.aliases or []]
        self.search_key = name_key(self.short_name)
        self.search_text = " ".join(fold(x) for x in [self.name, self.short_name, *self.aliases])
        super().save(*args, **kwargs)

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @property
    def is_current(self) -> bool:
        return self.valid_on(dt.date.today())

    def predecessors(self):
        return Unit.objects.filter(successor_links__successor=self).order_by("code")

    def successors(self):
        return Unit.objects.filter(predecessor_links__predecessor=self).order_by("code")

    def descendants_ids(self) -> set[int]:
        ids = {self.pk}
        frontier = [self.pk]
        while frontier:
            frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.update(frontier)
        return ids


class UnitLink(models.Model):
    """A predecessor became (part of) a successor on a date: merger, split or renaming."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Sáp nhập")
        RENAME = "rename", _("Đổi tên")
        SPLIT = "split", _("Chia tách")

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="predecessor_links")
    date = models.DateField(_("ngày hiệu lực"))
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MERGE)
    source = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["predecessor", "successor"], name="unitlink_unique")]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.date:%d/%m/%Y})"


class Region(models.Model):
    """A group of units compared together: a socio-economic region or a user-defined peer group."""

    class Kind(models.TextChoices):
        SOCIOECONOMIC = "socioeconomic", _("Vùng kinh tế - xã hội")
        PEER = "peer", _("Nhóm so sánh")

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name_vi = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    members = models.ManyToManyField(Unit, related_name="regions", verbose_name=_("thành viên"))
    source = models.CharField(_("căn cứ"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("vùng, nhóm so sánh")
        verbose_name_plural = _("vùng, nhóm so sánh")

    def __str__(self) -> str:
        return self.name_vi

    def label_for(self, language: str | None) -> str:
        """The name in ``language`` (the ``in_language`` filter): English when the region has one."""
        return self.name_en if (language or "").startswith("en") and self.name_en else self.name_vi
