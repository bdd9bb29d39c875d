"""Forms of the execution part: the progress report of a unit on a task. The form parses (a unit and a
period among those offered, a state, a whole number, a date); every rule of a report lives in
services.execution.save_report. Evidence files are read from request.FILES ("evidence", several) by the
view and checked in the service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chiso.concurrency import RevisionField, SubmissionKeyField

from .models import REPORT_FIELDS, ProgressReport


class ReportForm(forms.Form):
    #: Hidden: the revision of the report shown (0: none yet), and the token that makes a resent form create once.
    revision = RevisionField()
    submit_key = SubmissionKeyField()
    unit = forms.TypedChoiceField(label=_("Đơn vị báo cáo"), coerce=int)
    period = forms.ChoiceField(label=_("Kỳ báo cáo"))
    state = forms.ChoiceField(label=_("Tình trạng"), choices=ProgressReport.State.choices)
    percent = forms.IntegerField(
        label=_("Tiến độ (%)"),
        initial=0,
        error_messages={
            "invalid": _("Tiến độ là một số nguyên từ 0 đến 100."),
            "required": _("Nhập tiến độ (từ 0 đến 100)."),
        },
        widget=forms.NumberInput(attrs={"min": 0, "max": 100}),
    )
    narrative = forms.CharField(
        label=_("Kết quả thực hiện"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    difficulties = forms.CharField(
        label=_("Khó khăn, vướng mắc, đề xuất"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    product_number = forms.CharField(
        label=_("Số, ký hiệu văn bản (sản phẩm)"), max_length=100, required=False
    )
    product_date = forms.DateField(
        label=_("Ngày văn bản (dd/mm/yyyy)"),
        required=False,
        error_messages={"invalid": _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy.")},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "size": 12}),
    )
    product_issuer = forms.CharField(label=_("Cơ quan ban hành sản phẩm"), max_length=200, required=False)

    def __init__(self, *args, units=(), periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.short_name) for u in units]
        self.fields["period"].choices = list(periods)
        self.fields["state"].error_messages["invalid_choice"] = _("Chọn tình trạng thực hiện.")
        self.fields["period"].error_messages["invalid_choice"] = _("Kỳ báo cáo không hợp lệ.")
        self.fields["unit"].error_messages["invalid_choice"] = _("Bạn không báo cáo được cho đơn vị này.")

    @staticmethod
    def initial_from(report: ProgressReport) -> dict:
        """The form's values for a report already made."""
        return {**{name: getattr(report, name) for name in REPORT_FIELDS}, "revision": report.revision}

    def report_data(self) -> dict:
        """What the service saves: the report's own fields (the unit and the period are its key)."""
        return {name: self.cleaned_data.get(name) for name in REPORT_FIELDS}
