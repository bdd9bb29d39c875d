"""The API of the province's own PAR INDEX self-assessment, for every role (the coordinator, leader and
viewer of the province, an officer of an assigned department, an officer of a department not assigned, an
appraiser of the province, an account without a role, anonymous): the criteria, assigning, proposing,
consolidating, the forecast, the ministry's file (preview, all or nothing), the differences and the lost
points into a plan. A locked phase refuses edits; a bad file changes nothing; the answers match the
published schema."""

from __future__ import annotations

import copy
import io

import jsonschema
import pytest
from django.db import transaction

from chiso.assessment.models import Proposal, Score
from chiso.assessment.services import rounds
from chiso.assessment.tests.province_scene import MINISTRY_CSV, ROLES, build, codes, to_appraisal
from chiso.plans.models import Shortcoming

from .test_openapi import _operation, _strict, generated  # noqa: F401

pytestmark = pytest.mark.django_db

READ = codes(200, 200, 200, 200, 404, 404, 403, 403)
OVERSEE = codes(200, 200, 200, 403, 404, 404, 403, 403)
RUN = codes(200, 403, 403, 403, 404, 404, 403, 403)
PROPOSE = codes(403, 403, 403, 200, 404, 404, 403, 403)


@pytest.fixture
def prov(world, make_plan, fast_passwords):
    return build(world, make_plan)


def _file(content=MINISTRY_CSV, name="ket-qua-bo.csv"):
    f = io.BytesIO(content)
    f.name = name
    return f


def _run(prov, calls):
    failures = []
    for name, method, url, data, expected in calls:
        for role in ROLES:
            client = prov.client_for(role)
            with transaction.atomic():
                if method == "get":
                    r = client.get(url)
                elif method == "multipart":
                    r = client.post(url, {k: (v() if callable(v) else v) for k, v in data.items()})
                else:
                    r = client.post(url, data or {}, content_type="application/json")
                transaction.set_rollback(True)
            if r.status_code != expected[role]:
                failures.append(
                    f"{name} as {role}: {r.status_code} {r.content[:200]!r}, expected {expected[role]}"
                )
    assert not failures, "\n".join(failures)


def test_every_endpoint_of_the_self_assessment_for_every_role(prov):
    base = f"/api/assessment/rounds/{prov.round.pk}/province/"
    _run(
        prov,
        [
            ("criteria", "get", base, None, READ),
            ("assign", "post", base + "assign/", None, RUN),
            ("propose", "post", base + "propose/", {"criterion": "F2", "score": "19,5"}, PROPOSE),
            ("consolidate", "post", base + "consolidate/", {"criterion": "F1", "score": "18"}, RUN),
            ("forecast", "get", base + "forecast/", None, OVERSEE),
        ],
    )


def test_every_endpoint_of_the_appraisal_for_every_role(prov):
    from chiso.assessment.services import ministry

    rnd = to_appraisal(prov)
    ministry.commit_ministry(rnd, MINISTRY_CSV, "bo.csv", prov.coordinator, "Bộ Nội vụ")
    base = f"/api/assessment/rounds/{rnd.pk}/province/"
    _run(
        prov,
        [
            ("differences", "get", base + "differences/", None, OVERSEE),  # not yet handed to departments
            ("ministry preview", "multipart", base + "ministry-import/", {"file": _file}, RUN),
            (
                "ministry commit",
                "multipart",
                base + "ministry-import/",
                {"file": _file, "commit": "true"},
                RUN,
            ),
            ("add lost", "post", base + "add-lost/", {"plan": prov.plan.pk}, RUN),
        ],
    )


def test_a_department_proposes_the_coordinator_consolidates(prov):
    base = f"/api/assessment/rounds/{prov.round.pk}/province/"
    officer, coordinator = prov.client_for("officer_assigned"), prov.client_for("coordinator")
    mine = officer.get(base).json()
    assert [c["criterion"] for c in mine] == ["F1", "F2"]  # Sở Tư pháp's criteria only
    assert [p["unit_name"] for p in mine[1]["proposals"]] == ["Sở Tư pháp", "Sở Nội vụ", "Sở Y tế"]
    r = officer.post(base + "propose/", {"criterion": "F2", "score": "19,1"}, content_type="application/json")
    assert r.status_code == 400 and "bước 0,25" in r.json()["F2"][0]
    r = officer.post(base + "propose/", {"criterion": "F3", "score": "10"}, content_type="application/json")
    assert r.status_code == 403  # F3 is not assigned to Sở Tư pháp
    r = officer.post(
        base + "propose/",
        {"criterion": "F2", "score": "19,5", "note": "Báo cáo 12"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["proposed_score"] == 19.5
    proposal = Proposal.objects.get(score__sheet=prov.sheet, score__node__code="F2", unit=prov.tuphap)
    row = next(c for c in coordinator.get(base).json() if c["criterion"] == "F2")
    r = coordinator.post(
        base + "consolidate/",
        {"criterion": "F2", "proposal": proposal.pk, "version": row["version"]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["self_score"] == 19.5
    r = coordinator.post(
        base + "consolidate/",
        {"criterion": "F2", "score": "10", "version": row["version"]},
        content_type="application/json",
    )
    assert r.status_code == 409  # someone (herself) consolidated after she read it
    assert Score.objects.get(sheet=prov.sheet, node__code="F2").self_score == 19.5
    # the deadline passes: every edit refused, nothing changed
    type(prov.round).objects.filter(pk=prov.round.pk).update(
        self_deadline=rounds.timezone.localdate() - rounds.dt.timedelta(days=1)
    )
    r = officer.post(base + "propose/", {"criterion": "F2", "score": "18"}, content_type="application/json")
    assert r.status_code == 409 and "hết hạn" in str(r.json())
    r = coordinator.post(
        base + "consolidate/", {"criterion": "F1", "score": "18"}, content_type="application/json"
    )
    assert r.status_code == 409
    proposal.refresh_from_db()
    assert proposal.proposed_score == 19.5
    assert not Score.objects.filter(sheet=prov.sheet, node__code="F1", self_score__isnull=False).exists()


def test_the_ministrys_file_the_differences_and_the_plan(prov):
    rnd = to_appraisal(prov)
    base = f"/api/assessment/rounds/{rnd.pk}/province/"
    client = prov.client_for("coordinator")
    bad = "Mã tiêu chí,Điểm thẩm định\nF1,17\nF2,30\n".encode()
    r = client.post(base + "ministry-import/", {"file": _file(bad), "commit": "true"})
    assert r.status_code == 400 and any("Dòng 3" in m and "vượt điểm tối đa" in m for m in r.json()["file"])
    assert not Score.objects.filter(sheet=prov.sheet, appraised_score__isnull=False).exists()
    r = client.post(base + "ministry-import/", {"file": _file()})
    assert r.status_code == 200 and r.json()["ok"] and r.json()["counts"]["new"] == 3
    assert not Score.objects.filter(sheet=prov.sheet, appraised_score__isnull=False).exists()
    r = client.post(
        base + "ministry-import/", {"file": _file(), "commit": "true", "source": "Công văn 123/BNV"}
    )
    assert r.status_code == 200 and r.json()["written"] == 3
    again = client.post(base + "ministry-import/", {"file": _file(), "commit": "true"}).json()
    assert again["written"] == 0 and again["counts"]["unchanged"] == 3
    diffs = {d["criterion"]: d for d in client.get(base + "differences/").json()}
    assert diffs["F1"]["difference"] == -1 and diffs["F1"]["responsible"] == ["Sở Nội vụ", "Sở Tư pháp"]
    assert diffs["F1"]["comment"] == "Thiếu kế hoạch kiểm tra"
    assert client.get(base + "forecast/").json()["appraisal_high"] == 53
    for _ in range(2):  # a double click adds nothing
        r = client.post(base + "add-lost/", {"plan": prov.plan.pk}, content_type="application/json")
        assert r.status_code == 200 and r.json()["rows"] == ["F1", "F2", "F3"]
    assert Shortcoming.objects.filter(plan=prov.plan).count() == 3


def test_the_answers_match_the_published_schema(prov, generated):  # noqa: F811
    from chiso.assessment.services import ministry

    rnd = to_appraisal(prov)
    ministry.commit_ministry(rnd, MINISTRY_CSV, "bo.csv", prov.coordinator, "Bộ Nội vụ")
    client = prov.client_for("coordinator")
    components = generated["components"]["schemas"]
    for suffix in ("", "forecast/", "differences/"):
        url = f"/api/assessment/rounds/{rnd.pk}/province/{suffix}"
        r = client.get(url)
        assert r.status_code == 200
        documented = _operation(generated, url)["responses"]["200"]
        schema = _strict(copy.deepcopy(documented["content"]["application/json"]["schema"]), components)
        jsonschema.validate(r.json(), schema)
