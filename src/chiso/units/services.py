"""Loading the administrative units and resolving names to the unit valid in a given year.

The only place that writes units, their links and regions.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chiso.core.text import fold, name_key, nfc

from .models import Region, Unit, UnitLink

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "units"
MERGER_DATE = dt.date(2025, 7, 1)
LAST_DAY_BEFORE_MERGER = dt.date(2025, 6, 30)
MERGER_SOURCE = "Nghị quyết 202/2025/QH15 (sắp xếp đơn vị hành chính cấp tỉnh, hiệu lực 01/07/2025)"
WARD_MERGER_SOURCE = (
    "Nghị quyết 202/2025/QH15 và các nghị quyết của Ủy ban Thường vụ Quốc hội về sắp xếp đơn vị hành chính"
    " cấp xã của từng tỉnh, thành phố (hiệu lực 01/07/2025)"
)

# Names people also use for some provinces (spelling variants are handled by folding).
EXTRA_ALIASES = {
    "46": ["Thừa Thiên Huế", "Thừa Thiên - Huế", "TT Huế"],
    "79": ["TP HCM", "TPHCM", "HCM", "Sài Gòn", "Thành phố Hồ Chí Minh"],
    "77": ["BR-VT", "BRVT", "Bà Rịa Vũng Tàu"],
}


def lookup_key(name: str) -> str:
    """Accent-, spelling-, case-, punctuation- and prefix-insensitive key of a unit name."""
    return re.sub(r"[^a-z0-9]", "", name_key(nfc(name)))


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _subtype(full_name: str) -> str:
    for prefix in ("Thành phố", "Tỉnh", "Phường", "Xã", "Thị trấn", "Đặc khu", "Quận", "Huyện", "Thị xã"):
        if full_name.startswith(prefix):
            return prefix
    return ""


@transaction.atomic
def load_reference_units(*, with_wards: bool = True) -> dict[str, int]:
    """Create (idempotently) the 63 legacy provinces, the 34 provinces of 1 July 2025, the merger
    links between them, districts and communes before and after, and the regions."""
    counts: dict[str, int] = defaultdict(int)
    legacy = _read_csv("vn_admin_legacy63_provinces.csv")
    new = _read_csv("vn_admin_2025_34_provinces.csv")
    mapping = _read_csv("vn_province_map_63_to_34.csv")

    new_to_old: dict[str, list[str]] = defaultdict(list)
    for row in mapping:
        new_to_old[row["new_province_code"]].append(row["old_province_code"])
    # A province that absorbed no other keeps one continuous unit.
    unchanged = {new_code for new_code, olds in new_to_old.items() if olds == [new_code]}

    def province(row: dict[str, str], valid_from, **defaults) -> Unit:
        code = row["province_code"]
        unit, created = Unit.objects.get_or_create(
            kind=Unit.Kind.PROVINCE,
            code=code,
            valid_from=valid_from,
            defaults={
                "name": row["province_name"],
                "short_name": row["province_short"],
                "subtype": _subtype(row["province_name"]),
                "aliases": EXTRA_ALIASES.get(code, []),
                **defaults,
            },
        )
        counts["provinces_created"] += created
        return unit

    legacy_units: dict[str, Unit] = {}
    for row in legacy:
        code = row["province_code"]
        valid_to = None if code in unchanged else LAST_DAY_BEFORE_MERGER
        legacy_units[code] = province(row, None, valid_to=valid_to)

    new_units: dict[str, Unit] = {}
    for row in new:
        code = row["province_code"]
        if code in unchanged:
            new_units[code] = legacy_units[code]
            continue
        unit = province(row, MERGER_DATE)
        new_units[code] = unit
        for old_code in new_to_old[code]:
            _, created = UnitLink.objects.get_or_create(
                predecessor=legacy_units[old_code],
                successor=unit,
                defaults={"date": MERGER_DATE, "kind": UnitLink.Kind.MERGE, "source": MERGER_SOURCE},
            )
            counts["links_created"] += created

    if with_wards:
        counts.update(_load_wards(legacy_units, new_units))
        # bulk_create sends no signal: the units' version (``chiso.tracking.version``, which the
        # subtrees cached by ``accounts.scope`` are keyed by) is changed here.
        from chiso.tracking.version import bump_plans_version

        bump_plans_version()
    counts["regions"] = load_regions()
    return dict(counts)


def _load_wards(legacy_units: dict[str, Unit], new_units: dict[str, Unit]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    existing = set(
        Unit.objects.filter(kind__in=[Unit.Kind.DISTRICT, Unit.Kind.WARD]).values_list(
            "kind", "code", "valid_from"
        )
    )

    def make(kind, row: dict[str, str], parent, valid_from, valid_to) -> Unit | None:
        """The unit of a row of the source (its ``district_*`` or ``ward_*`` columns), None if loaded."""
        prefix = "district" if kind == Unit.Kind.DISTRICT else "ward"
        code, name, short = row[f"{prefix}_code"], row[f"{prefix}_name"], row[f"{prefix}_short"]
        if (kind, code, valid_from) in existing:
            return None
        unit = Unit(
            kind=kind,
            code=code,
            name=nfc(name),
            short_name=nfc(short),
            subtype=_subtype(name),
            parent=parent,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        unit.search_key = name_key(unit.short_name)
        unit.search_text = fold(unit.name)
        return unit

    districts: list[Unit] = []
    for row in _read_csv("vn_admin_legacy63_districts.csv"):
        parent = legacy_units[row["province_code"]]
        if u := make(Unit.Kind.DISTRICT, row, parent, None, LAST_DAY_BEFORE_MERGER):
            districts.append(u)
    Unit.objects.bulk_create(districts, batch_size=1000)
    counts["districts_created"] = len(districts)
    district_by_code = {
        u.code: u for u in Unit.objects.filter(kind=Unit.Kind.DISTRICT, valid_to=LAST_DAY_BEFORE_MERGER)
    }

    wards: list[Unit] = []
    for row in _read_csv("vn_admin_legacy63_wards.csv"):
        if not row["ward_code"].strip():
            # Five island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) had no commune:
            # the source lists them with an empty commune code, which is no unit.
            continue
        parent = district_by_code[row["district_code"]]
        if u := make(Unit.Kind.WARD, row, parent, None, LAST_DAY_BEFORE_MERGER):
            wards.append(u)
    for row in _read_csv("vn_admin_2025_34_wards.csv"):
        if u := make(Unit.Kind.WARD, row, new_units[row["province_code"]], MERGER_DATE, None):
            wards.append(u)
    Unit.objects.bulk_create(wards, batch_size=2000)
    counts["wards_created"] = len(wards)
    counts["ward_links_created"] = _load_ward_links()
    return counts


def _load_ward_links() -> int:
    """Links from each pre-2025 commune to the commune(s) of 1 July 2025 it went into: wholly ("merge")
    or divided between several ("split"). Returns the number of links created."""
    rows = _read_csv("vn_ward_map_2025.csv")
    old_ids = dict(
        Unit.objects.filter(kind=Unit.Kind.WARD, valid_from=None, valid_to=LAST_DAY_BEFORE_MERGER)
        .exclude(code="")
        .values_list("code", "pk")
    )
    new_ids = dict(Unit.objects.filter(kind=Unit.Kind.WARD, valid_from=MERGER_DATE).values_list("code", "pk"))
    links = [
        UnitLink(
            predecessor_id=old_ids[row["old_ward_code"]],
            successor_id=new_ids[row["new_ward_code"]],
            date=MERGER_DATE,
            kind=UnitLink.Kind.SPLIT if row["kind"] == "split" else UnitLink.Kind.MERGE,
            source=WARD_MERGER_SOURCE,
        )
        for row in rows
    ]
    before = UnitLink.objects.filter(date=MERGER_DATE, successor__kind=Unit.Kind.WARD).count()
    UnitLink.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
    return UnitLink.objects.filter(date=MERGER_DATE, successor__kind=Unit.Kind.WARD).count() - before


def load_regions() -> int:
    path = DATA_DIR / "regions.yaml"
    if not path.exists():
        return 0
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    n = 0
    for spec in data.get("regions", []):
        region, _ = Region.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name_vi": nfc(spec["name_vi"]),
                "name_en": spec.get("name_en", ""),
                "kind": spec.get("kind", Region.Kind.SOCIOECONOMIC),
                "source": spec.get("source", "")[:300],
            },
        )
        valid_from = spec.get("valid_from")
        members = Unit.objects.filter(
            kind=Unit.Kind.PROVINCE, code__in=[str(c).zfill(2) for c in spec["members"]]
        )
        if valid_from and str(valid_from) >= str(MERGER_DATE):
            members = members.exclude(valid_to__lt=MERGER_DATE)
        else:
            members = members.filter(valid_from__isnull=True)
        region.members.set(members)
        n += 1
    return n


# --- name resolution ---------------------------------------------------------------------


@dataclass
class UnitLookupError(ValueError):
    query: str
    message: str
    candidates: tuple[Unit, ...] = ()

    def __str__(self) -> str:
        return self.message


def reference_date(year: int | None) -> dt.date | None:
    """Results of an evaluation year belong to the units that existed at the end of that year."""
    return dt.date(year, 12, 31) if year else None


class UnitResolver:
    """Resolves free-text unit names (or GSO codes) to units, caching the index for a batch."""

    def __init__(self, kind: str = Unit.Kind.PROVINCE, units: Iterable[Unit] | None = None):
        self.kind = kind
        self.by_key: dict[str, list[Unit]] = defaultdict(list)
        self.by_code: dict[str, list[Unit]] = defaultdict(list)
        for unit in units if units is not None else Unit.objects.filter(kind=kind):
            keys = {lookup_key(unit.short_name), lookup_key(unit.name)}
            keys.update(lookup_key(a) for a in unit.aliases or [])
            for key in keys:
                if key:
                    self.by_key[key].append(unit)
            self.by_code[unit.code.lstrip("0")].append(unit)

    def resolve(self, query: str, year: int | None = None) -> Unit:
        text = nfc(str(query or ""))
        if not text:
            raise UnitLookupError(text, _("Tên đơn vị trống."))
        if text.isdigit():
            candidates = list(self.by_code.get(text.lstrip("0"), []))
        else:
            candidates = list(self.by_key.get(lookup_key(text), []))
        if not candidates:
            raise UnitLookupError(text, _("Không tìm thấy đơn vị “{name}”.").format(name=text))
        day = reference_date(year)
        if day is not None:
            valid = [u for u in candidates if u.valid_on(day)]
            if not valid:
                names = ", ".join(_describe(u) for u in candidates)
                raise UnitLookupError(
                    text,
                    _("“{name}” không có hiệu lực trong năm {year} (có: {units}).").format(
                        name=text, year=year, units=names
                    ),
                    tuple(candidates),
                )
            candidates = valid
        unique = {u.pk: u for u in candidates}
        if len(unique) > 1:
            names = "; ".join(_describe(u) for u in unique.values())
            raise UnitLookupError(
                text,
                _("Tên “{name}” chưa rõ là đơn vị nào, có thể là: {units}.").format(name=text, units=names),
                tuple(unique.values()),
            )
        return next(iter(unique.values()))


def _describe(unit: Unit) -> str:
    start = unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "…"
    end = unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else pgettext("valid until", "nay")
    return _("{name} (mã {code}, {start}–{end})").format(name=unit.name, code=unit.code, start=start, end=end)


def resolve_unit(query: str, year: int | None = None, kind: str = Unit.Kind.PROVINCE) -> Unit:
    return UnitResolver(kind).resolve(query, year)


@transaction.atomic
def create_department(*, parent: Unit, name: str, code: str, short_name: str = "", valid_from=None) -> Unit:
    """A coordinator adds a department or agency (sở, ban, ngành) under a province."""
    name = nfc(name)
    if not name:
        raise ValueError(_("Tên cơ quan không được để trống."))
    # Lengths checked here, not by the database (PostgreSQL refuses with a 500, SQLite stores anything).
    for value, field in ((code, "code"), (name, "name"), (nfc(short_name), "short_name")):
        limit = Unit._meta.get_field(field).max_length
        if len(value) > limit:
            raise ValueError(
                _("“{label}” không được dài quá {n} ký tự.").format(
                    label=Unit._meta.get_field(field).verbose_name, n=limit
                )
            )
    if Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, code=code, valid_from=valid_from).exists():
        raise ValueError(_("Mã “{code}” đã được dùng cho một cơ quan khác.").format(code=code))
    return Unit.objects.create(
        kind=Unit.Kind.DEPARTMENT,
        code=code,
        name=name,
        short_name=nfc(short_name) or name,
        parent=parent,
        valid_from=valid_from,
    )


def province_of(unit: Unit) -> Unit:
    """The province a unit belongs to (itself if it is one, else its first province ancestor; the unit
    itself when it has none)."""
    u: Unit | None = unit
    seen = set()
    while u is not None and u.pk not in seen:
        if u.kind == Unit.Kind.PROVINCE:
            return u
        seen.add(u.pk)
        u = u.parent
    return unit


# --- peer groups ---------------------------------------------------------------------------------


@transaction.atomic
def save_peer_group(*, name: str, member_ids: list[int], user=None, region: Region | None = None) -> Region:
    """Create or change a user-defined peer group ("nhóm so sánh"). Socio-economic regions are
    reference data and cannot be changed here."""
    name = nfc(name)
    errors = []
    if not name:
        errors.append("Tên nhóm không được để trống.")
    elif len(name) > Region._meta.get_field("name_vi").max_length:
        errors.append(f"Tên nhóm không được dài quá {Region._meta.get_field('name_vi').max_length} ký tự.")
    members = list(Unit.objects.filter(pk__in=member_ids, kind=Unit.Kind.PROVINCE))
    if len(members) < 2:
        errors.append("Nhóm so sánh cần ít nhất 2 tỉnh, thành phố.")
    if len(members) != len(set(member_ids)):
        errors.append("Có đơn vị không phải tỉnh, thành phố hoặc không tồn tại.")
    same_name = Region.objects.filter(name_vi__iexact=name)
    if region is not None:
        same_name = same_name.exclude(pk=region.pk)
        if region.kind != Region.Kind.PEER:
            errors.append("Vùng kinh tế - xã hội là dữ liệu tham chiếu, không sửa được.")
    if name and same_name.exists():
        errors.append(f"Đã có vùng hoặc nhóm tên “{name}”.")
    if errors:
        raise ValueError(errors)
    if region is None:
        code = "PEER_" + (lookup_key(name).upper()[:30] or "NHOM")
        base, n = code, 1
        while Region.objects.filter(code=code).exists():
            n += 1
            code = f"{base}_{n}"
        region = Region(code=code, kind=Region.Kind.PEER)
        region.created_by = user if getattr(user, "is_authenticated", False) else None
    region.name_vi = name
    region.save()
    region.members.set(members)
    return region
