"""The plan document as an official would check it before signing (issue 11, "The document"): the draft
mark, the signature never alone on a page, dates that agree, a numbered section IV that reports once,
the results in the opening, ranks without leading zeros and each task written once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
import shutil
import subprocess

import pytest
from docx import Document

from chiso.core.plan import _rank_text
from chiso.documents.docx_render import render_docx
from chiso.documents.model import Layout, load_layout
from chiso.plans import documents
from chiso.workflows.services import WorkflowError, transition

pytestmark = pytest.mark.django_db

RESULTS = "Chỉ số PAPI năm 2024 của tỉnh đạt 42,47 điểm, xếp thứ 6/62, thuộc nhóm Cao; tăng 1,20 điểm so với năm 2023."
BODY = (
    "Kinh phí thực hiện do các cơ quan, đơn vị, địa phương cân đối trong dự toán được giao.\n\n"
    "Các sở, ngành triển khai thực hiện các nhiệm vụ được giao.\n\n"
    "- Thủ trưởng các sở, ban, ngành báo cáo kết quả về Sở Nội vụ trước ngày 15/06/2025 và 15/11/2025."
)


def _paragraphs(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def _plan(world, make_plan, status="draft", n_tasks=3, **fields):
    fields.setdefault("signer_name", "Nguyễn Văn An")
    return make_plan(
        status=status,
        purpose=f"{RESULTS}\n\n- Nâng cao trách nhiệm người đứng đầu.",
        body=BODY,
        report_deadlines=["2025-06-15", "2025-11-15"],
        tasks=[
            dict(text=f"Nhiệm vụ thứ {i} về công khai, minh bạch", nodes=["D2"], lead_unit=world.noivu)
            for i in range(1, n_tasks + 1)
        ],
        **fields,
    )


def _pdf_pages(data: bytes, tmp_path) -> list[str]:
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    n = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return [
        subprocess.run(
            ["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(pdf), "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        for i in range(1, n + 1)
    ]


def test_a_draft_is_marked_until_it_is_issued(world, make_plan):
    draft = _plan(world, make_plan)
    paras = _paragraphs(documents.render_plan(draft, "docx"))
    assert paras[0] == "DỰ THẢO"  # the top of the first page
    issued = _plan(world, make_plan, status="issued")
    assert "DỰ THẢO" not in _paragraphs(documents.render_plan(issued, "docx"))


def test_issuing_needs_a_signers_name(world, make_plan):
    plan = _plan(world, make_plan, status="approved", signer_name="")
    with pytest.raises(WorkflowError, match="Cần họ tên người ký để ban hành kế hoạch"):
        transition(plan, "issue", world.leader, number="3993", date=dt.date(2025, 3, 15))
    plan.refresh_from_db()
    assert plan.status == "approved" and not plan.number  # nothing changed
    plan.signer_name = "Nguyễn Văn An"
    plan.save()
    transition(plan, "issue", world.leader, number="3993", date=dt.date(2025, 3, 15))
    plan.refresh_from_db()
    assert plan.status == "issued"


def test_the_date_line_and_the_appendix_agree(world, make_plan):
    issued = " ".join(_paragraphs(documents.render_plan(_plan(world, make_plan, status="issued"), "docx")))
    assert "Kèm theo Kế hoạch số 123/KH-UBND ngày 15 tháng 3 năm 2025" in issued
    # a draft has no date yet: its appendix leaves the same blanks as its date line, not another year
    draft = documents.plan_document(_plan(world, make_plan, year=2026))
    blank = draft.place_date_text().split(", ", 1)[1].strip()
    assert blank.startswith("ngày") and "2026" not in blank
    assert all(blank in a.subtitle for a in draft.appendices)


def test_results_open_the_plan_and_section_iv_is_numbered_and_reports_once(world, make_plan):
    text = _paragraphs(documents.render_plan(_plan(world, make_plan, status="issued"), "docx"))
    head_i = text.index("I. MỤC ĐÍCH, YÊU CẦU")
    assert RESULTS in text[:head_i]  # the "căn cứ", before section I
    assert text[head_i + 1] == "1. Mục đích" and text[head_i + 2] == "- Nâng cao trách nhiệm người đứng đầu."
    section_iv = text[text.index("IV. TỔ CHỨC THỰC HIỆN") + 1 :]
    closing = next(i for i, p in enumerate(section_iv) if p.endswith("./."))  # the last paragraph
    section_iv = [p for p in section_iv[: closing + 1] if p.strip()]
    assert section_iv[0] == "1. Trách nhiệm thực hiện"
    # no paragraph straight under IV: each is a numbered heading, a bullet or under a heading
    headings = [p for p in section_iv if re.match(r"^\d+\. ", p)]
    assert headings == ["1. Trách nhiệm thực hiện", "2. Kinh phí thực hiện"]
    assert "- Các sở, ngành triển khai thực hiện các nhiệm vụ được giao." in section_iv
    joined = " ".join(section_iv)
    assert joined.count("15/06/2025") == 1  # the body says when to report: not a second sentence


def test_ranks_have_no_leading_zero_and_points_two_decimals(world, make_plan):
    assert _rank_text(6, 62) == "6/62" and _rank_text(12, 63) == "12/63"
    plan = _plan(world, make_plan, status="issued")
    plan.shortcomings.create(
        index="papi",
        node_code="D2",
        node_name="Công khai, minh bạch",
        achieved=3.8909,
        maximum=10,
        lost=6.1091,
    )
    text = " | ".join(
        c.text for t in Document(io.BytesIO(documents.render_plan(plan, "docx"))).tables for c in t._cells
    )
    assert "3,89/10" in text and "6,11" in text and "3,8909" not in text
    three = dataclasses.replace(load_layout(), plan_point_decimals=3)
    doc = documents.plan_document(plan, three)
    assert "3,891/10" in str(doc.appendices[-1].blocks[0].rows)


def test_each_task_once_in_the_appendix_or_in_the_body(world, make_plan):
    plan = _plan(world, make_plan, status="issued")
    in_table = " ".join(_paragraphs(documents.render_plan(plan, "docx")))
    assert "Nhiệm vụ thứ 1 về công khai" not in in_table  # not in the body…
    doc = Document(io.BytesIO(documents.render_plan(plan, "docx")))
    cells = [c.text for t in doc.tables for c in t._cells]
    assert sum("Nhiệm vụ thứ 1 về công khai" in c for c in cells) == 1  # …once, in the table
    body_layout: Layout = dataclasses.replace(load_layout(), plan_tasks_in_appendix=False)
    doc_body = documents.plan_document(plan, body_layout)
    assert not any(a.title == "DANH MỤC NHIỆM VỤ" for a in doc_body.appendices)
    data = render_docx(doc_body, body_layout)
    paras = " ".join(_paragraphs(data))
    assert paras.count("Nhiệm vụ thứ 1 về công khai") == 1
    cells = [c.text for t in Document(io.BytesIO(data)).tables for c in t._cells]
    assert not any("Nhiệm vụ thứ 1 về công khai" in c for c in cells)


def test_the_layout_option_is_checked():
    with pytest.raises(ValueError, match="Số chữ số thập phân của điểm"):
        load_layout({"plan": {"point_decimals": 7}})


@pytest.mark.skipif(
    os.environ.get("CI") != "true" and not shutil.which("pdftotext"), reason="poppler-utils missing"
)
@pytest.mark.parametrize("n_tasks", range(0, 14))
def test_the_signature_never_stands_alone_on_a_page(world, make_plan, tmp_path, n_tasks):
    """Whatever the length of the body, the page with the signer's name also holds body text."""
    layout = dataclasses.replace(load_layout(), plan_tasks_in_appendix=False)
    plan = _plan(world, make_plan, status="issued", n_tasks=n_tasks)
    from chiso.documents.pdf_render import render_pdf

    pages = _pdf_pages(render_pdf(documents.plan_document(plan, layout), layout), tmp_path)
    [signed] = [i for i, p in enumerate(pages) if "Nguyễn Văn An" in p]
    page = pages[signed]
    before = page[: page.index("Nơi nhận:")]
    assert re.search(r"\w{3,}", before), f"page {signed + 1} holds only the signature block"
