"""The plans API as a client uses it: create and edit plans, targets and tasks, take workflow steps,
report progress; bad input is refused in Vietnamese and changes nothing; every change is in history.
The responses match the OpenAPI schema."""

from __future__ import annotations

import copy
import datetime as dt
import unicodedata

import jsonschema
import pytest

from chiso.api.tests.test_openapi import _operation, _strict, generated  # noqa: F401
from chiso.plans.models import Plan, Target, Task
from chiso.tracking.models import ProgressReport
from chiso.units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

JSON = {"content_type": "application/json"}


@pytest.fixture
def coord(client, world):
    client.force_login(world.coordinator)
    return client


def _vietnamese(payload) -> bool:
    return any(ord(c) > 127 for c in str(payload))


# --- plans -----------------------------------------------------------------------------------------


def test_create_plan_nfc_defaults_and_history(coord, world):
    title = unicodedata.normalize("NFD", "Kế hoạch cải thiện Chỉ số PAPI năm 2026")
    body = {
        "issuing_unit": world.province.pk,
        "title": title,
        "year": 2026,
        "indices": ["papi", "par"],
        "recipients": ["Bộ Nội vụ;", "  ", unicodedata.normalize("NFD", "Sở Tư pháp;")],
        "report_deadlines": ["15/06/2026", "2026-12-15"],
        "date": "20/03/2026",
    }
    response = coord.post("/api/plans/", body, **JSON)
    assert response.status_code == 201, response.json()
    data = response.json()
    plan = Plan.objects.get(pk=data["id"])
    assert plan.title == unicodedata.normalize("NFC", title)
    assert plan.status == "draft" and plan.created_by == world.coordinator
    assert plan.results_year == 2025  # default: the year before
    assert plan.recipients == ["Bộ Nội vụ;", "Sở Tư pháp;"]
    assert plan.report_deadlines == ["2026-06-15", "2026-12-15"]
    assert plan.date == dt.date(2026, 3, 20)
    assert data["can_edit"] is True
    assert [t["action"] for t in data["transitions"]] == ["submit"]
    [record] = plan.history.all()
    assert record.history_type == "+" and record.history_user == world.coordinator


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"title": ""}, "title", "không được bỏ trống"),
        ({"year": "hai nghìn"}, "year", "số nguyên"),
        ({"year": 1990}, "year", "lớn hơn hoặc bằng 2000"),
        ({"year_to": 2025}, "year_to", "Năm kết thúc"),
        ({"results_year": 2027}, "results_year", "không được sau"),
        ({"indices": ["abc"]}, "indices", "không hợp lệ"),
        ({"indices": []}, "indices", "không được rỗng"),
        ({"issuing_unit": 99999999}, "issuing_unit", "Không có đối tượng"),
        ({"date": "31/02/2026"}, "date", "dd/mm/yyyy"),
    ],
)
def test_bad_plan_is_refused_in_vietnamese(coord, world, change, field, words):
    body = {
        "issuing_unit": world.province.pk,
        "title": "Kế hoạch",
        "year": 2026,
        "indices": ["papi"],
        **change,
    }
    count = Plan.objects.count()
    response = coord.post("/api/plans/", body, **JSON)
    assert response.status_code == 400
    errors = response.json()
    assert words in str(errors[field]), errors
    assert Plan.objects.count() == count


def test_missing_fields_and_broken_json(coord):
    response = coord.post("/api/plans/", {}, **JSON)
    assert response.status_code == 400
    assert response.json()["title"] == ["Trường này là bắt buộc."]
    response = coord.post("/api/plans/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"] and _vietnamese(response.json())


def test_json_nested_too_deep_is_refused_in_vietnamese_not_a_server_error(coord, world):
    # a few kilobytes of brackets: deeper than Python's JSON reader goes, or than any chiso request needs
    for depth in (5000, 900, 33):
        body = '{"title": "KH", "legal_basis": ' + "[" * depth + "]" * depth + "}"
        response = coord.post("/api/plans/", body, content_type="application/json")
        assert response.status_code == 400, depth
        assert response.json() == {"detail": "Dữ liệu JSON lồng nhau quá sâu (tối đa 32 tầng)."}
    assert not Plan.objects.exists()


def test_coordinator_cannot_create_for_another_province(coord):
    kon_tum = Unit.objects.get(kind="province", code="62", valid_from__isnull=True)
    body = {"issuing_unit": kon_tum.pk, "title": "Kế hoạch", "year": 2026, "indices": ["papi"]}
    response = coord.post("/api/plans/", body, **JSON)
    assert response.status_code == 403
    assert "Kon Tum" in response.json()["detail"]


def test_plan_list_filters(client, world, make_plan):
    a = make_plan(status="draft", indices=["papi"], year=2025)
    b = make_plan(status="issued", indices=["par", "sipas"], year=2024, year_to=2026, title="Kế hoạch PAR")
    client.force_login(world.viewer)

    def ids(**params):
        response = client.get("/api/plans/", params)
        assert response.status_code == 200, response.json()
        return {p["id"] for p in response.json()["results"]} & {a.pk, b.pk}

    assert ids() == {a.pk, b.pk}
    assert ids(status="issued") == {b.pk}
    assert ids(index="papi") == {a.pk}
    assert ids(index="sipas") == {b.pk}
    assert ids(year=2026) == {b.pk}
    assert ids(year=2025) == {a.pk, b.pk}
    assert ids(issuing_unit=world.province.pk) == {a.pk, b.pk}
    assert ids(issuing_unit=world.tuphap.pk) == set()
    for bad in ({"status": "xong"}, {"index": "gdp"}, {"year": "abc"}):
        response = client.get("/api/plans/", bad)
        assert response.status_code == 400 and _vietnamese(response.json())


def test_edit_and_delete_plan(coord, world, make_plan):
    plan = make_plan(status="draft")
    response = coord.patch(
        f"/api/plans/{plan.pk}/", {"signer_name": "Nguyễn Văn A", "year_to": 2026}, HTTP_IF_MATCH="*", **JSON
    )
    assert response.status_code == 200, response.json()
    plan.refresh_from_db()
    assert (plan.signer_name, plan.year_to) == ("Nguyễn Văn A", 2026)
    assert plan.history.first().history_user == world.coordinator
    response = coord.patch(f"/api/plans/{plan.pk}/", {"year_to": 2020}, HTTP_IF_MATCH="*", **JSON)
    assert response.status_code == 400 and plan.history.count() == 2
    assert coord.delete(f"/api/plans/{plan.pk}/").status_code == 204
    assert not Plan.objects.filter(pk=plan.pk).exists()
    deleted = Plan.history.filter(id=plan.pk, history_type="-").get()
    assert deleted.history_user == world.coordinator


def test_submitted_plan_is_editable_not_deletable_and_issued_is_locked(coord, make_plan):
    submitted = make_plan(status="submitted")
    assert (
        coord.patch(
            f"/api/plans/{submitted.pk}/", {"place": "Quảng Ngãi"}, HTTP_IF_MATCH="*", **JSON
        ).status_code
        == 200
    )
    response = coord.delete(f"/api/plans/{submitted.pk}/")
    assert response.status_code == 403 and "dự thảo" in response.json()["detail"]
    issued = make_plan(status="issued")
    response = coord.patch(f"/api/plans/{issued.pk}/", {"title": "Khác"}, HTTP_IF_MATCH="*", **JSON)
    assert response.status_code == 403
    assert "khóa" in response.json()["detail"] and "sửa đổi" in response.json()["detail"]
    assert Plan.objects.get(pk=issued.pk).title != "Khác"


# --- workflow -------------------------------------------------------------------------------------


def test_workflow_through_the_api(client, world, make_plan):
    plan = make_plan(status="draft", signer_name="Nguyễn Văn An")
    url = f"/api/plans/{plan.pk}/transition/"
    client.force_login(world.coordinator)
    response = client.post(url, {"action": "submit", "comment": "Kính trình"}, **JSON)
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert response.json()["status_label"] == "Đã trình"
    client.force_login(world.leader)
    response = client.post(url, {"action": "return"}, **JSON)
    assert response.status_code == 400 and "lý do" in response.json()["detail"]
    assert client.post(url, {"action": "approve"}, **JSON).status_code == 200
    response = client.post(url, {"action": "issue"}, **JSON)
    assert response.status_code == 400 and "số văn bản" in response.json()["detail"]
    assert Plan.objects.get(pk=plan.pk).status == "approved"
    response = client.post(url, {"action": "issue", "number": "3993", "date": "15/03/2025"}, **JSON)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["number_symbol"], data["date"]) == ("issued", "3993/KH-UBND", "2025-03-15")
    assert data["locked"] is True and data["can_edit"] is False
    assert list(plan.events.all().values_list("action", flat=True)) == [
        "submit",
        "approve",
        "issue",
    ]
    assert plan.history.first().history_user == world.leader
    response = client.post(url, {"action": "approve"}, **JSON)
    assert response.status_code == 409 and "Đã ban hành" in response.json()["detail"]
    response = client.post(url, {"action": "bay"}, **JSON)
    assert response.status_code == 400 and "submit" in str(response.json()["action"])


# --- targets --------------------------------------------------------------------------------------


def test_target_is_checked_against_the_results(coord, world, make_plan):
    plan = make_plan(status="draft")
    response = coord.post(
        f"/api/plans/{plan.pk}/targets/", {"index": "papi", "kind": "places", "value": "2"}, **JSON
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["baseline_year"] == 2024 and data["baseline_rank"] and data["baseline_score"]
    assert data["needed_points"] is not None and data["met"] is False
    assert "tăng tối thiểu 02 bậc" in data["label"]
    target = Target.objects.get(pk=data["id"])
    assert target.history.get().history_user == world.coordinator
    # A score already reached is flagged as met.
    response = coord.patch(
        f"/api/targets/{target.pk}/", {"kind": "score", "value": "1,5"}, HTTP_IF_MATCH="*", **JSON
    )
    assert response.status_code == 200, response.json()
    assert response.json()["met"] is True and response.json()["needed_points"] == 0
    assert Target.objects.get(pk=target.pk).value == "1,5" or Target.objects.get(pk=target.pk).value == "1.5"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"index": "papi", "kind": "score", "value": "99"}, "non_field_errors"),  # beyond the maximum
        ({"index": "papi", "kind": "percent", "value": "120"}, "value"),
        ({"index": "papi", "kind": "rank", "value": "nhất"}, "value"),
        ({"index": "papi", "kind": "stars", "value": "3"}, "kind"),
        ({"index": "sipas", "kind": "score", "value": "80"}, "index"),  # not an index of the plan
        ({"index": "papi", "node_code": "D99", "kind": "score", "value": "1"}, "non_field_errors"),
    ],
)
def test_bad_target_changes_nothing(coord, make_plan, body, field):
    plan = make_plan(status="draft")
    response = coord.post(f"/api/plans/{plan.pk}/targets/", body, **JSON)
    assert response.status_code == 400
    errors = response.json()
    assert field in errors and _vietnamese(errors[field]), errors
    assert not plan.targets.exists()


# --- tasks -----------------------------------------------------------------------------------------


def test_create_and_edit_task(coord, world, make_plan):
    plan = make_plan(status="draft")
    body = {
        "text": unicodedata.normalize("NFD", "Công khai thủ tục hành chính"),
        "index": "papi",
        "nodes": ["D4.1"],
        "lead_unit": world.tuphap.pk,
        "coordinating_units": [world.xa1.pk, world.tuphap.pk],
        "recurrence": "quarterly",
        "first_due": "31/03/2025",
        "priority": 1,
    }
    response = coord.post(f"/api/plans/{plan.pk}/tasks/", body, **JSON)
    assert response.status_code == 201, response.json()
    data = response.json()
    task = Task.objects.get(pk=data["id"])
    assert task.text == "Công khai thủ tục hành chính"
    assert list(task.coordinating_units.all()) == [world.xa1]  # the lead is not also coordinating
    assert data["coordinating"] == [{"id": world.xa1.pk, "code": "QNG-X1", "name": "Xã Đăk Hà"}]
    assert data["first_due"] == "2025-03-31" and data["order"] == 1
    assert task.history.first().history_user == world.coordinator
    response = coord.patch(
        f"/api/tasks/{task.pk}/", {"product": "Báo cáo kết quả"}, HTTP_IF_MATCH="*", **JSON
    )
    assert response.status_code == 200
    assert list(Task.objects.get(pk=task.pk).coordinating_units.all()) == [world.xa1]  # kept
    assert coord.delete(f"/api/tasks/{task.pk}/").status_code == 204
    assert Task.history.filter(id=task.pk, history_type="-").get().history_user == world.coordinator


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": ""}, "text"),
        ({"lead_unit": None}, "lead_unit"),
        ({"deadline": None}, "deadline"),  # a one-off task needs a deadline
        ({"recurrence": "annual", "first_due": None}, "first_due"),
        ({"recurrence": "annual", "first_due": "31/12/2025", "deadline": "30/06/2025"}, "first_due"),
        ({"nodes": ["D4.1"], "index": ""}, "index"),
        ({"nodes": ["Z9"]}, "nodes"),
        ({"priority": 7}, "priority"),
        ({"recurrence": "daily"}, "recurrence"),
        ({"deadline": "2025-13-01"}, "deadline"),
    ],
)
def test_bad_task_changes_nothing(coord, world, make_plan, change, field):
    plan = make_plan(status="draft")
    body = {
        "text": "Nhiệm vụ",
        "index": "papi",
        "lead_unit": world.tuphap.pk,
        "deadline": "30/06/2025",
        **change,
    }
    response = coord.post(f"/api/plans/{plan.pk}/tasks/", body, **JSON)
    assert response.status_code == 400
    errors = response.json()
    assert field in errors and _vietnamese(errors[field]), errors
    assert not plan.tasks.exists()


def test_task_units_must_belong_to_the_plan(coord, world, make_plan):
    plan = make_plan(status="draft")
    kon_tum = Unit.objects.get(kind="province", code="62", valid_from__isnull=True)
    body = {"text": "Nhiệm vụ", "lead_unit": kon_tum.pk, "deadline": "30/06/2025"}
    response = coord.post(f"/api/plans/{plan.pk}/tasks/", body, **JSON)
    assert response.status_code == 400 and "địa phương" in str(response.json()["lead_unit"])


# --- progress reports -----------------------------------------------------------------------------


@pytest.fixture
def issued_task(world, make_plan):
    plan = make_plan(
        status="issued",
        tasks=[
            dict(
                text="Số hóa hồ sơ",
                lead_unit=world.tuphap,
                coordinating=[world.xa1],
                deadline=dt.date(2025, 9, 30),
            )
        ],
    )
    return plan.tasks.get()


def test_officer_reports_progress_and_the_task_follows(client, world, issued_task):
    client.force_login(world.officer_tp)
    url = f"/api/tasks/{issued_task.pk}/reports/"
    body = {"period": "2025-q1", "state": "in_progress", "percent": 40, "narrative": "Đã số hóa 40%"}
    response = client.post(url, body, **JSON)  # her only unit: no need to name it
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["unit"], data["period"], data["period_label"]) == (world.tuphap.pk, "2025-Q1", "Quý I/2025")
    assert data["submitted_by"] == world.officer_tp.username
    task = Task.objects.get(pk=issued_task.pk)
    assert (task.progress, task.done) == (40, False)
    # Again for the same period: the report is updated, not duplicated.
    response = client.post(url, {**body, "percent": 60}, **JSON)
    assert response.status_code == 200
    report = ProgressReport.objects.get(task=issued_task)
    assert report.percent == 60 and report.history.count() == 2
    assert report.history.first().history_user == world.officer_tp
    done = {
        "period": "2025-Q2",
        "state": "done",
        "percent": 80,
        "product_number": "12/QĐ-STP",
        "product_date": "20/06/2025",
        "product_issuer": "Sở Tư pháp",
    }
    response = client.post(url, done, **JSON)
    assert response.status_code == 201 and response.json()["percent"] == 100
    task.refresh_from_db()
    assert (task.progress, task.done, task.done_on) == (100, True, dt.date(2025, 6, 20))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"percent": 150}, "percent"),
        ({"percent": -1}, "percent"),
        ({"percent": "nhiều"}, "percent"),
        ({"period": "2025-Q5"}, "period"),
        ({"period": "2019"}, "period"),  # outside the plan's years
        ({"state": "done"}, "product_number"),
        ({"state": "paused"}, "state"),
        ({"unit": 99999999}, "unit"),
    ],
)
def test_bad_report_changes_nothing(client, world, issued_task, change, field):
    client.force_login(world.officer_tp)
    body = {"period": "2025-Q1", "state": "in_progress", "percent": 40, **change}
    response = client.post(f"/api/tasks/{issued_task.pk}/reports/", body, **JSON)
    assert response.status_code == 400
    errors = response.json()
    assert field in errors and _vietnamese(errors[field]), errors
    assert not ProgressReport.objects.exists()
    assert Task.objects.get(pk=issued_task.pk).progress == 0


def test_reports_need_an_issued_plan_and_a_unit_of_the_task(client, world, make_plan, issued_task):
    draft = make_plan(
        status="draft", tasks=[dict(text="Dự thảo", lead_unit=world.tuphap, deadline=dt.date(2025, 9, 30))]
    )
    closed = make_plan(
        status="closed", tasks=[dict(text="Đã xong", lead_unit=world.tuphap, deadline=dt.date(2025, 9, 30))]
    )
    client.force_login(world.officer_tp)
    body = {"period": "2025-Q1", "state": "in_progress", "percent": 10}
    # A draft is not the officer's business yet (her unit's task notwithstanding): not found.
    response = client.post(f"/api/tasks/{draft.tasks.get().pk}/reports/", body, **JSON)
    assert response.status_code == 404
    # A closed plan she still sees, but it takes no more reports.
    response = client.post(f"/api/tasks/{closed.tasks.get().pk}/reports/", body, **JSON)
    assert response.status_code == 403 and "ban hành" in response.json()["detail"]
    client.force_login(world.coordinator)  # sees the draft, but reports need an issued plan
    response = client.post(
        f"/api/tasks/{draft.tasks.get().pk}/reports/", {**body, "unit": world.tuphap.pk}, **JSON
    )
    assert response.status_code == 403 and "ban hành" in response.json()["detail"]
    # may report for several units: must name one
    response = client.post(f"/api/tasks/{issued_task.pk}/reports/", body, **JSON)
    assert response.status_code == 400 and "unit" in response.json()
    response = client.post(f"/api/tasks/{issued_task.pk}/reports/", {**body, "unit": world.yte.pk}, **JSON)
    assert response.status_code == 400 and "Sở Y tế" in str(response.json()["unit"])
    assert not ProgressReport.objects.exists()


def test_reminders_unread_filter(client, world, issued_task):
    from chiso.notifications.models import Reminder

    for kind, read in (("d7", None), ("d3", dt.datetime(2025, 3, 29, tzinfo=dt.UTC))):
        Reminder.objects.create(
            about=issued_task,
            user=world.officer_tp,
            kind=kind,
            channel="app",
            due=dt.date(2025, 3, 31),
            subject=f"Nhắc {kind}",
            read_at=read,
        )
    client.force_login(world.officer_tp)
    assert [r["kind"] for r in client.get("/api/reminders/?unread=true").json()["results"]] == ["d7"]
    assert client.get("/api/reminders/").json()["count"] == 2
    assert client.get("/api/reminders/?unread=peut-etre").status_code == 400


def test_http_basic_writes(client, world, make_plan):
    import base64

    plan = make_plan(status="draft")
    token = base64.b64encode(b"dieuphoi_kh:mat-khau-thu-nghiem").decode()
    response = client.patch(
        f"/api/plans/{plan.pk}/",
        {"place": "Quảng Ngãi"},
        HTTP_AUTHORIZATION=f"Basic {token}",
        HTTP_IF_MATCH="*",
        **JSON,
    )
    assert response.status_code == 200
    assert plan.history.first().history_user == world.coordinator


# --- responses against the schema -----------------------------------------------------------------


def test_responses_match_the_schema(generated, client, world, make_plan, issued_task):  # noqa: F811
    plan = make_plan(
        status="draft", targets=[dict(index="papi", kind="places", value="2", label="Tăng 2 bậc")]
    )
    task_body = {"text": "Nhiệm vụ", "lead_unit": world.tuphap.pk, "deadline": "30/06/2025"}
    components = generated["components"]["schemas"]

    def check(method, url, status, body=None, template=None, **headers):
        call = getattr(client, method)
        response = call(url, body, **JSON, **headers) if body is not None else call(url, **headers)
        assert response.status_code == status, (url, response.content[:300])
        operation = generated["paths"][template][method] if template else _operation(generated, url)
        documented = operation["responses"][str(status)]
        if "content" in documented:
            schema = _strict(copy.deepcopy(documented["content"]["application/json"]["schema"]), components)
            jsonschema.validate(response.json(), schema)
        return response

    client.force_login(world.coordinator)
    check("get", "/api/plans/", 200)
    check("get", f"/api/plans/{plan.pk}/", 200)
    check("get", "/api/plans/999999/", 404)
    new = check(
        "post",
        "/api/plans/",
        201,
        {"issuing_unit": world.province.pk, "title": "Kế hoạch", "year": 2026, "indices": ["papi"]},
        "/api/plans/",
    ).json()
    etag = f'"{new["revision"]}"'
    check("patch", f"/api/plans/{new['id']}/", 428, {"title": "Kế hoạch mới"}, "/api/plans/{id}/")
    check(
        "patch",
        f"/api/plans/{new['id']}/",
        200,
        {"title": "Kế hoạch mới"},
        "/api/plans/{id}/",
        HTTP_IF_MATCH=etag,
    )
    check("patch", f"/api/plans/{new['id']}/", 412, {"title": "Khác"}, "/api/plans/{id}/", HTTP_IF_MATCH=etag)
    check("patch", f"/api/plans/{new['id']}/", 400, {"year": "x"}, "/api/plans/{id}/", HTTP_IF_MATCH="*")
    check("get", f"/api/plans/{plan.pk}/targets/", 200)
    target = check(
        "post",
        f"/api/plans/{plan.pk}/targets/",
        201,
        {"index": "papi", "kind": "places", "value": 1},
        "/api/plans/{plan_id}/targets/",
    ).json()
    check("get", f"/api/targets/{target['id']}/", 200)
    task = check("post", f"/api/plans/{plan.pk}/tasks/", 201, task_body, "/api/plans/{plan_id}/tasks/").json()
    check("get", f"/api/plans/{plan.pk}/tasks/", 200)
    check("get", f"/api/tasks/{task['id']}/", 200)
    check(
        "post", f"/api/plans/{plan.pk}/transition/", 200, {"action": "submit"}, "/api/plans/{id}/transition/"
    )
    check("get", f"/api/tasks/{issued_task.pk}/reports/", 200)
    client.force_login(world.officer_tp)
    report = check(
        "post",
        f"/api/tasks/{issued_task.pk}/reports/",
        201,
        {"period": "2025-Q1", "state": "in_progress", "percent": 5},
        "/api/tasks/{task_id}/reports/",
    ).json()
    check("get", f"/api/reports/{report['id']}/", 200)
    check("get", "/api/reminders/", 200)
    # The officer sees the issued plan (her unit's task) but may not change it; the submitted one she
    # does not see at all.
    check(
        "patch",
        f"/api/plans/{issued_task.plan_id}/",
        403,
        {"title": "x"},
        "/api/plans/{id}/",
        HTTP_IF_MATCH="*",
    )
    check("patch", f"/api/plans/{plan.pk}/", 404, {"title": "x"}, "/api/plans/{id}/", HTTP_IF_MATCH="*")


PLAN_PATHS = {
    "/api/plans/": {"get", "post"},
    "/api/plans/{id}/": {"get", "put", "patch", "delete"},
    "/api/plans/{id}/transition/": {"post"},
    "/api/plans/{plan_id}/targets/": {"get", "post"},
    "/api/plans/{plan_id}/tasks/": {"get", "post"},
    "/api/targets/{id}/": {"get", "put", "patch", "delete"},
    "/api/tasks/{id}/": {"get", "put", "patch", "delete"},
    "/api/tasks/{task_id}/reports/": {"get", "post"},
    "/api/reports/{id}/": {"get"},
    "/api/reminders/": {"get"},
}


def test_plan_endpoints_are_documented(generated):  # noqa: F811
    for path, methods in PLAN_PATHS.items():
        item = generated["paths"][path]
        assert set(item) - {"parameters"} == methods, path
        for method in methods:
            op = item[method]
            assert op.get("summary") and op.get("description"), (path, method)
            assert "403" in op["responses"], (path, method)
            if method != "get":
                assert "400" in op["responses"] or method == "delete", (path, method)
            for param in op.get("parameters", []):
                assert param.get("description"), (path, method, param["name"])
