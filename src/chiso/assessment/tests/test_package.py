"""The evidence package of a sheet: the archive opens; it has one folder per criterion named by its code, the
evidence files in them (two files of the same name both kept, a name like "../../etc/passwd" kept inside its
folder, a file linked through a progress report included once), and an index sheet listing every criterion
with its self-score and its evidence (names, SHA-256, task products and reports, files gone from the server).
The view streams it in small pieces."""

from __future__ import annotations

import hashlib
import io
import random
import unicodedata
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as hs
from openpyxl import load_workbook

from chiso.assessment.models import EvidenceFile, EvidenceLink, Score
from chiso.assessment.services import package, sheets
from chiso.files.checks import CheckedUpload, store
from chiso.plans.models import Plan, Task
from chiso.tracking.models import Evidence, ProgressReport

from .test_round_services import SELF_DAY

PDF = b"%PDF-1.4\n% bien ban\n"


def _upload(name: str, data: bytes) -> CheckedUpload:
    return CheckedUpload(name, "application/pdf", len(data), hashlib.sha256(data).hexdigest(), "clean", data)


@pytest.fixture
def evidence(scene, open_round, settings, tmp_path):
    """Sở Tư pháp's sheet with its evidence on 1.3 and 1.4, and a task product and a progress report linked."""
    settings.MEDIA_ROOT = tmp_path / "media"
    rnd = open_round()
    sheet = rnd.sheets.get(unit=scene.tuphap)
    sheets.save(sheet, scene.officer_tp, "self", {"1.3": {"score": 2.5}, "1.4": {"score": 2}}, today=SELF_DAY)
    s13 = Score.objects.get(sheet=sheet, node__code="1.3")
    s14 = Score.objects.get(sheet=sheet, node__code="1.4")
    big = random.Random(8).randbytes(1 << 20)  # 1 MiB, incompressible like a scan
    files = {
        "first": store(
            EvidenceFile, _upload("Biên bản kiểm tra số 12.pdf", PDF + b"1"), scene.officer_tp, score=s13
        ),
        "same_name": store(
            EvidenceFile, _upload("Biên bản kiểm tra số 12.pdf", PDF + b"2"), scene.officer_tp, score=s13
        ),
        "traversal": store(
            EvidenceFile, _upload("../../etc/passwd", PDF + b"3"), scene.officer_tp, score=s13
        ),
        "device": store(EvidenceFile, _upload("CON.pdf", PDF + b"4"), scene.officer_tp, score=s13),
        "big": store(EvidenceFile, _upload("Ảnh chụp hội nghị.pdf", PDF + big), scene.officer_tp, score=s14),
        "gone": store(EvidenceFile, _upload("Đã xóa.pdf", PDF + b"5"), scene.officer_tp, score=s14),
    }
    files["gone"].file.storage.delete(files["gone"].file.name)
    plan = Plan.objects.create(
        issuing_unit=scene.province, title="Kế hoạch cải cách hành chính năm 2025", year=2025
    )
    task = Task.objects.create(plan=plan, order=1, text="Tuyên truyền cải cách hành chính", lead_unit=scene.tuphap,
                               product="Kế hoạch tuyên truyền")  # fmt: skip
    report = ProgressReport.objects.create(task=task, unit=scene.tuphap, period="2025-Q3", state="done",
                                           percent=100, product_number="45/KH-STP")  # fmt: skip
    store(Evidence, _upload("Kế hoạch tuyên truyền.pdf", PDF + b"6"), scene.officer_tp, report=report)
    # the same content as an evidence file of the criterion: kept once
    store(Evidence, _upload("ban-sao.pdf", PDF + b"1"), scene.officer_tp, report=report)
    EvidenceLink.objects.create(score=s14, task=task, label=task.text)
    EvidenceLink.objects.create(score=s13, report=report, label=task.text, note="Báo cáo quý III")
    return sheet, files, big


def _archive(sheet, **kwargs) -> zipfile.ZipFile:
    data = b"".join(package.stream(sheet, **kwargs))
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    return zf


def test_the_archive_has_a_folder_per_criterion_the_files_and_the_index(evidence):
    sheet, files, big = evidence
    zf = _archive(sheet)
    names = zf.namelist()
    root = "ho-so-minh-chung-cchc-so-2025-so-tu-phap"
    assert all(n.startswith(root + "/") for n in names)
    assert f"{root}/00 Mục lục.xlsx" in names
    assert f"{root}/1.1.1-ban-hanh-ke-hoach-cchc-nam/" in names  # every criterion, with evidence or not
    assert f"{root}/8.1-muc-do-hai-long-cua-nguoi-dan-to-chuc/" in names
    folder13 = f"{root}/1.3-kiem-tra-cong-tac-cchc-doi-voi-cac-phong"
    folder14 = f"{root}/1.4-cong-tac-tuyen-truyen-cai-cach-hanh"
    assert sorted(
        n[len(folder13) + 1 :] for n in names if n.startswith(folder13 + "/") and not n.endswith("/")
    ) == [
        "Biên bản kiểm tra số 12 (2).pdf",
        "Biên bản kiểm tra số 12.pdf",
        "Kế hoạch tuyên truyền.pdf",  # the linked report's file; its copy of the first file is not repeated
        "_CON.pdf",
        "etc_passwd",
    ]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    assert zf.read(f"{folder13}/Biên bản kiểm tra số 12 (2).pdf") == PDF + b"2"
    assert zf.read(f"{folder14}/Ảnh chụp hội nghị.pdf") == PDF + big
    assert not any(n.endswith("Đã xóa.pdf") for n in names)


def test_a_path_in_a_file_name_stays_inside_its_folder(evidence, tmp_path):
    sheet, files, _ = evidence
    zf = _archive(sheet)
    for name in zf.namelist():
        assert ".." not in name.split("/") and not name.startswith("/") and "\\" not in name
    out = tmp_path / "giai-nen"
    zf.extractall(out)
    passwd = [p for p in out.rglob("*passwd*")]
    assert (
        len(passwd) == 1 and passwd[0].parent.name.startswith("1.3-") and passwd[0].read_bytes() == PDF + b"3"
    )
    assert not (tmp_path / "etc").exists()


def test_the_index_lists_every_criterion_and_its_evidence(evidence):
    sheet, files, _ = evidence
    zf = _archive(sheet)
    root = zf.namelist()[0].split("/")[0]
    ws = load_workbook(io.BytesIO(zf.read(f"{root}/00 Mục lục.xlsx"))).active
    rows = [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "HỒ SƠ TÀI LIỆU KIỂM CHỨNG — Sở Tư pháp"
    head = rows.index(["Mã tiêu chí", "Tiêu chí", "Lĩnh vực", "Điểm tối đa", "Điểm tự đánh giá", "Loại tài liệu",
                       "Tài liệu", "Tệp trong hồ sơ", "SHA-256", "Dung lượng (byte)", "Ghi chú"])  # fmt: skip
    body = rows[head + 1 :]
    by_code: dict[str, list[list]] = {}
    for row in body:
        by_code.setdefault(row[0], []).append(row)
    first = next(r for r in by_code["1.3"] if r[6] == "Biên bản kiểm tra số 12.pdf" and "(2)" not in r[7])
    assert first[1] == "Kiểm tra công tác CCHC đối với các phòng, đơn vị trực thuộc"
    assert first[4] == "2,5" and first[5] == "Tệp đính kèm" and first[8] == files["first"].sha256
    assert first[7] == "1.3-kiem-tra-cong-tac-cchc-doi-voi-cac-phong/Biên bản kiểm tra số 12.pdf"
    report = next(r for r in by_code["1.3"] if r[5] == "Báo cáo tiến độ")
    assert "Báo cáo kỳ 2025-Q3 của Sở Tư pháp" in report[6] and "số 45/KH-STP" in report[6]
    assert report[10] == "Báo cáo quý III"
    task = next(r for r in by_code["1.4"] if r[5] == "Sản phẩm nhiệm vụ")
    assert task[6] == "Tuyên truyền cải cách hành chính — sản phẩm: Kế hoạch tuyên truyền"
    gone = next(r for r in by_code["1.4"] if r[6] == "Đã xóa.pdf")
    assert gone[7] == "" and gone[10] == "Tệp không còn trên máy chủ" and gone[8] == files["gone"].sha256
    assert by_code["2.1"] == [["2.1", by_code["2.1"][0][1], "Cải cách thể chế", 4, "", "(chưa có tài liệu kiểm chứng)",
                               "", "", "", "", ""]]  # fmt: skip


def test_ascii_names_for_old_unzip_tools(evidence):
    sheet, _, _ = evidence
    names = _archive(sheet, ascii_names=True).namelist()
    assert all(n.isascii() for n in names) and any(n.endswith("/00 Muc luc.xlsx") for n in names)
    assert any(n.endswith("/bien-ban-kiem-tra-so-12 (2).pdf") for n in names)


def test_the_view_streams_the_archive_in_small_pieces(evidence, client, scene):
    sheet, _, big = evidence
    client.force_login(scene.officer_tp)
    resp = client.get(f"/danh-gia/{sheet.round_id}/{sheet.unit_id}/ho-so-minh-chung.zip")
    assert resp.status_code == 200 and resp.streaming
    assert resp["Content-Type"] == "application/zip"
    assert (
        resp["Content-Disposition"] == 'attachment; filename="ho-so-minh-chung-cchc-so-2025-so-tu-phap.zip"'
    )
    chunks = list(resp.streaming_content)
    assert sum(map(len, chunks)) > len(big) and max(map(len, chunks)) <= 2 * package.CHUNK
    assert zipfile.ZipFile(io.BytesIO(b"".join(chunks))).testzip() is None
    resp = client.get(f"/danh-gia/{sheet.round_id}/{sheet.unit_id}/ho-so-minh-chung.zip?ten=khong-dau")
    names = zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content))).namelist()
    assert all(n.isascii() for n in names)


@given(hs.text(max_size=300))
def test_a_safe_name_never_leaves_its_folder(name):
    for ascii_names in (False, True):
        safe = package.safe_name(name, ascii_names=ascii_names)
        assert "/" not in safe and "\\" not in safe and not safe.startswith((".", " "))
        assert safe.isprintable() and len(safe) <= package.MAX_NAME
        assert unicodedata.is_normalized("NFC", safe) and (safe.isascii() or not ascii_names)
        assert safe.split(".")[0].casefold() not in {"con", "nul", "aux", "prn", "com1", "lpt1"}
