"""Lost updates and double submissions in the plans API (chiso.concurrency, chiso.idempotency).

- Every plan, target, task, progress report and periodic report carries its ``revision`` (in the body)
  and an ``ETag`` header (the revision in quotes: ``"7"``).
- ``PUT`` / ``PATCH`` of a plan, target or task **require** ``If-Match`` with the ETag the client read:
  without it 428 Precondition Required; someone saved the object since: 412 Precondition Failed with who,
  when and which fields (nothing changed). ``If-Match: *`` overwrites whatever is there (a deliberate
  choice of the client, never a silent one).
- ``POST`` creating a plan, target, task or progress report accepts ``Idempotency-Key`` (any text up to
  200 characters, a UUID for instance): the same key sent again by the same account returns what the
  first request created, 200 with ``Idempotent-Replayed: true``, and creates nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import APIException

from chiso.concurrency import StaleEdit, parse_revision
from chiso.idempotency.services import clean_key

from .errors import InvalidInput

__all__ = [
    "E412",
    "E428",
    "IDEMPOTENCY_KEY",
    "IF_MATCH",
    "IF_MATCH_OPTIONAL",
    "IdempotentCreate",
    "PreconditionFailed",
    "PreconditionRequired",
    "Versioned",
    "stale_body",
]


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Thiếu tiêu đề If-Match: hãy GET đối tượng, gửi lại ETag nhận được trong If-Match "
        "(hoặc If-Match: * để ghi đè có chủ ý)."
    )
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = 412
    default_code = "precondition_failed"

    def __init__(self, body: dict) -> None:
        super().__init__()
        self.detail = body  # kept as given: detail, changed_by, changed_at, changed_fields, revision


def stale_body(exc: StaleEdit) -> dict:
    """The body of a 412: the refusal (Vietnamese) and what changed, by whom, when, the revision now."""
    return {
        "detail": exc.messages[0],
        "changed_by": exc.who,
        "changed_at": exc.when.isoformat() if exc.when else None,
        "changed_fields": list(exc.fields),
        "revision": exc.current,
    }


class StaleSerializer(serializers.Serializer):
    """Không ghi: đối tượng đã được người khác sửa sau khi bạn đọc (ETag trong If-Match đã cũ)."""

    detail = serializers.CharField(help_text="Thông báo (tiếng Việt): ai sửa, lúc nào, các mục đã đổi.")
    changed_by = serializers.CharField(help_text="Người đã sửa.")
    changed_at = serializers.DateTimeField(allow_null=True, help_text="Lúc sửa gần nhất.")
    changed_fields = serializers.ListField(child=serializers.CharField(), help_text="Các mục đã đổi.")
    revision = serializers.IntegerField(help_text="Phiên bản hiện tại (ETag mới).")


ETAG_HEADER = {"ETag": {"description": "Phiên bản của đối tượng, gửi lại trong If-Match khi sửa.",
                        "schema": {"type": "string"}}}  # fmt: skip
#: What ``revision_from`` reads: an ETag ("3", W/"3", a list whose first is one) or "*".
ETAG_PATTERN = {"type": "string", "pattern": r'^\s*(\*|(W/)?"*[0-9]{1,12}"*\s*(,.*)?)$'}
IF_MATCH = OpenApiParameter(
    "If-Match",
    ETAG_PATTERN,
    OpenApiParameter.HEADER,
    required=True,
    description='ETag đã đọc (ví dụ "3"); "*": ghi đè có chủ ý. Thiếu: 428; đã cũ: 412.',
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    ETAG_PATTERN,
    OpenApiParameter.HEADER,
    description='Khi sửa báo cáo đã có: ETag đã đọc (báo cáo chưa có: "0"); đã cũ: 412.',
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Mã do máy khách tạo (ví dụ một UUID, tối đa 200 ký tự): gửi lại cùng mã thì nhận lại đối "
    "tượng đã tạo lần trước (200, Idempotent-Replayed: true), không tạo thêm.",
)
E412 = OpenApiResponse(StaleSerializer, description="Người khác đã sửa sau khi bạn đọc; không ghi gì.")
E428 = OpenApiResponse(OpenApiTypes.OBJECT, description='Thiếu If-Match: {"detail": "…"}. Không ghi gì.')


def expected_revision(request, *, required: bool) -> int | None:
    """The revision ``If-Match`` names (None: ``*``, or absent when not required); 428 when required and
    absent, 400 when it is not an ETag of chiso."""
    raw = request.headers.get("If-Match")
    if raw is None or not raw.strip():
        if required:
            raise PreconditionRequired()
        return None
    raw = raw.strip()
    if raw == "*":
        return None
    try:
        return parse_revision(raw.split(",")[0])
    except ValidationError:
        raise InvalidInput(f'If-Match không hợp lệ: «{raw[:40]}» (cần ETag, ví dụ "3").') from None


class Versioned:
    """A detail view of a revisioned object: its ETag on every answer carrying its ``revision``;
    ``If-Match`` required by PUT/PATCH (``expected_revision`` for the service)."""

    if_match_required = True
    expected_revision: int | None = None

    def update(self, request, *args, **kwargs):
        self.expected_revision = expected_revision(request, required=self.if_match_required)
        return super().update(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if response.status_code in (200, 201) and isinstance(data, dict) and "revision" in data:
            response["ETag"] = f'"{data["revision"]}"'
        return response


class IdempotentCreate:
    """A view creating with the service's ``key``: ``idempotency_key`` from the header, ``keyed(obj)``
    on what the service returned, and 200 + ``Idempotent-Replayed: true`` when it was made before."""

    replayed = False

    @property
    def idempotency_key(self) -> str:
        try:
            return clean_key(self.request.headers.get("Idempotency-Key"))
        except ValidationError:
            raise InvalidInput("Idempotency-Key không hợp lệ (tối đa 200 ký tự in được).") from None

    def keyed(self, obj):
        self.replayed = bool(getattr(obj, "was_replayed", False))
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.replayed and response.status_code == 201:
            response.status_code = 200
        if self.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
