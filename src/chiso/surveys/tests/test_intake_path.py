"""The public intake's own way in (``chiso.api.intake_path``): the WSGI application gunicorn serves answers
``POST /api/public/surveys/<id>/responses/`` without Django's middleware, and must answer exactly as the
full stack does — status, body, every header — or hand the request to the full stack."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from unittest import mock

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, close_old_connections
from django.test import RequestFactory

from chiso.api.intake_path import MAX_BODY, route
from chiso.surveys.models import Response
from chiso.surveys.services import frame

from .conftest import full_answers

pytestmark = pytest.mark.django_db

VARYING = {"Date", "Server"}


@dataclass
class Answer:
    status: int
    reason: str
    headers: dict[str, str]
    content: bytes

    def json(self):
        return json.loads(self.content)


class Spy:
    """Django's WSGI handler with every middleware, counting the requests it was given."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)


@pytest.fixture
def full():
    return Spy()


@pytest.fixture
def app(full):
    return route(full)


def call(
    application, path: str, body: bytes, *, method: str = "POST", content_type="application/json", **extra
):
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD=method,
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": io.BytesIO(body), "REMOTE_ADDR": "203.0.113.9", **extra},
    )
    got: dict = {}

    def start_response(status, headers, exc_info=None):
        got["status"], got["headers"] = status, headers

    # as Django's test client: the test's transaction is not closed between "requests"
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        out = application(environ, start_response)
        content = b"".join(out)
        getattr(out, "close", lambda: None)()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    code, _, reason = got["status"].partition(" ")
    headers = {k: v for k, v in got["headers"] if k not in VARYING}
    return Answer(int(code), reason, headers, content)


def url(survey_id: int) -> str:
    return f"/api/public/surveys/{survey_id}/responses/"


def body(answers=None, point="", dossier="") -> bytes:
    return json.dumps(
        {
            "answers": full_answers() if answers is None else answers,
            "service_point": point,
            "dossier": dossier,
        }
    ).encode()


def test_a_response_is_written_without_the_middleware_and_answered_as_the_full_stack_answers(
    app, full, survey
):
    fast = call(app, url(survey.pk), body(point="QNG-STP", dossier="HS-1"))
    assert full.calls == 0  # answered on the intake's own path
    slow = call(full.handler, url(survey.pk), body(point="QNG-STP", dossier="HS-2"))
    assert (fast.status, fast.reason) == (slow.status, slow.reason) == (201, "Created")
    assert fast.headers == slow.headers
    # the security headers a citizen's phone gets on this path too
    assert fast.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert fast.headers["Cache-Control"] == "private, no-store"
    assert fast.headers["X-Frame-Options"] == "DENY"
    assert fast.headers["X-Content-Type-Options"] == "nosniff"
    row = Response.objects.get(receipt=fast.json()["receipt"])
    assert (row.dossier, row.point.unit.code, row.mode, row.scores) == (
        "HS-1",
        "QNG-STP",
        "api",
        "4" * 13 + "---",
    )


@pytest.mark.parametrize(
    ("case", "payload"),
    [
        ("answers refused", {"answers": {**full_answers(), "q9_sat_24": 6}}),
        ("a required item missing", {"answers": {"q8_7": 2}}),
        ("unknown field", {"answers": full_answers(), "ghi_chu": "x"}),
        ("dossier not text", {"answers": full_answers(), "dossier": 12}),
        ("unknown service point", {"answers": full_answers(), "service_point": "KHONG-CO"}),
        ("answers not an object", {"answers": [1, 2]}),
    ],
)
def test_refusals_are_the_full_stacks_own_and_write_nothing(app, full, survey, case, payload):
    raw = json.dumps(payload).encode()
    fast, slow = call(app, url(survey.pk), raw), call(full.handler, url(survey.pk), raw)
    assert full.calls == 0
    assert fast.status == slow.status == 400, case
    assert (fast.content, fast.headers) == (slow.content, slow.headers), case
    assert not Response.objects.filter(survey=survey).exists()


def test_a_repeated_dossier_and_an_unknown_survey_are_answered_as_before(app, full, survey):
    assert call(app, url(survey.pk), body(dossier="HS-9")).status == 201
    fast, slow = (
        call(app, url(survey.pk), body(dossier="HS-9")),
        call(full.handler, url(survey.pk), body(dossier="HS-9")),
    )
    assert fast.status == slow.status == 409
    assert (fast.content, fast.headers) == (slow.content, slow.headers)
    assert "mỗi hồ sơ chỉ một phiếu" in fast.json()["detail"]
    fast, slow = call(app, url(987654), body()), call(full.handler, url(987654), body())
    assert fast.status == slow.status == 404
    assert (fast.content, fast.headers) == (slow.content, slow.headers)
    assert full.calls == 0
    assert Response.objects.filter(survey=survey).count() == 1


def test_a_closed_survey_refuses_on_this_path_too(app, full, survey, scene):
    frame.step(survey, "close", scene.coordinator)
    fast, slow = call(app, url(survey.pk), body()), call(full.handler, url(survey.pk), body())
    assert fast.status == slow.status == 400
    assert (fast.content, fast.headers) == (slow.content, slow.headers)
    assert "không nhận phiếu" in fast.content.decode()
    assert not Response.objects.filter(survey=survey).exists()


def test_the_rate_limit_counts_the_senders_address_on_this_path(app, full, survey, settings):
    settings.CHISO_SURVEY_RATE_LIMIT = 2
    assert [call(app, url(survey.pk), body()).status for _ in range(2)] == [201, 201]
    fast = call(app, url(survey.pk), body())
    assert fast.status == 429 and "quá nhiều phiếu" in fast.json()["detail"].lower()
    slow = call(full.handler, url(survey.pk), body())  # the same address, counted on the same table
    assert slow.status == 429 and (fast.content, fast.headers) == (slow.content, slow.headers)
    other = call(app, url(survey.pk), body(), REMOTE_ADDR="198.51.100.7")
    assert other.status == 201  # another office is not blocked by this one
    assert full.calls == 0
    assert Response.objects.filter(survey=survey).count() == 3


def test_a_database_that_does_not_answer_is_a_503_with_retry_after_as_on_every_page(app, full, survey):
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch("chiso.surveys.services.intake.survey_to_submit", side_effect=lost):
        fast = call(app, url(survey.pk), body())
        slow = call(full.handler, url(survey.pk), body())
    assert fast.status == slow.status == 503
    assert fast.headers["Retry-After"] == slow.headers["Retry-After"] == "5"
    assert fast.content == slow.content and "chưa được ghi" in fast.json()["detail"]
    assert fast.headers["Content-Security-Policy"] == slow.headers["Content-Security-Policy"]
    assert full.calls == 0
    assert not Response.objects.filter(survey=survey).exists()


DEEP = 900  # parsed by Python's JSON reader, deeper than any request needs (api.parsers.MAX_DEPTH)


@pytest.mark.parametrize(
    ("case", "raw", "extra", "status"),
    [
        ("not JSON", b"{answers", {}, 400),
        ("NaN is not JSON", b'{"answers": {"q9_sat_24": NaN}}', {}, 400),
        ("a JSON list", b"[1, 2]", {}, 400),
        ("not UTF-8", b'{"dossier": "\xff"}', {}, 400),
        ("nested too deep", b'{"answers": {"q9_sat_24": ' + b"[" * DEEP + b"]" * DEEP + b"}}", {}, 400),
        ("deeper than the JSON reader goes", b'{"dossier": ' + b"[" * 20000 + b"]" * 20000 + b"}", {}, 400),
        ("another type", None, {"content_type": "text/plain"}, 415),
        ("a cookie (a session, a language chosen)", None, {"HTTP_COOKIE": "django_language=en"}, 201),
        ("a query string", None, {"QUERY_STRING": "x=1"}, 201),
        ("a host not allowed", None, {"HTTP_HOST": "evil.example"}, 400),
    ],
)
def test_anything_unusual_goes_the_full_way_and_is_answered_as_before(
    app, full, survey, case, raw, extra, status
):
    raw = body() if raw is None else raw
    answer = call(app, url(survey.pk), raw, **extra)
    assert full.calls == 1, case  # handed over, with the body it had read
    assert answer.status == status, (case, answer.content[:200])
    if status != 201:
        expected = call(full.handler, url(survey.pk), raw, **extra)
        assert (answer.content, answer.headers) == (expected.content, expected.headers), case
    assert Response.objects.filter(survey=survey).count() == (1 if status == 201 else 0)


def test_a_body_larger_than_a_response_can_be_goes_the_full_way(app, full, survey):
    raw = json.dumps({"answers": {**full_answers(), "other_feedback": "x" * MAX_BODY}}).encode()
    answer = call(app, url(survey.pk), raw)
    assert full.calls == 1
    assert (
        answer.status == 400 and "2000" in answer.content.decode()
    )  # the full stack's own limit on the text


def test_other_methods_and_addresses_are_not_touched(app, full, survey):
    assert call(app, url(survey.pk), b"", method="GET").status == 405
    assert call(app, f"/api/public/surveys/{2**40}/responses/", body()).status == 404
    assert call(app, "/api/units/", b"", method="GET").status in (401, 403)
    assert full.calls == 3


def test_behind_https_the_same_headers_as_the_full_stack_including_hsts(survey, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    full = Spy()  # its middleware reads these settings when it is built, as in production
    app = route(full)
    fast = call(app, url(survey.pk), body(dossier="A"), HTTP_X_FORWARDED_PROTO="https")
    assert full.calls == 0
    slow = call(full.handler, url(survey.pk), body(dossier="B"), HTTP_X_FORWARDED_PROTO="https")
    assert fast.status == slow.status == 201
    assert fast.headers == slow.headers
    assert fast.headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains; preload"
    plain = call(app, url(survey.pk), body(dossier="C"))  # over HTTP: redirected, by the full stack
    assert full.calls == 1 and plain.status == 301
    assert Response.objects.filter(survey=survey).count() == 2
