"""Browser tests: the real chiso server (gunicorn) on a fresh SQLite database with the demo data,
driven through the real Chromium by Playwright's sync API, as a user would.

Nothing here touches Django in-process (no pytest-django database fixtures): the database is built
by the ``chiso`` command in subprocesses and every check goes through HTTP and the browser.

Environment:
- ``CHISO_REQUIRE_BROWSER=1``: a missing Chromium fails the run instead of skipping it (CI).
- ``CHISO_SCREENSHOTS=1``: also write the screenshots to ``docs/screenshots/`` (tracked files);
  they always go to the session's temporary directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from support import CHROMIUM, CHROMIUM_ARGS, REPO

VENV_BIN = REPO / ".venv" / "bin"
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


def _bin(name: str) -> str:
    path = VENV_BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = (
        f"!!! KHÔNG CHẠY KIỂM THỬ TRÌNH DUYỆT: không có Chromium ở {CHROMIUM} "
        "(apt-get install chromium). Đặt CHISO_REQUIRE_BROWSER=1 để coi đây là lỗi."
    )
    if os.environ.get("CHISO_REQUIRE_BROWSER") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], env: dict, log: Path, timeout: int) -> None:
    with log.open("ab") as out:
        proc = subprocess.run(cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, timeout=timeout)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        pytest.fail(f"`{' '.join(cmd)}` thất bại (mã {proc.returncode}):\n{tail}", pytrace=False)


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("chiso-e2e")


def _server_env(e2e_dir: Path) -> dict:
    """The environment of the server and of the commands run on its database."""
    var = e2e_dir / "var"
    var.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "CHISO_ENV": "test",
        "CHISO_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'e2e.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CHISO_DEBUG", None)
    return env


@pytest.fixture(scope="session")
def chiso_command(server, e2e_dir):
    """``chiso_command("import-framework", path, ...)``: a ``chiso`` command on the server's database
    (what an operator would run beside the running server); returns its output."""

    def run(*args: str, timeout: int = 180) -> str:
        cmd = [_bin("chiso"), *args]
        proc = subprocess.run(
            cmd, env=_server_env(e2e_dir), cwd=REPO, capture_output=True, text=True, timeout=timeout
        )
        if proc.returncode != 0:
            pytest.fail(
                f"`{' '.join(cmd)}` thất bại (mã {proc.returncode}):\n{proc.stderr[-3000:]}", pytrace=False
            )
        return proc.stdout

    return run


@pytest.fixture(scope="session")
def server(e2e_dir) -> str:
    """Build a fresh database with the demo data, start gunicorn on a free port, yield its URL."""
    _require_chromium()
    env = _server_env(e2e_dir)
    log = e2e_dir / "setup.log"
    _run([_bin("chiso"), "migrate", "--noinput", "-v0"], env, log, timeout=180)
    _run([_bin("chiso"), "load-demo", "--no-wards"], env, log, timeout=180)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = (e2e_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            _bin("gunicorn"),
            "chiso.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
            "--access-logfile",
            "-",
        ],
        env=env,
        cwd=REPO,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"gunicorn dừng ngay (mã {proc.returncode}):\n"
                    + (e2e_dir / "server.log").read_text(errors="replace")[-3000:],
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                    if resp.status == 200 and resp.read() == b"ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("gunicorn không trả lời /healthz sau 60 giây", pytrace=False)
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        server_log.close()


@pytest.fixture(scope="session")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def js_errors() -> list[str]:
    """Uncaught JavaScript errors seen by ``page`` (and what the Content-Security-Policy blocked); tests
    assert it stays empty."""
    return []


def csp_violation(msg, js_errors: list[str]) -> None:
    """A script, style or handler the Content-Security-Policy refused is an error of the page."""
    if "Content Security Policy" in msg.text:
        js_errors.append(msg.text)


@pytest.fixture
def page(browser, server, js_errors):
    """A fresh browser context (no cookies) per test, Vietnamese locale, 1280 px wide."""
    context = browser.new_context(base_url=server, viewport=VIEWPORT, locale="vi-VN", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    page.on("console", lambda msg: csp_violation(msg, js_errors))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def screenshot(e2e_dir):
    """``screenshot(page, "dashboard")``: full-page PNG into the temporary directory, and into
    ``docs/screenshots/`` too when ``CHISO_SCREENSHOTS=1``."""
    out = e2e_dir / "screenshots"
    out.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        page.wait_for_load_state("networkidle")
        path = out / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if os.environ.get("CHISO_SCREENSHOTS") == "1":
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SCREENSHOTS / f"{name}.png")
        print(f"ảnh chụp: {path}", file=sys.stderr)
        return path

    return take
