"""The wording of official documents (Nghị định 30/2020/NĐ-CP), shared by every document chiso writes:
how a unit is named in the header block and in the body, dates in words, number/symbol references,
the trích yếu under the kind label, bullet lists, "Nơi nhận" and the signature block. Pure functions
over units and plain values; the standard words a province chooses (the name of a People's Committee,
the "Lưu" line…) come in a :class:`~chiso.documents.model.Wording` (``services.wording_for``). The
documents themselves are built by the app that owns them."""

from __future__ import annotations

import datetime as dt

from chiso.core.text import fold, nfc

from .model import Paragraph, Signer, Wording

__all__ = [
    "ROMAN",
    "body_name",
    "bullets",
    "date_words",
    "document_filename",
    "esc",
    "issuer_lines",
    "lower_first",
    "number_ref",
    "recipient_list",
    "signer_of",
    "title_of",
    "unit_full_name",
    "upper_first",
]

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
_LOCAL_GOVERNMENT = {"province", "district", "ward"}
_SUBTYPE_OF_KIND = {"province": "Tỉnh", "district": "Huyện", "ward": "Xã"}


def is_local_government(unit) -> bool:
    """A People's Committee (province, district, commune) rather than a department or agency."""
    return unit.kind in _LOCAL_GOVERNMENT


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def esc(text: str) -> str:
    """User text inside light markup: stars are literal."""
    return nfc(text or "").replace("*", "\\*")


def unit_full_name(unit) -> str:
    """ "Tỉnh Quảng Ngãi", "Xã Đăk Hà", "Sở Tư pháp": the name with its administrative type."""
    name = nfc(unit.name or unit.short_name or "")
    if unit.kind in _LOCAL_GOVERNMENT:
        subtype = nfc(unit.subtype or _SUBTYPE_OF_KIND.get(unit.kind, ""))
        if subtype and not fold(name).startswith(fold(subtype) + " "):
            name = f"{subtype} {name}"
    return name


def issuer_lines(unit, wording: Wording) -> tuple[str, str]:
    """(parent body, issuer) of the header block, in capitals as the decree prints them.

    A People's Committee issues in its own name ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", no parent body);
    a department or agency under it prints its superior on the first line ("UBND TỈNH QUẢNG NGÃI",
    then "SỞ TƯ PHÁP"). The committee's words are ``wording.committee_name`` / ``committee_short_name``."""
    if unit.kind in _LOCAL_GOVERNMENT:
        return "", f"{wording.committee_name} {unit_full_name(unit)}".upper()
    parent = unit.parent
    parent_body = (
        f"{wording.committee_short_name} {unit_full_name(parent)}".upper() if parent is not None else ""
    )
    return parent_body, unit_full_name(unit).upper()


def body_name(unit, *, full: bool = False) -> str:
    """How the body text names the issuer: "Ủy ban nhân dân tỉnh" (full: "… tỉnh Quảng Ngãi")."""
    if unit.kind in _LOCAL_GOVERNMENT:
        name = unit_full_name(unit)
        if full:
            return "Ủy ban nhân dân " + lower_first(name)
        subtype = nfc(unit.subtype or _SUBTYPE_OF_KIND.get(unit.kind, "")) or name
        return "Ủy ban nhân dân " + subtype.lower()
    return unit_full_name(unit)


def date_words(day: dt.date | None, year: int | None = None) -> str:
    """ "ngày 15 tháng 3 năm 2025" (months 1–2 and days < 10 zero-padded, as on the date line)."""
    if day is None:
        return f"ngày      tháng      năm {year or ''}".rstrip()
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def number_ref(number: str, symbol: str) -> str:
    return f"{number}/{symbol}" if number else f"     /{symbol}"


def title_of(plan_title: str, kind_word: str) -> str:
    """The trích yếu under the kind label: "Kế hoạch cải thiện …" prints as "Cải thiện …"."""
    title = nfc(plan_title)
    if fold(title).startswith(fold(kind_word) + " "):
        title = upper_first(title[len(kind_word) :].strip())
    return title


def bullets(lines: list[str]) -> list[Paragraph]:
    out = []
    for line in lines:
        line = nfc(line).rstrip()
        if not line:
            continue
        if line[-1] not in ".;:!?":
            line += "."
        out.append(Paragraph("- " + esc(line)))
    return out


def recipient_list(recipients, wording: Wording) -> list[str]:
    """The "Nơi nhận" lines, ending with ``wording.filing_line`` ("Lưu: VT.") when no "Lưu" line was written."""
    items = [nfc(str(r)).strip() for r in recipients or [] if str(r).strip()]
    if not any(fold(i.lstrip("-– ")).startswith("luu") for i in items):
        items.append(wording.filing_line)
    return items


def signer_of(obj) -> Signer:
    return Signer(
        authority=obj.signer_authority or "", title=obj.signer_title or "", name=obj.signer_name or ""
    )


def document_filename(prefix: str, number: str, title: str, fmt: str) -> str:
    """An ASCII file name from the number and the title: "ke-hoach-123-cai-thien-nang-cao-chi-so-papi.docx"."""
    slug = fold(f"{prefix} {number} {title}").replace(" ", "-")
    slug = slug[:90].rstrip("-") or "van-ban"
    return f"{slug}.{fmt}"
