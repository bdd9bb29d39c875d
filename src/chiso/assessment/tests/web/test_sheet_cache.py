"""The score sheet's rows are rendered once and kept (``views_sheets.sheet_parts``) until something they
show changes: a page read after a coordinator's or an appraiser's never shows a unit what it may not see
yet, and every change — a score saved, a file added, the phase moving on, a reopening — shows at once."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chiso.assessment.models import Assignment
from chiso.assessment.services import evidence, rounds, sheets

from .forms import text_of
from .test_stage_visibility import COMMENT, _appraised

pytestmark = pytest.mark.django_db


def _sheet(client, rnd, unit) -> str:
    response = client.get(reverse("assessment:sheet", args=[rnd.pk, unit.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_unit_never_reads_the_rows_an_insider_read_before_her(ui):
    rnd, sheet = _appraised(ui)
    # the coordinator and the appraiser read the sheet first: the appraisal column, the comment
    for role in ("coordinator", "appraiser_assigned", "coordinator"):
        assert COMMENT in _sheet(ui.client_for(role), rnd, ui.tuphap), role
    # then the unit: no appraisal (its rows are not the insiders' rows)
    page = _sheet(ui.client_for("officer_unit"), rnd, ui.tuphap)
    assert COMMENT not in page and "Thẩm định" not in text_of(page, "sheet-table")
    # handed over (explanation): now she reads it, and may explain where the score was lowered
    rounds.advance(rnd, ui.coordinator, to="explanation")
    page = _sheet(ui.client_for("officer_unit"), rnd, ui.tuphap)
    assert COMMENT in page and 'name="n-1.3"' in page and 'name="n-1.4"' not in page


def test_an_appraiser_edits_only_her_criteria_even_after_the_coordinator_read_the_sheet(ui):
    rnd, sheet = _appraised(ui)
    Assignment.objects.filter(round=rnd, user=ui.appraiser).update(criteria=["1.3"])
    coordinator = _sheet(ui.client_for("coordinator"), rnd, ui.tuphap)
    assert 'name="s-1.4"' not in coordinator  # the coordinator appraises nothing here
    page = _sheet(ui.client_for("appraiser_assigned"), rnd, ui.tuphap)
    assert 'name="s-1.3"' in page and 'name="s-1.4"' not in page


def test_every_change_shows_at_once(ui):
    rnd = ui.round
    officer = ui.client_for("officer_unit")
    page = _sheet(officer, rnd, ui.tuphap)
    assert 'value="2,5"' not in page
    # a score saved (by a colleague, elsewhere)
    sheets.save(ui.sheet, ui.officer_tp, "self", {"1.3": {"score": 2.5, "note": "Biên bản số 12"}})
    page = _sheet(officer, rnd, ui.tuphap)
    assert 'value="2,5"' in page and "Biên bản số 12" in page
    assert "chưa có tài liệu" in text_of(page, "tc-1-3")
    # a file added: the score itself did not change, its evidence count did
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    evidence.add_files(ui.sheet, "1.3", ui.officer_tp, [upload])
    page = _sheet(officer, rnd, ui.tuphap)
    assert "1 tài liệu" in text_of(page, "tc-1-3") and "chưa có tài liệu" not in text_of(page, "tc-1-3")
    # the deadline passes: the inputs go, the stored values stay
    type(rnd).objects.filter(pk=rnd.pk).update(
        self_deadline=rounds.timezone.localdate() - rounds.dt.timedelta(1)
    )
    page = _sheet(officer, rnd, ui.tuphap)
    assert 'name="s-1.3"' not in page and "2,5" in text_of(page, "tc-1-3")
    # a reopening gives them back
    rounds.reopen(
        rnd.sheets.get(unit=ui.tuphap),
        ui.coordinator,
        rounds.timezone.localdate() + rounds.dt.timedelta(2),
        "Bổ sung",
    )
    assert 'name="s-1.3"' in _sheet(officer, rnd, ui.tuphap)


def test_a_page_read_again_builds_no_rows(ui):
    client = ui.client_for("officer_unit")
    url = reverse("assessment:sheet", args=[ui.round.pk, ui.tuphap.pk])
    with CaptureQueriesContext(connection) as first:
        one = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as again:
        two = client.get(url).content.decode()
    assert len(again.captured_queries) < len(first.captured_queries)
    # the same page, but for the security tokens (a new one per response)
    strip = lambda html: re.sub(r"[A-Za-z0-9]{64}", "", html)  # noqa: E731
    assert strip(one) == strip(two) and 'name="s-1.3"' in two


def test_a_new_task_product_is_offered_at_once(ui):
    from chiso.plans.models import Task

    officer = ui.client_for("officer_unit")
    page = _sheet(officer, ui.round, ui.tuphap)
    assert "gợi ý từ kế hoạch" in text_of(page, "tc-2-1") and "gợi ý" not in text_of(page, "tc-1-3")
    Task.objects.create(
        plan=ui.plan,
        order=2,
        text="Kiểm tra công tác cải cách hành chính tại các phòng",
        index="cchc-so",
        nodes=["1.3"],
        lead_unit=ui.tuphap,
        product="Báo cáo kết quả kiểm tra",
    )
    assert "1 gợi ý từ kế hoạch" in text_of(_sheet(officer, ui.round, ui.tuphap), "tc-1-3")
