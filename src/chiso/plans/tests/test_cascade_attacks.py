"""Attacks on a derived plan: the derive action sent twice (one after the other, and at the same moment on
PostgreSQL) makes one plan; two people editing the same task of it — the second save is refused with who
changed what, and a new office typed in the refused form is not added; an officer or a coordinator of
another unit cannot edit it, on the web or through the API."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from chiso.accounts.models import Membership
from chiso.conftest import _member, run_together
from chiso.plans.models import Plan
from chiso.plans.services import cascade
from chiso.plans.services.plans import save_task
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city(world):
    return Unit.objects.create(
        kind="district",
        code="QNG-TP",
        name="Thành phố Quảng Ngãi",
        parent=world.province,
        subtype="Thành phố",
    )


@pytest.fixture
def issued(make_plan, city):
    return make_plan(
        status="issued",
        tasks=[dict(text="Công khai quy hoạch sử dụng đất", lead_unit=city, deadline=dt.date(2025, 9, 30))],
    )


def test_the_derive_form_sent_twice_makes_one_plan(client, world, issued, city):
    client.force_login(world.coordinator)
    url = reverse("plans:cascade", args=[issued.pk])
    first = client.post(url, {"unit": city.pk})
    second = client.post(url, {"unit": city.pk}, follow=True)
    assert Plan.objects.filter(derived_from=issued, issuing_unit=city).count() == 1
    derived = Plan.objects.get(derived_from=issued, issuing_unit=city)
    assert first.status_code == 302 and first.url == reverse("plans:detail", args=[derived.pk])
    assert second.redirect_chain[-1][0] == reverse("plans:detail", args=[derived.pk])
    assert "Thành phố Quảng Ngãi đã có kế hoạch triển khai." in second.content.decode()
    assert derived.tasks.count() == 1


@pytest.mark.postgresql
@pytest.mark.usefixtures("concurrent_db")
def test_two_derivations_at_the_same_moment_make_one_plan(world, issued, city):
    def derive():
        return cascade.derive_plan(Plan.objects.get(pk=issued.pk), city, world.coordinator)

    results = run_together(derive, derive, derive)
    assert all(isinstance(r, Plan) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Plan.objects.filter(derived_from=issued, issuing_unit=city).count() == 1


def _revision(html: str) -> str:
    return re.search(r'name="revision" value="(\d+)"', html).group(1)


def test_two_people_editing_the_same_task_of_the_derived_plan(client, world, issued, city):
    derived = cascade.derive_plan(issued, city, world.coordinator)
    task = derived.tasks.get()
    lan = get_user_model().objects.create_user(username="dieuphoi_tp", first_name="Trần Thị", last_name="Lan")
    Membership.objects.create(user=lan, unit=city, role="coordinator")
    url = reverse("plans:task_edit", args=[derived.pk, task.pk])
    client.force_login(world.coordinator)
    read = _revision(client.get(url).content.decode())
    # she saves first, from the same revision
    save_task(derived, lan, {"product": "Báo cáo của phường"}, task, revision=int(read))
    form = {
        "text": "Công khai quy hoạch (anh sửa)",
        "lead_unit": city.pk,
        "new_office": "Phòng Quản lý đô thị",
        "recurrence": "none",
        "deadline": "30/09/2025",
        "priority": 2,
        "revision": read,
    }
    response = client.post(url, form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Trần Thị Lan" in html and "Sản phẩm" in html  # who changed what
    assert "Công khai quy hoạch (anh sửa)" in html  # his input kept to save again
    task.refresh_from_db()
    assert (task.text, task.product) == ("Công khai quy hoạch sử dụng đất", "Báo cáo của phường")
    assert not Unit.objects.filter(parent=city).exists()  # the refused form's new office is not added
    # the API answers the same conflict with 412
    response = client.patch(f"/api/tasks/{task.pk}/", {"product": "Khác"}, HTTP_IF_MATCH=f'"{read}"', **JSON)
    assert response.status_code == 412


@pytest.mark.parametrize("who", ["officer_yt", "officer_xa", "commune_coordinator"])
def test_another_unit_cannot_edit_the_derived_plan(client, world, issued, city, who):
    derived = cascade.derive_plan(issued, city, world.coordinator)
    task = derived.tasks.get()
    if who == "commune_coordinator":
        user = _member("dieuphoi_xa", "coordinator", world.xa1)
    else:
        user = getattr(world, who)
    client.force_login(user)
    edit = reverse("plans:task_edit", args=[derived.pk, task.pk])
    assert client.get(edit).status_code in (403, 404)
    data = {
        "text": "Đổi",
        "lead_unit": city.pk,
        "recurrence": "none",
        "deadline": "30/09/2025",
        "priority": 2,
    }
    assert client.post(edit, data).status_code in (403, 404)
    assert client.post(reverse("plans:edit", args=[derived.pk]), {"title": "Đổi"}).status_code in (403, 404)
    response = client.patch(f"/api/tasks/{task.pk}/", {"text": "Đổi"}, HTTP_IF_MATCH="*", **JSON)
    assert response.status_code in (403, 404)
    response = client.patch(f"/api/plans/{derived.pk}/", {"title": "Đổi"}, HTTP_IF_MATCH="*", **JSON)
    assert response.status_code in (403, 404)
    task.refresh_from_db()
    derived.refresh_from_db()
    assert task.text == "Công khai quy hoạch sử dụng đất" and not derived.title.startswith("Đổi")
