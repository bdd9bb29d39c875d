"""Issue 10, item 9, for the third import path: a score file that is a decompression bomb is refused
before it is parsed (the same archive check as results and frameworks), fast, with a clear message and
nothing written."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.exceptions import ValidationError

from chiso.assessment.models import Score
from chiso.assessment.services.imports import commit_scores, preview_scores
from chiso.results.tests.test_spreadsheet_guards import _bomb

SELF_DAY = dt.date(2026, 1, 10)


def test_a_score_file_bomb_is_refused_before_parsing(scene, open_round):
    rnd = open_round()
    bomb = _bomb()
    before = list(Score.objects.values_list("pk", "self_score"))
    started = time.perf_counter()
    preview = preview_scores(rnd, bomb, "diem.xlsx", "self", user=scene.coordinator, today=SELF_DAY)
    assert time.perf_counter() - started < 5
    assert not preview.ok and not preview.rows
    assert any("quá lớn để nhập" in e or "giải nén" in e for e in preview.errors)
    with pytest.raises(ValidationError) as refused:
        commit_scores(rnd, bomb, "diem.xlsx", "self", scene.coordinator, today=SELF_DAY)
    assert "file" in refused.value.message_dict
    assert list(Score.objects.values_list("pk", "self_score")) == before
