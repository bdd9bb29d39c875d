"""Demo data of the assessment rounds — SYNTHETIC: every score, figure, note, comment and explanation below
is invented for the demo; the frameworks they are scored on are illustrative (see the head of each file in
``data/demo/frameworks/``).

``load_demo_assessment(today=None)`` gives the merged Quảng Ngãi (code 51, the unit valid from 1 July 2025;
``demo_plans.demo_province``):

- its own indices: the department index (``cchc-so``, a 2024 and a 2025 version) and the commune index
  (``cchc-xa``, 2025), installed as the province's;
- a **closed round of 2024** on its nine demo departments (``demo_plans.demo_units``), walked through the
  services as a year's round is: each department's officer self-scores every criterion (typed, from figures
  by a rule, not applicable where it is so) with a note and submits; the satisfaction survey is entered;
  the appraiser ``thamdinh`` appraises, lowering a few scores with a comment; the units explain; the
  re-appraisal accepts some explanations and keeps other cuts; closing ranks, classes and publishes the
  final scores as the 2024 results of ``cchc-so`` (so the analysis page of the index works for a department);
- an **open round of 2025** in self-assessment (deadline some days ahead of ``today``): Văn phòng UBND tỉnh
  has submitted, with an evidence file and a link to the product of its demo plan task; six departments
  have started (Sở Tư pháp half-way: the demo account ``tuphap`` may carry on); Sở Khoa học và Công nghệ
  has not started.
- an **open round of 2025 on the province itself** (its PAR INDEX self-assessment on the shipped national
  framework, whose appraisal part is one block until the ministry's table of criteria is public): the
  province's PAR INDEX responsibility map gives the appraisal block to Sở Nội vụ (lead) with Văn phòng UBND
  tỉnh and Sở Tư pháp (coordinating); the departments are assigned and Sở Nội vụ has proposed its score
  (the demo account ``tuphap`` may propose Sở Tư pháp's), so the province page and its forecast are alive.

Department officers without a demo account are created with an unusable password (they only appear in the
history as the people who scored). Idempotent: a round that exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from chiso.accounts.models import Membership
from chiso.core.framework import load_yaml
from chiso.frameworks.models import Framework
from chiso.frameworks.services import install_framework
from chiso.units.models import Unit

from .demo_plans import DEMO_DATE, _future, demo_province, demo_units

__all__ = ["DemoAssessment", "load_demo_assessment"]

FRAMEWORKS_DIR = Path(__file__).resolve().parents[1] / "data" / "demo" / "frameworks"
FRAMEWORK_FILES = ("cchc-so-2024.yaml", "cchc-so-2025.yaml", "cchc-xa-2025.yaml")
TITLE = "Đánh giá Chỉ số CCHC các sở, ban, ngành năm {year} (dữ liệu minh họa)"
SOURCE_SURVEY = "Khảo sát mức độ hài lòng năm {year} của Sở Nội vụ (số liệu minh họa)"

#: The officer who scores each demo department: the demo account where there is one, else a synthetic one.
OFFICERS = {
    "noivu": ("cb_noivu", "Nguyễn Văn Bình (Sở Nội vụ)"),
    "tuphap": ("tuphap", "Phạm Thị Lan (Sở Tư pháp)"),
    "vanphong": ("cb_vanphong", "Trần Thị Mai (Văn phòng UBND tỉnh)"),
    "taichinh": ("cb_taichinh", "Lê Văn Tâm (Sở Tài chính)"),
    "yte": ("yte", "Ngô Thị Mai (Sở Y tế)"),
    "giaoduc": ("cb_giaoduc", "Đỗ Văn Hải (Sở Giáo dục và Đào tạo)"),
    "thanhtra": ("cb_thanhtra", "Võ Thị Thu (Thanh tra tỉnh)"),
    "nongnghiep": ("cb_nongnghiep", "Huỳnh Văn Phúc (Sở Nông nghiệp và Môi trường)"),
    "khcn": ("cb_khcn", "Phan Thị Ngọc (Sở Khoa học và Công nghệ)"),
}
APPRAISER = ("thamdinh", "Đặng Quốc Thắng (Hội đồng thẩm định)")
COORDINATOR = ("dieuphoi", "Nguyễn Thị Hương (Sở Nội vụ)")

#: How well each department did in 2024 (share of each criterion's points, before a per-criterion spread).
LEVELS_2024 = {
    "noivu": 0.95,
    "vanphong": 0.93,
    "tuphap": 0.9,
    "taichinh": 0.86,
    "khcn": 0.84,
    "thanhtra": 0.8,
    "yte": 0.76,
    "nongnghiep": 0.72,
    "giaoduc": 0.66,
}
#: 2025: how far each department has got with its sheet (share of the criteria scored; 0 = not started).
FILL_2025 = {
    "vanphong": 1.0,
    "noivu": 0.8,
    "taichinh": 0.6,
    "tuphap": 0.5,
    "thanhtra": 0.4,
    "yte": 0.35,
    "nongnghiep": 0.25,
    "giaoduc": 0.2,
    "khcn": 0.0,
}
NOT_APPLICABLE = {
    ("tuphap", "6.2"): "Năm {year} Sở không được giao vốn đầu tư công.",
    ("thanhtra", "6.2"): "Năm {year} Thanh tra tỉnh không được giao vốn đầu tư công.",
    ("thanhtra", "3.3"): "Năm {year} không nhận phản ánh, kiến nghị nào về quy định hành chính.",
    ("giaoduc", "1.5"): "Năm {year} Sở chưa có sáng kiến về cải cách hành chính được công nhận.",
    ("nongnghiep", "1.5"): "Năm {year} Sở chưa có sáng kiến về cải cách hành chính được công nhận.",
}
#: Bonus and penalty points (criteria with no entry here score 0).
EXTRA_POINTS = {
    ("noivu", "T.1"): (2, "Bằng khen của Chủ tịch UBND tỉnh về thành tích cải cách hành chính năm {year}."),
    ("vanphong", "T.2"): (1.5, "Mô hình “Một cửa số” được UBND tỉnh chỉ đạo nhân rộng."),
    ("tuphap", "T.1"): (1, "Giấy khen của Giám đốc Sở Nội vụ về cải cách hành chính năm {year}."),
    ("giaoduc", "P.1"): (-1, "01 công chức bị kỷ luật khiển trách năm {year}."),
    ("yte", "P.2"): (-0.5, "Chậm gửi báo cáo cải cách hành chính quý III năm {year}."),
}
#: Figures of the rule-scored criteria: (denominator, share reached by a unit at level 0).
FIGURES = {"1.1.4": (20, 0.6), "3.2": (1200, 0.9), "3.3": (16, 0.5), "6.2": (45000, 0.5), "7.1": (900, 0.2)}
#: The note a unit writes for each criterion (a default for the others).
NOTES = {
    "1.1.1": "Kế hoạch cải cách hành chính năm {year} số {n}/KH-{abbr} ngày {day}/01/{year}.",
    "1.1.2": "Kế hoạch xác định nhiệm vụ trên 8 lĩnh vực; kinh phí bố trí trong dự toán năm {year}.",
    "1.1.3": "Phụ lục phân công kèm kế hoạch ghi rõ phòng chủ trì, sản phẩm và thời hạn.",
    "1.1.4": "Báo cáo cải cách hành chính năm {year}: các nhiệm vụ đã hoàn thành theo kế hoạch.",
    "1.2.1": "Báo cáo quý I, 6 tháng, quý III và năm gửi qua Hệ thống quản lý văn bản và điều hành.",
    "1.2.2": "Các báo cáo theo đề cương hướng dẫn của Sở Nội vụ.",
    "1.3": "Kế hoạch kiểm tra số {n}/KH-{abbr}; biên bản kiểm tra tại các phòng, đơn vị trực thuộc.",
    "1.4": "Tin, bài tuyên truyền cải cách hành chính trên Trang thông tin điện tử của {unit}.",
    "1.5": "Sáng kiến được Hội đồng sáng kiến tỉnh công nhận tại Quyết định số {n}/QĐ-HĐSK.",
    "2.1": "Tham mưu UBND tỉnh ban hành các quyết định quy phạm pháp luật thuộc lĩnh vực quản lý.",
    "2.2": "Báo cáo kết quả rà soát, hệ thống hóa văn bản quy phạm pháp luật năm {year}.",
    "2.3": "Báo cáo công tác theo dõi tình hình thi hành pháp luật năm {year}.",
    "3.1": "Quyết định công bố danh mục thủ tục hành chính; niêm yết tại Trung tâm Phục vụ hành chính công.",
    "3.2": "Số liệu trích từ Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh.",
    "3.3": "Sổ theo dõi tiếp nhận, xử lý phản ánh, kiến nghị năm {year}.",
    "3.4": "Các thủ tục hành chính được tiếp nhận, trả kết quả tại Trung tâm Phục vụ hành chính công tỉnh.",
    "4.1": "Sắp xếp các phòng chuyên môn theo Quyết định của UBND tỉnh.",
    "4.2": "Văn bản ủy quyền, phân cấp giải quyết thủ tục hành chính.",
    "5.1": "Đề án vị trí việc làm được phê duyệt; cơ cấu ngạch công chức đúng quy định.",
    "5.2": "Kết quả đánh giá, xếp loại công chức năm {year}.",
    "6.1": "Quyết định giao quyền tự chủ tài chính cho các đơn vị sự nghiệp trực thuộc.",
    "6.2": "Báo cáo giải ngân vốn đầu tư công năm {year}.",
    "7.1": "Số liệu trích từ Cổng dịch vụ công của tỉnh.",
    "7.2": "Báo cáo số hóa hồ sơ, kết quả giải quyết thủ tục hành chính năm {year}.",
    "7.3": "Sử dụng hệ thống quản lý văn bản và điều hành, chữ ký số trong gửi nhận văn bản.",
}
DEFAULT_NOTE = "Báo cáo kết quả thực hiện năm {year} của {unit}."
ZERO_NOTE = "Không có."

#: The appraisal council's cuts in 2024: (department, criterion, points cut, comment, the unit's explanation
#: or None, the re-appraisal: "accept" (back to the self-score), "half" (half the cut given back) or "keep").
CUTS = [
    ("yte", "1.3", 1.0, "Chưa có biên bản kiểm tra tại 02 đơn vị trực thuộc như thuyết minh.",
     "Bổ sung Biên bản kiểm tra số 05/BB-SYT và số 07/BB-SYT.", "accept"),
    ("yte", "3.4", 1.0, "Số hồ sơ liên thông chưa khớp với Hệ thống thông tin giải quyết thủ tục hành chính.",
     "12 hồ sơ tiếp nhận trực tiếp chưa đồng bộ lên Hệ thống; đã cập nhật ngày 18/02/2025.", "half"),
    ("giaoduc", "5.2", 1.0, "Còn 03 công chức chưa được đánh giá, xếp loại đúng thời hạn.", None, "keep"),
    ("nongnghiep", "2.2", 0.5, "Chưa có báo cáo kết quả rà soát văn bản năm 2024.",
     "Đã ban hành Báo cáo số 45/BC-SNNMT ngày 20/12/2024 (đính kèm).", "accept"),
    ("taichinh", "7.2", 1.0, "Tỷ lệ số hóa kết quả giải quyết thủ tục hành chính theo báo cáo mới đạt 62 %.",
     "Đã số hóa bổ sung 340 hồ sơ trong tháng 01/2025.", "keep"),
    ("thanhtra", "1.4", 0.5, "Chưa có số liệu tin, bài tuyên truyền trên trang thông tin điện tử.", None, "keep"),
    ("khcn", "4.2", 1.0, "Văn bản ủy quyền chưa nêu thời hạn ủy quyền theo quy định.",
     "Quyết định ủy quyền số 12/QĐ-SKHCN đã nêu thời hạn tại Điều 2.", "accept"),
]  # fmt: skip
FINAL_COMMENTS = {
    "accept": "Chấp nhận giải trình, giữ điểm tự chấm.",
    "half": "Chấp nhận một phần giải trình.",
    "keep": "Giữ kết quả thẩm định.",
}
#: The dates the closed round's work was done (its deadlines are the last of them).
DAYS_2024 = {
    "self": dt.date(2025, 1, 15),
    "appraisal": dt.date(2025, 2, 10),
    "explanation": dt.date(2025, 2, 20),
    "final": dt.date(2025, 2, 28),
    "closed": dt.date(2025, 3, 5),
}


@dataclass
class DemoAssessment:
    closed: object
    open: object
    province: object
    frameworks: dict[str, Framework]
    created: bool


def _spread(key: str, code: str) -> float:
    """A fixed per-unit, per-criterion spread in [-0.18, 0.12) (the same on every load)."""
    return (zlib.crc32(f"{key}:{code}".encode()) % 1000 / 1000 - 0.6) * 0.3


def demo_account(username: str, full_name: str, role: str, unit: Unit):
    """The user (created with an unusable password when missing) with ``role`` on ``unit``."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.first_name = full_name
        user.email = f"{username}@example.vn"
        user.save()
    Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return user


def install_demo_frameworks(province: Unit) -> dict[str, Framework]:
    out = {}
    for name in FRAMEWORK_FILES:
        framework, _outcome = install_framework(load_yaml(FRAMEWORKS_DIR / name), owner=province)
        out[framework.code.split(".v")[0]] = framework
    return out


def _note(code: str, key: str, unit: Unit, year: int, score: float | None) -> str:
    if score == 0 and (key, code) not in EXTRA_POINTS:
        return ZERO_NOTE
    n = 10 + zlib.crc32(f"{key}{code}{year}".encode()) % 90
    text = NOTES.get(code, DEFAULT_NOTE)
    abbr = unit.code.rsplit("-", 1)[-1]
    return text.format(year=year, n=n, abbr=abbr, unit=unit.name, day=f"{5 + n % 20:02d}")


def self_entries(st, key: str, unit: Unit, year: int, level: float, share: float = 1.0) -> dict:
    """What the department's officer enters for the first ``share`` of the criteria (survey left out)."""
    criteria = [c for c in st.criteria if not c.survey]
    entries: dict[str, dict] = {}
    for c in criteria[: round(len(criteria) * share)]:
        n = c.node
        if (key, c.code) in NOT_APPLICABLE:
            entries[c.code] = {"na": True, "note": NOT_APPLICABLE[key, c.code].format(year=year)}
            continue
        if (key, c.code) in EXTRA_POINTS or n.bonus or (n.max_score or 0) <= 0:
            points, text = EXTRA_POINTS.get((key, c.code), (0, ZERO_NOTE))
            entries[c.code] = {"score": points, "note": text.format(year=year)}
            continue
        x = min(1.0, max(0.0, level + _spread(key, c.code)))
        if c.rule is not None and c.rule.kind == "choice":
            choices = c.rule.choices
            pick = choices[0] if x >= 0.75 else choices[min(1, len(choices) - 1)] if x >= 0.5 else choices[-1]
            entries[c.code] = {
                "inputs": {"choice": pick.code},
                "note": _note(c.code, key, unit, year, pick.score),
            }
        elif c.rule is not None:
            total, low = FIGURES.get(c.code, (100, 0.6))
            ratio = low + (1 - low) * x
            inputs = c.rule.inputs
            figures = (
                {inputs[0].code: round(100 * ratio, 1)}
                if c.rule.on == "value"
                else {inputs[0].code: round(total * ratio), inputs[1].code: total}
            )
            entries[c.code] = {"inputs": figures, "note": _note(c.code, key, unit, year, None)}
        else:
            step = n.step or 0.5
            lo = n.min_score or 0.0
            value = lo + round(x * ((n.max_score or 0) - lo) / step) * step
            entries[c.code] = {"score": value, "note": _note(c.code, key, unit, year, value)}
    return entries


def _enter_survey(sheet, st, user, level: float, year: int) -> None:
    """The survey criteria of a sheet, as the survey import writes them (source recorded)."""
    from chiso.assessment.models import Score
    from chiso.assessment.services.sheets import refresh_totals

    for c in st.criteria:
        if not c.survey:
            continue
        score = Score.objects.filter(sheet=sheet, node=c.node).first() or Score(sheet=sheet, node=c.node)
        score.self_score = round((0.72 + 0.25 * level) * (c.node.max_score or 0) * 4) / 4
        score.source = SOURCE_SURVEY.format(year=year)
        score.updated_by = user
        score.version += 1
        score._history_user = user
        score.save()
    refresh_totals(sheet)


def _closed_round(framework, province, units, coordinator, appraiser):
    from chiso.assessment.models import Assignment, Score
    from chiso.assessment.services import rounds, sheets
    from chiso.assessment.services.structure import structure

    year, days = 2024, DAYS_2024
    rnd = rounds.open_round(
        framework, year, province, "department", coordinator, title=TITLE.format(year=year),
        deadlines={w: days[w] for w in ("self", "appraisal", "explanation", "final")},
    )  # fmt: skip
    Assignment.objects.create(round=rnd, user=appraiser)
    st = structure(framework)
    officers = {}
    for key, level in LEVELS_2024.items():
        unit = units[key]
        officer = officers[key] = demo_account(*OFFICERS[key], "officer", unit)
        sheet = rnd.sheets.get(unit=unit)
        sheets.save(sheet, officer, "self", self_entries(st, key, unit, year, level), today=days["self"])
        _enter_survey(sheet, st, coordinator, level, year)
        sheets.submit(sheet, officer, today=days["self"])
    rnd = rounds.advance(rnd, coordinator, today=days["self"] + dt.timedelta(days=1))
    cut_of = {(key, code): (cut, comment) for key, code, cut, comment, _e, _f in CUTS}
    for sheet in rnd.sheets.select_related("unit"):
        key = next(k for k, u in units.items() if u.pk == sheet.unit_id)
        entries = {}
        for s in sheet.scores.select_related("node"):
            c = st.by_code[s.node.code]
            if c.survey or s.not_applicable or s.self_score is None:
                continue
            if (key, c.code) in cut_of:
                cut, comment = cut_of[key, c.code]
                entries[c.code] = {"score": max(0.0, s.self_score - cut), "note": comment}
            elif c.rule is not None:
                entries[c.code] = {"inputs": s.inputs.get("self", {})}
            else:
                entries[c.code] = {"score": s.self_score}
        sheets.save(sheet, appraiser, "appraisal", entries, today=days["appraisal"])
    rnd = rounds.advance(rnd, coordinator, today=days["appraisal"] + dt.timedelta(days=1))
    for key, code, _cut, _comment, explanation, _final in CUTS:
        if explanation:
            sheet = rnd.sheets.get(unit=units[key])
            sheets.save(
                sheet, officers[key], "explanation", {code: {"note": explanation}}, today=days["explanation"]
            )
    rnd = rounds.advance(rnd, coordinator, today=days["explanation"] + dt.timedelta(days=1))
    for key, code, cut, _comment, explanation, final in CUTS:
        if explanation is None:
            continue
        s = Score.objects.get(sheet__round=rnd, sheet__unit=units[key], node__code=code)
        value = {"accept": s.self_score, "half": s.self_score - cut / 2, "keep": s.appraised_score}[final]
        sheets.save(
            s.sheet, appraiser, "final", {code: {"score": value, "note": FINAL_COMMENTS[final]}},
            today=days["final"],
        )  # fmt: skip
    return rounds.advance(rnd, coordinator, to="closed", today=days["closed"])


def _demo_pdf(title: str) -> bytes:
    """A one-page PDF saying what it stands for (an illustrative evidence document)."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 60 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _add_evidence(sheet, user, units) -> None:
    """Văn phòng's evidence: a file on its criterion 3.4 and the product of its demo plan task on 3.1."""
    from chiso.assessment.models import EvidenceFile, EvidenceLink, Score
    from chiso.files.checks import check_upload, store
    from chiso.plans.models import Task

    scores = {s.node.code: s for s in Score.objects.filter(sheet=sheet).select_related("node")}
    if "3.4" in scores:
        name = "Bao-cao-mot-cua-2025-VP-UBND.pdf"
        upload = SimpleUploadedFile(
            name, _demo_pdf("Bao cao ket qua thuc hien co che mot cua 2025 (minh hoa)")
        )
        store(EvidenceFile, check_upload(upload), user, score=scores["3.4"], stage="self")
    task = (
        Task.objects.filter(lead_unit=units["vanphong"], plan__status="issued", done=True)
        .exclude(product="")
        .order_by("pk")
        .first()
    )
    if task is not None and "3.1" in scores:
        link = EvidenceLink(score=scores["3.1"], task=task, label=task.product, added_by=user)
        link._history_user = user
        link.save()


def _open_round(framework, province, units, coordinator, appraiser, today: dt.date):
    from chiso.assessment.models import Assignment
    from chiso.assessment.services import rounds, sheets
    from chiso.assessment.services.structure import structure

    year = 2025
    start = _future(DEMO_DATE + dt.timedelta(days=10), today, 10)
    rnd = rounds.open_round(
        framework, year, province, "department", coordinator, title=TITLE.format(year=year),
        deadlines={"self": start, "appraisal": start + dt.timedelta(days=20),
                   "explanation": start + dt.timedelta(days=30), "final": start + dt.timedelta(days=40)},
    )  # fmt: skip
    Assignment.objects.create(round=rnd, user=appraiser)
    st = structure(framework)
    for key, share in FILL_2025.items():
        if not share:
            continue
        unit = units[key]
        officer = demo_account(*OFFICERS[key], "officer", unit)
        sheet = rnd.sheets.get(unit=unit)
        level = min(1.0, LEVELS_2024[key] + 0.03)
        sheets.save(sheet, officer, "self", self_entries(st, key, unit, year, level, share), today=today)
        if share == 1.0:
            _add_evidence(sheet, officer, units)
            sheets.submit(sheet, officer, today=today)
    return rnd


#: The demo province's PAR INDEX responsibility map: node → (lead, coordinating) keys of ``demo_units``.
PAR_MAP = {"APPRAISAL": ("noivu", ("vanphong", "tuphap"))}
PROVINCE_TITLE = "Tự đánh giá Chỉ số CCHC (PAR INDEX) của tỉnh năm {year} (dữ liệu minh họa)"


def demo_par_map(province: Unit, units: dict[str, Unit], coordinator) -> None:
    """The province's PAR INDEX responsibility map (``PAR_MAP``) for the nodes that have no entry yet."""
    from chiso.plans.models import Responsibility

    for code, (lead, coordinating) in PAR_MAP.items():
        if Responsibility.objects.filter(province=province, index="par", node_code=code).exists():
            continue
        row = Responsibility(
            province=province, index="par", node_code=code, lead_unit=units[lead], updated_by=coordinator
        )
        row._history_user = coordinator
        row.save()
        row.coordinating_units.set([units[k] for k in coordinating])


def _province_round(province, units, coordinator, today: dt.date):
    """The province's own PAR INDEX self-assessment of 2025, in self-assessment (see the module)."""
    from chiso.assessment.services import province as province_svc
    from chiso.assessment.services import rounds
    from chiso.frameworks.services import framework_for

    year = 2025
    framework = framework_for("par", year)
    if framework is None:
        return None
    demo_par_map(province, units, coordinator)
    start = _future(DEMO_DATE + dt.timedelta(days=10), today, 10)
    rnd = rounds.open_round(
        framework, year, province, "province", coordinator, title=PROVINCE_TITLE.format(year=year),
        deadlines={"self": start, "appraisal": start + dt.timedelta(days=60)},
    )  # fmt: skip
    province_svc.assign_departments(rnd, coordinator)
    officer = demo_account(*OFFICERS["noivu"], "officer", units["noivu"])
    entry = {"score": 55.5, "note": "Tổng hợp từ báo cáo CCHC năm 2025 của các sở (số liệu minh họa)."}
    province_svc.propose(rnd, officer, units["noivu"], "APPRAISAL", entry, today=today)
    return rnd


@transaction.atomic
def load_demo_assessment(today: dt.date | None = None) -> DemoAssessment:
    """Install the demo province's indices and build its two demo rounds (once; see the module)."""
    from chiso.assessment.models import Round

    today = today or dt.date.today()
    province = demo_province()
    units = demo_units(province)
    frameworks = install_demo_frameworks(province)
    coordinator = demo_account(*COORDINATOR, "coordinator", province)
    appraiser = demo_account(*APPRAISER, "appraiser", province)
    found = {
        r.year: r
        for r in Round.objects.filter(
            province=province, scope="department", framework__index__code="cchc-so", year__in=(2024, 2025)
        )
    }
    created = False
    if 2024 not in found:
        found[2024] = _closed_round(frameworks["cchc-so-2024"], province, units, coordinator, appraiser)
        created = True
    if 2025 not in found:
        found[2025] = _open_round(frameworks["cchc-so-2025"], province, units, coordinator, appraiser, today)
        created = True
    own = Round.objects.filter(
        province=province, scope="province", framework__index__code="par", year=2025
    ).first()
    if own is None:
        own = _province_round(province, units, coordinator, today)
        created = created or own is not None
    return DemoAssessment(
        closed=found[2024], open=found[2025], province=own, frameworks=frameworks, created=created
    )
