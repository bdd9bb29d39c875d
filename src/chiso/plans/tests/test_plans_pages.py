"""The plan pages as each role sees them: list, detail, create and edit, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chiso.plans.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _plan_data(world, **over):
    data = {
        "issuing_unit": world.province.pk,
        "number": "",
        "symbol": "KH-UBND",
        "place": "Quảng Ngãi",
        "date": "",
        "title": "Kế hoạch nâng cao Chỉ số PAPI năm 2025",
        "purpose": "Cải thiện điểm số.\n- Nâng **thứ hạng**",
        "requirements": "Các cơ quan phối hợp chặt chẽ.",
        "body": "",
        "indices": ["papi"],
        "year": "2025",
        "year_to": "",
        "results_year": "2024",
        "recipients": "Bộ Nội vụ;\nCác sở, ban, ngành;\n",
        "signer_authority": "TM. ỦY BAN NHÂN DÂN",
        "signer_title": "KT. CHỦ TỊCH",
        "signer_name": "Nguyễn Văn A",
        "report_deadlines": "15/06/2025\n15/12/2025",
    }
    data.update(over)
    return data


def test_list_shows_visible_plans_with_status_and_filters(client, world, make_plan):
    make_plan(status="issued", title="Kế hoạch cải thiện PAPI năm 2025")
    make_plan(status="draft", title="Kế hoạch nâng cao SIPAS", indices=["sipas"], year=2026)
    r = _get(client, world.coordinator, reverse("plans:list"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "Kế hoạch cải thiện PAPI năm 2025" in html and "Kế hoạch nâng cao SIPAS" in html
    assert "Đã ban hành" in html and "Dự thảo" in html
    assert "Lập kế hoạch mới" in html
    # search without diacritics, filters by index / status / year
    html = client.get(reverse("plans:list"), {"q": "cai thien papi"}).content.decode()
    assert "Kế hoạch cải thiện PAPI" in html and "Kế hoạch nâng cao SIPAS" not in html
    html = client.get(reverse("plans:list"), {"index": "sipas"}).content.decode()
    assert "Kế hoạch nâng cao SIPAS" in html and "Kế hoạch cải thiện PAPI" not in html
    html = client.get(reverse("plans:list"), {"status": "issued", "year": "2025"}).content.decode()
    assert "Kế hoạch cải thiện PAPI" in html and "Kế hoạch nâng cao SIPAS" not in html


def test_list_hides_plans_from_outsider_and_officer_without_task(client, world, make_plan):
    make_plan(
        status="issued",
        title="Kế hoạch có nhiệm vụ Sở Y tế",
        tasks=[{"text": "Việc", "lead_unit": world.yte}],
    )
    for user in (world.outsider, world.officer_tp):
        html = _get(client, user, reverse("plans:list")).content.decode()
        assert "Kế hoạch có nhiệm vụ Sở Y tế" not in html
        assert "Lập kế hoạch mới" not in html
    html = _get(client, world.officer_yt, reverse("plans:list")).content.decode()
    assert "Kế hoạch có nhiệm vụ Sở Y tế" in html


def test_detail_shows_document_header_targets_tasks(client, world, make_plan):
    plan = make_plan(
        status="issued",
        number="3993",
        tasks=[
            {
                "text": "Công khai ngân sách xã",
                "lead_unit": world.tuphap,
                "coordinating": [world.xa1],
                "product": "Báo cáo",
                "deadline": dt.date(2025, 1, 31),
                "nodes": ["D2.3"],
            },
            {"text": "Nâng cao y tế", "lead_unit": world.yte, "deadline": dt.date(2099, 1, 1)},
        ],
    )
    html = _get(client, world.viewer, reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "3993/KH-UBND" in html
    assert "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" in html
    assert "Quảng Ngãi, ngày 15 tháng 3 năm 2025" in html
    assert "Công khai ngân sách xã" in html and "Nâng cao y tế" in html
    assert "Trễ hạn" in html  # 31/01/2025 is past and not done
    assert "Sửa kế hoạch" not in html  # a viewer edits nothing
    # an officer sees the plan but only her unit's tasks
    html = _get(client, world.officer_yt, reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Nâng cao y tế" in html and "Công khai ngân sách xã" not in html
    # the coordinating commune sees the task it coordinates
    html = _get(client, world.officer_xa, reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Công khai ngân sách xã" in html and "Nâng cao y tế" not in html


def test_detail_404_for_outsider_and_unrelated_officer(client, world, make_plan):
    plan = make_plan(status="issued", tasks=[{"text": "Việc", "lead_unit": world.yte}])
    # an outsider (no role anywhere) is stopped before the page (403) or finds nothing (404)
    assert _get(client, world.outsider, reverse("plans:detail", args=[plan.pk])).status_code in (403, 404)
    assert _get(client, world.officer_tp, reverse("plans:detail", args=[plan.pk])).status_code == 404
    assert _get(client, world.officer_tp, reverse("plans:history", args=[plan.pk])).status_code == 404


def test_coordinator_creates_plan(client, world):
    client.force_login(world.coordinator)
    assert client.get(reverse("plans:new")).status_code == 200
    r = client.post(reverse("plans:new"), _plan_data(world))
    assert r.status_code == 302
    plan = Plan.objects.get(title="Kế hoạch nâng cao Chỉ số PAPI năm 2025")
    assert plan.status == "draft" and plan.issuing_unit == world.province
    assert plan.recipients == ["Bộ Nội vụ;", "Các sở, ban, ngành;"]
    assert plan.report_deadlines == ["2025-06-15", "2025-12-15"]
    assert plan.signer_title == "KT. CHỦ TỊCH"
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "<strong>thứ hạng</strong>" in html


def test_bad_plan_input_changes_nothing(client, world, make_plan):
    client.force_login(world.coordinator)
    r = client.post(
        reverse("plans:new"), _plan_data(world, title="", report_deadlines="31/02/2025", indices=[])
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "Cần nhập trích yếu" in html or "bắt buộc" in html
    assert "31/02/2025" in html
    assert not Plan.objects.exists()
    plan = make_plan(status="draft", title="Tên cũ")
    r = client.post(reverse("plans:edit", args=[plan.pk]), _plan_data(world, title="Tên mới", year_to="2020"))
    assert r.status_code == 400
    plan.refresh_from_db()
    assert plan.title == "Tên cũ"


def test_coordinator_edits_draft_not_issued(client, world, make_plan):
    draft = make_plan(status="draft", title="Tên cũ")
    issued = make_plan(status="issued", title="Đã ban hành")
    client.force_login(world.coordinator)
    r = client.post(reverse("plans:edit", args=[draft.pk]), _plan_data(world, title="Tên mới"))
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Tên mới"
    r = client.get(reverse("plans:edit", args=[issued.pk]))
    assert r.status_code == 403
    assert "bản sửa đổi" in r.content.decode()
    r = client.post(reverse("plans:edit", args=[issued.pk]), _plan_data(world, title="Đổi"))
    assert r.status_code == 403
    issued.refresh_from_db()
    assert issued.title == "Đã ban hành"


def test_editing_a_plan_keeps_the_paragraphs_and_bullets_of_its_texts(client, world, make_plan):
    """A browser sends CRLF line breaks; the plan's rich texts keep their paragraphs and "- " bullets
    (they were once joined into one line by every edit, and the document printed one paragraph)."""
    draft = make_plan(status="draft")
    client.force_login(world.coordinator)
    purpose = "Triển khai có hiệu quả.\r\n\r\nGóp phần thực hiện:\r\n- Mục tiêu một;\r\n- Mục tiêu hai."
    body = "- Các phòng báo cáo.\r\n\r\n- Văn phòng tổng hợp."
    r = client.post(reverse("plans:edit", args=[draft.pk]), _plan_data(world, purpose=purpose, body=body))
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.purpose == "Triển khai có hiệu quả.\n\nGóp phần thực hiện:\n- Mục tiêu một;\n- Mục tiêu hai."
    assert draft.body == "- Các phòng báo cáo.\n\n- Văn phòng tổng hợp."


@pytest.mark.parametrize("who", ["officer_tp", "officer_yt", "viewer", "leader"])
def test_non_coordinators_cannot_edit(client, world, make_plan, who):
    plan = make_plan(status="draft", title="Tên cũ", tasks=[{"text": "Việc", "lead_unit": world.yte}])
    user = getattr(world, who)
    client.force_login(user)
    r = client.post(reverse("plans:edit", args=[plan.pk]), _plan_data(world, title="Đổi"))
    assert r.status_code in (403, 404)
    assert client.get(reverse("plans:new")).status_code == 403
    plan.refresh_from_db()
    assert plan.title == "Tên cũ"
    if who == "officer_tp":  # no task of hers in this plan: it does not exist for her
        assert r.status_code == 404


def test_plan_states_and_steps_follow_the_readers_language(client, world, make_plan):
    """Issue 10, item 19: the workflow file gives each state and step an English label too."""
    from django.conf import settings

    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Submit for approval" in html and "Trình phê duyệt" not in html
    from django.utils import translation

    with translation.override("vi"):
        assert plan.status_label == "Dự thảo"
    with translation.override("en"):
        assert plan.status_label == "Draft"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Trình phê duyệt" in html and "Submit for approval" not in html
