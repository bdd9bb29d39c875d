"""Demo data of the satisfaction survey — SYNTHETIC: every response below is generated (a seeded random
draw), not collected from anyone; the dossier counts of the frame are invented too.

``load_demo_survey()`` gives the merged Quảng Ngãi (code 51) a SIPAS-shaped survey of 2025 from the shipped
template (``data/surveys/sipas.yaml``), open for responses, whose frame is the province's departments and
communes with synthetic dossier counts, and about 3,000 synthetic responses at the nine demo departments and
twenty communes (satisfaction differing by service point, one respondent's items going together; profile
answers sometimes left out; known population margins of sex and age group so the weighted estimates rake).
Idempotent: a survey with the same title is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from chiso.surveys.models import Response, Survey
from chiso.surveys.services import frame, intake, questionnaire
from chiso.units.models import Unit

from .demo_plans import demo_province, demo_units

__all__ = ["DemoSurvey", "load_demo_survey"]

YEAR = 2025
TITLE = "Khảo sát sự hài lòng của người dân đối với sự phục vụ của các sở, ngành và UBND xã, phường năm 2025 (dữ liệu mô phỏng)"
INTRO = (
    "Dữ liệu trình diễn: các phiếu trả lời của cuộc khảo sát này do máy tạo ngẫu nhiên (mô phỏng), không phải "
    "ý kiến của người dân thật. Phiếu không hỏi họ tên, số điện thoại hay địa chỉ."
)
#: The public form refuses a response sent sooner than this after it was shown (a robot's speed).
MIN_FILL_SECONDS = 8
#: The synthetic responses are dated over the days before the demo is loaded (fewer on weekends), so the
#: monitoring page's responses by day has a collection to show.
COLLECTION_DAYS = 28
#: Known margins of the adult population (synthetic, for the demo's raking): sex and age group.
MARGINS = {
    "gender": {"1": 0.49, "2": 0.51},
    "age": {"1": 0.14, "2": 0.22, "3": 0.30, "4": 0.18, "5": 0.16},
}


@dataclass
class DemoSurvey:
    survey: Survey
    created: bool


def _answers(rng: random.Random, base: float, scale_codes: list[str]) -> dict:
    answers: dict = {}
    if rng.random() < 0.8:
        answers["gender"] = rng.choice([1, 1, 2, 2, 2])
    if rng.random() < 0.8:
        answers["age"] = rng.choices([1, 2, 3, 4, 5], weights=[10, 25, 35, 18, 12])[0]
    if rng.random() < 0.6:
        answers["ethnicity"] = 1 if rng.random() < 0.85 else 2
    complained = rng.random() < 0.2
    answers["q8_7"] = 1 if complained else 2
    # one person's answers go together: a disposition of the respondent, then each item's own part
    person = rng.gauss(0, 0.6)
    for code in scale_codes:
        if not complained and code in ("q9_sat_37", "q9_sat_38", "q9_sat_39"):
            continue
        level = base + person + rng.gauss(0, 0.55)
        answers[code] = max(1, min(5, round(level)))
    return answers


@transaction.atomic
def load_demo_survey(n_departments: int = 260, n_communes: int = 100, communes: int = 20) -> DemoSurvey:
    existing = Survey.objects.filter(title=TITLE).first()
    if existing is not None:
        return DemoSurvey(existing, False)
    province = demo_province()
    demo_units(province)  # the demo departments and communes exist
    survey = questionnaire.create_survey("sipas", province, YEAR, None, title=TITLE)
    survey.intro = INTRO
    survey.margins = MARGINS
    survey.min_fill_seconds = MIN_FILL_SECONDS
    survey.save(update_fields=["intro", "margins", "min_fill_seconds"])
    rng = random.Random(2025)
    points = list(survey.points.select_related("unit"))
    counts = {
        p.code: rng.randint(1500, 6000) if p.unit.kind != Unit.Kind.WARD else rng.randint(200, 2000)
        for p in points
    }
    frame.set_dossiers(survey, counts, None)
    survey = frame.step(survey, "open", None)
    scale_codes = questionnaire.scale_codes(survey)
    departments = [p for p in points if p.unit.kind != Unit.Kind.WARD]
    wards = [p for p in points if p.unit.kind == Unit.Kind.WARD][:communes]
    items = []
    for point in departments + wards:
        base = rng.uniform(3.3, 4.5)
        n = n_departments if point in departments else n_communes
        n = max(5, int(n * rng.uniform(0.7, 1.3)))
        items.extend((_answers(rng, base, scale_codes), point.code, "") for _ in range(n))
    intake.add_many(survey, items, mode="import")
    _spread_over_days(survey, rng)
    return DemoSurvey(survey, True)


def _spread_over_days(survey: Survey, rng: random.Random) -> None:
    """Date each synthetic response on one of the ``COLLECTION_DAYS`` days up to now (office hours,
    weekends a third as busy)."""
    now = timezone.localtime()
    days = [(now - dt.timedelta(days=d)).date() for d in range(COLLECTION_DAYS)]
    busy = [0.3 if day.weekday() >= 5 else 1.0 for day in days]
    tz = timezone.get_current_timezone()
    rows = list(Response.objects.filter(survey=survey).only("pk"))
    for row in rows:
        day = rng.choices(days, weights=busy)[0]
        at = dt.datetime.combine(day, dt.time(7, 30), tzinfo=tz) + dt.timedelta(
            seconds=rng.randint(0, 9 * 3600)
        )
        row.created_at = min(at, now)
    Response.objects.bulk_update(rows, ["created_at"], batch_size=1000)
