"""Role matrix of every assessment page and action, for every kind of user: the coordinator, leader and
viewer of the province, the officer of the unit whose sheet it is (Sở Tư pháp), the officer of another
unit of the round (Sở Y tế), the appraiser assigned Sở Tư pháp, an appraiser assigned only another unit,
a signed-in account without any role, and anonymous.

200 / 302 (done, redirected): may; 403: may not (or has no role); 404: the sheet is outside what the user
sees; anonymous users are sent to sign in. Each request runs in a transaction rolled back afterwards, so
every role meets the same round (in self-assessment, deadlines ahead)."""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from django.urls import reverse

from chiso.assessment.models import EvidenceFile, EvidenceLink, Score

from .conftest import ROLES, ahead

pytestmark = pytest.mark.django_db


def codes(coordinator, leader, viewer, officer_unit, officer_other, appraiser_assigned, appraiser_other):
    return dict(
        zip(
            ROLES,
            (
                coordinator,
                leader,
                viewer,
                officer_unit,
                officer_other,
                appraiser_assigned,
                appraiser_other,
                403,
                302,
            ),
            strict=True,
        )
    )


SEE_ROUND = codes(200, 200, 200, 200, 200, 200, 200)
RUN_GET = codes(200, 403, 403, 403, 403, 403, 403)
RUN_POST = codes(302, 403, 403, 403, 403, 403, 403)
OVERSEE = codes(200, 200, 200, 403, 403, 403, 403)
SEE_SHEET = codes(200, 200, 200, 200, 404, 200, 404)
WORK_SELF = codes(403, 403, 403, 302, 404, 403, 404)


def _pdf(name="bien-ban.pdf"):
    f = io.BytesIO(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    f.name = name
    return f


def _evidence(ui):
    """A file and a link on Sở Tư pháp's criterion 2.1, added by its officer during self-assessment."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chiso.assessment.services import evidence

    [f] = evidence.add_files(
        ui.sheet, "2.1", ui.officer_tp, [SimpleUploadedFile("bien-ban.pdf", _pdf().read())]
    )
    link = evidence.link(ui.sheet, "2.1", ui.officer_tp, task=ui.task)
    return f, link


def _requests(ui):
    """(name, method, url, data, expected codes) of every page and action."""
    rnd = ui.round
    f, link = _evidence(ui)
    yte = rnd.sheets.get(unit=ui.yte)
    a = rnd.assignments.get(user=ui.appraiser)
    sheet_args = [rnd.pk, ui.tuphap.pk]
    return [
        ("list", "get", reverse("assessment:list"), None, SEE_ROUND),
        ("open", "get", reverse("assessment:open"), None, RUN_GET),
        (
            "open POST",
            "post",
            reverse("assessment:open"),
            {
                "province": ui.province.pk,
                "framework": ui.framework.pk,
                "year": 2026,
                "scope": "department",
                "self_deadline": ahead(5).strftime("%d/%m/%Y"),
            },
            RUN_POST,
        ),  # fmt: skip
        ("round", "get", reverse("assessment:round", args=[rnd.pk]), None, SEE_ROUND),
        ("advance", "post", reverse("assessment:advance", args=[rnd.pk]), {"to": ""}, RUN_POST),
        (
            "reopen",
            "post",
            reverse("assessment:reopen", args=[rnd.pk]),
            {"sheet": yte.pk, "until": ahead(3).strftime("%d/%m/%Y"), "reason": "Mất điện"},
            RUN_POST,
        ),
        ("assignments", "get", reverse("assessment:assignments", args=[rnd.pk]), None, RUN_GET),
        (
            "assign",
            "post",
            reverse("assessment:assignments", args=[rnd.pk]),
            {"user": ui.viewer.pk, "units": [ui.xd.pk], "criteria": "LV1"},
            RUN_POST,
        ),
        ("unassign", "post", reverse("assessment:unassign", args=[rnd.pk, a.pk]), {}, RUN_POST),
        ("monitoring", "get", reverse("assessment:monitoring", args=[rnd.pk]), None, OVERSEE),
        ("sheet", "get", reverse("assessment:sheet", args=sheet_args), None, SEE_SHEET),
        (
            "sheet POST",
            "post",
            reverse("assessment:sheet", args=sheet_args),
            {"s-1.3": "2,5", "n-1.3": "Biên bản", "o-1.3": "", "v-1.3": "0", "action": "save"},
            WORK_SELF,
        ),
        ("history", "get", reverse("assessment:history", args=sheet_args), None, SEE_SHEET),
        ("criterion", "get", reverse("assessment:criterion", args=[*sheet_args, "2.1"]), None, SEE_SHEET),
        ("upload", "post", reverse("assessment:upload", args=[*sheet_args, "1.3"]), "file", WORK_SELF),
        (
            "link",
            "post",
            reverse("assessment:link", args=[*sheet_args, "2.2"]),
            {"task": ui.task.pk, "report": ui.report.pk},
            WORK_SELF,
        ),
        ("file", "get", reverse("assessment:file", args=[f.pk]), None, SEE_SHEET),
        ("file remove", "post", reverse("assessment:file_remove", args=[f.pk]), {}, WORK_SELF),
        ("link remove", "post", reverse("assessment:link_remove", args=[link.pk]), {}, WORK_SELF),
    ]


def test_every_page_and_action_for_every_role(ui):
    failures = []
    for name, method, url, data, expected in _requests(ui):
        for role in ROLES:
            client = ui.client_for(role)
            with transaction.atomic():
                if data == "file":
                    response = client.post(url, {"file": _pdf()})
                elif method == "post":
                    response = client.post(url, data)
                else:
                    response = client.get(url)
                transaction.set_rollback(True)
            if response.status_code != expected[role]:
                failures.append(f"{name} as {role}: {response.status_code}, expected {expected[role]}")
            if role == "anonymous" and response.status_code == 302:
                assert response.url.startswith("/accounts/login/"), (name, response.url)
    assert not failures, "\n".join(failures)


def test_what_the_allowed_actions_did(ui):
    """The 302s above are real writes: the officer's score, her file and link; the coordinator's steps."""
    client = ui.client_for("officer_unit")
    url = reverse("assessment:sheet", args=[ui.round.pk, ui.tuphap.pk])
    assert (
        client.post(url, {"s-1.3": "2,5", "n-1.3": "Biên bản", "o-1.3": "", "v-1.3": "0"}).status_code == 302
    )
    assert Score.objects.get(sheet=ui.sheet, node__code="1.3").self_score == 2.5
    client.post(reverse("assessment:upload", args=[ui.round.pk, ui.tuphap.pk, "1.3"]), {"file": _pdf()})
    assert EvidenceFile.objects.filter(score__sheet=ui.sheet, score__node__code="1.3").count() == 1
    client.post(reverse("assessment:link", args=[ui.round.pk, ui.tuphap.pk, "2.2"]), {"task": ui.task.pk})
    assert EvidenceLink.objects.filter(score__sheet=ui.sheet, score__node__code="2.2", task=ui.task).exists()
    coordinator = ui.client_for("coordinator")
    coordinator.post(reverse("assessment:advance", args=[ui.round.pk]), {"to": ""})
    ui.round.refresh_from_db()
    assert ui.round.opens == "appraisal"


def test_a_round_of_another_province_does_not_exist_for_its_officers(ui):
    """An officer of a department of another province sees neither the round nor any of its sheets."""
    from chiso.accounts.models import Membership
    from chiso.units.models import Unit

    from ..conftest import _user

    elsewhere = Unit.objects.filter(kind="province").exclude(pk=ui.province.pk).exclude(code="51").first()
    dept = Unit.objects.create(kind="department", code="X-STP", name="Sở Tư pháp", parent=elsewhere)
    stranger = _user("cb_khac")
    Membership.objects.create(user=stranger, unit=dept, role="officer")
    client = ui.client_for("outsider")
    client.force_login(stranger)
    assert client.get(reverse("assessment:round", args=[ui.round.pk])).status_code == 404
    assert client.get(reverse("assessment:sheet", args=[ui.round.pk, ui.tuphap.pk])).status_code == 404
    assert ui.round.title not in client.get(reverse("assessment:list")).content.decode()
