"""What the pages add to the services, on its own: the task products offered as evidence of a criterion,
what a page offers to remove, and the monitoring figures."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chiso.assessment.services import evidence, rounds, sheets
from chiso.assessment.services.monitoring import round_monitor

pytestmark = pytest.mark.django_db


def test_suggestions_are_the_unit_s_published_tasks_serving_the_criterion(ui):
    from chiso.plans.models import Plan, Task

    # a task of Sở Y tế, and one of a draft plan: neither is offered to Sở Tư pháp
    Task.objects.create(plan=ui.plan, order=2, text="Việc của Sở Y tế", index="cchc-so", nodes=["2.1"],
                        lead_unit=ui.yte, product="Báo cáo")  # fmt: skip
    draft = Plan.objects.create(issuing_unit=ui.province, title="Dự thảo", year=2025, indices=["cchc-so"])
    Task.objects.create(plan=draft, order=1, text="Chưa ban hành", index="cchc-so", nodes=["2.1"],
                        lead_unit=ui.tuphap, product="Báo cáo")  # fmt: skip
    offered = evidence.suggested_links(ui.sheet, "2.1")
    assert [(s.task, s.report) for s in offered] == [(ui.task, ui.report)]
    assert evidence.suggested_links(ui.sheet, "2.3") == []
    assert [s.task for s in evidence.sheet_suggestions(ui.sheet)["2.2"]] == [ui.task]
    # Sở Y tế's officer is offered hers
    yte = ui.round.sheets.get(unit=ui.yte)
    assert [s.task.text for s in evidence.sheet_suggestions(yte)["2.1"]] == ["Việc của Sở Y tế"]


def test_what_a_page_offers_to_remove_follows_the_service(ui):
    """A file is removable while the work it was added in is open, a link during the self-assessment."""
    link = evidence.link(ui.sheet, "2.1", ui.officer_tp, report=ui.report)
    assert evidence.suggested_links(ui.sheet, "2.1") == []  # linked: no longer offered
    [f] = evidence.add_files(ui.sheet, "2.1", ui.officer_tp, [SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")])
    assert evidence.may_change(ui.officer_tp, ui.sheet) and not evidence.may_change(ui.coordinator, ui.sheet)
    assert evidence.removable(ui.officer_tp, f) and evidence.removable(ui.officer_tp, link)
    assert not evidence.removable(ui.officer_yt, f)
    rnd = rounds.advance(ui.round, ui.coordinator)
    rounds.advance(rnd, ui.coordinator)  # explanation: the unit's work again
    sheet = type(ui.sheet).objects.get(pk=ui.sheet.pk)
    [g] = evidence.add_files(sheet, "2.1", ui.officer_tp, [SimpleUploadedFile("b.pdf", b"%PDF-1.4 y")])
    assert evidence.removable(ui.officer_tp, g)
    assert not evidence.removable(ui.officer_tp, f) and not evidence.removable(ui.officer_tp, link)
    with pytest.raises(ValidationError):
        evidence.remove_file(f, ui.officer_tp)


def test_monitoring_figures(ui):
    sheets.save(
        ui.sheet,
        ui.officer_tp,
        "self",
        {"1.3": {"score": 2}, "1.4": {"score": 0}, "3.3": {"na": True, "note": "Không có"}},
    )
    evidence.link(ui.sheet, "2.1", ui.officer_tp, task=ui.task)
    mon = round_monitor(ui.round)
    tp = next(u for u in mon.units if u.unit == ui.tuphap)
    assert (tp.scored, tp.to_score, tp.without_evidence) == (3, 29, ["1.3"])
    assert mon.counts == {"not_started": 2, "in_progress": 1, "submitted": 0}
    # a criterion not applicable to the unit has nothing to appraise: counted as done
    assert [(a.user.username, a.assigned, a.appraised) for a in mon.appraisers] == [
        ("td", 58, 1),
        ("td2", 29, 0),
    ]


def test_a_link_is_kept_once_even_past_the_service_check(ui, monkeypatch):
    """Two requests at the same moment both pass the service's "already linked?" check; the database
    keeps one link (NULL report or task used to escape the unique constraint) and the second gets the
    same message, not a 500."""
    from django.db import models as dj

    from chiso.assessment.models import EvidenceLink

    evidence.link(ui.sheet, "2.1", ui.officer_tp, task=ui.task)
    evidence.link(ui.sheet, "2.1", ui.officer_tp, report=ui.report)
    real_exists = dj.QuerySet.exists
    monkeypatch.setattr(
        dj.QuerySet, "exists", lambda qs: False if qs.model is EvidenceLink else real_exists(qs)
    )
    for kwargs in ({"task": ui.task}, {"report": ui.report}):
        with pytest.raises(ValidationError, match="đã được liên kết"):
            evidence.link(ui.sheet, "2.1", ui.officer_tp, **kwargs)
    assert EvidenceLink.objects.filter(score__sheet=ui.sheet).count() == 2
