"""The assessment API as a client uses it: opening a round, scoring a sheet (all or nothing, a stale
version refused with 409 naming who saved it), evidence (checked uploads, links, downloads as
attachments), score imports (preview, all-or-nothing commit, idempotent), the summary (the CLI's JSON),
assignments and the round's phases. Every error is in Vietnamese and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chiso.assessment.models import Assignment, EvidenceFile, EvidenceLink, Round, Score
from chiso.assessment.services import rounds
from chiso.assessment.services.results import summary_data
from chiso.plans.models import Plan, Task

pytestmark = pytest.mark.django_db

FAR = dt.date(2099, 1, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
API = "/api/assessment"


@pytest.fixture
def rnd(scene, open_round, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return open_round(self=FAR, appraisal=None, explanation=None, final=None)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_a_coordinator_opens_a_round(client, scene):
    client.force_login(scene.coordinator)
    body = {
        "index": "cchc-so",
        "year": 2025,
        "province": scene.province.pk,
        "units": [scene.tuphap.pk, scene.yte.pk],
        "self_deadline": "15/01/2026",
        "title": "Chấm điểm CCHC các sở năm 2025",
    }
    response = post(client, f"{API}/rounds/", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["index"], data["year"], data["scope"], data["status"], data["opens"]) == (
        "cchc-so", 2025, "department", "self_assessment", "self",
    )  # fmt: skip
    assert data["units"] == 2 and data["self_deadline"] == "2026-01-15" and data["can_run"] is True
    assert data["next_stages"][0] == {"stage": "appraisal", "label": "Thẩm định"}
    response = post(client, f"{API}/rounds/", body)
    assert response.status_code == 409  # a round that exists: a conflict, not bad input
    assert "đã có đợt đánh giá" in response.json()["year"][0]
    response = post(client, f"{API}/rounds/", {**body, "index": "khong", "year": 2026})
    assert response.status_code == 400 and "không có chỉ số này" in response.json()["index"][0]
    response = post(client, f"{API}/rounds/", {**body, "year": 2024})
    assert response.json() == {"index": ["Chưa có bộ chỉ số CCHC sở, ngành áp dụng cho năm 2024."]}
    assert Round.objects.count() == 1


def test_a_sheet_is_scored_all_or_nothing_and_a_stale_version_is_refused_with_409(client, scene, rnd):
    sheet = rnd.sheets.get(unit=scene.tuphap)
    client.force_login(scene.officer_tp)
    data = client.get(f"{API}/sheets/{sheet.pk}/").json()
    assert data["works"] == ["self"] and data["state"] == "not_started"
    kinds = {c["code"]: c["kind"] for c in data["criteria"]}
    assert (kinds["1.1.1"], kinds["1.3"], kinds["8.1"]) == ("rule", "typed", "survey")
    url = f"{API}/sheets/{sheet.pk}/scores/"
    response = post(client, url, {"work": "self", "entries": {
        "1.1.4": {"inputs": {"done": 19, "planned": 20}},
        "1.3": {"score": "2,5", "note": "Biên bản kiểm tra số 12"},
    }})  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["self_total"] == 4.5 and body["state"] == "in_progress"
    row = next(c for c in body["criteria"] if c["code"] == "1.3")
    assert (row["self_score"], row["self_note"], row["updated_by"]) == (
        2.5,
        "Biên bản kiểm tra số 12",
        "cb_tp",
    )
    version = row["version"]
    # one bad entry refuses the lot, with a message per criterion
    response = post(
        client,
        url,
        {"work": "self", "entries": {"1.3": {"score": 3}, "2.1": {"score": 9}, "8.1": {"score": 5}}},
    )
    assert response.status_code == 400
    assert set(response.json()) == {"2.1", "8.1"} and "vượt điểm tối đa 4" in response.json()["2.1"][0]
    assert Score.objects.get(sheet=sheet, node__code="1.3").self_score == 2.5
    # someone saves 1.3 after the form was read: the stale write is 409 and names her
    client.force_login(scene.coordinator)
    client.post(
        f"{API}/rounds/{rnd.pk}/import-scores/",
        {
            "file": SimpleUploadedFile("d.csv", "Đơn vị,1.3\nSở Tư pháp,3\n".encode()),
            "stage": "self",
            "commit": "true",
        },
    )
    client.force_login(scene.officer_tp)
    response = post(
        client,
        url,
        {"work": "self", "entries": {"1.3": {"score": 2, "version": version}, "1.4": {"score": 1}}},
    )
    assert response.status_code == 409
    assert list(response.json()) == ["1.3"] and "dp đã sửa tiêu chí này lúc" in response.json()["1.3"][0]
    assert Score.objects.get(sheet=sheet, node__code="1.3").self_score == 3.0
    assert not Score.objects.filter(sheet=sheet, node__code="1.4").exists()
    # with the fresh version it goes through
    fresh = Score.objects.get(sheet=sheet, node__code="1.3").version
    response = post(client, url, {"work": "self", "entries": {"1.3": {"score": 2, "version": fresh}}})
    assert response.status_code == 200
    # a work that is not open: 409 on the write as a whole
    response = post(client, url, {"work": "explanation", "entries": {"1.3": {"note": "Giải trình"}}})
    assert response.status_code == 409
    assert "chưa mở hoặc đã khoá" in response.json()["non_field_errors"][0]
    # a malformed body is refused by the parser, in Vietnamese
    response = post(client, url, {"work": "tu-cham", "entries": {"1.3": {"score": True}}})
    assert response.status_code == 400 and "không hợp lệ" in response.json()["work"][0]


def test_submit_lists_what_is_missing(client, scene, rnd):
    sheet = rnd.sheets.get(unit=scene.yte)
    client.force_login(scene.officer_yt)
    response = client.post(f"{API}/sheets/{sheet.pk}/submit/")
    # nothing wrong with the request: the sheet is not complete yet (409, what is missing by criterion)
    assert response.status_code == 409 and response.json()["1.1.1"] == ["1.1.1: chưa chấm điểm."]


def test_evidence_files_and_links(client, scene, rnd):
    sheet = rnd.sheets.get(unit=scene.tuphap)
    plan = Plan.objects.create(
        issuing_unit=scene.province, title="Kế hoạch CCHC 2025", year=2025, results_year=2024, indices=["cchc-so"],
        status="issued", number="5", date=dt.date(2025, 1, 10),
    )  # fmt: skip
    own = Task.objects.create(
        plan=plan, text="Kiểm tra CCHC", lead_unit=scene.tuphap, product="Biên bản số 12"
    )
    other = Task.objects.create(plan=plan, text="Khám chữa bệnh", lead_unit=scene.yte, product="Báo cáo")
    client.force_login(scene.officer_tp)
    files_url = f"{API}/sheets/{sheet.pk}/evidence/files/"
    bad = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00not a pdf")
    good = SimpleUploadedFile("bien-ban.pdf", PDF)
    response = client.post(files_url, {"criterion": "1.3", "file": [good, bad]})
    assert response.status_code == 400 and "virus.pdf" in response.json()["file"][0]
    assert not EvidenceFile.objects.exists()
    response = client.post(files_url, {"criterion": "1.3", "file": [SimpleUploadedFile("bien-ban.pdf", PDF)]})
    assert response.status_code == 201
    [f] = response.json()["files"]
    assert (f["criterion"], f["name"], f["stage"], f["uploaded_by"]) == (
        "1.3",
        "bien-ban.pdf",
        "self",
        "cb_tp",
    )
    response = client.post(files_url, {"criterion": "9.9", "file": [SimpleUploadedFile("a.pdf", PDF)]})
    assert response.json() == {"criterion": ["Không có tiêu chí “9.9” trong bộ chỉ số."]}
    # download: always an attachment, for whoever sees the sheet (the appraiser assigned)
    client.force_login(scene.appraiser)
    download = client.get(f["download"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    client.force_login(scene.officer_tp)
    links_url = f"{API}/sheets/{sheet.pk}/evidence/links/"
    response = post(client, links_url, {"criterion": "1.3", "task": own.pk, "note": "Kèm biên bản"})
    assert response.status_code == 201
    assert response.json()["links"][0]["label"] == "Biên bản số 12"
    assert post(client, links_url, {"criterion": "1.3", "task": own.pk}).json() == {
        "task": ["Tài liệu này đã được liên kết với tiêu chí."]
    }
    response = post(client, links_url, {"criterion": "1.3", "task": other.pk})
    assert (
        response.status_code == 400
        and "không do Sở Tư pháp chủ trì hay phối hợp" in response.json()["task"][0]
    )
    listing = client.get(f"{API}/sheets/{sheet.pk}/evidence/?criterion=1.3").json()
    assert len(listing["files"]) == 1 and len(listing["links"]) == 1
    assert (
        next(c for c in client.get(f"{API}/sheets/{sheet.pk}/").json()["criteria"] if c["code"] == "1.3")[
            "files"
        ]
        == 1
    )
    # once the round moves on, the self-assessment's evidence stays: removal is refused
    rounds.advance(rounds.advance(rnd, scene.coordinator), scene.coordinator)
    response = client.delete(f"{API}/evidence-files/{f['id']}/")
    assert response.status_code == 409 and "không gỡ được" in response.json()["non_field_errors"][0]
    response = client.delete(f"{API}/evidence-links/{listing['links'][0]['id']}/")
    assert response.status_code == 409
    assert EvidenceFile.objects.count() == 1 and EvidenceLink.objects.count() == 1
    # during the explanation the unit adds evidence, and may remove what it added then
    response = client.post(files_url, {"criterion": "1.3", "file": [SimpleUploadedFile("bo-sung.pdf", PDF)]})
    added = next(x for x in response.json()["files"] if x["name"] == "bo-sung.pdf")
    assert added["stage"] == "explanation"
    assert client.delete(f"{API}/evidence-files/{added['id']}/").status_code == 204


def test_score_import_preview_and_commit(client, scene, rnd):
    client.force_login(scene.coordinator)
    url = f"{API}/rounds/{rnd.pk}/import-scores/"

    def send(text, stage="self", **extra):
        return client.post(
            url, {"file": SimpleUploadedFile("diem.csv", text.encode()), "stage": stage, **extra}
        )

    response = send("Đơn vị,1.3,2.1\nSở Tư pháp,3,9\nSở Y tế,2,1\n")
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is False and data["committed"] is False
    assert data["errors"] == ["Dòng 2: cột “2.1”: 9 vượt điểm tối đa 4."]
    assert [r["status"] for r in data["rows"]] == ["error", "new"]
    response = send("Đơn vị,1.3,2.1\nSở Tư pháp,3,9\nSở Y tế,2,1\n", commit="true")
    assert response.status_code == 400 and response.json() == {
        "file": ["Dòng 2: cột “2.1”: 9 vượt điểm tối đa 4."]
    }
    assert not Score.objects.exists()
    good = "Đơn vị,1.3,2.1\nSở Tư pháp,3,4\nSở Y tế,2,1\n"
    data = send(good, commit="true").json()
    assert data["committed"] is True and data["written"] == 4
    assert send(good, commit="true").json()["written"] == 0
    data = send(
        'Đơn vị,8.1\nSở Y tế,"7,25"\n', stage="survey", commit="true", source="Khảo sát SIPAS 2025"
    ).json()
    assert data["written"] == 1
    assert Score.objects.get(sheet__unit=scene.yte, node__code="8.1").source == "Khảo sát SIPAS 2025"
    response = send(good, stage="ban-dau")
    assert response.status_code == 400 and "ban-dau" in response.json()["stage"][0]


def test_summary_is_the_cli_summary(client, scene, rnd):
    client.force_login(scene.coordinator)
    client.post(
        f"{API}/rounds/{rnd.pk}/import-scores/",
        {"file": SimpleUploadedFile("d.csv", "Đơn vị,1.3\nSở Tư pháp,3\nSở Y tế,2\n".encode()), "stage": "self",
         "commit": "true"},
    )  # fmt: skip
    data = client.get(f"{API}/rounds/{rnd.pk}/summary/").json()
    assert data == summary_data(rnd)
    assert [(u["unit"], u["self_total"], u["final_total"], u["rank"]) for u in data["units"]] == [
        ("Sở Tư pháp", 3.0, None, 1),
        ("Sở Y tế", 2.0, None, 2),
        ("Sở Xây dựng", None, None, None),
    ]


def test_assignments_are_checked(client, scene, rnd):
    client.force_login(scene.coordinator)
    url = f"{API}/rounds/{rnd.pk}/assignments/"
    other = Round.objects.create(
        framework=rnd.framework, year=2026, province=scene.province, scope="department", title="Đợt khác"
    )
    assert other.pk
    response = post(client, url, {"user": "ngoai", "units": [scene.xd.pk], "criteria": ["8.1", "1.3", "LV1"]})
    assert response.status_code == 400
    errors = response.json()
    assert "ngoai chưa có vai trò thẩm định" in errors["user"][0]
    assert errors["criteria"] == ["Không phải tiêu chí được thẩm định của bộ chỉ số: 8.1, LV1."]
    response = post(client, url, {"user": "td"})
    assert response.json() == {"user": ["td đã được phân công trong đợt này."]}
    response = post(client, url, {"user": "ld", "units": [scene.xd.pk], "criteria": ["1.3"]})
    assert response.status_code == 201
    created = response.json()
    assert (created["user"], created["unit_names"], created["criteria"]) == ("ld", ["Sở Xây dựng"], ["1.3"])
    response = client.patch(
        f"{API}/assignments/{created['id']}/", {"criteria": []}, content_type="application/json"
    )
    assert (
        response.status_code == 200
        and response.json()["criteria"] == []
        and response.json()["units"] == [scene.xd.pk]
    )
    record = Assignment.history.filter(id=created["id"]).latest("history_date")
    assert record.history_user == scene.coordinator


def test_the_round_through_its_phases(client, scene, rnd):
    client.force_login(scene.coordinator)
    url = f"{API}/rounds/{rnd.pk}/advance/"
    response = post(client, url, {"to": "xong"})
    assert response.status_code == 400 and "Không có giai đoạn “xong”" in response.json()["detail"]
    response = post(client, url, {})
    assert response.status_code == 200 and response.json()["status"] == "appraisal"
    response = post(client, url, {"to": "closed"})
    assert (
        response.status_code == 200
        and response.json()["status"] == "closed"
        and response.json()["opens"] == ""
    )
    assert response.json()["next_stages"] == []
    # closed: nothing is written any more
    client.force_login(scene.officer_tp)
    sheet = rnd.sheets.get(unit=scene.tuphap)
    response = post(
        client, f"{API}/sheets/{sheet.pk}/scores/", {"work": "self", "entries": {"1.3": {"score": 1}}}
    )
    assert response.status_code == 409
    client.force_login(scene.coordinator)
    response = post(client, f"{API}/sheets/{sheet.pk}/reopen/", {"until": "2099-01-01", "reason": "Bổ sung"})
    assert response.status_code == 409 and "không mở lại được" in response.json()["until"][0]
    # and the summary of a published round is read by the units too
    client.force_login(scene.officer_tp)
    assert client.get(f"{API}/rounds/{rnd.pk}/summary/").json()["stage"] == "closed"
