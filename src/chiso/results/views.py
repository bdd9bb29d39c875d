from __future__ import annotations

import csv
import hashlib
import io
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from chiso.analysis.services import available_years, year_figures
from chiso.core.spreadsheet import csv_cell, safe_append
from chiso.core.text import fold, format_exact, vi_sort_key
from chiso.frameworks.models import Index
from chiso.frameworks.permissions import editable_indices, refuse_unless_can_edit, visible_indices
from chiso.frameworks.services import framework_for
from chiso.units.models import Region

from . import jobs
from .importer import RevertRefused, revert_import
from .models import ImportBatch, ImportJob
from .reader import ALLOWED_EXTENSIONS, extension_of


def results_index(request, index: str):
    idx = get_object_or_404(visible_indices(request.user), code=index)
    years = available_years(index)
    if not years:
        return render(request, "results/table.html", {"index": idx, "years": [], "year": None})
    return redirect("results:table", index=index, year=years[-1])


def _table_rows(request, idx: Index, year: int):
    ctx = year_figures(idx.code, year)
    if ctx is None:
        raise Http404(_("Chưa có bộ chỉ số cho năm này"))
    d = ctx.derived
    top_nodes = [n for n in ctx.nodes.values() if n.depth == 1]
    rows = []
    for key, ud in d.units.items():
        unit = ctx.units[key]
        rows.append(
            {
                "unit": unit,
                "ud": ud,
                "total": ud.total,
                "percent": ud.percent,
                "rank": ud.rank,
                "group": ud.group,
                "nodes": [(n, ud.nodes[n.code]) for n in top_nodes],
                "key": fold(unit.short_name),
            }
        )
    q = request.GET.get("q", "").strip()
    if q:
        words = fold(q).split()
        rows = [r for r in rows if all(w in r["key"] for w in words)]
    group = request.GET.get("group", "")
    if group:
        rows = [r for r in rows if r["group"] == group]
    region_code = request.GET.get("region", "")
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        ids = set(region.members.values_list("pk", flat=True)) if region else set()
        rows = [r for r in rows if r["unit"].pk in ids]
    sort = request.GET.get("sort", "rank")
    desc = sort.startswith("-")
    field = sort.lstrip("-")
    if field == "name":
        rows.sort(key=lambda r: vi_sort_key(r["unit"].short_name), reverse=desc)
    elif field.startswith("n:"):
        code = field[2:]
        rows.sort(
            key=lambda r: (
                (r["ud"].nodes[code].value is None, -(r["ud"].nodes[code].value or 0))
                if code in r["ud"].nodes
                else (True, 0)
            )
        )
        if desc:
            rows.reverse()
    else:  # rank (then total)
        rows.sort(
            key=lambda r: (
                r["rank"] is None,
                r["rank"] or 0,
                -(r["total"] or 0),
                vi_sort_key(r["unit"].short_name),
            )
        )
        if desc:
            rows.reverse()
    return ctx, top_nodes, rows, {"q": q, "group": group, "region": region_code, "sort": sort}


def results_table(request, index: str, year: int):
    idx = get_object_or_404(visible_indices(request.user), code=index)
    ctx, top_nodes, rows, filters = _table_rows(request, idx, year)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(idx, year, ctx, top_nodes, rows, fmt)
    groups = [b.label for b in ctx.rule.groups] if ctx.rule else []
    context = {
        "index": idx,
        "year": year,
        "years": available_years(index),
        "ctx": ctx,
        "d": ctx.derived,
        "top_nodes": top_nodes,
        "rows": rows,
        "has_published": any(
            r["ud"].rank_source == "published" or r["ud"].group_source == "published" for r in rows
        ),
        "filters": filters,
        "groups": groups,
        "regions": Region.objects.all().order_by("kind", "name_vi"),
        "root_stats": ctx.derived.stats[ctx.derived.root],
    }
    template = "results/table.html#rows" if request.htmx else "results/table.html"
    return render(request, template, context)


def _export(idx, year, ctx, top_nodes, rows, fmt):
    header = [
        pgettext("export column", "Đơn vị"),
        pgettext("export column", "Mã"),
        pgettext("export column", "Điểm"),
        pgettext("export column", "% tối đa"),
        pgettext("export column", "Xếp hạng"),
        pgettext("export column", "Trên"),
        pgettext("export column", "Nguồn xếp hạng"),
        pgettext("export column", "Nhóm"),
        pgettext("export column", "Nguồn nhóm"),
    ] + [f"{n.code} {n.name_vi}" for n in top_nodes]
    rank_sources = {
        "computed": pgettext("rank source", "tính toán"),
        "published": pgettext("rank source", "công bố"),
    }
    data = []
    for r in rows:
        ud = r["ud"]
        data.append(
            [
                r["unit"].short_name,
                r["unit"].code,
                ud.total,
                ud.percent,
                ud.rank,
                ud.rank_of,
                rank_sources.get(ud.rank_source or "", ""),
                ud.group or "",
                rank_sources.get(ud.group_source or "", ""),
            ]
            + [nv.value for _, nv in r["nodes"]]
        )
    name = f"ket-qua-{idx.code}-{year}"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(header)
        for row in data:
            w.writerow(
                [
                    # every digit: the export reads back unchanged (a no-op import), never "0,8309"
                    "" if v is None else (format_exact(v) if isinstance(v, float) else csv_cell(v))
                    for v in row
                ]
            )
        resp = HttpResponse(
            ("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = f"{idx.short_name} {year}"[:31]
        safe_append(ws, header)
        for row in data:
            safe_append(ws, row)
        out = io.BytesIO()
        wb.save(out)
        resp = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp


# --- imports ------------------------------------------------------------------------------------


@permission_required("chiso.import_results", raise_exception=True)
def import_list(request):
    """The import log: who imported which file when (coordinators only, as the imports themselves)."""
    batches = (
        ImportBatch.objects.exclude(status=ImportBatch.Status.PREVIEW)
        .filter(index__in=visible_indices(request.user))
        .select_related("index", "created_by", "reverted_by")[:200]
    )
    editable = {i.pk for i in editable_indices(request.user)}
    for b in batches:
        b.revertible = b.index_id in editable
    return render(request, "results/import_list.html", {"batches": batches})


@permission_required("chiso.import_results", raise_exception=True)
def import_new(request):
    indices = editable_indices(request.user)
    if request.method == "POST":
        upload = request.FILES.get("file")
        index = request.POST.get("index", "")
        year_text = request.POST.get("year", "").strip()
        errors = []
        if upload is None:
            errors.append(_("Chưa chọn tệp."))
        elif extension_of(upload.name) not in ALLOWED_EXTENSIONS:
            errors.append(
                _("Tệp “{name}” không đúng định dạng: chỉ nhận CSV, XLSX, XLS hoặc ODS.").format(
                    name=upload.name
                )
            )
        elif upload.size > settings.CHISO_MAX_IMPORT_BYTES:
            errors.append(_("Tệp quá lớn."))
        chosen = next((i for i in indices if i.code == index), None)
        if chosen is None:
            errors.append(
                _("Chưa chọn chỉ số.")
                if not Index.objects.filter(code=index).exists()
                else _("Bạn không được nhập kết quả của chỉ số này (chỉ số quốc gia: quản trị hệ thống).")
            )
        year = None
        if year_text:
            if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
                errors.append(_("Năm “{year}” không hợp lệ.").format(year=year_text))
            else:
                year = int(year_text)
        if errors:
            return render(
                request, "results/import_new.html", {**_new_context(indices), "errors": errors}, status=400
            )
        data = upload.read()
        digest = hashlib.sha256(data).hexdigest()
        upload_dir = jobs.upload_dir()
        upload_dir.mkdir(parents=True, exist_ok=True)
        ext = extension_of(upload.name)
        (upload_dir / f"{digest}.{ext}").write_bytes(data)
        batch = ImportBatch.objects.create(
            index_id=chosen.pk,
            year=year,
            file_name=upload.name[:255],
            file_hash=digest,
            file_size=len(data),
            created_by=request.user,
        )
        jobs.start(batch, ImportJob.Kind.PREVIEW, request.user)  # a large file: by the worker
        return redirect("results:import_preview", pk=batch.pk)
    return render(request, "results/import_new.html", _new_context(indices))


def _new_context(indices) -> dict:
    return {
        "indices": indices,
        "max_bytes": settings.CHISO_MAX_IMPORT_BYTES,
        "sync_bytes": settings.CHISO_SYNC_IMPORT_BYTES,
    }


def _stored_file(batch: ImportBatch) -> bytes:
    try:
        return jobs.stored_file(batch)
    except FileNotFoundError:
        raise Http404(_("Tệp tải lên không còn trên máy chủ; hãy tải lại.")) from None


PREVIEW_PAGE_ROWS = 100


@permission_required("chiso.import_results", raise_exception=True)
def import_preview(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk, status=ImportBatch.Status.PREVIEW)
    refuse_unless_can_edit(request.user, batch.index)
    job = batch.jobs.filter(kind=ImportJob.Kind.PREVIEW).order_by("-pk").first()
    preview = jobs.stored_preview(job) if job is not None and job.state == ImportJob.State.DONE else None
    if job is None or (job.state == ImportJob.State.DONE and preview is None):
        _stored_file(batch)  # a clear 404 when the upload is gone
        job = jobs.start(batch, ImportJob.Kind.PREVIEW, request.user)
        preview = jobs.stored_preview(job) if job.state == ImportJob.State.DONE else None
    if preview is None:  # waiting, running, failed or cancelled: the job's page says which
        return _job_page(request, job)
    show = request.GET.get("show", "changes")
    rows = (
        preview.rows
        if show == "all"
        else [r for r in preview.rows if r.status in ("new", "changed", "error") or r.warnings]
    )
    paginator = Paginator(rows, PREVIEW_PAGE_ROWS)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "results/import_preview.html",
        {
            "batch": batch,
            "preview": preview,
            "rows": page.object_list,
            "page": page,
            "show": show,
            "error_summary": error_summary(preview),
        },
    )


def error_summary(preview, first: int = 20) -> dict:
    """The rows' errors counted per kind (the message with its values taken out), and the first ones."""
    kinds: dict[str, list] = {}
    total = 0
    for r in preview.rows:
        for e in r.errors:
            total += 1
            kind = re.sub(r"“[^”]*”|\d+(?:[.,]\d+)*", "…", str(e))
            entry = kinds.setdefault(kind, [0, r.line, str(e)])
            entry[0] += 1
    ordered = sorted(kinds.items(), key=lambda kv: -kv[1][0])
    return {
        "total": total,
        "kinds": [{"count": c, "line": line, "example": ex} for _k, (c, line, ex) in ordered[:first]],
        "more_kinds": max(0, len(ordered) - first),
    }


def _job_page(request, job: ImportJob):
    return render(
        request,
        "results/import_job.html",
        {"job": job, "batch": job.batch, "progress": jobs.read_progress(job), "refresh": not job.finished},
    )


def _job_or_404(request, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("batch__index", "result__index"), pk=pk)
    index = job.batch.index if job.batch else job.result.index if job.result else None
    if index is None:
        raise Http404
    refuse_unless_can_edit(request.user, index)
    return job


@permission_required("chiso.import_results", raise_exception=True)
def import_job(request, pk: int):
    """A job's progress; a finished commit goes to the import log, a finished preview to the preview."""
    job = _job_or_404(request, pk)
    if job.state == ImportJob.State.DONE:
        if job.kind == ImportJob.Kind.COMMIT:
            messages.success(request, job.message)
            return redirect("results:import_list")
        return redirect("results:import_preview", pk=job.batch_id)
    if job.state == ImportJob.State.FAILED and job.kind == ImportJob.Kind.COMMIT and job.batch_id:
        messages.error(request, job.message)
        return redirect("results:import_preview", pk=job.batch_id)
    return _job_page(request, job)


@require_POST
@permission_required("chiso.import_results", raise_exception=True)
def import_job_cancel(request, pk: int):
    job = _job_or_404(request, pk)
    if not job.finished:
        jobs.request_cancel(job)
        messages.info(request, _("Đã yêu cầu huỷ. Nếu việc ghi chưa bắt đầu thì không có gì được ghi."))
    return redirect("results:import_job", pk=job.pk)


@require_POST
@permission_required("chiso.import_results", raise_exception=True)
def import_commit(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk, status=ImportBatch.Status.PREVIEW)
    refuse_unless_can_edit(request.user, batch.index)
    _stored_file(batch)
    job = jobs.start(batch, ImportJob.Kind.COMMIT, request.user)  # a large file: by the worker
    return redirect("results:import_job", pk=job.pk)


@permission_required("chiso.import_results", raise_exception=True)
def results_template(request, index: str):
    """An empty results file for an index: the columns the import recognises, one example row."""
    idx = next((i for i in editable_indices(request.user) if i.code == index), None)
    if idx is None:
        raise Http404(_("Không có chỉ số này, hoặc bạn không được nhập kết quả của nó."))
    years = available_years(index)
    try:
        fw = framework_for(index, years[-1]) if years else framework_for(index, None)
    except Exception:  # noqa: BLE001 - no framework yet: the fixed columns only
        fw = None
    nodes = list(fw.nodes.order_by("order")) if fw else []
    header = [
        "unit",
        "gso_code",
        "year",
        *[n.code for n in nodes],
        "rank",
        "rank_of",
        "group",
        "source",
        "note",
    ]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerow(["Kon Tum", "62", str(years[-1]) if years else "", *["" for _n in nodes], "", "", "", "", ""])
    resp = HttpResponse(("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="mau-ket-qua-{idx.code}.csv"'
    return resp


@require_POST
@permission_required("chiso.import_results", raise_exception=True)
def import_revert(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        n = revert_import(batch, user=request.user)
    except RevertRefused as exc:
        messages.error(request, _("Không hoàn tác được: {errors}").format(errors="; ".join(exc.messages[:5])))
    else:
        messages.success(
            request,
            ngettext(
                "Đã hoàn tác lần nhập “{name}”: khôi phục {n} giá trị.",
                "Đã hoàn tác lần nhập “{name}”: khôi phục {n} giá trị.",
                n,
            ).format(name=batch.file_name, n=n),
        )
    return redirect("results:import_list")
