"""Sign-in throttling (django-axes, settings "Sign-in throttling"): sixty wrong passwords, then the
right one is refused — on the web sign-in and on the API's HTTP Basic — with a Vietnamese message,
until the cooldown has passed; another address is not locked out; every attempt is recorded."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.utils import timezone

PASSWORD = "mat-khau-thu-nghiem"
pytestmark = pytest.mark.django_db


def web_login(client, username, password, ip="10.0.0.7"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def api_get(client, username, password, ip="10.0.0.7"):
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return client.get("/api/indices/", HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR=ip)


def expire_cooldown():
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    )


def test_web_sign_in_locked_after_failures_until_cooldown(client, viewer):
    for _ in range(60):
        web_login(client, viewer.username, "sai-mat-khau")
    response = web_login(client, viewer.username, PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Đăng nhập sai quá 5 lần" in text and "15 phút" in text
    assert response["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session
    # The attempts are recorded: who, from where.
    attempt = AccessAttempt.objects.get(username=viewer.username)
    assert attempt.ip_address == "10.0.0.7" and attempt.failures_since_start >= 5
    assert AccessFailureLog.objects.filter(username=viewer.username).exists()
    # Another address is not locked out (username + address).
    other = web_login(client, viewer.username, PASSWORD, ip="10.0.0.8")
    assert other.status_code == 302
    client.logout()
    # After the cooldown the right password works again from the first address.
    expire_cooldown()
    response = web_login(client, viewer.username, PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(viewer.pk)


def test_a_few_mistakes_then_success_resets_the_count(client, viewer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert web_login(client, viewer.username, "sai").status_code == 200
    assert web_login(client, viewer.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert web_login(client, viewer.username, "sai").status_code == 200
    assert web_login(client, viewer.username, PASSWORD).status_code == 302


def test_api_basic_auth_locked_after_failures_until_cooldown(client, viewer):
    assert api_get(client, viewer.username, PASSWORD).status_code == 200
    for _ in range(60):
        assert api_get(client, viewer.username, "sai-mat-khau").status_code in (401, 403, 429)
    response = api_get(client, viewer.username, PASSWORD)
    assert response.status_code == 429
    assert "Đăng nhập sai quá 5 lần" in response.json()["detail"]
    assert response["Retry-After"] == str(15 * 60)
    expire_cooldown()
    assert api_get(client, viewer.username, PASSWORD).status_code == 200


def test_web_lockout_also_holds_for_the_api(client, viewer):
    """One count for the person, whichever door is tried."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        web_login(client, viewer.username, "sai")
    assert api_get(client, viewer.username, PASSWORD).status_code == 429


def test_the_schema_documents_the_lockout_answer():
    """The 429 of a locked-out HTTP Basic client is in docs/openapi.yaml on every operation taking it."""
    from pathlib import Path

    import yaml

    schema = yaml.safe_load(
        (Path(__file__).resolve().parents[4] / "docs" / "openapi.yaml").read_text(encoding="utf-8")
    )
    basic = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if any("basicAuth" in s for s in op.get("security", []))
    ]
    assert len(basic) > 50
    for path, method, op in basic:
        assert "429" in op["responses"], f"{method.upper()} {path}"
        assert op["responses"]["429"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
