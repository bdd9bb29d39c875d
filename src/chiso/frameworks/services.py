"""Installing and versioning frameworks. The only place that writes frameworks and nodes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import models, transaction
from django.utils.translation import gettext as _

from chiso.core import framework as fwcore
from chiso.core.text import nfc
from chiso.core.tree import NodeSpec, Tree
from chiso.results.version import bump_data_version, current_data_version

from .models import Framework, Index, Node

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "frameworks"

INDICES = [
    ("par", "Chỉ số cải cách hành chính (PAR INDEX)", "Public Administration Reform Index", "PAR INDEX", 1),
    (
        "sipas",
        "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)",
        "Satisfaction Index of Public Administrative Services",
        "SIPAS",
        2,
    ),
    (
        "papi",
        "Chỉ số Hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)",
        "Provincial Governance and Public Administration Performance Index",
        "PAPI",
        3,
    ),
]


@dataclass
class FrameworkInvalid(Exception):
    errors: list[fwcore.FrameworkError]

    def __str__(self) -> str:
        return "\n".join(e.message for e in self.errors)


def ensure_indices() -> None:
    for code, name_vi, name_en, short, order in INDICES:
        Index.objects.update_or_create(
            code=code, defaults={"name_vi": name_vi, "name_en": name_en, "short_name": short, "order": order}
        )


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
    fw: fwcore.FrameworkDef, *, user=None, file_name: str = "", file_hash: str = ""
) -> tuple[Framework, str]:
    """Install a framework definition. Returns the framework and what happened:
    "created", "unchanged", "replaced" (not yet used by results) or "new_version" (it was used:
    the old version is kept for its results and a new version is made)."""
    errors = fwcore.validate(fw)
    if errors:
        raise FrameworkInvalid(errors)
    ensure_indices()
    try:
        index = Index.objects.get(code=fw.index)
    except Index.DoesNotExist as exc:
        raise FrameworkInvalid(
            [fwcore.FrameworkError(None, None, _("Chỉ số “{index}” không tồn tại.").format(index=fw.index))]
        ) from exc

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
