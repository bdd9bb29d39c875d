"""Public intake of survey responses: ``POST /api/public/surveys/<id>/responses/``. No sign-in and no CSRF
token by design (a citizen's phone, a counter's tablet, another survey tool posting for them); rate-limited
per salted hash of the sender's address (``CHISO_SURVEY_RATE_LIMIT``). Rules: chiso.surveys.services.intake.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.surveys.models import Response as SurveyResponse
from chiso.surveys.services import estimates, intake

from .common import ERR, FIELD_ERRORS, ApiView, data_responses
from .errors import InvalidInput
from .parsers import JSONParser

__all__ = ["PublicResponseView", "SurveyEstimatesView", "SurveyQuotasView", "answer"]


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


# --- a survey's estimates and quotas, for the province's staff (read-only) -------------------------

TAG_SURVEYS = "Khảo sát"


class EstimateRowSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="Số câu trả lời hợp lệ.")
    satisfied_pct = serializers.FloatField(
        allow_null=True, help_text="% hài lòng (mức 4–5), có gia quyền nếu chọn."
    )
    mean = serializers.FloatField(allow_null=True, help_text="Điểm trung bình (1–5).")
    ci_low = serializers.FloatField(allow_null=True, help_text="Cận dưới khoảng tin cậy 95 % của % hài lòng.")
    ci_high = serializers.FloatField(
        allow_null=True, help_text="Cận trên khoảng tin cậy 95 % của % hài lòng."
    )
    mean_ci_low = serializers.FloatField(allow_null=True)
    mean_ci_high = serializers.FloatField(allow_null=True)
    publishable = serializers.BooleanField(help_text="Đủ cỡ mẫu tối thiểu (min_n) để công bố.")
    unweighted_satisfied_pct = serializers.FloatField(
        allow_null=True, help_text="% hài lòng không gia quyền."
    )
    unweighted_mean = serializers.FloatField(allow_null=True)


class EstimateItemSerializer(EstimateRowSerializer):
    code = serializers.CharField(help_text="Mã câu hỏi thang 1–5.")


class EstimateElementSerializer(EstimateRowSerializer):
    code = serializers.CharField(help_text="Mã nhóm câu hỏi (yếu tố).")
    label = serializers.CharField()


class EstimatesSerializer(serializers.Serializer):
    survey = serializers.IntegerField()
    n = serializers.IntegerField(help_text="Số phiếu tính vào ước lượng.")
    weighted = serializers.BooleanField()
    method = serializers.CharField(
        help_text="Cách tính khoảng tin cậy (linearisation: tuyến tính hoá Taylor)."
    )
    confidence = serializers.FloatField()
    min_n = serializers.IntegerField(help_text="Cỡ mẫu tối thiểu để một số liệu được công bố.")
    items = EstimateItemSerializer(many=True)
    elements = EstimateElementSerializer(many=True)
    overall = EstimateRowSerializer()
    notes = serializers.ListField(child=serializers.CharField(), help_text="Ghi chú về cách tính.")
    comparison = serializers.JSONField(
        allow_null=True, help_text="So sánh với SIPAS chính thức của tỉnh (null: chưa có số liệu chính thức)."
    )


class QuotaSerializer(serializers.Serializer):
    point = serializers.CharField(help_text="Mã điểm phục vụ.")
    name = serializers.CharField()
    unit = serializers.CharField(help_text="Mã đơn vị.")
    dossiers = serializers.IntegerField(help_text="Số hồ sơ trong khung mẫu.")
    target = serializers.IntegerField(
        help_text="Cỡ mẫu cần (theo sai số mong muốn, có hiệu chỉnh tổng thể hữu hạn)."
    )
    collected = serializers.IntegerField()
    remaining = serializers.IntegerField(help_text="Còn thiếu để đủ cỡ mẫu.")


def _survey_for(user, pk: int):
    from chiso.surveys import permissions as survey_perms
    from chiso.surveys.models import Survey

    survey = Survey.objects.filter(pk=pk).first()
    if survey is None:
        raise NotFound("Không có cuộc khảo sát này.")
    if not survey_perms.can_read(user, survey.province_id):
        raise PermissionDenied("Bạn không được xem kết quả của cuộc khảo sát này.")
    return survey


SURVEY_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Mã số cuộc khảo sát.")


@extend_schema(
    tags=[TAG_SURVEYS],
    summary="Ước lượng của cuộc khảo sát",
    description="Theo từng câu hỏi 1–5, từng yếu tố và chung: % hài lòng (mức 4–5) và điểm trung bình với "
    "khoảng tin cậy 95 %, có hoặc không gia quyền (trọng số thiết kế theo khung mẫu, hiệu chỉnh theo cơ cấu "
    "dân số nếu tỉnh đã nhập); kèm số liệu không gia quyền. Như lệnh `chiso survey estimates`.",
    parameters=[
        SURVEY_ID,
        OpenApiParameter("weighted", bool, description="true: có gia quyền (mặc định false)."),
    ],
    responses=data_responses(EstimatesSerializer, 400, 404, e404="Không có cuộc khảo sát này."),
)
class SurveyEstimatesView(ApiView):
    def get(self, request: Request, pk: int) -> Response:
        raw = request.query_params.get("weighted", "").strip().lower()
        if raw not in ("", "true", "false", "1", "0"):
            raise InvalidInput(f"Tham số “weighted” là true hoặc false (nhận được “{raw[:20]}”).")
        survey = _survey_for(request.user, pk)
        return Response(estimates.estimates_json(survey, request.user, weighted=raw in ("true", "1")))


@extend_schema(
    tags=[TAG_SURVEYS],
    summary="Chỉ tiêu mẫu theo điểm phục vụ",
    description="Mỗi điểm phục vụ: số hồ sơ, cỡ mẫu cần, số phiếu đã thu và số còn thiếu.",
    parameters=[SURVEY_ID],
    responses=data_responses(QuotaSerializer(many=True), 404, e404="Không có cuộc khảo sát này."),
)
class SurveyQuotasView(ApiView):
    def get(self, request: Request, pk: int) -> Response:
        survey = _survey_for(request.user, pk)
        return Response(
            [
                {
                    "point": q["point"].code,
                    "name": q["point"].name,
                    "unit": q["point"].unit.code,
                    "dossiers": q["dossiers"],
                    "target": q["target"],
                    "collected": q["collected"],
                    "remaining": q["remaining"],
                }
                for q in estimates.quotas(survey)
            ]
        )
