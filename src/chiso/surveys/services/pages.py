"""One sending per page of a form: the public form and officers' paper entry carry a signed token with a
random number of the page and the time it was shown; a page sent twice (a double tap, a double click,
the browser sending it again) is known by that number (``FormUse``) and makes no second response.

- ``token(survey)`` — a new page's token;
- ``elapsed(survey, token)`` — seconds since the page was shown (None: not a token of this survey's pages);
- ``claim(survey, token)`` — the new ``FormUse`` of this sending; or, the page was sent before, the receipt
  of that sending ("" while it is still being written); None for a token without a number;
- ``release(use)`` — a refused sending: the same page, corrected, may be sent again;
- ``done(use, receipt)`` — the response the sending made.
"""

from __future__ import annotations

import secrets
import time

from django.core import signing
from django.db import IntegrityError, transaction

from ..models import FormUse, Survey

SIGNER_SALT = "chiso.surveys.form"


def token(survey: Survey) -> str:
    return signing.TimestampSigner(salt=SIGNER_SALT).sign(f"{survey.pk}.{secrets.token_hex(16)}")


def elapsed(survey: Survey, value: str) -> float | None:
    signer = signing.TimestampSigner(salt=SIGNER_SALT)
    try:
        unsigned = signer.unsign(value, max_age=7 * 24 * 3600)
    except signing.BadSignature:
        return None
    if unsigned.split(".")[0] != str(survey.pk):
        return None
    ts = signing.b62_decode(value.rsplit(":", 2)[1])
    return time.time() - ts


def _nonce(value: str) -> str:
    """The page's random number in a token ``elapsed`` accepted ("" in a token of before it had one)."""
    unsigned = value.rsplit(":", 2)[0]
    return unsigned.split(".", 1)[1][:32] if "." in unsigned else ""


def claim(survey: Survey, value: str) -> FormUse | str | None:
    nonce = _nonce(value) if elapsed(survey, value) is not None else ""
    if not nonce:
        return None
    try:
        with transaction.atomic():
            return FormUse.objects.create(survey=survey, nonce=nonce)
    except IntegrityError:
        earlier = FormUse.objects.filter(survey=survey, nonce=nonce).first()
        return earlier.receipt if earlier is not None else None


def release(use: FormUse | None) -> None:
    if use is not None:
        FormUse.objects.filter(pk=use.pk).delete()


def done(use: FormUse | None, receipt: str) -> None:
    if use is not None:
        FormUse.objects.filter(pk=use.pk).update(receipt=receipt)
