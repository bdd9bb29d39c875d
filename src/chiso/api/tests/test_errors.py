"""The API's one exception handler (chiso.api.errors): the services' ValidationError, PermissionDenied
and refusals, Http404 and DRF's own errors become the documented bodies, in Vietnamese."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions

from chiso.api.errors import exception_handler
from chiso.core.workflow import WorkflowError
from chiso.files.checks import UploadRejected
from chiso.plans.services.cascade import CascadeError
from chiso.plans.services.drafting import DraftError
from chiso.tracking.services.periodic import PeriodicError
from chiso.workflows.services import StepNotAllowed


def _answer(exc, view=None, method="POST"):
    response = exception_handler(
        exc, {"view": view or SimpleNamespace(), "request": SimpleNamespace(method=method)}
    )
    return response.status_code, response.data


def test_validation_errors_by_field():
    error = ValidationError({"deadline": ["Cần thời hạn."], NON_FIELD_ERRORS: ["Sai."]})
    assert _answer(error) == (400, {"deadline": ["Cần thời hạn."], "non_field_errors": ["Sai."]})
    assert _answer(ValidationError("Sai cả báo cáo.")) == (400, {"non_field_errors": ["Sai cả báo cáo."]})
    view = SimpleNamespace(service_fields={"evidence": "file"})
    assert _answer(ValidationError({"evidence": ["Tệp rỗng."]}), view) == (400, {"file": ["Tệp rỗng."]})


def test_permission_denied_keeps_its_reason():
    assert _answer(PermissionDenied("Kế hoạch đã khóa.")) == (403, {"detail": "Kế hoạch đã khóa."})
    status, data = _answer(PermissionDenied())
    assert status == 403 and data["detail"] == "Bạn không có quyền thực hiện thao tác này."
    # A step the user has no role for is both a WorkflowError and a PermissionDenied: 403.
    assert _answer(StepNotAllowed("Bạn không có quyền «Phê duyệt».")) == (
        403,
        {"detail": "Bạn không có quyền «Phê duyệt»."},
    )


@pytest.mark.parametrize("error", [WorkflowError, DraftError, CascadeError, PeriodicError, UploadRejected])
def test_refusals_of_the_services_are_400(error):
    assert _answer(error("Không được.")) == (400, {"detail": "Không được."})


def test_not_found_and_drf_errors_in_vietnamese():
    assert _answer(Http404("No Plan matches the given query.")) == (404, {"detail": "Không tìm thấy."})
    status, data = _answer(exceptions.MethodNotAllowed("PUT"), method="PUT")
    assert (status, data["detail"]) == (405, "Địa chỉ này không nhận phương thức PUT.")
    status, data = _answer(exceptions.MethodNotAllowed("POST"), SimpleNamespace(read_only=True))
    assert (status, data["detail"]) == (405, "API chỉ đọc: chỉ dùng phương thức GET.")
    status, data = _answer(exceptions.ParseError())
    assert status == 400 and data["detail"] == "Dữ liệu gửi lên không đọc được (cần JSON hợp lệ)."


def test_a_programming_error_is_not_hidden():
    assert exception_handler(ValueError("bug"), {"view": None, "request": None}) is None  # a 500


@pytest.mark.django_db
def test_read_only_endpoints_say_so(viewer_client):
    response = viewer_client.post("/api/units/", {})
    assert response.status_code == 405
    assert response.json() == {"detail": "API chỉ đọc: chỉ dùng phương thức GET."}
