"""Forms of the monitoring part: dashboard filters, choosing a period, editing a periodic report,
taking a workflow step. Dates are accepted as dd/mm/yyyy (settings.DATE_INPUT_FORMATS)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chiso.concurrency import RevisionField, SubmissionKeyField
from chiso.core.text import nfc

PERIOD_KINDS = [
    ("quarter", _("Quý")),
    ("semiannual", _("6 tháng")),
    ("annual", _("Năm")),
]


class DashboardFilterForm(forms.Form):
    ke_hoach = forms.IntegerField(label=_("Kế hoạch"), required=False, min_value=1)
    chi_so = forms.CharField(label=_("Chỉ số"), required=False, max_length=20)
    nam = forms.IntegerField(label=_("Năm"), required=False, min_value=2000, max_value=2100)
    ky = forms.ChoiceField(label=_("Kỳ báo cáo hiện tại"), required=False, choices=PERIOD_KINDS)

    def clean_chi_so(self):
        return nfc(self.cleaned_data.get("chi_so") or "").strip().lower()


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Kỳ báo cáo"))
    submit_key = SubmissionKeyField()

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = list(choices)


class PeriodicReportForm(forms.Form):
    """Title, place, signer, recipients, the text sections, and one narrative per results row
    (fields ``narrative_<task_id>``)."""

    revision = RevisionField()
    title = forms.CharField(label=_("Trích yếu"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("Địa danh"), max_length=100, required=False)
    signer_name = forms.CharField(label=_("Người ký"), max_length=100, required=False)
    recipients = forms.CharField(
        label=_("Nơi nhận (mỗi dòng một nơi)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    overview = forms.CharField(
        label=_("Tình hình chung"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    difficulties = forms.CharField(
        label=_("Khó khăn, vướng mắc"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    proposals = forms.CharField(
        label=_("Đề xuất, kiến nghị"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, report=None, **kwargs):
        self.report = report
        content = (report.content or {}) if report is not None else {}
        self.rows = list(content.get("results", []))
        if report is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "revision": report.revision,
                "title": report.title,
                "place": report.place,
                "signer_name": report.signer_name,
                "recipients": "\n".join(report.recipients or []),
                "overview": content.get("overview", ""),
                "difficulties": content.get("difficulties", ""),
                "proposals": content.get("proposals", ""),
                **{f"narrative_{r.get('task_id')}": r.get("narrative", "") for r in self.rows},
            }
        super().__init__(*args, **kwargs)
        for r in self.rows:
            self.fields[f"narrative_{r.get('task_id')}"] = forms.CharField(
                label=_("Kết quả thực hiện"), required=False, widget=forms.Textarea(attrs={"rows": 3})
            )

    def clean_title(self):
        title = nfc(self.cleaned_data["title"]).strip()
        if not title:
            raise forms.ValidationError(_("Trích yếu không được để trống."))
        return title

    def result_rows(self):
        """(row, bound narrative field) pairs for the template."""
        return [(r, self[f"narrative_{r.get('task_id')}"]) for r in self.rows]

    def data_for_service(self) -> dict:
        cd = self.cleaned_data
        return {
            "title": cd["title"],
            "place": cd["place"],
            "signer_name": cd["signer_name"],
            "recipients": cd["recipients"].splitlines(),
            "overview": cd["overview"],
            "difficulties": cd["difficulties"],
            "proposals": cd["proposals"],
            "narratives": {
                str(r.get("task_id")): cd.get(f"narrative_{r.get('task_id')}", "") for r in self.rows
            },
        }


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=30)
    comment = forms.CharField(label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    number = forms.CharField(label=_("Số văn bản"), required=False, max_length=20)
    date = forms.DateField(
        label=_("Ngày ban hành (dd/mm/yyyy)"),
        required=False,
        error_messages={"invalid": _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy.")},
    )
