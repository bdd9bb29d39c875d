"""What the assessment API's modules share (rounds, sheets and scores, evidence, score imports,
assignments): the base of the views, the round and the sheet a URL names (404 outside what the user may
see: ``chiso.assessment.permissions``), the enums documented as named components, and the 409 answer of
a stale save.

Every write goes through ``chiso.assessment.services``, which check the rules and the permissions: 403
with the reason when the user sees the object but may not do this, 400 with the messages in Vietnamese
(``{"criterion code or field": ["…"]}``) on bad input — nothing is changed then — and 409 Conflict when
someone saved a criterion after the client read it (the ``version`` it sent is stale).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from chiso.assessment import permissions as perms
from chiso.assessment.models import Round, Sheet
from chiso.assessment.services.imports import STAGES

from .common import _named_choice
from .permissions import CanViewData

TAG_ROUNDS = "Đợt đánh giá"
TAG_SHEETS = "Phiếu chấm điểm"
TAG_EVIDENCE = "Tài liệu kiểm chứng"
TAG_ASSIGNMENTS = "Phân công thẩm định"

ROUND_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Mã số (id) đợt đánh giá.")
ROUND_ID = OpenApiParameter("round_id", int, OpenApiParameter.PATH, description="Mã số (id) đợt đánh giá.")
SHEET_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Mã số (id) phiếu chấm điểm.")
E409 = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='Có người đã lưu tiêu chí sau khi bạn đọc nó (version đã cũ): {"mã tiêu chí": ["… đã sửa '
    'tiêu chí này lúc …; hãy tải lại …"]} cùng mọi lỗi khác của lần ghi; hoặc giai đoạn không mở (đã khoá, '
    'hết hạn, đợt đã kết thúc): {"non_field_errors": ["…"]}. Không có gì bị thay đổi.',
)


class VersionRequiredSerializer(serializers.Serializer):
    """Không ghi: sửa tiêu chí đã có điểm mà không gửi version đã đọc."""

    detail = serializers.CharField(
        help_text="Thông báo (tiếng Việt): các tiêu chí cần version, version hiện tại."
    )
    versions = serializers.DictField(
        child=serializers.IntegerField(), help_text='version hiện tại theo mã tiêu chí, ví dụ {"1.3": 4}.'
    )


E428_SCORES = OpenApiResponse(
    VersionRequiredSerializer,
    description="Sửa tiêu chí đã có điểm mà không gửi version đã đọc: không ghi gì; đọc lại (hoặc dùng version "
    "trong versions nếu bạn chắc đã thấy điểm hiện tại) rồi gửi lại.",
)

RoundStatusField, ROUND_STATUSES = _named_choice(
    "RoundStatusEnum",
    Round.workflow().choices(),
    "Giai đoạn của đợt đánh giá (chiso/data/workflows/assessment.yaml).",
)
ScopeField, SCOPES = _named_choice("RoundScopeEnum", Round.Scope.choices, "Đơn vị được đánh giá.")
SheetStateField, SHEET_STATES = _named_choice(
    "SheetStateEnum", Sheet.State.choices, "Tình trạng tự đánh giá của đơn vị."
)
WORKS = [
    ("self", "Tự đánh giá (đơn vị)"),
    ("appraisal", "Thẩm định (thành viên thẩm định)"),
    ("explanation", "Giải trình (đơn vị)"),
    ("final", "Thẩm định lại (thành viên thẩm định)"),
]
WorkField, WORK_CHOICES = _named_choice("WorkEnum", WORKS, "Công việc trên phiếu chấm điểm.")
ImportStageField, IMPORT_STAGES = _named_choice(
    "ImportStageEnum", [(k, str(v)) for k, v in STAGES.items()], "Giai đoạn của điểm trong tệp nhập."
)
CriterionKindField, CRITERION_KINDS = _named_choice(
    "CriterionKindEnum",
    [
        ("typed", "Nhập điểm"),
        ("rule", "Tính từ số liệu theo quy tắc của bộ chỉ số"),
        ("survey", "Lấy từ kết quả khảo sát (nhập từ tệp)"),
    ],
    "Cách chấm tiêu chí.",
)


def commit_field() -> serializers.BooleanField:
    """The ``commit`` of a request that imports a file: write all or nothing, or only preview."""
    return serializers.BooleanField(
        required=False, default=False, help_text="true: ghi tất cả hoặc không ghi gì; false: chỉ xem trước."
    )


def source_field(help_text: str) -> serializers.CharField:
    """The ``source`` of a request that imports a file: kept on every score written (optional)."""
    return serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text=help_text
    )


def file_import(serializer_class, request) -> tuple[dict, bytes, str, int]:
    """A request that imports a file, parsed by ``serializer_class`` (400 on bad input): its fields, the
    file's content and name, and the largest file accepted."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    return v, v["file"].read(), v["file"].name, settings.CHISO_MAX_IMPORT_BYTES


class AssessmentApi:
    """Every assessment endpoint: the chiso.view_data rule (errors in Vietnamese: chiso.api.errors)."""

    permission_classes = [CanViewData]

    @property
    def user(self):
        return self.request.user

    def fake(self) -> bool:
        """The schema generator is calling (no request user, no object)."""
        return getattr(self, "swagger_fake_view", False)


def visible_round(user, pk: int) -> Round:
    return get_object_or_404(perms.visible_rounds(user).select_related("framework__index", "province"), pk=pk)


def visible_sheet(user, pk: int) -> Sheet:
    sheet = get_object_or_404(
        Sheet.objects.select_related("round__framework__index", "round__province", "unit"), pk=pk
    )
    if not perms.can_view_sheet(user, sheet):
        raise Http404
    return sheet
