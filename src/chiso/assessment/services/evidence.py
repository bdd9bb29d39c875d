"""Evidence of a unit's scores (tài liệu kiểm chứng): files, and links to the products and progress
reports of plan tasks. The only place that writes them.

- ``add_files(sheet, code, user, files)`` — files for one criterion, every one checked by
  ``chiso.files.checks`` (type by content, size, virus hook); one refused refuses all
  (``ValidationError({"file": […]})``, nothing stored);
- ``link(sheet, code, user, task=…, report=…, note=…)`` — a task's product (a task the unit, or a unit under
  it, leads or coordinates, of a published plan) or one of the unit's progress reports;
- ``remove_file(file, user)`` / ``remove_link(link, user)``;
- ``sheet_suggestions(sheet)`` / ``suggested_links(sheet, code)`` — what is offered automatically: the
  tasks of published plans on the round's index that serve a criterion (its code among their nodes) and
  that the unit, or a unit under it, leads or coordinates, with a product or the unit's report of them
  done; one click (``link``) makes one evidence;
- ``may_change(user, sheet)``, ``removable(user, item)`` — what a page offers, by the same rules.

Who and when: whoever does the unit's own work on the sheet (``permissions.can_work``: its officers; in a
round on the province itself, the province's coordinators, and for one criterion the officers of the
departments that propose its score, who remove only what they added) while that work — the self-assessment or the
explanation — is open for the sheet. A file is removed only while the work it was added in is still open;
a link only during the self-assessment (after it, the appraisers have seen the evidence, which the unit
then only adds to). Every change is in the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chiso.core.text import format_date, nfc_multiline
from chiso.files.checks import check_uploads, store
from chiso.plans import permissions as plan_perms
from chiso.plans.models import Plan, Task
from chiso.tracking import permissions as report_perms
from chiso.tracking.models import ProgressReport
from chiso.validation import Errors, StateConflict

from .. import permissions
from ..models import EvidenceFile, EvidenceLink, Score, Sheet
from .rounds import work_open
from .sheets import closed_message
from .structure import structure

__all__ = [
    "Suggestion",
    "add_files",
    "link",
    "may_change",
    "removable",
    "remove_file",
    "remove_link",
    "score_of",
    "sheet_suggestions",
    "suggested_links",
]

LABEL_MAX = 500


def _open_work(sheet: Sheet, user, today: dt.date | None, code: str | None = None) -> str:
    """The unit's work open now on this sheet (self or explanation); PermissionDenied when the user does
    not do the unit's work (in a round on the province itself: nor proposes criterion ``code``'s score for
    a department), ValidationError when none is open."""
    if not permissions.can_work(user, sheet, "self") and not (
        code and permissions.proposes_criterion(user, sheet, code)
    ):
        raise PermissionDenied(_("Chỉ đơn vị được đánh giá thêm hoặc gỡ tài liệu kiểm chứng của phiếu này."))
    rnd = sheet.round
    work = rnd.opens
    if work not in permissions.SELF_WORKS:
        raise StateConflict({"__all__": closed_message(rnd, "self")})
    if not work_open(rnd, sheet, work, today):
        raise StateConflict({"__all__": closed_message(rnd, work)})
    return work


def score_of(sheet: Sheet, code: str, user) -> Score:
    """The sheet's score row of a criterion (made, empty, when there is none yet); ValidationError on
    "criterion" when the framework has no such criterion to score."""
    crit = structure(sheet.round.framework).by_code.get((code or "").strip())
    if crit is None:
        raise ValidationError(
            {"criterion": _("Không có tiêu chí “{code}” trong bộ chỉ số.").format(code=code)}
        )
    score = Score.objects.filter(sheet=sheet, node=crit.node).first()
    if score is None:
        score = Score(sheet=sheet, node=crit.node)
        score._history_user = user
        score.save()
    return score


@transaction.atomic
def add_files(sheet: Sheet, code: str, user, files, *, today: dt.date | None = None) -> list[EvidenceFile]:
    work = _open_work(sheet, user, today, code)
    errors = Errors()
    if not files:
        errors.add("file", _("Chọn ít nhất một tệp tài liệu kiểm chứng."))
    checked = check_uploads(files, errors, "file")
    errors.raise_if_any()
    score = score_of(sheet, code, user)
    return [store(EvidenceFile, c, user=user, score=score, stage=work) for c in checked]


def _task_units_under(task: Task, sheet: Sheet) -> bool:
    return bool(report_perms.task_units(task) & sheet.unit.descendants_ids())


@transaction.atomic
def link(
    sheet: Sheet,
    code: str,
    user,
    *,
    task: Task | None = None,
    report: ProgressReport | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> EvidenceLink:
    """Link a task's product, or a progress report, as evidence of one criterion."""
    _open_work(sheet, user, today, code)
    if (task is None) == (report is None):
        raise ValidationError({"task": _("Chọn một nhiệm vụ hoặc một báo cáo tiến độ.")})
    if report is not None:
        if (
            not report_perms.can_view_report(user, report)
            or report.unit_id not in sheet.unit.descendants_ids()
        ):
            raise ValidationError(
                {"report": _("Báo cáo tiến độ này không phải của {unit}.").format(unit=sheet.unit.name)}
            )
        label = _("Báo cáo tiến độ kỳ {period}: {task}").format(period=report.period, task=report.task.text)
    else:
        assert task is not None
        if (
            not plan_perms.can_view_task(user, task)
            or not task.plan.is_public
            or not _task_units_under(task, sheet)
        ):
            raise ValidationError(
                {
                    "task": _(
                        "Nhiệm vụ này không do {unit} chủ trì hay phối hợp trong một kế hoạch đã ban hành."
                    ).format(unit=sheet.unit.name)
                }
            )
        label = task.product or task.text
    score = score_of(sheet, code, user)
    if EvidenceLink.objects.filter(score=score, task=task, report=report).exists():
        raise StateConflict({"task" if task else "report": _("Tài liệu này đã được liên kết với tiêu chí.")})
    obj = EvidenceLink(
        score=score,
        task=task,
        report=report,
        label=label[:LABEL_MAX],
        note=nfc_multiline(note or "").strip(),
        added_by=user if getattr(user, "is_authenticated", False) else None,
    )
    obj._history_user = user
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:  # the same link added by a second request at the same moment
        raise StateConflict(
            {"task" if task else "report": _("Tài liệu này đã được liên kết với tiêu chí.")}
        ) from None
    return obj


def _removal_refusal(item: EvidenceFile | EvidenceLink, work: str) -> str | None:
    """Why this file or link cannot be removed during ``work`` (None: it can)."""
    if isinstance(item, EvidenceFile):
        if item.stage != work:
            return _("Tệp đã nộp ở giai đoạn trước, đã được thẩm định: không gỡ được, chỉ bổ sung.")
    elif work != "self":
        return _("Liên kết đã nộp khi tự đánh giá, đã được thẩm định: không gỡ được, chỉ bổ sung.")
    return None


def _sheet_of(item: EvidenceFile | EvidenceLink) -> Sheet:
    return Sheet.objects.select_related("round__framework", "unit").get(pk=item.score.sheet_id)


def _work_on(item: EvidenceFile | EvidenceLink, user, today: dt.date | None) -> str:
    """The work open to ``user`` on the item's criterion; a department proposing a criterion of the
    province's round (not its coordinator) removes only what its own people added."""
    sheet = _sheet_of(item)
    work = _open_work(sheet, user, today, item.score.node.code)
    if not permissions.can_work(user, sheet, "self"):
        by = item.uploaded_by_id if isinstance(item, EvidenceFile) else item.added_by_id
        if by != user.pk:
            raise PermissionDenied(_("Chỉ người đã thêm tài liệu này (hoặc chuyên viên điều phối) gỡ được."))
    return work


@transaction.atomic
def _remove(item: EvidenceFile | EvidenceLink, user, today: dt.date | None) -> None:
    refusal = _removal_refusal(item, _work_on(item, user, today))
    if refusal:
        raise StateConflict({"__all__": refusal})
    item._history_user = user
    item.delete()


def remove_file(evidence: EvidenceFile, user, *, today: dt.date | None = None) -> None:
    _remove(evidence, user, today)


def remove_link(evidence: EvidenceLink, user, *, today: dt.date | None = None) -> None:
    _remove(evidence, user, today)


def may_change(user, sheet: Sheet, today: dt.date | None = None, code: str | None = None) -> bool:
    """May ``user`` add evidence to this sheet (to criterion ``code`` when given) now."""
    try:
        _open_work(sheet, user, today, code)
    except (PermissionDenied, ValidationError):
        return False
    return True


def removable(user, item: EvidenceFile | EvidenceLink, today: dt.date | None = None) -> bool:
    """May ``user`` remove this file or link now."""
    try:
        work = _work_on(item, user, today)
    except (PermissionDenied, ValidationError):
        return False
    return _removal_refusal(item, work) is None


# ------------------------------------------------------------------------------------- suggestions


@dataclass
class Suggestion:
    """A task product offered as evidence, with the unit's report of the task done when there is one
    (linking the report links its product and its files)."""

    task: Task
    report: ProgressReport | None
    label: str


def _suggestion_label(task: Task, report: ProgressReport | None) -> str:
    product = task.product or _("Sản phẩm")
    if report is not None and report.product_number:
        return _("{product}: số {number} ngày {date} của {issuer} — nhiệm vụ «{task}» ({plan})").format(
            product=product,
            number=report.product_number,
            date=format_date(report.product_date) if report.product_date else "…",
            issuer=report.product_issuer or report.unit.short_name,
            task=task.text,
            plan=task.plan.number_symbol,
        )
    return _("{product} — nhiệm vụ «{task}» ({plan})").format(
        product=product, task=task.text, plan=task.plan.number_symbol
    )


def sheet_suggestions(sheet: Sheet) -> dict[str, list[Suggestion]]:
    """{criterion code: the tasks offered as its evidence} for the whole sheet (see the module), those
    already linked to the criterion left out; a few queries whatever the number of criteria."""
    rnd = sheet.round
    mine = sheet.unit.descendants_ids()
    public = Plan.workflow().public_states
    tasks = [
        t
        for t in Task.objects.filter(index=rnd.framework.index.code, plan__status__in=public)
        .select_related("plan", "lead_unit")
        .prefetch_related("coordinating_units")
        .order_by("plan_id", "order", "pk")
        if t.nodes and _task_units_under(t, sheet)
    ]
    done: dict[int, ProgressReport] = {}
    for r in (
        ProgressReport.objects.filter(task__in=tasks, unit_id__in=mine, state=ProgressReport.State.DONE)
        .select_related("unit")
        .order_by("submitted_at")
    ):
        done[r.task_id] = r  # the latest
    linked = set(
        EvidenceLink.objects.filter(score__sheet=sheet).values_list(
            "score__node__code", "task_id", "report_id"
        )
    )
    out: dict[str, list[Suggestion]] = {}
    for task in tasks:
        report = done.get(task.pk)
        if report is None and not task.product:
            continue
        key = (task.pk, None) if report is None else (None, report.pk)
        for code in dict.fromkeys(task.nodes):
            if (code, *key) in linked:
                continue
            out.setdefault(code, []).append(Suggestion(task, report, _suggestion_label(task, report)))
    return out


def suggested_links(sheet: Sheet, code: str) -> list[Suggestion]:
    """What is offered as evidence of one criterion (see ``sheet_suggestions``)."""
    return sheet_suggestions(sheet).get(code, [])
