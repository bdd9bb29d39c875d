"""A valid request at the wrong moment — a closed round, a phase not open, a step not allowed from the
state now, a duplicate, someone who moved first — is answered 409 Conflict (not 400: the client reloads,
it does not fix its input), and a change of a score sent without the version the client read is 428 with
the current version: two people editing the same score never overwrite each other silently. Every
refusal changes nothing, says why in Vietnamese, and is documented in the schema (schemathesis's
conformance checks)."""

from __future__ import annotations

import copy
import datetime as dt

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chiso.assessment.models import Assignment, Round, Score
from chiso.plans.models import Plan

from .test_openapi import _strict, generated  # noqa: F401

pytestmark = pytest.mark.django_db

FAR = dt.date(2099, 1, 1)
API = "/api/assessment"
JSON = {"content_type": "application/json"}


@pytest.fixture
def rnd(scene, open_round, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return open_round(self=FAR, appraisal=None, explanation=None, final=None)


def _documented(generated, method: str, path: str, status: int) -> dict:  # noqa: F811
    operation = generated["paths"][path][method]
    assert str(status) in operation["responses"], (method, path, status)
    return operation["responses"][str(status)]


def _matches(generated, method: str, path: str, response) -> None:  # noqa: F811
    documented = _documented(generated, method, path, response.status_code)
    schema = copy.deepcopy(documented["content"]["application/json"]["schema"])
    jsonschema.validate(response.json(), _strict(schema, generated["components"]["schemas"]))


def _score(sheet, code):
    return Score.objects.filter(sheet=sheet, node__code=code).values_list("self_score", "version").first()


def test_changing_a_score_needs_the_version_the_client_read(client, scene, rnd, generated):  # noqa: F811
    sheet = rnd.sheets.get(unit=scene.tuphap)
    url = f"{API}/sheets/{sheet.pk}/scores/"
    path = "/api/assessment/sheets/{id}/scores/"
    client.force_login(scene.officer_tp)
    # no score yet: none to overwrite, no version needed
    response = client.post(url, {"work": "self", "entries": {"1.3": {"score": 2}}}, **JSON)
    assert response.status_code == 200, response.json()
    version = next(c["version"] for c in response.json()["criteria"] if c["code"] == "1.3")
    assert _score(sheet, "1.3") == (2.0, version)
    # changing it without the version read: 428 with the current version, nothing written (not even 1.4)
    body = {"work": "self", "entries": {"1.3": {"score": 3}, "1.4": {"score": 1}}}
    response = client.post(url, body, **JSON)
    assert response.status_code == 428
    assert response.json()["versions"] == {"1.3": version}
    assert "1.3" in response.json()["detail"] and "version" in response.json()["detail"]
    _matches(generated, "post", path, response)
    assert _score(sheet, "1.3") == (2.0, version) and _score(sheet, "1.4") is None
    # the same score sent again without a version (a resend) changes nothing and is no refusal
    response = client.post(url, {"work": "self", "entries": {"1.3": {"score": 2}}}, **JSON)
    assert response.status_code == 200 and _score(sheet, "1.3") == (2.0, version)
    # with the version read it is written
    body = {"work": "self", "entries": {"1.3": {"score": 3, "version": version}, "1.4": {"score": 1}}}
    response = client.post(url, body, **JSON)
    assert response.status_code == 200 and _score(sheet, "1.3") == (3.0, version + 1)
    # with that version again (someone saved since): 409, who and when
    response = client.post(
        url, {"work": "self", "entries": {"1.3": {"score": 1, "version": version}}}, **JSON
    )
    assert response.status_code == 409 and "cb_tp đã sửa tiêu chí này lúc" in response.json()["1.3"][0]
    _matches(generated, "post", path, response)
    assert _score(sheet, "1.3") == (3.0, version + 1)


def test_an_appraiser_changing_a_self_scored_criterion_names_its_version(client, scene, rnd):
    """The appraisal is written on the criterion's score row: a row someone wrote needs its version."""
    sheet = rnd.sheets.get(unit=scene.tuphap)
    client.force_login(scene.officer_tp)
    client.post(
        f"{API}/sheets/{sheet.pk}/scores/", {"work": "self", "entries": {"1.3": {"score": 2}}}, **JSON
    )
    client.force_login(scene.coordinator)  # the round moves on to the appraisal
    assert client.post(f"{API}/rounds/{rnd.pk}/advance/", {}, **JSON).status_code == 200
    Round.objects.filter(pk=rnd.pk).update(appraisal_deadline=FAR)
    client.force_login(scene.appraiser)
    url = f"{API}/sheets/{sheet.pk}/scores/"
    response = client.post(url, {"work": "appraisal", "entries": {"1.3": {"score": 1}}}, **JSON)
    assert response.status_code == 428 and list(response.json()["versions"]) == ["1.3"]
    version = response.json()["versions"]["1.3"]
    body = {"work": "appraisal", "entries": {"1.3": {"score": 1, "version": version}}}
    assert client.post(url, body, **JSON).status_code == 200
    assert Score.objects.get(sheet=sheet, node__code="1.3").appraised_score == 1.0


def test_a_valid_request_at_the_wrong_moment_is_409(client, scene, rnd, generated):  # noqa: F811
    sheet = rnd.sheets.get(unit=scene.tuphap)
    client.force_login(scene.officer_tp)
    # a work that is not open
    response = client.post(
        f"{API}/sheets/{sheet.pk}/scores/", {"work": "explanation", "entries": {"1.3": {"note": "x"}}}, **JSON
    )
    assert response.status_code == 409
    assert "chưa mở hoặc đã khoá" in response.json()["non_field_errors"][0]
    client.force_login(scene.coordinator)
    # a round that exists already
    body = {"index": "cchc-so", "year": 2025, "province": scene.province.pk, "units": [scene.tuphap.pk]}
    response = client.post(f"{API}/rounds/", body, **JSON)
    assert response.status_code == 409 and "đã có đợt đánh giá" in response.json()["year"][0]
    _matches(generated, "post", "/api/assessment/rounds/", response)
    # an appraiser assigned already (and, with bad input too, the bad input is told: 400)
    url = f"{API}/rounds/{rnd.pk}/assignments/"
    response = client.post(url, {"user": "td"}, **JSON)
    assert response.status_code == 409 and "đã được phân công" in response.json()["user"][0]
    response = client.post(url, {"user": "td", "criteria": ["khong-co"]}, **JSON)
    assert response.status_code == 400
    # the stage the coordinator saw is not the round's any more (someone advanced it)
    advance = f"{API}/rounds/{rnd.pk}/advance/"
    response = client.post(advance, {"from_stage": "appraisal"}, **JSON)
    assert response.status_code == 409 and "có người vừa chuyển" in response.json()["detail"]
    _matches(generated, "post", "/api/assessment/rounds/{id}/advance/", response)
    assert Round.objects.get(pk=rnd.pk).status == "self_assessment"
    # an unknown stage is bad input: 400
    assert client.post(advance, {"to": "khong-co"}, **JSON).status_code == 400
    # the round closes: every write is a conflict now, and changes nothing
    assert client.post(advance, {"to": "closed"}, **JSON).status_code == 200
    response = client.post(advance, {}, **JSON)
    assert response.status_code == 409 and "đã kết thúc" in response.json()["detail"]
    response = client.post(url, {"user": "ld"}, **JSON)
    assert response.status_code == 409 and "đã kết thúc" in response.json()["non_field_errors"][0]
    assignment = Assignment.objects.get(round=rnd)
    response = client.delete(f"{API}/assignments/{assignment.pk}/")
    assert response.status_code == 409 and Assignment.objects.filter(pk=assignment.pk).exists()
    response = client.post(
        f"{API}/sheets/{sheet.pk}/reopen/", {"until": "01/01/2099", "reason": "Bổ sung"}, **JSON
    )
    assert response.status_code == 409 and "đã kết thúc" in response.json()["until"][0]
    response = client.post(f"{API}/sheets/{sheet.pk}/reopen/", {"until": "01/01/2099", "reason": ""}, **JSON)
    assert response.status_code == 400  # bad input is told first
    csv = "Đơn vị,1.3\nSở Tư pháp,3\n".encode()
    imports = f"{API}/rounds/{rnd.pk}/import-scores/"
    response = client.post(imports, {"file": SimpleUploadedFile("d.csv", csv), "stage": "self"})
    assert response.status_code == 200 and not response.json()["ok"]  # a preview says why
    response = client.post(
        imports, {"file": SimpleUploadedFile("d.csv", csv), "stage": "self", "commit": "true"}
    )
    assert response.status_code == 409 and "đã kết thúc" in response.json()["file"][0]
    client.force_login(scene.officer_tp)
    response = client.post(f"{API}/sheets/{sheet.pk}/submit/")
    assert response.status_code == 409 and "đã khoá" in response.json()["non_field_errors"][0]
    assert not Score.objects.filter(sheet=sheet, self_score__isnull=False).exists()


def test_a_plan_step_not_allowed_from_its_state_is_409(client, world, make_plan, generated):  # noqa: F811
    plan = make_plan(status="issued")
    client.force_login(world.leader)
    url = f"/api/plans/{plan.pk}/transition/"
    response = client.post(url, {"action": "approve"}, **JSON)
    assert response.status_code == 409 and "Đã ban hành" in response.json()["detail"]
    _matches(generated, "post", "/api/plans/{id}/transition/", response)
    assert Plan.objects.get(pk=plan.pk).status == "issued"
    # an unknown step is bad input
    assert client.post(url, {"action": "bay"}, **JSON).status_code == 400


def test_a_multipart_body_with_no_part_is_refused_not_read_as_an_empty_form(client, scene, rnd):
    """schemathesis sent a number as multipart/form-data to advance: read as an empty form it advanced the
    round (``{}`` means 'the next stage')."""
    client.force_login(scene.coordinator)
    body = b"--b0undary\r\n4.451660788766193e+16--b0undary--\r\n"
    response = client.generic(
        "POST", f"{API}/rounds/{rnd.pk}/advance/", body, content_type="multipart/form-data; boundary=b0undary"
    )
    assert response.status_code == 400 and "multipart/form-data không đọc được" in response.json()["detail"]
    assert Round.objects.get(pk=rnd.pk).status == "self_assessment"
    # a real form still works
    response = client.post(f"{API}/rounds/{rnd.pk}/advance/", {"from_stage": "self_assessment"})
    assert response.status_code == 200 and Round.objects.get(pk=rnd.pk).status != "self_assessment"


def test_every_operation_documents_what_any_request_may_get(generated):  # noqa: F811
    """A NUL character anywhere is refused (400) before any view, and a request line too long for the web
    server is refused by it (414): every operation may answer both. The writes refused for the state of
    the data document 409; score writes 428."""
    for url, item in generated["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                assert {"400", "414"} <= set(operation["responses"]), (method, url)
    conflicts = [
        ("post", "/api/assessment/rounds/"),
        ("post", "/api/assessment/rounds/{id}/advance/"),
        ("post", "/api/assessment/rounds/{id}/import-scores/"),
        ("post", "/api/assessment/rounds/{round_id}/assignments/"),
        ("delete", "/api/assessment/assignments/{id}/"),
        ("post", "/api/assessment/sheets/{id}/scores/"),
        ("post", "/api/assessment/sheets/{id}/submit/"),
        ("post", "/api/assessment/sheets/{id}/reopen/"),
        ("post", "/api/assessment/sheets/{id}/evidence/files/"),
        ("post", "/api/assessment/sheets/{id}/evidence/links/"),
        ("delete", "/api/assessment/evidence-links/{id}/"),
        ("post", "/api/assessment/rounds/{id}/province/propose/"),
        ("post", "/api/assessment/rounds/{id}/province/consolidate/"),
        ("post", "/api/assessment/rounds/{id}/province/ministry-import/"),
        ("post", "/api/plans/{id}/transition/"),
        ("post", "/api/tasks/{id}/answer/"),
    ]
    for method, path in conflicts:
        _documented(generated, method, path, 409)
    for path in ("/api/assessment/sheets/{id}/scores/", "/api/assessment/rounds/{id}/province/consolidate/"):
        _documented(generated, "post", path, 428)
