"""Staff pages of surveys and who may use them (role matrix): coordinators of the province manage,
officers type the paper forms of their unit, leaders and viewers read quotas and estimates."""

from __future__ import annotations

import pytest

from chiso.surveys.models import Response, Survey
from chiso.surveys.services import intake

from .conftest import full_answers

pytestmark = pytest.mark.django_db

# page → roles that may open it (others: 403 or 404)
MATRIX = {
    "detail": {"coordinator", "leader", "viewer", "officer_tp"},
    "estimates": {"coordinator", "leader", "viewer"},
    "frame": {"coordinator"},
    "paper": {"coordinator", "officer_tp"},
}
USERS = ("coordinator", "leader", "viewer", "officer_tp", "outsider")


def _url(survey, page):
    return {
        "detail": f"/khao-sat/{survey.pk}/",
        "estimates": f"/khao-sat/{survey.pk}/uoc-luong/",
        "frame": f"/khao-sat/{survey.pk}/khung-mau/",
        "paper": f"/khao-sat/{survey.pk}/phieu-giay/",
    }[page]


@pytest.mark.parametrize("page", sorted(MATRIX))
@pytest.mark.parametrize("who", USERS)
def test_role_matrix(client, scene, survey, page, who):
    client.force_login(getattr(scene, who))
    r = client.get(_url(survey, page))
    if who in MATRIX[page]:
        assert r.status_code == 200, (who, page)
    else:
        assert r.status_code in (403, 404), (who, page, r.status_code)


def test_anonymous_staff_pages_ask_to_sign_in(client, survey):
    r = client.get(f"/khao-sat/{survey.pk}/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_the_coordinator_sees_quotas_and_takes_workflow_steps(client, scene, survey):
    intake.submit(survey, full_answers(), point="QNG-STP", mode="api")
    client.force_login(scene.coordinator)
    html = client.get(f"/khao-sat/{survey.pk}/").content.decode()
    assert "Bộ phận một cửa — Sở Tư pháp" in html and ">292<" in html and ">291<" in html
    client.post(f"/khao-sat/{survey.pk}/buoc/", {"action": "close"})
    survey.refresh_from_db()
    assert survey.locked


def test_a_workflow_step_says_what_it_did_and_closing_twice_changes_nothing(client, scene, survey):
    for _ in range(30):
        intake.submit(survey, full_answers(5), point="QNG-STP", mode="api")
    client.force_login(scene.coordinator)
    r = client.post(f"/khao-sat/{survey.pk}/buoc/", {"action": "close"}, follow=True)
    html = r.content.decode()
    assert "Đã kết thúc thu phiếu. Kết quả đã được công bố thành kết quả của chỉ số" in html
    assert "(năm 2026)" in html
    closed_at = Survey.objects.get(pk=survey.pk).closed_at
    # a second click (another tab, a resent form): a clear refusal, nothing changed
    r = client.post(f"/khao-sat/{survey.pk}/buoc/", {"action": "close"}, follow=True)
    assert r.status_code == 200 and "Không thể «Kết thúc thu phiếu»" in r.content.decode()
    assert Survey.objects.get(pk=survey.pk).closed_at == closed_at


def test_a_viewer_cannot_take_workflow_steps(client, scene, survey):
    client.force_login(scene.viewer)
    assert client.post(f"/khao-sat/{survey.pk}/buoc/", {"action": "close"}).status_code == 403
    survey.refresh_from_db()
    assert survey.collecting


def test_frame_counts_are_checked_and_nothing_is_saved_on_error(client, scene, survey):
    client.force_login(scene.coordinator)
    r = client.post(
        f"/khao-sat/{survey.pk}/khung-mau/", {"n-QNG-STP": "2.000", "n-QNG-SYT": "-5", "n-99901": "300"}
    )
    assert r.status_code == 400 and "số nguyên không âm" in r.content.decode()
    assert survey.points.get(code="QNG-STP").dossiers == 1200
    r = client.post(
        f"/khao-sat/{survey.pk}/khung-mau/", {"n-QNG-STP": "2.000", "n-QNG-SYT": "800", "n-99901": "300"}
    )
    assert r.status_code == 302
    assert survey.points.get(code="QNG-STP").dossiers == 2000


def _paper(**answers):
    data = {"d": "QNG-STP", "sheet": "TP-001"}
    data.update({k: str(v) for k, v in answers.items()})
    return data


def test_an_officer_types_a_paper_form_and_a_second_entry_verifies_it(client, scene, survey):
    client.force_login(scene.officer_tp)
    r = client.post(f"/khao-sat/{survey.pk}/phieu-giay/", _paper(**full_answers(4), job="3"))
    assert r.status_code == 302
    row = Response.objects.get(survey=survey)
    assert (
        row.mode == "paper"
        and row.entered_by == scene.officer_tp
        and row.sheet == "TP-001"
        and not row.verified
    )
    # a second entry that differs is shown, nothing is confirmed
    wrong = {**full_answers(4), "q9_sat_30": 2, "job": 3}
    r = client.post(f"/khao-sat/{survey.pk}/phieu-giay/", {**_paper(**wrong), "verify": "1"})
    assert r.status_code == 400 and "Khác lần nhập đầu" in r.content.decode()
    row.refresh_from_db()
    assert not row.verified
    r = client.post(f"/khao-sat/{survey.pk}/phieu-giay/", {**_paper(**full_answers(4), job=3), "verify": "1"})
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.verified and Response.objects.count() == 1


def test_a_paper_sheet_typed_twice_as_a_first_entry_is_refused(client, scene, survey):
    """The same sheet of the same service point typed again as a new form would count one citizen twice:
    refused, with the way to verify it instead; nothing is written."""
    client.force_login(scene.officer_tp)
    assert client.post(f"/khao-sat/{survey.pk}/phieu-giay/", _paper(**full_answers(4))).status_code == 302
    r = client.post(f"/khao-sat/{survey.pk}/phieu-giay/", _paper(**full_answers(4)))
    assert r.status_code == 400
    html = r.content.decode()
    assert "Phiếu số TP-001 của Sở Tư pháp đã được nhập" in html and "Nhập lần 2" in html
    assert Response.objects.filter(survey=survey).count() == 1


def test_a_second_entry_confirms_a_sheet_once_and_only_within_the_officers_points(client, scene, survey):
    """An officer of another unit cannot confirm (or learn of) another unit's sheet; a sheet already
    confirmed is said to be so — a second officer's confirmation changes nothing."""
    client.force_login(scene.officer_tp)
    assert client.post(f"/khao-sat/{survey.pk}/phieu-giay/", _paper(**full_answers(4))).status_code == 302
    row = Response.objects.get(survey=survey)

    client.force_login(scene.officer_yt)  # Sở Y tế: the sheet is Sở Tư pháp's
    r = client.post(
        f"/khao-sat/{survey.pk}/phieu-giay/", {**_paper(**full_answers(4)), "d": "QNG-SYT", "verify": "1"}
    )
    assert r.status_code == 400 and "Chưa có phiếu số “TP-001” của Sở Y tế nhập lần đầu" in r.content.decode()
    row.refresh_from_db()
    assert not row.verified

    client.force_login(scene.coordinator)
    r = client.post(f"/khao-sat/{survey.pk}/phieu-giay/", {**_paper(**full_answers(4)), "verify": "1"})
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.verified

    client.force_login(scene.officer_tp)
    r = client.post(f"/khao-sat/{survey.pk}/phieu-giay/", {**_paper(**full_answers(4)), "verify": "1"})
    assert r.status_code == 400
    assert "Phiếu số TP-001 của Sở Tư pháp đã được đối chiếu và xác nhận trước đó" in r.content.decode()


def test_a_paper_form_sent_twice_by_a_double_click_is_saved_once(client, scene, survey):
    """Without a sheet number nothing else tells the two sendings of one page apart: the page's token does."""
    import re

    client.force_login(scene.officer_tp)
    page = client.get(f"/khao-sat/{survey.pk}/phieu-giay/?d=QNG-STP").content.decode()
    token = re.search(r'name="t" value="([^"]+)"', page).group(1)
    form = {**_paper(**full_answers(4)), "sheet": "", "t": token}
    first = client.post(f"/khao-sat/{survey.pk}/phieu-giay/", form)
    assert first.status_code == 302
    second = client.post(f"/khao-sat/{survey.pk}/phieu-giay/", form, follow=True)
    receipt = Response.objects.get(survey=survey).receipt  # one response
    assert f"Phiếu này vừa được lưu (biên nhận {receipt}): không lưu lần hai." in second.content.decode()
    # a page refused (an answer out of range) may be corrected and sent again with the same token
    page = client.get(f"/khao-sat/{survey.pk}/phieu-giay/?d=QNG-STP").content.decode()
    token = re.search(r'name="t" value="([^"]+)"', page).group(1)
    bad = {**_paper(**{**full_answers(3), "q9_sat_24": 7}), "sheet": "", "t": token}
    assert client.post(f"/khao-sat/{survey.pk}/phieu-giay/", bad).status_code == 400
    good = {**_paper(**full_answers(3)), "sheet": "", "t": token}
    assert client.post(f"/khao-sat/{survey.pk}/phieu-giay/", good).status_code == 302
    assert Response.objects.filter(survey=survey).count() == 2


def test_an_officer_cannot_type_forms_of_another_unit(client, scene, survey):
    client.force_login(scene.officer_tp)
    r = client.post(f"/khao-sat/{survey.pk}/phieu-giay/", {**_paper(**full_answers()), "d": "QNG-SYT"})
    assert r.status_code == 403
    assert not Response.objects.exists()


def test_paper_entry_errors_are_on_their_fields(client, scene, survey):
    client.force_login(scene.officer_tp)
    r = client.post(f"/khao-sat/{survey.pk}/phieu-giay/", _paper(**{**full_answers(), "q9_sat_24": 7}))
    assert r.status_code == 400
    html = r.content.decode()
    assert 'href="#i-q9_sat_24"' in html and 'aria-describedby="e-q9_sat_24"' in html
    assert not Response.objects.exists()


def test_the_qr_poster_is_an_a4_pdf_with_the_point_in_its_link(client, scene, survey, settings):
    settings.CHISO_SITE_URL = "https://chiso.example.vn"
    client.force_login(scene.officer_tp)
    r = client.get(f"/khao-sat/{survey.pk}/ma-qr/QNG-STP.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and b"/MediaBox [ 0 0 595.2756 841.8898 ]" in r.content
    assert client.get(f"/khao-sat/{survey.pk}/ma-qr/QNG-SYT.pdf").status_code == 403
    assert client.get(f"/khao-sat/{survey.pk}/ma-qr/KHONG.pdf").status_code == 404


def test_the_estimates_page_marks_figures_not_publishable(client, scene, survey):
    for _ in range(3):
        intake.submit(survey, full_answers(5), point="QNG-STP", mode="api")
    client.force_login(scene.viewer)
    html = client.get(f"/khao-sat/{survey.pk}/uoc-luong/?gia-quyen=1").content.decode()
    assert "100 %" in html.replace("\xa0", " ") or "100,0 %" in html.replace("\xa0", " ")
    assert "chưa đủ mẫu để công bố" in html


def test_the_menu_shows_surveys_to_their_readers_only(client, scene, survey):
    client.force_login(scene.viewer)
    assert "/khao-sat/" in client.get("/").content.decode()
    client.force_login(scene.officer_yt)
    client.get("/")  # an officer of a unit in the frame sees the menu too
    client.force_login(scene.outsider)
    assert 'href="/khao-sat/"' not in client.get("/don-vi/").content.decode()


def test_the_coordinator_edits_a_question_and_a_new_version_keeps_old_answers(client, scene, survey):
    intake.submit(survey, full_answers(), mode="api")
    client.force_login(scene.viewer)
    assert client.get(f"/khao-sat/{survey.pk}/phieu-hoi/").status_code == 200
    assert (
        client.post(f"/khao-sat/{survey.pk}/phieu-hoi/", {"code": "q9_sat_24", "text": "x"}).status_code
        == 403
    )
    client.force_login(scene.coordinator)
    r = client.post(f"/khao-sat/{survey.pk}/phieu-hoi/", {"code": "q9_sat_24", "text": "   "})
    assert r.status_code == 400 and "không được để trống" in r.content.decode()
    r = client.post(
        f"/khao-sat/{survey.pk}/phieu-hoi/",
        {"code": "gender", "text": "Giới tính của Ông/Bà", "required": ""},
    )
    assert r.status_code == 302
    survey.refresh_from_db()
    assert survey.version == 2
    assert survey.questions.get(version=2, code="gender").text == "Giới tính của Ông/Bà"
    assert survey.questions.get(version=1, code="gender").text == "Giới tính"


def _official_sipas(province, year, value):
    from chiso.frameworks.services import framework_for
    from chiso.results.models import Result

    Result.objects.filter(framework__index__code="sipas", unit=province).delete()
    fw = framework_for("sipas", year)
    root = fw.nodes.get(parent__isnull=True)
    Result.objects.create(framework=fw, node=root, unit=province, year=year, value=value)


def test_the_estimates_page_compares_with_the_official_sipas(client, scene, survey):
    for level in (5, 5, 5, 2):
        for _ in range(20):
            intake.submit(survey, full_answers(level), point="QNG-STP", mode="api")
    client.force_login(scene.viewer)
    url = f"/khao-sat/{survey.pk}/uoc-luong/"
    html = client.get(url).content.decode()
    assert "Chưa có kết quả SIPAS chính thức" in html
    # 75 % satisfied on 80 answers: the interval is roughly 65–85 %
    _official_sipas(scene.province, 2024, 78.4)
    html = client.get(url).content.decode().replace("\xa0", " ")
    assert "SIPAS năm 2024" in html and "78,40 %" in html
    assert "nằm trong khoảng tin cậy 95 %" in html
    _official_sipas(scene.province, 2025, 92.1)
    html = client.get(url).content.decode().replace("\xa0", " ")
    assert "SIPAS năm 2025" in html and "92,10 %" in html
    assert "nằm ngoài khoảng tin cậy 95 %" in html


def test_the_list_shows_only_surveys_whose_page_opens(client, scene, survey):
    """A commune's leader (no paper entry, no reading of the province's surveys) is not offered a survey
    whose page would answer 404; the commune's officer is, and it opens."""
    from .conftest import _user

    for user, listed in (
        (_user("ld_xa", "leader", scene.xa), False),
        (_user("cb_xa", "officer", scene.xa), True),
    ):
        client.force_login(user)
        html = client.get("/khao-sat/").content.decode()
        assert (f'href="/khao-sat/{survey.pk}/"' in html) is listed
        assert client.get(f"/khao-sat/{survey.pk}/").status_code == (200 if listed else 404)


def test_the_coordinator_enters_the_population_structure_the_weighted_estimates_rake_to(
    client, scene, survey
):
    """Raking to known margins (sex, age group) needs them from the province: typed as percentages on the
    frame page, refused whole when a question's do not add up to 100, shown back, used by the estimates."""
    for gender in (1, 1, 1, 2):
        intake.submit(
            survey, full_answers(5 if gender == 1 else 2, gender=gender), point="QNG-STP", mode="api"
        )
    client.force_login(scene.coordinator)
    assert "#co-cau" in client.get(f"/khao-sat/{survey.pk}/").content.decode()
    page = f"/khao-sat/{survey.pk}/khung-mau/"
    r = client.post(page, {"form": "margins", "m-gender-1": "30", "m-gender-2": "30", "m-age-1": "abc"})
    html = r.content.decode()
    assert r.status_code == 400
    assert "Giới tính: các tỷ lệ cộng lại được 60 %, phải bằng 100 %" in html
    assert "Độ tuổi — 18-24 tuổi: cần một tỷ lệ phần trăm từ 0 đến 100" in html
    assert Survey.objects.get(pk=survey.pk).margins == {}

    r = client.post(page, {"form": "margins", "m-gender-1": "49,5", "m-gender-2": "50,5"})
    assert r.status_code == 302
    assert Survey.objects.get(pk=survey.pk).margins == {"gender": {"1": 0.495, "2": 0.505}}
    html = client.get(page).content.decode()
    assert 'name="m-gender-1" value="49,5"' in html and 'name="m-age-1" value=""' in html
    # 3 men fully satisfied, 1 woman not: raked to half and half, half of the weight is satisfied
    html = client.get(f"/khao-sat/{survey.pk}/uoc-luong/?gia-quyen=1").content.decode()
    assert "Tỷ lệ hài lòng: <strong>49,5 %</strong>" in html, html[html.find('id="overall"') :][:300]

    client.force_login(scene.officer_tp)
    assert client.post(page, {"form": "margins", "m-gender-1": "10", "m-gender-2": "90"}).status_code == 403
    assert Survey.objects.get(pk=survey.pk).margins == {"gender": {"1": 0.495, "2": 0.505}}


@pytest.mark.postgresql
@pytest.mark.usefixtures("concurrent_db")
def test_two_officers_typing_the_same_sheet_at_the_same_moment_keep_one_response(scene, survey):
    from django.test import Client

    from chiso.conftest import run_together

    def type_it(user):
        def send():
            c = Client()
            c.force_login(user)
            return c.post(f"/khao-sat/{survey.pk}/phieu-giay/", _paper(**full_answers(4))).status_code

        return send

    results = run_together(*[type_it(u) for u in (scene.officer_tp, scene.coordinator, scene.officer_tp)])
    assert sorted(results) == [302, 400, 400], results  # one saved; the others told the sheet is taken
    assert Response.objects.filter(survey=survey, sheet="TP-001").count() == 1
