"""Creations that happen once however often they are submitted (a double click, a browser resending a
form, an API client retrying after a timeout).

A service that creates something takes a ``key`` (a web form's hidden token — :class:`SubmissionKeyField`
of chiso.concurrency —, the API's ``Idempotency-Key`` header) and, inside its transaction, before it
creates anything::

    claim = idempotency.claim(user, key, f"task:plan={plan.pk}")
    if claim.existing is not None:
        return claim.existing          # made by the first submission: nothing new is created
    ... create obj ...
    claim.done(obj)

The claim is a row with a unique (user, scope, key): a second submission running at the same time
waits for the first one's transaction (PostgreSQL: on the unique index; SQLite: on the database's
write lock) and then finds its object. A write refused (ValidationError…) rolls the claim back with it,
so the same form can be corrected and sent again. No key (a command, a script not sending one): no
claim, the creation happens as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import KEY_MAX_LENGTH, Submission

__all__ = ["Claim", "claim", "clean_key"]


def clean_key(key: Any) -> str:
    """The key as stored ('' when none); ValidationError when it is too long or not printable."""
    text = str(key or "").strip()
    if len(text) > KEY_MAX_LENGTH or not text.isprintable():
        raise ValidationError(
            {
                "idempotency_key": [
                    _("Mã chống gửi trùng không hợp lệ (tối đa {n} ký tự in được).").format(n=KEY_MAX_LENGTH)
                ]
            }
        )
    return text


@dataclass
class Claim:
    row: Submission | None = None
    #: The object the first submission with this key created (None: create it now).
    existing: Any = None

    def done(self, obj: Any) -> None:
        """Record the object this submission created."""
        if self.row is not None:
            self.row.content_type = ContentType.objects.get_for_model(type(obj))
            self.row.object_id = obj.pk
            self.row.save(update_fields=["content_type", "object_id"])


def claim(user, key: Any, scope: str) -> Claim:
    """Claim ``key`` for one creation of ``scope`` by ``user`` (inside the creating transaction); the
    claim's ``existing`` is what an earlier submission with the same key created."""
    key = clean_key(key)
    if not key or not getattr(user, "is_authenticated", False):
        return Claim()
    try:
        with transaction.atomic():
            return Claim(Submission.objects.create(user=user, scope=scope, key=key))
    except IntegrityError:
        pass
    row = Submission.objects.select_related("content_type").get(user=user, scope=scope, key=key)
    obj = row.obj if row.content_type_id else None
    if obj is None:  # what it made was deleted since: this submission creates anew
        row.content_type, row.object_id = None, None
        row.save(update_fields=["content_type", "object_id"])
        return Claim(row)
    return Claim(None, obj)
