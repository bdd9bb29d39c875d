from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DocumentLayout
from .services import check_layout


class DocumentLayoutForm(forms.ModelForm):
    class Meta:
        model = DocumentLayout
        fields = ["name", "province", "kind", "yaml"]

    def clean(self):
        data = super().clean()
        kind, text = data.get("kind"), data.get("yaml") or ""
        if kind:
            errors = check_layout(kind, text, data.get("province"))
            if errors:
                raise forms.ValidationError(errors)
        return data


@admin.register(DocumentLayout)
class DocumentLayoutAdmin(SimpleHistoryAdmin):
    form = DocumentLayoutForm
    list_display = ["kind", "province", "name", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
