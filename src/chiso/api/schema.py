"""The OpenAPI schema and the Swagger UI, behind the same rule as the API (``chiso.view_data``):
drf-spectacular's default views would serve the schema to anyone."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions

from .common import ReadOnlyApi


class SchemaView(ReadOnlyApi, SpectacularAPIView):
    """The OpenAPI schema (YAML, or JSON with ?format=json)."""


class SwaggerView(ReadOnlyApi, SpectacularSwaggerSplitView):
    """Swagger UI, served from drf-spectacular-sidecar (no CDN); its start-up script is a separate
    response (``?script``), not inline, so the page runs under the Content-Security-Policy."""

    url_name = "api-schema"

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated):  # a browser: send it to the sign-in page
            return redirect_to_login(self.request.get_full_path(), settings.LOGIN_URL)
        return super().handle_exception(exc)


LOCKED_OUT = (
    "Đăng nhập sai quá nhiều lần (HTTP Basic): tài khoản tạm khóa, thử lại sau thời gian chờ "
    "(chiso.accounts.lockout)."
)


def document_sign_in_lockout(result, generator, request, public):
    """A drf-spectacular post-processing hook: every operation that takes HTTP Basic may answer 429
    while the sign-in throttling (django-axes) locks the account out — say so in the schema, with the
    ``Error`` body the lockout sends."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if any("basicAuth" in scheme for scheme in operation.get("security", [])):
                operation["responses"].setdefault(
                    "429",
                    {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        "description": LOCKED_OUT,
                    },
                )
    return result


NOT_FOUND = "Không có, hoặc nằm ngoài phạm vi người dùng được xem."
REFUSED = (
    'Dữ liệu không hợp lệ hoặc việc không làm được lúc này (ví dụ: giai đoạn đã khóa): {"tên trường": '
    '["thông báo lỗi"]} (tiếng Việt; lỗi chung ở "non_field_errors"), hoặc {"detail": "…"}. Không có gì '
    "bị thay đổi."
)


BAD_PAGE = "Tham số không hợp lệ (ví dụ limit, offset không phải số nguyên)."
BAD_REQUEST = "Yêu cầu không hợp lệ (ví dụ: ký tự NUL trong địa chỉ hay tham số, chiso.web.middleware)."
URI_TOO_LONG = (
    "Địa chỉ quá dài: máy chủ web (gunicorn) từ chối dòng yêu cầu dài hơn 4 094 byte, trước khi chiso đọc nó "
    "(trang HTML)."
)


def document_general_errors(result, generator, request, public):
    """A drf-spectacular post-processing hook, the general defence behind each view's own list: an
    operation whose path names an object (``{id}``) may answer 404 (chiso.api.errors: ``Http404``), and
    a write (POST, PUT, PATCH, DELETE) may answer 400 (a service's ``ValidationError`` or refusal), and
    so may a paged list (chiso.api.pagination refuses a ``limit`` that is not a whole number) and any
    request (a NUL character anywhere in it: chiso.web.middleware); any may answer 414 (a request line
    too long for the web server) — documented wherever a view did not say so itself."""
    for url, path in result.get("paths", {}).items():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "{" in url:
                responses.setdefault(
                    "404",
                    {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        "description": NOT_FOUND,
                    },
                )
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault(
                    "400",
                    {
                        "content": {
                            "application/json": {"schema": {"type": "object", "additionalProperties": {}}}
                        },
                        "description": REFUSED,
                    },
                )
            else:
                paged = any(p.get("name") == "limit" for p in operation.get("parameters", []))
                responses.setdefault(
                    "400",
                    {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        "description": BAD_PAGE if paged else BAD_REQUEST,
                    },
                )
            responses.setdefault("414", {"$ref": "#/components/responses/UriTooLong"})
    result.setdefault("components", {}).setdefault("responses", {})["UriTooLong"] = {
        "content": {"text/html": {"schema": {"type": "string"}}},
        "description": URI_TOO_LONG,
    }
    return result
