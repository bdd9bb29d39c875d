"""Years, deadlines and cited documents in reusable task texts (thư viện nhiệm vụ).

A task quoted from a 2019 plan says "áp dụng thực hiện từ năm 2019 … hoàn thành chậm nhất trong Quý I năm
2019"; copied as written into a 2023 plan it is wrong. Three steps:

- ``parameterise(text, source_year)``: the years of the time the source plan speaks of become parameters:
  its own year → ``{năm}`` (the year of the plan the task goes into), the year before → ``{năm kết quả}``
  (the year of the results the plan answers), the year after → ``{năm sau}``. Years inside a cited
  document ("Quyết định số 3532/QĐ-UBND ngày 23/12/2022", "Nghị định số 152/2017/NĐ-CP") or a law's name
  ("Luật Thực hiện dân chủ ở cơ sở năm 2022") are never changed: they name a document.
- ``fill(text, plan_year, results_year, province)``: the parameters replaced by the plan's years (and
  ``{tên tỉnh}`` by its province's name).
- ``review(text, plan_year, results_year)``: what the coordinator must check before submitting the plan:
  a parameter left unfilled or a deadline already past (blocking), a year older than the results, a period
  already over or a cited document (to check it is still the one in force).

Pure Python — no Django. Messages are Vietnamese.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "PARAMETERS",
    "Finding",
    "citations",
    "fill",
    "parameterise",
    "review",
    "unknown_parameters",
]

PLAN_YEAR = "{năm}"
RESULTS_YEAR = "{năm kết quả}"
NEXT_YEAR = "{năm sau}"
#: The province's name without "tỉnh" ("Báo {tên tỉnh}" → "Báo Quảng Ngãi"): a library task quoted from
#: another province's plan names that province's newspaper or radio station.
PROVINCE = "{tên tỉnh}"
#: The parameters a library text may use, with what they are replaced by (for help texts).
PARAMETERS: dict[str, str] = {
    PLAN_YEAR: "năm thực hiện kế hoạch",
    RESULTS_YEAR: "năm kết quả làm căn cứ của kế hoạch",
    NEXT_YEAR: "năm sau năm thực hiện kế hoạch",
    PROVINCE: "tên tỉnh, thành phố ban hành kế hoạch (không có chữ «tỉnh»)",
}

_YEAR = r"(?:19|20)\d\d"
_DATE_IN_WORDS = rf"ngày\s+\d{{1,2}}\s+tháng\s+\d{{1,2}}\s+năm\s+{_YEAR}"
_DATE_IN_DIGITS = rf"(?:ngày\s+)?\d{{1,2}}/\d{{1,2}}/{_YEAR}"
#: A cited document: its number and symbol ("số 3532/QĐ-UBND", "152/2017/NĐ-CP", "18-NQ/TW", "số 75/QĐ-…")
#: and the date that follows it.
_CITATION = re.compile(
    rf"(?:\bsố\s+)?\b\d+(?:[-/][0-9A-Za-zĐđ&]+)*[-/][A-ZĐ][0-9A-Za-zĐđ&-]*(?:/[0-9A-Za-zĐđ&-]+)*"
    rf"(?:\s+(?:{_DATE_IN_WORDS}|{_DATE_IN_DIGITS}))?"
)
#: A law named with its year ("Luật Thực hiện dân chủ ở cơ sở năm 2022").
_LAW = re.compile(rf"\b(?:Luật|Bộ luật|Pháp lệnh|Hiến pháp)\s[^;.()\n]{{0,80}}?năm\s+{_YEAR}")
#: A year the text speaks of: "năm 2019", "tháng 7/2019", "Quý III/2019", "30/11/2019".
_TIME = re.compile(
    rf"(?P<lead>\bnăm\s+|\btháng\s+\d{{1,2}}/|\b[Qq]uý\s+[IV]+/|\b\d{{1,2}}/\d{{1,2}}/)(?P<year>{_YEAR})\b(?!\s?[-–]\s?{_YEAR})"
)
_RANGE = re.compile(rf"\b(?P<start>{_YEAR})\s?[-–]\s?(?P<end>{_YEAR})\b")
_PARAM = re.compile(r"\{[^{}\n]{1,40}\}")
#: Words that make a year a deadline or a time of doing ("hoàn thành chậm nhất trong Quý III năm 2019").
_DEADLINE_WORDS = re.compile(
    r"\b(chậm nhất|hoàn thành|trước ngày|thời hạn|hạn chót|đến hết|đến ngày|quý|tháng|từ)\b[^;.]{0,20}$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    """One thing to check in a text: ``kind`` (parameter, deadline, year, period, document), the words
    concerned, the Vietnamese explanation and whether it blocks the submission of the plan."""

    kind: str
    excerpt: str
    message: str
    blocking: bool


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _spans(text: str) -> list[tuple[int, int]]:
    """Where the cited documents and named laws are (their years are never touched)."""
    spans = [m.span() for m in _CITATION.finditer(text) if "/" in m.group(0) or "-" in m.group(0)]
    spans += [m.span() for m in _LAW.finditer(text)]
    return spans


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def citations(text: str) -> list[str]:
    """The documents a text cites by number ("Quyết định số 3532/QĐ-UBND ngày 23/12/2022"), in order, with
    the kind of document written before the number when there is one."""
    text = _nfc(text)
    out: list[str] = []
    for m in _CITATION.finditer(text):
        words = m.group(0)
        if "/" not in words or not re.search(r"[A-ZĐ]", words):
            continue
        before = text[max(0, m.start() - 40) : m.start()]
        kind = re.search(
            r"((?:Kế hoạch|Quyết định|Nghị định|Nghị quyết|Thông tư|Chỉ thị|Công văn|Quy chế|Chương trình|"
            r"Văn bản|Hướng dẫn|Thông báo|Đề án)(?:\s+liên tịch)?)\s*$",
            before,
        )
        cited = (kind.group(1) + " " if kind else "") + words.strip()
        if cited not in out:
            out.append(cited)
    return out


def parameterise(text: str, source_year: int | None) -> str:
    """``text`` with the years of the time its source plan (of ``source_year``) speaks of as parameters;
    unchanged without a source year. Years of cited documents and named laws are kept."""
    text = _nfc(text)
    if not text or not source_year:
        return text
    names = {source_year: PLAN_YEAR, source_year - 1: RESULTS_YEAR, source_year + 1: NEXT_YEAR}
    spans = _spans(text)

    def replace(m: re.Match[str]) -> str:
        year = int(m.group("year"))
        if year not in names or _inside(m.start("year"), spans):
            return m.group(0)
        return m.group("lead") + names[year]

    return _TIME.sub(replace, text)


def fill(text: str, plan_year: int, results_year: int | None = None, province: str = "") -> str:
    """The parameters of ``text`` replaced by the plan's years (results year: the plan's, else the year
    before it) and, when given, its province's name. Unknown parameters (and ``{tên tỉnh}`` without a
    province) are left as written (``review`` reports them)."""
    text = _nfc(text)
    if "{" not in text:
        return text
    values = {
        PLAN_YEAR: str(plan_year),
        RESULTS_YEAR: str(results_year or plan_year - 1),
        NEXT_YEAR: str(plan_year + 1),
    }
    if province:
        values[PROVINCE] = _nfc(province)
    return _PARAM.sub(lambda m: values.get(_nfc(m.group(0)), m.group(0)), text)


def unknown_parameters(text: str) -> list[str]:
    """The ``{…}`` of a text that are not parameters chiso fills."""
    return [p for p in dict.fromkeys(m.group(0) for m in _PARAM.finditer(_nfc(text))) if p not in PARAMETERS]


def _excerpt(text: str, start: int, end: int, width: int = 40) -> str:
    a = max(0, start - width)
    b = min(len(text), end + 10)
    left = text.rfind(" ", 0, a) + 1 if a > 0 else 0
    right = text.find(" ", b)
    right = len(text) if right < 0 else right
    return ("…" if left > 0 else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def review(text: str, plan_year: int, results_year: int | None = None) -> list[Finding]:
    """What to check in ``text`` (already filled) before a plan of ``plan_year`` is submitted."""
    text = _nfc(text)
    if not text:
        return []
    results_year = results_year or plan_year - 1
    out: list[Finding] = []
    for p in _PARAM.findall(text):
        out.append(
            Finding(
                "parameter",
                p,
                f"Tham số {p} chưa được điền: dùng {', '.join(PARAMETERS)} hoặc ghi rõ nội dung.",
                True,
            )
        )
    spans = _spans(text)
    for m in _TIME.finditer(text):
        year = int(m.group("year"))
        if _inside(m.start("year"), spans) or year >= plan_year:
            continue
        before = text[max(0, m.start() - 30) : m.start()]
        is_date = not m.group("lead").startswith("năm")
        words = _excerpt(text, m.start(), m.end())
        if is_date or _DEADLINE_WORDS.search(before + m.group("lead")):
            out.append(
                Finding(
                    "deadline",
                    words,
                    f"Thời hạn, thời điểm năm {year} đã qua so với năm thực hiện kế hoạch {plan_year}: sửa lại.",
                    True,
                )
            )
        elif year < results_year:
            out.append(
                Finding(
                    "year",
                    words,
                    f"Năm {year} cũ hơn năm kết quả {results_year}: kiểm tra còn đúng với kế hoạch năm {plan_year}.",
                    False,
                )
            )
    for m in _RANGE.finditer(text):
        if int(m.group("end")) < plan_year and not _inside(m.start(), spans):
            out.append(
                Finding(
                    "period",
                    _excerpt(text, m.start(), m.end()),
                    f"Giai đoạn {m.group('start')}–{m.group('end')} đã kết thúc trước năm {plan_year}.",
                    False,
                )
            )
    for cited in citations(text):
        out.append(
            Finding(
                "document",
                cited,
                "Văn bản được dẫn: kiểm tra văn bản còn hiệu lực và đúng với năm thực hiện kế hoạch.",
                False,
            )
        )
    return out
