"""The public web form (no sign-in, no JavaScript needed): a citizen opens it by the QR link of a counter."""

from __future__ import annotations

import time

import pytest
from django.core import signing

from chiso.surveys.models import FormUse, Response
from chiso.surveys.services import frame
from chiso.surveys.services.pages import SIGNER_SALT

from .conftest import full_answers

pytestmark = pytest.mark.django_db


def _old_token(survey, seconds_ago=120):
    signer = signing.TimestampSigner(salt=SIGNER_SALT)
    real = time.time
    try:
        time.time = lambda: real() - seconds_ago  # type: ignore[assignment]
        return signer.sign(str(survey.pk))
    finally:
        time.time = real  # type: ignore[assignment]


def _form(survey, **answers):
    data = {"t": _old_token(survey), "d": "QNG-STP"}
    data.update({k: str(v) for k, v in answers.items()})
    return data


def test_the_qr_link_opens_the_form_of_the_counter_without_signing_in(client, survey):
    r = client.get(f"/phieu/{survey.pk}/?d=QNG-STP")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Sở Tư pháp" in html
    assert 'name="d" value="QNG-STP"' in html
    assert "Nghị định số 13/2023/NĐ-CP" in html
    # every 1–5 item is a fieldset with a legend, and the page is small: no stylesheet or image file, one
    # script of under 1 KB (the skip logic; a file, since the CSP refuses inline scripts)
    assert html.count("<fieldset") >= 16 and html.count("<legend>") >= 16
    assert "<link" not in html and "<img" not in html and html.count("src=") == 1
    assert "<script>" not in html
    src = html.split('<script src="')[1].split('"')[0]
    assert src.endswith(".js") and len(b"".join(client.get(src).streaming_content)) < 1024
    assert len(r.content) < 40_000


def test_a_complete_form_is_kept_and_shows_a_receipt(client, survey):
    r = client.post(f"/phieu/{survey.pk}/", _form(survey, **full_answers(4)), follow=True)
    assert r.status_code == 200
    row = Response.objects.get(survey=survey)
    assert row.mode == "web" and row.point.code == "QNG-STP"
    assert row.receipt in r.content.decode()


def test_errors_are_listed_at_the_top_and_linked_to_their_question(client, survey):
    answers = {k: v for k, v in full_answers().items() if k != "q9_sat_25"}
    r = client.post(f"/phieu/{survey.pk}/", _form(survey, **answers))
    assert r.status_code == 400
    html = r.content.decode()
    assert 'href="#q-q9_sat_25"' in html and 'id="q-q9_sat_25"' in html
    assert 'aria-describedby="e-q9_sat_25"' in html
    # what was answered is still checked
    assert 'name="q9_sat_24" value="4" checked' in html
    assert not Response.objects.exists()


def test_a_form_sent_too_fast_is_not_kept(client, survey):
    data = _form(survey, **full_answers())
    data["t"] = signing.TimestampSigner(salt=SIGNER_SALT).sign(str(survey.pk))  # just now
    r = client.post(f"/phieu/{survey.pk}/", data)
    assert r.status_code == 400 and "quá nhanh" in r.content.decode()
    data["t"] = "giả-mạo"
    assert client.post(f"/phieu/{survey.pk}/", data).status_code == 400
    assert not Response.objects.exists()


def test_the_honeypot_thanks_a_robot_and_keeps_nothing(client, survey):
    data = _form(survey, **full_answers())
    data["website"] = "http://spam.example"
    r = client.post(f"/phieu/{survey.pk}/", data)
    assert r.status_code == 200 and "Cảm ơn" in r.content.decode()
    assert not Response.objects.exists()


def test_a_closed_survey_says_so(client, survey, scene):
    frame.step(survey, "close", scene.coordinator)
    r = client.get(f"/phieu/{survey.pk}/")
    assert "không nhận phiếu" in r.content.decode()
    client.post(f"/phieu/{survey.pk}/", _form(survey, **full_answers()))
    assert not Response.objects.exists()


def test_a_repeated_dossier_is_shown_on_the_dossier_field(client, survey):
    data = _form(survey, **full_answers())
    data["dossier"] = "HS-1"
    client.post(f"/phieu/{survey.pk}/", data)
    r = client.post(f"/phieu/{survey.pk}/", data)
    assert r.status_code == 409 and 'href="#q-dossier"' in r.content.decode()
    assert Response.objects.count() == 1


def test_the_same_page_sent_twice_keeps_one_response(client, survey):
    """A double tap on "Gửi phiếu" (or the browser sending the page again): the second sending of the same
    form page writes nothing and shows the first one's receipt; a new page of the form is a new response.
    A page refused (an error) can be corrected and sent again."""
    import re

    from chiso.surveys.models import Survey

    Survey.objects.filter(pk=survey.pk).update(min_fill_seconds=0)

    def page_token():
        html = client.get(f"/phieu/{survey.pk}/?d=QNG-STP").content.decode()
        return re.search(r'name="t" value="([^"]+)"', html).group(1)

    data = {"t": page_token(), "d": "QNG-STP", **{k: str(v) for k, v in full_answers(4).items()}}
    first = client.post(f"/phieu/{survey.pk}/", data)
    again = client.post(f"/phieu/{survey.pk}/", data)
    assert first.status_code == again.status_code == 302
    assert Response.objects.filter(survey=survey).count() == 1
    receipt = Response.objects.get(survey=survey).receipt
    assert receipt in first["Location"] and receipt in again["Location"]

    data["t"] = page_token()
    assert client.post(f"/phieu/{survey.pk}/", data).status_code == 302
    assert Response.objects.filter(survey=survey).count() == 2

    data["t"] = page_token()
    data["q9_sat_24"] = "7"
    assert client.post(f"/phieu/{survey.pk}/", data).status_code == 400
    data["q9_sat_24"] = "4"
    assert client.post(f"/phieu/{survey.pk}/", data).status_code == 302
    assert Response.objects.filter(survey=survey).count() == 3
    # kept only while the survey collects, as the rate-limit hashes
    frame.step(Survey.objects.get(pk=survey.pk), "close", None)
    assert not FormUse.objects.filter(survey=survey).exists()
