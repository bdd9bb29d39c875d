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
