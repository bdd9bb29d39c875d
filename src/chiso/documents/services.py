"""Layouts of official documents: the shipped default, the province's overrides (the only place that
writes ``DocumentLayout``), and rendering a document with the layout of its kind."""

from __future__ import annotations

import logging

from django.db import transaction

from .model import (
    Layout,
    LayoutError,
    OfficialDocument,
    load_layout,
    merge_mappings,
    parse_layout_yaml,
    shipped_layout_mapping,
)
from .models import DocumentLayout

logger = logging.getLogger(__name__)

KINDS = [k for k, _ in DocumentLayout.Kind.choices]
#: The file formats every document is rendered to.
FORMATS = ("docx", "pdf")


class LayoutInvalid(ValueError):
    """A layout override that was not saved; ``errors`` lists every problem, in Vietnamese."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


def _override(kind: str) -> dict:
    row = DocumentLayout.objects.filter(kind=kind).only("yaml").first()
    if row is None or not row.yaml.strip():
        return {}
    mapping, errors = parse_layout_yaml(row.yaml)
    if errors or mapping is None:
        logger.warning("document layout %r ignored: %s", kind, "; ".join(errors))
        return {}
    return mapping


def layout_mapping_for(kind: str, *, override: dict | None = None) -> dict:
    """The nested layout mapping of ``kind``: shipped YAML ← the province's "default" ← the kind's own
    override (or ``override`` in its place, to check an edit before saving it)."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    mapping = shipped_layout_mapping()
    if kind != DocumentLayout.Kind.DEFAULT:
        mapping = merge_mappings(mapping, _override(DocumentLayout.Kind.DEFAULT))
    own = _override(kind) if override is None else override
    return merge_mappings(mapping, own)


def layout_for(kind: str) -> Layout:
    """The validated layout for documents of ``kind`` ("plan", "report", "letter", "default").

    A stored override that no longer validates (e.g. the shipped ranges changed) is skipped with a
    warning rather than breaking every document: the kind's own override first, then the default."""
    try:
        return load_layout(layout_mapping_for(kind), base={})
    except LayoutError as exc:
        logger.warning("document layout %r invalid, falling back: %s", kind, "; ".join(exc.errors))
    if kind != DocumentLayout.Kind.DEFAULT:
        try:
            return load_layout(layout_mapping_for(DocumentLayout.Kind.DEFAULT), base={})
        except LayoutError:
            pass
    return load_layout()


def check_layout(kind: str, yaml_text: str) -> list[str]:
    """Every problem of ``yaml_text`` as the override of ``kind`` (empty: it can be saved)."""
    mapping, errors = parse_layout_yaml(yaml_text)
    if errors:
        return errors
    try:
        load_layout(layout_mapping_for(kind, override=mapping or {}), base={})
    except LayoutError as exc:
        return exc.errors
    return []


@transaction.atomic
def save_layout(kind: str, yaml_text: str, *, user=None, name: str = "") -> DocumentLayout:
    """Validate and store the override of ``kind``; raises :class:`LayoutInvalid` (nothing saved)."""
    if kind not in KINDS:
        raise LayoutInvalid([f"Loại văn bản không hợp lệ: {kind}"])
    text = (yaml_text or "").replace("\r\n", "\n")
    errors = check_layout(kind, text)
    if errors:
        raise LayoutInvalid(errors)
    row = DocumentLayout.objects.select_for_update().filter(kind=kind).first() or DocumentLayout(kind=kind)
    editor = user if user is not None and user.is_authenticated else None
    row.yaml = text
    row.name = name or row.name or str(DocumentLayout.Kind(kind).label)
    row.updated_by = editor
    row._history_user = editor  # who, in the history record (simple_history)
    row.save()
    return row


def render(doc: OfficialDocument, kind: str, fmt: str) -> bytes:
    """``doc`` as "pdf" or "docx" bytes with the layout of ``kind``."""
    if fmt not in FORMATS:
        raise ValueError(f"Định dạng không hỗ trợ: {fmt!r} (chỉ docx hoặc pdf)")
    layout = layout_for(kind)
    if fmt == "pdf":
        from .pdf_render import render_pdf

        return render_pdf(doc, layout)
    if fmt == "docx":
        from .docx_render import render_docx

        return render_docx(doc, layout)
