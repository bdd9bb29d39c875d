"""Creating a survey on the web, and the questionnaire editor: question kinds, options, order, skip logic,
adding and removing — and what the versioning refuses once responses exist."""

from __future__ import annotations

import pytest

from chiso.surveys.models import Question, Survey
from chiso.surveys.services import frame, intake, questionnaire

from .conftest import full_answers

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------ create page


def test_a_coordinator_creates_a_survey_from_a_template(client, scene):
    client.force_login(scene.coordinator)
    html = client.get("/khao-sat/").content.decode()
    assert 'href="/khao-sat/tao/"' in html
    r = client.post(
        "/khao-sat/tao/",
        {"template": "sipas", "province": scene.province.pk, "year": "2027", "title": "  Khảo sát quý I  "},
    )
    survey = Survey.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/khao-sat/{survey.pk}/"
    assert survey.title == "Khảo sát quý I" and survey.year == 2027 and survey.status == "draft"
    assert survey.created_by == scene.coordinator
    assert survey.history.first().history_user == scene.coordinator  # audit
    assert "q9_sat_24" in [q.code for q in questionnaire.questions_of(survey)]
    assert set(survey.points.values_list("code", flat=True)) >= {"QNG-STP", "QNG-SYT", "99901"}
    # the same form sent twice (a double click) makes one survey
    again = client.post(
        "/khao-sat/tao/",
        {"template": "sipas", "province": scene.province.pk, "year": "2027", "title": "Khảo sát quý I"},
    )
    assert again.status_code == 400 and "Đã có cuộc khảo sát" in again.content.decode()
    assert Survey.objects.count() == 1


@pytest.mark.parametrize(
    "data, words",
    [
        ({"template": "papi", "year": "2026"}, "Không có mẫu phiếu"),
        ({"template": "sipas", "year": "20x6"}, "bốn chữ số"),
        ({"template": "sipas", "year": "1890"}, "không hợp lệ"),
        ({"template": "sipas", "year": "2026", "province": "0"}, "Hãy chọn tỉnh"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(client, scene, data, words):
    client.force_login(scene.coordinator)
    data = {"province": scene.province.pk, **data}
    r = client.post("/khao-sat/tao/", data)
    assert r.status_code == 400 and words in r.content.decode()
    assert not Survey.objects.exists()


@pytest.mark.parametrize("who", ["leader", "viewer", "officer_tp", "outsider"])
def test_only_coordinators_create_surveys(client, scene, who):
    client.force_login(getattr(scene, who))
    assert 'href="/khao-sat/tao/"' not in client.get("/khao-sat/").content.decode()
    assert client.get("/khao-sat/tao/").status_code == 403
    r = client.post("/khao-sat/tao/", {"template": "sipas", "province": scene.province.pk, "year": "2026"})
    assert r.status_code == 403 and not Survey.objects.exists()


def test_a_coordinator_of_a_department_cannot_pick_the_province(client, scene):
    from chiso.accounts.models import Membership

    Membership.objects.create(user=scene.officer_tp, unit=scene.tuphap, role="coordinator")
    client.force_login(scene.officer_tp)
    # a coordinator of a department covers no province: nothing to create for
    assert client.get("/khao-sat/tao/").status_code == 403


# ------------------------------------------------------------------------------ questionnaire editor


@pytest.fixture
def draft(scene):
    return questionnaire.create_survey("sipas", scene.province, 2026, scene.coordinator)


def _codes(survey):
    survey.__dict__.pop("_questions", None)
    return [q.code for q in questionnaire.questions_of(survey)]


def _page(survey):
    return f"/khao-sat/{survey.pk}/phieu-hoi/"


def test_add_a_single_choice_question_with_skip_logic_on_the_web(client, scene, draft):
    client.force_login(scene.coordinator)
    r = client.post(
        _page(draft),
        {
            "action": "add",
            "code": "q_kenh",
            "text": "Ông/Bà nộp hồ sơ bằng cách nào?",
            "kind": "single",
            "options": "1. Trực tiếp\n2. Trực tuyến\nQua bưu điện",
            "required": "1",
            "after": "q8_7",
        },
    )
    assert r.status_code == 302
    q = Question.objects.get(survey=draft, code="q_kenh")
    assert q.options == [[1, "Trực tiếp"], [2, "Trực tuyến"], [3, "Qua bưu điện"]] and q.required
    codes = _codes(draft)
    assert codes[codes.index("q8_7") + 1] == "q_kenh"
    assert q.history.first().history_user == scene.coordinator
    # a follow-up asked only of those who applied online
    r = client.post(
        _page(draft),
        {
            "action": "add",
            "code": "q_online",
            "text": "Cổng dịch vụ công có dễ dùng không?",
            "kind": "likert5",
            "scale": "1",
            "element": "access",
            "if_code": "q_kenh",
            "if_values": "2",
            "after": "q_kenh",
        },
    )
    assert r.status_code == 302
    follow = Question.objects.get(survey=draft, code="q_online")
    assert follow.show_if == {"q_kenh": [2]} and follow.scale and follow.element == "access"
    # the public form then asks it only of those who answer 2 (the rule of answers.applies)
    frame.set_dossiers(draft, {"QNG-STP": 100}, scene.coordinator)
    draft = frame.step(draft, "open", scene.coordinator)
    row = intake.submit(draft, full_answers(q_kenh=1, q_online=5), point="QNG-STP", mode="api")
    assert "q_online" not in row.answers
    row = intake.submit(draft, full_answers(q_kenh=2, q_online=5), point="QNG-STP", mode="api")
    assert row.answers["q_online"] == 5


@pytest.mark.parametrize(
    "data, words",
    [
        ({"code": "Câu 1", "kind": "text"}, "chữ thường không dấu"),
        ({"code": "q8_7", "kind": "text"}, "Đã có câu hỏi mã q8_7"),
        ({"code": "dossier", "kind": "text"}, "biểu mẫu dùng riêng"),
        ({"code": "q_x", "kind": "single", "options": "Có"}, "ít nhất hai phương án"),
        ({"code": "q_x", "kind": "single", "options": "1. Có\n1. Không"}, "Số 1 dùng cho hai"),
        ({"code": "q_x", "kind": "single", "options": "Có\nCÓ"}, "trùng nhau"),
        ({"code": "q_x", "kind": "text", "scale": "1"}, "Chỉ câu thang 1–5"),
        ({"code": "q_x", "kind": "text", "if_code": "q8_7", "if_values": "7"}, "điều kiện hỏi cần"),
        ({"code": "q_x", "kind": "text", "if_code": "q8_7", "if_values": "có"}, "ghi số của các phương án"),
        (
            {"code": "q_x", "kind": "text", "if_code": "q9_sat_39", "if_values": "1", "after": "q8_7"},
            "đứng trước",
        ),
        ({"code": "q_x", "kind": "text", "text": "  "}, "không được để trống"),
        ({"code": "q_x", "kind": "bogus"}, "không có"),
    ],
)
def test_bad_questions_are_refused_with_a_clear_message(client, scene, draft, data, words):
    client.force_login(scene.coordinator)
    before = _codes(draft)
    r = client.post(_page(draft), {"action": "add", "text": "Câu hỏi mới", **data})
    assert r.status_code == 400 and words in r.content.decode()
    assert _codes(draft) == before


def test_move_and_remove_keep_skip_logic_sound(client, scene, draft):
    client.force_login(scene.coordinator)
    # q9_sat_37 is asked only when q8_7 = 1: q8_7 cannot go below it nor be removed
    r = client.post(_page(draft), {"action": "delete", "code": "q8_7"})
    assert r.status_code == 400 and "bỏ điều kiện đó trước" in r.content.decode()
    codes = _codes(draft)
    r = client.post(_page(draft), {"action": "up", "code": "q9_sat_24"})
    assert r.status_code == 302
    moved = _codes(draft)
    assert moved.index("q9_sat_24") == codes.index("q9_sat_24") - 1 == moved.index("q8_7") - 1
    r = client.post(_page(draft), {"action": "up", "code": "q9_sat_37"})  # 37 is right after 36
    assert r.status_code == 302
    r = client.post(_page(draft), {"action": "delete", "code": "q9_sat_25"})
    assert r.status_code == 302 and "q9_sat_25" not in _codes(draft)
    orders = [q.order for q in questionnaire.questions_of(draft)]
    assert orders == list(range(1, len(orders) + 1))
    assert draft.version == 1  # no responses yet: edited in place


def test_change_kind_and_options_of_a_question_in_the_draft(client, scene, draft):
    client.force_login(scene.coordinator)
    r = client.post(
        _page(draft),
        {
            "action": "save",
            "code": "ethnicity",
            "text": "Dân tộc",
            "kind": "single",
            "options": "1. Kinh\n2. Hoa\n3. Khác",
        },
    )
    assert r.status_code == 302
    assert Question.objects.get(survey=draft, code="ethnicity").options[1] == [2, "Hoa"]
    r = client.post(_page(draft), {"action": "save", "code": "ethnicity", "text": "Dân tộc", "kind": "text"})
    q = Question.objects.get(survey=draft, code="ethnicity")
    assert r.status_code == 302 and q.kind == "text" and q.options == []


def test_structural_edits_wait_until_collection_is_paused(client, scene, survey):
    client.force_login(scene.coordinator)
    html = client.get(_page(survey)).content.decode()
    assert "Tạm dừng để sửa phiếu" in html and 'value="add"' not in html
    r = client.post(_page(survey), {"action": "add", "code": "q_x", "text": "Mới", "kind": "text"})
    assert r.status_code == 400 and "đang thu phiếu" in r.content.decode()
    r = client.post(_page(survey), {"action": "delete", "code": "gender"})
    assert r.status_code == 400 and "gender" in _codes(survey)
    # wording stays editable while collecting (the form then sends only wording and required)
    r = client.post(_page(survey), {"action": "save", "code": "gender", "text": "Giới tính của Ông/Bà"})
    assert r.status_code == 302
    assert Question.objects.get(survey=survey, code="gender", version=survey.version).text.endswith("Ông/Bà")


def test_with_responses_an_edit_makes_a_new_version_and_meaning_changes_are_refused(client, scene, survey):
    intake.submit(survey, full_answers(5, gender=2), point="QNG-STP", mode="api")
    survey = frame.step(survey, "reopen", scene.coordinator)
    client.force_login(scene.coordinator)
    r = client.post(
        _page(survey), {"action": "save", "code": "gender", "text": "Giới tính", "kind": "number"}
    )
    assert r.status_code == 400 and "không đổi loại được" in r.content.decode()
    r = client.post(
        _page(survey),
        {"action": "save", "code": "gender", "text": "Giới tính", "kind": "single", "options": "1. Nam"},
    )
    assert r.status_code == 400
    r = client.post(
        _page(survey),
        {
            "action": "save",
            "code": "gender",
            "text": "Giới tính",
            "kind": "single",
            "options": "1. Nữ\n2. Nam",
        },
    )
    assert r.status_code == 400 and "“Nam” đã mang số 1" in r.content.decode()  # swapped labels
    assert survey.questions.filter(code="gender").count() == 1  # nothing changed, no new version
    r = client.post(
        _page(survey),
        {
            "action": "save",
            "code": "gender",
            "text": "Giới tính",
            "kind": "single",
            "options": "1. Nam giới\n2. Nữ\n3. Khác",
        },
    )
    assert r.status_code == 302
    survey.refresh_from_db()
    assert survey.version == 2
    assert Question.objects.get(survey=survey, code="gender", version=1).options == [[1, "Nam"], [2, "Nữ"]]
    assert len(Question.objects.get(survey=survey, code="gender", version=2).options) == 3
    r = client.post(_page(survey), {"action": "delete", "code": "job"})
    survey.refresh_from_db()
    assert r.status_code == 302 and survey.version == 2  # no response on version 2 yet: edited in place
    assert "job" in [q.code for q in questionnaire.questions_of(survey, 1)]
    from chiso.surveys.services import estimates

    assert estimates.compute(survey).n == 1  # the response on version 1 still counts


# ------------------------------------------------------------------- two editors, double clicks


@pytest.fixture
def second(scene):
    """A second coordinator of the province, editing the same questionnaire."""
    from django.contrib.auth import get_user_model

    from chiso.accounts.models import Membership

    user = get_user_model().objects.create_user(username="dp2", password="x", first_name="Lan")
    Membership.objects.create(user=user, unit=scene.province, role="coordinator")
    return user


def _revision(client, survey) -> str:
    """The revision the page's forms carry (what a browser that opened the page would send back)."""
    import re

    html = client.get(_page(survey)).content.decode()
    found = set(re.findall(r'name="revision" value="(\d+)"', html))
    assert len(found) == 1
    return found.pop()


def test_the_second_of_two_editors_is_told_and_nothing_is_overwritten(client, scene, draft, second):
    from django.test import Client

    other = Client()
    other.force_login(second)
    client.force_login(scene.coordinator)
    mine, theirs = _revision(client, draft), _revision(other, draft)
    assert mine == theirs
    r = client.post(
        _page(draft),
        {
            "action": "save",
            "code": "gender",
            "text": "Giới tính (A)",
            "kind": "single",
            "options": "1. Nam\n2. Nữ",
            "revision": mine,
        },
    )
    assert r.status_code == 302
    r = other.post(
        _page(draft),
        {
            "action": "save",
            "code": "gender",
            "text": "Giới tính (B)",
            "kind": "single",
            "options": "1. Nam\n2. Nữ",
            "revision": theirs,
        },
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert "dp đã sửa phiếu hỏi này lúc" in html and "Chưa lưu gì của bạn" in html
    assert "Nội dung bạn đã gõ: «Giới tính (B)»" in html  # her text is not lost
    assert Question.objects.get(survey=draft, code="gender").text == "Giới tính (A)"
    # the refusal moved her page to the current revision: saving again is her decision, and works
    fresh = _revision(other, draft)
    assert fresh != theirs
    r = other.post(
        _page(draft),
        {
            "action": "save",
            "code": "gender",
            "text": "Giới tính (B)",
            "kind": "single",
            "options": "1. Nam\n2. Nữ",
            "revision": fresh,
        },
    )
    assert r.status_code == 302 and Question.objects.get(survey=draft, code="gender").text == "Giới tính (B)"
    # a removal and an addition from a stale page are refused too
    r = client.post(_page(draft), {"action": "delete", "code": "edu", "revision": mine})
    assert r.status_code == 400 and "edu" in _codes(draft)
    r = client.post(
        _page(draft), {"action": "add", "code": "q_moi", "text": "Mới", "kind": "text", "revision": mine}
    )
    assert r.status_code == 400 and "q_moi" not in _codes(draft)


def test_a_double_click_on_save_saves_once_without_an_error(client, scene, draft):
    client.force_login(scene.coordinator)
    revision = _revision(client, draft)
    form = {
        "action": "save",
        "code": "edu",
        "text": "Trình độ học vấn cao nhất",
        "kind": "single",
        "options": "1. Tiểu học\n2. THCS\n3. THPT\n4. Cao đẳng, đại học trở lên",
        "revision": revision,
    }
    first, second = client.post(_page(draft), form), client.post(_page(draft), form)
    assert first.status_code == second.status_code == 302
    q = Question.objects.get(survey=draft, code="edu")
    assert q.text == "Trình độ học vấn cao nhất" and q.history.count() == 1  # one edit recorded, not two
    draft.refresh_from_db()
    assert draft.revision == int(revision) + 1
    # adding twice adds once; removing twice removes once
    revision = _revision(client, draft)
    add = {"action": "add", "code": "q_them", "text": "Ý kiến thêm", "kind": "text", "revision": revision}
    assert client.post(_page(draft), add).status_code == client.post(_page(draft), add).status_code == 302
    assert _codes(draft).count("q_them") == 1
    revision = _revision(client, draft)
    drop = {"action": "delete", "code": "q_them", "revision": revision}
    assert client.post(_page(draft), drop).status_code == client.post(_page(draft), drop).status_code == 302
    assert "q_them" not in _codes(draft)
    # a move is not the same twice: the second click is refused, the question moved one place
    codes = _codes(draft)
    revision = _revision(client, draft)
    up = {"action": "up", "code": "q9_sat_24", "revision": revision}
    assert client.post(_page(draft), up).status_code == 302
    again = client.post(_page(draft), up)
    assert again.status_code == 400 and "Chưa lưu gì của bạn" in again.content.decode()
    assert _codes(draft).index("q9_sat_24") == codes.index("q9_sat_24") - 1


def test_labels_in_decomposed_unicode_are_stored_composed(client, scene, draft):
    import unicodedata

    client.force_login(scene.coordinator)
    nfd = unicodedata.normalize("NFD", "Mức độ hài lòng về thời gian chờ")
    options = unicodedata.normalize("NFD", "1. Rất nhanh\n2. Chấp nhận được\n3. Quá lâu")
    r = client.post(
        _page(draft),
        {
            "action": "add",
            "code": "q_cho",
            "text": nfd,
            "kind": "single",
            "options": options,
            "revision": _revision(client, draft),
        },
    )
    assert r.status_code == 302
    q = Question.objects.get(survey=draft, code="q_cho")
    assert q.text == unicodedata.normalize("NFC", nfd) and q.text != nfd
    assert [label for _v, label in q.options] == ["Rất nhanh", "Chấp nhận được", "Quá lâu"]
    assert all(unicodedata.is_normalized("NFC", label) for _v, label in q.options)
    # the same label typed once composed and once decomposed is one label: refused as a duplicate
    twice = "1. Chấp nhận\n2. " + unicodedata.normalize("NFD", "Chấp nhận")
    r = client.post(
        _page(draft),
        {
            "action": "save",
            "code": "q_cho",
            "text": "Thời gian chờ",
            "kind": "single",
            "options": twice,
            "revision": _revision(client, draft),
        },
    )
    assert r.status_code == 400 and "trùng nhau" in r.content.decode()
    assert Question.objects.get(survey=draft, code="q_cho").text == unicodedata.normalize("NFC", nfd)
