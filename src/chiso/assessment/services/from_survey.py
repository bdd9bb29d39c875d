"""Survey-scored criteria of an assessment round taken from the province's own published satisfaction
survey (``surveys.services.publish``: the index ``hl-<province code>``, per unit and year the share of
answers 4–5 in percent): a score file the round's import reads like one a coordinator uploads at the
"survey" stage — the same preview, the same all-or-nothing commit with source, history and the batch kept.

For each unit of the round with a published share, each criterion scored from a satisfaction survey
(``source_kind: satisfaction_survey``) gets share × the criterion's maximum ÷ 100, rounded to 2 decimals:
a proportional conversion, the province's choice (no official rule for an internal index); the preview
shows every score before anything is written. A unit without a published share (too few responses, not in
the survey's frame) is named in ``missing`` and its scores are left as they are.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from chiso.results.models import Result

from ..models import Round
from .structure import structure

SATISFACTION = "satisfaction_survey"
ROOT = "HL"  # the published overall share (``surveys.services.publish.ROOT``)


def index_code(province) -> str:
    """The province's satisfaction index (``surveys.services.publish.index_code``)."""
    return f"hl-{province.code}".lower()


@dataclass
class SurveyFile:
    data: bytes
    file_name: str
    source: str
    criteria: list[str]
    missing: list[str] = field(default_factory=list)  # units of the round with no published share


def survey_file(rnd: Round) -> SurveyFile | None:
    """The score file of the round's satisfaction criteria from the published shares of the round's year;
    None when the round has no such criterion."""
    criteria = [
        c
        for c in structure(rnd.framework).criteria
        if c.survey and c.node.source_kind == SATISFACTION and c.node.max_score
    ]
    if not criteria:
        return None
    sheets = list(rnd.sheets.select_related("unit").order_by("unit__code"))
    shares = dict(
        Result.objects.filter(
            framework__index__code=index_code(rnd.province),
            year=rnd.year,
            node__code=ROOT,
            unit_id__in=[s.unit_id for s in sheets],
            value__isnull=False,
        ).values_list("unit_id", "value")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Mã đơn vị", "Đơn vị", *[c.code for c in criteria]])
    missing = []
    for sheet in sheets:
        share = shares.get(sheet.unit_id)
        if share is None:
            missing.append(sheet.unit.name)
            continue
        writer.writerow(
            [
                sheet.unit.code if sheet.unit.code.isdigit() else "",  # a statistical code; else by name
                sheet.unit.name,
                *[f"{round(share * float(c.node.max_score) / 100, 2):g}" for c in criteria],
            ]
        )
    name = rnd.province.short_name or rnd.province.name
    return SurveyFile(
        data=out.getvalue().encode("utf-8"),
        file_name=f"{index_code(rnd.province)}-{rnd.year}.csv",
        source=f"Khảo sát sự hài lòng năm {rnd.year} của {name} (kết quả đã công bố, quy đổi tỷ lệ thuận)",
        criteria=[c.code for c in criteria],
        missing=missing,
    )
