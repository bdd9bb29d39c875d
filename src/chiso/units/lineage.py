"""A unit's lineage: which units' results it carries, and which unit stands for it in a given year.

On 1 July 2025 provinces and communes were merged (``UnitLink`` predecessor → successor). Results stay
with the unit that existed in their evaluation year, so a unit formed by a merger *carries* its
predecessors' series, and a unit that no longer exists is *continued* by its successor. This module is
the one home of that rule; every page, service, command and loader asks it.

- :func:`carried_units` ``(unit, year=None)`` — the unit, then the units one link back, then two links
  back…; within one generation the unit of the same code first (old Quảng Ngãi before Kon Tum under
  today's Quảng Ngãi), then by code. With ``year``: only those in force at the end of that year
  (:func:`chiso.units.services.reference_date`), i.e. the units that can hold that year's results.
- :func:`results_unit` ``(unit, has_results)`` — the first of :func:`carried_units` that has results
  (``has_results(unit)``), else None: whose results a plan of ``unit`` starts from.
- :func:`units_in_force` ``(unit, day)`` — the unit if it is in force on ``day``, then its successors
  (recursively, same order) in force that day: who issues, on ``day``, what was ``unit``'s.
- :func:`unit_on` ``(unit, day)`` — the unit that stands for ``unit`` on ``day``: itself, else its first
  successor, else its first predecessor in force that day (a plan of 2023 of today's Quảng Ngãi speaks of
  the former Quảng Ngãi and its districts), else None.
- :func:`unit_valid_in` ``(name_or_unit, year)`` — the unit in force in ``year`` for a name (the
  resolver: "Quảng Ngãi" in 2022 is the old province, in 2026 the merged one) or for a unit (itself,
  else its successor, else its predecessor in force that year).

The ordering and the walk are pure functions (:func:`order_generation`, :func:`walk`) over any objects
with ``pk`` and ``code``; only :func:`_links` reads the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

from django.utils.translation import gettext as _

from .models import Unit, UnitLink
from .services import UnitLookupError, UnitResolver, _describe, reference_date, resolve_unit

__all__ = [
    "carried_units",
    "order_generation",
    "results_unit",
    "unit_on",
    "unit_valid_in",
    "units_in_force",
    "walk",
]


class _Node(Protocol):
    @property
    def pk(self) -> int | None: ...

    @property
    def code(self) -> str: ...


N = TypeVar("N", bound=_Node)


# --- pure -----------------------------------------------------------------------------------------


def order_generation(units: Iterable[N], code: str) -> list[N]:
    """One generation of a lineage in its defined order: the units of ``code`` first, then by code
    (then by id, so the order never depends on the database)."""
    return sorted(units, key=lambda u: (u.code != code, u.code, u.pk or 0))


def walk(unit: N, links: Mapping[int, Sequence[N]]) -> list[N]:
    """``unit`` then, generation by generation, the units ``links`` reaches from it (``links``: id →
    the units one link away), each generation ordered by :func:`order_generation` against ``unit``'s
    code. A unit reached twice (or a cycle) is listed once."""
    out = [unit]
    seen = {unit.pk}
    frontier = [unit]
    while frontier:
        generation = []
        for u in frontier:
            for other in links.get(u.pk or 0, ()):
                if other.pk not in seen:
                    seen.add(other.pk)
                    generation.append(other)
        frontier = order_generation(generation, unit.code)
        out.extend(frontier)
    return out


# --- database -------------------------------------------------------------------------------------


def _links(unit: Unit, *, backward: bool) -> dict[int, list[Unit]]:
    """id → predecessors (``backward``) or successors of every unit reachable from ``unit``; one query
    per generation."""
    near, far = ("successor", "predecessor") if backward else ("predecessor", "successor")
    out: dict[int, list[Unit]] = {}
    seen = {unit.pk}
    frontier = [unit.pk]
    while frontier:
        rows = UnitLink.objects.filter(**{f"{near}_id__in": frontier}).select_related(far)
        frontier = []
        for link in rows:
            other: Unit = getattr(link, far)
            out.setdefault(getattr(link, f"{near}_id"), []).append(other)
            if other.pk not in seen:
                seen.add(other.pk)
                frontier.append(other.pk)
    return out


def _in_force(units: list[Unit], day: dt.date | None) -> list[Unit]:
    return units if day is None else [u for u in units if u.valid_on(day)]


def carried_units(unit: Unit, year: int | None = None) -> list[Unit]:
    """The units whose results ``unit`` carries (itself first; see the module's docstring); with
    ``year``, only those in force at the end of that year."""
    return _in_force(walk(unit, _links(unit, backward=True)), reference_date(year))


def results_unit(unit: Unit, has_results: Callable[[Unit], bool]) -> Unit | None:
    """The first unit of :func:`carried_units` ``(unit)`` with results (``has_results``), else None."""
    return next((u for u in carried_units(unit) if has_results(u)), None)


def units_in_force(unit: Unit, day: dt.date) -> list[Unit]:
    """``unit`` if it is in force on ``day``, then the units that succeeded it (recursively) in force
    that day, in the lineage order."""
    return _in_force(walk(unit, _links(unit, backward=False)), day)


def unit_on(unit: Unit, day: dt.date) -> Unit | None:
    """The unit in force on ``day`` that stands for ``unit``: itself, else its first successor, else its
    first predecessor (the lineage order: the same code first), else None."""
    found = units_in_force(unit, day) or _in_force(walk(unit, _links(unit, backward=True)), day)
    return found[0] if found else None


def unit_valid_in(
    query: str | Unit,
    year: int | None,
    *,
    kind: str = Unit.Kind.PROVINCE,
    units: Iterable[Unit] | None = None,
) -> Unit:
    """The unit in force in ``year`` (on 31 December) for a name or GSO code (of ``kind``, or among
    ``units`` — e.g. the units an index scores), or for a unit: itself, else its first successor, else its
    first predecessor in force then. Raises :class:`~chiso.units.services.UnitLookupError` (Vietnamese
    message) when there is none or a name is ambiguous. Without a year, any period: a name must then name
    one unit; a unit is itself."""
    if not isinstance(query, Unit):
        if units is not None:
            return UnitResolver(kind, units=units).resolve(query, year)
        return resolve_unit(query, year, kind)
    day = reference_date(year)
    if day is None:
        return query
    found = unit_on(query, day)
    if found is None:
        raise UnitLookupError(
            query.short_name,
            _("“{name}” không có hiệu lực trong năm {year} (có: {units}).").format(
                name=query.short_name, year=year, units=_describe(query)
            ),
            (query,),
        )
    return found
