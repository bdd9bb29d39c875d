"""The score import page of a round (/danh-gia/<round>/nhap-diem/): a coordinator (or an appraiser, her
own appraisal) uploads a file of scores for a stage — the units' self-scores, the survey- and
leader-scored criteria, the appraisal or the re-appraisal —, reads the preview (the sheet read, every
row's changes, the unknown units and criteria codes, the scores out of bounds, the numbers read in a way to
check such as "1.000" or "90%"), then commits all of it or nothing. The file, its SHA-256, who and when are
recorded on every score written (``Score.source``, shown on the criterion page) and in its history.

Thin: the upload is checked by ``chiso.files.checks.check_table_upload``; the reading, the checks and the
writing are ``services.imports``'; who may import which stage is ``permissions.can_import``. Between the
preview and the commit the file waits under VAR_DIR/imports/assessment, named by its SHA-256 (the commit
form carries the hash; a file changed or gone is refused)."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chiso.core.text import nfc
from chiso.files.checks import TABLE_EXTENSIONS, UploadRejected, check_table_upload

from . import permissions
from .services.from_survey import survey_file
from .services.imports import STAGES, commit_scores, preview_scores
from .views_rounds import visible_round

UPLOAD_DIR = settings.VAR_DIR / "imports" / "assessment"
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
SOURCE_MAX = 200


def _stages(user, rnd) -> list[tuple[str, str]]:
    """The stages the user may import in this round, with their labels."""
    return [(code, str(label)) for code, label in STAGES.items() if permissions.can_import(user, rnd, code)]


def _stored(digest: str, ext: str) -> bytes | None:
    if not _DIGEST.match(digest) or ext not in TABLE_EXTENSIONS:
        return None
    path = UPLOAD_DIR / f"{digest}.{ext}"
    if not path.exists():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == digest else None


def _form(request, rnd, stages, *, errors=(), stage="", source="", status=200):
    return render(
        request,
        "assessment/score_import.html",
        {
            "round": rnd,
            "stages": stages,
            "stage": stage or (rnd.opens if rnd.opens in dict(stages) else stages[0][0]),
            "source": source,
            "errors": list(errors),
            "extensions": ", ".join(e.upper() for e in TABLE_EXTENSIONS),
            "can_survey": "survey" in dict(stages),
        },
        status=status,
    )


def _preview_page(request, rnd, stages, preview, digest: str, source: str, *, status=200):
    rows = (
        preview.rows
        if request.POST.get("show") == "all"
        else [r for r in preview.rows if r.status != "unchanged" or r.warnings]
    )
    return render(
        request,
        "assessment/score_import_preview.html",
        {
            "round": rnd,
            "stages": stages,
            "preview": preview,
            "stage_label": STAGES[preview.stage],
            "rows": rows,
            "hidden_rows": len(preview.rows) - len(rows),
            "digest": digest,
            "ext": preview.file_name.rsplit(".", 1)[-1].lower(),
            "source": source,
        },
        status=status,
    )


def score_import(request, pk: int):
    rnd = visible_round(request, pk)
    stages = _stages(request.user, rnd)
    if not stages:
        raise PermissionDenied(_("Bạn không được nhập điểm từ tệp trong đợt đánh giá này."))
    if request.method != "POST":
        return _form(request, rnd, stages)
    stage = request.POST.get("stage", "")
    source = nfc(request.POST.get("source", "")).strip()[:SOURCE_MAX]
    if stage not in dict(stages):
        return _form(request, rnd, stages, errors=[_("Chọn giai đoạn nhập điểm.")], source=source, status=400)
    if request.POST.get("action") == "commit":
        return _commit(request, rnd, stages, stage, source)
    if request.POST.get("action") == "from_survey":
        return _from_survey(request, rnd, stages, source)
    upload = request.FILES.get("file")
    if upload is None:
        return _form(
            request, rnd, stages, errors=[_("Chưa chọn tệp.")], stage=stage, source=source, status=400
        )
    try:
        checked = check_table_upload(upload, settings.CHISO_MAX_IMPORT_BYTES)
    except UploadRejected as exc:
        return _form(request, rnd, stages, errors=[str(exc)], stage=stage, source=source, status=400)
    ext = checked.name.rsplit(".", 1)[-1].lower()
    UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    (UPLOAD_DIR / f"{checked.sha256}.{ext}").write_bytes(checked.data)
    preview = preview_scores(
        rnd, checked.data, checked.name, stage, user=request.user, max_bytes=settings.CHISO_MAX_IMPORT_BYTES
    )
    return _preview_page(request, rnd, stages, preview, checked.sha256, source)


def _from_survey(request, rnd, stages, source: str):
    """The satisfaction criteria from the province's published survey (``services.from_survey``): the file
    it makes is previewed and committed as an uploaded one."""
    if "survey" not in dict(stages):
        raise PermissionDenied(_("Bạn không được nhập điểm khảo sát trong đợt đánh giá này."))
    made = survey_file(rnd)
    if made is None:
        errors = [_("Bộ chỉ số của đợt này không có tiêu chí chấm từ khảo sát sự hài lòng.")]
    elif len(made.missing) == rnd.sheets.count():
        errors = [
            _(
                "Chưa có kết quả khảo sát sự hài lòng đã công bố năm %(y)s cho đơn vị nào của đợt này "
                "(kết thúc cuộc khảo sát để công bố)."
            )
            % {"y": rnd.year}
        ]
    else:
        errors = []
    if made is None or errors:
        return _form(request, rnd, stages, errors=errors, stage="survey", source=source, status=400)
    digest = hashlib.sha256(made.data).hexdigest()
    UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    (UPLOAD_DIR / f"{digest}.csv").write_bytes(made.data)
    if made.missing:
        messages.warning(
            request,
            _("Chưa có tỷ lệ hài lòng đã công bố của %(n)s đơn vị (giữ nguyên điểm): %(units)s.")
            % {
                "n": len(made.missing),
                "units": ", ".join(made.missing[:20]) + ("…" if len(made.missing) > 20 else ""),
            },
        )
    preview = preview_scores(rnd, made.data, made.file_name, "survey", user=request.user)
    return _preview_page(request, rnd, stages, preview, digest, source or made.source)


def _commit(request, rnd, stages, stage: str, source: str):
    digest, name = request.POST.get("digest", ""), nfc(request.POST.get("name", "")).strip()
    data = _stored(digest, name.rsplit(".", 1)[-1].lower() if "." in name else "")
    if data is None:
        return _form(
            request,
            rnd,
            stages,
            errors=[_("Tệp đã xem trước không còn trên máy chủ hoặc đã bị thay đổi; hãy tải tệp lên lại.")],
            stage=stage,
            source=source,
            status=400,
        )
    try:
        done = commit_scores(
            rnd, data, name, stage, request.user, source, max_bytes=settings.CHISO_MAX_IMPORT_BYTES
        )
    except ValidationError:
        # the file no longer passes (a phase closed, someone changed a score…): the preview says why
        preview = preview_scores(
            rnd, data, name, stage, user=request.user, max_bytes=settings.CHISO_MAX_IMPORT_BYTES
        )
        messages.error(request, _("Không ghi gì vì tệp có lỗi; xem các lỗi dưới đây."))
        return _preview_page(request, rnd, stages, preview, digest, source, status=400)
    (UPLOAD_DIR / f"{digest}.{name.rsplit('.', 1)[-1].lower()}").unlink(missing_ok=True)
    messages.success(
        request,
        ngettext(
            "Đã nhập {n} điểm {stage} từ tệp “{name}”.",
            "Đã nhập {n} điểm {stage} từ tệp “{name}”.",
            done.written,
        ).format(n=done.written, stage=STAGES[stage], name=name),
    )
    return redirect("assessment:round", pk=rnd.pk)
