"""A plan drafted late (results published in the year they should already be acted on) is for the year
the coordinator chooses: its title, targets and task deadlines follow; an implausible year is refused."""

from __future__ import annotations

import pytest

from chiso.plans.models import Plan
from chiso.plans.services.drafting import DraftError, draft_plan
from chiso.plans.services.library import load_shipped_library
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


def test_plan_year_chosen_by_the_coordinator(world):
    load_shipped_library()
    kontum = Unit.objects.get(kind="province", code="62")
    plan = draft_plan("papi", kontum, 2024, {"places": 5}, world.coordinator, plan_year=2026)
    assert (plan.year, plan.results_year) == (2026, 2024)
    assert plan.title.endswith("năm 2026")
    assert plan.targets.first().label.startswith("Phấn đấu Chỉ số PAPI năm 2026")
    dates = [t.deadline or t.first_due for t in plan.tasks.all()]
    assert dates and all(d.year == 2026 for d in dates)


@pytest.mark.parametrize("plan_year", [2024, 2030])
def test_implausible_plan_year_is_refused_and_nothing_is_created(world, plan_year):
    kontum = Unit.objects.get(kind="province", code="62")
    with pytest.raises(DraftError, match="Năm thực hiện kế hoạch phải từ 2025 đến 2029"):
        draft_plan("papi", kontum, 2024, {"places": 5}, world.coordinator, plan_year=plan_year)
    assert not Plan.objects.exists()


def test_the_page_takes_the_plan_year(client, world):
    load_shipped_library()
    kontum = Unit.objects.get(kind="province", code="62")
    client.force_login(world.coordinator)
    r = client.post(
        "/ke-hoach/lap-tu-phan-tich/",
        {
            "index": "papi",
            "unit": kontum.pk,
            "year": 2024,
            "ambition": "places",
            "value": "3",
            "weakest": 3,
            "plan_year": 2026,
        },
    )
    assert r.status_code == 302
    assert Plan.objects.get().year == 2026
