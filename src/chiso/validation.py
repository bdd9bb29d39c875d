"""How a service refuses a write, and how a web form shows it.

Services own every rule: they collect the problems of one write in :class:`Errors` and raise
``django.core.exceptions.ValidationError({field: [message, …]})`` (every problem at once, nothing
changed) or ``PermissionDenied``. Forms and serializers only parse types; a web view shows the
service's errors on the form's fields with :func:`show_errors`, the API maps them with
``chiso.api.errors.exception_handler``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

__all__ = ["NON_FIELD_ERRORS", "Errors", "StateConflict", "show_errors"]


class StateConflict(ValidationError):
    """A write refused because of the state of what it writes to, not because of its input: a closed round,
    a locked phase, a duplicate of what exists, a change someone saved since the client read it. The
    input may be valid; the moment is not. The API answers 409 Conflict (the same body as a 400); a web
    form shows it like any other error."""


class Errors:
    """The problems of one write, by field (``None``: the write as a whole)."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}
        self.conflicts = 0

    def add(self, field: str | None, message, *, conflict: bool = False) -> None:
        """A problem of ``field``; ``conflict``: a state conflict (a duplicate…), not bad input."""
        self.by_field.setdefault(field or NON_FIELD_ERRORS, []).append(str(message))
        self.conflicts += conflict

    def __contains__(self, field: str) -> bool:
        return field in self.by_field

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_if_any(self) -> None:
        """ValidationError({field: [messages]}) when there is any problem: a StateConflict when every
        problem is one (bad input is told first: fixing it is the client's to do)."""
        if self.by_field:
            every = sum(len(m) for m in self.by_field.values())
            kind = StateConflict if self.conflicts == every else ValidationError
            raise kind({field: list(messages) for field, messages in self.by_field.items()})


def show_errors(form: forms.Form, error: ValidationError, fields: Mapping[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: each message on its field (renamed by ``fields``,
    e.g. {"node_code": "node"}), on the form as a whole when the form has no such field."""
    rename = dict(fields or {})
    by_field = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    for name, messages in by_field.items():
        target = rename.get(name, name)
        field = target if target in form.fields else None
        for message in messages:
            if field is not None and field in form.errors and message in form.errors[field]:
                continue  # two service fields shown on one form field (index and node_code on "node")
            form.add_error(field, message)
