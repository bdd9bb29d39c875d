"""Frameworks as versioned data, as a coordinator meets them: installing a shipped framework again
changes nothing; editing a framework that results use makes a new version (the old one is kept,
inactive, and its results still point to it); editing one nobody uses replaces it in place; the web
import of a broken XLSX template lists every error by row, in Vietnamese, and writes nothing; a
viewer may not import; export → import round-trips."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from chiso.analysis import services as analysis_services
from chiso.core import framework as fwcore
from chiso.frameworks.models import Framework, Node
from chiso.frameworks.services import (
    DATA_DIR,
    FrameworkInvalid,
    framework_for,
    install_framework,
    load_shipped_frameworks,
)
from chiso.results.models import Result

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Framework trees and derived figures are cached in memory by primary key; a rolled-back test
    may leave a key that a later test's framework reuses."""
    analysis_services.clear_caches()
    cache.clear()
    yield
    analysis_services.clear_caches()
    cache.clear()


def footprint():
    return Framework.objects.count(), Node.objects.count(), Framework.history.count()


def renamed(fw: fwcore.FrameworkDef, code: str, name_vi: str) -> fwcore.FrameworkDef:
    nodes = [dataclasses.replace(n, name_vi=name_vi) if n.code == code else n for n in fw.nodes]
    return dataclasses.replace(fw, nodes=nodes)


def shipped(code: str) -> fwcore.FrameworkDef:
    """A shipped framework as the coordinator would edit it (its data file)."""
    return fwcore.load_yaml(DATA_DIR / f"{code}.yaml")


def xlsx_of(fw: fwcore.FrameworkDef) -> bytes:
    buf = io.BytesIO()
    fwcore.write_xlsx(fw, buf)
    return buf.getvalue()


def test_installing_the_shipped_frameworks_again_changes_nothing():
    before = footprint()
    outcomes = load_shipped_frameworks()
    assert len(outcomes) == len(list(DATA_DIR.glob("*.yaml")))
    assert {outcome for _, outcome in outcomes} == {"unchanged"}
    assert footprint() == before


def test_editing_a_used_framework_makes_a_new_version():
    old = Framework.objects.get(code="papi-2021")
    n_results = old.results.count()
    assert n_results > 0
    definition = renamed(shipped("papi-2021"), "D1.1", "Hiểu biết của công dân")

    new, outcome = install_framework(definition)

    assert outcome == "new_version"
    assert new.pk != old.pk and new.version == 2 and new.code == "papi-2021.v2"
    assert new.supersedes == old and new.active
    old.refresh_from_db()
    assert not old.active
    assert old.nodes.get(code="D1.1").name_vi == "Tri thức công dân"  # old version kept as it was
    assert new.nodes.get(code="D1.1").name_vi == "Hiểu biết của công dân"
    assert old.results.count() == n_results and not new.results.exists()
    assert not Result.objects.filter(framework=old).exclude(node__framework=old).exists()
    # Results stay under the version they were imported with; a year without results takes the new one.
    assert framework_for("papi", 2023) == old
    assert framework_for("papi", 2026) == new
    # The same edit again: unchanged.
    again, outcome = install_framework(definition)
    assert (again, outcome) == (new, "unchanged")


def test_editing_an_unused_framework_replaces_it_in_place():
    own = dataclasses.replace(
        shipped("sipas-2017"),
        code="sipas-noi-bo",
        name_vi="Chỉ số hài lòng nội bộ tỉnh",
        valid_from=2030,
        valid_to=None,
    )
    framework, outcome = install_framework(own)
    assert outcome == "created"
    n_nodes = framework.nodes.count()

    edited = renamed(own, own.nodes[1].code, "Tiếp cận dịch vụ (sửa)")
    again, outcome = install_framework(edited)

    assert outcome == "replaced"
    assert again.pk == framework.pk and again.version == 1
    assert Framework.objects.filter(code__startswith="sipas-noi-bo").count() == 1
    assert again.nodes.count() == n_nodes
    assert again.nodes.get(code=own.nodes[1].code).name_vi == "Tiếp cận dịch vụ (sửa)"
    assert again.history.count() >= 2  # creation and the edit are recorded


def test_invalid_definition_is_refused_with_vietnamese_errors():
    fw = shipped("sipas-2017")
    broken = dataclasses.replace(fw, code="sipas-hong", nodes=[*fw.nodes, dataclasses.replace(fw.nodes[1])])
    before = footprint()
    with pytest.raises(FrameworkInvalid) as exc:
        install_framework(broken)
    assert "trùng" in str(exc.value).lower()
    assert footprint() == before


def test_export_then_import_through_the_web_is_unchanged(admin_member_client, coordinator):
    from django.test import Client

    coordinator_client = Client()
    coordinator_client.force_login(coordinator)
    framework = Framework.objects.get(code="par-2022")
    exported = admin_member_client.get(reverse("frameworks:export", args=[framework.pk]))
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(exported.content)
    upload.name = "par-2022.xlsx"
    before = footprint()
    # A national framework is the administrators' to change: a coordinator is refused, nothing changes.
    refused = coordinator_client.post(reverse("frameworks:import"), {"file": upload})
    assert refused.status_code == 400 and "chỉ quản trị hệ thống" in refused.content.decode()
    assert footprint() == before
    upload = io.BytesIO(exported.content)
    upload.name = "par-2022.xlsx"
    r = admin_member_client.post(reverse("frameworks:import"), {"file": upload}, follow=True)
    assert r.status_code == 200
    assert "giống hệt phiên bản đang dùng" in r.content.decode()
    assert footprint() == before


def test_web_import_of_a_broken_xlsx_lists_errors_by_row_and_writes_nothing(coordinator_client):
    from openpyxl import load_workbook

    fw = dataclasses.replace(
        shipped("par-2022"), code="par-noi-bo", name_vi="Chỉ số CCHC các sở, ngành", valid_from=2030
    )
    wb = load_workbook(io.BytesIO(xlsx_of(fw)))
    ws = wb[fwcore.SHEET_TREE]
    header = [c.value for c in ws[1]]
    code_col = header.index("Mã") + 1
    max_col = next(i for i, h in enumerate(header, start=1) if h and "tối đa" in h.lower())
    ws.cell(row=4, column=code_col, value=ws.cell(row=3, column=code_col).value)  # a duplicate code on row 4
    ws.cell(row=5, column=max_col, value="mười")  # not a number on row 5
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "bo-chi-so-hong.xlsx"
    before = footprint()

    r = coordinator_client.post(reverse("frameworks:import"), {"file": buf})

    assert r.status_code == 400
    html = r.content.decode()
    assert "Bộ chỉ số không hợp lệ, chưa ghi gì" in html
    assert "Dòng 5" in html and "không phải là số" in html
    assert "Dòng 4" in html and "trùng" in html.lower()
    assert footprint() == before
    assert not Framework.objects.filter(code__startswith="par-noi-bo").exists()


def test_web_import_of_a_non_xlsx_file_is_refused(coordinator_client):
    fake = io.BytesIO(b"Ma,Ten\nD1,Tham gia\n")
    fake.name = "bo-chi-so.xlsx"
    before = footprint()
    r = coordinator_client.post(reverse("frameworks:import"), {"file": fake})
    assert r.status_code == 400
    assert "có thể bị đổi đuôi" in r.content.decode()
    assert footprint() == before


def test_viewer_cannot_import_a_framework(viewer_client):
    fw = dataclasses.replace(
        shipped("sipas-2017"), code="sipas-cua-nguoi-xem", valid_from=2030, valid_to=None
    )
    buf = io.BytesIO(xlsx_of(fw))
    buf.name = "x.xlsx"
    before = footprint()
    assert viewer_client.get(reverse("frameworks:import")).status_code == 403
    assert viewer_client.post(reverse("frameworks:import"), {"file": buf}).status_code == 403
    assert footprint() == before


def test_framework_pages_show_versions_and_use(viewer_client):
    framework = Framework.objects.get(code="papi-2021")
    html = viewer_client.get(reverse("frameworks:detail", args=[framework.pk])).content.decode()
    assert "Tri thức công dân" in html
    listing = viewer_client.get(reverse("frameworks:list")).content.decode()
    assert "PAPI 2021" in listing and "PAR INDEX 2022" in listing


@pytest.mark.parametrize("code", ["par-2017", "par-2018", "par-2019", "par-2022"])
def test_par_groups_compare_percent_of_maximum(code):
    """PAR INDEX groups A/B/C are bands of percent of the maximum. (A bare YAML key `on:` is read as
    the boolean True, so the rule would silently fall back to raw values and never compare equal to
    its file again.)"""
    from chiso.core.stats import GroupRule

    grouping = Framework.objects.get(code=code).grouping
    assert True not in grouping and "true" not in grouping
    assert GroupRule.from_dict(grouping).on == "percent"


def test_loading_the_reference_data_again_keeps_an_administrators_edit(admin_user):
    """An administrator re-imports PAR 2022 with her own note: running load-reference afterwards (an
    upgrade, a re-run of the demo) must not put the shipped version back over her edit."""
    from chiso.core import framework as fwcore
    from chiso.frameworks.services import DATA_DIR, install_framework, load_shipped_frameworks

    fw = fwcore.load_yaml(DATA_DIR / "par-2022.yaml")
    fw.nodes[-1].note = "Ghi chú của Sở Nội vụ"
    edited, outcome = install_framework(
        fw, user=admin_user, file_name="par-2022-sua.xlsx", file_hash="x" * 64
    )
    assert outcome == "new_version"
    outcomes = dict((f.code, o) for f, o in load_shipped_frameworks())
    assert outcomes[edited.code] == "kept"
    edited.refresh_from_db()
    assert edited.active and edited.nodes.get(code=fw.nodes[-1].code).note == "Ghi chú của Sở Nội vụ"
