"""The form of cascading a plan: the subordinate unit that gets a derived plan."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CascadeForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Đơn vị triển khai"), coerce=int)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("— chọn đơn vị —"))] + [(u.pk, u.short_name) for u in units]
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "Chọn một đơn vị trực thuộc trong danh sách."
        )
        self.fields["unit"].error_messages["required"] = _("Chọn đơn vị triển khai.")
