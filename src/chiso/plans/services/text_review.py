"""What the coordinator must check in a plan's task texts before submitting it (rà soát trước khi trình).

Library texts are quoted from plans of other years: drafting fills their year parameters
(``chiso.core.datedtext``), but a coordinator's own words or a text copied by hand may still carry a
deadline of another year, a period already over or a cited document to check. ``text_review(plan)`` lists
them per task; ``submission_blocked(plan)`` refuses the step that leaves the draft while a blocking one
(a past deadline, an unfilled parameter) remains, naming each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from chiso.core import datedtext

from ..models import Plan, Task

__all__ = ["TaskReview", "submission_blocked", "text_review"]

_FIELDS = ("text", "product", "lead_text", "coordinating_text")


@dataclass
class TaskReview:
    task: Task
    findings: list[datedtext.Finding] = field(default_factory=list)

    @property
    def blocking(self) -> list[datedtext.Finding]:
        return [f for f in self.findings if f.blocking]


def text_review(plan: Plan, tasks=None) -> list[TaskReview]:
    """The plan's tasks with something to check in their words, in the plan's order."""
    out = []
    for task in tasks if tasks is not None else plan.tasks.all():
        found: list[datedtext.Finding] = []
        for name in _FIELDS:
            for f in datedtext.review(getattr(task, name) or "", plan.year, plan.results_year):
                if f not in found:
                    found.append(f)
        if found:
            out.append(TaskReview(task, found))
    return out


def submission_blocked(plan: Plan, limit: int = 5) -> str | None:
    """Why the plan may not leave the draft yet (a Vietnamese sentence), or None."""
    items = []
    for r in text_review(plan):
        for f in r.blocking:
            items.append(
                _("nhiệm vụ {n}: «{words}» ({why})").format(n=r.task.order, words=f.excerpt, why=f.message)
            )
    if not items:
        return None
    shown = "; ".join(items[:limit])
    more = len(items) - limit
    tail = _(" và {n} chỗ khác").format(n=more) if more > 0 else ""
    return _(
        "Chưa trình được: lời văn nhiệm vụ còn năm, thời hạn không đúng năm {year} của kế hoạch — {items}{more}."
    ).format(year=plan.year, items=shown, more=tail)
