"""Drafting names real units: the library's lead and coordinating words are matched against the province's
departments, agencies and communes (accents and "UBND" ignored, nothing guessed), class phrases become a
class of units, the bodies abolished or merged in 2025 are renamed, the title is the trích yếu with the
province's name and the body's dates are dd/mm/yyyy."""

from __future__ import annotations

import datetime as dt

import pytest

from chiso.core.text import fold
from chiso.plans.models import LibraryTask
from chiso.plans.services.drafting import draft_plan, plan_title
from chiso.plans.services.library import (
    load_shipped_library,
    match_units,
    modernise_text,
    province_units,
    resolve_lead_unit,
)
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db

AFTER = dt.date(2025, 12, 31)
BEFORE = dt.date(2024, 12, 31)


@pytest.fixture
def kontum():
    return Unit.objects.get(kind="province", code="62")


@pytest.fixture
def more_units(world):
    """More departments and agencies of the merged province, some named with abbreviations."""
    p = world.province
    return {
        "vanphong": Unit.objects.create(kind="department", code="T-VP", name="Văn phòng UBND tỉnh", parent=p),
        "thanhtra": Unit.objects.create(kind="other", code="T-TTR", name="Thanh tra tỉnh", parent=p),
        "khcn": Unit.objects.create(
            kind="department", code="T-KHCN", name="Sở Khoa học và Công nghệ", parent=p
        ),
        "nnmt": Unit.objects.create(
            kind="department", code="T-NNMT", name="Sở Nông nghiệp và Môi trường", parent=p
        ),
        "taichinh": Unit.objects.create(kind="department", code="T-STC", name="Sở Tài chính", parent=p),
    }


# ------------------------------------------------------------------ renaming after the 2025 reorganisation


@pytest.mark.parametrize(
    "old, new",
    [
        ("Ủy ban nhân dân các huyện, thành phố", "Ủy ban nhân dân các xã, phường, đặc khu"),
        ("UBND các huyện, thị xã, thành phố", "UBND các xã, phường, đặc khu"),
        ("Ủy ban nhân dân cấp huyện", "Ủy ban nhân dân cấp xã"),
        ("UBND cấp huyện", "UBND cấp xã"),
        ("Sở Kế hoạch và Đầu tư", "Sở Tài chính"),
        ("Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Môi trường"),
        ("Sở Nông nghiệp và Phát triển nông thôn", "Sở Nông nghiệp và Môi trường"),
        ("Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ"),
        ("Sở Lao động - Thương binh và Xã hội", "Sở Nội vụ"),
        ("cán bộ, công chức xã, phường, thị trấn", "cán bộ, công chức xã, phường, đặc khu"),
        ("Ủy ban nhân dân cấp huyện, Ủy ban nhân dân cấp xã", "Ủy ban nhân dân cấp xã"),
        ("100% Ủy ban nhân dân cấp huyện, 100% Ủy ban nhân dân cấp xã", "100% Ủy ban nhân dân cấp xã"),
        ("Sở Tài chính, Sở Kế hoạch và Đầu tư", "Sở Tài chính"),
        # a ministry's document keeps its issuer
        ("Thông tư của Bộ Thông tin và Truyền thông", "Thông tư của Bộ Thông tin và Truyền thông"),
    ],
)
def test_modernise_text_renames_abolished_bodies(old, new):
    assert modernise_text(old, AFTER) == new
    assert modernise_text(old, BEFORE) == old  # a plan of before the reorganisation keeps its words


# ------------------------------------------------------------------ units named in a text


def test_lead_text_resolves_only_to_units_it_names(world, more_units):
    units = province_units(world.province)
    p = world.province
    assert resolve_lead_unit("Sở Tư pháp", units, p) == world.tuphap
    assert resolve_lead_unit("sở tư pháp", units, p) == world.tuphap
    assert resolve_lead_unit("So Tu phap", units, p) == world.tuphap
    assert resolve_lead_unit("Văn phòng Ủy ban nhân dân tỉnh", units, p) == more_units["vanphong"]
    assert resolve_lead_unit("Thanh tra tỉnh", units, p) == more_units["thanhtra"]
    assert resolve_lead_unit("Ủy ban nhân dân xã Đăk Hà", units, p) == world.xa1
    assert resolve_lead_unit("Sở Nội vụ chủ trì", units, p) == world.noivu
    # several units, a class, a part of a name, the province's own leaders: nobody
    assert resolve_lead_unit("Sở Nội vụ, Sở Tư pháp", units, p) is None
    assert resolve_lead_unit("Ủy ban nhân dân các xã, phường, đặc khu", units, p) is None
    assert resolve_lead_unit("Sở Tư", units, p) is None
    assert resolve_lead_unit("Chủ tịch Ủy ban nhân dân tỉnh", units, p) is None
    assert resolve_lead_unit("Sở Xây dựng", units, p) is None
    assert resolve_lead_unit("", units, p) is None

    assert match_units("Sở Nội vụ, Sở Tư pháp và các cơ quan, đơn vị liên quan", units, p) == [
        world.noivu,
        world.tuphap,
    ]
    assert match_units("Văn phòng UBND tỉnh", units, p) == [more_units["vanphong"]]
    assert match_units("các cơ quan, đơn vị liên quan", units, p) == []


def test_a_unit_named_after_its_province_still_matches(world):
    vp = Unit.objects.create(
        kind="department", code="T-VP2", name="Văn phòng UBND tỉnh Quảng Ngãi", parent=world.province
    )
    units = province_units(world.province)
    assert resolve_lead_unit("Văn phòng Ủy ban nhân dân tỉnh", units, world.province) == vp


# ------------------------------------------------------------------ a drafted plan


def test_drafted_tasks_reach_the_units_their_words_name(world, more_units, kontum):
    load_shipped_library()
    plan = draft_plan("papi", kontum, 2024, {"places": 5}, world.coordinator, weakest=8, tasks_per_node=40)
    tasks = list(plan.tasks.all())
    assert len(tasks) >= 20
    library = {t.key: t for t in LibraryTask.objects.filter(key__in=[t.library_key for t in tasks])}
    by_name = {fold(u.name): u for u in province_units(world.province)}
    by_name[fold("Văn phòng Ủy ban nhân dân tỉnh")] = more_units["vanphong"]

    led = 0
    for t in tasks:
        lib = library[t.library_key]
        expected = by_name.get(fold(modernise_text(lib.lead, AFTER)))
        if expected is not None:  # the library names a unit the province has
            assert t.lead_unit == expected, (lib.lead, t.lead_unit)
            assert t.lead_class == ""
            led += 1
        # the words are kept for the record (renamed after the reorganisation)
        assert t.lead_text == modernise_text(lib.lead, AFTER)[:300]
        for old in ("Sở Kế hoạch và Đầu tư", "Sở Tài nguyên", "Sở Thông tin và Truyền thông", "cấp huyện"):
            assert old not in t.text and old not in t.lead_text and old not in t.coordinating_text
        assert "các huyện, thành phố" not in t.text + t.lead_text
    assert led >= 10
    # the merged department is found: "Sở Tài nguyên và Môi trường" now leads as Sở Nông nghiệp và Môi trường
    tnmt = [t for t in tasks if library[t.library_key].lead == "Sở Tài nguyên và Môi trường"]
    assert tnmt and all(t.lead_unit == more_units["nnmt"] for t in tnmt)
    assert all(t.lead_text == "Sở Nông nghiệp và Môi trường" for t in tnmt)
    # class phrases: the districts are gone, their work goes to the communes
    districts = [t for t in tasks if library[t.library_key].lead == "Ủy ban nhân dân các huyện, thành phố"]
    assert districts
    for t in districts:
        assert t.lead_unit is None and t.lead_class == "ward"
        assert t.lead_text == "Ủy ban nhân dân các xã, phường, đặc khu"
    assert not any(t.lead_class == "district" for t in tasks)
    # coordinating units named by the library are set too (renamed; never the lead itself)
    coordinated = [t for t in tasks if t.coordinating_units.exists()]
    assert coordinated
    for t in coordinated:
        assert t.lead_unit not in t.coordinating_units.all()
    by_key = {t.library_key: t for t in tasks}
    if "kt2019-09" in by_key:  # Sở Kế hoạch và Đầu tư, Sở Xây dựng, Thanh tra tỉnh, UBND các huyện
        t = by_key["kt2019-09"]
        assert set(t.coordinating_units.all()) == {more_units["taichinh"], more_units["thanhtra"]}
        assert t.coordinating_text.startswith("Sở Tài chính, Sở Xây dựng, Thanh tra tỉnh")
    if "kt2019-14" in by_key:  # Sở Thông tin và Truyền thông
        assert list(by_key["kt2019-14"].coordinating_units.all()) == [more_units["khcn"]]
    assert {"kt2019-09", "kt2019-14"} & set(by_key)

    assert plan.title == "Cải thiện, nâng cao Chỉ số PAPI tỉnh Quảng Ngãi năm 2025"
    assert "15/06/2025" in plan.body and "15/11/2025" in plan.body
    assert "15/6/" not in plan.body


def test_plan_title_names_the_province(world):
    assert plan_title("PAR INDEX", world.province, 2026) == (
        "Cải thiện, nâng cao Chỉ số PAR INDEX tỉnh Quảng Ngãi năm 2026"
    )
