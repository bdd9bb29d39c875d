"""REST API of the appraisers of a round (phân công thẩm định): list, add, read, change, remove. Rules:
chiso.assessment.services.assignments; who may read: those who oversee the province (an appraiser reads
her own); who may change: its coordinators, until the round closes."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chiso.assessment import permissions as perms
from chiso.assessment.models import Assignment, Round
from chiso.assessment.services.assignments import delete_assignment, save_assignment
from chiso.units.models import Unit

from .assessment import ROUND_ID, TAG_ASSIGNMENTS, AssessmentApi, visible_round
from .common import AS_PUT, DELETED, E409_STATE, PK, VietnameseMixin, read_responses, write_responses

__all__ = ["AssignmentDetailView", "AssignmentSerializer", "RoundAssignmentListView"]


class AssignmentSerializer(VietnameseMixin, serializers.ModelSerializer):
    user = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        help_text="Tên đăng nhập của người thẩm định (có vai trò tại tỉnh).",
    )
    user_name = serializers.SerializerMethodField(help_text="Họ tên người thẩm định.")
    units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        many=True,
        required=False,
        help_text="Mã số (id) các đơn vị được phân công; rỗng: mọi đơn vị của đợt.",
    )
    unit_names = serializers.SerializerMethodField()
    criteria = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text='Mã các tiêu chí được phân công, ví dụ ["1.3", "2.1"]; rỗng: mọi tiêu chí.',
    )

    class Meta:
        model = Assignment
        fields = ["id", "round", "user", "user_name", "units", "unit_names", "criteria"]
        read_only_fields = ["round"]
        validators: list = []  # one appraiser per round: the service says so, in Vietnamese

    def get_user_name(self, obj: Assignment) -> str:
        return obj.user.get_full_name() or obj.user.username

    def get_unit_names(self, obj: Assignment) -> list[str]:
        return [u.name for u in obj.units.all()]


def _save(
    request: Request, rnd: Round, assignment: Assignment | None, code: int, *, partial=False
) -> Response:
    data = AssignmentSerializer(assignment, data=request.data, partial=partial)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    a = save_assignment(
        rnd,
        request.user,
        v.get("user", assignment.user if assignment else None),
        units=v.get("units", list(assignment.units.all()) if assignment else []),
        criteria=v.get("criteria", assignment.criteria if assignment else []),
        assignment=assignment,
    )
    return Response(AssignmentSerializer(a).data, status=code)


def _require_run(user, rnd: Round) -> None:
    if not perms.can_run(user, rnd):
        raise PermissionDenied("Chỉ chuyên viên điều phối của tỉnh phân công thẩm định.")


@extend_schema_view(
    get=extend_schema(
        summary="Phân công thẩm định của đợt",
        description="Người điều phối, lãnh đạo, người xem của tỉnh thấy mọi phân công; thành viên thẩm định thấy "
        "phân công của mình; người khác: 403.",
        responses=read_responses(AssignmentSerializer, many=True),
    ),
    post=extend_schema(
        summary="Phân công thẩm định",
        description="Chuyên viên điều phối của tỉnh, khi đợt chưa kết thúc. Người thẩm định có vai trò tại tỉnh; đơn "
        "vị thuộc đợt; tiêu chí là tiêu chí được thẩm định (không phải tiêu chí khảo sát).",
        request=AssignmentSerializer,
        responses=write_responses(AssignmentSerializer, 201, conflict=True),
    ),
)
@extend_schema(tags=[TAG_ASSIGNMENTS], parameters=[ROUND_ID])
class RoundAssignmentListView(AssessmentApi, APIView):
    def get(self, request: Request, round_id: int) -> Response:
        rnd = visible_round(self.user, round_id)
        qs = (
            Assignment.objects.filter(round=rnd)
            .select_related("user")
            .prefetch_related("units")
            .order_by("pk")
        )
        if not perms.can_view_assignments(self.user, rnd):
            if perms.assignment(self.user, rnd) is None:
                raise PermissionDenied(
                    "Chỉ người điều phối, lãnh đạo, người xem của tỉnh và thành viên thẩm định xem được phân công."
                )
            qs = qs.filter(user=self.user)
        return Response(AssignmentSerializer(qs, many=True).data)

    def post(self, request: Request, round_id: int) -> Response:
        rnd = visible_round(self.user, round_id)
        _require_run(self.user, rnd)
        return _save(request, rnd, None, status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Một phân công thẩm định", responses=read_responses(AssignmentSerializer)),
    put=extend_schema(
        summary="Sửa phân công thẩm định",
        description="Chuyên viên điều phối của tỉnh, khi đợt chưa kết thúc.",
        request=AssignmentSerializer,
        responses=write_responses(AssignmentSerializer, conflict=True),
    ),
    patch=extend_schema(
        summary="Sửa một phần phân công thẩm định",
        description=AS_PUT,
        request=AssignmentSerializer,
        responses=write_responses(AssignmentSerializer, conflict=True),
    ),
    delete=extend_schema(
        summary="Bỏ phân công thẩm định",
        description="Chuyên viên điều phối của tỉnh, khi đợt chưa kết thúc (đã kết thúc: 409).",
        responses={**DELETED, 409: E409_STATE},
    ),
)
@extend_schema(tags=[TAG_ASSIGNMENTS], parameters=[PK])
class AssignmentDetailView(AssessmentApi, APIView):
    def _object(self, pk: int) -> Assignment:
        a = get_object_or_404(
            Assignment.objects.select_related("round__framework", "round__province", "user"), pk=pk
        )
        if not perms.visible_rounds(self.user).filter(pk=a.round_id).exists():
            raise Http404
        if not perms.can_view_assignments(self.user, a.round) and a.user_id != self.user.pk:
            raise PermissionDenied(
                "Chỉ người điều phối, lãnh đạo, người xem của tỉnh và người được phân công xem được."
            )
        return a

    def get(self, request: Request, pk: int) -> Response:
        return Response(AssignmentSerializer(self._object(pk)).data)

    def put(self, request: Request, pk: int) -> Response:
        a = self._object(pk)
        _require_run(self.user, a.round)
        return _save(request, a.round, a, status.HTTP_200_OK)

    def patch(self, request: Request, pk: int) -> Response:
        a = self._object(pk)
        _require_run(self.user, a.round)
        return _save(request, a.round, a, status.HTTP_200_OK, partial=True)

    def delete(self, request: Request, pk: int) -> Response:
        a = self._object(pk)
        delete_assignment(a, self.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
