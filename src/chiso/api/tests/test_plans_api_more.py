"""More of the plans API: periodic reports (read-only, drafts only for the issuing unit's oversight
roles) and evidence files of progress reports (listed to who sees the report, uploaded by who reports
for its unit; a bad file refuses the whole upload and nothing is stored). Responses match the schema."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chiso.api.tests.test_openapi import _strict, generated  # noqa: F401
from chiso.tracking.models import Evidence, PeriodicReport, ProgressReport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _pdf(name="bien-ban.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def plan(world, make_plan):
    return make_plan(
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


@pytest.fixture
def report(world, plan):
    return ProgressReport.objects.create(
        task=plan.tasks.get(),
        unit=world.tuphap,
        period="2025-Q1",
        state="in_progress",
        percent=40,
        submitted_by=world.officer_tp,
    )


@pytest.fixture
def periodic(plan):
    content = {"overview": "Tình hình chung", "results": [], "late": [], "difficulties": "", "proposals": ""}
    draft = PeriodicReport.objects.create(
        plan=plan,
        period_kind="quarter",
        period="2025-Q2",
        title="Báo cáo kết quả thực hiện quý II/2025",
        content=content,
    )
    issued = PeriodicReport.objects.create(
        plan=plan,
        period_kind="quarter",
        period="2025-Q1",
        number="45",
        date=dt.date(2025, 4, 10),
        title="Báo cáo kết quả thực hiện quý I/2025",
        content=content,
        status="issued",
    )
    return draft, issued


# --- periodic reports ------------------------------------------------------------------------------

# role → (ids listed among (draft, issued), status of the draft's detail, status of the issued's detail)
PERIODIC_ROLES = {
    "coordinator": ("both", 200, 200),
    "leader": ("both", 200, 200),
    "viewer": ("both", 200, 200),
    "admin": ("both", 200, 200),
    "officer_tp": ("issued", 404, 200),  # her unit leads a task: sees the plan, not its drafts
    "officer_xa": ("issued", 404, 200),  # coordinating unit: same
    "officer_yt": (None, 404, 404),  # no task of hers: the plan is out of her scope
    "outsider": (None, 403, 403),  # no role at all
}


@pytest.mark.parametrize("role", PERIODIC_ROLES)
def test_periodic_reports_by_role(client, world, periodic, role):
    draft, issued = periodic
    listed, draft_status, issued_status = PERIODIC_ROLES[role]
    client.force_login(getattr(world, role))
    response = client.get(f"/api/plans/{draft.plan_id}/periodic-reports/")
    if listed is None:
        assert response.status_code == (403 if role == "outsider" else 404)
    else:
        assert response.status_code == 200, response.json()
        ids = [r["id"] for r in response.json()]
        assert ids == ([draft.pk, issued.pk] if listed == "both" else [issued.pk])  # latest period first
    assert client.get(f"/api/periodic-reports/{draft.pk}/").status_code == draft_status
    assert client.get(f"/api/periodic-reports/{issued.pk}/").status_code == issued_status


def test_periodic_report_fields(client, world, periodic):
    _draft, issued = periodic
    client.force_login(world.officer_tp)
    data = client.get(f"/api/periodic-reports/{issued.pk}/").json()
    assert data["period"] == "2025-Q1" and data["period_kind"] == "quarter"
    assert data["period_label"] == "Quý I/2025"
    assert data["number_symbol"] == "45/BC-UBND" and data["date"] == "2025-04-10"
    assert data["status"] == "issued" and data["status_label"] == "Đã ban hành"
    assert data["content"]["overview"] == "Tình hình chung"
    assert data["plan"] == issued.plan_id


def test_periodic_reports_anonymous_and_missing(client, world, periodic, make_plan):
    draft, _issued = periodic
    assert client.get(f"/api/plans/{draft.plan_id}/periodic-reports/").status_code in (401, 403)
    assert client.get(f"/api/periodic-reports/{draft.pk}/").status_code in (401, 403)
    client.force_login(world.officer_tp)
    assert client.get("/api/periodic-reports/999999/").status_code == 404
    hidden = make_plan(status="draft")  # a draft plan: officers do not see it
    assert client.get(f"/api/plans/{hidden.pk}/periodic-reports/").status_code == 404
    client.force_login(world.coordinator)
    assert client.get(f"/api/plans/{hidden.pk}/periodic-reports/").json() == []


# --- evidence ----------------------------------------------------------------------------------------

# role → (status of GET, status of POST)
EVIDENCE_ROLES = {
    "coordinator": (200, 201),  # coordinators report for any unit of their scope
    "leader": (200, 403),
    "viewer": (200, 403),
    "officer_tp": (200, 201),  # the report's own unit
    "officer_xa": (404, 404),  # coordinating unit: does not see the lead unit's report
    "officer_yt": (404, 404),  # another unit
    "outsider": (403, 403),
}


@pytest.mark.parametrize("role", EVIDENCE_ROLES)
def test_evidence_by_role(client, world, report, role):
    get_status, post_status = EVIDENCE_ROLES[role]
    client.force_login(getattr(world, role))
    url = f"/api/reports/{report.pk}/evidence/"
    assert client.get(url).status_code == get_status
    response = client.post(url, {"file": _pdf()})
    assert response.status_code == post_status, response.content[:300]
    assert Evidence.objects.filter(report=report).count() == (1 if post_status == 201 else 0)
    if role == "outsider":
        assert "chưa được giao vai trò" in response.json()["detail"]
    elif post_status == 403:
        assert "“Sở Tư pháp”" in response.json()["detail"]


def test_evidence_anonymous(client, report):
    url = f"/api/reports/{report.pk}/evidence/"
    assert client.get(url).status_code in (401, 403)
    assert client.post(url, {"file": _pdf()}).status_code in (401, 403)
    assert not Evidence.objects.exists()


def test_pdfs_are_stored_with_their_sha256(client, world, report):
    client.force_login(world.officer_tp)
    url = f"/api/reports/{report.pk}/evidence/"
    other = PDF.replace(b"Catalog", b"Catalog /Lang (vi)")
    response = client.post(url, {"file": [_pdf(), _pdf("Kế hoạch số hóa.pdf", other)]})
    assert response.status_code == 201, response.json()
    listed = response.json()
    assert [e["name"] for e in listed] == ["bien-ban.pdf", "Kế hoạch số hóa.pdf"]
    assert listed[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert listed[1]["sha256"] == hashlib.sha256(other).hexdigest()
    assert (listed[0]["size"], listed[0]["content_type"]) == (len(PDF), "application/pdf")
    assert listed[0]["scan_status"] == "not_scanned"
    stored = Evidence.objects.get(pk=listed[0]["id"])
    assert stored.report == report and stored.uploaded_by == world.officer_tp
    with stored.file.open("rb") as fh:
        assert fh.read() == PDF
    assert stored.history.get().history_user == world.officer_tp
    assert client.get(url).json() == listed


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ([SimpleUploadedFile("anh.pdf", PNG, content_type="application/pdf")], "không đúng với đuôi .pdf"),
        (
            [
                SimpleUploadedFile("hop-le.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("anh.pdf", PNG, content_type="application/pdf"),
            ],
            "không đúng với đuôi .pdf",
        ),
        ([SimpleUploadedFile("chay.exe", b"MZ" + b"\x00" * 20)], "không được nhận"),
        ([SimpleUploadedFile("rong.pdf", b"")], "rỗng"),
    ],
)
def test_bad_files_store_nothing(client, world, report, settings, files, words):
    client.force_login(world.officer_tp)
    media = settings.MEDIA_ROOT
    response = client.post(f"/api/reports/{report.pk}/evidence/", {"file": files})
    assert response.status_code == 400
    assert words in response.json()["file"][0], response.json()
    assert not Evidence.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_upload_without_file_or_on_a_closed_plan(client, world, report, plan):
    client.force_login(world.officer_tp)
    url = f"/api/reports/{report.pk}/evidence/"
    response = client.post(url, {})
    assert response.status_code == 400 and "ít nhất một tệp" in response.json()["file"][0]
    response = client.post(url, {"other": _pdf()})
    assert response.status_code == 400
    plan.status = "closed"
    plan.save()
    response = client.post(url, {"file": _pdf()})
    assert response.status_code == 403 and "đã ban hành" in response.json()["detail"]
    assert not Evidence.objects.exists()
    assert client.get(url).status_code == 200  # still listed


def test_missing_report(client, world):
    client.force_login(world.coordinator)
    assert client.get("/api/reports/999999/evidence/").status_code == 404
    assert client.post("/api/reports/999999/evidence/", {"file": _pdf()}).status_code == 404


# --- the schema ----------------------------------------------------------------------------------------

NEW_PATHS = {
    "/api/plans/{plan_id}/periodic-reports/": {"get"},
    "/api/periodic-reports/{id}/": {"get"},
    "/api/reports/{id}/evidence/": {"get", "post"},
}


def test_new_endpoints_are_documented(generated):  # noqa: F811
    for path, methods in NEW_PATHS.items():
        item = generated["paths"][path]
        assert set(item) - {"parameters"} == methods, path
        for method in methods:
            op = item[method]
            assert op.get("summary") and op.get("description"), (path, method)
            assert {"403", "404"} <= set(op["responses"]), (path, method)
            for param in op.get("parameters", []):
                assert param.get("description"), (path, method, param["name"])
    upload = generated["paths"]["/api/reports/{id}/evidence/"]["post"]
    assert set(upload["requestBody"]["content"]) == {"multipart/form-data"}
    assert "400" in upload["responses"]


def test_responses_match_the_schema(generated, client, world, report, periodic):  # noqa: F811
    draft, _issued = periodic
    components = generated["components"]["schemas"]

    def check(method, url, status, template, body=None):
        response = getattr(client, method)(url, body) if body is not None else getattr(client, method)(url)
        assert response.status_code == status, (url, response.content[:300])
        documented = generated["paths"][template][method]["responses"][str(status)]
        schema = _strict(copy.deepcopy(documented["content"]["application/json"]["schema"]), components)
        jsonschema.validate(response.json(), schema)

    client.force_login(world.officer_tp)
    evidence = "/api/reports/{id}/evidence/"
    check("post", f"/api/reports/{report.pk}/evidence/", 201, evidence, {"file": _pdf()})
    check("post", f"/api/reports/{report.pk}/evidence/", 400, evidence, {"file": _pdf("x.pdf", PNG)})
    check("get", f"/api/reports/{report.pk}/evidence/", 200, evidence)
    check(
        "get", f"/api/plans/{draft.plan_id}/periodic-reports/", 200, "/api/plans/{plan_id}/periodic-reports/"
    )
    check("get", f"/api/periodic-reports/{draft.pk}/", 404, "/api/periodic-reports/{id}/")
    client.force_login(world.viewer)
    check("post", f"/api/reports/{report.pk}/evidence/", 403, evidence, {"file": _pdf()})
    check("get", f"/api/periodic-reports/{draft.pk}/", 200, "/api/periodic-reports/{id}/")
    client.force_login(world.officer_yt)
    check("get", f"/api/reports/{report.pk}/evidence/", 404, evidence)
    client.force_login(world.outsider)
    check("get", f"/api/periodic-reports/{draft.pk}/", 403, "/api/periodic-reports/{id}/")
