"""Reading a page as a browser would: the values a form posts (inputs, checked boxes, selected options,
textareas), and the text of an element."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self.labels: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(
                a.get("value") or ("on" if a.get("type") == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.data.setdefault(self._textarea, []).append(text[1:] if text.startswith("\n") else text)
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_data(page: str, form_id: str) -> dict[str, str]:
    """What the form posts when submitted unchanged (one value per name)."""
    parser = _Form(form_id)
    parser.feed(page)
    return {k: v[-1] for k, v in parser.data.items()}


def text_of(page: str, element_id: str) -> str:
    """The visible text of the element with this id (tags removed, spaces collapsed)."""
    m = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>', page)
    assert m, f"no element #{element_id}"
    tag, start = m.group(1), m.end()
    depth, i = 1, start
    pattern = re.compile(rf"<(/?){tag}\b[^>]*>")
    while depth:
        n = pattern.search(page, i)
        assert n, f"#{element_id} is not closed"
        depth += -1 if n.group(1) else 1
        i = n.end()
    inner = page[start : n.start()]
    inner = re.sub(r"<(script|style)\b.*?</\1>", " ", inner, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", inner))).strip()
