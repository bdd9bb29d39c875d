"""Public intake of survey responses: ``POST /api/public/surveys/<id>/responses/``. No sign-in and no CSRF
token by design (a citizen's phone, a counter's tablet, another survey tool posting for them); rate-limited
per salted hash of the sender's address (``CHISO_SURVEY_RATE_LIMIT``). Rules: chiso.surveys.services.intake.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.surveys.models import Response as SurveyResponse
from chiso.surveys.services import intake

from .common import ERR, FIELD_ERRORS
from .parsers import JSONParser

__all__ = ["PublicResponseView", "answer"]


class PublicResponseInSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text="Câu trả lời theo mã câu hỏi: thang 1–5 và chọn một: số nguyên; chọn nhiều: danh sách số; "
        'số: số; ý kiến: chữ. Ví dụ {"q9_sat_24": 5, "gender": 2}.'
    )
    service_point = serializers.CharField(
        required=False, allow_blank=True, help_text="Mã điểm phục vụ (có thể trống)."
    )
    dossier = serializers.CharField(
        required=False, allow_blank=True, help_text="Mã hồ sơ (có thể trống; mỗi mã một phiếu)."
    )


class ReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField(help_text="Mã biên nhận của phiếu (người trả lời giữ nếu muốn).")


@extend_schema(
    tags=["Khảo sát (công khai)"],
    summary="Gửi một phiếu trả lời khảo sát (không cần đăng nhập)",
    request=PublicResponseInSerializer,
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Mã số cuộc khảo sát.")],
    responses={
        201: ReceiptSerializer,
        400: FIELD_ERRORS,
        404: OpenApiResponse(ERR, description="Không có cuộc khảo sát này."),
        409: OpenApiResponse(ERR, description="Mã hồ sơ này đã có phiếu trả lời trong cuộc khảo sát."),
        429: OpenApiResponse(ERR, description="Quá nhiều phiếu từ cùng một địa chỉ trong giờ này."),
    },
    examples=[
        OpenApiExample(
            "Phiếu",
            value={"answers": {"q8_7": 2, "q9_sat_24": 5}, "service_point": "000.00.01.H37", "dossier": ""},
            request_only=True,
        )
    ],
)
class PublicResponseView(APIView):
    authentication_classes: list = []
    parser_classes = [JSONParser]
    permission_classes = [AllowAny]

    def post(self, request: Request, pk: int) -> Response:
        code, payload = answer(pk, request.data, intake.client_address(request.META))
        return Response(payload, status=code)


def answer(pk: int, body: Any, client: str) -> tuple[int, dict[str, Any]]:
    """The intake's answer to one posted body (already read as JSON): the HTTP status and the JSON object
    sent back. The view above and the intake's own path (``chiso.api.intake_path``) both answer with it."""
    survey = intake.survey_to_submit(pk)
    if survey is None:
        return status.HTTP_404_NOT_FOUND, {"detail": str(intake.NoSurvey())}
    if not isinstance(body, dict):
        return status.HTTP_400_BAD_REQUEST, {"detail": "Dữ liệu không hợp lệ: cần một đối tượng JSON."}
    unknown = sorted(set(body) - {"answers", "service_point", "dossier"})
    if unknown:
        return status.HTTP_400_BAD_REQUEST, {
            "non_field_errors": [f"Trường không có: {', '.join(map(str, unknown))[:200]}."]
        }
    point, dossier = body.get("service_point") or "", body.get("dossier") or ""
    if not isinstance(point, str) or not isinstance(dossier, str):
        return status.HTTP_400_BAD_REQUEST, {
            "non_field_errors": ["“service_point” và “dossier” phải là chuỗi ký tự."]
        }
    try:
        row = intake.submit(
            survey,
            body.get("answers"),
            point=point,
            dossier=dossier,
            mode=SurveyResponse.Mode.API,
            client=client,
        )
    except intake.NoSurvey as exc:  # deleted since this worker last read it
        return status.HTTP_404_NOT_FOUND, {"detail": str(exc)}
    except ValidationError as exc:
        return status.HTTP_400_BAD_REQUEST, exc.message_dict
    except intake.DuplicateDossier as exc:
        return status.HTTP_409_CONFLICT, {"detail": str(exc)}
    except intake.RateLimited as exc:
        return status.HTTP_429_TOO_MANY_REQUESTS, {"detail": str(exc)}
    return status.HTTP_201_CREATED, {"receipt": row.receipt}
