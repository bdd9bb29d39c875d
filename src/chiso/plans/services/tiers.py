"""The administrative tiers of a plan's year: which units, and which words for them, a plan speaks of.

A plan for year Y speaks of the units in force at the end of Y (``plan_day``): before the 2025
reorganisation (``library.REFORM_DATE``) a province has districts ("UBND các huyện, thị xã, thành phố")
and its former departments; from it, communes only ("xã, phường, đặc khu") and the merged departments.
The unit that stands for the plan's province that year comes from the lineage
(``chiso.units.lineage.unit_on``: a 2023 plan of today's Quảng Ngãi speaks of the former Quảng Ngãi).

- ``plan_day(year)``, ``reformed(year)``: the plan's time and whether it is after the reorganisation.
- ``year_provinces(unit, year)``: the provinces whose units a plan of ``unit``'s province for ``year``
  names (the province in force then, and the issuing province itself when it is).
- ``units_of_year(unit, year, kinds)``: the units of those provinces (their whole subtree) in force in
  ``year``, sorted the Vietnamese way by kind (departments, agencies, districts, communes).
- ``own_units(unit, year)``: the unit itself and the units under it (its offices, its communes) in force in
  ``year``: whom a plan the unit derives from a provincial one may give its tasks to.
- ``unit_label(unit)`` / ``unit_labels(units)``: how a picker names a unit, with its kind and its parent
  ("Xã Chi Lăng, huyện Hữu Lũng"); names still shared get their code.
- ``class_units(plan, unit_class, today)``: the units a task addressed to a class ("UBND cấp huyện")
  goes to: the units of that kind of the plan's year.
- ``local_words(year)``, ``for_plan_year(lines, year)``: the words naming the local tiers in that year.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from chiso.core.text import fold, vi_sort_key
from chiso.documents.wording import unit_full_name
from chiso.units.lineage import unit_on
from chiso.units.models import Unit
from chiso.units.services import province_of

from .library import REFORM_DATE

__all__ = [
    "PICKER_KINDS",
    "class_units",
    "for_plan_year",
    "local_words",
    "own_units",
    "plan_day",
    "reformed",
    "unit_label",
    "unit_labels",
    "units_of_year",
    "year_provinces",
]

#: Kinds of units a task, a shortcoming or a responsibility may name, in the order a picker lists them.
PICKER_KINDS = (Unit.Kind.PROVINCE, Unit.Kind.DEPARTMENT, Unit.Kind.OTHER, Unit.Kind.DISTRICT, Unit.Kind.WARD)
_ORDER = {kind: i for i, kind in enumerate(PICKER_KINDS)}


def plan_day(year: int) -> dt.date:
    """The day a plan of ``year`` speaks of: the last day of its year."""
    return dt.date(int(year), 12, 31)


def reformed(year: int | None) -> bool:
    """Whether a plan of ``year`` comes after the 2025 reorganisation (no districts, merged departments).
    Without a year: today."""
    return (plan_day(year) if year else dt.date.today()) >= REFORM_DATE


def year_provinces(unit: Unit, year: int | None) -> list[Unit]:
    """The provinces whose units a plan of ``unit``'s province for ``year`` may name: the unit that stands
    for the province that year (``unit_on``), then the province itself (its units without a start date,
    e.g. departments entered without one, count as in force then). Without a year: the province."""
    province = province_of(unit)
    if not year:
        return [province]
    then = unit_on(province, plan_day(year))
    return [then, province] if then is not None and then != province else [province]


def _subtree(roots: Iterable[Unit]) -> set[int]:
    ids: set[int] = set()
    for root in roots:
        ids |= root.descendants_ids()
    return ids


def units_of_year(unit: Unit, year: int | None, kinds: Iterable[str] = PICKER_KINDS) -> list[Unit]:
    """The units (of ``kinds``) of the plan's provinces (``year_provinces``) in force at the end of
    ``year`` (any unit in force today without a year), sorted by kind then the Vietnamese way."""
    day = plan_day(year) if year else dt.date.today()
    roots = year_provinces(unit, year)
    units = [
        u
        for u in Unit.objects.filter(pk__in=_subtree(roots), kind__in=list(kinds)).select_related("parent")
        if u.valid_on(day)
    ]
    return sorted(units, key=lambda u: (_ORDER.get(u.kind, 9), vi_sort_key(unit_full_name(u)), u.code))


def own_units(unit: Unit, year: int | None) -> list[Unit]:
    """``unit`` and the units under it (its offices, its districts' or its own communes) in force at the
    end of ``year`` (today without a year): the unit first, then by kind, the Vietnamese way. An office
    added in chiso without dates counts as in force in any year."""
    day = plan_day(year) if year else dt.date.today()
    below = [
        u
        for u in Unit.objects.filter(pk__in=unit.descendants_ids() - {unit.pk}).select_related("parent")
        if u.valid_on(day)
    ]
    below.sort(key=lambda u: (_ORDER.get(u.kind, 9), vi_sort_key(unit_full_name(u)), u.code))
    return [unit, *below]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() else text


def unit_label(unit: Unit) -> str:
    """ "Sở Tư pháp", "Huyện Hữu Lũng", "Xã Chi Lăng, huyện Hữu Lũng": the full name (with its kind) and,
    for a unit under a district or a commune, its parent."""
    name = unit_full_name(unit)
    parent = unit.parent
    if parent is not None and parent.kind in (Unit.Kind.DISTRICT, Unit.Kind.WARD):
        name = f"{name}, {_lower_first(unit_full_name(parent))}"
    return name


def unit_labels(units: Iterable[Unit]) -> list[tuple[int, str]]:
    """(id, label) of each unit; a label two units share gets their codes ("Xã An Hòa (mã 20245)")."""
    units = list(units)
    labels = [unit_label(u) for u in units]
    counts = Counter(fold(lab) for lab in labels)
    return [
        (u.pk, f"{lab} (mã {u.code})" if counts[fold(lab)] > 1 and u.code else lab)
        for u, lab in zip(units, labels, strict=True)
    ]


def class_units(plan, kind: str, today: dt.date | None = None) -> list[Unit]:
    """The units of ``kind`` (district, ward, department) a task of ``plan`` addressed to their whole
    class goes to: those of the plan's provinces in force on the last day of the plan's year, or today
    when that is earlier (a plan under way goes to the units that exist now)."""
    today = today or dt.date.today()
    day = min(today, plan_day(plan.year))
    roots = year_provinces(plan.issuing_unit, day.year)
    units = [
        u
        for u in Unit.objects.filter(pk__in=_subtree(roots), kind=kind).order_by("code", "pk")
        if u.valid_on(day)
    ]
    return units


def local_words(year: int | None) -> dict[str, str]:
    """How a plan of ``year`` names the local tiers below the province: ``committees`` ("UBND các huyện,
    thị xã, thành phố" before the reorganisation, "UBND các xã, phường, đặc khu" from it) and ``chairs``
    (the same with "Chủ tịch Ủy ban nhân dân")."""
    if reformed(year):
        where = "các xã, phường, đặc khu"
    else:
        where = "các huyện, thị xã, thành phố"
    return {
        "committees": f"UBND {where}",
        "chairs": f"Chủ tịch Ủy ban nhân dân {where}",
        "where": where,
    }


_COMMUNE_LINES = {
    fold(line)
    for line in (
        "UBND các xã, phường",
        "UBND các xã, phường, đặc khu",
        "Ủy ban nhân dân các xã, phường",
        "Ủy ban nhân dân các xã, phường, đặc khu",
    )
}


def for_plan_year(lines: Iterable[str], year: int | None) -> list[str]:
    """A list of recipients for a plan of ``year``: before the reorganisation the communes' committees
    ("UBND các xã, phường") are the districts' ("UBND các huyện, thị xã, thành phố"); unchanged from it."""
    lines = list(lines)
    if reformed(year):
        return lines
    words = local_words(year)["committees"]
    out: list[str] = []
    for line in lines:
        text = words if fold(line) in _COMMUNE_LINES else line
        if text not in out:
            out.append(text)
    return out
