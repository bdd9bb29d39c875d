"""Layouts and standard wording of official documents: the shipped default, the installation's and each
province's overrides (the only place that writes ``DocumentLayout``), and rendering a document with the
layout of its kind and province.

The layout of a document of ``kind`` issued by a unit of province P is, key by key: the shipped
``layout.yaml`` ← the installation's "default" ← the installation's ``kind`` ← P's "default" ← P's
``kind``. A stored override that no longer fits over what comes before it (the shipped ranges changed,
another layer moved) is skipped with a warning rather than breaking every document.

Who may edit which layouts: a coordinator those of the provinces she coordinates, an administrator
also the installation's (:func:`layout_scopes`, :func:`check_may_edit`).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chiso.accounts.scope import covered, roles_of
from chiso.units.models import Unit
from chiso.units.services import province_of

from .model import (
    Layout,
    LayoutError,
    OfficialDocument,
    Wording,
    load_layout,
    merge_mappings,
    parse_layout_yaml,
    shipped_layout_mapping,
)
from .models import DocumentLayout
from .wording import is_local_government

logger = logging.getLogger(__name__)

KINDS = [k for k, _label in DocumentLayout.Kind.choices]
#: The file formats every document is rendered to.
FORMATS = ("docx", "pdf")
#: Roles that edit a province's layouts (an administrator edits every one, and the installation's).
EDITOR_ROLES = ("coordinator",)


class LayoutInvalid(ValueError):
    """A layout override that was not saved; ``errors`` lists every problem, in Vietnamese."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


# --- which province ------------------------------------------------------------------------------


def province_for(unit: Unit | None) -> Unit | None:
    """The province whose layouts a document of ``unit`` uses (None: the installation's only)."""
    if unit is None:
        return None
    province = province_of(unit)
    return province if province.kind == Unit.Kind.PROVINCE else None


def layout_scopes(user) -> list[Unit | None]:
    """The layouts ``user`` may edit: None (the installation's) for an administrator, then the provinces
    in force she coordinates (every one for an administrator), by code."""
    if not getattr(user, "is_authenticated", False):
        return []
    provinces = Unit.objects.filter(kind=Unit.Kind.PROVINCE, valid_to__isnull=True).order_by("code")
    scope = covered(user, EDITOR_ROLES)
    if scope is None:  # an administrator
        return [None, *provinces]
    return list(provinces.filter(pk__in=scope))


def check_may_edit(user, province: Unit | None) -> None:
    """PermissionDenied unless ``user`` may edit the layouts of ``province`` (None: the installation's)."""
    if province is None:
        allowed = getattr(user, "is_authenticated", False) and "admin" in roles_of(user)
    else:
        allowed = any(p is not None and p.pk == province.pk for p in layout_scopes(user))
    if not allowed:
        raise PermissionDenied(_("Bạn không được sửa mẫu văn bản của đơn vị này."))


# --- layers --------------------------------------------------------------------------------------


def _layers(kind: str, province: Unit | None) -> list[tuple[int | None, str]]:
    """(province id, kind) of the stored overrides a document of ``kind`` goes through, in order."""
    kinds = [DocumentLayout.Kind.DEFAULT.value] + ([kind] if kind != DocumentLayout.Kind.DEFAULT else [])
    owners = [None] + ([province.pk] if province is not None else [])
    return [(owner, k) for owner in owners for k in kinds]


def _stored(layers: list[tuple[int | None, str]]) -> dict[tuple[int | None, str], dict]:
    """The parsed YAML of the stored overrides among ``layers``; unreadable ones are left out."""
    province_ids = {pid for pid, _k in layers if pid is not None}
    rows = DocumentLayout.objects.filter(
        Q(province__isnull=True) | Q(province_id__in=province_ids), kind__in={k for _p, k in layers}
    ).only("province_id", "kind", "yaml")
    out = {}
    for row in rows:
        if not row.yaml.strip():
            continue
        mapping, errors = parse_layout_yaml(row.yaml)
        if errors or mapping is None:
            logger.warning("document layout %r/%r ignored: %s", row.province_id, row.kind, "; ".join(errors))
            continue
        out[(row.province_id, row.kind)] = mapping
    return out


def layout_mapping_for(kind: str, province: Unit | None = None, *, override: dict | None = None) -> dict:
    """The nested layout mapping of ``kind`` for ``province`` (see the module's docstring); with
    ``override``, that mapping in place of the last stored layer (the one being edited), to check an
    edit before saving it."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    layers = _layers(kind, province)
    if override is not None:
        layers = layers[:-1]
    stored = _stored(layers)
    mapping = shipped_layout_mapping()
    for layer in layers:
        if layer not in stored:
            continue
        candidate = merge_mappings(mapping, stored[layer])
        try:
            load_layout(candidate, base={})
        except LayoutError as exc:
            logger.warning("document layout %r/%r skipped: %s", *layer, "; ".join(exc.errors))
            continue
        mapping = candidate
    return mapping if override is None else merge_mappings(mapping, override)


def layout_for(kind: str, province: Unit | None = None) -> Layout:
    """The validated layout of documents of ``kind`` ("plan", "report", "letter", "decision", "default") of
    ``province`` (None: the installation's)."""
    try:
        return load_layout(layout_mapping_for(kind, province), base={})
    except LayoutError as exc:  # pragma: no cover - every layer was checked on its way in
        logger.warning("document layout %r invalid, falling back: %s", kind, "; ".join(exc.errors))
    return load_layout()


def wording_for(unit: Unit, kind: str = DocumentLayout.Kind.DEFAULT) -> Wording:
    """The standard wording of documents of ``kind`` issued by ``unit``: its province's (over the
    installation's and the shipped), in the variant of a People's Committee or of a department."""
    return layout_for(kind, province_for(unit)).wording(is_local_government(unit))


# --- editing -------------------------------------------------------------------------------------


def check_layout(kind: str, yaml_text: str, province: Unit | None = None) -> list[str]:
    """Every problem of ``yaml_text`` as the override of ``kind`` for ``province`` (empty: it can be
    saved)."""
    mapping, errors = parse_layout_yaml(yaml_text)
    if errors:
        return errors
    try:
        load_layout(layout_mapping_for(kind, province, override=mapping or {}), base={})
    except LayoutError as exc:
        return exc.errors
    return []


@transaction.atomic
def save_layout(
    kind: str, yaml_text: str, *, province: Unit | None = None, user=None, name: str = ""
) -> DocumentLayout:
    """Validate and store the override of ``kind`` for ``province`` (None: the installation's); raises
    :class:`LayoutInvalid` (nothing saved). Who may do it is :func:`check_may_edit`'s to say."""
    if kind not in KINDS:
        raise LayoutInvalid([_("Loại văn bản không hợp lệ: {kind}").format(kind=kind)])
    if province is not None and province.kind != Unit.Kind.PROVINCE:
        raise LayoutInvalid([_("Mẫu văn bản chỉ đặt cho một tỉnh, thành phố.")])
    text = (yaml_text or "").replace("\r\n", "\n")
    errors = check_layout(kind, text, province)
    if errors:
        raise LayoutInvalid(errors)
    row = DocumentLayout.objects.select_for_update().filter(
        kind=kind, province=province
    ).first() or DocumentLayout(kind=kind, province=province)
    editor = user if user is not None and user.is_authenticated else None
    row.yaml = text
    row.name = name or row.name or str(DocumentLayout.Kind(kind).label)
    row.updated_by = editor
    row._history_user = editor  # who, in the history record (simple_history)
    row.save()
    return row


def render(doc: OfficialDocument, kind: str, fmt: str, *, unit: Unit | None = None) -> bytes:
    """``doc`` as "pdf" or "docx" bytes with the layout of ``kind`` for the province of ``unit`` (the
    issuing unit; None: the installation's layout)."""
    if fmt not in FORMATS:
        raise ValueError(f"Định dạng không hỗ trợ: {fmt!r} (chỉ docx hoặc pdf)")
    layout = layout_for(kind, province_for(unit))
    if fmt == "pdf":
        from .pdf_render import render_pdf

        return render_pdf(doc, layout)
    from .docx_render import render_docx

    return render_docx(doc, layout)
