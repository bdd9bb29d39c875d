"""The library pages: filter and accent-free search, sources shown; coordinators add and edit their
own tasks, shipped ones are read-only but can be copied; others cannot change anything."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.accounts.models import Membership
from chiso.plans.models import LibraryTask
from chiso.plans.services.library import load_shipped_library, save_library_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def library():
    load_shipped_library()


def test_list_filters_searches_and_shows_sources(client, world, library):
    client.force_login(world.viewer)
    url = reverse("plans:library")
    r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert "141 nhiệm vụ phù hợp" in html  # 124 typed in, 17 of them serving SIPAS too
    assert "002_4ec0cf1c12908f77.txt, dòng 51" in html  # the source of kt2019-01
    assert "Thêm nhiệm vụ" not in html and "Sao chép" not in html  # viewers only read

    r = client.get(url, {"q": "tuyen truyen"})
    html = r.content.decode()
    assert "Tuyên truyền" in html or "tuyên truyền" in html
    assert "141 nhiệm vụ phù hợp" not in html

    r = client.get(url, {"index": "papi", "node": "D2.3"})
    html = r.content.decode()
    assert 'id="lib-kt2019-' in html
    for t in LibraryTask.objects.filter(index="papi"):
        shown = f'id="lib-{t.key}"' in html
        assert shown == any(c == "D2.3" or c.startswith("D2.3.") for c in t.nodes), t.key
    assert '<option value="D2.3" selected>' in html


def test_coordinator_adds_edits_and_copies(client, world, library):
    client.force_login(world.coordinator)
    r = client.get(reverse("plans:library"))
    assert "Thêm nhiệm vụ" in r.content.decode() and "Sao chép" in r.content.decode()
    r = client.post(
        reverse("plans:library_new"),
        {
            "text": "Tổ chức đối thoại định kỳ giữa lãnh đạo xã với Nhân dân",
            "index": "papi",
            "nodes": "D3, D3.1",
            "lead": "UBND các xã, phường",
            "coordinating": "Sở Nội vụ\nMặt trận Tổ quốc",
            "product": "Biên bản đối thoại",
            "recurrence": "quarterly",
            "source": "Kế hoạch số 12/KH-UBND",
        },
    )
    assert r.status_code == 302
    own = LibraryTask.objects.get(shipped=False)
    assert own.nodes == ["D3", "D3.1"] and own.coordinating == ["Sở Nội vụ", "Mặt trận Tổ quốc"]
    assert own.created_by == world.coordinator and own.history.first().history_user == world.coordinator
    found = client.get(reverse("plans:library"), {"q": "doi thoai dinh ky"}).content.decode()
    assert f'id="lib-{own.key}"' in found and "Kế hoạch số 12/KH-UBND" in found

    r = client.post(
        reverse("plans:library_edit", args=[own.pk]),
        {"text": "Đối thoại hằng quý", "index": "papi", "nodes": "D3", "recurrence": "quarterly"},
    )
    assert r.status_code == 302
    own.refresh_from_db()
    assert own.text == "Đối thoại hằng quý" and own.history.count() == 2

    shipped = LibraryTask.objects.get(key="kt2019-01")
    assert client.get(reverse("plans:library_edit", args=[shipped.pk])).status_code == 403
    r = client.post(reverse("plans:library_edit", args=[shipped.pk]), {"text": "x", "index": "papi"})
    assert r.status_code == 403
    shipped.refresh_from_db()
    assert shipped.text.startswith("Tăng cường công tác tuyên truyền")

    r = client.get(reverse("plans:library_new"), {"copy": shipped.pk})
    html = r.content.decode()
    assert r.status_code == 200 and "Sao chép từ nhiệm vụ kt2019-01" in html
    assert "Tăng cường công tác tuyên truyền" in html


def test_bad_input_changes_nothing(client, world, library):
    client.force_login(world.coordinator)
    r = client.post(reverse("plans:library_new"), {"text": "", "index": "papi", "recurrence": "none"})
    assert r.status_code == 400
    r = client.post(
        reverse("plans:library_new"),
        {"text": "Việc chung", "index": "general", "nodes": "D1", "recurrence": "none"},
    )
    assert r.status_code == 400 and "Nhiệm vụ chung" in r.content.decode()
    assert not LibraryTask.objects.filter(shipped=False).exists()


def test_another_coordinators_task_is_not_editable(client, world, library):
    own = save_library_task(world.coordinator, {"text": "Việc của tôi", "index": "papi"})
    other = world.leader
    Membership.objects.create(user=other, unit=world.province, role="coordinator")
    client.force_login(other)
    assert client.get(reverse("plans:library_edit", args=[own.pk])).status_code == 403
    page = client.get(reverse("plans:library")).content.decode()
    assert f'href="{reverse("plans:library_edit", args=[own.pk])}"' not in page


@pytest.mark.parametrize("who", ["officer_tp", "viewer", "leader", "outsider"])
def test_non_coordinators_cannot_add(client, world, library, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("plans:library_new")).status_code == 403
    r = client.post(reverse("plans:library_new"), {"text": "Việc", "index": "papi", "recurrence": "none"})
    assert r.status_code == 403
    assert not LibraryTask.objects.filter(shipped=False).exists()
