"""Closing a survey publishes its estimates as results of the province's own satisfaction index: one
row per unit, through the results importer (history and change rows), read by the analysis page."""

from __future__ import annotations

import pytest

from chiso.frameworks.models import Index
from chiso.results.models import ImportBatch, Result, ResultChange
from chiso.surveys.models import Response
from chiso.surveys.services import frame, intake, publish

from .conftest import full_answers

pytestmark = pytest.mark.django_db


def _fill(survey, point, n, level):
    for _ in range(n):
        intake.submit(survey, full_answers(level), point=point, mode=Response.Mode.API)


def test_closing_publishes_results_per_unit_and_the_analysis_page_shows_them(client, survey, scene):
    _fill(survey, "QNG-STP", 30, 5)
    _fill(survey, "QNG-SYT", 20, 5)
    _fill(survey, "QNG-SYT", 20, 2)
    _fill(survey, "99901", 5, 4)  # below min_n: not publishable, no result
    frame.step(survey, "close", scene.coordinator)

    index = Index.objects.get(code=publish.index_code(survey))
    assert index.owner_id == scene.province.pk and index.value_kind == "percent"
    rows = Result.objects.filter(framework__index=index, year=2026)
    overall = {r.unit_id: r.value for r in rows if r.node.code == publish.ROOT}
    assert overall == {scene.tuphap.pk: 100.0, scene.yte.pk: 50.0}
    elements = {(r.unit_id, r.node.code): r.value for r in rows if r.node.code != publish.ROOT}
    assert elements and all(v in (100.0, 50.0) for v in elements.values())
    batch = ImportBatch.objects.get(index=index)
    assert ResultChange.objects.filter(batch=batch).count() == rows.count()
    assert rows.first().history.count() == 1

    client.force_login(scene.coordinator)
    page = client.get(f"/phan-tich/{index.code}/{scene.yte.pk}/2026/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "50,00" in html or "50,0" in html


def test_closing_twice_published_values_do_not_duplicate(survey, scene):
    _fill(survey, "QNG-STP", 30, 5)
    frame.step(survey, "close", scene.coordinator)
    n = Result.objects.count()
    publish.publish(survey, scene.coordinator)  # again: nothing changes
    assert Result.objects.count() == n
    assert ImportBatch.objects.order_by("-pk").first().rows_changed == 0


def test_closing_publishes_communes_whose_names_differ_only_by_a_diacritic(survey, scene):
    """Xã Ba Tô and Xã Ba Tơ (both in the merged Quảng Ngãi): each row of the published table names its
    unit by code and name; the name alone is ambiguous to the importer (it ignores diacritics), the code
    is not — closing must publish both, not refuse with "chưa rõ là đơn vị nào"."""
    from chiso.units.models import Unit

    bato_o = Unit.objects.create(
        kind="ward", code="99902", name="Xã Ba Tô", short_name="Ba Tô", parent=scene.province
    )
    bato_u = Unit.objects.create(
        kind="ward", code="99903", name="Xã Ba Tơ", short_name="Ba Tơ", parent=scene.province
    )
    frame.build_frame(survey, scene.coordinator)
    frame.set_dossiers(survey, {"99902": 500, "99903": 400}, scene.coordinator)
    _fill(survey, "99902", 30, 5)
    _fill(survey, "99903", 30, 2)

    frame.step(survey, "close", scene.coordinator)

    index = Index.objects.get(code=publish.index_code(survey))
    overall = {
        r.unit_id: r.value
        for r in Result.objects.filter(framework__index=index, year=2026, node__code=publish.ROOT)
    }
    assert overall == {bato_o.pk: 100.0, bato_u.pk: 0.0}
