"""A provincial plan's task in the words of a commune's or district's own plan.

When a commune (or, before 1 July 2025, a district) implements the province's plan, the tasks it copies
were written for the province: "Ủy ban nhân dân các xã, phường, đặc khu công khai …", "… trên địa bàn
tỉnh". In the commune's own document the commune is speaking of itself: "Ủy ban nhân dân phường công khai
…", "… trên địa bàn phường". ``own_words`` makes those substitutions and nothing else: a department
named as the lead, a document cited, a budget "cấp xã" are the province's words and stay.

Pure Python (no Django): the kind word comes from the caller ("phường", "xã", "đặc khu", "huyện",
"thị xã", "thành phố"; ``kind_word`` derives it from a unit's name).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["kind_word", "own_words"]

_UBND = r"(?P<body>ủy ban nhân dân|uỷ ban nhân dân|ubnd)"
_OF = r"(?:các|mỗi|từng)"
_COMMUNE_CLASS = r"xã,\s?phường(?:,\s?(?:và\s)?(?:đặc khu|thị trấn))?(?:,\s?(?:và\s)?(?:đặc khu|thị trấn))?"
_DISTRICT_CLASS = r"huyện,\s?(?:thị xã,\s?)?thành phố(?:,\s?thị xã)?"

#: Name prefixes of local governments, longest first, and the word the unit's own plan calls itself by.
_PREFIXES = (
    ("đặc khu", "đặc khu"),
    ("thành phố", "thành phố"),
    ("tp.", "thành phố"),
    ("thị xã", "thị xã"),
    ("thị trấn", "thị trấn"),
    ("phường", "phường"),
    ("huyện", "huyện"),
    ("xã", "xã"),
)


def kind_word(name: str, kind: str) -> str:
    """How a commune's or district's own plan calls it: "phường" for "Phường Cẩm Thành", "xã" for "Xã Đăk
    Hà", "thành phố" for "Thành phố Kon Tum"; by its kind when the name has no prefix."""
    low = unicodedata.normalize("NFC", name or "").strip().lower()
    for prefix, word in _PREFIXES:
        if low.startswith(prefix + " ") or (prefix.endswith(".") and low.startswith(prefix)):
            return word
    return {"ward": "xã", "district": "huyện"}.get(kind, "")


def _same_case(original: str, replacement: str) -> str:
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _rules(kind: str, word: str) -> list[tuple[re.Pattern[str], str]]:
    if kind == "ward":
        own_class, level = _COMMUNE_CLASS, "cấp xã"
    elif kind == "district":
        own_class, level = _DISTRICT_CLASS, "cấp huyện"
    else:
        return []
    flags = re.IGNORECASE
    return [
        # "Ủy ban nhân dân các xã, phường, đặc khu" / "UBND cấp xã" → "Ủy ban nhân dân phường"
        (re.compile(rf"{_UBND}\s{_OF}\s{own_class}", flags), rf"\g<body> {word}"),
        (re.compile(rf"{_UBND}\s{level}\b", flags), rf"\g<body> {word}"),
        # "hướng dẫn các xã, phường, đặc khu thực hiện" → "hướng dẫn phường thực hiện"
        (re.compile(rf"\b{_OF}\s{own_class}", flags), word),
        # "trên địa bàn tỉnh" / "trên địa bàn toàn tỉnh" → "trên địa bàn phường"
        (re.compile(r"\btrên địa bàn (?:toàn\s)?tỉnh\b(?!\s[A-ZĐÀ-Ỹ])", flags), f"trên địa bàn {word}"),
    ]


def own_words(text: str, kind: str, word: str) -> str:
    """``text`` (a task of the province's plan) as the plan of a unit of ``kind`` ("ward" or "district")
    calling itself ``word`` writes it. Other kinds: unchanged."""
    if not text or not word:
        return text
    out = unicodedata.normalize("NFC", text)
    for pattern, replacement in _rules(kind, word):

        def replace(m: re.Match[str], r: str = replacement) -> str:
            return _same_case(m.group(0), m.expand(r))

        out = pattern.sub(replace, out)
    # a phrase replaced twice in a row ("phường, phường") reads once
    out = re.sub(rf"\b({re.escape(word)})(?:,\s?\1\b)+", r"\1", out)
    return out
