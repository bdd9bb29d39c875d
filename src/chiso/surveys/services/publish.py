"""Publishing a closed survey: its estimates become results of the province's own satisfaction index of
its departments and communes, so the analysis, gap and plan pages (and survey-scored criteria of the
assessment rounds) read them like any index.

- ``index_code(survey)`` — the index of the province's satisfaction (``hl-<province code>``), owned by the
  province, any unit kind, values in percent;
- ``framework_def(survey)`` — the survey's elements as nodes under one root (the overall share satisfied,
  computed from the answers, not from the elements: aggregation "none"), valid for the survey's year;
- ``publish(survey, user)`` — declares the index and installs the framework
  (``frameworks.services.install_framework``: an unchanged definition is kept), then writes one row per
  unit through the results importer (``results.importer.commit_import``: preview, all or nothing, history
  and change rows). A figure below the survey's minimum n is left empty (not publishable).

The published figure is the design-weighted (and raked, when margins are given) share of answers 4–5,
in percent; its interval stays on the survey's estimates page.
"""

from __future__ import annotations

import csv
import io

from chiso.core import framework as fwcore
from chiso.frameworks.services import install_framework
from chiso.results.importer import commit_import
from chiso.results.models import ImportBatch

from ..models import Survey
from . import estimates

ROOT = "HL"


def index_code(survey: Survey) -> str:
    return f"hl-{survey.province.code}".lower()


def _index_def(survey: Survey) -> fwcore.IndexDef:
    name = survey.province.short_name or survey.province.name
    return fwcore.IndexDef(
        code=index_code(survey),
        name_vi=f"Chỉ số hài lòng của người dân, tổ chức ({name} tự khảo sát)",
        name_en=f"Citizens' satisfaction index ({name}'s own survey)",
        short_name=f"Hài lòng {name}",
        levels=(
            fwcore.LevelDef(code="index", name_vi="Chỉ số", name_en="Index"),
            fwcore.LevelDef(code="element", name_vi="Yếu tố", name_en="Element"),
        ),
        unit_kind="any",
        value_kind="percent",
    )


def framework_def(survey: Survey) -> fwcore.FrameworkDef:
    nodes = [
        fwcore.NodeRow(
            code=ROOT,
            level="index",
            name_vi="Tỷ lệ hài lòng chung",
            name_en="Overall share satisfied",
            max=100.0,
            min=0.0,
            aggregation="none",
        )
    ]
    for e in survey.elements.all():
        nodes.append(
            fwcore.NodeRow(
                code=e.code,
                parent=ROOT,
                level="element",
                name_vi=e.label,
                max=100.0,
                min=0.0,
                aggregation="none",
            )
        )
    return fwcore.FrameworkDef(
        index=index_code(survey),
        code=f"{index_code(survey)}-{survey.year}",
        name_vi=f"{survey.title} — kết quả",
        valid_from=survey.year,
        valid_to=survey.year,
        complete=True,
        source=f"Khảo sát số {survey.pk} trên chiso",
        unit_kind="any",
        value_kind="percent",
        precision=2,
        nodes=nodes,
        index_def=_index_def(survey),
    )


def _pct(e) -> str:
    if e is None or e.value is None or not e.publishable:
        return ""
    return f"{100 * e.value:.2f}"


def table(survey: Survey) -> bytes:
    """The results as a CSV the importer reads: one row per unit (code, name, year, root, elements)."""
    weighted = survey.points.exists() and not survey.points.filter(dossiers=0).exists()
    f = estimates.compute(survey, weighted=weighted, detail=True)
    element_codes = [e.code for e, _v in f.elements]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["code", "unit", "year", ROOT, *element_codes, "source"])
    source = f"Khảo sát “{survey.title}” ({'có gia quyền' if weighted else 'không gia quyền'})"
    for point, overall in f.points:
        per = f.point_elements.get(point.pk, {})
        row = [_pct(overall), *[_pct(per.get(c)) for c in element_codes]]
        if not any(row):
            continue
        # the importer reads a code of digits (a GSO code) as a code, anything else as a name
        code = point.unit.code if point.unit.code.isdigit() else ""
        w.writerow([code, point.unit.name, survey.year, *row, source])
    return out.getvalue().encode("utf-8")


def publish(survey: Survey, user=None) -> ImportBatch | None:
    """Write the survey's estimates as results (None when no unit has a publishable figure)."""
    install_framework(framework_def(survey), owner=survey.province)
    data = table(survey)
    if data.count(b"\n") < 2:
        return None
    return commit_import(
        data, f"khao-sat-{survey.pk}.csv", index_code=index_code(survey), year=survey.year, user=user
    )


def republish_preview(survey: Survey):
    """What publishing again would change in the published results (the results importer's preview: one
    row per unit, each value new, changed or unchanged); None when no unit has a publishable figure."""
    from chiso.results.importer import preview_import
    from chiso.results.reader import TableError

    data = table(survey)
    if data.count(b"\n") < 2:
        return None
    try:
        return preview_import(
            data, f"khao-sat-{survey.pk}.csv", index_code=index_code(survey), year=survey.year
        )
    except TableError:
        return None  # never published (the index does not exist yet): publishing is a first publication


def republish(survey: Survey, user) -> ImportBatch | None:
    """Publish a closed survey's estimates again (after late paper forms, a corrected frame…): through the
    results importer like the first time, so every changed value keeps its history and change row; the
    survey's own history records who republished and how many values changed."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction

    from .. import permissions

    if user is not None and not permissions.can_manage(user, survey.province_id):
        raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh được công bố lại kết quả khảo sát.")
    if not survey.locked:
        raise ValidationError(
            {"survey": ["Cuộc khảo sát chưa kết thúc: kết quả được công bố khi kết thúc thu phiếu."]}
        )
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        batch = publish(survey, user)
        changed = batch.summary.get("values_changed", 0) if batch is not None else 0
        survey._history_user = user
        survey._change_reason = f"Công bố lại kết quả: {changed} giá trị thay đổi"
        survey.save(update_fields=["closed_at"])
    return batch
