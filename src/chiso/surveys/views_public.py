"""The public web form of a survey (no sign-in): what a QR code at a counter opens.

GET shows the form of the survey's current questionnaire (the service point from ``?d=``); POST checks the
honeypot field, the time since the form was shown (a signed timestamp in the form: no cookie, no session)
and the answers (``services.intake.submit``), then shows the receipt. Bad answers show the form again with
every error linked to its question. CSRF-exempt by design: there is no account to act for, and the signed
timestamp stands for a form token. The token also carries a random number of the page: the same page sent
twice (a double tap) makes one response (``FormUse``). The page is small (no stylesheet file, no script file, no image): see
docs/architecture.md for its size in bytes.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .forms import answers_from_post, rows
from .models import Response, Survey
from .services import intake, pages
from .services.answers import LIKERT

HONEYPOT = "website"


def _page(request, survey, *, point, answers=None, errors=None, dossier="", status=200):
    questions = intake.form_of(survey).questions
    errors = errors or {}
    summary = [(code, m) for code, msgs in errors.items() for m in msgs]
    return render(
        request,
        "surveys/public_form.html",
        {
            "survey": survey,
            "point": point,
            "rows": list(rows(questions, answers or {}, errors)),
            "summary": summary,
            "likert": LIKERT,
            "token": pages.token(survey),
            "dossier": dossier,
            "honeypot": HONEYPOT,
        },
        status=status,
    )


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def form(request, pk: int):
    survey = get_object_or_404(Survey.objects.select_related("province"), pk=pk)
    code = (request.POST.get("d") if request.method == "POST" else request.GET.get("d")) or ""
    point = intake.find_point(survey, code[:40]) if code else None
    if not survey.collecting:
        return render(request, "surveys/public_closed.html", {"survey": survey}, status=200)
    if request.method == "GET":
        return _page(request, survey, point=point)
    questions = intake.form_of(survey).questions
    raw = answers_from_post(questions, request.POST)
    dossier = request.POST.get("dossier", "")[:200]
    if request.POST.get(HONEYPOT):
        # a robot filled the hidden field: thank it and keep nothing
        return render(request, "surveys/public_thanks.html", {"survey": survey, "receipt": ""})
    shown = pages.elapsed(survey, request.POST.get("t", ""))
    if shown is None or shown < survey.min_fill_seconds:
        message = _(
            "Phiếu được gửi quá nhanh sau khi mở. Xin Ông/Bà xem lại các câu trả lời rồi bấm Gửi phiếu lần nữa."
        )
        return _page(
            request,
            survey,
            point=point,
            answers=raw,
            dossier=dossier,
            errors={"__all__": [message]},
            status=400,
        )
    use = pages.claim(survey, request.POST.get("t", ""))
    if isinstance(use, str):  # this page was sent already: one response, the first one's receipt
        if use:
            return redirect(f"{reverse('survey_public:thanks', args=[survey.pk])}?{urlencode({'r': use})}")
        return render(request, "surveys/public_thanks.html", {"survey": survey, "receipt": ""})
    try:
        row = intake.submit(
            survey,
            raw,
            point=point.code if point else "",
            dossier=dossier,
            mode=Response.Mode.WEB,
            client=intake.client_address(request.META),
        )
    except (ValidationError, intake.DuplicateDossier, intake.RateLimited) as exc:
        pages.release(use)  # refused: the same page, corrected, may be sent again
        if isinstance(exc, ValidationError):
            errors, status = exc.message_dict, 400
        elif isinstance(exc, intake.DuplicateDossier):
            errors, status = {"dossier": [str(exc)]}, 409
        else:
            errors, status = {"__all__": [str(exc)]}, 429
        return _page(request, survey, point=point, answers=raw, dossier=dossier, errors=errors, status=status)
    except BaseException:
        pages.release(use)
        raise
    pages.done(use, row.receipt)
    # after a POST, a page of its own: reloading it sends nothing again
    return redirect(f"{reverse('survey_public:thanks', args=[survey.pk])}?{urlencode({'r': row.receipt})}")


@login_not_required
@require_http_methods(["GET"])
def thanks(request, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    receipt = request.GET.get("r", "")[:20]
    return render(request, "surveys/public_thanks.html", {"survey": survey, "receipt": receipt})
