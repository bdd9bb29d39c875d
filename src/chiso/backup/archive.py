"""Backup and restore of a whole installation: the database and the uploaded files (MEDIA_ROOT).

``make_backup(path)`` writes one archive (tar + gzip):

- ``database.sqlite3`` — a consistent copy made with SQLite's online backup API (writers may go on), or
  ``database.sql`` — ``pg_dump`` of the PostgreSQL database (one snapshot; plain SQL, no owners);
- ``media/…`` — every uploaded file, copied after the database (a file is stored before the row that
  names it is committed, so every file the copy of the database names is there);
- ``manifest.json`` — the format, when, the database vendor, the migrations applied, and the SHA-256 and
  size of every other member.

``restore_backup(path, force=False)`` reads the archive into a temporary directory, checks the manifest
(every member listed, nothing else, no path outside, every SHA-256 and size) and the installation (the
same database vendor; empty — no row in any table but Django's own bookkeeping, no uploaded file —
unless ``force``) before it writes anything; then replaces the database (SQLite: the backup API into the
open database; PostgreSQL: the schema dropped and the dump loaded with ``psql`` in one transaction), puts
the files in place, checks their hashes again and runs the migrations (a backup of an older version is
brought up to date). Every refusal is a :class:`BackupError` in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection

__all__ = ["FORMAT", "BackupError", "installation_is_empty", "make_backup", "restore_backup", "sha256_of"]

FORMAT = "chiso-backup"
VERSION = 1
MANIFEST = "manifest.json"
#: Tables that a fresh, migrated installation already fills (they do not make it "not empty").
BOOKKEEPING = {"contenttypes.contenttype", "auth.permission", "sessions.session", "admin.logentry"}


class BackupError(Exception):
    """A backup or a restore refused (message in Vietnamese); nothing was changed."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["-h", str(db.get("HOST") or "localhost"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return [*args, "-d", str(db["NAME"])], env


def _run(cmd: list[str], env: dict[str, str], what: str, stdin=None) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(
            f"Không tìm thấy chương trình {cmd[0]} (cài gói postgresql-client cùng phiên bản máy chủ)."
        )
    result = subprocess.run(cmd, env=env, stdin=stdin, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} không thành công: {result.stderr.strip()[-500:]}")


def _dump_database(dest: Path) -> str:
    """The database copied to ``dest`` (a directory); the member's name."""
    if _vendor() == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(dest / "database.sqlite3")
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return "database.sqlite3"
    if _vendor() == "postgresql":
        args, env = _pg_args()
        out = dest / "database.sql"
        _run(["pg_dump", "--no-owner", "--no-privileges", "--format=plain", "-f", str(out), *args], env,
             "Sao chép cơ sở dữ liệu (pg_dump)")  # fmt: skip
        return "database.sql"
    raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu loại {_vendor()}.")


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def _applied_migrations() -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    out: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        out.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(out.items())}


def make_backup(path: Path | str) -> dict:
    """Write the archive (see the module); returns its manifest."""
    path = Path(path)
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="chiso-backup-") as tmp:
        work = Path(tmp)
        db_name = _dump_database(work)
        members: dict[str, dict] = {
            db_name: {"sha256": sha256_of(work / db_name), "size": (work / db_name).stat().st_size}
        }
        files = _media_files(media)
        for f in files:
            rel = "media/" + f.relative_to(media).as_posix()
            members[rel] = {"sha256": sha256_of(f), "size": f.stat().st_size}
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": {"vendor": _vendor(), "member": db_name},
            "migrations": _applied_migrations(),
            "members": members,
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(work / db_name, arcname=db_name)
            for f in files:
                tar.add(f, arcname="media/" + f.relative_to(media).as_posix())
        partial.replace(path)  # a backup interrupted half-way never looks complete
    # The files may have changed while they were copied: the archive says what it holds.
    return manifest


# --- restore -------------------------------------------------------------------------------------------


def installation_is_empty() -> list[str]:
    """What the installation holds ([] when empty): tables with rows, uploaded files."""
    found = []
    existing = set(connection.introspection.table_names())
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in BOOKKEEPING or model._meta.db_table not in existing or not model._meta.managed:
            continue
        if model._default_manager.using("default").exists():
            found.append(str(model._meta.verbose_name_plural))
    if _media_files(Path(settings.MEDIA_ROOT)):
        found.append("tệp tải lên")
    return found


def _safe_member(name: str) -> bool:
    p = PurePosixPath(name)
    return (
        not p.is_absolute()
        and ".." not in p.parts
        and (name == MANIFEST or p.parts[0] in {"media", "database.sqlite3", "database.sql"})
    )


def _read_archive(path: Path, work: Path) -> dict:
    """Extract into ``work`` and check everything against the manifest; the manifest."""
    if not path.is_file():
        raise BackupError(f"Không có tệp sao lưu {path}.")
    try:
        with tarfile.open(path, "r:*") as tar:
            names = []
            for member in tar.getmembers():
                if not (member.isfile() or member.isdir()) or not _safe_member(member.name):
                    raise BackupError(
                        f"Tệp sao lưu có mục không hợp lệ: «{member.name[:200]}»; không khôi phục."
                    )
                names.append(member.name)
            tar.extractall(work, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(
            f"Không đọc được tệp sao lưu (hỏng hoặc không phải tệp sao lưu của chiso): {exc}"
        ) from None
    try:
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(
            "Tệp sao lưu thiếu bản kê (manifest.json) hoặc bản kê hỏng; không khôi phục."
        ) from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("members"), dict):
        raise BackupError("Đây không phải tệp sao lưu của chiso; không khôi phục.")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"Tệp sao lưu định dạng phiên bản {manifest.get('version')}, phiên bản này đọc được {VERSION}."
        )
    listed = set(manifest["members"])
    present = {n for n in names if n != MANIFEST and (work / n).is_file()}
    if present - listed:
        raise BackupError(
            f"Tệp sao lưu có tệp không có trong bản kê: {', '.join(sorted(present - listed))[:300]}; không khôi phục."
        )
    bad = []
    for name, meta in manifest["members"].items():
        f = work / name
        if not f.is_file():
            bad.append(f"{name} (thiếu)")
        elif f.stat().st_size != meta.get("size") or sha256_of(f) != meta.get("sha256"):
            bad.append(f"{name} (sai mã băm SHA-256)")
    if bad:
        raise BackupError(f"Tệp sao lưu không toàn vẹn: {', '.join(bad)[:500]}. Không khôi phục gì.")
    return manifest


def _check_migrations(manifest: dict) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, names in manifest.get("migrations", {}).items() for name in names
               if (app, name) not in known]  # fmt: skip
    if unknown:
        raise BackupError(
            "Bản sao lưu được tạo bởi phiên bản chiso mới hơn (có các bước chuyển đổi dữ liệu chưa biết: "
            f"{', '.join(unknown[:5])}); hãy cập nhật chiso rồi khôi phục."
        )


def _load_database(manifest: dict, work: Path) -> None:
    member = manifest["database"]["member"]
    if _vendor() == "sqlite":
        connection.close()
        connection.ensure_connection()
        source = sqlite3.connect(work / member)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
        return
    args, env = _pg_args()
    connection.close()
    reset = "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    with open(work / member, "rb") as sql:
        script = reset.encode() + b"\n" + sql.read()
    with tempfile.NamedTemporaryFile(suffix=".sql") as fh:
        fh.write(script)
        fh.flush()
        _run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", fh.name, *args], env,
             "Nạp cơ sở dữ liệu (psql)")  # fmt: skip


def _put_media(manifest: dict, work: Path, force: bool) -> None:
    media = Path(settings.MEDIA_ROOT)
    if force and media.exists():
        for f in _media_files(media):
            f.unlink()
    for name, meta in manifest["members"].items():
        if not name.startswith("media/"):
            continue
        dest = media / PurePosixPath(name).relative_to("media")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work / name, dest)
        if sha256_of(dest) != meta["sha256"]:
            raise BackupError(f"Ghi tệp {name} không đúng (mã băm khác sau khi ghi); kiểm tra ổ đĩa.")


def restore_backup(path: Path | str, *, force: bool = False, migrate: bool = True) -> dict:
    """Restore the archive into this installation (see the module); returns its manifest."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="chiso-restore-") as tmp:
        work = Path(tmp)
        manifest = _read_archive(path, work)
        vendor = manifest.get("database", {}).get("vendor")
        if vendor != _vendor():
            raise BackupError(
                f"Bản sao lưu là cơ sở dữ liệu {vendor}, cài đặt này dùng {_vendor()}: không khôi phục chéo "
                "được (dùng cùng loại cơ sở dữ liệu)."
            )
        _check_migrations(manifest)
        held = installation_is_empty()
        if held and not force:
            raise BackupError(
                "Cài đặt này đã có dữ liệu (" + ", ".join(held[:6]) + ("…" if len(held) > 6 else "") + "); "
                "chỉ khôi phục vào cài đặt trống. Dùng --force để ghi đè toàn bộ (dữ liệu hiện có sẽ mất)."
            )
        _load_database(manifest, work)
        _put_media(manifest, work, force)
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    return manifest
