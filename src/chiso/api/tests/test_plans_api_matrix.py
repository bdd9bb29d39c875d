"""Role matrix of the plans API: every endpoint and method, for every kind of user.

Roles: admin, coordinator, leader, viewer (all on the province), the officer of the lead unit (Sở Tư
pháp), an officer of another unit (Sở Y tế), a signed-in outsider without a role, and anonymous.
403: may not (or not signed in / no role); 404: the object is outside the user's scope. Unit officers
see only issued or closed plans: a draft (and all in it) is 404 to them even with their unit's task.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction

from chiso.notifications.models import Reminder
from chiso.plans.models import Plan, Target, Task
from chiso.tracking.models import ProgressReport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

ROLES = ["admin", "coordinator", "leader", "viewer", "officer_lead", "officer_other", "outsider", "anonymous"]


@pytest.fixture
def scene(world, make_plan):
    w = world
    draft = make_plan(
        status="draft",
        tasks=[
            dict(
                text="Rà soát thủ tục hành chính",
                lead_unit=w.tuphap,
                coordinating=[w.xa1],
                deadline=dt.date(2025, 6, 30),
            )
        ],
        targets=[dict(index="papi", kind="places", value="2", label="Phấn đấu tăng tối thiểu 02 bậc")],
    )
    issued = make_plan(
        status="issued",
        title="Kế hoạch nâng cao Chỉ số PAPI năm 2025 (đã ban hành)",
        tasks=[
            dict(
                text="Công khai thủ tục trên Cổng dịch vụ công",
                lead_unit=w.tuphap,
                coordinating=[w.xa1],
                recurrence="quarterly",
                first_due=dt.date(2025, 3, 31),
            ),
            dict(text="Nâng cao chất lượng khám chữa bệnh", lead_unit=w.yte, deadline=dt.date(2025, 9, 30)),
        ],
        targets=[dict(index="papi", kind="places", value="3", label="Phấn đấu tăng tối thiểu 03 bậc")],
    )
    t1 = draft.tasks.get()
    t2, t3 = issued.tasks.order_by("order")
    r_tp = ProgressReport.objects.create(
        task=t2, unit=w.tuphap, period="2025-Q1", state="in_progress", percent=30
    )
    r_xa = ProgressReport.objects.create(
        task=t2, unit=w.xa1, period="2025-Q1", state="in_progress", percent=20
    )
    r_yt = ProgressReport.objects.create(
        task=t3, unit=w.yte, period="2025-Q1", state="in_progress", percent=50
    )
    for user, task in ((w.officer_tp, t2), (w.officer_yt, t3)):
        Reminder.objects.create(
            about=task,
            user=user,
            kind="d7",
            channel="app",
            due=dt.date(2025, 3, 31),
            subject=f"Nhắc: {task.text}",
        )
    return SimpleNamespace(
        w=w,
        draft=draft,
        issued=issued,
        t1=t1,
        t2=t2,
        t3=t3,
        target=draft.targets.get(),
        issued_target=issued.targets.get(),
        r_tp=r_tp,
        r_xa=r_xa,
        r_yt=r_yt,
    )


def _user(w, role):
    return {
        "admin": w.admin,
        "coordinator": w.coordinator,
        "leader": w.leader,
        "viewer": w.viewer,
        "officer_lead": w.officer_tp,
        "officer_other": w.officer_yt,
        "outsider": w.outsider,
        "anonymous": None,
    }[role]


def _codes(admin, coordinator, leader, viewer, officer_lead, officer_other, outsider=403, anonymous=403):
    return dict(
        zip(
            ROLES,
            (admin, coordinator, leader, viewer, officer_lead, officer_other, outsider, anonymous),
            strict=True,
        )
    )


# A draft is the oversight roles' business only: both officers get 404 (the lead unit's one too).
READ_DRAFT = _codes(200, 200, 200, 200, 404, 404)
EDIT_DRAFT = _codes(200, 200, 403, 403, 404, 404)
CREATE_IN_DRAFT = _codes(201, 201, 403, 403, 404, 404)
DELETE_IN_DRAFT = _codes(204, 204, 403, 403, 404, 404)
# Rows of the issued plan tied to the lead unit's task: its officer sees them, the other officer does not.
READ_LEAD_TASK = _codes(200, 200, 200, 200, 200, 404)
EVERYONE = _codes(200, 200, 200, 200, 200, 200)


def _plan_body(s):
    return {
        "issuing_unit": s.w.province.pk,
        "title": "Kế hoạch cải thiện Chỉ số PAR INDEX năm 2026",
        "year": 2026,
        "results_year": 2025,
        "indices": ["par"],
    }


def _task_body(s):
    return {"text": "Tập huấn kỹ năng tiếp công dân", "lead_unit": s.w.tuphap.pk, "deadline": "30/09/2025"}


def _target_body(s):
    return {"index": "papi", "kind": "score", "value": "45"}


def _report_body(s):
    return {"unit": s.w.tuphap.pk, "period": "2025-Q2", "state": "in_progress", "percent": 40}


# (name, method, url, body, expected codes per role)
MATRIX = [
    ("plans list", "get", lambda s: "/api/plans/", None, EVERYONE),
    ("plan create", "post", lambda s: "/api/plans/", _plan_body, _codes(201, 201, 403, 403, 403, 403)),
    ("plan read draft", "get", lambda s: f"/api/plans/{s.draft.pk}/", None, READ_DRAFT),
    ("plan read issued", "get", lambda s: f"/api/plans/{s.issued.pk}/", None, EVERYONE),
    (
        "plan patch draft",
        "patch",
        lambda s: f"/api/plans/{s.draft.pk}/",
        lambda s: {"title": "Tên mới"},
        EDIT_DRAFT,
    ),
    ("plan put draft", "put", lambda s: f"/api/plans/{s.draft.pk}/", _plan_body, EDIT_DRAFT),
    (
        "plan patch issued (locked)",
        "patch",
        lambda s: f"/api/plans/{s.issued.pk}/",
        lambda s: {"title": "Tên mới"},
        _codes(403, 403, 403, 403, 403, 403),
    ),
    ("plan delete draft", "delete", lambda s: f"/api/plans/{s.draft.pk}/", None, DELETE_IN_DRAFT),
    (
        "plan delete issued",
        "delete",
        lambda s: f"/api/plans/{s.issued.pk}/",
        None,
        _codes(403, 403, 403, 403, 403, 403),
    ),
    (
        "plan submit",
        "post",
        lambda s: f"/api/plans/{s.draft.pk}/transition/",
        lambda s: {"action": "submit"},
        _codes(200, 200, 403, 403, 404, 404),
    ),
    (
        "plan close",
        "post",
        lambda s: f"/api/plans/{s.issued.pk}/transition/",
        lambda s: {"action": "close"},
        _codes(200, 200, 200, 403, 403, 403),
    ),
    ("targets list", "get", lambda s: f"/api/plans/{s.draft.pk}/targets/", None, READ_DRAFT),
    ("target create", "post", lambda s: f"/api/plans/{s.draft.pk}/targets/", _target_body, CREATE_IN_DRAFT),
    ("target read", "get", lambda s: f"/api/targets/{s.target.pk}/", None, READ_DRAFT),
    ("target patch", "patch", lambda s: f"/api/targets/{s.target.pk}/", lambda s: {"order": 5}, EDIT_DRAFT),
    ("target put", "put", lambda s: f"/api/targets/{s.target.pk}/", _target_body, EDIT_DRAFT),
    ("target delete", "delete", lambda s: f"/api/targets/{s.target.pk}/", None, DELETE_IN_DRAFT),
    ("targets list issued", "get", lambda s: f"/api/plans/{s.issued.pk}/targets/", None, EVERYONE),
    ("target read issued", "get", lambda s: f"/api/targets/{s.issued_target.pk}/", None, EVERYONE),
    (
        "target of issued plan patch",
        "patch",
        lambda s: f"/api/targets/{s.issued_target.pk}/",
        lambda s: {"order": 5},
        _codes(403, 403, 403, 403, 403, 403),
    ),
    ("tasks list draft", "get", lambda s: f"/api/plans/{s.draft.pk}/tasks/", None, READ_DRAFT),
    ("tasks list issued", "get", lambda s: f"/api/plans/{s.issued.pk}/tasks/", None, EVERYONE),
    ("task create", "post", lambda s: f"/api/plans/{s.draft.pk}/tasks/", _task_body, CREATE_IN_DRAFT),
    ("task read", "get", lambda s: f"/api/tasks/{s.t1.pk}/", None, READ_DRAFT),
    ("task patch", "patch", lambda s: f"/api/tasks/{s.t1.pk}/", lambda s: {"product": "Báo cáo"}, EDIT_DRAFT),
    ("task put", "put", lambda s: f"/api/tasks/{s.t1.pk}/", _task_body, EDIT_DRAFT),
    ("task delete", "delete", lambda s: f"/api/tasks/{s.t1.pk}/", None, DELETE_IN_DRAFT),
    ("task of issued plan read", "get", lambda s: f"/api/tasks/{s.t2.pk}/", None, READ_LEAD_TASK),
    (
        "task of issued plan patch",
        "patch",
        lambda s: f"/api/tasks/{s.t2.pk}/",
        lambda s: {"product": "Báo cáo"},
        _codes(403, 403, 403, 403, 403, 404),
    ),
    ("reports list", "get", lambda s: f"/api/tasks/{s.t2.pk}/reports/", None, READ_LEAD_TASK),
    (
        "report create",
        "post",
        lambda s: f"/api/tasks/{s.t2.pk}/reports/",
        _report_body,
        _codes(201, 201, 403, 403, 201, 404),
    ),
    (
        "report on another unit's task",
        "post",
        lambda s: f"/api/tasks/{s.t3.pk}/reports/",
        lambda s: {"unit": s.w.yte.pk, "period": "2025-Q2", "state": "in_progress", "percent": 60},
        _codes(201, 201, 403, 403, 404, 201),
    ),
    ("report read (lead unit's)", "get", lambda s: f"/api/reports/{s.r_tp.pk}/", None, READ_LEAD_TASK),
    (
        "report read (coordinating unit's)",
        "get",
        lambda s: f"/api/reports/{s.r_xa.pk}/",
        None,
        READ_LEAD_TASK,
    ),
    (
        "report read (other unit's)",
        "get",
        lambda s: f"/api/reports/{s.r_yt.pk}/",
        None,
        _codes(200, 200, 200, 200, 404, 200),
    ),
    (
        "report put (read-only)",
        "put",
        lambda s: f"/api/reports/{s.r_tp.pk}/",
        _report_body,
        _codes(*[405] * 6),
    ),
    ("reminders", "get", lambda s: "/api/reminders/", None, EVERYONE),
]


def _call(client, method, url, data):
    if data is None:
        return getattr(client, method)(url)
    # A change names the version it replaces (If-Match, chiso.api.concurrency); "*": roles are tested here.
    headers = {"HTTP_IF_MATCH": "*"} if method in ("put", "patch") else {}
    return getattr(client, method)(url, data, content_type="application/json", **headers)


@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_role_matrix(client, scene, name, method, url, body, expected):
    """Each role's request runs in a savepoint rolled back afterwards: every role meets the same data."""
    got, problems = {}, []
    for role in ROLES:
        user = _user(scene.w, role)
        client.logout()
        if user is not None:
            client.force_login(user)
        savepoint = transaction.savepoint()
        try:
            response = _call(client, method, url(scene), body(scene) if body is not None else None)
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
    return (
        list(Plan.objects.order_by("pk").values()),
        list(Target.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values()),
        list(ProgressReport.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize(
    "role", ["leader", "viewer", "officer_lead", "officer_other", "outsider", "anonymous"]
)
def test_refused_writes_change_nothing(client, scene, role):
    user = _user(scene.w, role)
    if user is not None:
        client.force_login(user)
    before = _snapshot()
    calls = [
        ("post", "/api/plans/", _plan_body(scene)),
        ("patch", f"/api/plans/{scene.draft.pk}/", {"title": "X"}),
        ("delete", f"/api/plans/{scene.draft.pk}/", None),
        ("post", f"/api/plans/{scene.draft.pk}/targets/", _target_body(scene)),
        ("patch", f"/api/targets/{scene.target.pk}/", {"order": 9}),
        ("delete", f"/api/targets/{scene.target.pk}/", None),
        ("post", f"/api/plans/{scene.draft.pk}/tasks/", _task_body(scene)),
        ("patch", f"/api/tasks/{scene.t1.pk}/", {"text": "X"}),
        ("delete", f"/api/tasks/{scene.t1.pk}/", None),
    ]
    if role != "officer_lead":
        calls.append(("post", f"/api/tasks/{scene.t2.pk}/reports/", _report_body(scene)))
    for method, url, data in calls:
        response = _call(client, method, url, data)
        assert response.status_code in (403, 404), (role, method, url, response.status_code)
    assert _snapshot() == before


# --- an officer of another unit gets none of the foreign rows ----------------------------------------


def _ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


def test_officer_of_another_unit_sees_no_foreign_rows(client, scene):
    client.force_login(scene.w.officer_yt)
    assert _ids(client, "/api/plans/") == {scene.issued.pk}  # only through her own task
    assert _ids(client, f"/api/plans/{scene.issued.pk}/tasks/") == {scene.t3.pk}
    assert _ids(client, f"/api/tasks/{scene.t3.pk}/reports/") == {scene.r_yt.pk}
    reminders = client.get("/api/reminders/").json()["results"]
    assert [r["task"] for r in reminders] == [scene.t3.pk]


def test_officer_of_the_lead_unit_sees_her_tasks_and_the_coordinating_reports(client, scene):
    client.force_login(scene.w.officer_tp)
    # The draft holds her unit's task too, but she sees only the issued plan.
    assert _ids(client, "/api/plans/") == {scene.issued.pk}
    assert client.get(f"/api/plans/{scene.draft.pk}/").status_code == 404
    assert client.get(f"/api/plans/{scene.draft.pk}/tasks/").status_code == 404
    assert client.get(f"/api/tasks/{scene.t1.pk}/").status_code == 404
    assert _ids(client, f"/api/plans/{scene.issued.pk}/tasks/") == {scene.t2.pk}
    assert _ids(client, f"/api/tasks/{scene.t2.pk}/reports/") == {scene.r_tp.pk, scene.r_xa.pk}
    assert client.get(f"/api/tasks/{scene.t3.pk}/reports/").status_code == 404


def test_officer_of_a_coordinating_unit_sees_only_her_own_report(client, scene):
    client.force_login(scene.w.officer_xa)
    assert _ids(client, f"/api/tasks/{scene.t2.pk}/reports/") == {scene.r_xa.pk}
    assert client.get(f"/api/reports/{scene.r_tp.pk}/").status_code == 404
    assert client.get(f"/api/reports/{scene.r_xa.pk}/").status_code == 200
    # She reports for her commune, never for the lead unit.
    body = {"unit": scene.w.tuphap.pk, "period": "2025-Q2", "state": "in_progress", "percent": 10}
    response = client.post(f"/api/tasks/{scene.t2.pk}/reports/", body, content_type="application/json")
    assert response.status_code == 403
    assert "Sở Tư pháp" in response.json()["detail"]
    body["unit"] = scene.w.xa1.pk
    response = client.post(f"/api/tasks/{scene.t2.pk}/reports/", body, content_type="application/json")
    assert response.status_code == 201


def test_oversight_roles_see_every_row(client, scene):
    for user in (scene.w.coordinator, scene.w.leader, scene.w.viewer, scene.w.admin):
        client.force_login(user)
        assert {scene.draft.pk, scene.issued.pk} <= _ids(client, "/api/plans/")
        assert _ids(client, f"/api/plans/{scene.issued.pk}/tasks/") == {scene.t2.pk, scene.t3.pk}
        assert _ids(client, f"/api/tasks/{scene.t2.pk}/reports/") == {scene.r_tp.pk, scene.r_xa.pk}
        client.logout()


def test_reminders_are_only_ones_own(client, scene):
    client.force_login(scene.w.coordinator)
    assert client.get("/api/reminders/").json()["results"] == []
    client.force_login(scene.w.officer_tp)
    [mine] = client.get("/api/reminders/").json()["results"]
    assert mine["task"] == scene.t2.pk and mine["kind"] == "d7"
