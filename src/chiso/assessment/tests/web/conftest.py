"""Fixtures of the web UI tests (pages and actions of rounds, sheets, evidence). ``ui``: the assessment
``scene`` (Quảng Ngãi's department index, three departments with an officer each, a coordinator, a
leader, an appraiser assigned Sở Tư pháp and Sở Y tế) plus a viewer, a second appraiser assigned only Sở Xây dựng, and an issued plan of the province whose task
for Sở Tư pháp serves criterion 2.1 of the index, reported done with its product. The round is open with
deadlines ahead of today. ``ui.client_for(role)`` signs a test client in as one of ``ROLES``."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from chiso.accounts.models import Membership
from chiso.assessment.models import Assignment

from ..conftest import _user

ROLES = (
    "coordinator",
    "leader",
    "viewer",
    "officer_unit",
    "officer_other",
    "appraiser_assigned",
    "appraiser_other",
    "outsider",
    "anonymous",
)


def ahead(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def ui(scene, open_round):
    from chiso.plans.models import Plan, Task
    from chiso.tracking.models import ProgressReport

    rnd = open_round(self=ahead(10), appraisal=ahead(20), explanation=ahead(30), final=ahead(40))
    viewer = _user("xem", "viewer", scene.province)
    other = _user("td2")
    Membership.objects.create(user=other, unit=scene.province, role="appraiser")
    Assignment.objects.create(round=rnd, user=other).units.set([scene.xd])
    plan = Plan.objects.create(
        issuing_unit=scene.province,
        title="Kế hoạch cải cách hành chính năm 2025",
        year=2025,
        indices=["cchc-so"],
        status="issued",
        number="15",
        date=dt.date(2025, 1, 10),
    )
    task = Task.objects.create(
        plan=plan,
        order=1,
        text="Rà soát, hệ thống hóa văn bản quy phạm pháp luật của tỉnh",
        index="cchc-so",
        nodes=["2.1", "2.2"],
        lead_unit=scene.tuphap,
        product="Quyết định công bố kết quả hệ thống hóa",
    )
    report = ProgressReport.objects.create(
        task=task,
        unit=scene.tuphap,
        period="2025",
        state="done",
        percent=100,
        product_number="15/QĐ-UBND",
        product_date=dt.date(2025, 3, 1),
        product_issuer="UBND tỉnh",
    )
    users = {
        "coordinator": scene.coordinator,
        "leader": scene.leader,
        "viewer": viewer,
        "officer_unit": scene.officer_tp,
        "officer_other": scene.officer_yt,
        "appraiser_assigned": scene.appraiser,
        "appraiser_other": other,
        "outsider": scene.outsider,
        "anonymous": None,
    }

    def client_for(role: str) -> Client:
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        return client

    return SimpleNamespace(
        **vars(scene),
        round=rnd,
        sheet=rnd.sheets.get(unit=scene.tuphap),
        viewer=viewer,
        appraiser_other=other,
        plan=plan,
        task=task,
        report=report,
        users=users,
        client_for=client_for,
    )
