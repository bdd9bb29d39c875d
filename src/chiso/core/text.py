"""Vietnamese text helpers: normalisation, search keys, dictionary order, legacy encodings, number formats.

Pure Python, no Django.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext

__all__ = [
    "nfc",
    "fold",
    "strip_admin_prefix",
    "name_key",
    "vi_sort_key",
    "looks_like_tcvn3",
    "looks_like_vni",
    "decode_tcvn3",
    "decode_vni",
    "encode_tcvn3",
    "encode_vni",
    "format_number",
    "format_at_least",
    "format_change",
    "format_exact",
    "format_full",
    "format_percent",
    "number_flags",
    "round_up",
    "format_signed",
    "format_date",
    "format_place_date",
    "nfc_multiline",
    "nfc_attrs",
]

_WS = re.compile(r"\s+")

# Combining marks (NFD) used in Vietnamese.
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_BREVE, _CIRC, _HORN = "\u0306", "\u0302", "\u031b"
# Tone order for dictionary sorting: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {_GRAVE: 1, _HOOK: 2, _TILDE: 3, _ACUTE: 4, _DOT: 5}
_SHAPE_SUFFIX = {_BREVE: "\u0306", _CIRC: "\u0302", _HORN: "\u031b"}


def nfc(s: str) -> str:
    """NFC-normalise, strip, and collapse internal whitespace to single spaces."""
    return _WS.sub(" ", unicodedata.normalize("NFC", s)).strip()


def nfc_multiline(s: str) -> str:
    """NFC per line, keeping line breaks and paragraphs (blank lines between paragraphs collapse to one);
    for rich-text fields where "- " bullets and paragraphs matter."""
    lines = [nfc(line) for line in s.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def nfc_attrs(
    obj: object, names: list[str] | tuple[str, ...], multiline: frozenset[str] = frozenset()
) -> None:
    """Normalise the text attributes ``names`` of ``obj`` in place: :func:`nfc`, or :func:`nfc_multiline`
    for those in ``multiline``; values that are not strings are left alone."""
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, str):
            setattr(obj, name, nfc_multiline(value) if name in multiline else nfc(value).strip())


def _fold_char(c: str) -> str:
    """Fold one character: drop diacritics, đ→d, lowercase, non-alphanumerics → space."""
    if c in "đĐ":
        return "d"
    base = "".join(ch for ch in unicodedata.normalize("NFD", c) if not unicodedata.combining(ch))
    out = []
    for ch in base.lower():
        out.append(ch if ch.isalnum() else " ")
    return "".join(out)


def fold(s: str) -> str:
    """Accent-free lowercase search key; punctuation becomes space; spaces collapsed."""
    return _WS.sub(" ", "".join(_fold_char(c) for c in unicodedata.normalize("NFC", s))).strip()


_ADMIN_TYPES = r"(?:tinh|thanh pho|tp|thi xa|thi tran|quan|huyen|phuong|xa|dac khu)"
_ADMIN_PREFIX = re.compile(
    r"^\s*(?:(?:ubnd|uy ban nhan dan)\s+" + _ADMIN_TYPES + r"|thanh pho|thi tran|thi xa|dac khu|"
    r"tinh|tp|phuong|xa|quan|huyen)(?=\s|$)\s*"
)


# Accented spelling of each prefix word; a name's word must match it or be written without accents.
_PREFIX_WORDS = {
    "tinh": ("tỉnh",),
    "thanh": ("thành",),
    "pho": ("phố",),
    "tp": ("tp",),
    "thi": ("thị",),
    "xa": ("xã",),
    "tran": ("trấn",),
    "quan": ("quận",),
    "huyen": ("huyện",),
    "phuong": ("phường",),
    "dac": ("đặc",),
    "khu": ("khu",),
    "ubnd": ("ubnd",),
    "uy": ("ủy", "uỷ"),
    "ban": ("ban",),
    "nhan": ("nhân",),
    "dan": ("dân",),
}


def _word_matches(word: str, accented: str) -> bool:
    w = word.lower()
    return len(w) == len(accented) and all(a == b or a.isascii() for a, b in zip(w, accented, strict=True))


def strip_admin_prefix(name: str) -> str:
    """Remove one leading administrative prefix (Tỉnh, Thành phố, TP., Xã, UBND tỉnh…); result NFC.

    Case-insensitive; a prefix may be written without accents ("Tinh Kon Tum") but a differently
    accented word is not a prefix ("Tịnh Biên", "Huyền Trân" are kept). If nothing would remain, the
    name is returned unchanged (NFC).
    """
    s = nfc(name)
    folded: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(s):
        f = _fold_char(c)
        folded.append(f)
        origin.extend([i] * len(f))
    m = _ADMIN_PREFIX.match("".join(folded))
    if not m:
        return s
    end = m.end()
    start = origin[end] if end < len(origin) else len(s)
    words = re.findall(r"\w+", s[:start])
    if not all(any(_word_matches(w, acc) for acc in _PREFIX_WORDS[fold(w)]) for w in words):
        return s
    rest = s[start:].lstrip(" .-–,:")
    return nfc(rest) if rest else s


def name_key(name: str) -> str:
    """Matching key for place names: no prefix, no accents, no spaces ("Tỉnh Đắk Lắk" → "daklak")."""
    return fold(strip_admin_prefix(name)).replace(" ", "")


# Vietnamese alphabet (with f j w z in Latin position).
_ALPHABET = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o"]
_ALPHABET += ["ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z"]
_LETTER_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}


def _split_char(c: str) -> tuple[tuple[int, int], int]:
    """(primary key, tone rank) of one lowercase NFC character."""
    if c == "đ":
        return (3, _LETTER_RANK["đ"]), 0
    d = unicodedata.normalize("NFD", c)
    base = d[0]
    tone = 0
    shape = ""
    for m in d[1:]:
        if m in _TONE_RANK:
            tone = _TONE_RANK[m]
        elif m in _SHAPE_SUFFIX:
            shape = m
    letter = unicodedata.normalize("NFC", base + shape) if shape else base
    if letter in _LETTER_RANK:
        return (3, _LETTER_RANK[letter]), tone
    if c.isspace():
        return (0, 0), 0
    if c.isdigit():
        return (2, ord(c)), 0
    if not c.isalnum():
        return (1, ord(c)), 0
    return (4, ord(c)), 0


def vi_sort_key(s: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """Vietnamese dictionary order key: base letters over the whole string first, tones as tiebreak.

    Alphabet a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (f j w z in Latin position);
    tones ngang < huyền < hỏi < ngã < sắc < nặng; case-insensitive (keys of "An" and "an" are equal).
    Spaces sort before punctuation, digits, then letters.
    """
    primary: list[tuple[int, int]] = []
    tones: list[int] = []
    for c in nfc(s).lower():
        p, t = _split_char(c)
        primary.append(p)
        tones.append(t)
    return tuple(primary), tuple(tones)


# ---------------------------------------------------------------- legacy encodings (TCVN3 / VNI)

# TCVN3 (ABC, .VnTime): byte → Unicode; shown here as the cp1252/latin-1 character of the byte.
_TCVN3_LEGACY = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦"
_TCVN3_UNICODE = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
_TCVN3_DECODE = dict(zip(_TCVN3_LEGACY, _TCVN3_UNICODE, strict=True))
_TCVN3_ENCODE = {u: t for t, u in _TCVN3_DECODE.items()}

# VNI Windows: base letter + modifier bytes (cp1252 view). Tone and shape modifiers, lower/upper.
_VNI_TONE = {_ACUTE: "ù", _GRAVE: "ø", _HOOK: "û", _TILDE: "õ", _DOT: "ï"}
_VNI_CIRC = {"": "â", _ACUTE: "á", _GRAVE: "à", _HOOK: "å", _TILDE: "ã", _DOT: "ä"}
_VNI_BREVE = {"": "ê", _ACUTE: "é", _GRAVE: "è", _HOOK: "ú", _TILDE: "ü", _DOT: "ë"}
_VNI_I = {"": "i", _ACUTE: "í", _GRAVE: "ì", _HOOK: "æ", _TILDE: "ó", _DOT: "ò"}


def _vni_encode_char(c: str) -> str:
    if c in "đĐ":
        return "ñ" if c == "đ" else "Ñ"
    d = unicodedata.normalize("NFD", c)
    base, marks = d[0], d[1:]
    if not marks or base.lower() not in "aeiouy":
        return c
    upper = base.isupper()
    tone = next((m for m in marks if m in _TONE_RANK), "")
    shape = next((m for m in marks if m in _SHAPE_SUFFIX), "")
    lb = base.lower()
    if lb == "i":
        out = _VNI_I[tone]
    elif lb == "y" and tone == _DOT:
        out = "î"
    elif shape == _HORN:
        out = ("ô" if lb == "o" else "ö") + _VNI_TONE.get(tone, "")
    elif shape == _CIRC:
        out = lb + _VNI_CIRC[tone]
    elif shape == _BREVE:
        out = lb + _VNI_BREVE[tone]
    else:
        out = lb + _VNI_TONE.get(tone, "")
    return out.upper() if upper else out


_VNI_DECODE: dict[str, str] = {}
for _ch in _TCVN3_UNICODE + _TCVN3_UNICODE.upper():
    _enc = _vni_encode_char(_ch)
    if _enc != _ch:
        _VNI_DECODE.setdefault(_enc, _ch)
        if len(_enc) > 1 and _enc[0].isupper():  # title case: "Aø" as well as "AØ"
            _VNI_DECODE.setdefault(_enc[0] + _enc[1:].lower(), _ch)
_VNI_DECODE_RE = re.compile("|".join(re.escape(k) for k in sorted(_VNI_DECODE, key=len, reverse=True)))


def encode_tcvn3(s: str) -> str:
    """Unicode → TCVN3 as seen through cp1252 (uppercase toned letters become lowercase, as in .VnTime)."""
    out = []
    for c in unicodedata.normalize("NFC", s):
        if c in _TCVN3_ENCODE:
            out.append(_TCVN3_ENCODE[c])
        elif c.lower() in _TCVN3_ENCODE and c.lower() not in "ăâđêôơư":
            out.append(_TCVN3_ENCODE[c.lower()])
        else:
            out.append(c)
    return "".join(out)


def decode_tcvn3(s: str) -> str:
    """TCVN3 text read as cp1252/latin-1 → Unicode NFC."""
    return "".join(_TCVN3_DECODE.get(c, c) for c in s)


def encode_vni(s: str) -> str:
    """Unicode → VNI Windows as seen through cp1252."""
    return "".join(_vni_encode_char(c) for c in unicodedata.normalize("NFC", s))


def decode_vni(s: str) -> str:
    """VNI text read as cp1252/latin-1 → Unicode NFC."""
    return _VNI_DECODE_RE.sub(lambda m: _VNI_DECODE[m.group(0)], s)


# Latin-1 characters that never occur in NFC Vietnamese: their presence means a legacy encoding.
_VIET_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_ODD = {chr(i) for i in range(0xA1, 0x100)} - _VIET_LATIN1
_VNI_ODD_MODIFIERS = "øûïäåëü"
# VNI "vowel + modifier" bigrams that never occur in Unicode Vietnamese (e.g. "aø", "eâ", "aù", "uù").
_VNI_AFTER = {
    "a": _VNI_ODD_MODIFIERS + "ùâáàãêéèúõ",
    "e": _VNI_ODD_MODIFIERS + "ùâáàãêéèúõ",
    "o": _VNI_ODD_MODIFIERS + "ùâúõ",
    "u": _VNI_ODD_MODIFIERS + "ùúõ",
    "y": _VNI_ODD_MODIFIERS + "ùâáàãéèúõ",
    "ô": _VNI_ODD_MODIFIERS + "ùúõ",
    "ö": _VNI_ODD_MODIFIERS + "ùúõ",
}
_VNI_BIGRAMS = {v + m for v, ms in _VNI_AFTER.items() for m in ms}
_VNI_BIGRAMS |= {b.upper() for b in _VNI_BIGRAMS} | {b[0].upper() + b[1] for b in _VNI_BIGRAMS}
_VNI_NEUTRAL = set("öÖæÆîÎ")
_VIET_SPECIFIC = re.compile("[ăđơưĂĐƠƯĩũĨŨ\u1ea0-\u1ef9]")  # not in Latin-1


def _legacy_votes(s: str) -> tuple[int, int]:
    """(TCVN3 votes, VNI votes) from character patterns that cannot occur in Unicode Vietnamese.

    TCVN3: symbols/letters of 0xA1–0xFE used as Vietnamese letters (µ ¸ ¾ § © Ø…), and "uppercase"
    Latin-1 letters right after a lowercase letter ("TiÒn" = Tiền). VNI: vowel + modifier bigrams
    ("aø", "eâ", "oä") and Ñ/ñ (Đ/đ) starting a word before a vowel.
    """
    if _VIET_SPECIFIC.search(unicodedata.normalize("NFC", s)):
        return 0, 0
    tcvn = vni = 0
    n = len(s)
    for i, c in enumerate(s):
        if c.isascii():
            continue
        prev = s[i - 1] if i > 0 else ""
        nxt = s[i + 1] if i + 1 < n else ""
        if "\u00c0" <= c <= "\u00de" and c != "×" and (prev.islower() or (prev.isalpha() and nxt.islower())):
            tcvn += 1  # lowercase toned letter coded in the C0–DE range: "TiÒn", "NghÖ", "BÕn"
        elif prev + c in _VNI_BIGRAMS:
            vni += 1
        elif c not in _ODD:
            continue
        elif not (prev.isalpha() or prev in _ODD or nxt.isalpha() or nxt in _ODD):
            continue  # a lone symbol: "© 2024", "25 °C", "§ 3"
        elif c in "ñÑ" and not (prev.isalpha() or prev in _ODD) and nxt and _fold_char(nxt) in "aeiouy":
            vni += 1  # VNI đ/Đ at the start of a word
        elif c in "öÖ" and nxt in "ôÔ":
            vni += 1  # VNI ươ
        elif c in _TCVN3_DECODE and c not in _VNI_NEUTRAL:
            tcvn += 1
    return tcvn, vni


def looks_like_tcvn3(s: str) -> bool:
    """True when s looks like TCVN3 (ABC) text read as cp1252, e.g. "TØnh Kon Tum", "Hµ Néi"."""
    tcvn, vni = _legacy_votes(s)
    return tcvn >= 1 and tcvn >= vni


def looks_like_vni(s: str) -> bool:
    """True when s looks like VNI text read as cp1252, e.g. "Haø Noäi", "Ñaék Laék"."""
    tcvn, vni = _legacy_votes(s)
    return vni >= 1 and vni > tcvn


# ---------------------------------------------------------------- number and date formats

DASH = "–"


def _group_thousands(int_part: str) -> str:
    out = []
    for i, ch in enumerate(reversed(int_part)):
        if i and i % 3 == 0:
            out.append(".")
        out.append(ch)
    return "".join(reversed(out))


def format_number(x: float | None, decimals: int | None = None) -> str:
    """Vietnamese number: "." thousands, "," decimals (1234.5 → "1.234,5"); None → "–".

    decimals=None: up to 4 decimals, trailing zeros dropped; otherwise fixed. Rounds half up.
    """
    if x is None or not math.isfinite(x):
        return DASH
    q = Decimal(repr(float(x)))
    places = 4 if decimals is None else decimals
    with localcontext() as ctx:  # enough digits for any float (1e308 has 309 before the point)
        ctx.prec = max(ctx.prec, q.adjusted() + places + 2)
        q = q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    neg = q < 0
    text = f"{abs(q):f}"
    int_part, _, frac = text.partition(".")
    if decimals is None:
        frac = frac.rstrip("0")
    if neg and (int_part.strip("0") or frac.strip("0")):
        sign = "-"
    else:
        sign = ""
    res = sign + _group_thousands(int_part)
    return res + ("," + frac if frac else "")


def round_up(x: float, decimals: int) -> float:
    """x rounded *up* to ``decimals`` places: an "at least" figure (points needed, a minimum score) must
    never understate — 0,94313 needed is "0,9432", not "0,9431" (which misses the goal). Float noise
    below 1e-9 is ignored first, so 0,1 + 0,2 stays 0,3."""
    if not math.isfinite(x):
        return x
    q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-9), rounding=ROUND_HALF_UP)
    return float(q.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_CEILING))


def format_at_least(x: float | None, decimals: int) -> str:
    """An "at least" figure as shown or printed: rounded up at ``decimals`` (see :func:`round_up`),
    trailing zeros kept as the precision says ("0,9432", "1,50")."""
    if x is None or not math.isfinite(x):
        return DASH
    return format_number(round_up(x, decimals), decimals)


def format_exact(x: float | None) -> str:
    """Every digit of x (the shortest text that reads back as the same float), with a decimal comma and
    no thousands dots, so that chiso's own exports read back unchanged and unambiguously ("1000,5")."""
    if x is None or not math.isfinite(x):
        return ""
    text = f"{Decimal(repr(float(x))):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def format_full(x: float | None, least: int = 4, most: int = 9) -> str:
    """x with as many decimals as it has (at least ``least`` when it has them, at most ``most``), trailing
    zeros dropped: an imported 0,87599 is shown "0,87599", not "0,876"."""
    if x is None or not math.isfinite(x):
        return DASH
    places = least
    while places < most and round(x, places) != round(x, most):
        places += 1
    s = format_number(x, places)
    return s.rstrip("0").rstrip(",") if "," in s else s


def format_change(old: float, new: float, decimals: int = 4, most: int = 12) -> tuple[str, str]:
    """Old and new values with enough decimals to see that they differ: "0,8309 → 0,83094", never
    "0,8309 → 0,8309" (the shorter text keeps its own digits, trailing zeros dropped)."""
    places = decimals
    while places < most and format_number(old, places) == format_number(new, places):
        places += 1

    def text(x: float) -> str:
        s = format_number(x, places)
        return s.rstrip("0").rstrip(",") if "," in s else s

    return text(old), text(new)


def format_percent(x: float | None, decimals: int = 2) -> str:
    """Percentage with a space before the sign: 95.234 → "95,23 %"; None → "–"."""
    if x is None:
        return DASH
    return f"{format_number(x, decimals)} %"


def format_signed(x: float | None, decimals: int | None = 2) -> str:
    """Signed change: "+1,25", "-0,50", "0" (zero after rounding has no sign); None → "–"."""
    if x is None:
        return DASH
    s = format_number(x, decimals)
    if s.strip("-0,.") == "":
        return "0"
    return s if s.startswith("-") else "+" + s


def format_date(d: date) -> str:
    """dd/mm/yyyy."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_place_date(place: str, d: date) -> str:
    """Document date line (Nghị định 30/2020): "Kon Tum, ngày 05 tháng 11 năm 2024".

    Day < 10 and months 1–2 are zero-padded; other months are not ("tháng 3").
    """
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{nfc(place)}, ngày {d.day:02d} tháng {month} năm {d.year}"


_FRACTION = re.compile(r"^(-?\d+(?:[.,]\d+)?)/(\d+(?:[.,]\d+)?)$")
_EMPTY_NUMBER = {"", "-", "–", "—"}


def parse_number(value: object, *, fractions: bool = False) -> float | None:
    """A number as Vietnamese users type it: ``39,9613``, ``39.9613``, ``1.234,5``, ``86,14%``;
    empty cells and dashes are None; with ``fractions``, also ``10/3``. Raises ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"không phải số: {value!r}")
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    if text in _EMPTY_NUMBER:
        return None
    if fractions and (m := _FRACTION.match(text)):
        num, den = parse_number(m.group(1)), parse_number(m.group(2))
        if num is None or not den:
            raise ValueError(f"không phải số: {value!r}")
        return num / den
    if "," in text and "." in text:  # 1.234,5 (Vietnamese) or 1,234.5
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        if text.count(",") > 1:
            raise ValueError(f"không phải số: {value!r}")
        text = text.replace(",", ".")
    try:
        result = float(text)
    except ValueError as exc:
        raise ValueError(f"không phải số: {value!r}") from exc
    if not math.isfinite(result):
        raise ValueError(f"không phải số: {value!r}")
    return result


_AMBIGUOUS_THOUSANDS = re.compile(r"^-?\d{1,3}[.,]\d{3}$")


def number_flags(value: object) -> frozenset[str]:
    """What :func:`parse_number` decided silently about a cell, for an import to warn about:

    * ``"ambiguous"`` — "1.000" or "1,000": one separator followed by exactly three digits reads as 1
      (a decimal mark) but may have been meant as a thousand;
    * ``"percent"`` — a "%" sign was dropped ("86,14%" read as 86,14).

    Numbers stored as numbers in a spreadsheet have no flags."""
    if not isinstance(value, str):
        return frozenset()
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    flags = set()
    if text.endswith("%"):
        flags.add("percent")
        text = text.rstrip("%")
    if _AMBIGUOUS_THOUSANDS.match(text):
        flags.add("ambiguous")
    return frozenset(flags)
