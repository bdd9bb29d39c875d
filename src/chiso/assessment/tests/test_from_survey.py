"""A round's satisfaction criteria taken from the province's own survey once it is closed and published:
the import page makes the score file (share × maximum ÷ 100), previews it, and writes it on confirmation
like any uploaded file — with its source, the units without a published share named and left as they
were, only for those who may import survey scores."""

from __future__ import annotations

import html
import re

from chiso.assessment.models import Score


def _published_survey(scene):
    from chiso.surveys.services import frame, intake, questionnaire

    survey = questionnaire.create_survey("sipas", scene.province, 2025, scene.coordinator)
    frame.set_dossiers(survey, {"QNG-STP": 1200, "QNG-SYT": 800}, scene.coordinator)
    survey = frame.step(survey, "open", scene.coordinator)

    def answers(level):
        return {"q8_7": 2, **{f"q9_sat_{i}": level for i in range(24, 37)}}

    items = [(answers(5), "QNG-STP", "") for _ in range(40)]  # Sở Tư pháp: all satisfied
    items += [(answers(4 if i % 2 else 2), "QNG-SYT", "") for i in range(40)]  # Sở Y tế: half
    intake.add_many(survey, items)
    return frame.step(survey, "close", scene.coordinator)  # publishes hl-51, 2025


def _field(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page).group(1))


def test_satisfaction_scores_come_from_the_published_survey_through_the_preview(client, scene, open_round):
    rnd = open_round()
    _published_survey(scene)
    client.force_login(scene.coordinator)
    url = f"/danh-gia/{rnd.pk}/nhap-diem/"
    assert "Lấy điểm từ khảo sát sự hài lòng đã công bố" in client.get(url).content.decode()
    preview = client.post(url, {"action": "from_survey", "stage": "survey"})
    assert preview.status_code == 200
    page = preview.content.decode()
    # Sở Xây dựng is in the round but not in the survey: named, left as it is
    assert "Chưa có tỷ lệ hài lòng đã công bố của 1 đơn vị (giữ nguyên điểm): Sở Xây dựng." in page
    assert not Score.objects.filter(sheet__round=rnd).exists()  # a preview writes nothing

    done = client.post(
        url,
        {
            "action": "commit",
            "stage": "survey",
            "digest": _field(page, "digest"),
            "name": _field(page, "name"),
            "source": _field(page, "source"),
        },
    )
    assert done.status_code == 302
    scores = {
        (s.sheet.unit.code, s.node.code): (s.self_score, s.source)
        for s in Score.objects.filter(sheet__round=rnd).select_related("sheet__unit", "node")
    }
    source = "Khảo sát sự hài lòng năm 2025 của Quảng Ngãi (kết quả đã công bố, quy đổi tỷ lệ thuận)"
    # 8.1 is worth 10 points: 100 % satisfied → 10, 50 % → 5
    assert scores == {("QNG-STP", "8.1"): (10.0, source), ("QNG-SYT", "8.1"): (5.0, source)}


def test_without_a_published_survey_nothing_is_made_and_others_may_not(client, scene, open_round):
    rnd = open_round()
    client.force_login(scene.coordinator)
    url = f"/danh-gia/{rnd.pk}/nhap-diem/"
    r = client.post(url, {"action": "from_survey", "stage": "survey"})
    assert r.status_code == 400
    assert "Chưa có kết quả khảo sát sự hài lòng đã công bố năm 2025" in r.content.decode()
    client.force_login(scene.officer_tp)
    assert client.post(url, {"action": "from_survey", "stage": "survey"}).status_code == 403
    assert not Score.objects.filter(sheet__round=rnd).exists()
