"""The rules of a progress report live in chiso.tracking.services.execution (save_report, add_evidence),
who may in chiso.tracking.permissions. Each rule is tested once against the service (ValidationError on
its field or PermissionDenied, nothing saved, the task's state unchanged), then once per entry point that
reaches it: the task page's form and the API. No command writes reports."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.plans.models import Task
from chiso.tracking.models import REPORT_FIELDS, Evidence, ProgressReport
from chiso.tracking.services.execution import add_evidence, save_report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def task(world, make_plan):
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


def _report(**over) -> dict:
    return {"state": "in_progress", "percent": 40, "narrative": "Đã số hóa 40% hồ sơ", **over}


def _png():
    return SimpleUploadedFile("anh.pdf", PNG, content_type="application/pdf")


# (id, what the officer of the lead unit sends, the field refused, words of the message)
RULES = [
    ("percent from 0", {"percent": -1}, "percent", "Tiến độ phải từ 0 đến 100."),
    ("percent up to 100", {"percent": 120}, "percent", "Tiến độ phải từ 0 đến 100."),
    (
        "a task done names its product",
        {"state": "done"},
        "product_number",
        "Bắt buộc khi nhiệm vụ đã hoàn thành.",
    ),
    (
        "a task done names its product (the whole report)",
        {"state": "done", "product_number": "12/QĐ-STP"},
        NON_FIELD_ERRORS,
        "Nhiệm vụ đã hoàn thành: cần ghi sản phẩm (số văn bản, ngày, cơ quan ban hành).",
    ),
    ("a state", {"state": "paused"}, "state", "Chọn tình trạng thực hiện."),
    ("a period", {"period": "2025-Q5"}, "period", "Kỳ báo cáo “2025-Q5” không hợp lệ"),
    (
        "a period of the plan",
        {"period": "2019"},
        "period",
        "Kỳ báo cáo không thuộc thời gian thực hiện kế hoạch.",
    ),
    ("evidence files that pass the checks", {"files": "png"}, "evidence", "không đúng với đuôi .pdf"),
]
IDS = [r[0] for r in RULES]


def _call(task, user, unit, over: dict):
    data = _report(**over)
    period = data.pop("period", "2025-Q1")
    files = [_png()] if data.pop("files", None) else []
    return save_report(task, user, unit, period, data, files=files)


def _unchanged(task) -> bool:
    task = Task.objects.get(pk=task.pk)
    return not ProgressReport.objects.exists() and not Evidence.objects.exists() and task.progress == 0


# --------------------------------------------------------------------------- the service


@pytest.mark.parametrize(("name", "over", "field", "words"), RULES, ids=IDS)
def test_service_refuses_and_saves_nothing(world, task, name, over, field, words):
    with pytest.raises(ValidationError) as refused:
        _call(task, world.officer_tp, world.tuphap, over)
    assert words in " ".join(refused.value.message_dict.get(field, [])), refused.value.message_dict
    assert _unchanged(task)


def test_service_refuses_a_second_report_and_keeps_the_first(world, task):
    first = _call(task, world.officer_tp, world.tuphap, {})
    before = (ProgressReport.objects.filter(pk=first.pk).values().get(), first.history.count())
    with pytest.raises(ValidationError):
        _call(task, world.officer_tp, world.tuphap, {"percent": 150, "state": "done"})
    assert (ProgressReport.objects.filter(pk=first.pk).values().get(), first.history.count()) == before


def test_every_problem_at_once(world, task):
    with pytest.raises(ValidationError) as refused:
        _call(task, world.officer_tp, world.tuphap, {"percent": 150, "period": "2019", "files": "png"})
    assert set(refused.value.message_dict) == {"percent", "period", "evidence"}


def test_the_unit_reported_for(world, task):
    """The unit: one of the task's (else a problem of "unit"); left out, the user's only one."""
    with pytest.raises(ValidationError) as refused:
        _call(task, world.coordinator, world.yte, {})
    assert refused.value.message_dict["unit"] == ["“Sở Y tế” không chủ trì hay phối hợp nhiệm vụ này."]
    with pytest.raises(ValidationError) as refused:
        _call(task, world.coordinator, None, {})  # she may report for both units of the task
    assert "Chọn đơn vị báo cáo" in refused.value.message_dict["unit"][0]
    assert _unchanged(task)
    report = _call(task, world.officer_tp, None, {"state": "done", "percent": 10, **_product()})
    assert report.unit == world.tuphap and report.percent == 100 and report.was_created
    assert _call(task, world.officer_tp, None, {"narrative": "  Xong  "}).was_created is False
    report.refresh_from_db()
    assert report.narrative == "Xong" and report.state == "in_progress"


def _product() -> dict:
    return {
        "product_number": "12/QĐ-STP",
        "product_date": dt.date(2025, 6, 20),
        "product_issuer": "Sở Tư pháp",
    }


def test_who_may_report(world, task, make_plan):
    with pytest.raises(PermissionDenied, match="Bạn không báo cáo được cho nhiệm vụ này"):
        _call(task, world.viewer, world.tuphap, {})
    with pytest.raises(PermissionDenied, match="Bạn không báo cáo được thay cho “Sở Tư pháp”"):
        _call(task, world.officer_xa, world.tuphap, {})
    closed = make_plan(status="closed", tasks=[dict(text="Đã xong", lead_unit=world.tuphap)]).tasks.get()
    with pytest.raises(PermissionDenied, match="«Đã kết thúc»: chỉ báo cáo tiến độ"):
        _call(closed, world.officer_tp, world.tuphap, {})
    assert _unchanged(task) and not ProgressReport.objects.exists()


def test_evidence_added_to_a_report(world, task):
    report = _call(task, world.officer_tp, world.tuphap, {})
    with pytest.raises(ValidationError) as refused:
        add_evidence(report, world.officer_tp, [])
    assert refused.value.message_dict == {"evidence": ["Chọn ít nhất một tệp minh chứng."]}
    good = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
    with pytest.raises(ValidationError):
        add_evidence(report, world.officer_tp, [good, _png()])
    assert not Evidence.objects.exists()
    with pytest.raises(PermissionDenied, match="nên không tải minh chứng lên được"):
        add_evidence(report, world.officer_xa, [good])
    good.seek(0)
    [stored] = add_evidence(report, world.officer_tp, [good])
    assert stored.report == report and stored.uploaded_by == world.officer_tp


def test_one_list_of_report_fields():
    """Form, API, history and the task page share the report's fields (tracking.models.REPORT_FIELDS)."""
    from chiso.api.reports import ReportSerializer
    from chiso.tracking.forms_execution import ReportForm

    assert set(REPORT_FIELDS) <= set(ReportForm.base_fields)
    assert set(REPORT_FIELDS) <= set(ReportSerializer.Meta.fields)


# --------------------------------------------------------------------------- the task page's form

# The form offers the periods of the plan and the states: those rules are choices there.
WEB_RULES = [r for r in RULES if r[0] not in {"a state", "a period", "a period of the plan"}]


@pytest.mark.parametrize(("name", "over", "field", "words"), WEB_RULES, ids=[r[0] for r in WEB_RULES])
def test_web_form_shows_the_services_message(client, world, task, name, over, field, words):
    data = {name: "" for name in REPORT_FIELDS}
    data.update(unit=world.tuphap.pk, period="2025-Q1", **_report(**over))
    files = data.pop("files", None)
    if files:
        data["evidence"] = [_png()]
    client.force_login(world.officer_tp)
    response = client.post(reverse("tracking:report", args=[task.pk]), data)
    assert response.status_code == 400
    form = response.context["form"]
    # The files have no field on the form: their problems are the report's as a whole.
    shown = form.non_field_errors() if field in (NON_FIELD_ERRORS, "evidence") else form.errors.get(field, [])
    assert words in " ".join(shown), form.errors
    assert _unchanged(task)


# --------------------------------------------------------------------------- the API

# The API reads the state as one of its choices; evidence is added by its own endpoint (below).
API_RULES = [r for r in RULES if r[0] not in {"a state", "evidence files that pass the checks"}]


@pytest.mark.parametrize(("name", "over", "field", "words"), API_RULES, ids=[r[0] for r in API_RULES])
def test_api_answers_400_with_the_services_message(client, world, task, name, over, field, words):
    client.force_login(world.officer_tp)
    body = {"period": "2025-Q1", **_report(**over)}
    response = client.post(
        f"/api/tasks/{task.pk}/reports/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    key = "non_field_errors" if field == NON_FIELD_ERRORS else field
    assert words in " ".join(response.json().get(key, [])), response.json()
    assert _unchanged(task)


def test_api_unit_of_the_task_and_evidence(client, world, task):
    client.force_login(world.coordinator)
    url = f"/api/tasks/{task.pk}/reports/"
    body = {"period": "2025-Q1", **_report()}
    response = client.post(url, json.dumps({**body, "unit": world.yte.pk}), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"unit": ["“Sở Y tế” không chủ trì hay phối hợp nhiệm vụ này."]}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "Chọn đơn vị báo cáo" in response.json()["unit"][0]
    assert _unchanged(task)
    client.force_login(world.officer_tp)
    report = client.post(url, json.dumps(body), content_type="application/json").json()
    response = client.post(f"/api/reports/{report['id']}/evidence/", {"file": [_png()]})
    assert response.status_code == 400
    assert "không đúng với đuôi .pdf" in response.json()["file"][0]  # the service's "evidence"
    assert not Evidence.objects.exists()
