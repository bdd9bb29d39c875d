"""Forms of the plan itself: the plan, a target, a task, an attachment (messages in Vietnamese)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from chiso.accounts.scope import covered
from chiso.concurrency import RevisionField, SubmissionKeyField
from chiso.core.text import format_date, nfc, vi_sort_key
from chiso.documents.services import wording_for
from chiso.frameworks.services import index_choices, index_labels
from chiso.units.models import Unit

from .models import Activity, Plan, Priority, Recurrence, Shortcoming, Target, TaskLayout, UnitClass
from .services.cascade import OFFICE_KINDS
from .services.plans import TASK_FIELDS, node_choices, own_units_only, unit_choices
from .services.tiers import unit_label, unit_labels


def _node_parts(data: dict) -> dict:
    """The "index|code" of a node choice as the services' index and node_code."""
    index, _sep, code = (data.get("node") or "").partition("|")
    data["index"], data["node_code"] = index, code
    return data


def _lines(text: str) -> list[str]:
    return [nfc(line).strip() for line in (text or "").splitlines() if line.strip()]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return unit_label(obj)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return unit_label(obj)


def issuing_units(user) -> list[Unit]:
    """Units the user may issue plans for: the provinces and departments she coordinates."""
    scope = covered(user, ("coordinator",))
    qs = Unit.objects.filter(kind__in=[Unit.Kind.PROVINCE, Unit.Kind.DEPARTMENT])
    if scope is None:
        today = dt.date.today()
        qs = qs.exclude(valid_to__lt=today)
    else:
        qs = qs.filter(pk__in=scope)
    return sorted(qs, key=lambda u: (u.kind != Unit.Kind.PROVINCE, vi_sort_key(u.short_name)))


def _place_of(unit: Unit) -> str:
    from chiso.core.text import strip_admin_prefix

    return strip_admin_prefix(unit.name) if unit.kind == Unit.Kind.PROVINCE else ""


class PlanForm(forms.Form):
    #: Hidden: the revision the form was opened at, and the token that makes a resent form create once.
    revision = RevisionField()
    submit_key = SubmissionKeyField()
    issuing_unit = UnitChoiceField(label=_("Cơ quan ban hành"), queryset=Unit.objects.none())
    number = forms.CharField(
        label=_("Số"), max_length=20, required=False, help_text=_("Ví dụ: 3993 (ghi khi ban hành)")
    )
    symbol = forms.CharField(label=_("Ký hiệu"), max_length=60)
    place = forms.CharField(label=_("Địa danh"), max_length=100, required=False)
    date = forms.DateField(label=_("Ngày ban hành (dd/mm/yyyy)"), required=False)
    title = forms.CharField(
        label=_("Trích yếu"),
        max_length=500,
        error_messages={"required": _("Cần nhập trích yếu của kế hoạch.")},
    )
    purpose = forms.CharField(label=_("Mục đích"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    requirements = forms.CharField(
        label=_("Yêu cầu"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    body = forms.CharField(
        label=_("Nội dung khác (tổ chức thực hiện, chế độ báo cáo…)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    indices = forms.MultipleChoiceField(
        label=_("Chỉ số"),
        choices=[],  # the indices chiso has (data): set per form
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một chỉ số.")},
    )
    year = forms.IntegerField(label=_("Năm thực hiện"), min_value=2000, max_value=2100)
    year_to = forms.IntegerField(
        label=_("Đến năm (nếu nhiều năm)"), min_value=2000, max_value=2100, required=False
    )
    results_year = forms.IntegerField(
        label=_("Năm kết quả làm căn cứ"), min_value=2000, max_value=2100, required=False
    )
    task_layout = forms.ChoiceField(
        label=_("Sắp xếp nhiệm vụ trong kế hoạch"),
        choices=TaskLayout.choices,
        initial=TaskLayout.DIMENSION,
        required=False,
        widget=forms.RadioSelect,
    )
    recipients = forms.CharField(
        label=_("Nơi nhận (mỗi dòng một nơi)"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    legal_basis = forms.CharField(
        label=_("Căn cứ (mỗi dòng một văn bản)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ví dụ: Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ …"),
    )
    implements = forms.CharField(
        label=_("Thực hiện kế hoạch, thông báo cấp trên (mỗi dòng một văn bản)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: Kế hoạch số 12/KH-UBND ngày 10 tháng 01 năm 2025 của UBND tỉnh …"),
    )
    signer_authority = forms.CharField(label=_("Thẩm quyền ký"), max_length=100)
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=100)
    signer_name = forms.CharField(label=_("Người ký"), max_length=100, required=False)
    report_deadlines = forms.CharField(
        label=_("Hạn báo cáo (mỗi dòng một ngày dd/mm/yyyy)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user=None, plan: Plan | None = None, **kwargs):
        if plan is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(plan)
        super().__init__(*args, **kwargs)
        self.fields["indices"].choices = index_choices()
        units = issuing_units(user)
        if plan is not None and plan.issuing_unit_id not in {u.pk for u in units}:
            units.insert(0, plan.issuing_unit)
        self.fields["issuing_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        self.fields["issuing_unit"].choices = [("", "—")] + [(u.pk, u.short_name) for u in units]
        if units and plan is None and not self.initial.get("issuing_unit"):
            self.initial["issuing_unit"] = units[0].pk  # the province comes first
            self.initial.setdefault("place", _place_of(units[0]))
            for name, value in wording_for(units[0], "plan").issue_fields("plan").items():
                self.initial.setdefault(name, value)
        if plan is None:
            self.initial.setdefault("year", dt.date.today().year)

    @staticmethod
    def initial_from(plan: Plan) -> dict:
        deadlines = []
        for d in plan.report_deadlines or []:
            try:
                deadlines.append(format_date(dt.date.fromisoformat(str(d))))
            except ValueError:
                deadlines.append(str(d))
        return {
            "revision": plan.revision,
            "issuing_unit": plan.issuing_unit_id,
            "number": plan.number,
            "symbol": plan.symbol,
            "place": plan.place,
            "date": plan.date,
            "title": plan.title,
            "purpose": plan.purpose,
            "requirements": plan.requirements,
            "body": plan.body,
            "indices": list(plan.indices or []),
            "year": plan.year,
            "year_to": plan.year_to,
            "results_year": plan.results_year,
            "recipients": "\n".join(plan.recipients or []),
            "legal_basis": "\n".join(plan.legal_basis or []),
            "implements": "\n".join(plan.implements or []),
            "signer_authority": plan.signer_authority,
            "signer_title": plan.signer_title,
            "signer_name": plan.signer_name,
            "report_deadlines": "\n".join(deadlines),
            "task_layout": plan.task_layout,
        }

    def clean_recipients(self):
        return _lines(self.cleaned_data.get("recipients", ""))

    def clean(self):
        data = super().clean()
        if not data.get("task_layout"):
            data.pop("task_layout", None)  # not sent: the plan keeps its arrangement
        return data

    def clean_legal_basis(self):
        return _lines(self.cleaned_data.get("legal_basis", ""))

    def clean_implements(self):
        return _lines(self.cleaned_data.get("implements", ""))

    def clean_report_deadlines(self):
        out, bad = [], []
        for line in _lines(self.cleaned_data.get("report_deadlines", "")):
            for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
                try:
                    out.append(dt.datetime.strptime(line, fmt).date())
                    break
                except ValueError:
                    continue
            else:
                bad.append(line)
        if bad:
            raise ValidationError(
                _("Ngày không hợp lệ: %(bad)s (viết dd/mm/yyyy, mỗi dòng một ngày)."),
                params={"bad": ", ".join(bad)},
            )
        return out


class TargetForm(forms.Form):
    #: Hidden: the revision the form was opened at, and the token that makes a resent form create once.
    revision = RevisionField()
    submit_key = SubmissionKeyField()
    node = forms.ChoiceField(label=_("Chỉ số, nội dung"))
    kind = forms.ChoiceField(label=_("Loại mục tiêu"), choices=Target.Kind.choices)
    value = forms.CharField(
        label=_("Giá trị"),
        max_length=40,
        help_text=_(
            "Điểm số (vd 45,5); thứ hạng (vd 20); số bậc cần tăng (vd 2); top K (vd 25); "
            "tên nhóm (vd Cao, cho toàn chỉ số hoặc một chỉ số nội dung được xếp nhóm); tỷ lệ % điểm tối "
            "đa (vd 60); số chỉ số nội dung thuộc nhóm: số lượng và tên nhóm (vd «3 Cao» với loại «ít "
            "nhất», «0 Thấp» với loại «không quá»)."
        ),
    )

    def __init__(self, *args, plan: Plan, target: Target | None = None, **kwargs):
        if target is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "node": f"{target.index}|{target.node_code}",
                "kind": target.kind,
                "value": target.value,
                "revision": target.revision,
            }
        super().__init__(*args, **kwargs)
        year = plan.results_year or plan.year - 1
        choices = []
        labels = index_labels(get_language())
        for index in plan.indices or labels:
            name = labels.get(index, index.upper())
            group = [(f"{index}|", _("%(index)s — toàn chỉ số") % {"index": name})]
            for code, label, depth in node_choices(index, year):
                group.append((f"{index}|{code}", f"{'  ' * (depth - 1)}{code} {label}"))
            choices.append((name, group))
        self.fields["node"].choices = choices

    def clean(self):
        return _node_parts(super().clean())


class TaskForm(forms.Form):
    #: Hidden: the revision the form was opened at, and the token that makes a resent form create once.
    revision = RevisionField()
    submit_key = SubmissionKeyField()
    text = forms.CharField(
        label=_("Nội dung nhiệm vụ"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Cần nhập nội dung nhiệm vụ.")},
    )
    index = forms.ChoiceField(label=_("Chỉ số"), choices=[], required=False)
    nodes = forms.MultipleChoiceField(
        label=_("Nội dung chỉ số phục vụ (chọn nhiều bằng Ctrl)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    lead_unit = UnitChoiceField(label=_("Đơn vị chủ trì"), queryset=Unit.objects.none(), required=False)
    new_office = forms.CharField(
        label=_("Hoặc thêm phòng, ban mới làm đơn vị chủ trì"),
        max_length=200,
        required=False,
        help_text=_(
            "Ví dụ: Phòng Văn hóa, Khoa học và Thông tin. Phòng, ban mới thay cho đơn vị chủ trì chọn ở trên."
        ),
    )
    lead_class = forms.ChoiceField(
        label=_("Hoặc chủ trì theo cấp"), choices=UnitClass.choices, required=False
    )
    lead_text = forms.CharField(label=_("Chủ trì (như ghi trong kế hoạch)"), max_length=300, required=False)
    coordinating_units = UnitMultipleChoiceField(
        label=_("Đơn vị phối hợp (chọn nhiều bằng Ctrl)"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    coordinating_text = forms.CharField(
        label=_("Phối hợp (như ghi trong kế hoạch)"), max_length=500, required=False
    )
    product = forms.CharField(label=_("Sản phẩm"), max_length=300, required=False)
    deadline = forms.DateField(label=_("Thời hạn (dd/mm/yyyy)"), required=False)
    recurrence = forms.ChoiceField(label=_("Tần suất"), choices=Recurrence.choices, initial=Recurrence.NONE)
    first_due = forms.DateField(label=_("Hạn lần đầu (dd/mm/yyyy, khi lặp lại)"), required=False)
    activity = forms.ChoiceField(
        label=_("Hoạt động"),
        required=False,
        choices=Activity.choices,
        help_text=_("Để trống: việc chuyên môn của một nội dung chỉ số."),
    )
    priority = forms.TypedChoiceField(
        label=_("Mức ưu tiên"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    order = forms.IntegerField(label=_("Số thứ tự"), min_value=0, max_value=100000, required=False)
    is_request = forms.BooleanField(
        label=_("Đề nghị cơ quan ngoài hệ thống hành chính (Mặt trận, đoàn thể, báo chí, công an…)"),
        required=False,
        help_text=_(
            "Ghi «Đề nghị …» và tách riêng trong kế hoạch; chỉ theo dõi khi cơ quan đó nhận thực hiện."
        ),
    )

    def __init__(self, *args, plan: Plan, task=None, **kwargs):
        if task is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(task, name) for name in TASK_FIELDS}
            kwargs["initial"].update(
                nodes=list(task.nodes or []),
                lead_unit=task.lead_unit_id,
                coordinating_units=list(task.coordinating_units.values_list("pk", flat=True)),
                revision=task.revision,
            )
        super().__init__(*args, **kwargs)
        self.plan = plan
        labels = index_labels(get_language())
        self.fields["index"].choices = [("", _("— chung —")), *labels.items()]
        keep = [task.lead_unit, *task.coordinating_units.all()] if task is not None else []
        units = unit_choices(plan, keep=keep)
        ids = [u.pk for u in units]
        unit_list = unit_labels(units)
        self.fields["lead_unit"].queryset = Unit.objects.filter(pk__in=ids)
        self.fields["lead_unit"].choices = [("", "—"), *unit_list]
        self.fields["coordinating_units"].queryset = Unit.objects.filter(pk__in=ids)
        self.fields["coordinating_units"].choices = unit_list
        if not (own_units_only(plan) and plan.issuing_unit.kind in OFFICE_KINDS):
            del self.fields["new_office"]
        year = plan.results_year or plan.year - 1
        choices = []
        for index in plan.indices or labels:
            nodes = node_choices(index, year)
            choices.append((labels.get(index, index), [(c, f"{'  ' * (d - 1)}{c} {n}") for c, n, d in nodes]))
        seen: set[str] = set()
        flat = []
        for group, items in choices:
            items = [(c, lab) for c, lab in items if c not in seen]
            seen.update(c for c, _lab in items)
            flat.append((group, items))
        self.fields["nodes"].choices = flat


def _score_text(value) -> str:
    """A score as the form shows it back: "6,355" (no thousands dot, so it parses back the same)."""
    if value is None:
        return ""
    return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")


class ShortcomingForm(forms.Form):
    """A row of the shortcomings appendix: the node where points were lost, achieved / maximum
    (typed the Vietnamese way, "6,355"), the units responsible and the causes."""

    node = forms.ChoiceField(
        label=_("Chỉ số, nội dung"), error_messages={"required": _("Chọn nội dung chỉ số bị mất điểm.")}
    )
    achieved = forms.CharField(label=_("Điểm đạt"), max_length=20, required=False, help_text=_("Ví dụ: 4,25"))
    maximum = forms.CharField(
        label=_("Điểm tối đa"), max_length=20, required=False, help_text=_("Ví dụ: 6,355")
    )
    responsible_units = UnitMultipleChoiceField(
        label=_("Đơn vị chịu trách nhiệm (chọn nhiều bằng Ctrl)"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    responsible_text = forms.CharField(
        label=_("Đơn vị chịu trách nhiệm (ghi như trong kế hoạch)"), max_length=500, required=False
    )
    note = forms.CharField(
        label=_("Nguyên nhân, hạn chế"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, plan: Plan, row: Shortcoming | None = None, **kwargs):
        if row is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "node": f"{row.index}|{row.node_code}",
                "achieved": _score_text(row.achieved),
                "maximum": _score_text(row.maximum),
                "responsible_units": list(row.responsible_units.values_list("pk", flat=True)),
                "responsible_text": row.responsible_text,
                "note": row.note,
            }
        super().__init__(*args, **kwargs)
        year = plan.results_year or plan.year - 1
        self.node_names: dict[str, str] = {}
        choices = []
        labels = index_labels(get_language())
        for index in plan.indices or labels:
            group = []
            # the row keeps the Vietnamese name (the appendix quotes it); the list reads in the reader's
            shown = {code: label for code, label, _depth in node_choices(index, year)}
            for code, name_vi, depth in node_choices(index, year, "vi"):
                self.node_names[f"{index}|{code}"] = name_vi
                group.append((f"{index}|{code}", f"{'  ' * (depth - 1)}{code} {shown.get(code, name_vi)}"))
            choices.append((labels.get(index, index.upper()), group))
        if row is not None and f"{row.index}|{row.node_code}" not in self.node_names:
            # a row drafted from another framework year keeps its node
            key = f"{row.index}|{row.node_code}"
            self.node_names[key] = row.node_name
            choices.insert(0, (labels.get(row.index, row.index.upper()), [(key, str(row))]))
        self.fields["node"].choices = [("", "—"), *choices]
        units = unit_choices(plan, keep=row.responsible_units.all() if row is not None else ())
        self.fields["responsible_units"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        self.fields["responsible_units"].choices = unit_labels(units)

    def clean(self):
        data = _node_parts(super().clean())
        data["node_name"] = self.node_names.get(data.get("node") or "", "")
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Tệp đính kèm"))
