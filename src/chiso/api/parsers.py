"""The request parsers of the API (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``): DRF's JSON and form
parsers, and a multipart parser that refuses a body it cannot read as parts instead of reading it as an
empty form — an empty form is a valid request of its own (``{}`` advances a round to its next stage), so
a number or a line of text sent as multipart/form-data must not pass for one."""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

__all__ = ["MultiPartParser", "UnreadableForm"]


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
