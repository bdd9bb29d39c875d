"""Forms of the execution part: the progress report of a unit on a task, and choosing the unit a plan
is cascaded to. Evidence files are read from request.FILES ("evidence", several) by the view and checked
by chiso.plans.uploads in the service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chiso.core.text import nfc

from .models import ProgressReport


class ReportForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Đơn vị báo cáo"), coerce=int)
    period = forms.ChoiceField(label=_("Kỳ báo cáo"))
    state = forms.ChoiceField(label=_("Tình trạng"), choices=ProgressReport.State.choices)
    percent = forms.IntegerField(
        label=_("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        error_messages={
            "min_value": _("Tiến độ phải từ 0 đến 100."),
            "max_value": _("Tiến độ phải từ 0 đến 100."),
            "invalid": _("Tiến độ là một số nguyên từ 0 đến 100."),
            "required": _("Nhập tiến độ (từ 0 đến 100)."),
        },
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

    def clean(self):
        data = super().clean()
        for name in ("narrative", "difficulties", "product_number", "product_issuer"):
            if isinstance(data.get(name), str):
                data[name] = nfc(data[name]).strip()
        if data.get("state") == ProgressReport.State.DONE:
            missing = False
            for name in ("product_number", "product_date", "product_issuer"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Bắt buộc khi nhiệm vụ đã hoàn thành."))
                    missing = True
            if missing:
                raise forms.ValidationError(
                    _("Nhiệm vụ đã hoàn thành: cần ghi sản phẩm (số văn bản, ngày, cơ quan ban hành).")
                )
            data["percent"] = 100
        return data
