"""Installing and versioning frameworks. The only place that writes frameworks and nodes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiso.core import framework as fwcore
from chiso.core.text import nfc
from chiso.core.tree import NodeSpec, Tree
from chiso.results.version import bump_data_version, current_data_version

from .models import Framework, Index, Node
from .permissions import can_edit_index, owner_for_new_index, refuse_unless_can_edit

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "frameworks"


@dataclass
class FrameworkInvalid(Exception):
    errors: list[fwcore.FrameworkError]

    def __str__(self) -> str:
        return "\n".join(e.message for e in self.errors)


# --- indices ------------------------------------------------------------------------------------


def known_indices() -> dict[str, fwcore.IndexDef]:
    """Every index chiso has, as the core reads it, by code (for validating and reading files)."""
    return {i.code: i.definition() for i in Index.objects.all()}


def index_choices(*, with_frameworks: bool = False) -> list[tuple[str, str]]:
    """(code, label) of the indices, in their order, labelled in the reader's language (choices of
    forms); only those with a framework if asked."""
    qs = Index.objects.all()
    if with_frameworks:
        qs = qs.filter(frameworks__isnull=False).distinct()
    language = get_language()
    return [(i.code, i.label_for(language)) for i in qs]


def index_labels(language: str | None = None) -> dict[str, str]:
    """{code: label} of every index ("PAR INDEX"): Vietnamese for documents; a page passes the reader's
    language (``get_language()``) for the English short names."""
    return {i.code: i.label_for(language) for i in Index.objects.all()}


def get_index(code: str) -> Index:
    """The index of this code; IndexUnknown (Vietnamese, listing the known codes) if there is none."""
    try:
        return Index.objects.get(code=(code or "").strip().lower())
    except Index.DoesNotExist:
        raise IndexUnknown(code) from None


class IndexUnknown(ValueError):
    def __init__(self, code: str):
        self.code = code
        known = ", ".join(Index.objects.codes()) or _("chưa có")
        super().__init__(_("Không có chỉ số “{code}” (các chỉ số: {known}).").format(code=code, known=known))


#: The kinds of units (chiso.units) each kind of scored unit covers.
_UNIT_KINDS = {
    "province": ("province",),
    "department": ("department", "other"),
    "commune": ("ward",),
    "district": ("district",),
}


def scored_units(index: Index):
    """The units an index scores: of its unit kind, within its owner province when it has one."""
    from chiso.units.models import Unit

    qs = Unit.objects.all()
    kinds = _UNIT_KINDS.get(index.unit_kind)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    if index.owner_id is not None:
        qs = qs.filter(pk__in=index.owner.descendants_ids())
    return qs


def resolve_scored_unit(index: Index, query: str, year: int | None = None):
    """The unit of ``index`` that a name or code means in ``year`` (UnitLookupError says why not)."""
    from chiso.units.lineage import unit_valid_in

    return unit_valid_in(query, year, units=scored_units(index))


def declare_index(idx: fwcore.IndexDef, *, owner=None) -> Index:
    """Create the index a framework file declares, or update its names, levels and kind (levels only
    grow: a level a stored framework uses is never dropped). ``owner``: the province of a new index made
    by its coordinator (None: national)."""
    current = Index.objects.filter(code=idx.code).first()
    levels = [
        {"code": lv.code, "name_vi": nfc(lv.name_vi), "name_en": lv.name_en, "aliases": list(lv.aliases)}
        for lv in idx.levels
    ]
    if current is not None:
        declared = {lv["code"] for lv in levels}
        used = set(Node.objects.filter(framework__index=current).values_list("level", flat=True))
        kept = [lv for lv in current.levels or [] if lv.get("code") in used - declared]
        levels += kept
    fields = {
        "name_vi": nfc(idx.name_vi),
        "name_en": idx.name_en,
        "short_name": nfc(idx.short_name) or idx.code.upper(),
        "short_name_en": nfc(idx.short_name_en),
        "levels": levels,
        "unit_kind": "any" if idx.unit_kind not in Index.UnitKind.values else idx.unit_kind,
        "value_kind": idx.value_kind or "points",
        "aliases": [nfc(a) for a in idx.aliases],
    }
    if idx.order is not None:
        fields["order"] = idx.order
    if current is None:
        if "order" not in fields:
            last = Index.objects.order_by("-order").values_list("order", flat=True).first()
            fields["order"] = (last or 0) + 1
        return Index.objects.create(code=idx.code, owner=owner, **fields)
    changed = [k for k, v in fields.items() if getattr(current, k) != v]
    if changed:
        for k in changed:
            setattr(current, k, fields[k])
        current._change_reason = "Khai báo lại trong tệp bộ chỉ số"
        current.save(update_fields=changed)
    return current


def _canon(fw: fwcore.FrameworkDef) -> tuple:
    meta = (
        fw.index,
        nfc(fw.name_vi or ""),
        fw.name_en or "",
        fw.valid_from,
        fw.valid_to,
        bool(fw.complete),
        nfc(fw.incomplete_note or ""),
        fw.source or "",
        fw.value_kind or "points",
        fw.precision,
        fw.grouping,
    )
    nodes = tuple(
        (
            n.code,
            n.parent,
            n.level,
            nfc(n.name_vi or ""),
            n.name_en or "",
            n.max,
            n.min,
            n.aggregation or "sum",
            1.0 if n.weight is None else float(n.weight),
            bool(n.contributes),
            n.source_kind or "",
            tuple(n.aliases or ()),
            bool(n.incomplete),
            nfc(n.note or ""),
            n.step,
            n.rule,
            bool(n.bonus),
            bool(n.may_be_na),
        )
        for n in fw.nodes
    )
    return meta, nodes


def _same_definition(framework: Framework, fw: fwcore.FrameworkDef) -> bool:
    return _canon(export_definition(framework)) == _canon(fw)


def export_definition(framework: Framework) -> fwcore.FrameworkDef:
    nodes = list(framework.nodes.select_related("parent").order_by("order"))
    rows = [
        fwcore.NodeRow(
            row=None,
            code=n.code,
            parent=n.parent.code if n.parent else None,
            level=n.level,
            name_vi=n.name_vi,
            name_en=n.name_en,
            max=n.max_score,
            min=n.min_score,
            aggregation=n.aggregation,
            weight=n.weight,
            contributes=n.contributes,
            source_kind=n.source_kind or None,
            aliases=tuple(n.aliases or ()),
            incomplete=n.incomplete,
            note=n.note or None,
            name_vi_source=n.name_vi_source or None,
            step=n.step,
            rule=n.rule,
            bonus=n.bonus,
            may_be_na=n.may_be_na,
            order=n.order,
        )
        for n in nodes
    ]
    base_code = framework.code.split(".v")[0] if framework.version > 1 else framework.code
    return fwcore.FrameworkDef(
        index=framework.index.code,
        code=base_code,
        name_vi=framework.name_vi,
        name_en=framework.name_en,
        valid_from=framework.valid_from,
        valid_to=framework.valid_to,
        complete=framework.complete,
        incomplete_note=framework.incomplete_note,
        source=framework.source,
        unit_kind=framework.unit_kind,
        value_kind=framework.value_kind,
        precision=framework.precision,
        tolerance=framework.tolerance,
        grouping=framework.grouping,
        nodes=rows,
    )


@transaction.atomic
def install_framework(
    fw: fwcore.FrameworkDef, *, user=None, file_name: str = "", file_hash: str = "", owner=None
) -> tuple[Framework, str]:
    """Install a framework definition. Returns the framework and what happened:
    "created", "unchanged", "replaced" (not yet used by results) or "new_version" (it was used:
    the old version is kept for its results and a new version is made). A file that declares its index
    makes the index (owned by ``owner``, a province; None: national) or updates its declaration."""
    errors = fwcore.validate(fw, known_indices())
    if errors:
        raise FrameworkInvalid(errors)
    if user is not None:  # a person (web, API); the operator's command line and the shipped files need none
        existing = Index.objects.filter(code=fw.index).first()
        if existing is not None:
            refuse_unless_can_edit(user, existing)
        elif not can_edit_index(user, None):
            raise PermissionDenied(
                _("Chỉ chuyên viên điều phối cấp tỉnh hoặc quản trị hệ thống tạo được chỉ số mới.")
            )
        if existing is None and owner is None:
            owner = owner_for_new_index(user)
    if fw.index_def is not None:
        index = declare_index(fw.index_def, owner=owner)
    else:
        index = Index.objects.get(code=fw.index)

    current = (
        Framework.objects.filter(index=index, active=True).filter(code__in=[fw.code]).first()
        or Framework.objects.filter(index=index, active=True, code__startswith=fw.code + ".v")
        .order_by("-version")
        .first()
    )
    if current is not None and _same_definition(current, fw):
        return current, "unchanged"

    meta = {
        "name_vi": nfc(fw.name_vi),
        "name_en": fw.name_en or "",
        "valid_from": fw.valid_from,
        "valid_to": fw.valid_to,
        "complete": fw.complete,
        "incomplete_note": nfc(fw.incomplete_note or ""),
        "source": fw.source or "",
        "unit_kind": fw.unit_kind or "province",
        "value_kind": fw.value_kind or "points",
        "precision": fw.precision if fw.precision is not None else 2,
        "tolerance": fw.tolerance if fw.tolerance is not None else 0.0051,
        "grouping": fw.grouping,
        "file_name": file_name,
        "file_hash": file_hash,
        "created_by": user if getattr(user, "is_authenticated", False) else None,
    }
    if current is None:
        framework = Framework.objects.create(index=index, code=fw.code, version=1, **meta)
        outcome = "created"
    elif not current.results.exists():
        for key, value in meta.items():
            setattr(framework := current, key, value)
        framework._change_reason = "Sửa bộ chỉ số chưa có kết quả"
        framework.save()
        framework.nodes.all().delete()
        outcome = "replaced"
    else:
        version = current.version + 1
        framework = Framework.objects.create(
            index=index, code=f"{fw.code}.v{version}", version=version, supersedes=current, **meta
        )
        current.active = False
        current._change_reason = f"Được thay thế bởi phiên bản {version}"
        current.save(update_fields=["active"])
        outcome = "new_version"
    _create_nodes(framework, fw)
    bump_data_version()
    return framework, outcome


def _create_nodes(framework: Framework, fw: fwcore.FrameworkDef) -> None:
    by_code: dict[str, Node] = {}
    depth: dict[str, int] = {}
    for i, row in enumerate(fw.nodes):
        parent = by_code.get(row.parent) if row.parent else None
        depth[row.code] = depth[row.parent] + 1 if row.parent else 0
        node = Node.objects.create(
            framework=framework,
            code=row.code,
            parent=parent,
            level=row.level,
            depth=depth[row.code],
            order=i,
            name_vi=nfc(row.name_vi or ""),
            name_en=row.name_en or "",
            name_vi_source=row.name_vi_source or "",
            max_score=row.max,
            min_score=row.min,
            aggregation=row.aggregation or "sum",
            weight=row.weight if row.weight is not None else 1.0,
            contributes=row.contributes if row.contributes is not None else True,
            source_kind=row.source_kind or "",
            aliases=list(row.aliases or ()),
            incomplete=bool(row.incomplete),
            note=nfc(row.note or ""),
            step=row.step,
            rule=row.rule,
            bonus=bool(row.bonus),
            may_be_na=bool(row.may_be_na),
        )
        by_code[row.code] = node


def load_shipped_frameworks() -> list[tuple[Framework, str]]:
    """Install the frameworks shipped with chiso. A framework whose current version a coordinator
    has since replaced by importing her own file is kept: loading the reference data again never
    overwrites a province's edit."""
    out = []
    for path in sorted(DATA_DIR.glob("*.yaml")):
        fw = fwcore.load_yaml(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        current = (
            Framework.objects.filter(active=True)
            .filter(models.Q(code=fw.code) | models.Q(code__startswith=fw.code + ".v"))
            .order_by("-version")
            .first()
        )
        if current is not None and current.file_name and current.file_name != path.name:
            out.append((current, "kept"))
            continue
        out.append(install_framework(fw, file_name=path.name, file_hash=digest))
    return out


def framework_for(index_code: str, year: int) -> Framework | None:
    """The framework of an index for an evaluation year: the version that the year's results were
    imported under, if any (a later version never re-labels old results); otherwise the newest
    active version covering the year."""
    candidates = [
        f for f in Framework.objects.filter(index__code=index_code).select_related("index") if f.covers(year)
    ]
    if not candidates:
        return None
    with_results = set(
        Framework.objects.filter(pk__in=[f.pk for f in candidates], results__year=year)
        .values_list("pk", flat=True)
        .distinct()
    )
    used = [f for f in candidates if f.pk in with_results]
    pool = used or [f for f in candidates if f.active] or candidates
    pool.sort(key=lambda f: (f.valid_from, f.version))
    return pool[-1]


_TREES: dict[tuple[int, int, int], tuple[Tree, dict[str, Node]]] = {}


def framework_tree(framework: Framework) -> tuple[Tree, dict[str, Node]]:
    """The framework's nodes (by code, in order) and its aggregation tree, built once per data
    version (installing a framework changes the version, so a replaced tree is never reused)."""
    key = (framework.pk, framework.version, current_data_version())
    cached = _TREES.get(key)
    if cached is None:
        nodes = {n.code: n for n in framework.nodes.select_related("parent").order_by("order")}
        tree = Tree(
            [
                NodeSpec(
                    code=n.code,
                    parent=n.parent.code if n.parent else None,
                    max=n.max_score,
                    min=n.min_score,
                    aggregation=n.aggregation,
                    weight=n.weight,
                    contributes=n.contributes,
                    order=n.order,
                )
                for n in nodes.values()
            ]
        )
        if len(_TREES) > 64:
            _TREES.clear()
        cached = _TREES[key] = (tree, nodes)
    return cached
