"""Messages written in Python (import errors, gap and what-if errors, flash messages, unit lookups)
follow the language the user chose, like the templates: Vietnamese by default, English with the
language cookie. Without a request (the CLI, LANGUAGE_CODE vi) they stay Vietnamese. Every string
marked for translation in the Python code is in the English catalogue, with its placeholders."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.urls import reverse
from django.utils import translation

from chiso.analysis import services as analysis_services
from chiso.units.models import Unit
from chiso.units.services import UnitLookupError, resolve_unit

from .test_i18n import PO_FILE, read_po

PACKAGE_DIR = Path(settings.LOCALE_PATHS[0]).parent
GETTEXT_FUNCTIONS = {
    # name: (index of msgctxt or None, index of msgid, index of msgid_plural or None)
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


@pytest.fixture(autouse=True)
def _fresh_caches_and_language():
    """The test client runs requests in this thread, and LocaleMiddleware leaves the language of
    the last request active: start and end each test with the default (settings.LANGUAGE_CODE)."""
    analysis_services.clear_caches()
    cache.clear()
    translation.deactivate()
    yield
    translation.deactivate()
    analysis_services.clear_caches()
    cache.clear()


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _messages(entries):
    return [e for e in entries if e.get("msgid") and not e.get("obsolete")]


# --- the catalogue -----------------------------------------------------------------------------------


def _python_messages(path: Path):
    """(context, msgid, msgid_plural) of every gettext call with literal arguments in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_FUNCTIONS:
            continue
        ctx_i, id_i, plural_i = GETTEXT_FUNCTIONS[name]
        args = [
            a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args
        ]
        if len(args) <= id_i or args[id_i] is None:
            continue
        yield (
            args[ctx_i] if ctx_i is not None else None,
            args[id_i],
            args[plural_i] if plural_i is not None and len(args) > plural_i else None,
        )


def test_every_python_message_is_in_the_catalogue():
    known = {(e.get("msgctxt"), e["msgid"], e.get("msgid_plural")) for e in _messages(read_po(PO_FILE))}
    modules = [
        p
        for p in sorted(PACKAGE_DIR.rglob("*.py"))
        if "tests" not in p.parts and "migrations" not in p.parts and p.name != "conftest.py"
    ]
    found = [(p, m) for p in modules for m in _python_messages(p)]
    assert len(found) > 100
    missing = [(p.relative_to(PACKAGE_DIR).as_posix(), m[1]) for p, m in found if m not in known]
    assert not missing, "run makemessages -l en and translate the new strings"


def test_brace_placeholders_survive_translation():
    """A translation that drops or renames {name} would raise KeyError in str.format at run time."""
    placeholder = re.compile(r"{(\w*)}")
    entries = [e for e in _messages(read_po(PO_FILE)) if "python-brace-format" in e["flags"]]
    assert len(entries) > 50
    for e in entries:
        wanted = sorted(placeholder.findall(e["msgid"]))
        translations = [e["msgstr[0]"], e["msgstr[1]"]] if "msgid_plural" in e else [e["msgstr"]]
        for text in translations:
            assert sorted(placeholder.findall(text)) == wanted, e["msgid"]


def test_services_speak_vietnamese_outside_a_request_and_english_when_asked(db):
    assert translation.get_language() == settings.LANGUAGE_CODE == "vi"  # as in a CLI command
    with pytest.raises(UnitLookupError, match="Không tìm thấy đơn vị “Atlantis”"):
        resolve_unit("Atlantis", 2023)
    with translation.override("en"), pytest.raises(UnitLookupError, match="No unit “Atlantis” was found"):
        resolve_unit("Atlantis", 2023)


# --- the import preview ------------------------------------------------------------------------------

BROKEN_CSV = "Tỉnh;Năm;D1\nAtlantis;2023;5\nKon Tum;2023;12\n"


def _upload_broken_file(client, tmp_path, monkeypatch) -> str:
    from chiso.results import jobs as result_jobs

    monkeypatch.setattr(result_jobs, "UPLOAD_DIR", tmp_path)
    upload = io.BytesIO(BROKEN_CSV.encode())
    upload.name = "hong.csv"
    r = client.post(reverse("results:import_new"), {"file": upload, "index": "papi", "year": "2023"})
    assert r.status_code == 302
    page = client.get(r["Location"])
    assert page.status_code == 200
    return page.content.decode()


def test_import_preview_errors_in_english(admin_member_client, tmp_path, monkeypatch):
    html = _upload_broken_file(_english(admin_member_client), tmp_path, monkeypatch)
    assert '<html lang="en">' in html
    assert "No unit “Atlantis” was found." in html
    assert "column “D1”: 12 exceeds the maximum score" in html
    assert '<span class="badge error">Error</span>' in html
    assert "<strong>Tỉnh</strong> → unit name" in html  # the column's meaning
    assert "Không tìm thấy đơn vị" not in html and "vượt điểm tối đa" not in html


def test_import_preview_errors_in_vietnamese_by_default(admin_member_client, tmp_path, monkeypatch):
    html = _upload_broken_file(admin_member_client, tmp_path, monkeypatch)
    assert '<html lang="vi">' in html
    assert "Không tìm thấy đơn vị “Atlantis”." in html
    assert "cột “D1”: 12 vượt điểm tối đa" in html
    assert '<span class="badge error">Lỗi</span>' in html
    assert "<strong>Tỉnh</strong> → tên đơn vị" in html
    assert "No unit" not in html and "exceeds the maximum" not in html


def test_import_form_errors_in_english(coordinator_client):
    upload = io.BytesIO(b"x")
    upload.name = "ket-qua.pdf"
    r = _english(coordinator_client).post(
        reverse("results:import_new"), {"file": upload, "index": "", "year": "1900"}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "The file “ket-qua.pdf” has the wrong format: only CSV, XLSX, XLS or ODS are accepted." in html
    assert "No index was chosen." in html
    assert "The year “1900” is not valid." in html


# --- the analysis partials ---------------------------------------------------------------------------


def _gap_url():
    kon_tum = Unit.objects.get(kind="province", code="62")
    return reverse("analysis:gap", kwargs={"index": "papi", "unit": kon_tum.pk, "year": 2023})


def _whatif_url():
    kon_tum = Unit.objects.get(kind="province", code="62")
    return reverse("analysis:whatif", kwargs={"index": "papi", "unit": kon_tum.pk, "year": 2023})


def test_gap_errors_and_goal_in_english(coordinator_client):
    client = _english(coordinator_client)
    unknown = client.get(_gap_url(), {"goal": "group", "value": "Xuất sắc"})
    assert unknown.status_code == 400
    html = unknown.content.decode()
    assert "There is no group “Xuất sắc”; the groups are:" in html
    assert "các nhóm là" not in html

    bad = client.get(_gap_url(), {"goal": "places", "value": "năm"})
    assert bad.status_code == 400 and "The value “năm” is not valid." in bad.content.decode()

    ok = client.get(_gap_url(), {"goal": "places", "value": "5"})
    assert ok.status_code == 200
    html = ok.content.decode()
    assert "To move up 5 places (to rank 51/61):" in html
    assert "This assumes that the scores of the other units for 2023 stay the same." in html
    assert "Giả định" not in html


def test_gap_errors_in_vietnamese_by_default(coordinator_client):
    unknown = coordinator_client.get(_gap_url(), {"goal": "group", "value": "Xuất sắc"})
    assert unknown.status_code == 400
    html = unknown.content.decode()
    assert "Nhóm “Xuất sắc” không có; các nhóm là:" in html
    assert "There is no group" not in html


def test_whatif_errors_in_english(coordinator_client):
    client = _english(coordinator_client)
    too_much = client.get(_whatif_url(), {"n:D8.3": "5"})
    assert too_much.status_code == 400 and "D8.3: 5 exceeds the maximum score of" in too_much.content.decode()
    not_a_number = client.get(_whatif_url(), {"n:D8.3": "ba"})
    assert not_a_number.status_code == 400 and "“ba” is not a number." in not_a_number.content.decode()


# --- flash messages ----------------------------------------------------------------------------------


def test_flash_message_in_english_and_vietnamese(coordinator_client):
    unit = (
        Unit.objects.filter(kind="province", code="51")
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )
    url = reverse("web:department_add", args=[unit.pk])
    vi = coordinator_client.post(url, {"name": "Sở Thử", "code": ""}, follow=True).content.decode()
    assert "Cần nhập mã cơ quan." in vi
    en = _english(coordinator_client).post(url, {"name": "Sở Thử", "code": ""}, follow=True).content.decode()
    assert "Enter the agency code." in en and "Cần nhập mã cơ quan." not in en


def test_import_preview_names_the_dimension_in_the_reader_s_language(
    admin_member_client, tmp_path, monkeypatch
):
    from chiso.results import jobs as result_jobs

    monkeypatch.setattr(result_jobs, "UPLOAD_DIR", tmp_path)

    def preview(client) -> str:
        upload = io.BytesIO("Tỉnh;Năm;D1\nKon Tum;2023;4,321\n".encode())
        upload.name = "d1.csv"
        r = client.post(reverse("results:import_new"), {"file": upload, "index": "papi", "year": "2023"})
        assert r.status_code == 302
        return client.get(r["Location"]).content.decode()

    html = preview(admin_member_client)
    assert 'title="D1">Tham gia của người dân ở cấp cơ sở: ' in html
    html = preview(_english(admin_member_client))
    assert 'title="D1">Participation at Local Levels: ' in html
