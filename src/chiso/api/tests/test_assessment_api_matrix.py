"""Role matrix of the assessment API: every endpoint and method, for every kind of user.

Roles: admin, coordinator, leader, viewer (all on the province), the officer of the unit (Sở Tư pháp), an
officer of another unit of the round (Sở Xây dựng), the appraiser assigned (to Sở Tư pháp and Sở Y tế), an
appraiser of the province not assigned to the round, a signed-in outsider without a role, and anonymous.
403: may not (or not signed in / no role); 404: outside the user's scope. Rounds: R1 in self-assessment
(Sở Tư pháp's sheet fully scored, with a file and a link as evidence), R2 in appraisal, R3 closed.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from chiso.accounts.models import Membership
from chiso.assessment.models import Assignment, EvidenceFile, EvidenceLink, Round, Score, Sheet
from chiso.assessment.services import evidence, rounds, sheets
from chiso.assessment.tests.test_round_services import _full_self
from chiso.plans.models import Plan, Task
from chiso.tracking.models import ProgressReport

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "coordinator",
    "leader",
    "viewer",
    "officer_unit",
    "officer_other",
    "appraiser",
    "appraiser_other",
    "outsider",
    "anonymous",
]
FAR = dt.date(2099, 1, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def matrix(scene, open_round, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    s = scene
    from django.contrib.auth import get_user_model

    User = get_user_model()
    admin = User.objects.create_user(username="qt", password="x")
    Membership.objects.create(user=admin, unit=s.province, role="admin")
    viewer = User.objects.create_user(username="xem", password="x")
    Membership.objects.create(user=viewer, unit=s.province, role="viewer")
    appraiser_other = User.objects.create_user(username="td2", password="x")
    Membership.objects.create(user=appraiser_other, unit=s.province, role="appraiser")

    plan = Plan.objects.create(
        issuing_unit=s.province, title="Kế hoạch CCHC năm 2025", year=2025, results_year=2024,
        indices=["cchc-so"], place="Quảng Ngãi", status="issued", number="12", date=dt.date(2025, 2, 1),
    )  # fmt: skip
    t1 = Task.objects.create(plan=plan, order=1, text="Kiểm tra CCHC các phòng", lead_unit=s.tuphap,
                             product="Biên bản kiểm tra số 12")  # fmt: skip
    t2 = Task.objects.create(plan=plan, order=2, text="Tuyên truyền CCHC", lead_unit=s.tuphap,
                             product="Chuyên mục CCHC trên Cổng thông tin")  # fmt: skip
    report = ProgressReport.objects.create(
        task=t2, unit=s.tuphap, period="2025-Q1", state="in_progress", percent=40
    )

    r1 = open_round(self=FAR, appraisal=None, explanation=None, final=None)
    tp = r1.sheets.get(unit=s.tuphap)
    sheets.save(tp, s.officer_tp, "self", _full_self(r1, s.tuphap, 0.9))
    [ef] = evidence.add_files(tp, "1.3", s.officer_tp, [pdf()])
    link = evidence.link(tp, "1.3", s.officer_tp, task=t1)

    r2 = rounds.open_round(s.framework, 2026, s.province, "department", s.coordinator)
    a2 = Assignment.objects.create(round=r2, user=s.appraiser)
    a2.units.set([s.tuphap, s.yte])
    r2 = rounds.advance(r2, s.coordinator)
    r3 = rounds.open_round(s.framework, 2027, s.province, "department", s.coordinator)
    r3 = rounds.advance(r3, s.coordinator, to="closed")
    users = {
        "admin": admin,
        "coordinator": s.coordinator,
        "leader": s.leader,
        "viewer": viewer,
        "officer_unit": s.officer_tp,
        "officer_other": s.officer_xd,
        "appraiser": s.appraiser,
        "appraiser_other": appraiser_other,
        "outsider": s.outsider,
        "anonymous": None,
    }
    return SimpleNamespace(
        s=s, users=users, r1=r1, r2=r2, r3=r3, tp=tp, xd=r1.sheets.get(unit=s.xd),
        v14=tp.scores.get(node__code="1.4").version,  # the version a client read (1.4 is scored)
        tp2=r2.sheets.get(unit=s.tuphap), ef=ef, link=link, t2=t2, report=report,
        assignment=Assignment.objects.get(round=r1),
    )  # fmt: skip


def _codes(*codes, outsider=403, anonymous=403):
    return dict(zip(ROLES, (*codes, outsider, anonymous), strict=True))


#                    admin coord leader viewer off_u off_o appr appr_o
READ_ROUND = _codes(200, 200, 200, 200, 200, 200, 200, 404)
RUN = _codes(200, 200, 403, 403, 403, 403, 403, 404)
READ_TP = _codes(200, 200, 200, 200, 200, 404, 200, 404)
SELF_WORK = _codes(200, 403, 403, 403, 200, 404, 403, 404)
ADD_EVIDENCE = _codes(201, 403, 403, 403, 201, 404, 403, 404)
REMOVE_EVIDENCE = _codes(204, 403, 403, 403, 204, 404, 403, 404)
IMPORT_SELF = _codes(200, 200, 403, 403, 403, 403, 403, 404)
EVERYONE = _codes(200, 200, 200, 200, 200, 200, 200, 200)


def _csv(m, *rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("diem.csv", ("Đơn vị,1.3\n" + "\n".join(rows) + "\n").encode(), "text/csv")


# (name, method, url, body, expected codes per role); a body ("multipart", data) is sent as a form.
MATRIX = [
    ("rounds list", "get", lambda m: "/api/assessment/rounds/", None, EVERYONE),
    (
        "round open",
        "post",
        lambda m: "/api/assessment/rounds/",
        lambda m: {"index": "cchc-so", "year": 2028, "province": m.s.province.pk, "scope": "department"},
        _codes(201, 201, 403, 403, 403, 403, 403, 403),
    ),
    ("round read", "get", lambda m: f"/api/assessment/rounds/{m.r1.pk}/", None, READ_ROUND),
    ("round advance", "post", lambda m: f"/api/assessment/rounds/{m.r1.pk}/advance/", lambda m: {}, RUN),
    (
        "round close",
        "post",
        lambda m: f"/api/assessment/rounds/{m.r2.pk}/advance/",
        lambda m: {"to": "closed"},
        _codes(200, 200, 403, 403, 403, 403, 403, 404),
    ),
    (
        "summary of an open round",
        "get",
        lambda m: f"/api/assessment/rounds/{m.r1.pk}/summary/",
        None,
        _codes(200, 200, 200, 200, 403, 403, 403, 404),
    ),
    (
        "summary of a closed round",
        "get",
        lambda m: f"/api/assessment/rounds/{m.r3.pk}/summary/",
        None,
        _codes(200, 200, 200, 200, 200, 200, 404, 404),
    ),
    ("sheets of a round", "get", lambda m: f"/api/assessment/rounds/{m.r1.pk}/sheets/", None, READ_ROUND),
    ("sheet read", "get", lambda m: f"/api/assessment/sheets/{m.tp.pk}/", None, READ_TP),
    (
        "sheet of a unit the appraiser is not assigned",
        "get",
        lambda m: f"/api/assessment/sheets/{m.xd.pk}/",
        None,
        _codes(200, 200, 200, 200, 404, 200, 404, 404),
    ),
    ("scores read", "get", lambda m: f"/api/assessment/sheets/{m.tp.pk}/scores/", None, READ_TP),
    (
        "scores write (self)",
        "post",
        lambda m: f"/api/assessment/sheets/{m.tp.pk}/scores/",
        lambda m: {
            "work": "self",
            "entries": {"1.4": {"score": "1,5", "note": "Có tài liệu", "version": m.v14}},
        },
        SELF_WORK,
    ),
    (
        "scores write (appraisal)",
        "post",
        lambda m: f"/api/assessment/sheets/{m.tp2.pk}/scores/",
        lambda m: {"work": "appraisal", "entries": {"1.3": {"score": 1, "note": "Thiếu biên bản"}}},
        _codes(403, 403, 403, 403, 403, 404, 200, 404),
    ),
    ("submit", "post", lambda m: f"/api/assessment/sheets/{m.tp.pk}/submit/", lambda m: {}, SELF_WORK),
    (
        "reopen",
        "post",
        lambda m: f"/api/assessment/sheets/{m.tp.pk}/reopen/",
        lambda m: {"until": (timezone.localdate() + dt.timedelta(days=3)).isoformat(), "reason": "Mất điện"},
        _codes(200, 200, 403, 403, 403, 404, 403, 404),
    ),
    ("evidence list", "get", lambda m: f"/api/assessment/sheets/{m.tp.pk}/evidence/", None, READ_TP),
    (
        "evidence upload",
        "post",
        lambda m: f"/api/assessment/sheets/{m.tp.pk}/evidence/files/",
        lambda m: ("multipart", {"criterion": "2.1", "file": pdf("quyet-dinh.pdf")}),
        ADD_EVIDENCE,
    ),
    (
        "evidence link",
        "post",
        lambda m: f"/api/assessment/sheets/{m.tp.pk}/evidence/links/",
        lambda m: {"criterion": "1.4", "task": m.t2.pk},
        ADD_EVIDENCE,
    ),
    (
        "evidence link of a report",
        "post",
        lambda m: f"/api/assessment/sheets/{m.tp.pk}/evidence/links/",
        lambda m: {"criterion": "1.4", "report": m.report.pk, "note": "Báo cáo quý I"},
        ADD_EVIDENCE,
    ),
    ("evidence download", "get", lambda m: f"/api/assessment/evidence-files/{m.ef.pk}/", None, READ_TP),
    (
        "evidence file delete",
        "delete",
        lambda m: f"/api/assessment/evidence-files/{m.ef.pk}/",
        None,
        REMOVE_EVIDENCE,
    ),
    (
        "evidence link delete",
        "delete",
        lambda m: f"/api/assessment/evidence-links/{m.link.pk}/",
        None,
        REMOVE_EVIDENCE,
    ),
    (
        "import preview (self)",
        "post",
        lambda m: f"/api/assessment/rounds/{m.r1.pk}/import-scores/",
        lambda m: ("multipart", {"file": _csv(m, "Sở Xây dựng,2"), "stage": "self"}),
        IMPORT_SELF,
    ),
    (
        "import commit (self)",
        "post",
        lambda m: f"/api/assessment/rounds/{m.r1.pk}/import-scores/",
        lambda m: ("multipart", {"file": _csv(m, "Sở Xây dựng,2"), "stage": "self", "commit": "true"}),
        IMPORT_SELF,
    ),
    (
        "import commit (survey)",
        "post",
        lambda m: f"/api/assessment/rounds/{m.r1.pk}/import-scores/",
        lambda m: (
            "multipart",
            {
                "file": SimpleUploadedFile("sipas.csv", "Đơn vị,8.1\nSở Y tế,7\n".encode()),
                "stage": "survey",
                "commit": "true",
                "source": "Khảo sát SIPAS 2025",
            },
        ),
        IMPORT_SELF,
    ),
    (
        "import commit (appraisal)",
        "post",
        lambda m: f"/api/assessment/rounds/{m.r2.pk}/import-scores/",
        lambda m: ("multipart", {"file": _csv(m, "Sở Tư pháp,2"), "stage": "appraisal", "commit": "true"}),
        _codes(403, 403, 403, 403, 403, 403, 200, 404),
    ),
    (
        "assignments list",
        "get",
        lambda m: f"/api/assessment/rounds/{m.r1.pk}/assignments/",
        None,
        _codes(200, 200, 200, 200, 403, 403, 200, 404),
    ),
    (
        "assignment create",
        "post",
        lambda m: f"/api/assessment/rounds/{m.r1.pk}/assignments/",
        lambda m: {"user": "td2", "units": [m.s.xd.pk], "criteria": ["1.3"]},
        _codes(201, 201, 403, 403, 403, 403, 403, 404),
    ),
    (
        "assignment read",
        "get",
        lambda m: f"/api/assessment/assignments/{m.assignment.pk}/",
        None,
        _codes(200, 200, 200, 200, 403, 403, 200, 404),
    ),
    (
        "assignment patch",
        "patch",
        lambda m: f"/api/assessment/assignments/{m.assignment.pk}/",
        lambda m: {"criteria": ["1.3", "2.1"]},
        RUN,
    ),
    (
        "assignment put",
        "put",
        lambda m: f"/api/assessment/assignments/{m.assignment.pk}/",
        lambda m: {"user": "td", "units": [m.s.tuphap.pk], "criteria": []},
        RUN,
    ),
    (
        "assignment delete",
        "delete",
        lambda m: f"/api/assessment/assignments/{m.assignment.pk}/",
        None,
        _codes(204, 204, 403, 403, 403, 403, 403, 404),
    ),
    (
        "rounds list (read-only method)",
        "delete",
        lambda m: f"/api/assessment/rounds/{m.r1.pk}/",
        None,
        _codes(405, 405, 405, 405, 405, 405, 405, 405),
    ),
]


def _call(client, method, url, data):
    if data is None:
        return getattr(client, method)(url)
    if isinstance(data, tuple) and data[0] == "multipart":
        return getattr(client, method)(url, data[1])
    return getattr(client, method)(url, data, content_type="application/json")


@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_role_matrix(client, matrix, name, method, url, body, expected):
    """Each role's request runs in a savepoint rolled back afterwards: every role meets the same data."""
    got, problems = {}, []
    for role in ROLES:
        user = matrix.users[role]
        client.logout()
        if user is not None:
            client.force_login(user)
        savepoint = transaction.savepoint()
        try:
            response = _call(client, method, url(matrix), body(matrix) if body is not None else None)
        finally:
            transaction.savepoint_rollback(savepoint)
        got[role] = response.status_code
        if response.status_code >= 400:
            text = str(response.json())
            if not any(ord(c) > 127 for c in text):  # errors are in Vietnamese
                problems.append((role, text))
        elif response.status_code != expected[role]:
            problems.append((role, response.content[:300]))
    assert got == expected, problems
    assert not problems


# --- refused writes change nothing ------------------------------------------------------------------


def _snapshot():
    return tuple(
        list(model.objects.order_by("pk").values())
        for model in (Round, Sheet, Score, EvidenceFile, EvidenceLink, Assignment)
    )


@pytest.mark.parametrize(
    "role", ["leader", "viewer", "officer_other", "appraiser_other", "outsider", "anonymous"]
)
def test_refused_writes_change_nothing(client, matrix, role):
    user = matrix.users[role]
    if user is not None:
        client.force_login(user)
    before = _snapshot()
    for name, method, url, body, expected in MATRIX:
        if method == "get" or expected[role] < 400:
            continue
        response = _call(client, method, url(matrix), body(matrix) if body is not None else None)
        assert response.status_code == expected[role], (role, name, response.status_code)
    assert _snapshot() == before


def _ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    return {row["id"] for row in (body["results"] if isinstance(body, dict) else body)}


def test_lists_hold_only_what_each_user_sees(client, matrix):
    m = matrix
    client.force_login(m.s.officer_tp)
    assert _ids(client, "/api/assessment/rounds/") == {m.r1.pk, m.r2.pk, m.r3.pk}
    assert _ids(client, f"/api/assessment/rounds/{m.r1.pk}/sheets/") == {m.tp.pk}
    client.force_login(m.s.appraiser)
    assert _ids(client, "/api/assessment/rounds/") == {m.r1.pk, m.r2.pk}
    assert {s["unit_name"] for s in client.get(f"/api/assessment/rounds/{m.r1.pk}/sheets/").json()} == {
        "Sở Tư pháp",
        "Sở Y tế",
    }
    assert _ids(client, f"/api/assessment/rounds/{m.r1.pk}/assignments/") == {m.assignment.pk}
    client.force_login(m.users["appraiser_other"])
    assert _ids(client, "/api/assessment/rounds/") == set()
    client.force_login(m.users["viewer"])
    assert len(client.get(f"/api/assessment/rounds/{m.r1.pk}/sheets/").json()) == 3
