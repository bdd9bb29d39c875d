"""The one exception handler of the API (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``): every error is
answered in Vietnamese, in the body shapes the schema documents.

- ``django.core.exceptions.ValidationError`` of a service (the services own every rule, see
  chiso.validation): 400 ``{"field": ["…"]}``; errors of the write as a whole under
  ``"non_field_errors"``. A view may name its fields differently from the service's
  (``service_fields = {"evidence": "file"}``).
- ``PermissionDenied`` (the services' and chiso.*.permissions'): 403 ``{"detail": "…"}`` with its reason.
- ``Http404``: 404 ``{"detail": "Không tìm thấy."}``.
- ``StateConflict`` (chiso.validation: a ValidationError refusing a write because of the state of what it
  writes to — a closed round, a locked phase, a duplicate, a criterion someone saved since the client read
  it): 409 Conflict with the same body as a 400. ``StepConflict`` (chiso.core.workflow: a workflow step not
  allowed from the document's state now): 409 ``{"detail": "…"}``. Valid input at the wrong moment: the
  client reloads, it does not fix its input.
- ``VersionRequired`` (chiso.assessment.services.sheets: a change of an existing score sent without the
  version the client read): 428 Precondition Required, ``{"detail", "versions"}``.
- ``StaleEdit`` (chiso.concurrency: a plan, target, task or report saved by someone else after the
  client read it, its If-Match is stale): 412 Precondition Failed, body of chiso.api.concurrency.
- The other refusals of the services (``ValueError`` subclasses: WorkflowError, DraftError,
  CascadeError, PeriodicError, UploadRejected, …): 400 ``{"detail": "…"}``.
- DRF's own errors (not signed in, method not allowed, unreadable JSON…): their Vietnamese message.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from chiso.assessment.services.sheets import VersionRequired
from chiso.concurrency import StaleEdit
from chiso.core.workflow import StepConflict, WorkflowError
from chiso.files.checks import UploadRejected
from chiso.plans.services.cascade import CascadeError
from chiso.plans.services.drafting import DraftError
from chiso.plans.services.library import LibraryError
from chiso.plans.services.plans import PlanInUse, TargetValueError
from chiso.plans.services.requests import RequestError
from chiso.tracking.services.periodic import PeriodicError
from chiso.validation import StateConflict

__all__ = [
    "MESSAGES",
    "SERVICE_ERRORS",
    "Conflict",
    "ConflictDetail",
    "ErrorSerializer",
    "InvalidInput",
    "ScoreVersionRequired",
    "exception_handler",
]


# The body of an error that is not about fields (the ``Error`` component; a docstring would become
# its description in the schema).
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Thông báo lỗi (tiếng Việt).")


class InvalidInput(APIException):
    status_code = 400
    default_detail = "Tham số không hợp lệ."
    default_code = "invalid"


class Conflict(exceptions.ValidationError):
    """409: the write was refused because of the state of the data (changed since the client read it, a
    closed round, a locked phase, a duplicate); body by field, as a 400."""

    status_code = 409
    default_code = "conflict"


class ConflictDetail(APIException):
    """409 {"detail": "…"}: a workflow step not allowed from the document's state now."""

    status_code = 409
    default_detail = "Không thực hiện được ở trạng thái hiện tại."
    default_code = "conflict"


class ScoreVersionRequired(APIException):
    """428: a change of existing scores without the version the client read; the body gives them."""

    status_code = 428
    default_code = "precondition_required"

    def __init__(self, detail: str, versions: dict[str, int]) -> None:
        super().__init__()
        self.detail = {"detail": detail, "versions": versions}  # kept as given (not a list of messages)


#: Refusals of the services that are not about one field: 400 {"detail": message}.
SERVICE_ERRORS: tuple[type[ValueError], ...] = (
    WorkflowError,
    DraftError,
    CascadeError,
    PeriodicError,
    UploadRejected,
    LibraryError,
    PlanInUse,
    TargetValueError,
    RequestError,
)

#: Refusals about the object's state, not the request (409 {"detail": message}): a workflow step not
#: allowed from the state now; a reply to a task that is no request, or of a superseded plan (every
#: RequestError is one); deleting a plan another plan or a report refers to.
DETAIL_CONFLICTS: tuple[type[ValueError], ...] = (StepConflict, RequestError, PlanInUse)

# DRF's own messages have no Vietnamese translation: these replace them.
MESSAGES: dict[type[APIException], str] = {
    exceptions.NotAuthenticated: "Chưa đăng nhập. Hãy đăng nhập, hoặc gửi tên đăng nhập và mật khẩu theo "
    "HTTP Basic (ví dụ curl -u ten:matkhau).",
    exceptions.AuthenticationFailed: "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị khóa.",
    exceptions.MethodNotAllowed: "Địa chỉ này không nhận phương thức {method}.",
    exceptions.NotAcceptable: "Định dạng yêu cầu (Accept) không được hỗ trợ.",
    exceptions.ParseError: "Dữ liệu gửi lên không đọc được (cần JSON hợp lệ).",
    exceptions.UnsupportedMediaType: "Kiểu dữ liệu gửi lên không được hỗ trợ (dùng application/json).",
}
#: What a read-only endpoint says to any method but GET.
READ_ONLY_METHOD = "API chỉ đọc: chỉ dùng phương thức GET."


def _field_errors(error: DjangoValidationError, rename: dict[str, str]) -> dict[str, list[str]]:
    by_field = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    out: dict[str, list[str]] = {}
    for field, messages in by_field.items():
        name = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else rename.get(field, field)
        out.setdefault(name, []).extend(str(m) for m in messages)
    return out


def _as_api_exception(exc: Exception, view) -> Exception:
    if isinstance(exc, StaleEdit):
        from .concurrency import PreconditionFailed, stale_body

        return PreconditionFailed(stale_body(exc))
    if isinstance(exc, VersionRequired):
        return ScoreVersionRequired(exc.detail, exc.versions)
    if isinstance(exc, StateConflict):
        return Conflict(_field_errors(exc, getattr(view, "service_fields", {})))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(_field_errors(exc, getattr(view, "service_fields", {})))
    if isinstance(exc, PermissionDenied):  # before WorkflowError: StepNotAllowed is both
        return exceptions.PermissionDenied(str(exc) or "Bạn không có quyền thực hiện thao tác này.")
    if isinstance(exc, Http404):
        return exceptions.NotFound("Không tìm thấy.")
    if isinstance(exc, DETAIL_CONFLICTS):
        return ConflictDetail(str(exc))
    if isinstance(exc, SERVICE_ERRORS):
        return InvalidInput(str(exc))
    return exc


def _vietnamese(exc: APIException, view, request) -> None:
    message = next((m for cls, m in MESSAGES.items() if isinstance(exc, cls)), None)
    if message is None or getattr(exc, "vietnamese", False):
        return
    if isinstance(exc, exceptions.MethodNotAllowed) and getattr(view, "read_only", False):
        message = READ_ONLY_METHOD
    method = getattr(request, "method", "") or ""
    exc.detail = exceptions.ErrorDetail(message.replace("{method}", method), code=exc.default_code)


def exception_handler(exc: Exception, context: dict):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: the errors of services and of DRF, in Vietnamese."""
    view = context.get("view")
    exc = _as_api_exception(exc, view)
    if isinstance(exc, APIException):
        _vietnamese(exc, view, context.get("request"))
    return drf_exception_handler(exc, context)
