"""Fixtures of the survey tests: the merged Quảng Ngãi (code 51) with two departments and a commune, an
officer of one department, a coordinator, a viewer and an outsider; `survey` — a SIPAS survey of the
province, created from the shipped template, open for responses, with dossier counts in its frame."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F

from chiso.accounts.models import Membership
from chiso.units.models import Unit


def _user(username: str, role: str | None = None, unit: Unit | None = None):
    user = get_user_model().objects.create_user(username=username, password="x")
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
    tuphap = Unit.objects.create(kind="department", code="QNG-STP", name="Sở Tư pháp", parent=province)
    yte = Unit.objects.create(kind="department", code="QNG-SYT", name="Sở Y tế", parent=province)
    xa = Unit.objects.create(
        kind="ward", code="99901", name="Xã Thử Nghiệm", short_name="Thử Nghiệm", parent=province
    )
    return SimpleNamespace(
        province=province,
        tuphap=tuphap,
        yte=yte,
        xa=xa,
        coordinator=_user("dp", "coordinator", province),
        leader=_user("ld", "leader", province),
        viewer=_user("xem", "viewer", province),
        officer_tp=_user("cb_tp", "officer", tuphap),
        officer_yt=_user("cb_yt", "officer", yte),
        outsider=_user("ngoai"),
    )


@pytest.fixture
def survey(scene):
    from chiso.surveys.services import frame, questionnaire

    s = questionnaire.create_survey("sipas", scene.province, 2026, scene.coordinator)
    frame.set_dossiers(s, {"QNG-STP": 1200, "QNG-SYT": 800, "99901": 300}, scene.coordinator)
    return frame.step(s, "open", scene.coordinator)


def full_answers(level: int = 4, **extra):
    """A complete answer to the SIPAS template: every 1–5 item at ``level``, q8_7 "Không"."""
    answers = {"q8_7": 2}
    answers.update({f"q9_sat_{i}": level for i in range(24, 37)})
    answers.update(extra)
    return answers
