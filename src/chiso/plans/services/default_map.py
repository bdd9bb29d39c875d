"""The default responsibility map (bản đồ trách nhiệm mặc định), shipped as data.

``chiso/data/plans/responsibility_defaults.yaml`` says, per index and node, which kind of body usually
leads the work on it and which coordinate, by role ("home_affairs" → "Sở Nội vụ"; "environment" → "Sở Tài
nguyên và Môi trường" before the 2025 reorganisation, "Sở Nông nghiệp và Môi trường" from it). Drafting
uses it for a node the province's own map (``library.responsibility_map``) does not cover: a province
adjusts it by mapping the node itself.

- ``load_defaults(path=None)``: the file, checked (``DefaultMapError`` names every problem).
- ``default_names(index, codes, parents, year)``: the bodies (lead first) for the first of ``codes``
  with an entry, else their nearest ancestor's, named as in a plan of ``year``.
- ``default_responsible(index, codes, parents, year, units, province)``: those bodies as units of
  ``units`` when the province has a unit of that name (its whole name, accents and "UBND" ignored), the others as text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from chiso.core.text import nfc
from chiso.units.models import Unit

from .library import _chain, _key, _unit_keys

__all__ = [
    "DEFAULTS_PATH",
    "DefaultMap",
    "DefaultMapError",
    "default_names",
    "default_responsible",
    "load_defaults",
]

DEFAULTS_PATH = Path(__file__).resolve().parents[2] / "data" / "plans" / "responsibility_defaults.yaml"


class DefaultMapError(ValueError):
    """The default map file is malformed (message lists every problem)."""


@dataclass(frozen=True)
class DefaultMap:
    reform_date: dt.date
    #: role → (name before the reform date, name from it)
    roles: dict[str, tuple[str, str]]
    #: index → node code → (lead role, coordinating roles)
    entries: dict[str, dict[str, tuple[str, tuple[str, ...]]]]

    def name(self, role: str, year: int | None) -> str:
        before, after = self.roles[role]
        if year is None or dt.date(int(year), 12, 31) >= self.reform_date:
            return after
        return before


def _parse(data: dict, source: str) -> DefaultMap:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise DefaultMapError(f"{source}: không phải một bảng YAML.")
    raw_date = data.get("reform_date")
    try:
        reform_date = raw_date if isinstance(raw_date, dt.date) else dt.date.fromisoformat(str(raw_date))
    except ValueError:
        problems.append(f"reform_date “{raw_date}” không phải ngày yyyy-mm-dd.")
        reform_date = dt.date(2025, 7, 1)
    roles: dict[str, tuple[str, str]] = {}
    for role, spec in (data.get("roles") or {}).items():
        if isinstance(spec, str) and spec.strip():
            roles[str(role)] = (nfc(spec), nfc(spec))
        elif (
            isinstance(spec, dict)
            and str(spec.get("before") or "").strip()
            and str(spec.get("after") or "").strip()
        ):
            roles[str(role)] = (nfc(str(spec["before"])), nfc(str(spec["after"])))
        else:
            problems.append(f"Vai trò “{role}”: ghi một tên, hoặc before và after.")
    entries: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {}
    for index, nodes in (data.get("indices") or {}).items():
        out: dict[str, tuple[str, tuple[str, ...]]] = {}
        for code, spec in (nodes or {}).items():
            spec = spec or {}
            lead = str(spec.get("lead") or "")
            coordinating = tuple(str(c) for c in spec.get("coordinating") or [])
            for role in (lead, *coordinating):
                if role not in roles:
                    problems.append(f"{index} {code}: vai trò “{role}” không có trong roles.")
            out[str(code)] = (lead, coordinating)
        entries[str(index)] = out
    if problems:
        raise DefaultMapError(f"{source}: " + "; ".join(problems))
    return DefaultMap(reform_date, roles, entries)


@lru_cache(maxsize=4)
def _load(path: str) -> DefaultMap:
    with open(path, encoding="utf-8") as fh:
        return _parse(yaml.safe_load(fh) or {}, path)


def load_defaults(path: str | Path | None = None) -> DefaultMap:
    """The default map (read once per path)."""
    return _load(str(path or DEFAULTS_PATH))


def default_names(
    index: str,
    codes,
    parents: dict[str, str | None] | None,
    year: int | None,
    defaults: DefaultMap | None = None,
) -> list[str]:
    """The bodies the default map gives for the first of ``codes`` with an entry (else their nearest
    ancestor's), lead first, named as in a plan of ``year``; [] when none."""
    defaults = defaults or load_defaults()
    nodes = defaults.entries.get(index) or {}
    for code in _chain(codes, parents):
        if code in nodes:
            lead, coordinating = nodes[code]
            return list(dict.fromkeys(defaults.name(r, year) for r in (lead, *coordinating)))
    return []


def default_responsible(
    index: str,
    codes,
    parents: dict[str, str | None] | None,
    year: int | None,
    units: list[Unit],
    province: Unit | None = None,
) -> tuple[list[Unit], str]:
    """(units, text) responsible by default: each body the default map names is the province's unit of
    that name among ``units`` (the units of the plan's year) when there is one, else its name in the
    text ("; " between names)."""
    found: list[Unit] = []
    texts: list[str] = []
    keys = {u.pk: _unit_keys(u, province) for u in units}
    for name in default_names(index, codes, parents, year):
        matched = [u for u in units if _key(name) in keys[u.pk]]
        if len(matched) == 1:
            if matched[0] not in found:
                found.append(matched[0])
        else:
            texts.append(name)
    return found, "; ".join(texts)
