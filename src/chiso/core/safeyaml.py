"""Reading YAML that people type or upload, safely: pure Python.

PyYAML's ``safe_load`` builds no objects but still expands aliases: a 450-byte "billion laughs" document
(anchors referring to anchors) expands to gigabytes. :func:`load` refuses anchors and aliases outright (no
chiso file needs them), caps the size of the text, the depth of nesting and the number of nodes, and
words its messages without echoing the input back at length.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

__all__ = ["YamlRefused", "load"]

MAX_BYTES = 256 * 1024
MAX_DEPTH = 32
MAX_NODES = 50_000


class YamlRefused(ValueError):
    """The text is not accepted as YAML (Vietnamese message, with the line and column when known)."""


def _where(mark: Any) -> str:
    return f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark is not None else ""


class _Loader(Reader, Scanner, Parser, Composer, SafeConstructor, Resolver):
    def __init__(self, stream: str, max_depth: int, max_nodes: int) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0
        self._nodes = 0
        self._max_depth = max_depth
        self._max_nodes = max_nodes

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102 — PyYAML's hook
        event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise YamlRefused(f"YAML không được dùng tham chiếu (& hoặc *){_where(event.start_mark)}.")
        self._nodes += 1
        if self._nodes > self._max_nodes:
            raise YamlRefused(f"YAML có quá nhiều phần tử (tối đa {self._max_nodes}).")
        self._depth += 1
        if self._depth > self._max_depth:
            raise YamlRefused(
                f"YAML lồng nhau quá sâu (tối đa {self._max_depth} cấp){_where(event.start_mark)}."
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load(
    text: str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES
) -> Any:
    """The data of a YAML text (like ``yaml.safe_load``), or YamlRefused saying why not."""
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise YamlRefused(f"Văn bản YAML quá dài (tối đa {max_bytes // 1024} KB).")
    loader = _Loader(text, max_depth, max_nodes)
    try:
        return loader.get_single_data()
    except YamlRefused:
        raise
    except yaml.YAMLError as exc:
        problem = str(getattr(exc, "problem", None) or exc)[:200]
        raise YamlRefused(
            f"Không đọc được YAML{_where(getattr(exc, 'problem_mark', None))}: {problem}"
        ) from exc
    finally:
        loader.dispose()
