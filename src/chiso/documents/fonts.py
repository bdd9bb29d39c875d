"""The serif font both renderers measure with, and the PDF embeds: Liberation Serif, metric-compatible
with Times New Roman (every glyph has the same advance width), shipped in ``chiso/static/chiso/fonts``
(SIL Open Font Licence 1.1, ``LICENSE-LiberationSerif.txt``). Registered with reportlab once per process."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "chiso" / "fonts"
FAMILY = "ChisoSerif"
FACES: dict[tuple[bool, bool], tuple[str, str]] = {
    (False, False): (FAMILY, "LiberationSerif-Regular.ttf"),
    (True, False): (f"{FAMILY}-Bold", "LiberationSerif-Bold.ttf"),
    (False, True): (f"{FAMILY}-Italic", "LiberationSerif-Italic.ttf"),
    (True, True): (f"{FAMILY}-BoldItalic", "LiberationSerif-BoldItalic.ttf"),
}
#: Line height of "single" spacing as a multiple of the font size (Times New Roman / Liberation Serif:
#: ascent 0.891 + descent 0.216 + line gap 0.042 of the em), what Word uses for "1 line".
SINGLE_LINE = 1.149

_lock = threading.Lock()
_registered = False


def register_fonts() -> str:
    """Register the four faces and their family with reportlab (once); returns the family name."""
    global _registered
    if _registered:
        return FAMILY
    with _lock:
        if not _registered:
            from reportlab.lib.fonts import addMapping
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            for (bold, italic), (name, file) in FACES.items():
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
                addMapping(FAMILY, int(bold), int(italic), name)
            _registered = True
    return FAMILY


def font_name(bold: bool = False, italic: bool = False) -> str:
    register_fonts()
    return FACES[(bool(bold), bool(italic))][0]


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Width in points of one line of text in Times New Roman (measured on Liberation Serif)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font_name(bold, italic), size)


def balanced_lines(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """A header name ("ỦY BAN NHÂN DÂN TỈNH KON TUM") as lines: the author's own line breaks when given;
    one line when it fits ``width`` (points); otherwise the word breaks that make the longest line
    shortest ("ỦY BAN NHÂN DÂN / TỈNH KON TUM"), as administrative documents set their header."""
    out: list[str] = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        out.extend(_balance(line, size, width, bold))
    return out


def _balance(line: str, size: float, width: float, bold: bool) -> list[str]:
    if text_width(line, size, bold) <= width:
        return [line]
    words = line.split(" ")
    for n_lines in range(2, len(words) + 1):
        best = _best_split(words, n_lines, size, bold)
        if best is not None and max(text_width(x, size, bold) for x in best) <= width:
            return best
    return [line]  # a single word wider than the column: let the renderer wrap it


def _best_split(words: list[str], n_lines: int, size: float, bold: bool) -> list[str] | None:
    """Split ``words`` into ``n_lines`` lines minimising the widest line (small inputs: exhaustive)."""
    from itertools import combinations

    if n_lines > len(words):
        return None
    best: list[str] | None = None
    best_width = float("inf")
    for cuts in combinations(range(1, len(words)), n_lines - 1):
        bounds = (0, *cuts, len(words))
        lines = [" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
        widest = max(text_width(x, size, bold) for x in lines)
        if widest < best_width - 0.01:
            best, best_width = lines, widest
    return best


#: Left indent of "Kính gửi:" when a công văn has several addressees, in points (about 3 cm).
SALUTATION_INDENT = 85.0


def salutation_indents(label_line: str, size: float) -> tuple[float, float]:
    """(indent of the "Kính gửi:" line, indent of the addressee lines under it, aligned after the
    label), in points."""
    label = label_line.split(":", 1)[0] + ": " if ":" in label_line else label_line + " "
    return SALUTATION_INDENT, SALUTATION_INDENT + text_width(label, size)
