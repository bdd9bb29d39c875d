"""Taking one response: the public form, the public API, officers' paper entry and imports all come here.

- ``submit(survey, raw_answers, *, point="", dossier="", mode, client=None, user=None, sheet="")`` →
  Response: checks that the survey takes responses, the service point (its code), the dossier code (one
  response per non-empty code and survey: ``DuplicateDossier``, the API's 409), the answers
  (``answers.clean_answers``) and the rate limit of the sender (``RateLimited``, the API's 429); writes
  one row, nothing else (no history, no cache to invalidate).
- ``form_of(survey)`` — what every response to the survey's current questionnaire is checked against (its
  questions in order, its service points by code), read once per worker process and kept until the survey's
  version or revision changes (every questionnaire edit raises the revision, and the survey row is read on
  each response anyway, so an edit is picked up by the next response; a service point added to the frame
  since is looked up in the database the first time its code comes);
- ``client_key(survey, address)`` — the salted hash the rate limit counts by: HMAC-SHA-256 of the address
  with the server's secret and the survey's own salt; the address itself is never stored. The counts
  are dropped when the survey closes (``drop_rate_counts``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from chiso.core.text import nfc
from chiso.validation import Errors

from .. import permissions
from ..models import Question, RateCount, Response, ServicePoint, Survey
from .answers import clean_answers
from .questionnaire import questions_of
from .screening import has_text

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or copied by hand
MAX_DOSSIER = 60


class DuplicateDossier(Exception):
    """A response with this dossier code is already in the survey."""

    def __init__(self, dossier: str):
        super().__init__(
            f"Hồ sơ “{dossier}” đã có phiếu trả lời trong cuộc khảo sát này: mỗi hồ sơ chỉ một phiếu."
        )


class NoSurvey(Http404):
    """The survey a response was posted to is not (or no longer) in the database."""

    def __init__(self) -> None:
        super().__init__("Không có cuộc khảo sát này.")


class _Stale(Exception):
    """The survey is no longer as the response was checked against it (edited, closed, deleted)."""


class RateLimited(Exception):
    def __init__(self) -> None:
        super().__init__(
            "Có quá nhiều phiếu gửi từ cùng một địa chỉ trong giờ này. Xin vui lòng thử lại sau."
        )


#: random byte → receipt character: 32 characters, so each of the 256 byte values maps to one of them
#: exactly 8 times (uniform, as ``secrets.choice``, at one system call a receipt instead of ten)
_RECEIPT_BYTES = bytes(ord(RECEIPT_ALPHABET[b % 32]) for b in range(256))
assert len(RECEIPT_ALPHABET) == 32


def new_receipt() -> str:
    body = secrets.token_bytes(10).translate(_RECEIPT_BYTES).decode("ascii")
    return f"KS-{body[:5]}-{body[5:]}"


def client_key(survey: Survey, address: str) -> str:
    secret = f"{settings.SECRET_KEY}:{survey.salt}".encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:40]


def client_address(meta: Mapping[str, Any]) -> str:
    """The sender's address from a request's ``META`` (or a WSGI environ): ``CHISO_SURVEY_CLIENT_IP_HEADER``
    (the first address of a proxy's X-Forwarded-For) when set, else REMOTE_ADDR."""
    header = getattr(settings, "CHISO_SURVEY_CLIENT_IP_HEADER", "")
    value = meta.get(header, "") if header else ""
    return (value.split(",")[0].strip() if value else meta.get("REMOTE_ADDR", "")) or "unknown"


def _count(survey: Survey, key: str) -> int:
    """Add one to this sender's count for the hour and return it: one statement (an upsert returning the
    new count, PostgreSQL and SQLite alike), atomic under concurrent responses from the same address."""
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    table = RateCount._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (survey_id, key, hour, count) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT (survey_id, key, hour) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [survey.pk, key, connection.ops.adapt_datetimefield_value(hour)],
        )
        return int(cur.fetchone()[0])


def check_rate(survey: Survey, address: str | None) -> None:
    limit = int(getattr(settings, "CHISO_SURVEY_RATE_LIMIT", 0) or 0)
    if limit <= 0 or address is None:
        return
    if _count(survey, client_key(survey, address)) > limit:
        raise RateLimited()


def drop_rate_counts(survey: Survey) -> int:
    return RateCount.objects.filter(survey=survey).delete()[0]


@dataclass(frozen=True)
class Form:
    """A survey's questionnaire as the intake checks responses against it (read-only: shared by the
    threads of a worker)."""

    #: (survey's salt, questionnaire version, revision): the salt tells apart two surveys that had the same
    #: id (a database restored or recreated, the test suite's rolled-back transactions).
    key: tuple[str, int, int]
    questions: list[Question]
    #: service points by code, lower case
    points: dict[str, ServicePoint]


#: survey id → its Form, per worker process (a few kilobytes a survey).
_FORMS: dict[int, Form] = {}


def form_of(survey: Survey) -> Form:
    key = (survey.salt, survey.version, survey.revision)
    form = _FORMS.get(survey.pk)
    if form is None or form.key != key:
        questions = list(
            Question.objects.filter(survey_id=survey.pk, version=survey.version).order_by("order")
        )
        points = {p.code.lower(): p for p in ServicePoint.objects.filter(survey_id=survey.pk)}
        form = Form(key, questions, points)
        if _may_keep():
            _FORMS[survey.pk] = form
    return form


def _may_keep() -> bool:
    """Whether what was just read may be kept for other requests: only outside a transaction (what an edit
    not yet committed shows must not outlive its rollback under a (version, revision) the next edit would
    take again). The public API runs in autocommit."""
    return not transaction.get_connection().in_atomic_block


#: survey id → the Survey row last read by this worker's intake (read-only, shared by its threads).
_SURVEYS: dict[int, Survey] = {}
_STATE = ("status", "version", "revision", "salt", "title")


def _state_of(survey: Survey) -> tuple:
    return tuple(getattr(survey, f) for f in _STATE)


def survey_for_intake(pk: int) -> Survey | None:
    """The survey a response is posted to, as it is now: its state (status, version, revision, salt, title)
    is read from the database on every call with one small statement; the full row is read again only when
    that state changed since this worker last read it."""
    table = Survey._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(_STATE)} FROM {table} WHERE id = %s", [pk])
        state = cur.fetchone()
    if state is None:
        return None
    survey = _SURVEYS.get(pk)
    if survey is None or _state_of(survey) != tuple(state):
        survey = Survey.objects.filter(pk=pk).order_by().first()
        if survey is None:
            return None
        if _may_keep():
            _SURVEYS[pk] = survey
    return survey


def survey_to_submit(pk: int) -> Survey | None:
    """The survey a response is posted to. On PostgreSQL, the row this worker last read, without a query:
    ``submit`` writes the response only if the survey is still in that state (status, version, revision,
    salt, title), in the statement that writes it, and reads the survey again otherwise. Elsewhere (and
    the first time), ``survey_for_intake``."""
    if connection.vendor == "postgresql":
        survey = _SURVEYS.get(pk)
        if survey is not None:
            return survey
    return survey_for_intake(pk)


def find_point(survey: Survey, code: str) -> ServicePoint | None:
    code = nfc(str(code or ""))
    if not code:
        return None
    points = form_of(survey).points
    point = points.get(code.lower())
    if point is None:  # not in the frame when it was read: ask the database (a point added since)
        point = ServicePoint.objects.filter(survey=survey, code__iexact=code).first()
        if point is not None:
            points[code.lower()] = point
    return point


def _has_nul(value: Any) -> bool:
    """Whether a NUL character is in ``value`` or anything inside it: keys, values, items, at any depth
    (walked with a list, not recursion: a value nested a thousand deep is no RecursionError)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def submit(
    survey: Survey,
    raw_answers: Any,
    *,
    point: str = "",
    dossier: str = "",
    mode: str = Response.Mode.WEB,
    client: str | None = None,
    user=None,
    sheet: str = "",
) -> Response:
    for _attempt in range(3):
        try:
            return _submit(
                survey,
                raw_answers,
                point=point,
                dossier=dossier,
                mode=mode,
                client=client,
                user=user,
                sheet=sheet,
            )
        except _Stale:  # edited, closed or deleted since it was read: check the response again
            fresh = survey_for_intake(survey.pk)
            if fresh is None:
                raise NoSurvey() from None
            survey = fresh
        except ValidationError:
            # Refused against the survey as this worker read it (``survey_to_submit``: maybe before an
            # edit, or while it was closed): refused only if the survey is still so.
            fresh = survey_for_intake(survey.pk)
            if fresh is None:
                raise NoSurvey() from None
            if _state_of(fresh) == _state_of(survey):
                raise
            survey = fresh
    raise ValidationError(
        {"survey": ["Cuộc khảo sát vừa được sửa trong lúc phiếu được gửi. Xin vui lòng gửi lại phiếu."]}
    )


def _submit(
    survey: Survey,
    raw_answers: Any,
    *,
    point: str,
    dossier: str,
    mode: str,
    client: str | None,
    user,
    sheet: str,
) -> Response:
    errors = Errors()
    if not survey.collecting:
        raise ValidationError(
            {"survey": [f"Cuộc khảo sát “{survey.title}” hiện không nhận phiếu ({survey.status_label})."]}
        )
    for field, value in (("service_point", point), ("dossier", dossier), ("answers", raw_answers)):
        if _has_nul(value):  # PostgreSQL stores no NUL: refused here rather than a 500 at the INSERT
            errors.add(field, "Dữ liệu chứa ký tự không hợp lệ (NUL).")
    errors.raise_if_any()
    where = find_point(survey, point) if point else None
    if point and where is None:
        errors.add(
            "service_point", f"Không có điểm phục vụ mã “{nfc(str(point))[:40]}” trong cuộc khảo sát này."
        )
    if user is not None and mode == Response.Mode.PAPER:
        if where is None:
            errors.add("service_point", "Phiếu giấy cần ghi điểm phục vụ đã phát phiếu.")
        elif not permissions.can_enter(user, where.unit_id):
            raise PermissionDenied("Bạn chỉ nhập phiếu giấy của đơn vị mình.")
    dossier = nfc(str(dossier or ""))
    if len(dossier) > MAX_DOSSIER:
        errors.add("dossier", f"Mã hồ sơ dài quá {MAX_DOSSIER} ký tự.")
    answers: dict[str, Any] = {}
    scores = ""
    questions = form_of(survey).questions
    try:
        answers, scores = clean_answers(questions, raw_answers)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.add(field, message)
    errors.raise_if_any()
    row = Response(
        survey=survey,
        version=survey.version,
        point=where,
        dossier=dossier,
        receipt=new_receipt(),
        mode=mode,
        answers=answers,
        scores=scores,
        sheet=nfc(str(sheet or ""))[:40],
        entered_by=user,
        text_state="pending" if has_text(questions, answers) else "",
    )
    if connection.vendor == "postgresql":
        return _write_one_statement(survey, row, client)
    check_rate(survey, client)
    # One statement, committed by itself (autocommit): no BEGIN/COMMIT round trips on the public intake,
    # and a second response with the same dossier is the unique constraint's IntegrityError, not a query
    # before. Inside a caller's transaction a savepoint keeps that transaction usable after the error.
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                row.save(force_insert=True)
        else:
            row.save(force_insert=True)
    except IntegrityError:
        if dossier and Response.objects.filter(survey=survey, dossier=dossier).exists():
            raise DuplicateDossier(dossier) from None
        row.receipt = new_receipt()  # a receipt collision (1 in 32^10): try once more
        row.save(force_insert=True)
    return row


#: (with the rate count) → the SQL of ``_write_one_statement``, built once from the models' fields.
_ONE_STATEMENT: dict[bool, tuple[str, list]] = {}


def _one_statement_sql(rate: bool) -> tuple[str, list]:
    """PostgreSQL: the survey's state checked, the sender's count for the hour raised (``rate``), and the
    response inserted unless the count is over the limit or the row conflicts with one already there (its
    dossier, its receipt) — one statement of data-modifying CTEs, so one round trip and one commit."""
    if rate not in _ONE_STATEMENT:
        qn = connection.ops.quote_name
        fields = [f for f in Response._meta.local_concrete_fields if not f.primary_key]
        survey_t, rate_t, response_t = (m._meta.db_table for m in (Survey, RateCount, Response))
        sql = [
            f"WITH s AS (SELECT id FROM {qn(survey_t)} WHERE id = %s"
            + "".join(f" AND {qn(Survey._meta.get_field(f).column)} = %s" for f in _STATE)
            + ")"
        ]
        if rate:
            key_type = RateCount._meta.get_field("key").db_type(connection)
            hour_type = RateCount._meta.get_field("hour").db_type(connection)
            sql.append(
                f", r AS (INSERT INTO {qn(rate_t)} (survey_id, key, hour, count) "
                f"SELECT id, %s::{key_type}, %s::{hour_type}, 1 FROM s "
                f"ON CONFLICT (survey_id, key, hour) DO UPDATE SET count = {qn(rate_t)}.count + 1 "
                "RETURNING count)"
            )
        sql.append(
            f", i AS (INSERT INTO {qn(response_t)} ({', '.join(qn(f.column) for f in fields)}) "
            f"SELECT {', '.join(f'%s::{f.db_type(connection)}' for f in fields)} FROM s"
            + (" WHERE (SELECT count FROM r) <= %s" if rate else "")
            + " ON CONFLICT DO NOTHING RETURNING id)"
        )
        sql.append(
            " SELECT EXISTS (SELECT 1 FROM s), "
            + ("(SELECT count FROM r)" if rate else "NULL")
            + ", (SELECT id FROM i)"
        )
        _ONE_STATEMENT[rate] = ("".join(sql), fields)
    return _ONE_STATEMENT[rate]


def _write_one_statement(survey: Survey, row: Response, client: str | None) -> Response:
    """Write ``row`` in one statement (``_one_statement_sql``), committed by itself in autocommit (the
    public intake: one round trip, no BEGIN/COMMIT), or inside the caller's transaction. A conflict does
    not raise (``ON CONFLICT DO NOTHING``): a repeated dossier is then looked up to answer 409, a receipt
    that happened to be taken (1 in 32^10) is drawn again."""
    limit = int(getattr(settings, "CHISO_SURVEY_RATE_LIMIT", 0) or 0)
    key = client_key(survey, client) if limit > 0 and client is not None else None
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    row.fill_profile()
    for _attempt in range(2):
        sql, fields = _one_statement_sql(key is not None)
        params: list[Any] = [survey.pk, *_state_of(survey)]
        if key is not None:
            params += [key, connection.ops.adapt_datetimefield_value(hour)]
        params += [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]
        if key is not None:
            params.append(limit)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            found, count, pk = cur.fetchone()
        if not found:
            raise _Stale()
        if count is not None and count > limit:
            raise RateLimited()
        if pk is not None:
            row.pk = pk
            row._state.adding = False
            row._state.db = connection.alias
            return row
        if row.dossier and Response.objects.filter(survey_id=survey.pk, dossier=row.dossier).exists():
            raise DuplicateDossier(row.dossier)
        row.receipt = new_receipt()  # a receipt collision: once more (the sender was counted already)
        key = None
    raise IntegrityError("surveys_response: the response conflicts with one already written")


@transaction.atomic
def add_many(survey: Survey, items, *, mode: str = Response.Mode.IMPORT, user=None) -> int:
    """Many responses at once, each checked as ``submit`` checks it (no rate limit: an operator's or a
    loader's batch), written in one transaction or not at all. ``items``: (answers, point code, dossier)."""
    questions = questions_of(survey)
    if not survey.collecting:
        raise ValidationError({"survey": [f"Cuộc khảo sát “{survey.title}” hiện không nhận phiếu."]})
    rows = []
    for raw, point_code, dossier in items:
        answers, scores = clean_answers(questions, raw)
        point = find_point(survey, point_code) if point_code else None
        if point_code and point is None:
            raise ValidationError({"service_point": [f"Không có điểm phục vụ mã “{point_code}”."]})
        rows.append(
            Response(
                survey=survey,
                version=survey.version,
                point=point,
                dossier=nfc(dossier or ""),
                receipt=new_receipt(),
                mode=mode,
                answers=answers,
                scores=scores,
                entered_by=user,
                text_state="pending" if has_text(questions, answers) else "",
            )
        )
    Response.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
