"""Sending reminders: record each one once (the unique constraint), send the e-mail in the same step,
count what was sent; and the in-app side (unread badge, marking read).

Apps that owe reminders register a *source* (``register_source``) in their AppConfig.ready: a function
``source(today, counts)`` that works out what is owed today and calls :func:`record` for each reminder.
``send_due(today)`` — the ``chiso remind`` command, from cron or ``--loop`` — runs every source; running
it again sends nothing new. E-mail links use the setting CHISO_SITE_URL when set.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Reminder, key_of

__all__ = [
    "COUNT_KEYS",
    "describe",
    "mark_read",
    "message",
    "notify",
    "record",
    "register_source",
    "send_due",
    "site_url",
    "unread_count",
]

log = logging.getLogger(__name__)

Source = Callable[[dt.date, Counter], None]
Describe = Callable[[dict[str, int]], str]
_SOURCES: dict[str, tuple[Source, Describe | None, tuple[str, ...]]] = {}
#: Counts every pass reports (sources add their own keys).
COUNT_KEYS = ("app", "email", "errors")


def register_source(
    name: str, source: Source, describe: Describe | None = None, keys: tuple[str, ...] = ()
) -> None:
    """Add (or replace) a source of reminders, run by every ``send_due`` pass in registration order;
    ``describe(counts)`` says in a few Vietnamese words what it sent (for the command's output) and
    ``keys`` are the counts it reports (0 when it sent nothing)."""
    _SOURCES[name] = (source, describe, keys)


def describe(counts: dict[str, int]) -> str:
    """One line for a pass: reminders per channel, what each source sent, mail errors."""
    parts = [f"{counts['app']} nhắc trong ứng dụng, {counts['email']} thư điện tử"]
    parts += [d(counts) for _source, d, _keys in _SOURCES.values() if d is not None]
    parts.append(f"{counts['errors']} lỗi gửi thư")
    return ", ".join(p for p in parts if p)


def site_url() -> str:
    return (getattr(settings, "CHISO_SITE_URL", "") or "").rstrip("/")


def message(template: str, context: dict) -> tuple[str, str]:
    """Subject (one line) and body of a message from ``<template>_subject.txt`` / ``_body.txt``."""
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context).strip() + "\n"
    return subject, body


def channels_for(user) -> list[str]:
    """In the app always; by e-mail too when the user has an address."""
    return [Reminder.Channel.APP] + ([Reminder.Channel.EMAIL] if user.email else [])


def record(
    counts: Counter,
    *,
    about: models.Model | None,
    user,
    unit,
    kind: str,
    channel: str,
    due: dt.date,
    subject: str,
    body: str,
    url: str,
) -> bool:
    """Record (and, for e-mail, send) one reminder unless it was already sent; True if sent now."""
    created = False
    try:
        with transaction.atomic():
            _, created = Reminder.objects.get_or_create(
                key=key_of(about),
                user=user,
                kind=kind,
                channel=channel,
                due=due,
                defaults={
                    "content_type": ContentType.objects.get_for_model(about) if about is not None else None,
                    "object_id": about.pk if about is not None else None,
                    "unit": unit,
                    "subject": subject[:300],
                    "body": body,
                    "url": url[:300],
                },
            )
            if created and channel == Reminder.Channel.EMAIL:
                send_mail(subject, body, None, [user.email])
    except IntegrityError:
        return False
    except Exception:  # a mail server error: nothing recorded, the next pass retries
        log.exception("Không gửi được thư nhắc việc đến %s", user.email)
        counts["errors"] += 1
        return False
    if created:
        counts[channel] += 1
    return created


def notify(
    counts: Counter,
    *,
    about: models.Model | None,
    user,
    unit,
    kind: str,
    due: dt.date,
    template: str,
    context: dict,
    url: str,
    channels: Iterable[str] | None = None,
) -> bool:
    """Write the message ``template`` (``<template>_subject.txt`` / ``_body.txt``) for ``user`` and record
    it on every channel (in the app, and by e-mail when she has an address), each at most once. True if
    any was sent now."""
    subject, body = message(template, context)
    sent = False
    for channel in channels if channels is not None else channels_for(user):
        sent |= record(
            counts,
            about=about,
            user=user,
            unit=unit,
            kind=kind,
            channel=channel,
            due=due,
            subject=subject,
            body=body,
            url=url,
        )
    return sent


def send_due(today: dt.date | None = None, sources: Iterable[str] | None = None) -> dict[str, int]:
    """Run every registered source (or those named) for ``today``; idempotent. Returns the counts:
    app, email (reminders recorded per channel), errors, and each source's own keys."""
    today = today or timezone.localdate()
    counts: Counter = Counter()
    keys = list(COUNT_KEYS)
    with translation.override("vi"):
        for name, (source, _describe, source_keys) in list(_SOURCES.items()):
            if sources is None or name in sources:
                keys.extend(source_keys)
                source(today, counts)
    return {**{k: 0 for k in keys}, **counts}


def unread_count(user) -> int:
    """How many in-app reminders the user has not read (for the badge in the top bar)."""
    if not user.is_authenticated:
        return 0
    # Asked by the header of every page: one plain statement (the ORM's count costs more CPU to build
    # than the database takes to answer it from the (user, channel, read_at) index).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [user.pk, Reminder.Channel.APP.value])
        return cursor.fetchone()[0]


_UNREAD_SQL = (
    f'SELECT COUNT(*) FROM "{Reminder._meta.db_table}" '
    "WHERE user_id = %s AND channel = %s AND read_at IS NULL"
)


def mark_read(user, ids=None) -> int:
    """Mark the user's in-app reminders read (all, or those whose ids are given)."""
    qs = Reminder.objects.filter(user=user, channel=Reminder.Channel.APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def in_app(user, limit: int = 200) -> list[Reminder]:
    """The user's in-app notices, newest first."""
    return list(
        Reminder.objects.filter(user=user, channel=Reminder.Channel.APP)
        .select_related("unit")
        .order_by("-sent_at", "-pk")[:limit]
    )
