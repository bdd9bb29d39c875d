"""The page of the province's own PAR INDEX self-assessment, for every role: the coordinator assigns the
departments, consolidates, imports the ministry's appraisal and adds the lost points to a plan; an officer
of an assigned department sees and proposes only its criteria, with evidence; the other roles read or do not
see the round at all. A locked phase refuses every edit; a bad ministry file changes nothing."""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from django.urls import reverse

from chiso.assessment.models import EvidenceFile, Proposal, Score
from chiso.assessment.services import rounds
from chiso.plans.models import Shortcoming

from ..province_scene import MINISTRY_CSV, ROLES, build, codes, to_appraisal

pytestmark = pytest.mark.django_db

SEE = codes(200, 200, 200, 200, 404, 404)
RUN = codes(302, 403, 403, 403, 404, 404)
RUN_PREVIEW = codes(200, 403, 403, 403, 404, 404)
PROPOSE = codes(403, 403, 403, 302, 404, 404)


@pytest.fixture
def prov(world, make_plan):
    return build(world, make_plan)


def _pdf(name="bao-cao.pdf"):
    f = io.BytesIO(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    f.name = name
    return f


def _csv(content=MINISTRY_CSV, name="ket-qua-bo.csv"):
    f = io.BytesIO(content)
    f.name = name
    return f


def _run(prov, requests):
    failures = []
    for name, url, data, expected in requests:
        for role in ROLES:
            client = prov.client_for(role)
            with transaction.atomic():
                if data is None:
                    response = client.get(url)
                else:
                    payload = {k: (v() if callable(v) else v) for k, v in data.items()}
                    response = client.post(url, payload)
                transaction.set_rollback(True)
            if response.status_code != expected[role]:
                failures.append(f"{name} as {role}: {response.status_code}, expected {expected[role]}")
            if role == "anonymous" and response.status_code == 302:
                assert response.url.startswith("/accounts/login/"), (name, response.url)
    assert not failures, "\n".join(failures)


def test_every_page_and_action_in_the_self_assessment_for_every_role(prov):
    rnd = prov.round
    tp_f2 = Proposal.objects.get(score__sheet=prov.sheet, score__node__code="F2", unit=prov.tuphap)
    url = lambda name, *a: reverse(f"assessment:{name}", args=[rnd.pk, *a])  # noqa: E731
    _run(
        prov,
        [
            ("page", url("province"), None, SEE),
            ("round page", url("round"), None, SEE),
            ("assign", url("province_assign"), {}, RUN),
            ("propose", url("province_propose"), {"proposal": tp_f2.pk, "score": "19,5", "note": "BC 12"},
             PROPOSE),
            ("consolidate", url("province_consolidate"), {"code": "F1", "choice": "own", "score": "18"}, RUN),
            ("criterion", url("criterion", prov.province.pk, "F2"), None, SEE),
            ("upload", url("upload", prov.province.pk, "F2"), {"file": _pdf}, codes(302, 403, 403, 302, 404, 404)),
            # the package of the whole sheet: not for a department (it sees only its criteria)
            ("package", url("package", prov.province.pk), None, codes(200, 200, 200, 403, 404, 404)),
        ],
    )  # fmt: skip


def test_every_action_of_the_appraisal_for_every_role(prov):
    rnd = to_appraisal(prov)
    url = lambda name: reverse(f"assessment:{name}", args=[rnd.pk])  # noqa: E731
    # the differences exist once the ministry's scores are in (the coordinator imported them)
    from chiso.assessment.services import ministry

    ministry.commit_ministry(rnd, MINISTRY_CSV, "bo.csv", prov.coordinator, "Bộ Nội vụ")
    _run(
        prov,
        [
            ("page", url("province"), None, SEE),
            ("ministry preview", url("province_ministry"), {"file": _csv, "action": "preview"}, RUN_PREVIEW),
            ("add lost", url("province_add_lost"), {"plan": prov.plan.pk}, RUN),
        ],
    )


def test_what_the_coordinator_and_a_department_see_and_do(prov):
    rnd = prov.round
    page = reverse("assessment:province", args=[rnd.pk])
    officer = prov.client_for("officer_assigned")
    html = officer.get(page).content.decode()
    # Sở Tư pháp proposes F1 (coordinating) and F2 (leading); F3 is Sở Nội vụ's alone: not shown to her
    assert 'id="tc-F1"' in html and 'id="tc-F2"' in html and 'id="tc-F3"' not in html
    assert "Dự báo điểm chính thức" not in html and "Tổng hợp</button>" not in html
    tp_f2 = Proposal.objects.get(score__sheet=prov.sheet, score__node__code="F2", unit=prov.tuphap)
    # a bad score: the self-assessment's rules, said in Vietnamese, nothing stored
    r = officer.post(
        reverse("assessment:province_propose", args=[rnd.pk]), {"proposal": tp_f2.pk, "score": "19,1"}
    )
    assert r.status_code == 400 and "bước 0,25" in r.content.decode()
    tp_f2.refresh_from_db()
    assert tp_f2.proposed_score is None
    r = officer.post(
        reverse("assessment:province_propose", args=[rnd.pk]),
        {"proposal": tp_f2.pk, "score": "19,5", "note": "Báo cáo số 12"},
    )
    assert r.status_code == 302
    tp_f2.refresh_from_db()
    assert tp_f2.proposed_score == 19.5 and tp_f2.history.first().history_user == prov.officer_tp
    # her evidence through the criterion page; she may remove only what she added
    crit = reverse("assessment:criterion", args=[rnd.pk, prov.province.pk, "F2"])
    assert 'id="upload-form"' in officer.get(crit).content.decode()
    officer.post(reverse("assessment:upload", args=[rnd.pk, prov.province.pk, "F2"]), {"file": _pdf()})
    f = EvidenceFile.objects.get(score__sheet=prov.sheet, score__node__code="F2")
    assert f.uploaded_by == prov.officer_tp
    # F3 is not hers: she does not even see it (permissions.criteria_limit), no upload there
    assert (
        officer.post(
            reverse("assessment:upload", args=[rnd.pk, prov.province.pk, "F3"]), {"file": _pdf()}
        ).status_code
        == 404
    )
    # the coordinator sees everything, picks the proposal
    coordinator = prov.client_for("coordinator")
    html = coordinator.get(page).content.decode()
    assert 'id="tc-F3"' in html and "Theo Sở Tư pháp: 19,5" in html and "1 tài liệu" in html
    assert 'id="forecast"' in html and "Nam Định 2020" in html
    assert f'href="/danh-gia/{rnd.pk}/{prov.province.pk}/ho-so-minh-chung.zip"' in html
    version = Score.objects.get(sheet=prov.sheet, node__code="F2").version
    r = coordinator.post(
        reverse("assessment:province_consolidate", args=[rnd.pk]),
        {"code": "F2", "choice": str(tp_f2.pk), "version": version, "note": "Đã đối chiếu"},
    )
    assert r.status_code == 302
    score = Score.objects.get(sheet=prov.sheet, node__code="F2")
    assert score.self_score == 19.5 and score.history.first().history_user == prov.coordinator
    assert score.self_note == "Theo đề xuất của Sở Tư pháp. Báo cáo số 12 Đã đối chiếu"
    # a stale form (someone consolidated after it was opened) is refused, nothing changed
    r = coordinator.post(
        reverse("assessment:province_consolidate", args=[rnd.pk]),
        {"code": "F2", "choice": "own", "score": "10", "version": version},
    )
    assert r.status_code == 400
    assert Score.objects.get(sheet=prov.sheet, node__code="F2").self_score == 19.5
    r = coordinator.post(
        reverse("assessment:province_consolidate", args=[rnd.pk]),
        {"code": "F3", "choice": "own", "score": "25"},
    )
    assert r.status_code == 400 and "vượt điểm tối đa" in r.content.decode()


def test_a_locked_phase_refuses_every_edit(prov):
    rnd = prov.round
    tp_f2 = Proposal.objects.get(score__sheet=prov.sheet, score__node__code="F2", unit=prov.tuphap)
    type(rnd).objects.filter(pk=rnd.pk).update(
        self_deadline=rounds.timezone.localdate() - rounds.dt.timedelta(days=1)
    )
    officer, coordinator = prov.client_for("officer_assigned"), prov.client_for("coordinator")
    html = officer.get(reverse("assessment:province", args=[rnd.pk])).content.decode()
    assert "đã hết hạn" in html and "Gửi đề xuất" not in html
    r = officer.post(
        reverse("assessment:province_propose", args=[rnd.pk]), {"proposal": tp_f2.pk, "score": "19"}
    )
    assert r.status_code == 400 and "đã hết hạn" in r.content.decode()
    r = coordinator.post(
        reverse("assessment:province_consolidate", args=[rnd.pk]),
        {"code": "F1", "choice": "own", "score": "18"},
    )
    assert r.status_code == 400
    r = officer.post(reverse("assessment:upload", args=[rnd.pk, prov.province.pk, "F2"]), {"file": _pdf()})
    assert r.status_code == 400
    tp_f2.refresh_from_db()
    assert tp_f2.proposed_score is None
    assert not Score.objects.filter(sheet=prov.sheet, self_score__isnull=False).exists()
    assert not EvidenceFile.objects.exists()


BAD_FILES = [
    ("empty.csv", b"", "rỗng"),
    ("bang.pdf", b"%PDF-1.4", "không đúng định dạng"),
    ("no-columns.csv", "Tên,Giá trị\nF1,17\n".encode(), "Thiếu cột mã tiêu chí"),
    ("unknown.csv", "Mã tiêu chí,Điểm thẩm định\nF9,17\n".encode(), "không có tiêu chí mã “F9”"),
    ("block.csv", "Mã tiêu chí,Điểm thẩm định\nAPPRAISAL,50\n".encode(), "cộng từ các tiêu chí thành phần"),
    ("survey.csv", "Mã tiêu chí,Điểm thẩm định\nSIPAS,8\n".encode(), "không thuộc phần thẩm định"),
    ("text.csv", "Mã tiêu chí,Điểm thẩm định\nF1,mười bảy\n".encode(), "không phải là số"),
    ("over.csv", "Mã tiêu chí,Điểm thẩm định\nF1,17\nF2,30\n".encode(), "vượt điểm tối đa"),
    ("step.csv", "Mã tiêu chí,Điểm thẩm định\nF1,17.1\n".encode(), "bước 0,25"),
    ("twice.csv", "Mã tiêu chí,Điểm thẩm định\nF1,17\nF1,16\n".encode(), "đã có ở dòng 2"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_ministry_file_is_refused_in_vietnamese_and_changes_nothing(prov, name, content, message):
    rnd = to_appraisal(prov)
    client = prov.client_for("coordinator")
    r = client.post(
        reverse("assessment:province_ministry", args=[rnd.pk]),
        {"file": _csv(content, name), "action": "preview"},
    )
    html = r.content.decode()
    assert r.status_code == 400 and message in html and 'id="ministry-commit"' not in html
    assert not Score.objects.filter(sheet=prov.sheet, appraised_score__isnull=False).exists()


def test_the_ministry_import_the_differences_and_the_plan(prov):
    rnd = to_appraisal(prov)
    client = prov.client_for("coordinator")
    url = reverse("assessment:province_ministry", args=[rnd.pk])
    r = client.post(url, {"file": _csv(), "source": "Công văn 123/BNV-CCHC", "action": "preview"})
    html = r.content.decode()
    assert r.status_code == 200 and 'id="ministry-commit"' in html and "Thiếu kế hoạch kiểm tra" in html
    assert not Score.objects.filter(sheet=prov.sheet, appraised_score__isnull=False).exists()  # a preview
    token = r.context["pending"]["token"]
    # the signed file is this user's: another coordinator's (or a forged) token is refused
    assert client.post(url, {"pending": token + "x", "action": "commit"}).status_code == 400
    r = client.post(url, {"pending": token, "action": "commit"})
    assert r.status_code == 302
    f1 = Score.objects.get(sheet=prov.sheet, node__code="F1")
    assert f1.appraised_score == 17 and f1.source == "Công văn 123/BNV-CCHC"
    assert f1.appraisal_comment == "Thiếu kế hoạch kiểm tra"
    assert f1.history.first().history_user == prov.coordinator
    # the same file again changes nothing
    before = Score.history.count()
    client.post(url, {"pending": token, "action": "commit"})
    assert Score.history.count() == before
    html = client.get(reverse("assessment:province", args=[rnd.pk])).content.decode()
    table = html[html.find('id="differences"') :]
    assert '<td class="num">-1</td><td>Thiếu kế hoạch kiểm tra</td>' in table
    assert "<td>Sở Nội vụ, Sở Tư pháp</td>" in table
    assert "Bị trừ so với tự đánh giá: 3 điểm" in html  # 18 → 17, 20 → 19,5, 18 → 16,5
    # the lost points into the plan's appendix; a double click adds nothing
    add = reverse("assessment:province_add_lost", args=[rnd.pk])
    assert client.post(add, {"plan": prov.plan.pk}).status_code == 302
    assert client.post(add, {"plan": prov.plan.pk}).status_code == 302
    rows = {s.node_code: s for s in Shortcoming.objects.filter(plan=prov.plan)}
    assert set(rows) == {"F1", "F2", "F3"} and rows["F1"].lost == 3 and "giảm 1 điểm" in rows["F1"].note
    assert rows["F1"].history.first().history_user == prov.coordinator
    # the department sees the differences of its own criteria only once handed over (not during appraisal)
    officer = prov.client_for("officer_assigned")
    assert (
        'id="differences"' not in officer.get(reverse("assessment:province", args=[rnd.pk])).content.decode()
    )
