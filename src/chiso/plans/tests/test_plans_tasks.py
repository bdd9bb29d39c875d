"""Tasks and attachments of a plan: add, edit, delete, validation, permissions, downloads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.plans.models import Plan, PlanAttachment, Task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def _task(world, **over):
    data = {
        "text": "Công khai, minh bạch ngân sách cấp xã",
        "index": "papi",
        "nodes": ["D2.3", "D2"],
        "lead_unit": world.tuphap.pk,
        "lead_class": "",
        "lead_text": "",
        "coordinating_units": [world.xa1.pk, world.yte.pk],
        "coordinating_text": "",
        "product": "Báo cáo kết quả",
        "deadline": "30/06/2025",
        "recurrence": "none",
        "first_due": "",
        "priority": "1",
        "order": "",
    }
    data.update(over)
    return data


def test_add_edit_delete_task(client, world, make_plan):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    page = client.get(reverse("plans:task_new", args=[plan.pk])).content.decode()
    assert "Sở Tư pháp" in page and "Xã Đăk Hà" in page and "UBND cấp xã" in page and "D2.3" in page
    r = client.post(reverse("plans:task_new", args=[plan.pk]), _task(world))
    assert r.status_code == 302
    task = plan.tasks.get()
    assert task.nodes == ["D2.3", "D2"] and task.lead_unit == world.tuphap and task.priority == 1
    assert set(task.coordinating_units.all()) == {world.xa1, world.yte}
    assert task.deadline == dt.date(2025, 6, 30) and task.order == 1
    r = client.post(
        reverse("plans:task_edit", args=[plan.pk, task.pk]),
        _task(
            world,
            lead_unit="",
            lead_class="ward",
            recurrence="quarterly",
            first_due="31/03/2025",
            deadline="",
            coordinating_units=[world.noivu.pk],
        ),
    )
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.lead_unit is None and task.lead_class == "ward" and task.recurrence == "quarterly"
    assert task.first_due == dt.date(2025, 3, 31) and task.deadline is None
    assert list(task.coordinating_units.all()) == [world.noivu]
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "UBND cấp xã" in html and "Hằng quý" in html
    r = client.post(reverse("plans:task_delete", args=[plan.pk, task.pk]))
    assert r.status_code == 302 and not plan.tasks.exists()


@pytest.mark.parametrize(
    "over, message",
    [
        ({"text": "  "}, "Cần nhập nội dung nhiệm vụ"),
        ({"lead_unit": "", "lead_class": "", "lead_text": ""}, "Cần chọn đơn vị chủ trì"),
        ({"recurrence": "annual", "first_due": ""}, "cần hạn lần đầu"),
        ({"deadline": ""}, "cần thời hạn hoàn thành"),
        ({"deadline": "31/02/2025"}, "Nhập một ngày hợp lệ"),
        ({"nodes": ["D99"]}, "D99"),
        ({"index": "", "nodes": ["D1"]}, "Chọn chỉ số"),
    ],
)
def test_bad_task_input_changes_nothing(client, world, make_plan, over, message):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    r = client.post(reverse("plans:task_new", args=[plan.pk]), _task(world, **over))
    assert r.status_code == 400
    assert message.lower() in r.content.decode().lower()
    assert not Task.objects.exists()


def test_task_units_outside_the_province_are_refused(client, world, make_plan):
    from chiso.units.models import Unit

    plan = make_plan(status="draft")
    other = Unit.objects.filter(kind="province").exclude(pk=world.province.pk).first()
    client.force_login(world.coordinator)
    r = client.post(reverse("plans:task_new", args=[plan.pk]), _task(world, lead_unit=other.pk))
    assert r.status_code == 400
    assert not Task.objects.exists()


def test_tasks_of_locked_plan_and_other_roles(client, world, make_plan):
    issued = make_plan(status="issued", tasks=[{"text": "Việc cũ", "lead_unit": world.yte}])
    task = issued.tasks.get()
    client.force_login(world.coordinator)
    r = client.post(reverse("plans:task_edit", args=[issued.pk, task.pk]), _task(world, text="Đổi"))
    assert r.status_code == 403 and "bản sửa đổi" in r.content.decode()
    assert client.post(reverse("plans:task_delete", args=[issued.pk, task.pk])).status_code == 403
    draft = make_plan(status="draft", tasks=[{"text": "Việc", "lead_unit": world.yte}])
    client.force_login(world.officer_yt)
    # A draft is not an officer's business yet, even with her unit's task in it: not found.
    assert client.post(reverse("plans:task_new", args=[draft.pk]), _task(world)).status_code == 404
    # Once issued she sees the plan (her unit's task) but may not add or change its tasks.
    assert client.post(reverse("plans:task_new", args=[issued.pk]), _task(world)).status_code == 403
    r = client.post(reverse("plans:task_edit", args=[issued.pk, task.pk]), _task(world, text="Đổi"))
    assert r.status_code == 403
    client.force_login(world.officer_tp)
    assert client.post(reverse("plans:task_new", args=[draft.pk]), _task(world)).status_code == 404
    assert client.post(reverse("plans:task_new", args=[issued.pk]), _task(world)).status_code == 404
    task.refresh_from_db()
    assert task.text == "Việc cũ" and Task.objects.count() == 2


def test_attachments_checked_and_downloaded_with_permission(client, world, make_plan):
    plan = make_plan(status="draft", tasks=[{"text": "Việc", "lead_unit": world.yte}])
    client.force_login(world.coordinator)
    pdf = SimpleUploadedFile("Dự thảo.pdf", b"%PDF-1.4\n% test\n", content_type="application/pdf")
    r = client.post(reverse("plans:attachment_add", args=[plan.pk]), {"file": pdf}, follow=True)
    assert "Đã đính kèm" in r.content.decode()
    att = PlanAttachment.objects.get(plan=plan)
    assert att.size == 16 and len(att.sha256) == 64
    fake = SimpleUploadedFile("virus.pdf", b"MZ not a pdf", content_type="application/pdf")
    r = client.post(reverse("plans:attachment_add", args=[plan.pk]), {"file": fake}, follow=True)
    assert "không đúng với đuôi" in r.content.decode()
    assert PlanAttachment.objects.count() == 1
    url = reverse("plans:attachment", args=[plan.pk, att.pk])
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    client.force_login(world.officer_yt)  # her unit's task, but the plan is a draft: not hers yet
    assert client.get(url).status_code == 404
    pdf2 = SimpleUploadedFile("b.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    assert client.post(reverse("plans:attachment_add", args=[plan.pk]), {"file": pdf2}).status_code == 404
    Plan.objects.filter(pk=plan.pk).update(status="issued")
    r = client.get(url)  # issued: she sees the plan (her task), so may read its attachments
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    pdf2.seek(0)
    assert client.post(reverse("plans:attachment_add", args=[plan.pk]), {"file": pdf2}).status_code == 403
    client.force_login(world.officer_tp)
    assert client.get(url).status_code == 404
    assert PlanAttachment.objects.count() == 1
