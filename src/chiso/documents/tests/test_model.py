"""The content model and the layout, without Django: the number and date lines print as the decree
writes them ("Số:      /KH-UBND", "ngày 05 tháng 02"), light markup and typed rich text become the
right blocks, the shipped layout.yaml is the Layout's default, and a bad layout is refused with every
problem named in Vietnamese."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import fields

import pytest
import yaml

from chiso.documents.model import (
    FIELDS,
    Heading,
    Layout,
    LayoutError,
    OfficialDocument,
    Paragraph,
    Run,
    blocks_from_text,
    layout_errors,
    layout_to_mapping,
    load_layout,
    merge_mappings,
    parse_inline,
    parse_layout_yaml,
    plain_text,
    shipped_layout_mapping,
    shipped_layout_text,
)


def test_number_line_blank_number_and_leading_zero():
    assert OfficialDocument(number_symbol="3993/KH-UBND").number_text() == "Số: 3993/KH-UBND"
    assert OfficialDocument(number_symbol="/KH-UBND").number_text() == "Số:      /KH-UBND"
    assert OfficialDocument(number_symbol="5/KH-UBND").number_text() == "Số: 05/KH-UBND"
    assert OfficialDocument(number_symbol="12/BC-SNV").number_text("Số:") == "Số: 12/BC-SNV"


def test_place_date_line_pads_day_and_months_one_and_two():
    doc = OfficialDocument(place="Kon Tum", date=datetime.date(2024, 10, 12))
    assert doc.place_date_text() == "Kon Tum, ngày 12 tháng 10 năm 2024"
    doc.date = datetime.date(2025, 2, 5)
    assert doc.place_date_text() == "Kon Tum, ngày 05 tháng 02 năm 2025"
    doc.date = datetime.date(2025, 6, 5)
    assert doc.place_date_text() == "Kon Tum, ngày 05 tháng 6 năm 2025"
    doc.date = None
    assert doc.place_date_text().startswith("Kon Tum, ngày ")
    assert "tháng" in doc.place_date_text() and "năm" in doc.place_date_text()


def test_recipient_lines_dash_semicolon_and_final_full_stop():
    doc = OfficialDocument(recipients=["Thường trực Tỉnh ủy (b/c)", "- UBND các huyện;", "Lưu: VT, NC."])
    assert doc.recipient_lines() == ["- Thường trực Tỉnh ủy (b/c);", "- UBND các huyện;", "- Lưu: VT, NC."]
    assert OfficialDocument(recipients=["Như trên", "Lưu: VT"]).recipient_lines() == [
        "- Như trên;",
        "- Lưu: VT.",
    ]


def test_salutation_label_added_once():
    assert OfficialDocument(salutation="Sở Nội vụ").salutation_text() == "Kính gửi: Sở Nội vụ"
    assert OfficialDocument(salutation="Kính gửi: Sở Nội vụ").salutation_text() == "Kính gửi: Sở Nội vụ"
    assert OfficialDocument().salutation_text() == ""


def test_inline_markup_runs():
    assert parse_inline("a **b *c* d** e *f* ***g***") == [
        Run("a "),
        Run("b ", bold=True),
        Run("c", bold=True, italic=True),
        Run(" d", bold=True),
        Run(" e "),
        Run("f", italic=True),
        Run(" "),
        Run("g", bold=True, italic=True),
    ]
    # a lone star, arithmetic and escaped stars stay as written
    assert parse_inline("5 * 3 = 15") == [Run("5 * 3 = 15")]
    assert plain_text(r"điểm \*PAPI\* cao") == "điểm *PAPI* cao"
    assert parse_inline("**đậm**", italic=True) == [Run("đậm", bold=True, italic=True)]


def test_inline_markup_normalises_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh")
    assert plain_text(decomposed) == "Ủy ban nhân dân tỉnh"
    assert unicodedata.is_normalized("NFC", plain_text(decomposed))


def test_blocks_from_text_paragraphs_bullets_headings():
    text = (
        "# I. MỤC ĐÍCH, YÊU CẦU\n\n## 1. Mục đích\n\nDòng một\ndòng hai của cùng đoạn.\n"
        "- Gạch đầu dòng một,\n  nối tiếp;\n- Gạch hai.\n\n### a) Điểm\n\nĐoạn **cuối**.\r\n"
    )
    assert blocks_from_text(text) == [
        Heading("I. MỤC ĐÍCH, YÊU CẦU", 1),
        Heading("1. Mục đích", 2),
        Paragraph("Dòng một dòng hai của cùng đoạn."),
        Paragraph("- Gạch đầu dòng một, nối tiếp;"),
        Paragraph("- Gạch hai."),
        Heading("a) Điểm", 3),
        Paragraph("Đoạn **cuối**."),
    ]
    assert blocks_from_text("") == [] and blocks_from_text("   \n\n ") == []


def test_shipped_yaml_is_the_layout_default_and_every_field_is_described():
    assert {f.name for f in fields(Layout)} == {s.attr for s in FIELDS}
    assert load_layout() == Layout()
    assert layout_to_mapping(Layout()) == shipped_layout_mapping()
    text = shipped_layout_text()
    assert "Nghị định số 30/2020/NĐ-CP" in text and "Phụ lục I" in text
    layout = Layout()
    assert (layout.page_width_mm, layout.page_height_mm) == (210, 297)
    assert (layout.margin_top_mm, layout.margin_bottom_mm, layout.margin_left_mm, layout.margin_right_mm) == (
        20,
        20,
        30,
        15,
    )
    assert layout.font_family == "Times New Roman" and layout.body_size == 14
    assert layout.motto_line1 == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert layout.motto_line2 == "Độc lập - Tự do - Hạnh phúc"
    assert layout.validate() == []


def test_override_key_by_key():
    layout = load_layout({"margins_mm": {"left": 35}, "sizes_pt": {"body": 13}})
    assert layout.margin_left_mm == 35 and layout.body_size == 13
    assert layout.margin_right_mm == 15 and layout.margin_top_mm == 20 and layout.issuer_size == 13
    merged = merge_mappings({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}})
    assert merged == {"a": {"x": 1, "y": 3}, "b": 1}


def test_bad_layout_lists_every_problem_in_vietnamese():
    with pytest.raises(LayoutError) as exc:
        load_layout(
            {
                "margins_mm": {"left": 10, "top": "hai mươi"},
                "sizes_pt": {"body": 16, "bodyy": 14},
                "page": {"width_mm": 216},
                "texts": {"motto_line1": " "},
                "fonts": {"family": "Arial"},
                "spacing": {"line": 2},
                "signature": {"blank_lines": 3.5},
            }
        )
    errors = exc.value.errors
    assert "Lề trái phải từ 30 đến 35 mm, nhận 10 (margins_mm.left)" in errors
    assert "Lề trên phải là một số, nhận “hai mươi” (margins_mm.top)" in errors
    assert "Cỡ chữ nội dung phải từ 13 đến 14 pt, nhận 16 (sizes_pt.body)" in errors
    assert any(e.startswith("Khóa “sizes_pt.bodyy” không có trong mẫu thể thức") for e in errors)
    assert "Chiều rộng trang phải là 210 mm (khổ A4), nhận 216 (page.width_mm)" in errors
    assert "Quốc hiệu không được để trống (texts.motto_line1)" in errors
    assert any(e.startswith("Nhóm “fonts” không có trong mẫu thể thức") for e in errors)
    assert "Khoảng cách dòng phải từ 1 đến 1,5 dòng, nhận 2 (spacing.line)" in errors
    assert "Số dòng trống để ký phải là một số nguyên, nhận 3,5 (signature.blank_lines)" in errors
    assert len(errors) == 9


def test_layout_shape_errors():
    assert layout_errors(["a"]) and layout_errors("chữ")
    assert layout_errors({"margins_mm": 5}) == [
        "Nhóm “margins_mm” phải gồm các khóa dạng “khóa: giá trị”, nhận “5”"
    ]
    assert layout_errors({"page": {"page_numbers": "có"}}) == [
        "Đánh số trang phải là true (có) hoặc false (không), nhận “có” (page.page_numbers)"
    ]
    assert layout_errors({"sizes_pt": {"table": True}}) == [
        "Cỡ chữ trong bảng phải là một số, nhận “True” (sizes_pt.table)"
    ]
    assert layout_errors({"sizes_pt": {"number": 14}}) == [
        "Cỡ chữ số, ký hiệu phải là 13 pt, nhận 14 (sizes_pt.number)"
    ]
    assert layout_errors(None) == []


def test_header_left_column_narrows_to_keep_the_motto_on_one_line():
    assert Layout().header_columns_mm() == (65, 100)
    left, right = Layout(margin_left_mm=35, margin_right_mm=20).header_columns_mm()
    assert left + right == 155 and 55 < left < 60 and right > 95
    # a motto too large for any column is refused
    layout = Layout(motto_line1="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — CỘNG HÒA XÃ HỘI CHỦ NGHĨA")
    (error,) = layout.validate()
    assert error.startswith("Quốc hiệu, Tiêu ngữ cần ") and "cho tên cơ quan" in error


def test_parse_layout_yaml():
    assert parse_layout_yaml("") == ({}, [])
    assert parse_layout_yaml("# chỉ có chú thích\n") == ({}, [])
    mapping, errors = parse_layout_yaml("margins_mm:\n  left: 35\n")
    assert mapping == {"margins_mm": {"left": 35}} and errors == []
    mapping, errors = parse_layout_yaml("margins_mm:\n  left: [35\n")
    assert mapping is None and errors[0].startswith("Không đọc được YAML (dòng ")
    mapping, errors = parse_layout_yaml("margins_mm:\n  left: 40\n")
    assert mapping is None and errors == ["Lề trái phải từ 30 đến 35 mm, nhận 40 (margins_mm.left)"]


def test_shipped_yaml_parses_with_comments_kept_as_documentation():
    data = yaml.safe_load(shipped_layout_text())
    assert set(data) == {
        "page",
        "margins_mm",
        "font",
        "sizes_pt",
        "spacing",
        "header",
        "signature",
        "plan",
        "texts",
        "wording",
    }
    # every key carries a comment line or an inline comment in the shipped file
    for spec in FIELDS:
        assert f"{spec.path[1]}:" in shipped_layout_text()
        assert f"{spec.path[-1]}:" in shipped_layout_text()
