"""Issue 10, item 18 — backup → restore gives the same data and the same files (hashes); a restore
refuses a non-empty installation (unless --force) and a damaged archive, before writing anything."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chiso.plans.services import plans as svc

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

needs_tools = pytest.mark.skipif(
    os.environ.get("CI") != "true"
    and connection.vendor == "postgresql"
    and not (shutil.which("pg_dump") and shutil.which("psql")),
    reason="pg_dump/psql not installed",
)


def fingerprint() -> str:
    """Every row of every table (ordered by key): equal fingerprints, equal data."""
    digest = hashlib.sha256()
    existing = set(connection.introspection.table_names())
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if not model._meta.managed or model._meta.db_table not in existing:
            continue
        if model._meta.label_lower in {"sessions.session"}:
            continue
        rows = list(model._default_manager.order_by("pk").values())
        digest.update(model._meta.label.encode())
        digest.update(json.dumps(rows, default=str, sort_keys=True).encode())
    return digest.hexdigest()


def media_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@needs_tools
@pytest.mark.usefixtures("concurrent_db")
def test_backup_then_restore_gives_identical_data_and_files(world, make_plan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    plan = make_plan(status="draft", title="Kế hoạch được sao lưu")
    svc.add_attachment(plan, world.coordinator, SimpleUploadedFile("phu-luc.pdf", PDF))
    svc.save_plan(world.coordinator, {"purpose": "Mục đích có dấu: Ưu tiên cải cách"}, plan)
    before, files = fingerprint(), media_hashes(settings.MEDIA_ROOT)
    assert len(files) == 1
    archive = tmp_path / "chiso.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"]["vendor"] == connection.vendor
    assert {k for k in manifest["members"] if k.startswith("media/")} == {f"media/{k}" for k in files}

    # Not into an installation holding data.
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command("restore", str(archive), stdout=io.StringIO())
    # A damaged archive: refused before anything is written.
    damaged = tmp_path / "hong.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("media/"):
                data = data.replace(b"Catalog", b"Catalo9")
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="không toàn vẹn"):
        call_command("restore", str(damaged), "--force", stdout=io.StringIO())
    assert fingerprint() == before and media_hashes(settings.MEDIA_ROOT) == files

    # An empty installation: restored, identical.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    assert fingerprint() != before
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "Đã khôi phục" in out.getvalue()
    assert fingerprint() == before
    assert media_hashes(settings.MEDIA_ROOT) == files
    # --force overwrites an installation holding data (here: the same again).
    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert fingerprint() == before


@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_backup(tmp_path):
    junk = tmp_path / "khong-phai.tar.gz"
    junk.write_bytes(b"not a tar")
    with pytest.raises(CommandError, match="Không đọc được tệp sao lưu"):
        call_command("restore", str(junk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Không có tệp sao lưu"):
        call_command("restore", str(tmp_path / "khong-co.tar.gz"), stdout=io.StringIO())
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../ngoai.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("restore", str(evil), stdout=io.StringIO())
