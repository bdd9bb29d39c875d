"""The default responsibility map (issue 11, point 13): Appendix II names the kind of body that usually
leads each criterion when the province has not mapped it, named as in the plan's year; the province's
own map wins. And ``chiso plan draft`` with several ``--index`` codes, and its ``--help`` (point 14)."""

from __future__ import annotations

import io
import json

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chiso.plans.models import Plan, Responsibility
from chiso.plans.services.default_map import DefaultMapError, default_names, load_defaults
from chiso.plans.services.drafting import draft_plan
from chiso.plans.services.library import current_framework, framework_parents, load_shipped_library
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def kontum():
    return Unit.objects.get(kind="province", code="62")


@pytest.mark.parametrize("index", ["papi", "par", "sipas"])
def test_every_node_of_the_current_framework_has_a_default(index):
    parents = framework_parents(current_framework(index))
    assert parents
    missing = [
        code for code, parent in parents.items() if parent and not default_names(index, [code], parents, 2026)
    ]
    assert missing == []


def test_default_bodies_are_named_as_in_the_plans_year():
    assert default_names("papi", ["D2.4"], None, 2023) == [
        "Sở Tài nguyên và Môi trường",
        "UBND các huyện, thị xã, thành phố",
    ]
    assert default_names("papi", ["D2.4"], None, 2026) == [
        "Sở Nông nghiệp và Môi trường",
        "UBND các xã, phường, đặc khu",
    ]
    # a node without its own entry takes its nearest ancestor's
    assert default_names("papi", ["D4.1"], {"D4.1": "D4", "D4": None}, 2026)[0] == "Thanh tra tỉnh"
    assert default_names("papi", ["X9"], None, 2026) == []


def test_a_malformed_default_map_is_refused_with_every_problem(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(
        "reform_date: 2025-07-01\nroles:\n  a: Sở A\n  b: {before: Sở B}\n"
        "indices:\n  papi:\n    D1: {lead: a, coordinating: [zz]}\n",
        encoding="utf-8",
    )
    with pytest.raises(DefaultMapError) as exc:
        load_defaults(path)
    assert "Vai trò “b”" in str(exc.value) and "vai trò “zz”" in str(exc.value)


def _appendix_rows(content: bytes) -> list[list[str]]:
    document = docx.Document(io.BytesIO(content))
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        if "Đơn vị chịu trách nhiệm" in header:
            return [[c.text for c in row.cells] for row in table.rows[1:]]
    raise AssertionError("no appendix of points lost")


def test_appendix_ii_is_filled_from_the_default_map(world, kontum):
    from chiso.plans.documents import render_plan

    load_shipped_library()
    assert not Responsibility.objects.filter(province=world.province).exists()
    plan = draft_plan("papi", kontum, 2024, {"places": 5}, world.coordinator, plan_year=2025)
    rows = list(plan.shortcomings.prefetch_related("responsible_units"))
    assert rows and all(r.responsible_units.exists() or r.responsible_text for r in rows)
    d1 = next(r for r in rows if r.node_code.startswith("D1"))
    assert world.noivu in d1.responsible_units.all()  # "Sở Nội vụ" is the province's unit of that name
    assert d1.responsible_text == "UBND các xã, phường, đặc khu"
    table = _appendix_rows(render_plan(plan, "docx"))
    data_rows = [r for r in table if r[0].strip().isdigit()]
    assert data_rows and all(r[-1].strip() for r in data_rows)


def test_the_provinces_own_map_wins(world, kontum):
    load_shipped_library()
    Responsibility.objects.create(
        province=world.province, index="papi", node_code="D1", lead_unit=world.tuphap
    )
    plan = draft_plan("papi", kontum, 2024, {"places": 5}, world.coordinator, plan_year=2025)
    for row in plan.shortcomings.filter(node_code__startswith="D1"):
        assert list(row.responsible_units.all()) == [world.tuphap] and row.responsible_text == ""


# ---------------------------------------------------------------- chiso plan draft (point 14)


def _run(*args) -> dict:
    out = io.StringIO()
    call_command("plan", *args, stdout=out)
    return json.loads(out.getvalue())


def test_draft_help_prints(capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("plan", "draft", "--help")
    assert exc.value.code == 0
    assert "--index INDEX [INDEX ...]" in capsys.readouterr().out


@pytest.mark.parametrize("index_args", [["papi", "sipas"], ["papi,sipas"]])
def test_draft_with_several_indices_makes_one_plan(world, index_args):
    load_shipped_library()
    data = _run("draft", "--index", *index_args, "--unit", "Kon Tum", "--year", "2023", "--save")
    assert data["indices"] == ["papi", "sipas"]
    # a 2024 plan from Kon Tum's results is Kon Tum's document (test_drafting_predecessor)
    assert data["title"] == "Cải thiện, nâng cao Chỉ số PAPI và Chỉ số SIPAS tỉnh Kon Tum năm 2024"
    plan = Plan.objects.get()
    assert plan.indices == ["papi", "sipas"]
    assert {t.index for t in plan.targets.all()} == {"papi", "sipas"}
    orders = list(plan.targets.values_list("order", flat=True))
    assert sorted(orders) == list(range(1, len(orders) + 1))
    assert "SIPAS" in plan.purpose and "PAPI" in plan.purpose


def test_draft_with_an_unknown_index_among_several_fails_and_keeps_nothing(world):
    with pytest.raises(CommandError) as exc:
        _run("draft", "--index", "papi", "xyz", "--unit", "Kon Tum", "--year", "2023", "--save")
    assert "xyz" in str(exc.value)
    assert not Plan.objects.exists()


def test_the_map_page_shows_the_default_of_each_unmapped_node(client, world):
    from django.urls import reverse

    Responsibility.objects.create(
        province=world.province, index="papi", node_code="D3", lead_unit=world.tuphap
    )
    client.force_login(world.coordinator)
    html = client.get(reverse("plans:responsibility", args=["papi"])).content.decode()
    assert "Mặc định: Sở Nội vụ; UBND các xã, phường, đặc khu" in html  # D1, unmapped
    # D3 and its sub-dimensions are the province's own (D4's default also starts with Thanh tra tỉnh)
    assert "Mặc định: Thanh tra tỉnh; UBND các xã, phường, đặc khu<" not in html
    assert "Mặc định: Thanh tra tỉnh; Sở Nội vụ; UBND các xã, phường, đặc khu<" in html
