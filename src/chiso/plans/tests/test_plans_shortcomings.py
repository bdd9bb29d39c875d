"""The shortcomings appendix of a plan: the coordinator adds, edits and deletes rows while the plan is
editable; numbers typed the Vietnamese way; every change in the plan's history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.plans.models import Shortcoming

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _row(plan, **fields):
    return Shortcoming.objects.create(
        plan=plan,
        index="papi",
        node_code=fields.pop("node_code", "D1"),
        node_name=fields.pop("node_name", "Tham gia của người dân ở cấp cơ sở"),
        achieved=fields.pop("achieved", 4.5),
        maximum=fields.pop("maximum", 10.0),
        lost=fields.pop("lost", 5.5),
        order=1,
        **fields,
    )


def test_coordinator_adds_edits_and_deletes_a_row(client, world, make_plan):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    detail = reverse("plans:detail", args=[plan.pk])
    html = client.get(detail).content.decode()
    new_url = reverse("plans:shortcoming_new", args=[plan.pk])
    assert "Thêm dòng" in html and new_url in html

    page = client.get(new_url)
    assert page.status_code == 200 and "D2.3" in page.content.decode()
    r = client.post(
        new_url,
        {
            "node": "papi|D2",
            "achieved": "4,25",
            "maximum": "6,355",
            "responsible_units": [world.tuphap.pk, world.yte.pk],
            "responsible_text": "UBND các xã",
            "note": "Người dân chưa biết đến các chính sách",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    row = plan.shortcomings.get()
    assert (row.index, row.node_code) == ("papi", "D2") and row.node_name
    assert row.achieved == pytest.approx(4.25) and row.maximum == pytest.approx(6.355)
    assert row.lost == pytest.approx(2.105)
    assert {u.pk for u in row.responsible_units.all()} == {world.tuphap.pk, world.yte.pk}
    html = client.get(detail).content.decode()
    assert "4,25/6,355" in html and "2,105" in html and "Người dân chưa biết" in html
    assert reverse("plans:shortcoming_edit", args=[plan.pk, row.pk]) in html
    assert reverse("plans:shortcoming_delete", args=[plan.pk, row.pk]) in html

    # the edit form shows the numbers back the Vietnamese way
    edit_url = reverse("plans:shortcoming_edit", args=[plan.pk, row.pk])
    form = client.get(edit_url).content.decode()
    assert 'value="6,355"' in form and 'value="4,25"' in form
    r = client.post(
        edit_url,
        {
            "node": "papi|D2",
            "achieved": "5",
            "maximum": "6,355",
            "responsible_units": [world.tuphap.pk],
            "responsible_text": "UBND các xã",
            "note": "Đã rõ nguyên nhân",
        },
    )
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.achieved == 5 and row.lost == pytest.approx(1.355) and row.note == "Đã rõ nguyên nhân"
    assert [u.pk for u in row.responsible_units.all()] == [world.tuphap.pk]

    history = client.get(reverse("plans:history", args=[plan.pk])).content.decode()
    assert "Hạn chế" in history
    assert "4,25" in history and "→ 5" in history
    assert "Người dân chưa biết đến các chính sách" in history and "→ Đã rõ nguyên nhân" in history
    assert "dieuphoi_kh" in history

    r = client.post(reverse("plans:shortcoming_delete", args=[plan.pk, row.pk]))
    assert r.status_code == 302
    assert not plan.shortcomings.exists()
    history = client.get(reverse("plans:history", args=[plan.pk])).content.decode()
    assert history.count("badge error") == 1  # the deletion is recorded


@pytest.mark.parametrize(
    "achieved, maximum, message",
    [
        ("abc", "6,355", "không phải là một số"),
        ("7", "6,355", "không được lớn hơn điểm tối đa"),
        ("-1", "6", "không được âm"),
        ("1,2,3", "6", "không phải là một số"),
    ],
)
def test_bad_numbers_change_nothing(client, world, make_plan, achieved, maximum, message):
    plan = make_plan(status="draft")
    row = _row(plan)
    client.force_login(world.coordinator)
    r = client.post(
        reverse("plans:shortcoming_edit", args=[plan.pk, row.pk]),
        {"node": "papi|D2", "achieved": achieved, "maximum": maximum, "note": "Đổi"},
    )
    assert r.status_code == 400
    assert message in r.content.decode()
    row.refresh_from_db()
    assert (row.node_code, row.achieved, row.maximum, row.note) == ("D1", 4.5, 10.0, "")
    assert row.history.count() == 1
    r = client.post(
        reverse("plans:shortcoming_new", args=[plan.pk]),
        {"node": "papi|D2", "achieved": achieved, "maximum": maximum},
    )
    assert r.status_code == 400 and plan.shortcomings.count() == 1


def test_row_without_scores_has_no_lost_points(client, world, make_plan):
    plan = make_plan(status="draft")
    client.force_login(world.coordinator)
    r = client.post(reverse("plans:shortcoming_new", args=[plan.pk]), {"node": "papi|D3", "maximum": "10"})
    assert r.status_code == 302
    row = plan.shortcomings.get()
    assert row.maximum == 10 and row.achieved is None and row.lost is None


@pytest.mark.parametrize("who, status", [("viewer", 403), ("leader", 403), ("officer_tp", 404)])
def test_others_may_not_edit(client, world, make_plan, who, status):
    plan = make_plan(status="draft")
    row = _row(plan)
    client.force_login(getattr(world, who))
    data = {"node": "papi|D2", "achieved": "1", "maximum": "2"}
    assert client.get(reverse("plans:shortcoming_new", args=[plan.pk])).status_code == status
    assert client.post(reverse("plans:shortcoming_new", args=[plan.pk]), data).status_code == status
    edit = reverse("plans:shortcoming_edit", args=[plan.pk, row.pk])
    assert client.post(edit, data).status_code == status
    delete = reverse("plans:shortcoming_delete", args=[plan.pk, row.pk])
    assert client.post(delete).status_code == status
    row.refresh_from_db()
    assert row.node_code == "D1" and plan.shortcomings.count() == 1
    if status == 403:
        html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
        assert edit not in html and "Thêm dòng" not in html


def test_locked_plan_refuses_changes(client, world, make_plan):
    plan = make_plan(status="issued")
    row = _row(plan)
    client.force_login(world.coordinator)
    data = {"node": "papi|D2", "achieved": "1", "maximum": "2"}
    assert client.post(reverse("plans:shortcoming_new", args=[plan.pk]), data).status_code == 403
    edit = reverse("plans:shortcoming_edit", args=[plan.pk, row.pk])
    assert client.post(edit, data).status_code == 403
    delete = reverse("plans:shortcoming_delete", args=[plan.pk, row.pk])
    assert client.post(delete).status_code == 403
    row.refresh_from_db()
    assert row.node_code == "D1" and plan.shortcomings.count() == 1
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Tham gia của người dân ở cấp cơ sở" in html and edit not in html


def test_row_of_another_plan_is_404(client, world, make_plan):
    plan = make_plan(status="draft")
    other = make_plan(status="draft", title="Kế hoạch khác")
    row = _row(other)
    client.force_login(world.coordinator)
    assert client.get(reverse("plans:shortcoming_edit", args=[plan.pk, row.pk])).status_code == 404
    assert client.post(reverse("plans:shortcoming_delete", args=[plan.pk, row.pk])).status_code == 404
    assert Shortcoming.objects.filter(pk=row.pk).exists()
