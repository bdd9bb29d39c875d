"""Fixtures of the assessment tests: the merged Quảng Ngãi's own index of its departments (the illustrative
demo framework, installed as the province's), three departments with an officer each, a coordinator, an
appraiser assigned to two departments, and `open_round(...)`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F

from chiso.accounts.models import Membership
from chiso.core.framework import load_yaml
from chiso.frameworks.services import install_framework
from chiso.units.models import Unit

DEMO_FRAMEWORK = Path(__file__).resolve().parents[2] / "data" / "demo" / "frameworks" / "cchc-so-2025.yaml"


def _user(username: str, role: str | None = None, unit: Unit | None = None):
    user = get_user_model().objects.create_user(
        username=username, password="x", email=f"{username}@example.vn"
    )
    if role and unit:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def scene(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    province = (
        Unit.objects.filter(kind="province", code="51")
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )
    framework, _ = install_framework(load_yaml(DEMO_FRAMEWORK), owner=province)
    tuphap = Unit.objects.create(kind="department", code="QNG-STP", name="Sở Tư pháp", parent=province)
    yte = Unit.objects.create(kind="department", code="QNG-SYT", name="Sở Y tế", parent=province)
    xd = Unit.objects.create(kind="department", code="QNG-SXD", name="Sở Xây dựng", parent=province)
    return SimpleNamespace(
        province=province,
        framework=framework,
        tuphap=tuphap,
        yte=yte,
        xd=xd,
        coordinator=_user("dp", "coordinator", province),
        leader=_user("ld", "leader", province),
        appraiser=_user("td", "appraiser", province),
        officer_tp=_user("cb_tp", "officer", tuphap),
        officer_yt=_user("cb_yt", "officer", yte),
        officer_xd=_user("cb_xd", "officer", xd),
        outsider=_user("ngoai"),
    )


@pytest.fixture
def open_round(scene):
    from chiso.assessment.models import Assignment
    from chiso.assessment.services.rounds import open_round as open_

    def build(**deadlines):
        rnd = open_(
            scene.framework,
            2025,
            scene.province,
            "department",
            scene.coordinator,
            deadlines={
                "self": deadlines.get("self", dt.date(2026, 1, 15)),
                "appraisal": deadlines.get("appraisal", dt.date(2026, 1, 31)),
                "explanation": deadlines.get("explanation", dt.date(2026, 2, 10)),
                "final": deadlines.get("final", dt.date(2026, 2, 20)),
            },
        )
        a = Assignment.objects.create(round=rnd, user=scene.appraiser)
        a.units.set([scene.tuphap, scene.yte])
        return rnd

    return build
