"""Library texts quoted from plans of other years: their years become parameters, cited documents keep
theirs, and what is left to check is found."""

from __future__ import annotations

from chiso.core import datedtext as d

KT2019_14 = (
    "xây dựng Đề án … để áp dụng thực hiện từ năm 2019 và các năm tiếp theo (hoàn thành chậm nhất trong "
    "Quý III năm 2019)."
)


def test_years_of_the_source_plan_become_parameters_and_are_filled_with_the_plans():
    text = d.parameterise(KT2019_14, 2019)
    assert "2019" not in text and text.count("{năm}") == 2
    filled = d.fill(text, 2023, 2022)
    assert "từ năm 2023" in filled and "Quý III năm 2023" in filled
    assert d.review(filled, 2023, 2022) == []


def test_results_year_and_next_year_and_dates():
    text = d.parameterise("kết quả năm 2018; gửi trước ngày 20/02/2020 và trong tháng 7/2019.", 2019)
    assert text == "kết quả năm {năm kết quả}; gửi trước ngày 20/02/{năm sau} và trong tháng 7/{năm}."
    assert d.fill(text, 2023, 2021) == "kết quả năm 2021; gửi trước ngày 20/02/2024 và trong tháng 7/2023."


def test_cited_documents_laws_and_periods_keep_their_years():
    text = (
        "theo Quyết định số 3532/QĐ-UBND ngày 23/12/2022 và Kế hoạch số 3495/KH-UBND ngày 14 tháng 12 năm "
        "2023; Luật Phòng, chống tham nhũng năm 2022; Nghị định số 152/2017/NĐ-CP; trong các năm 2022-2023."
    )
    assert d.parameterise(text, 2023) == text
    found = d.review(text, 2025, 2024)
    docs = [f.excerpt for f in found if f.kind == "document"]
    assert "Quyết định số 3532/QĐ-UBND ngày 23/12/2022" in docs
    assert "Kế hoạch số 3495/KH-UBND ngày 14 tháng 12 năm 2023" in docs
    assert "Nghị định số 152/2017/NĐ-CP" in docs
    assert any(f.kind == "period" and "2022-2023" in f.excerpt for f in found)
    assert not any(f.blocking for f in found)  # to check, not wrong


def test_a_past_deadline_or_an_unfilled_parameter_blocks():
    found = d.review("hoàn thành chậm nhất trong Quý III năm 2019; báo cáo năm {năm học}.", 2023, 2022)
    kinds = {(f.kind, f.blocking) for f in found}
    assert ("deadline", True) in kinds and ("parameter", True) in kinds
    assert d.unknown_parameters("năm {năm}, {năm học}") == ["{năm học}"]
    # a year compared with, not a deadline: a warning only
    found = d.review("bảo đảm năm 2023 giảm 5% với năm 2015.", 2023, 2022)
    assert [(f.kind, f.blocking) for f in found] == [("year", False)]
