"""The request parsers of the API (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``): DRF's JSON parser (a body
nested too deeply is a 400, not a 500), DRF's form parser, and a multipart parser that refuses a body it cannot read as parts instead of reading it as an
empty form — an empty form is a valid request of its own (``{}`` advances a round to its next stage), so
a number or a line of text sent as multipart/form-data must not pass for one."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

__all__ = ["MAX_DEPTH", "JSONParser", "MultiPartParser", "TooDeep", "UnreadableForm", "too_deep"]


#: No request of the API nests deeper (a plan's targets: object → list → object → value).
MAX_DEPTH = 32


class TooDeep(ParseError):
    default_detail = f"Dữ liệu JSON lồng nhau quá sâu (tối đa {MAX_DEPTH} tầng)."
    vietnamese = True


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether objects and lists nest more than ``limit`` deep in ``value`` (iteratively: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a body nested more than ``MAX_DEPTH`` deep (400): ``[[[[…`` a few
    kilobytes long would otherwise escape as a RecursionError (a 500) from the JSON reader, or from any
    code that walks the value (a check, the database's JSON encoder)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise TooDeep() from None
        if too_deep(data):
            raise TooDeep()
        return data


class UnreadableForm(ParseError):
    default_detail = "Dữ liệu multipart/form-data không đọc được: không có trường nào (cần các phần có tên)."
    vietnamese = True  # its own message, not the handler's general one (chiso.api.errors.MESSAGES)


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = int((request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0)
        result = super().parse(stream, media_type, parser_context)
        boundary = (media_type or "").partition("boundary=")[2].split(";")[0].strip().strip('"')
        # nothing read from more than an empty form ("--boundary--" and line ends) is not a form
        if not result.data and not result.files and length > len(boundary) + 8:
            raise UnreadableForm()
        return result
