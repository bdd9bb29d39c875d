"""Indices and their frameworks as versioned trees of nodes.

An Index is data: its code, names, the short name documents use, its levels (top down, with their
labels), the kind of unit it scores, and who owns it — nobody for a national index (PAPI, PAR INDEX,
SIPAS: edited only by administrators), a province for its own internal index (edited by that
province's coordinators). Framework files declare their index (chiso.core.framework.IndexDef);
``chiso.frameworks.services`` is the only place that writes these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chiso.core.framework import IndexDef, LevelDef

from .labels import name_in_language


class IndexQuerySet(models.QuerySet):
    def codes(self) -> list[str]:
        return list(self.values_list("code", flat=True))


class Index(models.Model):
    class UnitKind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        COMMUNE = "commune", _("Xã, phường, đặc khu")
        DISTRICT = "district", _("Quận, huyện")
        ANY = "any", _("Mọi đơn vị")

    code = models.CharField(_("mã"), max_length=20, unique=True)
    name_vi = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=40)
    short_name_en = models.CharField(
        _("tên ngắn tiếng Anh"), max_length=40, blank=True, help_text=_("Trống: như tên ngắn")
    )
    order = models.PositiveSmallIntegerField(default=0)
    levels = models.JSONField(
        _("các cấp"),
        default=list,
        blank=True,
        help_text=_("Từ trên xuống: [{code, name_vi, name_en, aliases}]"),
    )
    unit_kind = models.CharField(
        _("đơn vị được đánh giá"), max_length=20, choices=UnitKind.choices, default=UnitKind.PROVINCE
    )
    value_kind = models.CharField(_("kiểu giá trị"), max_length=10, default="points")
    aliases = models.JSONField(_("tên khác"), default=list, blank=True)
    owner = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_indices",
        verbose_name=_("tỉnh sở hữu"),
        help_text=_("Trống: chỉ số quốc gia (chỉ quản trị hệ thống sửa)"),
    )
    history = HistoricalRecords()

    objects = IndexQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How the UI and documents name the index ("PAR INDEX")."""
        return self.short_name or self.code.upper()

    def label_for(self, language: str | None) -> str:
        """The short name in ``language`` (the ``in_language`` filter): the English one when the index
        has it, else the short name (documents keep ``label``, which is Vietnamese)."""
        if (language or "").startswith("en") and self.short_name_en:
            return self.short_name_en
        return self.label

    @property
    def is_national(self) -> bool:
        return self.owner_id is None

    @property
    def display_name(self) -> str:
        """The full name in the active language."""
        return self.name_en if translation.get_language() == "en" and self.name_en else self.name_vi

    def definition(self) -> IndexDef:
        """The index as the pure core reads it."""
        return IndexDef(
            code=self.code,
            name_vi=self.name_vi,
            name_en=self.name_en,
            short_name=self.short_name,
            short_name_en=self.short_name_en,
            levels=tuple(
                LevelDef(
                    code=str(lv.get("code", "")),
                    name_vi=str(lv.get("name_vi", "")),
                    name_en=str(lv.get("name_en", "")),
                    aliases=tuple(lv.get("aliases") or ()),
                )
                for lv in self.levels or []
                if isinstance(lv, dict)
            ),
            unit_kind=self.unit_kind,
            value_kind=self.value_kind,
            aliases=tuple(self.aliases or ()),
            order=self.order,
        )

    def level_label(self, code: str) -> str:
        """The label of a level in the active language ("Chỉ số nội dung" / "Dimension")."""
        english = translation.get_language() == "en"
        for lv in self.levels or []:
            if isinstance(lv, dict) and lv.get("code") == code:
                return str((english and lv.get("name_en")) or lv.get("name_vi") or code)
        return code


class Framework(models.Model):
    """One version of an index's tree, valid for a range of evaluation years."""

    class ValueKind(models.TextChoices):
        POINTS = "points", _("Điểm")
        PERCENT = "percent", _("Phần trăm")

    index = models.ForeignKey(
        Index, on_delete=models.PROTECT, related_name="frameworks", verbose_name=_("chỉ số")
    )
    code = models.CharField(_("mã bộ chỉ số"), max_length=60, unique=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    name_vi = models.CharField(_("tên"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    valid_from = models.PositiveSmallIntegerField(_("áp dụng từ năm"))
    valid_to = models.PositiveSmallIntegerField(_("áp dụng đến năm"), null=True, blank=True)
    complete = models.BooleanField(_("đầy đủ"), default=True)
    incomplete_note = models.TextField(_("phần chưa công bố"), blank=True)
    source = models.TextField(_("nguồn, căn cứ"), blank=True)
    unit_kind = models.CharField(max_length=20, default="province")
    value_kind = models.CharField(
        _("kiểu giá trị"), max_length=10, choices=ValueKind.choices, default=ValueKind.POINTS
    )
    precision = models.PositiveSmallIntegerField(_("số chữ số thập phân công bố"), default=2)
    tolerance = models.FloatField(_("sai số cho phép khi cộng"), default=0.0051)
    grouping = models.JSONField(_("quy tắc xếp nhóm"), null=True, blank=True)
    active = models.BooleanField(
        _("đang dùng"), default=True, help_text=_("Phiên bản bị thay thế thì không còn dùng")
    )
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
        verbose_name=_("thay thế"),
    )
    file_name = models.CharField(max_length=255, blank=True)
    file_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    history = HistoricalRecords()

    class Meta:
        ordering = ["index__order", "valid_from", "version"]
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số")

    def __str__(self) -> str:
        return self.name_vi

    def label_for(self, language: str | None) -> str:
        """The name in ``language`` (the ``in_language`` filter): English when the file gives it."""
        return self.name_en if (language or "").startswith("en") and self.name_en else self.name_vi

    @property
    def years_label(self) -> str:
        if self.valid_to == self.valid_from:
            return str(self.valid_from)
        if self.valid_to:
            return f"{self.valid_from}–{self.valid_to}"
        return translation.gettext("từ {year}").format(year=self.valid_from)

    def covers(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    @property
    def in_use(self) -> bool:
        return self.results.exists()

    @property
    def root(self) -> Node:
        return self.nodes.get(parent__isnull=True)


class Node(models.Model):
    class Aggregation(models.TextChoices):
        SUM = "sum", _("Tổng")
        MEAN = "mean", _("Trung bình")
        WEIGHTED = "weighted", _("Có trọng số")
        NONE = "none", _("Không tổng hợp (theo số công bố)")
        CAPPED = "capped", _("Tổng có giới hạn (thưởng, trừ)")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    code = models.CharField(_("mã"), max_length=40)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.CharField(_("cấp"), max_length=20)
    depth = models.PositiveSmallIntegerField(default=0)
    order = models.PositiveIntegerField(default=0)
    name_vi = models.CharField(_("tên"), max_length=500)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=500, blank=True)
    name_vi_source = models.CharField(max_length=20, blank=True)
    max_score = models.FloatField(_("điểm tối đa"), null=True, blank=True)
    min_score = models.FloatField(_("điểm tối thiểu"), null=True, blank=True)
    aggregation = models.CharField(
        _("cách tổng hợp"), max_length=10, choices=Aggregation.choices, default="sum"
    )
    weight = models.FloatField(_("trọng số"), default=1.0)
    contributes = models.BooleanField(_("tính vào nút cha"), default=True)
    source_kind = models.CharField(_("nguồn điểm"), max_length=20, blank=True)
    aliases = models.JSONField(_("tên cột khác"), default=list, blank=True)
    incomplete = models.BooleanField(_("chưa đầy đủ"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)
    # Assessment rounds (chiso.core.scoring)
    step = models.FloatField(_("bước điểm"), null=True, blank=True)
    rule = models.JSONField(_("quy tắc chấm điểm"), null=True, blank=True)
    bonus = models.BooleanField(_("điểm thưởng"), default=False)
    may_be_na = models.BooleanField(_("có thể không áp dụng"), default=False)

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="node_unique_code")]
        verbose_name = _("nút chỉ số")
        verbose_name_plural = _("nút chỉ số")

    def __str__(self) -> str:
        return f"{self.code} {self.name_vi}"

    def label_for(self, language: str | None) -> str:
        """The name (without its code) in ``language`` (the ``in_language`` filter): English when the
        framework gives it; ``name_vi`` stays the official name plans and documents quote."""
        return name_in_language(self.name_vi, self.name_en, language or "vi")

    @property
    def level_label(self) -> str:
        """The label of the node's level, as its index names it, in the active language."""
        return self.framework.index.level_label(self.level)
