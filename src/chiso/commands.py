"""What the operator commands with sub-actions (``chiso assessment …``, ``chiso survey …``) share: each
action is a method ``(account, **options) -> (data for --format json, text)``; ``--user`` names the account
whose roles are checked (none: the operator's command, no permission checked); every refusal of a service
is a CommandError with its Vietnamese message and exit code 2, and nothing is written."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from chiso.core.workflow import WorkflowError
from chiso.units.services import UnitLookupError

__all__ = ["ActionCommand", "fail"]


def fail(message: str) -> CommandError:
    """The error a command raises for a refusal: the message, exit code 2."""
    return CommandError(message, returncode=2)


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "\n".join(m for messages in exc.message_dict.values() for m in messages)
    return "\n".join(exc.messages)


class ActionCommand(BaseCommand):
    """A command whose sub-parser ``action`` names one of ``ACTIONS`` ({action: method name})."""

    ACTIONS: dict[str, str] = {}

    def handle(self, *args, action, **options):
        account = self._account(options.get("user"))
        try:
            data, text = getattr(self, self.ACTIONS[action])(account, **options)
        except ValidationError as exc:
            raise fail(_messages(exc)) from exc
        except (PermissionDenied, WorkflowError, UnitLookupError) as exc:
            raise fail(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(text)

    def _account(self, username: str | None):
        if not username:
            return None
        account = get_user_model().objects.filter(username=username).first()
        if account is None:
            raise fail(f"Không có tài khoản “{username}”.")
        return account
