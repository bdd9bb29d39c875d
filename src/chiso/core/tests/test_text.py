import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiso.core.text import (
    decode_tcvn3,
    decode_vni,
    encode_tcvn3,
    encode_vni,
    fold,
    format_date,
    format_number,
    format_percent,
    format_place_date,
    format_signed,
    looks_like_tcvn3,
    looks_like_vni,
    name_key,
    nfc,
    strip_admin_prefix,
    vi_sort_key,
)

PROVINCES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Định",
    "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng", "Đà Nẵng", "Đắk Lắk",
    "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh",
    "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum",
    "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình",
    "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị",
    "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế",
    "Tiền Giang", "TP. Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]  # fmt: skip

SENTENCES = [
    "Ủy ban nhân dân tỉnh Kon Tum",
    "Sở Nội vụ tỉnh Kon Tum báo cáo kết quả Chỉ số cải cách hành chính năm 2023",
    "Người dân đánh giá mức độ hài lòng về sự phục vụ hành chính",
    "Chỉ số Hiệu quả quản trị và hành chính công cấp tỉnh",
    "Công khai, minh bạch trong việc ra quyết định ở địa phương",
    "Kiểm soát tham nhũng trong khu vực công",
    "Thủ tục hành chính công",
    "Cung ứng dịch vụ công",
    "Quản trị môi trường",
    "Trách nhiệm giải trình với người dân",
]


# ------------------------------------------------------------------ nfc / fold / names


def test_nfc_normalises_and_collapses():
    decomposed = unicodedata.normalize("NFD", "  Đắk   Lắk\t\n")
    assert nfc(decomposed) == "Đắk Lắk"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))


@pytest.mark.parametrize("s", ["Đắk Lắk", "Dak Lak", "Đăk Lăk", "ĐẮK LẮK", "dak-lak", "  Dak_Lak "])
def test_fold_variants(s):
    assert fold(s) == "dak lak"
    assert fold(unicodedata.normalize("NFD", s)) == "dak lak"


def test_fold_punctuation():
    assert fold("Bà Rịa - Vũng Tàu") == "ba ria vung tau"
    assert fold("TP. Hồ Chí Minh (cũ)") == "tp ho chi minh cu"
    assert fold("Thừa Thiên/Huế") == "thua thien hue"
    assert fold("Hòa") == fold("Hoà")  # old and new tone placement


@pytest.mark.parametrize(
    ("name", "rest"),
    [
        ("Tỉnh Đắk Lắk", "Đắk Lắk"),
        ("tỉnh Kon Tum", "Kon Tum"),
        ("TINH KON TUM", "KON TUM"),
        ("Thành phố Hồ Chí Minh", "Hồ Chí Minh"),
        ("TP. Hồ Chí Minh", "Hồ Chí Minh"),
        ("TP Hồ Chí Minh", "Hồ Chí Minh"),
        ("Tp.Hồ Chí Minh", "Hồ Chí Minh"),
        ("Tp. Cần Thơ", "Cần Thơ"),
        ("Phường Quyết Thắng", "Quyết Thắng"),
        ("Xã Đăk Hà", "Đăk Hà"),
        ("Thị trấn Plei Kần", "Plei Kần"),
        ("Quận 1", "1"),
        ("Huyện Ngọc Hồi", "Ngọc Hồi"),
        ("Thị xã Sơn Tây", "Sơn Tây"),
        ("Đặc khu Phú Quốc", "Phú Quốc"),
        ("UBND tỉnh Kon Tum", "Kon Tum"),
        ("Ủy ban nhân dân tỉnh Kon Tum", "Kon Tum"),
        ("Uỷ ban nhân dân tỉnh Kon Tum", "Kon Tum"),
        (unicodedata.normalize("NFD", "Tỉnh Đắk Lắk"), "Đắk Lắk"),
        # no prefix: untouched (words merely starting like a prefix are kept)
        ("Xuân Sơn", "Xuân Sơn"),
        ("Tịnh Biên", "Tịnh Biên"),
        ("Quảng Trị", "Quảng Trị"),
        ("Huyền Trân", "Huyền Trân"),
        ("Thành phố", "Thành phố"),  # nothing would remain
    ],
)
def test_strip_admin_prefix(name, rest):
    out = strip_admin_prefix(name)
    assert out == rest
    assert unicodedata.is_normalized("NFC", out)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Tỉnh Đắk Lắk", "daklak"),
        ("Tinh Dak Lak", "daklak"),
        ("Đắk Lắk", "daklak"),
        ("Dak Lak", "daklak"),
        ("Đăk Lăk", "daklak"),
        ("Bà Rịa - Vũng Tàu", "bariavungtau"),
        ("Bà Rịa–Vũng Tàu", "bariavungtau"),
        ("TP. Hồ Chí Minh", "hochiminh"),
        ("Thành phố Hồ Chí Minh", "hochiminh"),
        ("Thừa Thiên Huế", "thuathienhue"),
        ("UBND tỉnh Kon Tum", "kontum"),
    ],
)
def test_name_key(name, key):
    assert name_key(name) == key


def test_name_keys_of_63_provinces_are_unique():
    keys = {name_key(p) for p in PROVINCES}
    assert len(keys) == len(PROVINCES) == 63


# ------------------------------------------------------------------ sort order


def test_vi_sort_example():
    names = ["Đà Nẵng", "Cà Mau", "An Giang", "Bắc Giang", "Bạc Liêu", "Điện Biên", "Đắk Lắk", "Yên Bái"]
    assert sorted(names, key=vi_sort_key) == [
        "An Giang",
        "Bạc Liêu",
        "Bắc Giang",
        "Cà Mau",
        "Đà Nẵng",
        "Đắk Lắk",
        "Điện Biên",
        "Yên Bái",
    ]


def test_vi_sort_d_before_dd():
    names = ["Đồng Nai", "Dak Nong", "Điện Biên", "Duyên Hải", "Đà Nẵng", "Dương"]
    out = sorted(names, key=vi_sort_key)
    assert out == ["Dak Nong", "Duyên Hải", "Dương", "Đà Nẵng", "Điện Biên", "Đồng Nai"]


def test_vi_sort_letters_and_tones():
    # a < ă < â ; o < ô < ơ ; u < ư ; e < ê
    assert sorted(["ân", "ăn", "an"], key=vi_sort_key) == ["an", "ăn", "ân"]
    assert sorted(["ơ", "ô", "o"], key=vi_sort_key) == ["o", "ô", "ơ"]
    assert sorted(["ưa", "ua"], key=vi_sort_key) == ["ua", "ưa"]
    # tones: ngang, huyền, hỏi, ngã, sắc, nặng
    assert sorted(["mạ", "má", "mã", "mả", "mà", "ma"], key=vi_sort_key) == [
        "ma",
        "mà",
        "mả",
        "mã",
        "má",
        "mạ",
    ]
    # base letters over the whole string come before tones
    assert sorted(["bá c", "ba d"], key=vi_sort_key) == ["bá c", "ba d"]
    # space sorts before letters
    assert sorted(["Cao Bằng", "Cà Mau"], key=vi_sort_key) == ["Cà Mau", "Cao Bằng"]


def test_vi_sort_case_and_normalisation_insensitive():
    assert (
        vi_sort_key("Hà Nội") == vi_sort_key("HÀ NỘI") == vi_sort_key(unicodedata.normalize("NFD", "hà nội"))
    )


def test_vi_sort_63_provinces_d_block():
    out = sorted(PROVINCES, key=vi_sort_key)
    d_idx = [i for i, p in enumerate(out) if fold(p).startswith("d")]
    firsts = [out[i][0] for i in d_idx]
    assert firsts == sorted(firsts, key=lambda c: c == "Đ")  # all D… before all Đ…
    assert out[0] == "An Giang" and out[-1] == "Yên Bái"


VI_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọờớởỡợùúủũụừứửữựỳýỷỹỵ AĐ"


@settings(deadline=None)
@given(st.text(alphabet=VI_ALPHABET, max_size=8), st.text(alphabet=VI_ALPHABET, max_size=8))
def test_vi_sort_key_equal_iff_same_text_ignoring_case(a, b):
    assert (vi_sort_key(a) == vi_sort_key(b)) == (nfc(a).lower() == nfc(b).lower())


@settings(deadline=None)
@given(st.text(alphabet=VI_ALPHABET, min_size=1, max_size=8), st.text(alphabet=VI_ALPHABET, max_size=8))
def test_vi_sort_prefix_first(a, b):
    assert vi_sort_key(a) <= vi_sort_key(a + b)


# ------------------------------------------------------------------ legacy encodings


@pytest.mark.parametrize(
    "s", ["TØnh Kon Tum", "Hµ Néi", "§¾k L¾k", "Uû ban nh©n d©n tØnh Kon Tum", "TiÒn Giang"]
)
def test_tcvn3_examples(s):
    assert looks_like_tcvn3(s)
    assert not looks_like_vni(s)


@pytest.mark.parametrize("s", ["Haø Noäi", "Ñaék Laék", "UÛy ban nhaân daân tænh Kon Tum", "Tröôøng hoïc"])
def test_vni_examples(s):
    assert looks_like_vni(s)
    assert not looks_like_tcvn3(s)


def test_decode_examples():
    assert decode_tcvn3("TØnh Kon Tum") == "Tỉnh Kon Tum"
    assert decode_tcvn3("Hµ Néi") == "Hà Nội"
    assert decode_tcvn3("§¾k L¾k") == "Đắk Lắk"
    assert decode_vni("Haø Noäi") == "Hà Nội"
    assert decode_vni("Ñaék Laék") == "Đắk Lắk"


@pytest.mark.parametrize("s", PROVINCES + SENTENCES + ["Kon Tum", "PAPI 2023: 39,9613", "Hòa", "Quý", "Khoẻ"])
def test_unicode_and_ascii_are_not_legacy(s):
    for form in (s, unicodedata.normalize("NFD", s), s.upper(), fold(s)):
        assert not looks_like_tcvn3(form), form
        assert not looks_like_vni(form), form


@pytest.mark.parametrize("s", SENTENCES)
def test_sentences_round_trip_and_detect(s):
    t, v = encode_tcvn3(s), encode_vni(s)
    assert looks_like_tcvn3(t) and not looks_like_vni(t)
    assert looks_like_vni(v) and not looks_like_tcvn3(v)
    assert decode_tcvn3(t).lower() == s.lower()  # .VnTime has no uppercase toned letters
    assert decode_vni(v) == s


def test_province_names_detect_in_most_cases():
    tcvn_hits = sum(looks_like_tcvn3(encode_tcvn3(p)) for p in PROVINCES)
    vni_hits = sum(looks_like_vni(encode_vni(p)) for p in PROVINCES)
    assert tcvn_hits >= 50 and vni_hits >= 50
    # never the wrong encoding
    assert not any(looks_like_vni(encode_tcvn3(p)) for p in PROVINCES)
    assert not any(looks_like_tcvn3(encode_vni(p)) for p in PROVINCES)
    for p in PROVINCES:
        assert decode_vni(encode_vni(p)) == p
        assert decode_tcvn3(encode_tcvn3(p)).lower() == p.lower()


def test_other_latin1_symbols_alone_are_ignored():
    assert not looks_like_tcvn3("© 2024 — 25 °C")
    assert not looks_like_vni("© 2024 — 25 °C")


# ------------------------------------------------------------------ numbers and dates


@pytest.mark.parametrize(
    ("x", "decimals", "out"),
    [
        (1234.5, None, "1.234,5"),
        (-1234.5, None, "-1.234,5"),
        (1234567.891234, None, "1.234.567,8912"),
        (1000000, None, "1.000.000"),
        (0, None, "0"),
        (0.5, 2, "0,50"),
        (39.961295, 4, "39,9613"),
        (86.14, 2, "86,14"),
        (2.675, 2, "2,68"),  # half up on the decimal representation
        (999.99996, None, "1.000"),
        (-0.00001, None, "0"),
        (12.0, 0, "12"),
        (None, None, "–"),
        (None, 2, "–"),
        (float("nan"), 2, "–"),
    ],
)
def test_format_number(x, decimals, out):
    assert format_number(x, decimals) == out


def test_format_percent_and_signed():
    assert format_percent(95.234) == "95,23 %"
    assert format_percent(None) == "–"
    assert format_percent(100, 0) == "100 %"
    assert format_signed(1.25, 2) == "+1,25"
    assert format_signed(-0.5, 2) == "-0,50"
    assert format_signed(0, 2) == "0"
    assert format_signed(0.001, 2) == "0"
    assert format_signed(-0.001, 2) == "0"
    assert format_signed(1234.5, 1) == "+1.234,5"
    assert format_signed(None, 2) == "–"


@settings(deadline=None)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(min_value=0, max_value=4))
def test_format_number_parses_back(x, d):
    s = format_number(x, d)
    back = float(s.replace(".", "").replace(",", "."))
    assert abs(back - x) <= 0.5 * 10**-d + 1e-6 * max(1.0, abs(x))
    if d > 0:
        assert s.count(",") == 1 and len(s.split(",")[1]) == d


def test_dates():
    assert format_date(date(2024, 11, 5)) == "05/11/2024"
    assert format_place_date("Kon Tum", date(2024, 11, 5)) == "Kon Tum, ngày 05 tháng 11 năm 2024"
    assert format_place_date("Kon Tum", date(2024, 2, 15)) == "Kon Tum, ngày 15 tháng 02 năm 2024"
    assert format_place_date("Kon Tum", date(2024, 1, 1)) == "Kon Tum, ngày 01 tháng 01 năm 2024"
    assert format_place_date("Kon Tum", date(2024, 3, 9)) == "Kon Tum, ngày 09 tháng 3 năm 2024"
    assert format_place_date("Kon Tum", date(2025, 12, 31)) == "Kon Tum, ngày 31 tháng 12 năm 2025"


# --- user YAML (chiso.core.safeyaml) ------------------------------------------------------------


def test_billion_laughs_is_refused_fast():
    import time

    from chiso.core.safeyaml import YamlRefused, load

    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    started = time.perf_counter()
    with pytest.raises(YamlRefused, match="không được dùng tham chiếu"):
        load(bomb)
    assert time.perf_counter() - started < 1


def test_user_yaml_is_bounded_and_says_where():
    from chiso.core.safeyaml import YamlRefused, load

    assert load("margins_mm:\n  left: 35\n") == {"margins_mm": {"left": 35}}
    with pytest.raises(YamlRefused, match="lồng nhau quá sâu"):
        load("[" * 100 + "]" * 100)
    with pytest.raises(YamlRefused, match="quá dài"):
        load("a: " + "x" * 300_000)
    with pytest.raises(YamlRefused) as exc:
        load("a: [1, 2\nb: " + "y" * 5000)
    assert "dòng" in str(exc.value) and len(str(exc.value)) < 400  # never echoes the input at length


# --- "at least" figures, exact exports, changes below display precision, silent parsing ----------


def test_an_at_least_figure_is_rounded_up_never_to_nearest():
    from chiso.core.text import format_at_least, round_up

    assert format_at_least(0.94313, 4) == "0,9432"  # "0,9431" would miss the goal
    assert format_at_least(0.9431, 4) == "0,9431"  # exact: not raised
    assert format_at_least(0.1 + 0.2, 1) == "0,3"  # float noise is not a missing hundredth
    assert format_at_least(2.001, 2) == "2,01"
    assert format_at_least(5, 2) == "5,00"
    assert format_at_least(None, 2) == "–"
    assert round_up(1.23456, 2) == 1.24


@given(st.floats(min_value=0, max_value=1000, allow_nan=False), st.integers(min_value=0, max_value=6))
def test_round_up_never_understates(x, d):
    from chiso.core.text import round_up

    y = round_up(x, d)
    assert y >= x - 1e-9
    assert y - x < 10**-d + 1e-9


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_format_exact_reads_back_as_the_same_number(x):
    from chiso.core.text import format_exact, parse_number

    assert parse_number(format_exact(x)) == x


def test_a_change_below_display_precision_is_shown():
    from chiso.core.text import format_change

    assert format_change(0.8309, 0.83094) == ("0,8309", "0,83094")
    assert format_change(1.5, 2.25) == ("1,5", "2,25")
    from chiso.core.text import format_full

    assert (
        format_full(0.87599) == "0,87599"
        and format_full(2.5) == "2,5"
        and format_full(1 / 3) == "0,333333333"
    )


def test_silent_parsing_is_flagged():
    from chiso.core.text import number_flags

    assert number_flags("1.000") == {"ambiguous"}
    assert number_flags("1,000") == {"ambiguous"}
    assert number_flags("86,14%") == {"percent"}
    assert number_flags("1.000,5") == set() and number_flags("0,8309") == set()
    assert number_flags(1.0) == set() and number_flags("12.5") == set()


@settings(deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.one_of(st.none(), st.integers(0, 6)))
def test_format_number_takes_any_float(x, d):
    """Issue 10, item 17: a score of 1e308 typed into the gap was a 500 (the rounding ran out of
    digits). Every finite float is written out, digit for digit, and reads back."""
    s = format_number(x, d)
    back = float(s.replace(".", "").replace(",", "."))
    assert back == pytest.approx(x, rel=1e-9, abs=10 ** -(4 if d is None else d))


def test_write_only_exports_store_formula_text_as_text(tmp_path):
    """Issue 10, item 12, for the write-only sheets (the evidence package's index): a file or criterion
    named "=HYPERLINK(…)" is text in the workbook, not a live formula."""
    import openpyxl

    from chiso.core.spreadsheet import safe_cells

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Mục lục")
    ws.append(safe_cells(ws, ['=HYPERLINK("http://x.invalid","Bấm")', "Kon Tum", 2.5, None]))
    wb.save(tmp_path / "x.xlsx")
    row = next(openpyxl.load_workbook(tmp_path / "x.xlsx")["Mục lục"].iter_rows())
    assert row[0].data_type == "s" and row[0].value.startswith("=HYPERLINK")
    assert [c.value for c in row[1:3]] == ["Kon Tum", 2.5]
