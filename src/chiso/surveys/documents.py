"""The survey report (BÁO CÁO kết quả khảo sát sự hài lòng …), DOCX and PDF from one content of the
``documents`` app: drafted for the province's People's Committee without a number or a date, with

- the methods: the questionnaire, the sample (responses, service points, the frame's dossiers), the
  weights (design weights N_h / n_h by service point, raking to the known margins when the survey has
  some), the 95 % intervals (Taylor linearisation, stratified by service point), and the province's
  choices (satisfied = answers 4–5; per-point sample size with the finite population correction; the
  minimum n below which a figure is not publishable) — the official SIPAS formula is not claimed;
- the overall estimate, then a table per element and per service point (unit) with n, % satisfied, the
  interval and the mean, "chưa đủ mẫu" where a figure is not publishable;
- the estimates per question as an appendix.

The figures are the weighted ones when every service point of the frame has its dossier count, else
unweighted (said in the report).
"""

from __future__ import annotations

from chiso.core.text import format_number, strip_admin_prefix, vi_sort_key
from chiso.documents import wording as w
from chiso.documents.model import Appendix, OfficialDocument, Paragraph, Signer, Table
from chiso.documents.services import FORMATS, render, wording_for

from .models import Survey
from .services import estimates
from .services.questionnaire import questions_of

__all__ = ["FORMATS", "render_report", "report_document", "report_filename"]

NOT_PUBLISHABLE = "chưa đủ mẫu"


def _pct(x: float | None) -> str:
    return "" if x is None else format_number(100 * x, 1)


def _row(label: str, p, mean) -> list[str]:
    interval = f"{_pct(p.lower)} – {_pct(p.upper)}" if p.lower is not None else ""
    value = _pct(p.value)
    if p.value is not None and not p.publishable:
        value += f" ({NOT_PUBLISHABLE})"
    return [
        w.esc(label),
        str(p.n),
        value,
        interval,
        "" if mean is None or mean.value is None else format_number(mean.value, 2),
    ]


COLUMNS = ["Nội dung", "Số phiếu", "Tỷ lệ hài lòng (%)", "Khoảng tin cậy 95 % (%)", "Điểm trung bình (1–5)"]


def report_document(survey: Survey) -> OfficialDocument:
    province = survey.province
    wording = wording_for(province, "report")
    weighted = survey.points.exists() and not survey.points.filter(dossiers=0).exists()
    f = estimates.compute(survey, weighted=weighted)
    points = list(survey.points.select_related("unit"))
    dossiers = sum(p.dossiers for p in points)
    subject = (
        f"sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính năm {survey.year}"
    )
    methods = [
        f"Phiếu khảo sát: {survey.title} (mẫu “{survey.template or 'riêng'}”, phiên bản {survey.version}); "
        f"{len([q for q in questions_of(survey) if q.scale])} câu hỏi đánh giá trên thang 1–5",
        f"Mẫu: {format_number(f.n)} phiếu hợp lệ tại {len(f.points)} trong số {len(points)} điểm phục vụ của "
        f"khung mẫu (bộ phận một cửa của các sở, ngành và xã, phường), {format_number(dossiers)} hồ sơ",
        (
            "Gia quyền: trọng số thiết kế bằng số hồ sơ chia cho số phiếu của từng điểm phục vụ"
            + (", hiệu chỉnh lặp (raking) theo cơ cấu dân số đã biết" if survey.margins else "")
            if weighted
            else "Không gia quyền: khung mẫu chưa đủ số hồ sơ của mọi điểm phục vụ"
        ),
        "Khoảng tin cậy 95 % tính theo phương pháp tuyến tính hóa (Taylor), có tính trọng số và phân tầng "
        "theo điểm phục vụ",
        "Lựa chọn của tỉnh: “hài lòng” là trả lời 4 hoặc 5 trên thang 1–5; cỡ mẫu từng điểm phục vụ tính theo "
        f"sai số cho phép ±{format_number(float(survey.margin) * 100, 1)} điểm phần trăm, có hiệu chỉnh quần thể "
        f"hữu hạn; số liệu dưới {survey.min_n} phiếu ghi “{NOT_PUBLISHABLE}”, không công bố. Công thức chính "
        "thức của SIPAS (Quyết định 1001/QĐ-BNV) chưa được công bố đầy đủ, nên đây không phải cách tính của Bộ",
        *f.notes,
    ]
    blocks = [
        Paragraph(
            f"{w.esc(w.body_name(province, full=True))} báo cáo kết quả khảo sát {w.esc(subject)} như sau:"
        ),
        Paragraph("I. PHƯƠNG PHÁP", bold=True, indent_first=False),
        *w.bullets(methods),
        Paragraph("II. KẾT QUẢ", bold=True, indent_first=False),
    ]
    if f.overall:
        p = f.overall["p"]
        line = f"Tỷ lệ hài lòng chung: {_pct(p.value)} % (khoảng tin cậy 95 %: {_pct(p.lower)} – {_pct(p.upper)} %)"
        if not p.publishable:
            line += f", {NOT_PUBLISHABLE}"
        blocks += w.bullets([line])
        blocks.append(Paragraph("1. Theo yếu tố", bold=True, indent_first=False))
        blocks.append(
            Table(
                columns=COLUMNS,
                rows=[_row(e.label, v["p"], v["mean"]) for e, v in f.elements],
                number_columns={1, 2, 4},
            )
        )
        blocks.append(Paragraph("2. Theo cơ quan, đơn vị (điểm phục vụ)", bold=True, indent_first=False))
        # every service point of the frame, those without a response too (0, not publishable); no mean
        # score per unit: the column would stay empty
        answered = {pt.pk for pt, _e in f.points}
        unit_rows = [(w.unit_full_name(pt.unit), _row("", e, None)[1:4]) for pt, e in f.points]
        unit_rows += [
            (w.unit_full_name(pt.unit), ["0", NOT_PUBLISHABLE, ""])
            for pt in sorted(points, key=lambda p: (p.unit.kind == "ward", vi_sort_key(p.name)))
            if pt.pk not in answered
        ]
        blocks.append(
            Table(
                columns=COLUMNS[:4],
                rows=[[w.esc(label), *cells] for label, cells in unit_rows],
                number_columns={1, 2},
            )
        )
    else:
        blocks.append(Paragraph("Chưa có phiếu khảo sát nào."))
    blocks.append(Paragraph(f"Trên đây là báo cáo kết quả khảo sát {w.esc(subject)}./."))
    questions = {q.code: q for q in questions_of(survey)}
    appendix = Appendix(
        label="Phụ lục",
        title="Kết quả theo từng câu hỏi",
        blocks=[
            Table(
                columns=COLUMNS,
                rows=[
                    _row(f"{c}. {questions[c].text}" if c in questions else c, e["p"], e["mean"])
                    for c, e in f.items.items()
                ],
                number_columns={1, 2, 4},
            )
        ],
    )
    parent_body, issuer = w.issuer_lines(province, wording)
    return OfficialDocument(
        parent_body=parent_body,
        issuer=issuer,
        place=strip_admin_prefix(province.name) or province.name,
        date=None,
        signer=Signer(wording.signer_authority, wording.signer_title, ""),
        kind_label="BÁO CÁO",
        number_symbol=f"/{wording.report_symbol}",
        title=w.esc(f"Kết quả khảo sát {subject}"),
        blocks=blocks,
        appendices=[appendix],
        recipients=w.recipient_list([wording.coordinating_agency], wording),
    )


def render_report(survey: Survey, fmt: str) -> bytes:
    return render(report_document(survey), "report", fmt, unit=survey.province)


def report_filename(survey: Survey, fmt: str) -> str:
    return w.document_filename("bao-cao-khao-sat", "", f"{survey.province.short_name} {survey.year}", fmt)
