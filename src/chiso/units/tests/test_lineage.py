"""The one lineage rule (chiso.units.lineage) on the real provinces before and after 1 July 2025: a
province formed by a merger carries its predecessors' results in one defined order (the predecessor of
its own code first, then by code), a province never merged carries only itself, the units carried in a
year are those in force then; "Quảng Ngãi" is the old province in 2022 and the merged one in 2026, for a
name as for a unit; a chain of two links is followed both ways; the pure ordering keeps every unit
once, even on a cycle."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from chiso.units import lineage
from chiso.units.models import Unit, UnitLink
from chiso.units.services import UnitLookupError

pytestmark = pytest.mark.django_db


def province(code: str, *, merged: bool) -> Unit:
    """The province of ``code`` formed on 1 July 2025 (``merged``), else the one in force before it."""
    qs = Unit.objects.filter(kind=Unit.Kind.PROVINCE, code=code)
    return qs.get(valid_from__isnull=not merged)


def codes(units) -> list[tuple[str, bool]]:
    """(code, formed by the merger) of each unit, in order."""
    return [(u.code, u.valid_from is not None) for u in units]


def test_a_merged_province_carries_its_predecessors_same_code_first():
    quang_ngai = province("51", merged=True)
    assert codes(lineage.carried_units(quang_ngai)) == [("51", True), ("51", False), ("62", False)]
    # Hồ Chí Minh City keeps its code 79: the old city comes before Bình Dương (74) and Bà Rịa - Vũng
    # Tàu (77) although their codes are smaller.
    hcm = province("79", merged=True)
    assert codes(lineage.carried_units(hcm)) == [("79", True), ("79", False), ("74", False), ("77", False)]


def test_a_province_never_merged_carries_only_itself():
    ha_noi = province("01", merged=False)
    assert ha_noi.valid_to is None
    assert lineage.carried_units(ha_noi) == [ha_noi]
    assert lineage.carried_units(ha_noi, 2020) == [ha_noi] == lineage.carried_units(ha_noi, 2026)
    kon_tum = province("62", merged=False)
    assert lineage.carried_units(kon_tum) == [kon_tum]  # a predecessor carries nobody's results


def test_in_a_year_only_the_units_in_force_then():
    quang_ngai = province("51", merged=True)
    assert codes(lineage.carried_units(quang_ngai, 2024)) == [("51", False), ("62", False)]
    assert lineage.carried_units(quang_ngai, 2025) == [quang_ngai]  # in force on 31/12/2025
    assert lineage.carried_units(quang_ngai, 2026) == [quang_ngai]


def test_results_unit_is_the_first_carried_unit_with_results():
    quang_ngai = province("51", merged=True)
    old, kon_tum = province("51", merged=False), province("62", merged=False)
    assert lineage.results_unit(quang_ngai, lambda u: True) == quang_ngai
    assert lineage.results_unit(quang_ngai, lambda u: u.valid_to is not None) == old
    assert lineage.results_unit(quang_ngai, lambda u: u.pk == kon_tum.pk) == kon_tum
    assert lineage.results_unit(quang_ngai, lambda u: False) is None


def test_the_unit_valid_in_a_year_for_a_name_and_for_a_unit():
    old, new = province("51", merged=False), province("51", merged=True)
    kon_tum = province("62", merged=False)
    assert lineage.unit_valid_in("Quảng Ngãi", 2022) == old
    assert lineage.unit_valid_in("Quảng Ngãi", 2026) == new
    assert lineage.unit_valid_in("quang ngai", 2026) == new
    assert lineage.unit_valid_in(new, 2022) == old  # the predecessor of the same code
    assert lineage.unit_valid_in(old, 2026) == new
    assert lineage.unit_valid_in(kon_tum, 2026) == new
    assert lineage.unit_valid_in(kon_tum, 2022) == kon_tum
    assert lineage.unit_valid_in(new, None) == new
    with pytest.raises(UnitLookupError, match="không có hiệu lực trong năm 2026"):
        lineage.unit_valid_in("Kon Tum", 2026)


def test_units_in_force_follow_the_successors():
    old, new = province("51", merged=False), province("51", merged=True)
    assert lineage.units_in_force(old, dt.date(2024, 1, 1)) == [old]
    assert lineage.units_in_force(old, dt.date(2025, 7, 1)) == [new]
    assert lineage.units_in_force(new, dt.date(2024, 1, 1)) == []


def test_a_chain_of_two_links_is_followed_both_ways():
    """Suppose today's Quảng Ngãi were itself merged into a new unit in 2030."""
    new = province("51", merged=True)
    new.valid_to = dt.date(2029, 12, 31)
    new.save()
    later = Unit.objects.create(
        kind=Unit.Kind.PROVINCE, code="51", name="Tỉnh Quảng Ngãi", valid_from=dt.date(2030, 1, 1)
    )
    UnitLink.objects.create(predecessor=new, successor=later, date=dt.date(2030, 1, 1))
    kon_tum = province("62", merged=False)
    assert codes(lineage.carried_units(later)) == [
        ("51", True),
        ("51", True),
        ("51", False),
        ("62", False),
    ]
    assert lineage.carried_units(later)[:2] == [later, new]
    assert codes(lineage.carried_units(later, 2024)) == [("51", False), ("62", False)]
    assert lineage.carried_units(later, 2027) == [new]
    assert lineage.results_unit(later, lambda u: u.pk == kon_tum.pk) == kon_tum
    assert lineage.units_in_force(kon_tum, dt.date(2031, 1, 1)) == [later]
    assert lineage.unit_valid_in(kon_tum, 2030) == later
    assert lineage.unit_valid_in(later, 2020) == province("51", merged=False)


def test_the_pure_walk_orders_each_generation_and_lists_every_unit_once():
    def u(pk, code):
        return SimpleNamespace(pk=pk, code=code)

    root, a, b, c, d = u(1, "10"), u(2, "30"), u(3, "10"), u(4, "20"), u(5, "05")
    links = {1: [a, b, c], 3: [d, root], 4: [d]}  # a cycle back to the root, d reached twice
    assert [x.pk for x in lineage.walk(root, links)] == [1, 3, 4, 2, 5]
    assert lineage.walk(root, {}) == [root]
    assert [x.pk for x in lineage.order_generation([a, c, b], "30")] == [2, 3, 4]
