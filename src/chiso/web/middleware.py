"""Vietnamese first: the UI language is Vietnamese unless the user chose English (language
cookie set by the switcher). A browser's Accept-Language is ignored: offices often run English
operating systems, and they must still get the Vietnamese UI."""

from __future__ import annotations


class VietnameseFirstMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
