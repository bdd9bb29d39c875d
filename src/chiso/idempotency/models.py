"""One row per creation made with a submission key (a web form's hidden token, an API client's
``Idempotency-Key``): the same key sent again by the same person for the same kind of creation finds
the object made the first time instead of making another (see chiso.idempotency.services)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

#: The longest key accepted (a UUID is 36 characters).
KEY_MAX_LENGTH = 200


class Submission(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    #: What the key creates, with its parent: "plan", "task:plan=12", "report:task=5", …
    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    obj = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="submission_key_once"),
        ]
        indexes = [models.Index(fields=["created_at"])]
        verbose_name = _("lần gửi")
        verbose_name_plural = _("các lần gửi")

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
