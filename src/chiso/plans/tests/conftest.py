"""Shared fixtures of the plans tests: the merged Quảng Ngãi (code 51) with three departments and two
communes, one user per role, and plans in a chosen workflow state.

Use `make_plan(status=..., tasks=[...])` to build a plan; `world` holds the units and users."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F

from chiso.accounts.models import Membership
from chiso.plans.models import Plan, Target, Task
from chiso.units.models import Unit


def _member(username: str, role: str | None, unit: Unit | None):
    user = get_user_model().objects.create_user(
        username=username, password="mat-khau-thu-nghiem", email=f"{username}@example.vn"
    )
    if role and unit:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def world(db):
    province = (
        Unit.objects.filter(kind="province", code="51")
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )
    noivu = Unit.objects.create(kind="department", code="QNG-SNV", name="Sở Nội vụ", parent=province)
    tuphap = Unit.objects.create(kind="department", code="QNG-STP", name="Sở Tư pháp", parent=province)
    yte = Unit.objects.create(kind="department", code="QNG-SYT", name="Sở Y tế", parent=province)
    xa1 = Unit.objects.create(kind="ward", code="QNG-X1", name="Xã Đăk Hà", parent=province, subtype="Xã")
    xa2 = Unit.objects.create(
        kind="ward", code="QNG-X2", name="Phường Kon Tum", parent=province, subtype="Phường"
    )
    w = SimpleNamespace(
        province=province,
        noivu=noivu,
        tuphap=tuphap,
        yte=yte,
        xa1=xa1,
        xa2=xa2,
        coordinator=_member("dieuphoi_kh", "coordinator", province),
        leader=_member("lanhdao", "leader", province),
        viewer=_member("xem_kh", "viewer", province),
        admin=_member("quantri_kh", "admin", province),
        officer_tp=_member("canbo_tuphap", "officer", tuphap),
        officer_yt=_member("canbo_yte", "officer", yte),
        officer_xa=_member("canbo_xa1", "officer", xa1),
        outsider=_member("nguoingoai_kh", None, None),
    )
    return w


@pytest.fixture
def make_plan(world):
    """make_plan(status="issued", tasks=[dict(text=..., lead_unit=..., coordinating=[...], deadline=...)])"""

    def build(status: str = "draft", tasks=(), targets=(), **fields) -> Plan:
        plan = Plan.objects.create(
            issuing_unit=fields.pop("issuing_unit", world.province),
            title=fields.pop("title", "Kế hoạch cải thiện, nâng cao Chỉ số PAPI năm 2025"),
            year=fields.pop("year", 2025),
            results_year=fields.pop("results_year", 2024),
            indices=fields.pop("indices", ["papi"]),
            place=fields.pop("place", "Quảng Ngãi"),
            status=status,
            number=fields.pop("number", "123" if status in ("issued", "closed") else ""),
            date=fields.pop("date", dt.date(2025, 3, 15) if status in ("issued", "closed") else None),
            created_by=world.coordinator,
            **fields,
        )
        for i, spec in enumerate(tasks, start=1):
            spec = dict(spec)
            coordinating = spec.pop("coordinating", [])
            task = Task.objects.create(plan=plan, order=i, index=spec.pop("index", "papi"), **spec)
            task.coordinating_units.set(coordinating)
        for i, spec in enumerate(targets, start=1):
            Target.objects.create(plan=plan, order=i, **spec)
        return plan

    return build
