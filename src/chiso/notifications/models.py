"""Reminders and notices sent to users, by e-mail and in the app, each recorded once.

A reminder is *about* something (a task, later an assessment phase…: a generic link, empty for a digest)
and carries a ``key`` naming it ("plans.task:42", "digest"), so that the unique constraint on (key, user,
kind, channel, due) makes sure none is ever sent twice, whatever sends it and however often it runs.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from chiso.units.models import Unit


class ReminderQuerySet(models.QuerySet):
    def about(self, obj: models.Model | None) -> ReminderQuerySet:
        """The reminders about ``obj`` (None: the digests, about nothing in particular)."""
        return self.filter(key=key_of(obj))


class Reminder(models.Model):
    class Kind(models.TextChoices):
        D7 = "d7", _("Còn 7 ngày")
        D3 = "d3", _("Còn 3 ngày")
        D1 = "d1", _("Còn 1 ngày")
        LATE = "late", _("Quá hạn")
        DIGEST = "digest", _("Tổng hợp hằng ngày")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Thư điện tử")
        APP = "app", _("Trong ứng dụng")

    key = models.CharField(_("về việc"), max_length=100, help_text=_("Ví dụ: plans.task:42, digest"))
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    due = models.DateField(_("hạn"))
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "user", "kind", "channel", "due"], name="notifications_reminder_once"
            )
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["user", "channel", "read_at"]),
        ]
        verbose_name = _("nhắc việc")
        verbose_name_plural = _("nhắc việc")

    def __str__(self) -> str:
        return self.subject

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = key_of(self.about)
        super().save(*args, **kwargs)


def key_of(obj: models.Model | None) -> str:
    """The key a reminder about ``obj`` carries ("plans.task:42"); "digest" when about nothing."""
    if obj is None:
        return "digest"
    return f"{obj._meta.label_lower}:{obj.pk}"
