"""The monitoring page: responses per service point against quota (progress bars, the furthest behind
first), and per day (an SVG chart and its table); officers see only their own unit's points."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chiso.surveys.models import Response
from chiso.surveys.services import estimates, intake

from .conftest import full_answers

pytestmark = pytest.mark.django_db


def _at(row, days_ago):
    Response.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))


def test_the_monitor_shows_quotas_and_days(client, scene, survey):
    for days_ago, point in [(3, "QNG-STP"), (3, "QNG-STP"), (1, "QNG-SYT"), (0, "QNG-STP")]:
        _at(intake.submit(survey, full_answers(), point=point, mode="api"), days_ago)
    days = estimates.daily(survey)
    assert [n for _d, n in days] == [2, 0, 1, 1]  # a day without responses is there, with 0
    client.force_login(scene.viewer)
    html = client.get(f"/khao-sat/{survey.pk}/theo-doi/").content.decode().replace("\xa0", " ")
    assert "Đã thu 4 / " in html
    points = html[html.index('id="points"') :]
    # Sở Tư pháp: target 292, 3 collected → 1 %; the point furthest behind comes first
    assert points.index("Sở Tư pháp") < points.index("Sở Y tế")
    assert 'width="1"' in points
    today = timezone.localdate()
    assert (today - dt.timedelta(days=3)).strftime("%d/%m/%Y") in html
    svg = client.get(f"/khao-sat/{survey.pk}/theo-doi/theo-ngay.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content and "Chỉ tiêu".encode() in svg.content


def test_an_officer_monitors_only_her_units_point(client, scene, survey):
    intake.submit(survey, full_answers(), point="QNG-SYT", mode="api")
    client.force_login(scene.officer_tp)
    html = client.get(f"/khao-sat/{survey.pk}/theo-doi/").content.decode()
    assert "Sở Tư pháp" in html and "Sở Y tế" not in html and "Đã thu 0 /" in html


@pytest.mark.parametrize("who", ["outsider", "officer_yt"])
def test_others_do_not_monitor(client, scene, survey, who):
    from chiso.units.models import Unit

    if who == "officer_yt":  # an officer of a unit outside the frame
        other = Unit.objects.create(kind="department", code="OTHER", name="Sở khác")
        from chiso.accounts.models import Membership

        Membership.objects.filter(user=scene.officer_yt).update(unit=other)
    client.force_login(getattr(scene, who))
    assert client.get(f"/khao-sat/{survey.pk}/theo-doi/").status_code in (403, 404)
    assert client.get(f"/khao-sat/{survey.pk}/theo-doi/theo-ngay.svg").status_code in (403, 404)
