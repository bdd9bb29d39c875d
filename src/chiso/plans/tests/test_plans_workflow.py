"""The plan's workflow from the detail page, and amendments of an issued plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chiso.plans.models import Plan, Shortcoming, Target

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _step(client, user, plan, action, **data):
    client.force_login(user)
    return client.post(reverse("plans:transition", args=[plan.pk, action]), data, follow=True)


def test_draft_to_issued_with_number_and_date(client, world, make_plan):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Trình phê duyệt" in html and "Ban hành" not in html
    _step(client, world.coordinator, plan, "submit")
    plan.refresh_from_db()
    assert plan.status == "submitted"
    # the coordinator may not approve
    r = _step(client, world.coordinator, plan, "approve")
    assert "không có quyền" in r.content.decode()
    plan.refresh_from_db()
    assert plan.status == "submitted"
    html = _step(client, world.leader, plan, "approve").content.decode()
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert "Ban hành" in html and "Trả lại để chỉnh sửa" in html
    # issuing without a number changes nothing
    r = _step(client, world.leader, plan, "issue", number="", date="15/03/2025")
    assert "Cần số văn bản" in r.content.decode()
    # nor without a signer's name: the document would go out unsigned
    r = _step(client, world.leader, plan, "issue", number="3993", date="15/03/2025")
    assert "Cần họ tên người ký để ban hành kế hoạch" in r.content.decode()
    plan.refresh_from_db()
    assert plan.status == "approved" and not plan.number
    Plan.objects.filter(pk=plan.pk).update(signer_name="Nguyễn Văn An")
    r = _step(client, world.leader, plan, "issue", number="3993", date="32/13/2025")
    assert "Ngày ban hành không hợp lệ" in r.content.decode()
    plan.refresh_from_db()
    assert plan.status == "approved" and not plan.number
    # nor with a reporting date before its own issue date (issue 11: an official would not sign it)
    Plan.objects.filter(pk=plan.pk).update(report_deadlines=["2025-11-15", "2025-02-15"])
    r = _step(client, world.leader, plan, "issue", number="3993", date="15/03/2025")
    assert "Hạn báo cáo 15/02/2025 trước ngày ban hành 15/03/2025" in r.content.decode()
    plan.refresh_from_db()
    assert plan.status == "approved" and not plan.number
    Plan.objects.filter(pk=plan.pk).update(
        report_deadlines=["2025-11-15", "2025-03-15"]
    )  # the same day is due
    r = _step(client, world.leader, plan, "issue", number="3993", date="15/03/2025")
    plan.refresh_from_db()
    assert plan.status == "issued" and plan.number == "3993" and plan.date == dt.date(2025, 3, 15)
    html = r.content.decode()
    assert "3993/KH-UBND" in html and "Đã ban hành" in html
    assert [e.action for e in plan.events.all()] == ["submit", "approve", "issue"]
    assert "Quá trình xử lý" in html and "Đã phê duyệt → Đã ban hành" in html


def test_return_needs_a_comment(client, world, make_plan):
    plan = make_plan(status="submitted")
    r = _step(client, world.leader, plan, "return", comment="")
    assert "cần ghi rõ lý do" in r.content.decode()
    plan.refresh_from_db()
    assert plan.status == "submitted"
    _step(client, world.leader, plan, "return", comment="Bổ sung nhiệm vụ")
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert plan.events.get().comment == "Bổ sung nhiệm vụ"


@pytest.mark.parametrize("who, on_draft", [("officer_yt", 404), ("viewer", 403)])
def test_officers_and_viewers_take_no_step(client, world, make_plan, who, on_draft):
    # A unit officer does not even see a draft (her unit's task notwithstanding): 404; a viewer sees it
    # but may not move it: 403. On the issued plan both see it and neither may close it.
    plan = make_plan(status="draft", tasks=[{"text": "Việc", "lead_unit": world.yte}])
    issued = make_plan(status="issued", tasks=[{"text": "Việc", "lead_unit": world.yte}])
    client.force_login(getattr(world, who))
    r = client.post(reverse("plans:transition", args=[plan.pk, "submit"]))
    assert r.status_code == on_draft
    assert client.get(reverse("plans:detail", args=[issued.pk])).status_code == 200
    r = client.post(reverse("plans:transition", args=[issued.pk, "close"]))
    assert r.status_code == 403
    plan.refresh_from_db()
    issued.refresh_from_db()
    assert plan.status == "draft" and issued.status == "issued"


def test_outsider_takes_no_step(client, world, make_plan):
    plan = make_plan(status="draft")
    client.force_login(world.outsider)
    assert client.post(reverse("plans:transition", args=[plan.pk, "submit"])).status_code in (403, 404)
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_amendment_copies_everything_and_supersedes_on_issue(client, world, make_plan):
    old = make_plan(
        status="issued",
        number="3993",
        tasks=[
            {
                "text": "Công khai ngân sách",
                "lead_unit": world.tuphap,
                "coordinating": [world.xa1, world.xa2],
                "deadline": dt.date(2025, 6, 30),
            }
        ],
        targets=[{"index": "papi", "kind": "places", "value": "2", "label": "Phấn đấu tăng 02 bậc"}],
    )
    sc = Shortcoming.objects.create(
        plan=old, index="papi", node_code="D2.3", node_name="Ngân sách xã", lost=1.2
    )
    sc.responsible_units.set([world.tuphap])
    client.force_login(world.coordinator)
    html = client.get(reverse("plans:detail", args=[old.pk])).content.decode()
    assert "Lập bản sửa đổi" in html and "Sửa kế hoạch" not in html
    r = client.post(reverse("plans:amend", args=[old.pk]))
    new = Plan.objects.get(amends=old)
    assert r.status_code == 302 and r.url == reverse("plans:detail", args=[new.pk])
    assert new.status == "draft" and new.version == 1 and not new.number and new.title == old.title
    task = new.tasks.get()
    assert task.text == "Công khai ngân sách" and task.lead_unit == world.tuphap
    assert set(task.coordinating_units.all()) == {world.xa1, world.xa2}
    assert new.targets.get().label == "Phấn đấu tăng 02 bậc"
    assert list(new.shortcomings.get().responsible_units.all()) == [world.tuphap]
    old.refresh_from_db()
    assert old.status == "issued" and not old.superseded
    # a second amendment while one is being drafted is refused
    client.post(reverse("plans:amend", args=[old.pk]))
    assert Plan.objects.filter(amends=old).count() == 1
    # the amendment is edited, then issued: the old one is superseded
    for user, action, data in [
        (world.coordinator, "submit", {}),
        (world.leader, "approve", {}),
        (world.leader, "issue", {"number": "4100", "date": "01/08/2025"}),
    ]:
        _step(client, user, new, action, **data)
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.status == "issued" and old.superseded
    client.force_login(world.coordinator)
    html = client.get(reverse("plans:detail", args=[old.pk])).content.decode()
    assert "Đã được thay thế" in html and "Lập bản sửa đổi" not in html
    assert reverse("plans:detail", args=[new.pk]) in html


def test_amend_forbidden_for_leader_and_on_draft(client, world, make_plan):
    issued = make_plan(status="issued")
    draft = make_plan(status="draft")
    client.force_login(world.leader)
    assert client.post(reverse("plans:amend", args=[issued.pk])).status_code == 403
    client.force_login(world.coordinator)
    assert client.post(reverse("plans:amend", args=[draft.pk])).status_code == 403
    assert not Plan.objects.filter(amends__isnull=False).exists()
    assert Target.objects.count() == 0


def test_the_issue_step_refuses_a_past_reporting_date_in_the_service(world, make_plan):
    """The rule lives in the workflow service: the API and the CLI meet it too."""
    from chiso.workflows.services import WorkflowError, transition

    plan = make_plan(status="approved")
    Plan.objects.filter(pk=plan.pk).update(signer_name="Nguyễn Văn An", report_deadlines=["2025-06-15"])
    plan.refresh_from_db()
    with pytest.raises(WorkflowError, match="Hạn báo cáo 15/06/2025 trước ngày ban hành 05/09/2025"):
        transition(plan, "issue", world.leader, number="3993", date=dt.date(2025, 9, 5))
    plan.refresh_from_db()
    assert plan.status == "approved" and not plan.number and not plan.events.exists()
    transition(plan, "issue", world.leader, number="3993", date=dt.date(2025, 6, 1))
    plan.refresh_from_db()
    assert plan.status == "issued"
