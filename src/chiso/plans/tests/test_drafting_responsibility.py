"""The responsibility map: every node of the current framework, lead and coordinating units among the
province's units, saved with history, read-only for non-coordinators, remembered for the next draft."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.plans.models import Responsibility
from chiso.plans.services.drafting import draft_plan
from chiso.plans.services.library import (
    LibraryError,
    load_shipped_library,
    responsibility_for,
    save_responsibilities,
)
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _url(index="papi"):
    return reverse("plans:responsibility", args=[index])


def test_page_lists_every_node_with_the_province_units(client, world):
    client.force_login(world.coordinator)
    r = client.get(_url())
    assert r.status_code == 200
    html = r.content.decode()
    assert "Bản đồ trách nhiệm PAPI" in html
    for code in ("D1", "D1.1", "D3.2", "D8"):
        assert f'name="lead-{code}"' in html
    assert "Trách nhiệm giải trình với người dân" in html
    for unit in (world.noivu, world.tuphap, world.yte, world.xa1):
        assert f'<option value="{unit.pk}">{unit.short_name}</option>' in html
    assert client.get(_url("xyz")).status_code == 404


def test_coordinator_saves_the_map_with_history(client, world):
    client.force_login(world.coordinator)
    r = client.post(
        _url(),
        {
            "present-D3": "1",
            "lead-D3": world.tuphap.pk,
            "coord-D3": [world.noivu.pk, world.xa1.pk],
            "present-D8": "1",
            "lead-D8": "",
            "note-D8": "Sở Khoa học và Công nghệ",
        },
    )
    assert r.status_code == 302
    d3 = Responsibility.objects.get(province=world.province, index="papi", node_code="D3")
    assert d3.lead_unit == world.tuphap and d3.updated_by == world.coordinator
    assert set(d3.coordinating_units.all()) == {world.noivu, world.xa1}
    assert Responsibility.objects.get(node_code="D8").lead_text == "Sở Khoa học và Công nghệ"

    # a later year: the lead changes; the history keeps the old one and the page shows it
    r = client.post(_url(), {"present-D3": "1", "lead-D3": world.yte.pk, "coord-D3": [world.noivu.pk]})
    assert r.status_code == 302
    d3.refresh_from_db()
    assert d3.lead_unit == world.yte
    leads = [h.lead_unit_id for h in d3.history.order_by("history_date", "history_id")]
    assert list(dict.fromkeys(leads)) == [world.tuphap.pk, world.yte.pk]
    assert d3.history.first().history_user == world.coordinator
    page = client.get(_url()).content.decode()
    assert "Lịch sử thay đổi" in page and world.tuphap.short_name in page

    # unchanged rows are not written again
    count = d3.history.count()
    client.post(_url(), {"present-D3": "1", "lead-D3": world.yte.pk, "coord-D3": [world.noivu.pk]})
    assert d3.history.count() == count

    # emptied → removed
    client.post(_url(), {"present-D8": "1", "lead-D8": "", "note-D8": ""})
    assert not Responsibility.objects.filter(node_code="D8").exists()


def test_units_of_another_province_are_refused_and_nothing_changes(client, world):
    other_province = Unit.objects.get(kind="province", code="01", valid_to__isnull=True)
    stranger = Unit.objects.create(
        kind="department", code="HN-SNV", name="Sở Nội vụ Hà Nội", parent=other_province
    )
    client.force_login(world.coordinator)
    r = client.post(
        _url(),
        {"present-D1": "1", "lead-D1": world.noivu.pk, "present-D2": "1", "lead-D2": stranger.pk},
    )
    assert r.status_code == 400
    assert "chỉ chọn các cơ quan" in r.content.decode()
    assert not Responsibility.objects.exists()  # D1 was valid, but nothing is saved
    with pytest.raises(LibraryError):
        save_responsibilities(world.province, "papi", {"ZZ9": {"lead": world.noivu.pk}}, world.coordinator)


@pytest.mark.parametrize("who", ["viewer", "leader"])
def test_others_only_read(client, world, who):
    save_responsibilities(world.province, "papi", {"D3": {"lead": world.tuphap.pk}}, world.coordinator)
    client.force_login(getattr(world, who))
    r = client.get(_url())
    assert r.status_code == 200
    html = r.content.decode()
    assert "Bạn chỉ được xem" in html and 'name="lead-D3"' not in html and "Sở Tư pháp" in html
    assert client.post(_url(), {"present-D3": "1", "lead-D3": world.yte.pk}).status_code == 403
    assert Responsibility.objects.get().lead_unit == world.tuphap


@pytest.mark.parametrize("who", ["officer_tp", "outsider"])
def test_officers_and_outsiders_are_refused(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(_url()).status_code == 403
    assert client.post(_url(), {"present-D3": "1", "lead-D3": world.yte.pk}).status_code == 403
    with pytest.raises(PermissionError):
        save_responsibilities(world.province, "papi", {"D3": {"lead": world.yte.pk}}, getattr(world, who))
    assert not Responsibility.objects.exists()


def test_the_latest_entry_is_used_by_the_next_draft(world):
    load_shipped_library()
    kontum = Unit.objects.get(kind="province", code="62")
    save_responsibilities(world.province, "papi", {"D2": {"lead": world.tuphap.pk}}, world.coordinator)
    save_responsibilities(world.province, "papi", {"D2": {"lead": world.yte.pk}}, world.coordinator)
    assert responsibility_for(world.province, "papi", ["D2.3"]).lead_unit == world.yte  # via the parent
    plan = draft_plan("papi", kontum, 2024, {"places": 5}, world.coordinator)
    d2_tasks = [t for t in plan.tasks.all() if t.nodes[0] == "D2"]
    assert d2_tasks and all(t.lead_unit == world.yte for t in d2_tasks)
    d2_rows = plan.shortcomings.filter(node_code__startswith="D2.")
    assert d2_rows and all(list(r.responsible_units.all()) == [world.yte] for r in d2_rows)
