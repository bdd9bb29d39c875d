"""Sample documents for the layout preview, the tests and the benchmark: a Kon Tum improvement plan
built from real text (the 2024 plan of UBND tỉnh Kon Tum, seed ``000_17d1a0f542e56a53.txt``, and the
tasks of the shipped task library, which were typed in from the real Kon Tum and Quảng Nam plans), a
report, a công văn and a decision announcing an index's results. Pure Python."""

from __future__ import annotations

import datetime
import itertools

from chiso.core.framework import shipped_indices
from chiso.core.tasklib import GENERAL, load_library

from .model import Appendix, Heading, OfficialDocument, Paragraph, Signer, Table, blocks_from_text

KON_TUM_ISSUER = "ỦY BAN NHÂN DÂN TỈNH KON TUM"
PLAN_NUMBER = "3993/KH-UBND"
PLAN_DATE = datetime.date(2024, 10, 12)
PLAN_TITLE = (
    "Thực hiện các nhiệm vụ trọng tâm nhằm cải thiện, nâng cao Chỉ số Cải cách hành chính (PAR INDEX), "
    "Chỉ số hài lòng của người dân, tổ chức về sự phục vụ của cơ quan hành chính nhà nước (SIPAS), "
    "Chỉ số Hiệu quả quản trị và hành chính công (PAPI) tỉnh Kon Tum năm 2025"
)

# Sections I and III–IV: the wording of the 2024 Kon Tum plan (seed 000), footnotes folded into the text.
OPENING = """Trên cơ sở kết quả công bố Chỉ số PAR INDEX, SIPAS và PAPI của tỉnh Kon Tum năm 2023; để phát huy ưu điểm và khắc phục tồn tại, hạn chế nhằm cải thiện và nâng cao các Chỉ số PAR INDEX, SIPAS, PAPI trên địa bàn tỉnh, Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện như sau:"""

SECTION_I = """# I. MỤC ĐÍCH, YÊU CẦU

## 1. Mục đích

Phát huy ưu điểm và khắc phục tồn tại, hạn chế trong triển khai thực hiện nhiệm vụ cải cách hành chính (CCHC) trên địa bàn tỉnh qua đánh giá kết quả các chỉ số PAR INDEX, SIPAS, PAPI năm 2023; nâng cao chất lượng công tác tham mưu, tổ chức triển khai các mục tiêu, chỉ tiêu, nhiệm vụ, giải pháp được xác định tại Kế hoạch số 3993/KH-UBND ngày 05 tháng 11 năm 2021 của Ủy ban nhân dân tỉnh về công tác CCHC nhà nước trên địa bàn tỉnh Kon Tum giai đoạn 2021-2030.

Phấn đấu duy trì, cải thiện và nâng cao các Chỉ số thành phần CCHC, Chỉ số hài lòng của người dân, tổ chức về sự phục vụ của cơ quan hành chính nhà nước và Chỉ số Hiệu quả quản trị và hành chính công, gắn với việc thực hiện Nghị quyết số 11-NQ/TU ngày 23 tháng 5 năm 2022 của Tỉnh ủy về cải thiện môi trường đầu tư, nâng cao năng lực cạnh tranh và tăng cường thu hút đầu tư trên địa bàn tỉnh đến năm 2025, định hướng đến năm 2030. Nâng cao trách nhiệm của người đứng đầu các ngành, các cấp, mỗi cán bộ, công chức, viên chức và người dân trong việc nỗ lực cải thiện hiệu lực, hiệu quả quản lý nhà nước, cải thiện các Chỉ số của tỉnh.

Kết quả năm 2023: Chỉ số PAR INDEX đạt **86,14 điểm** (điểm thẩm định 54,95/61,5 điểm; điểm đánh giá tác động của cải cách hành chính 31,19/38,5 điểm), xếp hạng thứ 43/63, so với năm 2022 tăng 4,79 điểm và tăng 12 bậc; Chỉ số SIPAS đạt **82,10%**, xếp thứ 35/63, tăng 07 bậc; Chỉ số PAPI đạt **39,9613 điểm**, giảm 0,0143 điểm so với năm 2022, thuộc nhóm 16 địa phương có điểm *"Thấp"*.

## 2. Yêu cầu

Các cơ quan, đơn vị, địa phương nâng cao vai trò, trách nhiệm trong việc chỉ đạo, triển khai thực hiện các mục tiêu, chỉ tiêu, nhiệm vụ, giải pháp trọng tâm đề ra tại Kế hoạch này.

Kế hoạch được triển khai đồng bộ ở các cấp chính quyền; tập trung trọng điểm tại các xã, phường, thị trấn trên địa bàn tỉnh. Quá trình thực hiện cần kết hợp chặt chẽ với việc thực hiện nhiệm vụ chuyên môn của các Sở, ngành và nhiệm vụ phát triển kinh tế - xã hội của các huyện, thành phố, xác định *việc duy trì, cải thiện và nâng cao các Chỉ số là nhiệm vụ trọng tâm, thường xuyên*."""

SECTION_III_IV = """# III. KINH PHÍ

Kinh phí thực hiện các nhiệm vụ theo kế hoạch do các cơ quan, đơn vị, địa phương cân đối trong các nguồn kinh phí được cấp có thẩm quyền giao và các nguồn tài trợ hợp pháp khác *(nếu có)*.

# IV. TỔ CHỨC THỰC HIỆN

## 1. Thủ trưởng các cơ quan chuyên môn thuộc tỉnh

- Trên cơ sở nội dung, mục tiêu, nhiệm vụ của Kế hoạch này, căn cứ đặc điểm tình hình của ngành và kết quả rà soát, đánh giá, phân tích làm rõ những yếu kém, nguyên nhân, trách nhiệm liên quan đến kết quả của từng chỉ số nội dung, tiêu chí thành phần trong các Chỉ số để chủ động xây dựng kế hoạch phát huy ưu điểm và khắc phục tồn tại, hạn chế.
- Tăng cường hướng dẫn chuyên môn, nghiệp vụ; thường xuyên kiểm tra việc thực hiện và kịp thời hướng dẫn khắc phục những sai phạm, thiếu sót về chuyên môn thuộc lĩnh vực phụ trách, quản lý đối với Ủy ban nhân dân cấp huyện, cấp xã.

## 2. Chủ tịch Ủy ban nhân dân các huyện, thành phố

- Chỉ đạo đẩy mạnh công tác tuyên truyền, phổ biến nội dung, kết quả Chỉ số PAR INDEX, SIPAS và PAPI của tỉnh Kon Tum đến đội ngũ cán bộ, công chức, viên chức cấp huyện, cấp xã và Nhân dân tại địa phương.
- Chỉ đạo Ủy ban nhân dân cấp xã xây dựng kế hoạch và chủ động tổ chức thực hiện đầy đủ, bảo đảm thực chất, hiệu quả.

## 3. Sở Nội vụ

- Chủ trì, theo dõi, đôn đốc, kiểm tra, tổng hợp tình hình triển khai thực hiện Kế hoạch của các Sở, ban ngành, Ủy ban nhân dân các huyện, thành phố; báo cáo Ủy ban nhân dân tỉnh.
- Chủ trì xây dựng cẩm nang tuyên truyền các nội dung liên quan đến Chỉ số PAPI cung cấp cho cán bộ, công chức cấp xã.

Trên đây là Kế hoạch thực hiện các nhiệm vụ trọng tâm nhằm cải thiện, nâng cao các Chỉ số PAR INDEX, SIPAS, PAPI năm 2025 của tỉnh Kon Tum, đề nghị các cơ quan, đơn vị, địa phương quan tâm, có kế hoạch cụ thể để thực hiện (*đề ra các giải pháp và phương hướng cụ thể*) và báo cáo kết quả về Sở Nội vụ trước ngày 15 tháng 11 năm 2025 để tổng hợp, báo cáo Ủy ban nhân dân tỉnh."""

PLAN_RECIPIENTS = [
    "Thường trực Tỉnh ủy (b/c)",
    "Thường trực HĐND tỉnh (b/c)",
    "Chủ tịch, các PCT UBND tỉnh",
    "Các sở, ban ngành, đơn vị thuộc tỉnh",
    "UBND các huyện, thành phố",
    "Các cơ quan thành viên BCĐ CCHC tỉnh",
    "VP UBND tỉnh: CVP, các PCVP",
    "Lưu: VT, TTPVHCC, HCQT, NC.TTTT, TTHG.",
]

TASK_COLUMNS = ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời hạn"]
TASK_WIDTHS = [5, 48, 18, 17, 14, 10]


def sample_tasks(n: int) -> list:
    """``n`` tasks from the shipped task library (repeated in order when ``n`` exceeds it)."""
    library = load_library()
    return list(itertools.islice(itertools.cycle(library), n))


def _task_rows(tasks) -> list[list[str]]:
    rows: list[list[str]] = []
    group = None
    number = 0
    indices = shipped_indices()
    for task in tasks:
        label = indices[task.index].label if task.index in indices else task.index
        if label != group:
            group = label
            rows.append([f"Nhiệm vụ cải thiện {label}" if task.index != GENERAL else "Nhiệm vụ chung"])
        number += 1
        deadline = task.deadline or ("Thường xuyên" if task.recurrence == "continuous" else "")
        rows.append([str(number), task.text, task.lead, "; ".join(task.coordinating), task.product, deadline])
    return rows


def sample_plan(n_tasks: int = 100) -> OfficialDocument:
    """A Kon Tum improvement plan: sections I–IV, the tasks listed in section II and again, with their
    lead agency, in an appendix table (landscape)."""
    order = [*shipped_indices(), GENERAL]  # the indices in their declared order, tasks for all last
    tasks = sorted(
        sample_tasks(n_tasks), key=lambda t: order.index(t.index) if t.index in order else len(order)
    )
    section_ii: list = [Heading("II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM", 1)]
    by_lead: dict[str, list] = {}
    for task in tasks:
        by_lead.setdefault(task.lead or "Các cơ quan, đơn vị, địa phương", []).append(task)
    for i, (lead, items) in enumerate(by_lead.items(), start=1):
        section_ii.append(Heading(f"{i}. {lead}", 2))
        section_ii.extend(Paragraph(f"- {t.text}") for t in items)
    section_ii.append(Paragraph("*(Chi tiết tại Phụ lục I kèm theo)*"))
    results = Table(
        columns=["Chỉ số", "Điểm năm 2023", "Xếp hạng năm 2023", "Thay đổi so với năm 2022"],
        rows=[
            ["PAR INDEX (điểm)", "86,14", "43/63", "+4,79 điểm; tăng 12 bậc"],
            ["SIPAS (%)", "82,10", "35/63", "+3,71%; tăng 07 bậc"],
            ["PAPI (điểm)", "39,9613", "Nhóm “Thấp”", "−0,0143 điểm"],
        ],
        widths=[35, 20, 20, 35],
        caption="Kết quả các Chỉ số của tỉnh Kon Tum năm 2023",
        number_columns={1},
    )
    blocks = [Paragraph(OPENING), *blocks_from_text(SECTION_I), results, *section_ii]
    blocks += blocks_from_text(SECTION_III_IV)
    appendix = Appendix(
        label="Phụ lục I",
        title="Danh mục nhiệm vụ cải thiện, nâng cao các Chỉ số PAR INDEX, SIPAS, PAPI năm 2025",
        subtitle=(
            f"(Kèm theo Kế hoạch số {PLAN_NUMBER} ngày {PLAN_DATE.day:02d}/{PLAN_DATE.month:02d}/"
            f"{PLAN_DATE.year} của Ủy ban nhân dân tỉnh Kon Tum)"
        ),
        blocks=[Table(TASK_COLUMNS, _task_rows(tasks), widths=TASK_WIDTHS, number_columns={0})],
        landscape=True,
    )
    return OfficialDocument(
        kind_label="KẾ HOẠCH",
        issuer=KON_TUM_ISSUER,
        number_symbol=PLAN_NUMBER,
        place="Kon Tum",
        date=PLAN_DATE,
        title=PLAN_TITLE,
        blocks=blocks,
        appendices=[appendix],
        recipients=PLAN_RECIPIENTS,
        signer=Signer("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "Nguyễn Văn A"),
    )


def sample_report() -> OfficialDocument:
    """A short report of the Sở Nội vụ on the plan's progress (cơ quan chủ quản above the issuer)."""
    text = """Thực hiện Kế hoạch số 3993/KH-UBND ngày 12 tháng 10 năm 2024 của Ủy ban nhân dân tỉnh, Sở Nội vụ báo cáo kết quả thực hiện các nhiệm vụ cải thiện Chỉ số PAR INDEX, SIPAS, PAPI 6 tháng đầu năm 2025 như sau:

# I. KẾT QUẢ THỰC HIỆN

## 1. Công tác chỉ đạo, điều hành

- Tham mưu Ủy ban nhân dân tỉnh ban hành Kế hoạch công tác cải cách hành chính năm 2025;
- Tổ chức tuyên truyền kết quả Chỉ số PAR INDEX, SIPAS, PAPI năm 2024 đến cán bộ, công chức cấp xã.

## 2. Tiến độ các nhiệm vụ

Trong **100** nhiệm vụ của Kế hoạch: **62** nhiệm vụ đã hoàn thành, **31** nhiệm vụ đang thực hiện đúng tiến độ, **07** nhiệm vụ chậm tiến độ *(chi tiết tại Phụ lục kèm theo)*.

# II. TỒN TẠI, HẠN CHẾ

Một số cơ quan, đơn vị chưa gửi báo cáo đúng thời hạn; việc cập nhật minh chứng còn chậm.

# III. ĐỀ XUẤT, KIẾN NGHỊ

Đề nghị Ủy ban nhân dân tỉnh chỉ đạo các cơ quan, đơn vị chậm tiến độ khẩn trương hoàn thành nhiệm vụ trước ngày 30 tháng 9 năm 2025."""
    progress = Table(
        columns=["TT", "Cơ quan chủ trì", "Số nhiệm vụ", "Hoàn thành", "Đang thực hiện", "Chậm"],
        rows=[
            ["1", "Sở Nội vụ", "25", "17", "7", "1"],
            ["2", "Văn phòng Ủy ban nhân dân tỉnh", "11", "8", "3", "0"],
            ["3", "Sở Thông tin và Truyền thông", "7", "4", "2", "1"],
            ["4", "Ủy ban nhân dân các huyện, thành phố", "11", "5", "4", "2"],
        ],
        widths=[6, 40, 14, 14, 14, 12],
        number_columns={0, 2, 3, 4, 5},
    )
    return OfficialDocument(
        kind_label="BÁO CÁO",
        parent_body="UBND TỈNH KON TUM",
        issuer="SỞ NỘI VỤ",
        number_symbol="/BC-SNV",
        place="Kon Tum",
        date=None,
        title="Kết quả thực hiện các nhiệm vụ cải thiện Chỉ số PAR INDEX, SIPAS, PAPI 6 tháng đầu năm 2025",
        blocks=blocks_from_text(text),
        appendices=[
            Appendix("Phụ lục", "Tiến độ thực hiện theo cơ quan chủ trì", "", [progress], landscape=False)
        ],
        recipients=["UBND tỉnh (b/c)", "Giám đốc Sở", "Lưu: VT, CCHC."],
        signer=Signer("", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "Trần Thị B"),
    )


def sample_letter() -> OfficialDocument:
    """A công văn: no kind label; the subject "V/v …" under the number; "Kính gửi" addressees."""
    text = """Thực hiện Kế hoạch số 3993/KH-UBND ngày 12 tháng 10 năm 2024 của Ủy ban nhân dân tỉnh về thực hiện các nhiệm vụ trọng tâm nhằm cải thiện, nâng cao các Chỉ số PAR INDEX, SIPAS, PAPI năm 2025, đến nay còn một số cơ quan, đơn vị chưa gửi báo cáo kết quả thực hiện.

Để kịp thời tổng hợp, báo cáo Ủy ban nhân dân tỉnh, Sở Nội vụ đề nghị các cơ quan, đơn vị khẩn trương gửi báo cáo **trước ngày 20 tháng 6 năm 2025**.

Sở Nội vụ đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./."""
    return OfficialDocument(
        kind_label="",
        parent_body="UBND TỈNH KON TUM",
        issuer="SỞ NỘI VỤ",
        number_symbol="512/SNV-CCHC",
        place="Kon Tum",
        date=datetime.date(2025, 6, 5),
        subject="V/v đôn đốc báo cáo kết quả thực hiện Kế hoạch cải thiện các Chỉ số năm 2025",
        salutation="Kính gửi:\n- Các sở, ban, ngành thuộc tỉnh;\n- Ủy ban nhân dân các huyện, thành phố.",
        blocks=blocks_from_text(text),
        recipients=["Như trên", "UBND tỉnh (b/c)", "Lưu: VT, CCHC."],
        signer=Signer("", "GIÁM ĐỐC", "Lê Văn C"),
    )


def sample_decision() -> OfficialDocument:
    """A decision announcing a provincial administrative-reform index, in the shape of Kon Tum's
    35/QĐ-UBND of 27/01/2023: the authority, "Căn cứ …", "QUYẾT ĐỊNH:", Điều 1–3, and the results as a
    landscape appendix. The two scores are those the Kon Tum Department of Transport quoted from that
    decision (Sở Công Thương highest, 93,73; Sở Giao thông vận tải 90,59, both "xuất sắc"); self-scores
    were not published and are left empty, ranks are among these two rows only."""
    bases = [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số "
        "điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;",
        "Căn cứ Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ ban hành Chương trình tổng thể "
        "cải cách hành chính nhà nước giai đoạn 2021 - 2030;",
        "Theo đề nghị của Giám đốc Sở Nội vụ.",
    ]
    results = Table(
        columns=["TT", "Tên cơ quan", "Tự chấm", "Thẩm định", "Điểm", "Chỉ số (%)", "Hạng", "Xếp loại"],
        rows=[
            ["1", "Sở Công Thương", "", "93,73", "93,73", "93,73", "1", "Xuất sắc"],
            ["2", "Sở Giao thông vận tải", "", "90,59", "90,59", "90,59", "2", "Xuất sắc"],
        ],
        widths=[5, 34, 11, 11, 11, 10, 9, 11],
        number_columns={0, 2, 3, 4, 5, 6},
    )
    return OfficialDocument(
        kind_label="QUYẾT ĐỊNH",
        issuer=KON_TUM_ISSUER,
        number_symbol="35/QĐ-UBND",
        place="Kon Tum",
        date=datetime.date(2023, 1, 27),
        title="Phê duyệt kết quả Chỉ số cải cách hành chính năm 2022 của các cơ quan chuyên môn thuộc "
        "Ủy ban nhân dân tỉnh, Ban Quản lý Khu kinh tế tỉnh, Ủy ban nhân dân các huyện, thành phố",
        blocks=[
            Paragraph("ỦY BAN NHÂN DÂN TỈNH KON TUM", indent_first=False, bold=True, align="center"),
            *(Paragraph(b, italic=True) for b in bases),
            Paragraph("QUYẾT ĐỊNH:", indent_first=False, bold=True, align="center"),
            Paragraph(
                "**Điều 1.** Phê duyệt kết quả Chỉ số cải cách hành chính năm 2022 của các cơ quan chuyên môn "
                "thuộc Ủy ban nhân dân tỉnh, Ban Quản lý Khu kinh tế tỉnh, Ủy ban nhân dân các huyện, thành "
                "phố (chi tiết tại Phụ lục kèm theo)."
            ),
            Paragraph(
                "**Điều 2.** Các cơ quan, đơn vị, địa phương tổ chức quán triệt kết quả Chỉ số cải cách hành "
                "chính năm 2022 đến cán bộ, công chức, viên chức, người lao động; phát huy kết quả đạt được, "
                "khắc phục hạn chế và có giải pháp cải thiện Chỉ số trong những năm tiếp theo."
            ),
            Paragraph(
                "**Điều 3.** Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ, Thủ trưởng các cơ quan, "
                "đơn vị, địa phương có liên quan chịu trách nhiệm thi hành Quyết định này./."
            ),
        ],
        appendices=[
            Appendix(
                "Phụ lục",
                "Kết quả Chỉ số cải cách hành chính năm 2022",
                "(Kèm theo Quyết định số 35/QĐ-UBND ngày 27 tháng 01 năm 2023 của Ủy ban nhân dân tỉnh Kon Tum)",
                [results],
            )
        ],
        recipients=["Như Điều 3", "Bộ Nội vụ (b/c)", "Thường trực Tỉnh ủy (b/c)", "Lưu: VT, NC."],
        signer=Signer("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", ""),
    )


def sample_for(kind: str) -> OfficialDocument:
    """The sample document a layout of ``kind`` ("plan", "report", "letter", "decision", "default") is
    previewed with."""
    if kind == "report":
        return sample_report()
    if kind == "letter":
        return sample_letter()
    if kind == "decision":
        return sample_decision()
    return sample_plan(30)
