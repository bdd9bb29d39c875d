"""A province's task in a commune's or district's own plan: the unit speaks of itself."""

from __future__ import annotations

import pytest

from chiso.core.ownwords import kind_word, own_words

LAND = (
    "Sở Nông nghiệp và Môi trường chủ trì, hướng dẫn, giám sát các xã, phường, đặc khu thực hiện công tác quy "
    "hoạch; công khai trên Trang thông tin điện tử Ủy ban nhân dân các xã, phường, đặc khu và tại trụ sở Ủy ban "
    "nhân dân cấp xã."
)


def test_a_ward_plan_names_the_ward_not_the_class():
    out = own_words(LAND, "ward", "phường")
    assert out == (
        "Sở Nông nghiệp và Môi trường chủ trì, hướng dẫn, giám sát phường thực hiện công tác quy hoạch; công khai "
        "trên Trang thông tin điện tử Ủy ban nhân dân phường và tại trụ sở Ủy ban nhân dân phường."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UBND cấp xã tuyên truyền trên địa bàn tỉnh.", "UBND xã tuyên truyền trên địa bàn xã."),
        ("Chủ tịch Ủy ban nhân dân các xã, phường, thị trấn chỉ đạo", "Chủ tịch Ủy ban nhân dân xã chỉ đạo"),
        ("Các xã, phường, thị trấn báo cáo", "Xã báo cáo"),
        # the province's own words stay: a budget level, a province named, a department
        ("Công khai ngân sách cấp xã", "Công khai ngân sách cấp xã"),
        ("trên địa bàn tỉnh Kon Tum", "trên địa bàn tỉnh Kon Tum"),
        ("Sở Tư pháp chủ trì", "Sở Tư pháp chủ trì"),
    ],
)
def test_commune_words(text, expected):
    assert own_words(text, "ward", "xã") == expected


def test_a_district_plan_before_the_reorganisation():
    text = (
        "UBND các huyện, thị xã, thành phố tổ chức đối thoại trên địa bàn toàn tỉnh; UBND cấp huyện báo cáo."
    )
    assert (
        own_words(text, "district", "huyện")
        == "UBND huyện tổ chức đối thoại trên địa bàn huyện; UBND huyện báo cáo."
    )


def test_other_units_keep_the_province_s_words():
    assert own_words(LAND, "department", "sở") == LAND
    assert own_words(LAND, "ward", "") == LAND


@pytest.mark.parametrize(
    ("name", "kind", "word"),
    [
        ("Phường Cẩm Thành", "ward", "phường"),
        ("Xã Đăk Hà", "ward", "xã"),
        ("Đặc khu Lý Sơn", "ward", "đặc khu"),
        ("Thành phố Kon Tum", "district", "thành phố"),
        ("TP. Kon Tum", "district", "thành phố"),
        ("Thị xã Đức Phổ", "district", "thị xã"),
        ("Huyện Đăk Hà", "district", "huyện"),
        ("Cẩm Thành", "ward", "xã"),
    ],
)
def test_kind_word(name, kind, word):
    assert kind_word(name, kind) == word
