"""Staff pages of surveys (thin: permissions ask ``chiso.surveys.permissions``, writes go through
``chiso.surveys.services``)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from . import permissions
from .models import Survey


def visible_surveys(user):
    from chiso.accounts.scope import covered

    scope = covered(user, permissions.READ_ROLES + permissions.ENTRY_ROLES)
    qs = Survey.objects.select_related("province")
    if scope is None:
        return qs
    return qs.filter(province_id__in=scope) | qs.filter(points__unit_id__in=scope).distinct()


def survey_list(request):
    return render(request, "surveys/list.html", {"surveys": visible_surveys(request.user)})


def survey_detail(request, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    if not permissions.sees_survey(request.user, survey):
        raise Http404
    return render(request, "surveys/detail.html", {"survey": survey})
