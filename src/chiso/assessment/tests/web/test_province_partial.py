"""A department's officer on the province's own sheet (its PAR INDEX self-assessment) sees only the criteria
her department leads or coordinates — on the sheet, its evidence list, its history, the API and the files —
and none of the documents of the whole sheet (the evidence package, the score report, the explanation
form); those who oversee the round keep everything. Role matrix of every page and file of the sheet."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from chiso.assessment.models import EvidenceFile
from chiso.assessment.services import province as svc

from ..province_scene import ROLES, build, codes, consolidate_all

pytestmark = pytest.mark.django_db

WHOLE = codes(200, 200, 200, 403, 404, 404)
SEE = codes(200, 200, 200, 200, 404, 404)
NOT_HERS = codes(200, 200, 200, 404, 404, 404)


@pytest.fixture
def prov(world, make_plan):
    scene = build(world, make_plan)
    consolidate_all(scene)
    for code, name in (("F2", "bien-ban-tu-phap.pdf"), ("F3", "bao-cao-noi-vu.pdf")):
        f = SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
        svc.add_evidence(scene.sheet.scores.get(node__code=code), scene.coordinator, f)
    return scene


def _get_all(prov, requests):
    failures = []
    for name, url, expected in requests:
        for role in ROLES:
            with transaction.atomic():
                status = prov.client_for(role).get(url).status_code
                transaction.set_rollback(True)
            if status != expected[role]:
                failures.append(f"{name} as {role}: {status}, expected {expected[role]}")
    assert not failures, "\n".join(failures)


def test_who_opens_what_of_the_province_sheet(prov):
    args = [prov.round.pk, prov.province.pk]
    f3 = EvidenceFile.objects.get(score__node__code="F3")
    f2 = EvidenceFile.objects.get(score__node__code="F2")
    _get_all(
        prov,
        [
            ("sheet", reverse("assessment:sheet", args=args), SEE),
            ("history", reverse("assessment:history", args=args), SEE),
            ("criterion F2 (hers)", reverse("assessment:criterion", args=[*args, "F2"]), SEE),
            ("criterion F3 (Sở Nội vụ's)", reverse("assessment:criterion", args=[*args, "F3"]), NOT_HERS),
            ("file of F2", reverse("assessment:file", args=[f2.pk]), SEE),
            ("file of F3", reverse("assessment:file", args=[f3.pk]), NOT_HERS),
            ("package", reverse("assessment:package", args=args), WHOLE),
            ("score report", reverse("assessment:score_report_docx", args=args), WHOLE),
        ],
    )


def test_the_department_reads_only_its_criteria(prov):
    rnd, args = prov.round, [prov.round.pk, prov.province.pk]
    officer = prov.client_for("officer_assigned")
    page = officer.get(reverse("assessment:sheet", args=args)).content.decode()
    assert 'id="tc-F1"' in page and 'id="tc-F2"' in page and 'id="tc-F3"' not in page
    assert "bạn chỉ thấy các tiêu chí sở của bạn" in page.lower()
    # no total, no field subtotal, no document of the whole sheet
    assert 'id="sheet-summary"' not in page and 'class="subtotal"' not in page
    assert "ho-so-minh-chung.zip" not in page and "bang-diem" not in page and "/F3/" not in page
    refused = officer.get(reverse("assessment:package", args=args))
    assert refused.status_code == 403 and "chỉ chuyên viên điều phối" in refused.content.decode()
    # nor the province's totals on the round page (the coordinator consolidated 56 points)
    units = officer.get(reverse("assessment:round", args=[rnd.pk])).content.decode()
    assert 'id="round-units"' in units and ">56<" not in units
    assert (
        ">56<"
        in prov.client_for("coordinator").get(reverse("assessment:round", args=[rnd.pk])).content.decode()
    )
    province_page = officer.get(reverse("assessment:province", args=[rnd.pk])).content.decode()
    assert 'id="package-link"' not in province_page
    # the history: her criteria only
    history = officer.get(reverse("assessment:history", args=args)).content.decode()
    assert "F2 " in history and "F3 " not in history and "bao-cao-noi-vu.pdf" not in history
    # the API: her criteria, no totals, her evidence
    sheet = prov.sheet
    detail = officer.get(f"/api/assessment/sheets/{sheet.pk}/").json()
    assert [c["code"] for c in detail["criteria"]] == ["F1", "F2"]
    assert detail["self_total"] is None and detail["percent"] is None
    listed = officer.get(f"/api/assessment/sheets/{sheet.pk}/evidence/").json()
    assert [f["name"] for f in listed["files"]] == ["bien-ban-tu-phap.pdf"]
    f3 = EvidenceFile.objects.get(score__node__code="F3")
    assert officer.get(f"/api/assessment/evidence-files/{f3.pk}/").status_code == 404


def test_the_coordinator_keeps_the_whole_sheet(prov):
    args = [prov.round.pk, prov.province.pk]
    coordinator = prov.client_for("coordinator")
    # the officer read it first: her partial rows are not what the coordinator gets
    prov.client_for("officer_assigned").get(reverse("assessment:sheet", args=args))
    page = coordinator.get(reverse("assessment:sheet", args=args)).content.decode()
    assert 'id="tc-F3"' in page and 'id="sheet-summary"' in page and "ho-so-minh-chung.zip" in page
    history = coordinator.get(reverse("assessment:history", args=args)).content.decode()
    assert "bao-cao-noi-vu.pdf" in history
    detail = coordinator.get(f"/api/assessment/sheets/{prov.sheet.pk}/").json()
    assert {"F1", "F2", "F3"} <= {c["code"] for c in detail["criteria"]} and detail["self_total"] == 56
