"""Staff pages of surveys: the list, a survey's page (workflow steps, the frame with live quotas, QR posters
of the service points), the frame's dossier counts, the estimates page and officers' paper entry (with an
optional second entry that must match the first). Thin: who may see and do what is asked of
``chiso.surveys.permissions``, every write goes through ``chiso.surveys.services``."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.accounts.scope import covered
from chiso.concurrency import StaleEdit, parse_revision
from chiso.core.text import nfc, vi_sort_key
from chiso.core.workflow import WorkflowError
from chiso.files.checks import UploadRejected, check_table_upload
from chiso.results.importer import ImportRefused
from chiso.results.reader import extension_of
from chiso.units.models import Unit
from chiso.workflows.services import available_steps

from . import permissions
from .forms import answers_from_post, question_from_post, rows
from .links import public_url
from .models import Question, Response, Survey
from .poster import poster_pdf
from .services import estimates, frame, imports, intake, pages, questionnaire, screening
from .services.answers import clean_answers
from .services.questionnaire import questions_of
from .views_public import LIKERT


def visible_surveys(user):
    """The surveys the user may open (``permissions.sees_survey``): read on the province, or paper entry
    at one of its service points — never one listed whose page would then answer 404."""
    readers = covered(user, permissions.READ_ROLES)
    entry = covered(user, permissions.ENTRY_ROLES)
    qs = Survey.objects.select_related("province").order_by("-year", "-pk")
    if readers is None or entry is None:
        return qs
    return qs.filter(pk__in=Survey.objects.filter(province_id__in=readers).values("pk")) | qs.filter(
        pk__in=Survey.objects.filter(points__unit_id__in=entry).values("pk")
    )


def _survey(request, pk: int) -> Survey:
    survey = get_object_or_404(Survey.objects.select_related("province"), pk=pk)
    if not permissions.sees_survey(request.user, survey):
        raise Http404
    return survey


def survey_list(request):
    return render(
        request,
        "surveys/list.html",
        {"surveys": visible_surveys(request.user), "can_create": bool(_managed_provinces(request.user))},
    )


def _managed_provinces(user) -> list[Unit]:
    scope = covered(user, permissions.MANAGE_ROLES)
    qs = Unit.objects.filter(kind=Unit.Kind.PROVINCE)
    qs = qs.filter(valid_to__isnull=True) if scope is None else qs.filter(pk__in=scope)
    return sorted(qs, key=lambda u: vi_sort_key(u.name))


def survey_new(request):
    """A coordinator creates a survey from a shipped template for her province (as ``chiso survey create``):
    a draft with the template's questions and a frame of the province's departments and communes."""
    provinces = _managed_provinces(request.user)
    if not provinces:
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh được tạo cuộc khảo sát."))
    templates = [
        (code, questionnaire.load_template(code)["title"]) for code in questionnaire.template_codes()
    ]
    errors: dict[str, list[str]] = {}
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        province = next((p for p in provinces if str(p.pk) == request.POST.get("province", "")), None)
        year_text = request.POST.get("year", "").strip()
        if province is None:
            errors["province"] = [_("Hãy chọn tỉnh, thành phố bạn điều phối.")]
        if not (year_text.isdigit() and len(year_text) == 4):
            errors["year"] = [_("Năm khảo sát là một số có bốn chữ số, ví dụ 2026.")]
        if not errors:
            try:
                survey = questionnaire.create_survey(
                    request.POST.get("template", ""),
                    province,
                    int(year_text),
                    request.user,
                    title=request.POST.get("title", "")[:300],
                )
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(
                    request,
                    _(
                        "Đã tạo cuộc khảo sát “%(t)s” (dự thảo) với %(q)s câu hỏi và %(p)s điểm phục vụ. "
                        "Nhập số hồ sơ của khung mẫu rồi mở thu phiếu."
                    )
                    % {"t": survey.title, "q": len(questions_of(survey)), "p": survey.points.count()},
                )
                return redirect("surveys:detail", pk=survey.pk)
    return render(
        request,
        "surveys/new.html",
        {
            "provinces": provinces,
            "templates": templates,
            "errors": errors,
            "summary": [m for msgs in errors.values() for m in msgs],
            "data": data,
            "default_year": timezone.localdate().year,
        },
        status=400 if errors else 200,
    )


def survey_detail(request, pk: int):
    survey = _survey(request, pk)
    reader = permissions.can_read(request.user, survey.province_id)
    manager = permissions.can_manage(request.user, survey.province_id)
    quota_rows = estimates.quotas(survey) if reader else []
    if not reader:
        mine = set(permissions.entry_points(request.user, survey).values_list("pk", flat=True))
        quota_rows = [r for r in estimates.quotas(survey) if r["point"].pk in mine]
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "reader": reader,
            "manager": manager,
            "can_enter": permissions.entry_points(request.user, survey).exists(),
            "steps": available_steps(request.user, survey) if manager else [],
            "quotas": quota_rows,
            "total": {
                k: sum(r[k] for r in quota_rows) for k in ("dossiers", "target", "collected", "remaining")
            },
            "public_url": public_url(survey.pk),
            "n_responses": Response.objects.filter(survey=survey).count(),
        },
    )


def _monitored_points(request, survey: Survey):
    """Readers of the province see every service point; an officer only her unit's (None = all)."""
    if permissions.can_read(request.user, survey.province_id):
        return None
    mine = set(permissions.entry_points(request.user, survey).values_list("pk", flat=True))
    if not mine:
        raise PermissionDenied(_("Bạn không theo dõi được cuộc khảo sát này."))
    return mine


def monitor(request, pk: int):
    """Monitoring: responses per service point against its quota (bars), and per day (chart and table)."""
    survey = _survey(request, pk)
    mine = _monitored_points(request, survey)
    rows = [r for r in estimates.quotas(survey) if mine is None or r["point"].pk in mine]
    for r in rows:
        r["pct"] = min(100, round(100 * r["collected"] / r["target"])) if r["target"] else 0
    rows.sort(key=lambda r: (-(r["remaining"] or 0), r["point"].name))
    days = estimates.daily(survey, mine)
    total = {k: sum(r[k] for r in rows) for k in ("dossiers", "target", "collected", "remaining")}
    total["pct"] = min(100, round(100 * total["collected"] / total["target"])) if total["target"] else 0
    return render(
        request,
        "surveys/monitor.html",
        {
            "survey": survey,
            "rows": rows,
            "total": total,
            "days": list(reversed(days)),
            "reached": sum(1 for r in rows if r["target"] and r["remaining"] == 0),
        },
    )


def monitor_chart(request, pk: int):
    from . import charts

    survey = _survey(request, pk)
    mine = _monitored_points(request, survey)
    target = sum(r["target"] for r in estimates.quotas(survey) if mine is None or r["point"].pk in mine)
    svg = charts.daily(estimates.daily(survey, mine), target, _("Số phiếu thu được theo ngày"))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_POST
def survey_step(request, pk: int):
    survey = _survey(request, pk)
    if not permissions.can_manage(request.user, survey.province_id):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh làm được việc này."))
    try:
        survey = frame.step(survey, request.POST.get("action", ""), request.user)
    except (WorkflowError, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        if survey.locked:
            from chiso.frameworks.models import Index

            from .services.publish import index_code

            index = Index.objects.filter(code=index_code(survey)).first()
            messages.success(
                request,
                _(
                    "Đã kết thúc thu phiếu. Kết quả đã được công bố thành kết quả của chỉ số “%(i)s” "
                    "(năm %(y)s); số liệu dưới cỡ mẫu tối thiểu để trống."
                )
                % {"i": index.display_name if index else index_code(survey), "y": survey.year},
            )
        else:
            messages.success(request, _("Cuộc khảo sát đã chuyển sang: %(s)s.") % {"s": survey.status_label})
    return redirect("surveys:detail", pk=survey.pk)


def frame_edit(request, pk: int):
    survey = _survey(request, pk)
    if not permissions.can_manage(request.user, survey.province_id):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh làm được việc này."))
    points = list(survey.points.select_related("unit").order_by("unit__kind", "name"))
    errors: dict[str, list[str]] = {}
    margin_errors: dict[str, list[str]] = {}
    margin_questions = frame.margin_questions(survey)
    if request.method == "POST" and request.POST.get("form") == "margins":
        typed = {
            q.code: {str(v): request.POST.get(f"m-{q.code}-{v}", "") for v, _label in q.options}
            for q in margin_questions
        }
        try:
            frame.set_margins(survey, typed, request.user)
        except ValidationError as exc:
            margin_errors = exc.message_dict
        else:
            messages.success(request, _("Đã lưu cơ cấu dân số để gia quyền."))
            return redirect("surveys:frame", pk=survey.pk)
    elif request.method == "POST":
        counts = {p.code: request.POST.get(f"n-{p.code}", "") for p in points}
        try:
            changed = frame.set_dossiers(survey, counts, request.user)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Đã lưu số hồ sơ của %(n)s điểm phục vụ.") % {"n": changed})
            return redirect("surveys:detail", pk=survey.pk)
    return render(
        request,
        "surveys/frame.html",
        {
            "survey": survey,
            "points": [
                (p, errors.get(p.code, []), request.POST.get(f"n-{p.code}", p.dossiers)) for p in points
            ],
            "margins": [
                (
                    q,
                    margin_errors.get(q.code, []),
                    [
                        (
                            v,
                            label,
                            request.POST.get(f"m-{q.code}-{v}")
                            if margin_errors
                            else _percent((survey.margins or {}).get(q.code, {}).get(str(v))),
                        )
                        for v, label in q.options
                    ],
                )
                for q in margin_questions
            ],
            "margin_summary": [m for msgs in margin_errors.values() for m in msgs],
        },
        status=400 if errors or margin_errors else 200,
    )


def _percent(share) -> str:
    """A stored margin (a share) as the percent the form shows: 0.49 → "49", 0.155 → "15,5"."""
    from chiso.core.text import format_number

    return "" if share is None else format_number(100 * share, 2).rstrip("0").rstrip(",")


def survey_estimates(request, pk: int):
    survey = _survey(request, pk)
    if not permissions.can_read(request.user, survey.province_id):
        raise PermissionDenied(_("Bạn không được xem kết quả của cuộc khảo sát này."))
    weighted = request.GET.get("gia-quyen") == "1"
    figures = estimates.compute(survey, weighted=weighted)
    questions = {q.code: q for q in questions_of(survey)}
    return render(
        request,
        "surveys/estimates.html",
        {
            "survey": survey,
            "weighted": weighted,
            "f": figures,
            "items": [(questions[c], e) for c, e in figures.items.items()],
            "texts": screening.texts(survey, "shown", limit=50),
            "official": estimates.official_sipas(survey, figures.overall.get("p")),
        },
    )


def survey_compare(request, pk: int):
    """The survey's overall and element figures beside the province's official SIPAS (the index and nodes
    the template names), the three latest years on file, for the survey's readers."""
    survey = _survey(request, pk)
    if not permissions.can_read(request.user, survey.province_id):
        raise PermissionDenied(_("Bạn không được xem kết quả của cuộc khảo sát này."))
    weighted = request.GET.get("gia-quyen") == "1"
    figures = estimates.compute(survey, weighted=weighted)
    compared = estimates.comparison(survey, figures)
    return render(
        request,
        "surveys/compare.html",
        {
            "survey": survey,
            "weighted": weighted,
            "f": figures,
            "c": compared,
            "table": compared.table() if compared else [],
        },
    )


def republish(request, pk: int):
    """A closed survey's estimates published again: what would change (old → new per unit), then, on
    confirmation, the write through the results importer (history and change rows)."""
    from .services import publish

    survey = _manager_survey(request, pk)
    if not survey.locked:
        messages.error(
            request, _("Cuộc khảo sát chưa kết thúc: kết quả được công bố khi kết thúc thu phiếu.")
        )
        return redirect("surveys:detail", pk=survey.pk)
    if request.method == "POST":
        try:
            batch = publish.republish(survey, request.user)
        except (ValidationError, ImportRefused) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])[:5]))
        else:
            n = batch.summary.get("values_changed", 0) if batch is not None else 0
            messages.success(
                request,
                _("Đã công bố lại kết quả của cuộc khảo sát: %(n)s giá trị thay đổi.") % {"n": n}
                if n
                else _("Đã công bố lại: kết quả không thay đổi."),
            )
        return redirect("surveys:detail", pk=survey.pk)
    preview = publish.republish_preview(survey)
    changes = []
    if preview is not None:
        for row in preview.rows:
            for cell in row.cells:
                if cell.status != "unchanged" and not cell.computed:
                    changes.append((row.unit.name if row.unit else row.unit_text, cell))
    return render(
        request,
        "surveys/republish.html",
        {"survey": survey, "preview": preview, "changes": changes},
        status=200 if preview is None or preview.ok else 400,
    )


def survey_report(request, pk: int, fmt: str):
    """The survey report (methods, estimates with intervals) as DOCX or PDF, for its readers."""
    from chiso.documents.responses import document_response

    from . import documents

    survey = _survey(request, pk)
    if not permissions.can_read(request.user, survey.province_id):
        raise PermissionDenied(_("Bạn không được xem kết quả của cuộc khảo sát này."))
    if fmt not in documents.FORMATS:
        raise Http404
    return document_response(
        documents.render_report(survey, fmt), fmt, documents.report_filename(survey, fmt)
    )


def _sheet_taken(sheet: str, point, taken: Response) -> str:
    return _(
        "Phiếu số %(s)s của %(p)s đã được nhập (biên nhận %(r)s). Để đối chiếu phiếu này, "
        "chọn “Nhập lần 2 để đối chiếu”; nếu là phiếu khác, hãy ghi số phiếu khác."
    ) % {"s": sheet, "p": point.unit.name, "r": taken.receipt}


def paper_entry(request, pk: int):
    """One paper form typed by an officer. With "second entry" the form is typed again by sheet number and
    kept only if it matches the first entry; the differences are shown otherwise."""
    survey = _survey(request, pk)
    points = list(permissions.entry_points(request.user, survey))
    if not points:
        raise PermissionDenied(_("Bạn không nhập phiếu giấy cho cuộc khảo sát này."))
    questions = questions_of(survey)
    raw: dict = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        raw = answers_from_post(questions, request.POST)
        code = request.POST.get("d", "")
        sheet = request.POST.get("sheet", "").strip()
        # a sheet is known by its number and its service point (each counter numbers its own sheets),
        # among the points the user types forms for
        point = next((p for p in points if p.code == code), None)
        earlier = (
            Response.objects.filter(survey=survey, point=point, sheet=sheet, mode=Response.Mode.PAPER)
            if sheet and point is not None
            else Response.objects.none()
        )
        if request.POST.get("verify") == "1":
            first = earlier.order_by("pk").first()
            if first is None:
                errors = {
                    "sheet": [
                        _("Chưa có phiếu số “%(s)s” của %(p)s nhập lần đầu.")
                        % {"s": sheet, "p": point.unit.name if point else code}
                    ]
                }
            elif first.verified:
                errors = {
                    "sheet": [
                        _(
                            "Phiếu số %(s)s của %(p)s đã được đối chiếu và xác nhận trước đó: không cần nhập "
                            "lại."
                        )
                        % {"s": sheet, "p": point.unit.name}
                    ]
                }
            else:
                try:
                    again, _scores = clean_answers(questions_of(survey, first.version), raw)
                except ValidationError as exc:
                    errors = exc.message_dict
                else:
                    diff = sorted(
                        c for c in set(again) | set(first.answers) if again.get(c) != first.answers.get(c)
                    )
                    if diff:
                        errors = {c: [_("Khác lần nhập đầu.")] for c in diff}
                    elif not Response.objects.filter(pk=first.pk, verified=False).update(verified=True):
                        # confirmed by someone else in the meantime
                        errors = {
                            "sheet": [
                                _(
                                    "Phiếu số %(s)s của %(p)s đã được đối chiếu và xác nhận trước đó: không cần "
                                    "nhập lại."
                                )
                                % {"s": sheet, "p": point.unit.name}
                            ]
                        }
                    else:
                        messages.success(
                            request, _("Phiếu số %(s)s: lần nhập thứ hai khớp, đã xác nhận.") % {"s": sheet}
                        )
                        return redirect("surveys:paper", pk=survey.pk)
        elif earlier.exists():
            errors = {"sheet": [_sheet_taken(sheet, point, earlier.first())]}
        else:
            use = pages.claim(survey, request.POST.get("t", ""))
            if isinstance(use, str):  # this page was sent already (a double click): one response
                messages.info(
                    request,
                    _("Phiếu này vừa được lưu (biên nhận %(r)s): không lưu lần hai.") % {"r": use}
                    if use
                    else _("Phiếu này đang được lưu: không lưu lần hai."),
                )
                return redirect(f"{request.path}?d={code}")
            try:
                with transaction.atomic():
                    if sheet and point is not None:
                        # two officers typing the same sheet at the same moment: checked again under the
                        # survey's row lock, so one of them is told it is taken
                        Survey.objects.select_for_update().filter(pk=survey.pk).values_list("pk").first()
                        taken = earlier.order_by("pk").first()
                        if taken is not None:
                            raise ValidationError({"sheet": [_sheet_taken(sheet, point, taken)]})
                    row = intake.submit(
                        survey,
                        raw,
                        point=code,
                        dossier=request.POST.get("dossier", ""),
                        mode=Response.Mode.PAPER,
                        user=request.user,
                        sheet=sheet,
                    )
            except ValidationError as exc:
                pages.release(use)  # refused: the page, corrected, may be sent again
                errors = exc.message_dict
            except intake.DuplicateDossier as exc:
                pages.release(use)
                errors = {"dossier": [str(exc)]}
            except BaseException:
                pages.release(use)
                raise
            else:
                pages.done(use, row.receipt)
                messages.success(
                    request,
                    _("Đã lưu phiếu giấy %(s)s (biên nhận %(r)s).") % {"s": sheet or "", "r": row.receipt},
                )
                return redirect(f"{request.path}?d={code}")
        status = 400
    summary = [(c, m) for c, msgs in errors.items() for m in msgs]
    return render(
        request,
        "surveys/paper.html",
        {
            "survey": survey,
            "points": points,
            "point_code": request.POST.get("d") or request.GET.get("d", ""),
            "rows": list(rows(questions, raw, errors)),
            "summary": summary,
            "likert": LIKERT,
            "sheet": request.POST.get("sheet", ""),
            "verify": request.POST.get("verify") == "1" or request.GET.get("lan") == "2",
            "token": pages.token(survey),
        },
        status=status,
    )


def point_poster(request, pk: int, code: str):
    survey = _survey(request, pk)
    point = survey.points.filter(code=code).first()
    if point is None:
        raise Http404
    if not (
        permissions.can_manage(request.user, survey.province_id)
        or permissions.can_enter(request.user, point.unit_id)
    ):
        raise PermissionDenied(_("Bạn không in được áp phích của điểm phục vụ này."))
    base = settings.CHISO_SITE_URL or request.build_absolute_uri("/")
    pdf = poster_pdf(survey, point, public_url(survey.pk, point.code, base=base))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ma-qr-{survey.pk}-{point.pk}.pdf"'
    return response


# ------------------------------------------------------------------------------------------ imports

IMPORT_DIR = settings.VAR_DIR / "imports" / "surveys"
_STORED = re.compile(r"^[0-9a-f]{64}\.(csv|xlsx|xls|ods)$")


def _manager_survey(request, pk: int) -> Survey:
    survey = _survey(request, pk)
    if not permissions.can_manage(request.user, survey.province_id):
        raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh làm được việc này."))
    return survey


def import_new(request, pk: int):
    """The upload: checked as every imported table is (``chiso.files.checks.check_table_upload``: type by
    extension and by content, size before reading it, a CSV must be text, the virus scan), then kept under
    its SHA-256 for the preview."""
    survey = _manager_survey(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors.append(_("Chưa chọn tệp."))
        else:
            try:
                checked = check_table_upload(upload, settings.CHISO_MAX_IMPORT_BYTES)
            except UploadRejected as exc:
                errors.append(str(exc))
            else:
                ext = extension_of(checked.name)
                IMPORT_DIR.mkdir(parents=True, exist_ok=True)
                (IMPORT_DIR / f"{checked.sha256}.{ext}").write_bytes(checked.data)
                query = urlencode({"name": checked.name[:120]})
                return redirect(
                    f"{reverse('surveys:import_preview', args=[survey.pk, f'{checked.sha256}.{ext}'])}?{query}"
                )
    return render(
        request,
        "surveys/import_new.html",
        {"survey": survey, "errors": errors},
        status=400 if errors else 200,
    )


def _stored(stored: str) -> bytes | None:
    path = IMPORT_DIR / stored
    if not _STORED.match(stored) or not path.exists():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != stored.split(".")[0]:
        return None
    return data


def import_preview(request, pk: int, stored: str):
    survey = _manager_survey(request, pk)
    name = nfc(request.GET.get("name") or request.POST.get("name") or stored)[:120]
    file_name = f"{name.rsplit('.', 1)[0]}.{stored.rsplit('.', 1)[-1]}"
    data = _stored(stored)
    if data is None:
        if request.method == "POST" and imports.already_imported(survey, stored.split(".")[0], request.user):
            # the same "write" sent twice (a double click): the first one wrote the file, once
            messages.info(request, _("Tệp “{name}” đã được nhập: không nhập lại.").format(name=file_name))
            return redirect("surveys:detail", pk=survey.pk)
        messages.error(
            request, _("Tệp tải lên không còn trên máy chủ hoặc đã bị thay đổi; hãy tải tệp lên lại.")
        )
        return redirect("surveys:import_new", pk=survey.pk)
    if request.method == "POST":
        try:
            n = imports.commit_responses(
                survey, data, file_name, request.user, max_bytes=settings.CHISO_MAX_IMPORT_BYTES
            )
        except ImportRefused as exc:
            messages.error(
                request, _("Không ghi gì vì tệp có lỗi: {errors}").format(errors="; ".join(exc.messages[:5]))
            )
        else:
            (IMPORT_DIR / stored).unlink(missing_ok=True)
            if n is None:
                messages.info(request, _("Tệp “{name}” đã được nhập: không nhập lại.").format(name=file_name))
            else:
                messages.success(request, _("Đã nhập {n} phiếu từ tệp “{name}”.").format(n=n, name=file_name))
            return redirect("surveys:detail", pk=survey.pk)
    preview = imports.preview_responses(survey, data, file_name, max_bytes=settings.CHISO_MAX_IMPORT_BYTES)
    return render(
        request,
        "surveys/import_preview.html",
        {
            "survey": survey,
            "preview": preview,
            "file_name": file_name,
            "name": name,
            "rows": preview.rows[:500],
        },
        status=200 if preview.ok else 400,
    )


def feedback(request, pk: int):
    """Free text answers waiting for a coordinator: show or hide each before anyone else reads them."""
    survey = _manager_survey(request, pk)
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("r") if x.isdigit()]
        n = screening.decide(survey, ids, request.POST.get("action") == "show", request.user)
        messages.success(request, _("Đã duyệt {n} ý kiến.").format(n=n))
        return redirect("surveys:feedback", pk=survey.pk)
    return render(
        request,
        "surveys/feedback.html",
        {
            "survey": survey,
            "pending": screening.texts(survey, "pending"),
            "shown": screening.texts(survey, "shown"),
        },
    )


def questionnaire_page(request, pk: int):
    """The questionnaire of the current version. Coordinators edit it here: wording and required flag at
    any time before the survey closes; kind, options, skip logic, order, adding and removing questions while
    it is not collecting. Once the current version has responses any edit makes a new version
    (``services.questionnaire``: what would change the meaning of collected answers is refused)."""
    survey = _survey(request, pk)
    manager = permissions.can_manage(request.user, survey.province_id)
    errors: dict[str, list[str]] = {}
    adding: dict = {}
    if request.method == "POST":
        if not manager:
            raise PermissionDenied(_("Chỉ chuyên viên điều phối của tỉnh làm được việc này."))
        action = request.POST.get("action", "save")
        code = request.POST.get("code", "")[:60]
        done = ""
        try:
            # the revision the page was opened at: an edit saved by someone else since refuses this one
            revision = parse_revision(request.POST.get("revision"))
            if action in ("up", "down"):
                questionnaire.move_question(survey, code, action, request.user, revision=revision)
                done = _("Đã chuyển câu hỏi %(code)s.") % {"code": code}
            elif action == "delete":
                questionnaire.remove_question(survey, code, request.user, revision=revision)
                done = _("Đã bỏ câu hỏi %(code)s khỏi phiếu.") % {"code": code}
            else:
                changes, form_errors = question_from_post(request.POST)
                if "kind" not in request.POST:  # collecting: the form has only wording and required
                    changes = {k: changes[k] for k in ("text", "required")}
                if form_errors:
                    raise ValidationError(form_errors)
                if action == "add":
                    adding = request.POST
                    questionnaire.add_question(
                        survey,
                        request.user,
                        code=code,
                        after=request.POST.get("after", ""),
                        revision=revision,
                        **changes,
                    )
                    done = _("Đã thêm câu hỏi %(code)s.") % {"code": code.strip().lower()}
                else:
                    questionnaire.edit_question(survey, code, request.user, revision=revision, **changes)
                    done = _("Đã sửa câu hỏi %(code)s.") % {"code": code}
        except ValidationError as exc:
            key = "__add__" if action == "add" else code
            errors = {key: [m for msgs in exc.message_dict.values() for m in msgs]}
            typed = nfc(request.POST.get("text", "")).strip()
            if isinstance(exc, StaleEdit) and action == "save" and typed:
                # the form below shows the questionnaire as saved now: what she typed is not lost
                errors[key].append(_("Nội dung bạn đã gõ: «{text}».").format(text=typed[:2000]))
        else:
            messages.success(request, done)
            return redirect(f"{reverse('surveys:questionnaire', args=[survey.pk])}#q-{code.strip().lower()}")
    survey.refresh_from_db()
    survey.__dict__.pop("_questions", None)
    questions = questions_of(survey)
    return render(
        request,
        "surveys/questionnaire.html",
        {
            "survey": survey,
            "manager": manager and not survey.locked,
            "structure": manager and not survey.locked and not survey.is_live,
            "rows": list(rows(questions, {}, errors)),
            "kinds": Question.Kind.choices,
            "elements": list(survey.elements.all()),
            "conditions": [q for q in questions if q.kind in ("single", "likert5")],
            "answered": Response.objects.filter(survey=survey, version=survey.version).exists(),
            "add_errors": errors.get("__add__", []),
            "adding": adding,
        },
        status=400 if errors else 200,
    )
