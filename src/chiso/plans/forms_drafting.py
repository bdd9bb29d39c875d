"""Forms of the drafting part: drafting a plan from the analysis and a library task (Vietnamese messages).

The responsibility map is a table of selects per node; its view reads the posted fields itself."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chiso.frameworks.services import index_choices

from .models import Activity, Recurrence, TaskLayout
from .services.drafting import AMBITION_KINDS, DraftError, parse_ambition
from .services.library import library_index_choices

AMBITION_LABELS = {
    "places": _("Tăng số bậc"),
    "rank": _("Đạt thứ hạng"),
    "top": _("Vào nhóm K tỉnh dẫn đầu (top K)"),
    "group": _("Vào nhóm xếp loại"),
    "score": _("Đạt số điểm"),
    "percent": _("Đạt tỷ lệ % điểm tối đa"),
}


class DraftForm(forms.Form):
    #: One or several indices (a plan may cover PAR INDEX, SIPAS and PAPI together): per form, the
    #: indices with a framework, in the order chosen by the data.
    index = forms.MultipleChoiceField(
        label=_("Chỉ số (chọn một hoặc nhiều)"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một chỉ số.")},
    )
    unit = forms.TypedChoiceField(label=_("Kết quả của đơn vị"), coerce=int, choices=())
    year = forms.IntegerField(label=_("Năm kết quả"), min_value=2000, max_value=2100)
    ambition = forms.ChoiceField(
        label=_("Mục tiêu chung"), choices=[(k, AMBITION_LABELS[k]) for k in AMBITION_KINDS], initial="places"
    )
    value = forms.CharField(
        label=_("Giá trị"),
        max_length=40,
        initial="5",
        help_text=_("Số bậc, thứ hạng, K, tên nhóm (ví dụ: Trung bình cao), số điểm hoặc tỷ lệ %"),
    )
    weakest = forms.IntegerField(label=_("Số nội dung yếu nhất"), min_value=0, max_value=20, initial=5)
    plan_year = forms.IntegerField(
        label=_("Năm thực hiện kế hoạch"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Để trống: năm sau năm kết quả. Kết quả công bố muộn thì chọn năm hiện tại."),
    )

    activities = forms.MultipleChoiceField(
        label=_("Thêm các mục theo hoạt động"),
        required=False,
        choices=[(a, label) for a, label in Activity.choices if a],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nhiệm vụ lấy từ thư viện cho từng hoạt động, ngoài các nhiệm vụ theo nội dung chỉ số."),
    )
    task_layout = forms.ChoiceField(
        label=_("Sắp xếp nhiệm vụ trong kế hoạch"),
        choices=TaskLayout.choices,
        initial=TaskLayout.DIMENSION,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["index"].choices = index_choices(with_frameworks=True)
        self.fields["unit"].choices = [(u.pk, label) for u, label in units]
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "Chọn tỉnh của bạn hoặc một tỉnh đã sáp nhập vào tỉnh của bạn."
        )

    def clean(self):
        data = super().clean()
        kind, value = data.get("ambition"), data.get("value")
        if kind in ("score", "group") and len(data.get("index") or []) > 1:
            self.add_error(
                "ambition",
                _(
                    "Kế hoạch nhiều chỉ số: chọn mục tiêu chung theo số bậc, thứ hạng, top hoặc tỷ lệ % "
                    "(điểm số và nhóm xếp loại khác nhau giữa các chỉ số)."
                ),
            )
        elif kind and value is not None:
            try:
                data["ambition_dict"] = parse_ambition(kind, value)
            except DraftError as exc:
                self.add_error("value", str(exc))
        return data


class LibraryTaskForm(forms.Form):
    text = forms.CharField(
        label=_("Nội dung nhiệm vụ"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_(
            "Năm ghi bằng tham số để kế hoạch năm nào cũng đúng: {năm} (năm thực hiện kế hoạch), "
            "{năm kết quả} (năm kết quả làm căn cứ), {năm sau}."
        ),
    )
    index = forms.ChoiceField(label=_("Chỉ số"), choices=[])  # the indices chiso has and "Chung": per form
    nodes = forms.CharField(
        label=_("Mã nội dung chỉ số"),
        required=False,
        max_length=300,
        help_text=_("Cách nhau bởi dấu phẩy, ví dụ: D2, D2.3"),
    )
    lead = forms.CharField(label=_("Chủ trì"), required=False, max_length=300)
    coordinating = forms.CharField(
        label=_("Phối hợp"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Mỗi đơn vị một dòng"),
    )
    product = forms.CharField(label=_("Sản phẩm"), required=False, max_length=300)
    recurrence = forms.ChoiceField(label=_("Tần suất"), choices=Recurrence.choices, initial=Recurrence.NONE)
    activity = forms.ChoiceField(
        label=_("Hoạt động"),
        required=False,
        choices=Activity.choices,
        help_text=_("Để trống: việc chuyên môn của một nội dung chỉ số."),
    )
    source = forms.CharField(
        label=_("Nguồn"),
        required=False,
        max_length=500,
        help_text=_("Ví dụ: Kế hoạch số 123/KH-UBND ngày 15/3/2025 của UBND tỉnh"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["index"].choices = library_index_choices()
