"""Vietnamese first, English second: the shipped English catalogue is complete and compiled, every
template string is in it, and the language switcher (not the browser's Accept-Language) decides."""

from __future__ import annotations

import ast
import gettext
import io
import re
import tokenize
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"
TEMPLATES_DIR = Path(settings.TEMPLATES[0]["DIRS"][0])


# --- a tiny .po reader (no polib) -------------------------------------------------------------------


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip())


def read_po(path: Path) -> list[dict]:
    """Entries as dicts: msgctxt, msgid, msgid_plural, msgstr or msgstr[0..n], flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict = {"flags": set()}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += _unquote(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = _unquote(value)
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def po_entries():
    return read_po(PO_FILE)


def _messages(entries):
    return [e for e in entries if e.get("msgid") and not e.get("obsolete")]


# --- the catalogue ---------------------------------------------------------------------------------


def test_catalogue_is_shipped():
    assert PO_FILE.is_file()
    assert MO_FILE.is_file(), "run `chiso compilemessages` and ship django.mo"


def test_header_is_english_utf8_and_not_fuzzy(po_entries):
    header = po_entries[0]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"]


def test_every_msgid_has_an_english_translation(po_entries):
    messages = _messages(po_entries)
    assert len(messages) > 300
    problems = []
    for e in messages:
        if "fuzzy" in e["flags"]:
            problems.append(("fuzzy", e["msgid"]))
        if "msgid_plural" in e:
            forms = [e.get("msgstr[0]", ""), e.get("msgstr[1]", "")]
            if not all(f.strip() for f in forms):
                problems.append(("untranslated", e["msgid"]))
        elif not e.get("msgstr", "").strip():
            problems.append(("untranslated", e["msgid"]))
    assert not problems


def test_placeholders_survive_translation(po_entries):
    """A translation that drops or renames %(name)s would crash blocktranslate at render time."""
    placeholder = re.compile(r"%\((\w+)\)s")
    for e in _messages(po_entries):
        wanted = sorted(placeholder.findall(e["msgid"]))
        if "msgid_plural" in e:
            got = [sorted(placeholder.findall(e[f"msgstr[{i}]"])) for i in (0, 1)]
            assert got == [wanted, wanted], e["msgid"]
        else:
            assert sorted(placeholder.findall(e["msgstr"])) == wanted, e["msgid"]
            assert e["msgid"].count("%%") == e["msgstr"].count("%%"), e["msgid"]


def test_mo_is_up_to_date_with_po(po_entries):
    with MO_FILE.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    expected = {}
    for e in _messages(po_entries):
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            expected[(key, 0)] = e["msgstr[0]"]
            expected[(key, 1)] = e["msgstr[1]"]
        else:
            expected[key] = e["msgstr"]
    catalog = {k: v for k, v in mo._catalog.items() if k != ""}  # "" is the header
    stale = {k for k in catalog if k not in expected}
    missing = {k for k in expected if k not in catalog}
    changed = {k for k in expected if k in catalog and catalog[k] != expected[k]}
    assert not (stale or missing or changed), "django.mo is out of date: run `chiso compilemessages`"
    # and the public API agrees
    for e in _messages(po_entries):
        if "msgid_plural" in e:
            assert mo.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr[0]"]
            assert mo.ngettext(e["msgid"], e["msgid_plural"], 2) == e["msgstr[1]"]
        elif "msgctxt" in e:
            assert mo.pgettext(e["msgctxt"], e["msgid"]) == e["msgstr"]
        else:
            assert mo.gettext(e["msgid"]) == e["msgstr"]


def _template_messages(source: str):
    """(context, msgid, msgid_plural) of every translatable string in a template, as makemessages
    sees them (Django's own templatize, then the gettext calls it writes)."""
    code = templatize(source)
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline)]
    found = []
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or tok.string not in {"gettext", "ngettext", "pgettext", "npgettext"}:
            continue
        if tokens[i + 1].string != "(":
            continue
        args = []
        for t in tokens[i + 2 :]:
            if t.string == ")":
                break
            if t.type == tokenize.STRING:
                args.append(ast.literal_eval(t.string))
        if tok.string == "gettext":
            found.append((None, args[0], None))
        elif tok.string == "ngettext":
            found.append((None, args[0], args[1]))
        elif tok.string == "pgettext":
            found.append((args[0], args[1], None))
        else:
            found.append((args[0], args[1], args[2]))
    return found


def test_every_template_string_is_in_the_catalogue(po_entries):
    known = {(e.get("msgctxt"), e["msgid"], e.get("msgid_plural")) for e in _messages(po_entries)}
    missing = []
    templates = sorted(TEMPLATES_DIR.rglob("*.html"))
    assert templates
    for path in templates:
        for message in _template_messages(path.read_text(encoding="utf-8")):
            if message not in known:
                missing.append((path.relative_to(TEMPLATES_DIR).as_posix(), message[1]))
    assert not missing, "run makemessages -l en and translate the new strings"


def test_every_template_loads_i18n():
    for path in TEMPLATES_DIR.rglob("*.html"):
        assert re.search(r"{%\s*load\b[^%]*\bi18n\b", path.read_text(encoding="utf-8")), path.name


def test_django_finds_the_catalogue():
    with translation.override("en"):
        assert translation.gettext("Xếp hạng") == "Rank"
        assert translation.gettext("Nhập kết quả") == "Import results"
        assert translation.gettext("Chỉ số nội dung") == "Dimension"
        assert translation.pgettext("column", "Nội dung") == "Item"
    with translation.override("vi"):
        assert translation.gettext("Xếp hạng") == "Xếp hạng"


# --- pages -------------------------------------------------------------------------------------------


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _table_url(client, index="papi"):
    response = client.get(reverse("results:index", args=[index]))
    assert response.status_code == 302
    return response["Location"]


def test_vietnamese_is_the_default(coordinator_client):
    html = coordinator_client.get(reverse("web:home")).content.decode()
    assert '<html lang="vi">' in html
    assert "Tổng quan" in html and "Nhập kết quả" in html and "Xếp hạng" in html
    assert "Import results" not in html
    # the switcher: a labelled select posting to set_language, back to this page
    assert f'action="{reverse("set_language")}"' in html
    assert '<label for="language"' in html and "Ngôn ngữ / Language" in html
    assert '<select id="language" name="language">' in html
    assert '<option value="vi" lang="vi" selected>Tiếng Việt</option>' in html
    assert '<option value="en" lang="en">English</option>' in html
    assert '<input type="hidden" name="next" value="/">' in html


def test_browser_accept_language_alone_does_not_switch(coordinator_client):
    html = coordinator_client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="vi">' in html
    assert "Tổng quan" in html


def test_dashboard_in_english_with_the_language_cookie(coordinator_client):
    html = _english(coordinator_client).get(reverse("web:home")).content.decode()
    assert '<html lang="en">' in html
    assert "Dashboard" in html
    assert ">Import results</a>" in html
    assert "Rank <strong>" in html
    assert "Detailed analysis" in html and "Results table" in html
    assert '<option value="en" lang="en" selected>English</option>' in html
    assert "Nhập kết quả" not in html and "Xếp hạng" not in html


def test_results_table_in_english(viewer_client):
    client = _english(viewer_client)
    html = client.get(_table_url(client)).content.decode()
    assert '<html lang="en">' in html
    assert '<th scope="col">Rank</th>' in html
    assert '<th scope="col">Unit</th>' in html
    assert '<th scope="col" class="num">% of max</th>' in html  # "%" survives the %% escaping
    assert '<option value="rank" selected>Rank</option>' in html
    assert "units with full scores" in html
    assert "Hạng" not in html and "Xếp hạng" not in html


def test_results_table_in_vietnamese(viewer_client):
    html = viewer_client.get(_table_url(viewer_client)).content.decode()
    assert '<html lang="vi">' in html
    assert '<th scope="col">Hạng</th>' in html
    assert '<th scope="col" class="num">% tối đa</th>' in html
    assert "đơn vị đủ điểm" in html


def test_switching_language_with_set_language(coordinator_client):
    response = coordinator_client.post(reverse("set_language"), {"language": "en", "next": "/don-vi/"})
    assert response.status_code == 302 and response["Location"] == "/don-vi/"
    html = coordinator_client.get("/don-vi/").content.decode()
    assert '<html lang="en">' in html
    assert "Agencies, units and localities" in html
    table = coordinator_client.get(_table_url(coordinator_client)).content.decode()
    assert '<th scope="col">Rank</th>' in table

    coordinator_client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    html = coordinator_client.get(reverse("web:home")).content.decode()
    assert '<html lang="vi">' in html and "Nhập kết quả" in html


def test_sign_in_page_can_switch_before_signing_in(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in html
    assert '<label for="id_username">Username</label>' in html
    assert ">Sign in</button>" in html


def test_analysis_page_in_english(coordinator_client):
    from chiso.results.models import Result

    r = Result.objects.filter(framework__index__code="papi").order_by("-year").first()
    html = (
        _english(coordinator_client)
        .get(reverse("analysis:page", args=["papi", r.unit_id, r.year]))
        .content.decode()
    )
    assert '<html lang="en">' in html
    assert "Gap to target" in html
    assert "What-if" in html
    assert "Points lost" in html
    assert "Khoảng cách đến mục tiêu" not in html


# --- labels from data files and the core follow the language (issue 10, item 19) ---------------------


def test_every_shipped_workflow_names_its_states_and_steps_in_english():
    import yaml

    for path in sorted((Path(settings.PACKAGE_DIR) / "data" / "workflows").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for code, state in spec["states"].items():
            assert state.get("label_en"), f"{path.name}: state {code}"
        for step in spec.get("transitions") or []:
            assert step.get("label_en"), f"{path.name}: step {step['name']}"


def test_period_names_follow_the_language():
    from chiso.core.schedule import period_label

    assert [period_label(p) for p in ("2025-Q3", "2025-H1", "2025-H2", "2025")] == [
        "Quý III/2025",
        "6 tháng đầu năm 2025",
        "6 tháng cuối năm 2025",
        "Năm 2025",
    ]
    assert [period_label(p, "en") for p in ("2025-Q3", "2025-H1", "2025-H2", "2025")] == [
        "Q3/2025",
        "First half of 2025",
        "Second half of 2025",
        "Year 2025",
    ]


def test_document_layout_fields_are_named_in_english(coordinator_client):
    from chiso.documents.model import FIELDS, LABELS_EN

    assert {f.key for f in FIELDS} == set(LABELS_EN)
    html = (
        _english(coordinator_client).get(reverse("documents:layout_edit", args=["default"])).content.decode()
    )
    assert "Top margin" in html and "Font size: body text" in html
    assert "Lề trên" not in html and "Cỡ chữ nội dung" not in html


def test_group_labels_follow_the_language(viewer_client):
    from chiso.frameworks.models import Framework

    fw = Framework.objects.filter(index__code="papi", grouping__isnull=False).order_by("-valid_from").first()
    html = _english(viewer_client).get(reverse("frameworks:detail", args=[fw.pk])).content.decode()
    assert "High-average" in html and "Trung bình cao" not in html
    table = _english(viewer_client).get(_table_url(viewer_client)).content.decode()
    assert "<td>High" in table and "<td>Cao" not in table
    del viewer_client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert "<td>Cao" in viewer_client.get(_table_url(viewer_client)).content.decode()
