"""The demo assessment data: the province's own indices installed, a closed 2024 round of its departments
whose results the analysis reads, an open 2025 round in self-assessment with one unit submitted with
evidence, others under way, one not started; loading twice changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from chiso.assessment.models import EvidenceFile, EvidenceLink, Round, Score, Sheet
from chiso.assessment.services.results import summary
from chiso.results.models import Result
from chiso.seed.demo_assessment import load_demo_assessment
from chiso.seed.demo_plans import load_demo_plans

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_plans(today=TODAY)
    return load_demo_assessment(today=TODAY)


def test_the_province_has_its_department_and_commune_indices(demo):
    province = demo.closed.province
    assert province.code == "51" and province.valid_from is not None
    for code, kind in (
        ("cchc-so-2024", "department"),
        ("cchc-so-2025", "department"),
        ("cchc-xa-2025", "commune"),
    ):
        fw = demo.frameworks[code]
        assert fw.index.owner == province and fw.unit_kind == kind and fw.grouping["on"] == "percent"
    assert demo.frameworks["cchc-so-2024"].covers(2024) and not demo.frameworks["cchc-so-2024"].covers(2025)


def test_closed_round_published_with_cuts_explanations_and_classes(demo):
    rnd = demo.closed
    assert rnd.status == "closed" and rnd.year == 2024 and rnd.published_batch is not None
    sheets = list(rnd.sheets.select_related("unit"))
    assert len(sheets) == 9 and all(s.state == Sheet.State.SUBMITTED for s in sheets)
    rows = summary(rnd)
    assert [r.rank for r in rows] == sorted(r.rank for r in rows) and rows[0].rank == 1
    assert len({r.klass for r in rows}) >= 3 and len({round(r.percent, 1) for r in rows}) == 9
    lowered = [s for s in Score.objects.filter(sheet__round=rnd) if s.appraised_score is not None
               and s.self_score is not None and s.appraised_score < s.self_score]  # fmt: skip
    assert len(lowered) >= 5 and all(s.appraisal_comment for s in lowered)
    assert sum(1 for s in lowered if s.explanation) >= 4
    restored = [s for s in lowered if s.final_score == s.self_score]
    kept = [s for s in lowered if s.final_score is None or s.final_score < s.self_score]
    assert restored and kept
    typed = Score.objects.filter(sheet__round=rnd, self_score__gt=0).exclude(node__code="8.1")
    assert all(s.self_note for s in typed)
    survey = Score.objects.filter(sheet__round=rnd, node__code="8.1")
    assert survey.count() == 9 and all("minh họa" in s.source for s in survey)
    # published as the index's 2024 results: the analysis page of a department works
    from chiso.analysis.services import analyse

    yte = next(s.unit for s in sheets if s.unit.name == "Sở Y tế")
    a = analyse("cchc-so", yte, 2024)
    assert a.n_scored == 9 and a.rank is not None and a.lost
    total = Result.objects.get(unit=yte, year=2024, node__code="TONG")
    assert total.published_rank == next(r.rank for r in rows if r.unit == yte)


def test_open_round_in_self_assessment(demo):
    rnd = demo.open
    assert rnd.year == 2025 and rnd.opens == "self" and rnd.self_deadline > TODAY
    states = {s.unit.name: s.state for s in rnd.sheets.select_related("unit")}
    assert states["Văn phòng Ủy ban nhân dân tỉnh"] == Sheet.State.SUBMITTED
    assert states["Sở Khoa học và Công nghệ"] == Sheet.State.NOT_STARTED
    assert states["Sở Tư pháp"] == Sheet.State.IN_PROGRESS
    assert sum(1 for s in states.values() if s == Sheet.State.IN_PROGRESS) >= 5
    vp = rnd.sheets.get(unit__name="Văn phòng Ủy ban nhân dân tỉnh")
    f = EvidenceFile.objects.get(score__sheet=vp)
    assert f.content_type == "application/pdf" and f.file.read().startswith(b"%PDF")
    link = EvidenceLink.objects.get(score__sheet=vp)
    assert link.task is not None and link.task.done and link.label == link.task.product
    assert link.task.lead_unit == vp.unit
    assert rnd.assignments.get().user.username == "thamdinh"


def test_loading_twice_changes_nothing(demo):
    counts = (Round.objects.count(), Score.objects.count(), Score.history.count(), Result.objects.count())
    again = load_demo_assessment(today=TODAY)
    assert not again.created and again.closed.pk == demo.closed.pk and again.open.pk == demo.open.pk
    assert (
        Round.objects.count(),
        Score.objects.count(),
        Score.history.count(),
        Result.objects.count(),
    ) == counts


def test_the_provinces_own_par_index_round_is_alive(demo):
    """The province's PAR INDEX self-assessment: the appraisal block assigned from the province's map to Sở
    Nội vụ (lead), Văn phòng UBND tỉnh and Sở Tư pháp; Sở Nội vụ has proposed; the forecast has a range."""
    from chiso.assessment.models import Proposal
    from chiso.assessment.services import province as svc

    rnd = demo.province
    assert rnd.scope == "province" and rnd.opens == "self" and rnd.framework.index.code == "par"
    proposals = (
        Proposal.objects.filter(score__sheet__round=rnd).select_related("unit").order_by("-lead", "pk")
    )
    assert [(p.unit.short_name, p.lead) for p in proposals][0] == ("Sở Nội vụ", True)
    assert {p.unit.short_name for p in proposals} == {
        "Sở Nội vụ",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "Sở Tư pháp",
    }
    assert proposals[0].proposed_score == 55.5
    f = svc.forecast(rnd)
    assert f.low <= f.high and f.blocks and "APPRAISAL" in f.missing  # not consolidated yet
    again = load_demo_assessment(today=TODAY)
    assert again.province == rnd and not again.created
