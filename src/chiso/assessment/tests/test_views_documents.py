"""Who downloads what, as a matrix of roles: the decision is for those who oversee the round (coordinator,
leader, viewer of the province); a unit's score report, explanation form and evidence package for whoever
sees the sheet (those, the unit's officers, its assigned appraiser). A sheet or round one may not see does
not exist for her (404); a signed-in account without any role gets the page saying so (403); an anonymous
visitor is sent to sign in. Before the appraisal is handed over, the unit gets no explanation form."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from chiso.accounts.models import Membership
from chiso.assessment.models import Assignment

from .walk import walk

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ROLES = ("coordinator", "leader", "viewer", "officer_tp", "officer_yt", "appraiser", "appraiser_other",
         "outsider", "anonymous")  # fmt: skip
SEES_ROUND = {"coordinator", "leader", "viewer"}
SEES_SHEET = SEES_ROUND | {"officer_tp", "appraiser"}


def _expected(role: str, allowed: set[str]) -> int:
    if role == "anonymous":
        return 302
    if role == "outsider":
        return 403
    return 200 if role in allowed else 404


@pytest.fixture
def people(scene):
    users = {name: getattr(scene, name) for name in ROLES if hasattr(scene, name)}
    for name, role in (("viewer", "viewer"), ("appraiser_other", "appraiser")):
        users[name] = get_user_model().objects.create_user(username=name, password="x")
        Membership.objects.create(user=users[name], unit=scene.province, role=role)
    users["anonymous"] = None
    return users


@pytest.fixture
def explaining(scene, open_round, people):
    rnd = walk(scene, open_round, "explanation")
    other = Assignment.objects.create(round=rnd, user=people["appraiser_other"])
    other.units.set([scene.xd])
    return rnd


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("role", ROLES)
def test_who_downloads_what(role, client, people, explaining, scene):
    base = f"/danh-gia/{explaining.pk}"
    sheet = f"{base}/{scene.tuphap.pk}"
    cases = [
        (f"{base}/quyet-dinh-cong-bo.docx", SEES_ROUND, DOCX, "quyet-dinh-cong-bo-chi-so-cai-cach-hanh-chinh-2025.docx"),
        (f"{sheet}/bang-diem.docx", SEES_SHEET, DOCX, "bang-diem-so-tu-phap-2025.docx"),
        (f"{sheet}/giai-trinh.docx", SEES_SHEET, DOCX, "giai-trinh-so-tu-phap-2025.docx"),
        (f"{sheet}/ho-so-minh-chung.zip", SEES_SHEET, "application/zip", "ho-so-minh-chung-cchc-so-2025-so-tu-phap.zip"),
    ]  # fmt: skip
    for url, allowed, content_type, filename in cases:
        resp = _get(client, people[role], url)
        assert resp.status_code == _expected(role, allowed), (role, url)
        if resp.status_code == 302:
            assert resp["Location"].startswith("/accounts/login/")
        if resp.status_code == 200:
            assert resp["Content-Type"] == content_type
            assert resp["Content-Disposition"] == f'attachment; filename="{filename}"'
            body = b"".join(resp.streaming_content) if resp.streaming else resp.content
            assert body.startswith(b"PK\x03\x04")


def test_the_pdf_downloads(client, people, explaining, scene):
    client.force_login(people["officer_tp"])
    for url in (f"/danh-gia/{explaining.pk}/{scene.tuphap.pk}/bang-diem.pdf",
                f"/danh-gia/{explaining.pk}/{scene.tuphap.pk}/giai-trinh.pdf"):  # fmt: skip
        resp = client.get(url)
        assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
        assert resp.content.startswith(b"%PDF-")
    client.force_login(people["leader"])
    resp = client.get(f"/danh-gia/{explaining.pk}/quyet-dinh-cong-bo.pdf")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF-")


def test_no_explanation_form_for_the_unit_before_the_appraisal_is_handed_over(
    client, people, scene, open_round
):
    rnd = walk(scene, open_round, "appraisal")
    url = f"/danh-gia/{rnd.pk}/{scene.tuphap.pk}/giai-trinh.docx"
    resp = _get(client, people["officer_tp"], url)
    assert resp.status_code == 403
    assert "Kết quả thẩm định chưa được gửi đến đơn vị" in resp.content.decode()
    assert _get(client, people["appraiser"], url).status_code == 200
    assert _get(client, people["coordinator"], url).status_code == 200


def test_no_decision_for_a_round_on_the_province_itself_nor_for_unknown_sheets(
    client, people, scene, explaining
):
    from chiso.assessment.services.rounds import open_round

    own = open_round(scene.framework, 2025, scene.province, "province", scene.coordinator)
    client.force_login(people["coordinator"])
    assert client.get(f"/danh-gia/{own.pk}/quyet-dinh-cong-bo.docx").status_code == 404
    assert client.get(f"/danh-gia/{own.pk}/{scene.province.pk}/bang-diem.docx").status_code == 200
    assert client.get(f"/danh-gia/{explaining.pk}/{scene.province.pk}/bang-diem.docx").status_code == 404
    assert client.post(f"/danh-gia/{explaining.pk}/{scene.tuphap.pk}/bang-diem.docx").status_code == 405
