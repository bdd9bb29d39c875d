"""Reading a round's results (the summary behind the decision, the score reports, the CLI) writes nothing: a
sheet's history holds the changes of its scores, not one record per reading; and the summary reads all the
round's scores at once (a fixed number of queries, whatever the number of units)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from chiso.assessment.models import Sheet
from chiso.assessment.services.results import summary

from .walk import walk


def test_reading_the_results_leaves_no_trace_and_reads_once(scene, open_round):
    rnd = walk(scene, open_round, "final")
    summary(rnd)
    before = Sheet.history.count()
    with CaptureQueriesContext(connection) as q:
        results = summary(rnd)
    assert Sheet.history.count() == before
    assert [r.unit.short_name for r in results] == ["Sở Tư pháp", "Sở Xây dựng", "Sở Y tế"]
    assert len(q.captured_queries) <= 4  # the sheets, the data version, the scores
