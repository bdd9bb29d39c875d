"""The plan's history page: every change to the plan, its targets and tasks, before → after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_history_shows_who_and_before_after(client, world, make_plan):
    plan = make_plan(
        status="draft",
        title="Tên ban đầu",
        tasks=[{"text": "Nhiệm vụ A", "lead_unit": world.yte, "deadline": dt.date(2025, 6, 30)}],
    )
    task = plan.tasks.get()
    client.force_login(world.coordinator)
    data = {
        "issuing_unit": world.province.pk,
        "symbol": "KH-UBND",
        "place": "Quảng Ngãi",
        "title": "Tên đã sửa",
        "indices": ["papi"],
        "year": "2025",
        "results_year": "2024",
        "signer_authority": "TM. ỦY BAN NHÂN DÂN",
        "signer_title": "CHỦ TỊCH",
    }
    assert client.post(reverse("plans:edit", args=[plan.pk]), data).status_code == 302
    r = client.post(
        reverse("plans:task_edit", args=[plan.pk, task.pk]),
        {
            "text": "Nhiệm vụ A",
            "index": "papi",
            "lead_unit": world.tuphap.pk,
            "deadline": "31/12/2025",
            "recurrence": "none",
            "priority": "2",
            "coordinating_units": [world.xa1.pk],
        },
    )
    assert r.status_code == 302
    client.post(reverse("plans:transition", args=[plan.pk, "submit"]))
    r = client.get(reverse("plans:history", args=[plan.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "dieuphoi_kh" in html
    assert "Tên ban đầu" in html and "→ Tên đã sửa" in html
    assert "Sở Y tế" in html and "→ Sở Tư pháp" in html  # lead unit before → after, by name
    assert "30/06/2025" in html and "→ 31/12/2025" in html
    assert "Xã Đăk Hà" in html  # coordinating units changed
    assert "Trình phê duyệt" in html and "→ Đã trình" in html
    # newest first: the submission comes before the title change
    assert html.index("Trình phê duyệt") < html.index("→ Tên đã sửa")
    assert dt.date.today().strftime("%d/%m/%Y") in html


@pytest.mark.parametrize(
    "who, status", [("viewer", 200), ("leader", 200), ("officer_yt", 403), ("officer_tp", 404)]
)
def test_history_visibility(client, world, make_plan, who, status):
    plan = make_plan(status="issued", tasks=[{"text": "Việc", "lead_unit": world.yte}])
    client.force_login(getattr(world, who))
    assert client.get(reverse("plans:history", args=[plan.pk])).status_code == status
