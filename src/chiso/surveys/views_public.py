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

import secrets
import time
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .forms import answers_from_post, rows
from .models import FormUse, Response, Survey
from .services import intake
from .services.answers import LIKERT

SIGNER_SALT = "chiso.surveys.form"
HONEYPOT = "website"


def _token(survey: Survey) -> str:
    """The signed token of one page of the form: the survey, a random number of this page (a second
    sending of the page is known by it: ``FormUse``) and the time it was shown."""
    return signing.TimestampSigner(salt=SIGNER_SALT).sign(f"{survey.pk}.{secrets.token_hex(16)}")


def _elapsed(survey: Survey, token: str) -> float | None:
    """Seconds since the form carrying ``token`` was shown; None when the token is not ours."""
    signer = signing.TimestampSigner(salt=SIGNER_SALT)
    try:
        value = signer.unsign(token, max_age=7 * 24 * 3600)
    except signing.BadSignature:
        return None
    if value.split(".")[0] != str(survey.pk):
        return None
    ts = signing.b62_decode(token.rsplit(":", 2)[1])
    return time.time() - ts


def _nonce(token: str) -> str:
    """The page's random number in a token ``_elapsed`` accepted ("" in a token of before it had one)."""
    value = token.rsplit(":", 2)[0]
    return value.split(".", 1)[1][:32] if "." in value else ""


def _claim(survey: Survey, nonce: str) -> FormUse | str | None:
    """Claim this page's sending: the new FormUse, or — the page was sent before — the receipt of that
    sending ("" while it is still being written). None: a token without a number, nothing to claim."""
    if not nonce:
        return None
    try:
        with transaction.atomic():
            return FormUse.objects.create(survey=survey, nonce=nonce)
    except IntegrityError:
        earlier = FormUse.objects.filter(survey=survey, nonce=nonce).first()
        return earlier.receipt if earlier is not None else None


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
            "token": _token(survey),
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
    elapsed = _elapsed(survey, request.POST.get("t", ""))
    if elapsed is None or elapsed < survey.min_fill_seconds:
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
    use = _claim(survey, _nonce(request.POST.get("t", "")))
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
        _unclaim(use)  # refused: the same page, corrected, may be sent again
        if isinstance(exc, ValidationError):
            errors, status = exc.message_dict, 400
        elif isinstance(exc, intake.DuplicateDossier):
            errors, status = {"dossier": [str(exc)]}, 409
        else:
            errors, status = {"__all__": [str(exc)]}, 429
        return _page(request, survey, point=point, answers=raw, dossier=dossier, errors=errors, status=status)
    except BaseException:
        _unclaim(use)
        raise
    if use is not None:
        FormUse.objects.filter(pk=use.pk).update(receipt=row.receipt)
    # after a POST, a page of its own: reloading it sends nothing again
    return redirect(f"{reverse('survey_public:thanks', args=[survey.pk])}?{urlencode({'r': row.receipt})}")


def _unclaim(use: FormUse | None) -> None:
    if use is not None:
        FormUse.objects.filter(pk=use.pk).delete()


@login_not_required
@require_http_methods(["GET"])
def thanks(request, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    receipt = request.GET.get("r", "")[:20]
    return render(request, "surveys/public_thanks.html", {"survey": survey, "receipt": receipt})
