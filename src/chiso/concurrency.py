"""Edits that never silently overwrite each other.

Every model people edit through a form or the API (plans, targets, tasks, progress reports, periodic
reports) has a ``revision``, raised by one each time its service saves it (:func:`bump`). Whoever edits
sends back the revision she read (a hidden field of the web form, the API's ``If-Match``); the service
locks the row (``select_for_update``), then :func:`check_revision`: someone saved in between → a
:class:`StaleEdit` naming who, when and which fields changed, and nothing is written. The row lock makes
two simultaneous saves of the same revision run one after the other: the second one is refused.

A web view shows the refusal with :func:`show_stale` (the form re-rendered with what the user typed, her
revision moved on so that saving again — after reading what changed — is her decision); the API answers
412 Precondition Failed (chiso.api.errors). A revision is used rather than the id of the latest history
record because saves that are not edits (a task's progress recomputed from reports, a plan's workflow
step) must not make an open form stale, and a counter on the row is checked under the row's own lock.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "RevisionField",
    "StaleEdit",
    "SubmissionKeyField",
    "bump",
    "changed_since",
    "check_revision",
    "new_submission_key",
    "parse_revision",
    "show_stale",
]

#: Bookkeeping fields never named as "changed by someone else".
IGNORED = frozenset(
    {
        "id",
        "revision",
        "updated_at",
        "submitted_at",
        "created_at",
        "created_by",
        "submitted_by",
        "search_text",
    }
)


class StaleEdit(ValidationError):
    """A save refused because the object was saved by someone else after it was read: ``who``, ``when``
    (the latest such save), ``fields`` (the labels of the fields they changed) and ``current`` (the
    revision now)."""

    def __init__(self, message: str, *, who: str, when, fields: list[str], current: int) -> None:
        super().__init__({NON_FIELD_ERRORS: [message]})
        self.who, self.when, self.fields, self.current = who, when, fields, current


def parse_revision(value: Any) -> int | None:
    """A revision as sent (an int, "3", '"3"' from an ETag); None when none was sent; ValidationError
    when it is not a whole number."""
    if value is None or value == "":
        return None
    text = str(value).strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 12:
        raise ValidationError(
            {"revision": [_("Phiên bản chỉnh sửa không hợp lệ: «{v}».").format(v=text[:40])]}
        )
    return int(text)


def bump(obj) -> None:
    """One more edit of ``obj`` (before its save)."""
    obj.revision = (obj.revision or 0) + 1


def changed_since(obj, revision: int) -> tuple[str, Any, list[str]]:
    """(who, when, [labels of fields changed]) of the saves of ``obj`` after ``revision``, from its
    history (simple_history)."""
    from chiso.audit.changes import who as who_of

    history = getattr(type(obj), "history", None)
    if history is None:
        return _("người khác"), None, []
    recs = list(
        history.filter(id=obj.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    base = next((r for r in reversed(recs) if r.revision <= revision), None)
    later = [r for r in recs if r.revision > revision]
    if not later:
        return _("người khác"), None, []
    latest = later[-1]
    labels: list[str] = []
    if base is not None:
        fields = {f.name: f for f in type(obj)._meta.get_fields()}
        try:
            delta = latest.diff_against(base)
        except Exception:  # noqa: BLE001 — a history that cannot be compared still refuses the save
            delta = None
        for change in delta.changes if delta is not None else []:
            if change.field in IGNORED:
                continue
            f = fields.get(change.field)
            label = str(getattr(f, "verbose_name", change.field))
            label = label[:1].upper() + label[1:]
            if label not in labels:
                labels.append(label)
    names = list(dict.fromkeys(who_of(r) for r in later))
    return ", ".join(names), latest.history_date, labels


def check_revision(obj, expected: int | None, what: str) -> None:
    """Refuse (StaleEdit) when ``expected`` is given and ``obj`` (read under its row lock) has moved on;
    ``what`` names it in the message ("kế hoạch này")."""
    if expected is None or obj.pk is None or (obj.revision or 0) == expected:
        return
    who, when, fields = changed_since(obj, expected)
    at = timezone.localtime(when).strftime("%H:%M %d/%m/%Y") if when else ""
    message = _("{who} đã sửa {what} lúc {when}, sau khi bạn mở ra.").format(who=who, what=what, when=at)
    if fields:
        message += " " + _("Các mục đã đổi: {fields}.").format(fields=", ".join(fields))
    message += " " + _(
        "Chưa lưu gì của bạn: hãy xem lại (tải trang ở thẻ khác để xem bản mới); bấm Lưu lần nữa nếu vẫn "
        "muốn ghi nội dung của mình lên."
    )
    raise StaleEdit(message, who=who, when=when, fields=fields, current=obj.revision or 0)


# --- web forms ------------------------------------------------------------------------------------------


def new_submission_key() -> str:
    import uuid

    return uuid.uuid4().hex


class RevisionField(forms.IntegerField):
    """The hidden revision an edit form was opened at."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("label", gettext_lazy("Phiên bản"))
        super().__init__(**kwargs)


class SubmissionKeyField(forms.CharField):
    """The hidden token of a creation form: the same form sent twice creates once
    (chiso.idempotency)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("initial", new_submission_key)
        kwargs.setdefault("label", gettext_lazy("Mã lần gửi"))
        super().__init__(**kwargs)


def show_stale(form: forms.Form, error: StaleEdit, field: str = "revision") -> None:
    """Keep what the user typed, put the refusal on the form, and move its hidden revision to the current
    one: saving again is then her decision, made after reading what changed."""
    form.data = form.data.copy()
    form.data[field] = str(error.current)
    form.add_error(None, error.messages[0])
