"""Views of the plan itself: list, create/edit, detail, workflow steps, amendment, targets, tasks,
attachments and history. Thin: permissions from chiso.plans.permissions, logic in services.plans."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.concurrency import StaleEdit, show_stale
from chiso.core.text import fold, format_place_date
from chiso.core.workflow import WorkflowError
from chiso.documents.services import wording_for
from chiso.documents.wording import issuer_lines
from chiso.files.checks import UploadRejected
from chiso.files.responses import download
from chiso.frameworks.services import index_labels
from chiso.tracking.services import execution
from chiso.validation import show_errors
from chiso.workflows.services import transition

from . import permissions
from .documents import task_sections
from .forms_plans import (
    AttachmentForm,
    PlanForm,
    ShortcomingForm,
    TargetForm,
    TaskForm,
)
from .models import Plan, PlanAttachment, Shortcoming, Target, Task, TaskLayout, UnitClass
from .services import plans as svc
from .services.requests import RequestError, answer_request, request_sentence
from .services.review import review_plan
from .services.text_review import text_review

DOCUMENT_LINKS_TEMPLATE = "tracking/_documents_links.html"
#: The services' fields of a target or appendix row shown on the form's one node field.
NODE_FIELDS = {"index": "node", "node_code": "node"}


def _url_or_none(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _visible_plan(request, pk: int) -> Plan:
    """The plan if the user may see it; 404 otherwise (it does not exist for her)."""
    plan = get_object_or_404(Plan.objects.select_related("issuing_unit", "amends", "derived_from"), pk=pk)
    if not permissions.can_view_plan(request.user, plan):
        raise Http404
    return plan


def _editable_plan(request, pk: int) -> Plan:
    plan = _visible_plan(request, pk)
    if not permissions.can_edit_plan(request.user, plan):
        raise PermissionDenied
    return plan


def _locked_response(request, plan: Plan):
    return render(
        request,
        "plans/plan_locked.html",
        {"plan": plan, "can_amend": permissions.can_amend_plan(request.user, plan)},
        status=403,
    )


def _guard_edit(request, plan: Plan):
    """None if the user may edit the plan; else the response to send (403)."""
    if permissions.can_edit_plan(request.user, plan):
        return None
    if permissions.covers_issuer(request.user, plan) and plan.locked:
        return _locked_response(request, plan)
    permissions.require_edit(request.user, plan)
    return None


# --------------------------------------------------------------------------- list


def plan_list(request):
    user = request.user
    qs = permissions.visible_plans(user).select_related("issuing_unit")
    status = request.GET.get("status", "")
    index = request.GET.get("index", "")
    year = request.GET.get("year", "")
    q = request.GET.get("q", "").strip()
    if status:
        qs = qs.filter(status=status)
    if year.isdigit():
        y = int(year)
        qs = [p for p in qs if p.year == y or (p.year_to and p.year <= y <= p.year_to)]
    plans = list(qs)
    if index:
        plans = [p for p in plans if index in (p.indices or [])]
    if q:
        key = fold(q)
        plans = [
            p
            for p in plans
            if key in fold(" ".join([p.title, p.number_symbol, p.issuing_unit.short_name, p.place or ""]))
        ]
    plans = svc.sorted_plans(plans)
    wf = Plan.workflow()
    labels = index_labels(get_language())
    rows = [
        {
            "plan": p,
            "status_label": p.status_label,
            "indices": [labels.get(i, i) for i in p.indices or []],
        }
        for p in plans
    ]
    years = sorted({p.year for p in permissions.visible_plans(user)}, reverse=True)
    coordinates = permissions.may_create_plans(user)
    return render(
        request,
        "plans/plan_list.html",
        {
            "rows": rows,
            "statuses": [(s.code, s.label) for s in wf.states.values()],
            "indices": list(labels.items()),
            "years": years,
            "filters": {"status": status, "index": index, "year": year, "q": q},
            "can_create": coordinates,
            "draft_url": _url_or_none("plans:draft") if coordinates else None,
        },
    )


# --------------------------------------------------------------------------- create / edit


def guard(form, obj) -> dict:
    """What an edit form sends the service against lost updates and double submits: the revision it
    was opened at (editing ``obj``) or its submission key (creating)."""
    if obj is not None:
        return {"revision": form.cleaned_data.get("revision")}
    return {"key": form.cleaned_data.get("submit_key")}


def replayed(request, obj) -> bool:
    """The form was sent again after it had created ``obj``: say so (nothing new was made)."""
    if getattr(obj, "was_replayed", False):
        messages.info(request, _("Biểu mẫu này đã được gửi trước đó: không tạo thêm, đây là bản đã lưu."))
        return True
    return False


def plan_new(request):
    permissions.require_plan_creator(request.user)
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = svc.save_plan(request.user, form.cleaned_data, key=form.cleaned_data.get("submit_key"))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            if replayed(request, plan):
                return redirect("plans:detail", pk=plan.pk)
            messages.success(request, _("Đã lập dự thảo kế hoạch «{title}».").format(title=plan.title))
            return redirect("plans:detail", pk=plan.pk)
    return render(
        request,
        "plans/plan_form.html",
        {"form": form, "plan": None},
        status=400 if form.is_bound and form.errors else 200,
    )


def plan_edit(request, pk: int):
    plan = _visible_plan(request, pk)
    denied = _guard_edit(request, plan)
    if denied is not None:
        return denied
    form = PlanForm(request.POST or None, user=request.user, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan = svc.save_plan(
                request.user, form.cleaned_data, plan, revision=form.cleaned_data.get("revision")
            )
        except StaleEdit as exc:
            show_stale(form, exc)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu kế hoạch."))
            return redirect("plans:detail", pk=plan.pk)
    return render(
        request,
        "plans/plan_form.html",
        {"form": form, "plan": plan},
        status=400 if form.is_bound and form.errors else 200,
    )


# --------------------------------------------------------------------------- detail


def _lead_label(task: Task) -> str:
    if task.lead_unit_id:
        return task.lead_unit.short_name
    if task.lead_class:
        return str(dict(UnitClass.choices).get(task.lead_class, task.lead_class))
    return task.lead_text


def _task_row(task: Task, today: dt.date, reported: set[tuple[int, str]]) -> dict:
    coordinating = [u.short_name for u in task.coordinating_units.all()]
    return {
        "task": task,
        "lead": _lead_label(task),
        "lead_text": task.lead_text if task.lead_unit_id or task.lead_class else "",
        "coordinating": ", ".join(coordinating) or task.coordinating_text,
        "next_due": task.due_date(today),
        # One lateness rule for the whole app (tasks of public plans only): chiso.tracking.services.execution.
        "late": execution.task_late_due(task, today, reported) is not None,
    }


def _task_groups(plan: Plan, task_rows: list[dict]) -> list[dict] | None:
    """A plan arranged by activity: its task rows in the sections of its document
    (``documents.task_sections``, numbered as the document numbers them), each row with its number
    ("stt") in that order; None for a plan arranged by content (one table in the plan's order)."""
    if plan.task_layout != TaskLayout.ACTIVITY or not task_rows:
        for n, row in enumerate(task_rows, start=1):
            row["stt"] = n
        return None
    by_pk = {row["task"].pk: row for row in task_rows}
    groups, stt = [], 0
    for n, section in enumerate(task_sections(plan, [row["task"] for row in task_rows]), start=1):
        parts = []
        for m, (title, items) in enumerate(section.parts, start=1):
            rows = [by_pk[t.pk] for t in items]
            for row in rows:
                stt += 1
                row["stt"] = stt
            parts.append({"title": f"{n}.{m}. {title}" if title else "", "rows": rows})
        groups.append({"title": f"{n}. {section.title}", "parts": parts})
    return groups


def plan_detail(request, pk: int):
    plan = _visible_plan(request, pk)
    user = request.user
    oversees = permissions.oversees(user, plan)
    tasks = plan.tasks.select_related("lead_unit").prefetch_related("coordinating_units")
    if not oversees:
        tasks = tasks.filter(pk__in=permissions.visible_tasks(user).filter(plan=plan).values("pk"))
    today = dt.date.today()
    tasks = list(tasks)
    for t in tasks:
        t.plan = plan  # the rule reads the plan's status: no query per task
    reported = execution.lead_periods(tasks) if plan.is_public else set()
    task_rows = [_task_row(t, today, reported) for t in tasks if not t.is_request]
    task_groups = _task_groups(plan, task_rows)
    # requests to bodies outside the administration: apart, with the body's reply
    request_rows = [_task_row(t, today, reported) for t in tasks if t.is_request]
    for r in request_rows:
        r["sentence"] = request_sentence(r["lead"] or r["task"].lead_text, r["task"].text)
    transitions = permissions.plan_transitions(user, plan)
    wf = plan.workflow()
    derived = permissions.visible_plans(user).filter(derived_from=plan)
    amendments = permissions.visible_plans(user).filter(amends=plan)
    review = review_plan(plan) if plan.results_year else None
    if review is not None:
        svc.with_node_labels(plan, [r.target for r in review.rows])
    context = {
        "plan": plan,
        "status_label": plan.status_label,
        "indices": [index_labels(get_language()).get(i, i) for i in plan.indices or []],
        "oversees": oversees,
        "can_edit": permissions.can_edit_plan(user, plan),
        "can_amend": permissions.can_amend_plan(user, plan),
        "transitions": transitions,
        "targets": svc.with_node_labels(plan, plan.targets.all()),
        "review": review,
        "task_rows": task_rows,
        "task_groups": task_groups,
        "request_rows": request_rows,
        # a derived plan: the issuing unit's own offices (to give its tasks to), added from here
        "offices": list(plan.issuing_unit.children.order_by("kind", "name"))
        if plan.derived_from_id and plan.issuing_unit.kind in ("district", "ward", "department")
        else None,
        "can_answer": permissions.covers_issuer(user, plan),
        # an issued plan of a province or a district: its coordinator derives its units' plans from it
        "can_cascade": plan.is_live
        and not plan.superseded
        and plan.issuing_unit.kind in ("province", "district")
        and permissions.covers_issuer(user, plan),
        "tasks_filtered": not oversees,
        "shortcomings": svc.with_node_labels(plan, plan.shortcomings.prefetch_related("responsible_units"))
        if oversees
        else [],
        "attachments": list(plan.attachments.all()),
        "events": [
            {
                "event": e,
                "from_label": wf.label(e.from_status, get_language()),
                "to_label": wf.label(e.to_status, get_language()),
            }
            for e in plan.events.select_related("user")
        ],
        "amendments": list(amendments),
        "derived_plans": list(derived),
        "previous": plan.amends if plan.amends_id and permissions.can_view_plan(user, plan.amends) else None,
        "derived_from": plan.derived_from
        if plan.derived_from_id and permissions.can_view_plan(user, plan.derived_from)
        else None,
        "has_document_links": _template_exists(DOCUMENT_LINKS_TEMPLATE),
        "document_links_template": DOCUMENT_LINKS_TEMPLATE,
        "attachment_form": AttachmentForm(),
        "body_blocks": _rich_blocks(plan.body),
        "purpose_blocks": _rich_blocks(plan.purpose),
        "requirements_blocks": _rich_blocks(plan.requirements),
        "today": today,
        "issuer_line": _issuer_line(plan),
        "place_date": format_place_date(plan.place or "", plan.date) if plan.date else "",
        "text_review": text_review(plan, tasks) if oversees and not plan.locked else [],
    }
    return render(request, "plans/plan_detail.html", context)


def _issuer_line(plan: Plan) -> str:
    unit = plan.issuing_unit
    return issuer_lines(unit, wording_for(unit, "plan"))[1]


def _rich_blocks(text: str) -> list[dict]:
    """Paragraphs (blank line or new line), '- ' bullets and **bold** of the plan's rich text, as blocks
    the template renders safely (no HTML from the user)."""
    blocks: list[dict] = []
    bullets: list[list[tuple[str, bool]]] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            if bullets:
                blocks.append({"kind": "list", "items": bullets})
                bullets = []
            continue
        if line.startswith(("- ", "+ ", "• ")):
            bullets.append(_bold_runs(line[2:].strip()))
            continue
        if bullets:
            blocks.append({"kind": "list", "items": bullets})
            bullets = []
        blocks.append({"kind": "p", "runs": _bold_runs(line)})
    if bullets:
        blocks.append({"kind": "list", "items": bullets})
    return blocks


def _bold_runs(line: str) -> list[tuple[str, bool]]:
    parts = line.split("**")
    if len(parts) % 2 == 0:  # an unclosed ** is literal
        return [(line, False)]
    return [(part, i % 2 == 1) for i, part in enumerate(parts) if part]


# --------------------------------------------------------------------------- workflow


@require_POST
def plan_transition(request, pk: int, action: str):
    plan = _visible_plan(request, pk)
    if not permissions.takes_steps(request.user, plan):
        raise PermissionDenied
    date = None
    raw_date = request.POST.get("date", "").strip()
    if raw_date:
        for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
            try:
                date = dt.datetime.strptime(raw_date, fmt).date()
                break
            except ValueError:
                continue
        else:
            messages.error(
                request, _("Ngày ban hành không hợp lệ: «{d}» (viết dd/mm/yyyy).").format(d=raw_date)
            )
            return redirect("plans:detail", pk=plan.pk)
    try:
        plan = transition(
            plan,
            action,
            request.user,
            comment=request.POST.get("comment", ""),
            number=request.POST.get("number", ""),
            date=date,
        )
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Kế hoạch chuyển sang trạng thái «{s}».").format(s=plan.status_label))
    return redirect("plans:detail", pk=plan.pk)


@require_POST
def plan_amend(request, pk: int):
    plan = _visible_plan(request, pk)
    if not permissions.can_amend_plan(request.user, plan):
        raise PermissionDenied
    try:
        new = svc.amend_plan(plan, request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("plans:detail", pk=plan.pk)
    messages.success(
        request,
        _(
            "Đã lập bản sửa đổi lần {n}; kế hoạch cũ vẫn có hiệu lực cho đến khi bản sửa đổi được ban hành."
        ).format(n=new.version),
    )
    return redirect("plans:detail", pk=new.pk)


# --------------------------------------------------------------------------- targets


def target_edit(request, pk: int, target_pk: int | None = None):
    plan = _visible_plan(request, pk)
    denied = _guard_edit(request, plan)
    if denied is not None:
        return denied
    target = get_object_or_404(Target, pk=target_pk, plan=plan) if target_pk else None
    form = TargetForm(request.POST or None, plan=plan, target=target)
    if request.method == "POST" and form.is_valid():
        try:
            saved = svc.save_target(plan, request.user, form.cleaned_data, target, **guard(form, target))
        except StaleEdit as exc:
            show_stale(form, exc)
        except ValidationError as exc:
            show_errors(form, exc, NODE_FIELDS)
        else:
            if not replayed(request, saved):
                messages.success(request, _("Đã lưu mục tiêu."))
            return redirect(reverse("plans:detail", args=[plan.pk]) + "#muc-tieu")
    return render(
        request,
        "plans/target_form.html",
        {"form": form, "plan": plan, "target": target, "baseline_units": _baseline_units(plan)},
        status=400 if form.is_bound and form.errors else 200,
    )


def _baseline_units(plan: Plan) -> list[tuple[str, str]]:
    """(index label, unit name) whose results the targets start from: a merged province without results
    of its own that year uses its predecessor, and the form says so."""
    year = plan.results_year or plan.year - 1
    out = []
    labels = index_labels(get_language())
    for index in plan.indices or []:
        unit = svc.results_unit(plan.issuing_unit, index, year)
        label = (
            unit.name
            if unit.valid_to is None
            else _("{name} (đến {date})").format(name=unit.name, date=f"{unit.valid_to:%d/%m/%Y}")
        )
        out.append((labels.get(index, index), label))
    return out


@require_POST
def target_delete(request, pk: int, target_pk: int):
    return _delete_part(request, pk, Target, target_pk, svc.delete_target, _("Đã xoá mục tiêu."), "muc-tieu")


def _delete_part(request, pk: int, model, part_pk: int, delete, message: str, anchor: str):
    """Delete one part of an editable plan (target, task, appendix row) and go back to its section."""
    plan = _visible_plan(request, pk)
    denied = _guard_edit(request, plan)
    if denied is not None:
        return denied
    delete(get_object_or_404(model, pk=part_pk, plan=plan), request.user)
    messages.success(request, message)
    return redirect(reverse("plans:detail", args=[plan.pk]) + "#" + anchor)


@require_POST
def targets_refresh(request, pk: int):
    plan = _visible_plan(request, pk)
    denied = _guard_edit(request, plan)
    if denied is not None:
        return denied
    problems = svc.refresh_targets(plan, request.user)
    for target, error in problems:
        messages.warning(request, f"{target.label[:80]}: {error}")
    if not problems:
        messages.success(request, _("Đã đối chiếu lại mọi mục tiêu với kết quả mới nhất."))
    return redirect(reverse("plans:detail", args=[plan.pk]) + "#muc-tieu")


# --------------------------------------------------------------------------- tasks


def task_edit(request, pk: int, task_pk: int | None = None):
    plan = _visible_plan(request, pk)
    denied = _guard_edit(request, plan)
    if denied is not None:
        return denied
    task = get_object_or_404(Task, pk=task_pk, plan=plan) if task_pk else None
    form = TaskForm(request.POST or None, plan=plan, task=task)
    if request.method == "POST" and form.is_valid():
        try:
            saved = svc.save_task(plan, request.user, form.cleaned_data, task, **guard(form, task))
        except StaleEdit as exc:
            show_stale(form, exc)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            if not replayed(request, saved):
                messages.success(request, _("Đã lưu nhiệm vụ."))
            return redirect(reverse("plans:detail", args=[plan.pk]) + "#nhiem-vu")
    return render(
        request,
        "plans/task_form.html",
        {"form": form, "plan": plan, "task": task},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def task_delete(request, pk: int, task_pk: int):
    return _delete_part(request, pk, Task, task_pk, svc.delete_task, _("Đã xoá nhiệm vụ."), "nhiem-vu")


@require_POST
def task_answer(request, pk: int, task_pk: int):
    """The reply of the body a request is addressed to (accepted: the task is then tracked)."""
    plan = _visible_plan(request, pk)
    task = get_object_or_404(Task, pk=task_pk, plan=plan)
    answer = request.POST.get("answer", "")
    if answer not in ("accept", "decline"):
        messages.error(request, _("Chọn «Nhận thực hiện» hoặc «Không nhận»."))
        return redirect(reverse("plans:detail", args=[plan.pk]) + "#de-nghi")
    try:
        answer_request(task, request.user, answer == "accept")
    except RequestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Đã ghi: cơ quan nhận thực hiện; nhiệm vụ được theo dõi như nhiệm vụ được giao.")
            if answer == "accept"
            else _("Đã ghi: cơ quan không nhận thực hiện; nội dung đề nghị không được theo dõi."),
        )
    return redirect(reverse("plans:detail", args=[plan.pk]) + "#de-nghi")


# --------------------------------------------------------------------------- shortcomings appendix


def shortcoming_edit(request, pk: int, row_pk: int | None = None):
    plan = _visible_plan(request, pk)
    denied = _guard_edit(request, plan)
    if denied is not None:
        return denied
    row = get_object_or_404(Shortcoming, pk=row_pk, plan=plan) if row_pk else None
    form = ShortcomingForm(request.POST or None, plan=plan, row=row)
    if request.method == "POST" and form.is_valid():
        try:
            svc.save_shortcoming(plan, request.user, form.cleaned_data, row)
        except ValidationError as exc:
            show_errors(form, exc, NODE_FIELDS)
        else:
            messages.success(request, _("Đã lưu dòng phụ lục hạn chế."))
            return redirect(reverse("plans:detail", args=[plan.pk]) + "#han-che")
    return render(
        request,
        "plans/shortcoming_form.html",
        {"form": form, "plan": plan, "row": row},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def shortcoming_delete(request, pk: int, row_pk: int):
    return _delete_part(
        request, pk, Shortcoming, row_pk, svc.delete_shortcoming, _("Đã xoá dòng phụ lục hạn chế."), "han-che"
    )


# --------------------------------------------------------------------------- attachments


@require_POST
def attachment_add(request, pk: int):
    plan = _visible_plan(request, pk)
    denied = _guard_edit(request, plan)
    if denied is not None:
        return denied
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Chọn một tệp để đính kèm."))
    else:
        try:
            att = svc.add_attachment(plan, request.user, form.cleaned_data["file"])
        except UploadRejected as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã đính kèm tệp «{name}».").format(name=att.name))
    return redirect(reverse("plans:detail", args=[plan.pk]) + "#tep")


def attachment_download(request, pk: int, att_pk: int):
    plan = _visible_plan(request, pk)
    att = get_object_or_404(PlanAttachment, pk=att_pk, plan=plan)
    return download(att)


# --------------------------------------------------------------------------- history


def plan_history(request, pk: int):
    plan = _visible_plan(request, pk)
    if not permissions.oversees(request.user, plan):
        raise PermissionDenied
    return render(
        request,
        "plans/history.html",
        {"plan": plan, "entries": svc.plan_history(plan), "status_label": plan.status_label},
    )
