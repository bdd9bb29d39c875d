"""The header of every page (menu, indices, reminders) is served from per-worker caches: the data versions
are read in one query a request, every index is read once per results version and the menu is rendered once
per distinct content. None of it may show one user another's menu, an index she may not read, or a name or
an entry that changed."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chiso.frameworks.models import Index
from chiso.results import version
from chiso.tracking.version import bump_plans_version, plans_version

pytestmark = pytest.mark.django_db


def _menu(response) -> str:
    html = response.content.decode()
    return re.search(r'<nav aria-label="[^"]+"><ul>.*?</ul></nav>', html, re.S).group(0)


def test_a_request_reads_every_data_version_in_one_query():
    token = version._request_versions.set({})
    try:
        with CaptureQueriesContext(connection) as ctx:
            results, plans = version.current_data_version(), plans_version()
            assert (version.current_data_version(), plans_version()) == (results, plans)
        assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]
        # a change made by the request itself is what it reads next, without reading again
        with CaptureQueriesContext(connection) as ctx:
            moved = bump_plans_version()
            assert plans_version() == moved != plans
            assert version.current_data_version() == results
        assert not [q for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    finally:
        version._request_versions.reset(token)
    # outside a request every read asks the database (a background job sees other processes' changes)
    assert plans_version() == moved


def test_a_version_bumped_before_the_first_read_survives_reading_the_others():
    token = version._request_versions.set({})
    try:
        moved = bump_plans_version()
        version.current_data_version()
        assert plans_version() == moved
    finally:
        version._request_versions.reset(token)


def test_any_change_to_an_index_moves_the_results_version():
    before = version.current_data_version()
    idx = Index.objects.get(code="papi")
    idx.name_vi = idx.name_vi + " (sửa)"
    idx.save()
    after_save = version.current_data_version()
    assert after_save != before


def test_a_renamed_index_shows_in_the_menu_at_once(world, client):
    client.force_login(world.viewer)
    idx = Index.objects.get(code="papi")
    first = _menu(client.get(reverse("web:units")))
    assert f">{idx.short_name or idx.name_vi}<" in first or idx.code in first
    Index.objects.filter(pk=idx.pk).update(short_name="PAPI mới đổi tên")  # no signal: bumped by hand
    version.bump_data_version()
    assert ">PAPI mới đổi tên<" in _menu(client.get(reverse("web:units")))
    idx.refresh_from_db()
    idx.short_name = "PAPI đổi lần hai"
    idx.save()  # the signal moves the version
    assert ">PAPI đổi lần hai<" in _menu(client.get(reverse("web:units")))


def test_a_province_index_is_in_the_menu_of_its_members_only(world, client):
    from chiso.accounts.models import Membership
    from chiso.units.models import Unit

    other = Unit.objects.filter(kind="province", code="62").first()
    stranger = type(world.viewer).objects.create_user(username="xem_kontum", password="mat-khau-thu-nghiem")
    Membership.objects.create(user=stranger, unit=other, role="viewer")
    client.force_login(stranger)
    client.get(reverse("web:units"))  # the indices are now cached in this worker
    Index.objects.create(
        code="cchc-qng", name_vi="Chỉ số CCHC Quảng Ngãi", short_name="CCHC QNg", owner=world.province
    )
    assert "CCHC QNg" not in _menu(client.get(reverse("web:units")))
    client.force_login(world.officer_tp)  # a department's officer reads her province's index
    assert "CCHC QNg" in _menu(client.get(reverse("web:units")))
    client.force_login(stranger)
    assert "CCHC QNg" not in _menu(client.get(reverse("web:units")))


def test_each_user_sees_her_own_menu_entries_and_section(world, client):
    client.force_login(world.coordinator)
    coordinator = _menu(client.get(reverse("web:units")))
    assert reverse("tracking:dashboard") in coordinator and reverse("results:import_list") in coordinator
    client.force_login(world.officer_tp)
    officer = _menu(client.get(reverse("web:units")))
    assert reverse("tracking:dashboard") not in officer and reverse("results:import_list") not in officer
    assert reverse("tracking:inbox") in officer
    assert 'aria-current="page"' not in officer
    plans = _menu(client.get(reverse("plans:list")))
    assert re.search(rf'href="{reverse("plans:list")}" aria-current="page"', plans)
    client.force_login(world.coordinator)
    assert _menu(client.get(reverse("web:units"))) == coordinator


def test_the_menu_follows_the_language(world, client):
    client.force_login(world.viewer)
    assert "Phân tích</a>" in _menu(client.get(reverse("web:units")))
    client.cookies["django_language"] = "en"
    english = _menu(client.get(reverse("web:units")))
    assert "Analysis</a>" in english and "Phân tích</a>" not in english
    assert 'aria-label="Main navigation"' in english


def test_a_partial_answer_reads_nothing_for_the_header(world, client):
    """What the header needs is read only when a page shows it: an htmx partial makes no header query."""
    from chiso.units.models import Unit

    client.force_login(world.viewer)
    kon_tum = Unit.objects.get(kind="province", code="62")
    url = reverse("analysis:gap", args=["papi", kon_tum.pk, 2023]) + "?goal=places&value=5"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    sql = "\n".join(q["sql"] for q in ctx.captured_queries)
    assert "notifications_reminder" not in sql
