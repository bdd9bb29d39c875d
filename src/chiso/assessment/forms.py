"""Forms of the assessment pages. They parse (a framework among those offered, a date dd/mm/yyyy, a list
of codes); every rule lives in the services (``services.rounds``, ``sheets``, ``assignments``,
``evidence``), whose ValidationError is shown on the fields (``chiso.validation.show_errors``).

The score sheet is not a Django form: its inputs depend on the framework and on the work open.
:class:`SheetRows` builds one :class:`Row` per leaf criterion (what is shown, what the user may edit),
reads a POST into the ``entries`` and ``versions`` of ``sheets.save`` — only the rows the user changed
since she opened the page (each row carries a fingerprint of its values then) — and keeps what she typed
to show it again with the service's messages.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from chiso.accounts.models import Membership
from chiso.core.text import nfc, nfc_multiline, parse_number, vi_sort_key
from chiso.frameworks.models import Node
from chiso.web.templatetags.vn import vn

from . import permissions
from .models import Round, Score, Sheet
from .services.sheets import NOTE_FIELD, SCORE_FIELD, effective
from .services.structure import Criterion, Structure

DATE_WIDGET = {"placeholder": "dd/mm/yyyy", "size": 12, "autocomplete": "off"}


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy.")},
        widget=forms.DateInput(format="%d/%m/%Y", attrs=DATE_WIDGET),
    )


class OpenRoundForm(forms.Form):
    """A new round: the framework (an index of the province, or a national one), the year, the units
    scored and the deadline of each work."""

    province = forms.TypedChoiceField(label=_("Tỉnh tổ chức"), coerce=int)
    framework = forms.TypedChoiceField(label=_("Bộ chỉ số"), coerce=int)
    year = forms.IntegerField(
        label=_("Năm đánh giá"),
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": _("Năm là một số, ví dụ 2025.")},
    )
    scope = forms.ChoiceField(label=_("Đơn vị được đánh giá"), choices=Round.Scope.choices)
    title = forms.CharField(
        label=_("Tên đợt đánh giá (để trống: đặt tự động)"), max_length=300, required=False
    )
    self_deadline = _date_field(_("Hạn tự đánh giá"))
    appraisal_deadline = _date_field(_("Hạn thẩm định"))
    explanation_deadline = _date_field(_("Hạn giải trình"))
    final_deadline = _date_field(_("Hạn thẩm định lại"))

    WORKS = ("self", "appraisal", "explanation", "final")

    def __init__(self, *args, provinces=(), frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [(p.pk, p.name) for p in provinces]
        language = get_language()
        self.fields["framework"].choices = [
            (f.pk, f"{f.index.label_for(language)} — {f.label_for(language)} ({f.years_label})")
            for f in frameworks
        ]
        self.fields["framework"].error_messages["invalid_choice"] = _("Chọn một bộ chỉ số trong danh sách.")
        self.fields["province"].error_messages["invalid_choice"] = _("Bạn không điều phối tỉnh này.")

    def deadlines(self) -> dict:
        return {w: self.cleaned_data.get(f"{w}_deadline") for w in self.WORKS}


class ReopenForm(forms.Form):
    sheet = forms.TypedChoiceField(label=_("Đơn vị mở lại"), coerce=int)
    until = forms.DateField(
        label=_("Mở lại đến hết ngày"),
        input_formats=["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"],
        error_messages={
            "invalid": _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy."),
            "required": _("Nhập ngày mở lại đến (dd/mm/yyyy)."),
        },
        widget=forms.DateInput(format="%d/%m/%Y", attrs=DATE_WIDGET),
    )
    reason = forms.CharField(
        label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, sheets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(s.pk, s.unit.short_name) for s in sheets]
        self.fields["sheet"].error_messages["invalid_choice"] = _("Chọn một đơn vị của đợt đánh giá.")


class AssignmentForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Người thẩm định"), coerce=int)
    units = forms.TypedMultipleChoiceField(
        label=_("Đơn vị được thẩm định (không chọn: tất cả)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    criteria = forms.CharField(
        label=_(
            "Tiêu chí (mã, cách nhau bởi dấu phẩy; mã lĩnh vực = mọi tiêu chí trong đó; để trống: tất cả)"
        ),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, users=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", _("— chọn —")), *[(u.pk, label) for u, label in users]]
        self.fields["units"].choices = [(u.pk, u.short_name) for u in units]
        self.fields["user"].error_messages["invalid_choice"] = _("Chọn một người trong danh sách.")

    def criteria_codes(self, st: Structure) -> list[str]:
        """The codes typed; a field's or a criterion's code stands for the criteria under it that
        appraisers score (a code the framework lacks is passed on for the service to name)."""
        out: list[str] = []
        for code in re.split(r"[,;\s]+", nfc(self.cleaned_data.get("criteria") or "")):
            if not code:
                continue
            under = [c.code for c in st.criteria if not c.survey and code in _ancestors(st, c.code)]
            out.extend(under if code not in st.by_code and under else [code])
        return list(dict.fromkeys(out))


def _ancestors(st: Structure, code: str) -> list[str]:
    node, out = st.nodes.get(code), []
    while node is not None and node.parent_id:
        out.append(node.parent.code)
        node = st.nodes.get(node.parent.code)
    return out


def appraiser_choices(rnd: Round) -> list[tuple[Any, str]]:
    """People who may appraise the round's units: those holding an appraiser's or an oversight role on
    the province (``permissions.APPRAISER_ROLES``; the service decides), with their roles."""
    units, unit = [], rnd.province
    while unit is not None:  # a role on the province or above it covers the province
        units.append(unit.pk)
        unit = unit.parent
    rows = (
        Membership.objects.filter(unit_id__in=units, role__in=permissions.APPRAISER_ROLES)
        .select_related("user", "unit")
        .order_by("user__username")
    )
    by_user: dict[int, tuple[Any, list[str]]] = {}
    for m in rows:
        if m.user.is_active:
            by_user.setdefault(m.user_id, (m.user, []))[1].append(str(m.get_role_display()))
    out = [
        (user, f"{user.get_full_name() or user.username} ({', '.join(roles)})")
        for user, roles in by_user.values()
    ]
    return sorted(out, key=lambda p: vi_sort_key(p[1]))


def user_by_pk(pk: int | None):
    return get_user_model().objects.filter(pk=pk).first() if pk else None


class LinkForm(forms.Form):
    task = forms.IntegerField(required=False, widget=forms.HiddenInput)
    report = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)


# ------------------------------------------------------------------------------------- the score sheet

#: The score field and the text field each work sets.
WORK_SCORE, WORK_NOTE = SCORE_FIELD, NOTE_FIELD
#: What an appraiser starts from: the stage before hers.
PREVIOUS = {"appraisal": "self", "final": "appraisal"}
INPUT_CHAIN = {"self": ("self",), "appraisal": ("appraisal", "self"), "final": ("final", "appraisal", "self")}


def anchor_of(code: str) -> str:
    """The id of a criterion's row on the sheet ("1.1.4" → "tc-1-1-4")."""
    return "tc-" + re.sub(r"[^0-9A-Za-z_-]", "-", code)


def input_number(value: Any) -> str:
    """A stored number as an input shows it: no thousands separator (a count of 1234 must read back as
    1234), a decimal comma in Vietnamese ("2,5", "19"), a point in English."""
    text = plain_number(value)
    if not text or (get_language() or "vi").startswith("en"):
        return text
    return text.replace(".", ",") if _is_number(value) else text


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def plain_number(value: Any) -> str:
    """A number for scripts and attributes: "2.5", "19", "0.01" ("" for none)."""
    if value is None or value == "":
        return ""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    return str(int(x)) if x.is_integer() else repr(x)


def _canon_number(value: Any) -> str | None:
    try:
        x = parse_number(value)
    except ValueError:
        return "?" + str(value).strip()
    return None if x is None else repr(float(x))


def _figure(value: str) -> Any:
    """A figure as the service stores it: a number when it is one, else the text (the service says why)."""
    try:
        x = parse_number(value)
    except ValueError:
        return value
    if x is None:
        return ""
    return int(x) if x.is_integer() else x


@dataclass
class Values:
    """What one row holds for one work: a typed score, a choice, figures, not applicable, a text."""

    score: str = ""
    choice: str = ""
    figures: dict[str, str] = field(default_factory=dict)
    na: bool = False
    note: str = ""

    def fingerprint(self, crit: Criterion, work: str) -> str:
        data: dict[str, Any] = {"n": nfc_multiline(self.note or "")}
        if work != "explanation" and not crit.survey:
            if crit.rule is None:
                data["s"] = _canon_number(self.score)
            elif crit.rule.kind == "choice":
                data["c"] = self.choice or ""
            else:
                data["f"] = {k: _canon_number(self.figures.get(k, "")) for k in crit.rule.input_codes}
            if work == "self" and crit.node.may_be_na:
                data["na"] = bool(self.na)
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


def stored_values(score: Score | None, crit: Criterion, work: str, *, start: bool = False) -> Values:
    """The row's values for ``work`` as stored; with ``start``, what the form starts from: an appraiser
    starts from the scores and figures of the stage before hers."""
    if score is None:
        return Values()
    v = Values(note=getattr(score, WORK_NOTE[work]) or "", na=score.not_applicable)
    if work == "explanation":
        return v
    chain = INPUT_CHAIN[work] if start else (work,)
    figures = next((score.inputs.get(s) for s in chain if score.inputs.get(s)), None) or {}
    if crit.rule is not None and crit.rule.kind == "choice":
        v.choice = str(figures.get("choice") or "")
    elif crit.rule is not None:
        v.figures = {k: input_number(figures.get(k)) for k in crit.rule.input_codes}
    value = effective(score, work) if start else getattr(score, WORK_SCORE[work])
    v.score = "" if value is None or (start and score.not_applicable) else input_number(value)
    return v


def posted_values(post, crit: Criterion, work: str) -> Values:
    code = crit.code
    v = Values(note=post.get(f"n-{code}", ""))
    if work == "explanation":
        return v
    if crit.rule is None:
        v.score = post.get(f"s-{code}", "").strip()
    elif crit.rule.kind == "choice":
        v.choice = post.get(f"c-{code}", "")
    else:
        v.figures = {k: post.get(f"f-{code}-{k}", "").strip() for k in crit.rule.input_codes}
    v.na = work == "self" and crit.node.may_be_na and post.get(f"na-{code}") is not None
    return v


def entry_of(v: Values, crit: Criterion, work: str) -> dict[str, Any]:
    """The entry ``sheets.save`` takes for a row's values."""
    entry: dict[str, Any] = {"note": v.note}
    if work == "explanation":
        return entry
    if work == "self" and crit.node.may_be_na:
        entry["na"] = v.na
        if v.na:
            return entry
    if crit.rule is None:
        entry["score"] = v.score
    elif crit.rule.kind == "choice":
        entry["inputs"] = {"choice": v.choice} if v.choice else {}
    else:
        entry["inputs"] = {k: _figure(x) for k, x in v.figures.items()}
    return entry


@dataclass
class Cell:
    """What a row shows, read-only, at one stage."""

    value: float | None = None
    #: no score was set at this stage: the one before stands
    kept: bool = False
    #: the score differs from the stage before
    changed: bool = False
    choice: str = ""
    figures: list[tuple[str, Any]] = field(default_factory=list)
    text: str = ""


@dataclass
class Row:
    crit: Criterion
    score: Score | None
    #: the user may change this row for the work open
    editable: bool
    values: Values
    version: int
    fingerprint: str
    error: str = ""
    #: the value someone else saved since the page was opened (shown beside a refused row)
    current: str = ""
    files: list = field(default_factory=list)
    links: list = field(default_factory=list)
    precision: int = 2
    #: stage → what the row shows there (filled by SheetRows.prepare)
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.crit.code

    @property
    def input_min(self) -> str:
        node = self.crit.node
        low = node.min_score if node.min_score is not None else min(0.0, node.max_score or 0.0)
        return plain_number(low)

    @property
    def input_max(self) -> str:
        return plain_number(self.crit.node.max_score)

    @property
    def input_step(self) -> str:
        step = self.crit.node.step
        return (
            plain_number(step)
            if step
            else ("1" if self.precision == 0 else f"{10**-self.precision:.{self.precision}f}")
        )

    @property
    def node(self) -> Node:
        return self.crit.node

    @property
    def anchor(self) -> str:
        return anchor_of(self.crit.code)

    @property
    def evidence_count(self) -> int:
        return len(self.files) + len(self.links)

    @property
    def na(self) -> bool:
        return bool(self.score and self.score.not_applicable)

    def value(self, stage: str) -> float | None:
        """The criterion's stored score at a stage (its effective score, see services.sheets)."""
        if self.score is None or self.score.not_applicable:
            return None
        return effective(self.score, stage)

    def own(self, stage: str) -> float | None:
        """The score set at exactly this stage (None: not set there)."""
        if self.score is None:
            return None
        return getattr(self.score, WORK_SCORE[stage])

    def choice_label(self, stage: str) -> str:
        if self.crit.rule is None or self.crit.rule.kind != "choice" or self.score is None:
            return ""
        code = (self.score.inputs.get(stage) or {}).get("choice")
        return next((c.label_for(get_language()) for c in self.crit.rule.choices if c.code == code), "")

    def figures(self, stage: str) -> list[tuple[str, Any]]:
        if self.crit.rule is None or self.crit.rule.kind == "choice" or self.score is None:
            return []
        got = self.score.inputs.get(stage) or {}
        language = get_language()
        return [
            (i.label_for(language) or i.code, got.get(i.code))
            for i in self.crit.rule.inputs
            if got.get(i.code) not in (None, "")
        ]

    def cell(self, stage: str) -> Cell:
        score = self.score
        if score is None:
            return Cell()
        text = getattr(score, WORK_NOTE[stage]) or ""
        if stage == "explanation":
            return Cell(text=text)
        value = self.value(stage)
        own = self.own(stage)
        before = self.value(PREVIOUS[stage]) if stage in PREVIOUS else None
        return Cell(
            value=value,
            kept=stage in PREVIOUS and own is None and value is not None,
            changed=stage in PREVIOUS and own is not None and before is not None and own != before,
            choice=self.choice_label(stage),
            figures=self.figures(stage),
            text=text,
        )

    @property
    def range_text(self) -> str:
        """The criterion's bounds under its name: "tối đa 2 điểm · bước 0,25 · có thể không áp dụng"."""
        node = self.crit.node
        parts = [gettext("điểm thưởng")] if node.bonus else []
        if node.min_score is not None and node.min_score < 0:
            parts.append(gettext("trừ tối đa %(min)s điểm") % {"min": vn(node.min_score)})
        else:
            parts.append(gettext("tối đa %(max)s điểm") % {"max": vn(node.max_score)})
        if node.step:
            parts.append(gettext("bước %(step)s") % {"step": vn(node.step)})
        if node.may_be_na:
            parts.append(gettext("có thể không áp dụng"))
        return " · ".join(parts)

    @property
    def too_little_evidence(self) -> bool:
        """A self-score above zero with neither a file nor a link (flagged; the unit must explain)."""
        return bool(self.score and (self.score.self_score or 0) > 0 and not self.evidence_count)


@dataclass
class FieldGroup:
    node: Node | None
    rows: list[Row]


class SheetRows:
    """The rows of a sheet for one user and the work open (``work``: None when she edits nothing)."""

    def __init__(
        self,
        sheet: Sheet,
        st: Structure,
        work: str | None,
        can_edit,
        scores: dict[str, Score],
        precision: int = 2,
        only: frozenset[str] | None = None,
    ):
        """``only``: the criteria the user may see (``permissions.criteria_limit``; None: all)."""
        self.sheet = sheet
        self.structure = st
        self.work = work
        self.rows: list[Row] = []
        for crit in st.criteria:
            if only is not None and crit.code not in only:
                continue
            score = scores.get(crit.code)
            editable = bool(work) and not crit.survey and can_edit(crit.code)
            if editable and work is not None:
                shown = stored_values(score, crit, work, start=True)
                stored = stored_values(score, crit, work)
                fp = stored.fingerprint(crit, work)
            else:
                shown, fp = Values(), ""
            version = score.version if score is not None else 0
            self.rows.append(Row(crit, score, editable, shown, version, fp, precision=precision))
        self.by_code = {r.code: r for r in self.rows}

    @property
    def editable(self) -> bool:
        return any(r.editable for r in self.rows)

    def prepare(self, stages: list[str]) -> None:
        """Fill every row's cells for the stages shown."""
        for r in self.rows:
            r.cells = {stage: r.cell(stage) for stage in stages}

    def groups(self) -> list[FieldGroup]:
        out: list[FieldGroup] = []
        for r in self.rows:
            if not out or (out[-1].node and out[-1].node.pk) != (r.crit.field and r.crit.field.pk):
                out.append(FieldGroup(r.crit.field, []))
            out[-1].rows.append(r)
        return out

    def read(self, post) -> tuple[dict[str, dict], dict[str, int]]:
        """The entries and versions of the rows changed since the page was opened; every editable row
        keeps what was posted, to be shown again."""
        entries: dict[str, dict] = {}
        versions: dict[str, int] = {}
        assert self.work is not None
        for r in self.rows:
            if not r.editable:
                continue
            r.values = posted_values(post, r.crit, self.work)
            r.fingerprint = post.get(f"o-{r.code}", r.fingerprint)
            try:
                r.version = int(post.get(f"v-{r.code}", r.version))
            except ValueError:
                pass
            if r.values.fingerprint(r.crit, self.work) != r.fingerprint:
                entries[r.code] = entry_of(r.values, r.crit, self.work)
                versions[r.code] = r.version
        return entries, versions

    def show_errors(self, errors: dict[str, list[str]], current: dict[str, Score]) -> list[Row]:
        """Put the service's messages on their rows; a row someone else saved meanwhile shows her value
        and takes the new version (saving again replaces it knowingly). The rows at fault, in order."""
        faulty = []
        for r in self.rows:
            messages = errors.get(r.code)
            if not messages:
                continue
            r.error = " ".join(messages)
            faulty.append(r)
            now = current.get(r.code)
            if r.editable and self.work and now is not None and now.version != r.version:
                r.version = now.version
                r.fingerprint = stored_values(now, r.crit, self.work).fingerprint(r.crit, self.work)
                value = getattr(now, WORK_SCORE.get(self.work, ""), None) if self.work in WORK_SCORE else None
                r.current = input_number(value) if value is not None else ""
        return faulty
