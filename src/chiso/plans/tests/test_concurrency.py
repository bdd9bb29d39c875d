"""Issue 10, item 14 — lost updates: two people editing the same plan, target or task. The second save,
made from what was read before the first one, is refused with who changed what and when, the user's input
kept (web) or 412 (API); a save after reading it again goes through. Item 15 for plans and tasks: a form
or POST sent twice creates once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from chiso.accounts.models import Membership
from chiso.concurrency import StaleEdit
from chiso.conftest import run_together
from chiso.plans.models import Plan, Task
from chiso.plans.services import plans as svc

pytestmark = [pytest.mark.django_db]
JSON = {"content_type": "application/json"}


@pytest.fixture
def second(world):
    """A second coordinator of the same province."""
    user = get_user_model().objects.create_user(
        username="dieuphoi_2", password="mat-khau-thu-nghiem", first_name="Trần Thị", last_name="Lan"
    )
    Membership.objects.create(user=user, unit=world.province, role="coordinator")
    return user


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)" name="{name}"', html
    )
    assert match, f"no hidden {name}"
    return match.group(1)


def _plan_post(plan: Plan, **changes) -> dict:
    data = {
        "issuing_unit": plan.issuing_unit_id,
        "number": plan.number,
        "symbol": plan.symbol,
        "place": plan.place,
        "date": "",
        "title": plan.title,
        "purpose": plan.purpose,
        "requirements": plan.requirements,
        "body": plan.body,
        "indices": plan.indices,
        "year": plan.year,
        "year_to": "",
        "results_year": plan.results_year or "",
        "recipients": "",
        "signer_authority": plan.signer_authority,
        "signer_title": plan.signer_title,
        "signer_name": plan.signer_name,
        "report_deadlines": "",
    }
    data.update(changes)
    return data


def test_web_second_editor_is_refused_with_who_and_what_and_keeps_her_input(client, world, second, make_plan):
    plan = make_plan(status="draft")
    url = reverse("plans:edit", args=[plan.pk])
    client.force_login(world.coordinator)
    first_rev = _hidden(client.get(url).content.decode(), "revision")
    other = client.__class__()
    other.force_login(second)
    second_rev = _hidden(other.get(url).content.decode(), "revision")
    assert first_rev == second_rev
    # She saves first: a new title.
    response = other.post(url, _plan_post(plan, title="Kế hoạch PAPI (bản của chị Lan)", revision=second_rev))
    assert response.status_code == 302
    # He saves what he opened before: his purpose would silently bring the old title back. Refused.
    response = client.post(url, _plan_post(plan, purpose="Mục đích anh viết", revision=first_rev))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Trần Thị Lan" in html and "Trích yếu" in html and "Chưa lưu" in html
    assert "Mục đích anh viết" in html  # his input kept
    plan.refresh_from_db()
    assert plan.title == "Kế hoạch PAPI (bản của chị Lan)" and plan.purpose == ""
    # The re-rendered form carries the current revision: saving again, after reading, is his decision.
    again = _hidden(html, "revision")
    assert again != first_rev
    response = client.post(url, _plan_post(plan, purpose="Mục đích anh viết", revision=again))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.purpose == "Mục đích anh viết" and plan.title == "Kế hoạch PAPI (bản của chị Lan)"
    # The history page shows what people changed, not the bookkeeping revision.
    history = client.get(reverse("plans:history", args=[plan.pk])).content.decode()
    assert "Mục đích anh viết" in history and "phiên bản chỉnh sửa" not in history.lower()


def test_web_task_edit_refuses_a_stale_save(client, world, second, make_plan):
    plan = make_plan(
        status="draft",
        tasks=[dict(text="Số hóa hồ sơ", lead_unit=world.tuphap, deadline=dt.date(2025, 9, 30))],
    )
    task = plan.tasks.get()
    url = reverse("plans:task_edit", args=[plan.pk, task.pk])
    client.force_login(world.coordinator)
    rev = _hidden(client.get(url).content.decode(), "revision")
    svc.save_task(plan, second, {"product": "Báo cáo của Lan"}, task, revision=int(rev))
    data = {"text": "Số hóa hồ sơ (sửa)", "index": "papi", "lead_unit": world.tuphap.pk, "recurrence": "none",
            "priority": 2, "order": 1, "revision": rev, "deadline": "30/09/2025"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Trần Thị Lan" in html and "Sản phẩm" in html and "Số hóa hồ sơ (sửa)" in html
    task.refresh_from_db()
    assert (task.text, task.product) == ("Số hóa hồ sơ", "Báo cáo của Lan")


def test_web_plan_form_sent_twice_creates_one_plan(client, world, make_plan):
    client.force_login(world.coordinator)
    page = client.get(reverse("plans:new")).content.decode()
    key = _hidden(page, "submit_key")
    data = _plan_post(make_plan(), title="Kế hoạch gửi hai lần", submit_key=key)
    data["date"] = ""
    before = Plan.objects.count()
    first = client.post(reverse("plans:new"), data)
    second = client.post(reverse("plans:new"), data, follow=True)
    assert first.status_code == 302 and Plan.objects.count() == before + 1
    created = Plan.objects.get(title="Kế hoạch gửi hai lần")
    assert second.redirect_chain[-1][0] == reverse("plans:detail", args=[created.pk])
    assert "đã được gửi trước đó" in second.content.decode()
    # A new form (a new key) creates a new plan.
    data["submit_key"] = _hidden(client.get(reverse("plans:new")).content.decode(), "submit_key")
    assert client.post(reverse("plans:new"), data).status_code == 302
    assert Plan.objects.filter(title="Kế hoạch gửi hai lần").count() == 2


def test_web_task_form_sent_twice_creates_one_task(client, world, make_plan):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    url = reverse("plans:task_new", args=[plan.pk])
    key = _hidden(client.get(url).content.decode(), "submit_key")
    data = {"text": "Nhiệm vụ mới", "index": "papi", "lead_unit": world.tuphap.pk, "recurrence": "none",
            "priority": 2, "submit_key": key, "deadline": "30/09/2025"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert plan.tasks.filter(text="Nhiệm vụ mới").count() == 1


# --- API ------------------------------------------------------------------------------------------------


def test_api_etag_if_match_412_428(client, world, second, make_plan):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    url = f"/api/plans/{plan.pk}/"
    read = client.get(url)
    etag = read["ETag"]
    assert etag == f'"{read.json()["revision"]}"'
    # Without If-Match: 428, nothing written.
    response = client.patch(url, {"title": "Không có If-Match"}, **JSON)
    assert response.status_code == 428 and "If-Match" in response.json()["detail"]
    # Someone else saves in between.
    svc.save_plan(second, {"purpose": "Mục đích mới", "title": "Tên do Lan đặt"}, plan, revision=0)
    response = client.put(url, {**client.get(url).json(), "title": "Của tôi"}, HTTP_IF_MATCH=etag, **JSON)
    assert response.status_code == 412
    body = response.json()
    assert body["changed_by"] == "Trần Thị Lan" and body["revision"] == 1
    assert {"trích yếu", "mục đích"} <= {f.lower() for f in body["changed_fields"]}
    assert "Trần Thị Lan" in body["detail"] and body["changed_at"]
    assert Plan.objects.get(pk=plan.pk).title == "Tên do Lan đặt"
    # Read again, then save: goes through, with the new ETag.
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"title": "Của tôi"}, HTTP_IF_MATCH=etag, **JSON)
    assert response.status_code == 200 and response["ETag"] == '"2"'
    # "*": a deliberate overwrite.
    assert client.patch(url, {"place": "Kon Tum"}, HTTP_IF_MATCH="*", **JSON).status_code == 200
    assert client.patch(url, {"place": "x"}, HTTP_IF_MATCH="W/abc", **JSON).status_code == 400


def test_api_task_and_target_are_guarded_too(client, world, second, make_plan):
    plan = make_plan(
        status="draft",
        tasks=[dict(text="Số hóa hồ sơ", lead_unit=world.tuphap, deadline=dt.date(2025, 9, 30))],
        targets=[dict(index="papi", kind="places", value="2", label="Tăng 2 bậc")],
    )
    client.force_login(world.coordinator)
    task = plan.tasks.get()
    etag = client.get(f"/api/tasks/{task.pk}/")["ETag"]
    svc.save_task(plan, second, {"product": "Báo cáo"}, task)
    response = client.patch(f"/api/tasks/{task.pk}/", {"text": "Khác"}, HTTP_IF_MATCH=etag, **JSON)
    assert response.status_code == 412 and "Sản phẩm" in response.json()["changed_fields"]
    target = plan.targets.get()
    etag = client.get(f"/api/targets/{target.pk}/")["ETag"]
    assert client.patch(f"/api/targets/{target.pk}/", {"value": "3"}, **JSON).status_code == 428
    response = client.patch(f"/api/targets/{target.pk}/", {"value": "1"}, HTTP_IF_MATCH=etag, **JSON)
    assert response.status_code in (200, 400)  # 400 only if the results make the target impossible
    if response.status_code == 200:
        assert response["ETag"] != etag


def test_api_idempotency_key_creates_once(client, world, make_plan):
    client.force_login(world.coordinator)
    body = {"issuing_unit": world.province.pk, "title": "Kế hoạch API", "year": 2026, "indices": ["papi"]}
    first = client.post("/api/plans/", body, HTTP_IDEMPOTENCY_KEY="k-1", **JSON)
    again = client.post("/api/plans/", body, HTTP_IDEMPOTENCY_KEY="k-1", **JSON)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert Plan.objects.filter(title="Kế hoạch API").count() == 1
    # Another key, another plan; a key too long is refused.
    assert client.post("/api/plans/", body, HTTP_IDEMPOTENCY_KEY="k-2", **JSON).status_code == 201
    assert client.post("/api/plans/", body, HTTP_IDEMPOTENCY_KEY="x" * 201, **JSON).status_code == 400
    plan = Plan.objects.get(pk=first.json()["id"])
    task = {"text": "Việc", "lead_unit": world.tuphap.pk, "deadline": "2026-09-30"}
    a = client.post(f"/api/plans/{plan.pk}/tasks/", task, HTTP_IDEMPOTENCY_KEY="t-1", **JSON)
    b = client.post(f"/api/plans/{plan.pk}/tasks/", task, HTTP_IDEMPOTENCY_KEY="t-1", **JSON)
    assert (a.status_code, b.status_code) == (201, 200) and a.json()["id"] == b.json()["id"]
    assert Task.objects.filter(plan=plan).count() == 1


# --- two writers at the same time (PostgreSQL: real row locks, one connection per thread) --------------


@pytest.mark.postgresql
@pytest.mark.usefixtures("concurrent_db")
def test_two_writers_at_once_one_wins_the_other_is_refused(world, second, make_plan):
    plan = make_plan(status="draft")
    results = run_together(
        lambda: svc.save_plan(
            world.coordinator, {"title": "Của anh"}, Plan.objects.get(pk=plan.pk), revision=0
        ),
        lambda: svc.save_plan(second, {"title": "Của chị"}, Plan.objects.get(pk=plan.pk), revision=0),
    )
    saved = [r for r in results if isinstance(r, Plan)]
    refused = [r for r in results if isinstance(r, StaleEdit)]
    assert len(saved) == 1 and len(refused) == 1, results
    plan.refresh_from_db()
    assert plan.title == saved[0].title and plan.revision == 1


@pytest.mark.postgresql
@pytest.mark.usefixtures("concurrent_db")
def test_same_creation_twice_at_once_creates_once(world, make_plan):
    plan = make_plan(status="draft")

    def create():
        return svc.save_task(
            Plan.objects.get(pk=plan.pk),
            world.coordinator,
            {"text": "Việc", "lead_unit": world.tuphap, "deadline": dt.date(2025, 9, 30)},
            key="k",
        )

    results = run_together(create, create, create)
    assert all(isinstance(r, Task) for r in results), results
    assert len({r.pk for r in results}) == 1 and Task.objects.filter(plan=plan).count() == 1
