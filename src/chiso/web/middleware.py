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


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulCharacterMiddleware:
    """Refuse a request whose path, query string or form fields carry a NUL character (``%00``).

    No chiso input can contain one, PostgreSQL text cannot store one (a query with it raises a
    DataError → a 500), and a filter or slug read straight from the URL would pass it to the
    database. One check here defends every view, present and future: the answer is a 400 with a
    Vietnamese message (JSON under ``/api/``). JSON bodies are checked by the serializers
    (DRF's CharField refuses NUL); uploaded files are checked by chiso.files. Reading the form
    of a page here is what CSRF protection does anyway."""

    MESSAGE = "Yêu cầu chứa ký tự không hợp lệ (NUL)."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            from django.http import HttpResponseBadRequest, JsonResponse

            if request.path.startswith("/api/"):
                return JsonResponse({"detail": self.MESSAGE}, status=400)
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path_info:
            return True
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
        # The API's bodies are DRF's to parse (reading the form here would stop a JSON-only endpoint
        # from answering 415); its serializers refuse NUL in every text field.
        if (
            request.method == "POST"
            and request.content_type in _FORM_TYPES
            and not request.path_info.startswith("/api/")
        ):
            try:
                post = request.POST
            except Exception:  # an unreadable body is Django's to answer
                return False
            for key, values in post.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return True
        return False
