"""The scene of the province-round pages and endpoints (issue 8, point 7): the merged Quảng Ngãi's own PAR
INDEX self-assessment on the test structure of ``test_province_mode`` (appraisal fields F1–F3, the survey
and socio-economic blocks carried), its responsibility map (F1: Sở Nội vụ leads, Sở Tư pháp coordinates;
F2: Sở Tư pháp leads, Sở Nội vụ and Sở Y tế coordinate; the appraisal block: Sở Nội vụ), the departments
assigned, deadlines ahead of today, a draft plan of the province on the PAR INDEX, and one user per role:
``ROLES`` — the coordinator, leader and viewer of the province, an officer of an assigned department (Sở Tư
pháp), an officer of a department not assigned (Sở Xây dựng), an appraiser of the province, a signed-in
account without any role, anonymous."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import yaml
from django.test import Client
from django.utils import timezone

from chiso.accounts.models import Membership
from chiso.assessment.services import province as svc
from chiso.assessment.services import rounds
from chiso.core.framework import parse_dict
from chiso.frameworks.services import install_framework
from chiso.plans.models import Responsibility
from chiso.units.models import Unit

from .test_province_mode import PAR_TEST

ROLES = (
    "coordinator",
    "leader",
    "viewer",
    "officer_assigned",
    "officer_other",
    "appraiser",
    "outsider",
    "anonymous",
)

MINISTRY_CSV = (
    "STT,Mã tiêu chí,Tên tiêu chí,Điểm thẩm định,Ý kiến thẩm định\n"
    "1,F1,Công tác chỉ đạo,17,Thiếu kế hoạch kiểm tra\n"
    '2,F2,Cải cách thể chế,"19,5",\n'
    '3,F3,Cải cách TTHC,"16,5",Tỷ lệ hồ sơ trực tuyến thấp\n'
).encode()


def ahead(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def codes(
    coordinator, leader, viewer, officer_assigned, officer_other, appraiser, outsider=403, anonymous=302
):
    return dict(
        zip(
            ROLES,
            (coordinator, leader, viewer, officer_assigned, officer_other, appraiser, outsider, anonymous),
            strict=True,
        )
    )


def build(world, make_plan) -> SimpleNamespace:
    from .conftest import _user

    framework, _ = install_framework(parse_dict(yaml.safe_load(PAR_TEST)))
    for code, lead, coordinating in (("F1", world.noivu, [world.tuphap]), ("APPRAISAL", world.noivu, []),
                                     ("F2", world.tuphap, [world.noivu, world.yte])):  # fmt: skip
        row = Responsibility.objects.create(
            province=world.province, index="par", node_code=code, lead_unit=lead
        )
        row.coordinating_units.set(coordinating)
    xd = Unit.objects.create(kind="department", code="QNG-SXD", name="Sở Xây dựng", parent=world.province)
    officer_xd = _user("canbo_xd", "officer", xd)
    appraiser = _user("thamdinh_kh")
    Membership.objects.create(user=appraiser, unit=world.province, role="appraiser")
    rnd = rounds.open_round(
        framework, 2025, world.province, "province", world.coordinator,
        deadlines={"self": ahead(10), "appraisal": ahead(20), "explanation": ahead(30), "final": ahead(40)},
    )  # fmt: skip
    svc.assign_departments(rnd, world.coordinator)
    plan = make_plan(indices=["par"], year=2026, title="Kế hoạch cải thiện Chỉ số CCHC năm 2026")
    users = {
        "coordinator": world.coordinator,
        "leader": world.leader,
        "viewer": world.viewer,
        "officer_assigned": world.officer_tp,
        "officer_other": officer_xd,
        "appraiser": appraiser,
        "outsider": world.outsider,
        "anonymous": None,
    }

    def client_for(role: str) -> Client:
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        return client

    return SimpleNamespace(
        **vars(world),
        framework=framework,
        round=rnd,
        sheet=rnd.sheets.get(),
        xd=xd,
        officer_xd=officer_xd,
        appraiser=appraiser,
        plan=plan,
        users=users,
        client_for=client_for,
    )


def consolidate_all(scene, values=(("F1", 18), ("F2", 20), ("F3", 18))) -> None:
    for code, value in values:
        svc.consolidate(scene.round, scene.coordinator, code, entry={"score": value})


def to_appraisal(scene):
    """The self-assessment consolidated, the round moved to the ministry's appraisal."""
    consolidate_all(scene)
    scene.round = rounds.advance(scene.round, scene.coordinator)
    return scene.round
