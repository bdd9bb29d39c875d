"""``chiso survey …``: satisfaction surveys from the command line (issue 9), for operators and scripts.

- ``chiso survey create --template sipas --province NAME --year YYYY [--title T] [--user U] --format json`` →
  ``{"survey": ID, "questions": ["<code>", …], "scale_questions": ["<code of a 1–5 item>", …],
  "public_url": "…"}`` — a draft survey with the template's questionnaire and a frame of the province's
  departments and communes;
- ``chiso survey advance --survey ID --action open|reopen|close [--user U]`` — a workflow step;
- ``chiso survey estimates --survey ID [--weighted] --format json`` → ``{"survey", "n", "items": [{"code",
  "n", "satisfied_pct", "mean", "ci_low", "ci_high"}], "overall": {…}, "comparison": {"index", "years",
  "rows": [{"label", "satisfied_pct", "ci_low", "ci_high", "official", "official_year", "official_pct",
  "diff", "inside"}]}}`` (``services.estimates``; ``comparison`` is the comparison page's table, null when
  the template names no official index).

Without ``--user`` a command is the operator's (no permission is checked); with it, the account's roles are
checked as on the web. A refusal is a CommandError with the Vietnamese message (exit code 2).
"""

from __future__ import annotations

from chiso.commands import ActionCommand, fail
from chiso.units.lineage import unit_valid_in

from ...links import public_url
from ...models import Survey
from ...services import frame, questionnaire


class Command(ActionCommand):
    ACTIONS = {"create": "create", "advance": "advance", "estimates": "estimates"}
    help = "Khảo sát sự hài lòng: tạo cuộc khảo sát từ mẫu (create), mở/kết thúc (advance), ước lượng (estimates)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="lệnh")
        c = sub.add_parser("create", help="Tạo cuộc khảo sát từ mẫu phiếu.")
        c.add_argument("--template", required=True, help="Mã mẫu phiếu (ví dụ sipas)")
        c.add_argument("--province", required=True, help="Tỉnh tổ chức (tên hoặc mã)")
        c.add_argument("--year", required=True, type=int, help="Năm khảo sát")
        c.add_argument("--title", default="", help="Tên cuộc khảo sát (mặc định: tự đặt)")
        a = sub.add_parser("advance", help="Mở thu phiếu, tạm dừng hoặc kết thúc cuộc khảo sát.")
        a.add_argument("--survey", required=True, type=int, dest="survey_id")
        a.add_argument("--step", required=True, help="open, reopen hoặc close")
        e = sub.add_parser("estimates", help="Ước lượng tỷ lệ hài lòng và điểm trung bình từng câu.")
        e.add_argument("--survey", required=True, type=int, dest="survey_id")
        e.add_argument("--weighted", action="store_true", help="Gia quyền theo khung mẫu (và cơ cấu dân số)")
        for p in (c, a, e):
            p.add_argument("--format", choices=["text", "json"], default="text")
            p.add_argument("--user", help="Tên đăng nhập (kiểm tra quyền); bỏ trống: lệnh của người vận hành")

    def _survey(self, pk: int) -> Survey:
        survey = Survey.objects.select_related("province").filter(pk=pk).first()
        if survey is None:
            raise fail(f"Không có cuộc khảo sát số {pk}.")
        return survey

    def create(self, account, *, template, province, year, title="", **options):
        where = unit_valid_in(province, year)
        survey = questionnaire.create_survey(template, where, year, account, title=title)
        questions = questionnaire.questions_of(survey)
        data = {
            "survey": survey.pk,
            "questions": [q.code for q in questions],
            "scale_questions": [q.code for q in questions if q.scale],
            "public_url": public_url(survey.pk),
        }
        text = (
            f"Đã tạo cuộc khảo sát số {survey.pk}: {survey.title} — {len(questions)} câu hỏi, "
            f"{survey.points.count()} điểm phục vụ. Phiếu trực tuyến: {data['public_url']}"
        )
        return data, text

    def advance(self, account, *, survey_id, step, **options):
        survey = frame.step(self._survey(survey_id), step, account)
        return {
            "survey": survey.pk,
            "status": survey.status,
        }, f"Cuộc khảo sát {survey.pk}: {survey.status_label}."

    def estimates(self, account, *, survey_id, weighted=False, **options):
        from ...services.estimates import estimates_json

        survey = self._survey(survey_id)
        data = estimates_json(survey, account, weighted=weighted)
        o = data["overall"]
        text = f"{survey.title}: {data['n']} phiếu; hài lòng {o['satisfied_pct']} % [{o['ci_low']}; {o['ci_high']}]."
        compared = data["comparison"]
        overall = compared["rows"][0] if compared and compared["rows"] else None
        if overall and overall["official_pct"] is not None:
            where = {
                True: "trong khoảng tin cậy",
                False: "ngoài khoảng tin cậy",
                None: "chưa có khoảng tin cậy",
            }
            text += (
                f" {compared['index']} {overall['official_year']}: {overall['official_pct']} % "
                f"({where[overall['inside']]} 95 % của cuộc khảo sát)."
            )
        return data, text
