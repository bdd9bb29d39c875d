"""A reader who chose English walks every page the demo shows (following the links a coordinator sees,
from the dashboard outwards) and meets no Vietnamese name of data that has an English one: no
criterion, dimension, field or total of any framework, no level of a scoring rule or figure it asks
for, no region, no group. Text marked ``lang="vi"``
(a Vietnamese name quoted on purpose, e.g. next to its translation) and what people typed (plan
titles, tasks, notes) are not data names and are left alone."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from chiso.core.text import nfc
from chiso.frameworks.models import Framework, Node
from chiso.units.models import Region

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("/api/", "/quan-tri/", "/static/", "/media/", "/i18n/", "/accounts/logout", "/khao-sat/p/")
SKIP_SUFFIXES = (".docx", ".pdf", ".zip", ".xlsx", ".xls", ".csv", ".svg", ".txt", ".json", ".yaml", ".png")
MAX_PAGES = 160


class _Text(HTMLParser):
    """The text a reader sees, as separate runs (one per text node), leaving out what is marked
    ``lang="vi"`` and what is not shown (scripts, styles, templates); and the page's links."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
    HIDDEN = {"script", "style", "template", "textarea"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.runs: list[str] = []
        self.links: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in self.VOID:
            return
        skip = tag in self.HIDDEN or (attrs.get("lang") or "").startswith("vi")
        self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.links.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skipping():
            self.runs.append(nfc(text))


def _shape(url: str) -> str:
    path, _, query = url.partition("?")
    keys = sorted(k.split("=")[0] for k in query.split("&") if k)
    return re.sub(r"\d+", "N", path) + ("?" + "&".join(keys) if keys else "")


def _local_links(links: list[str]) -> list[str]:
    out = []
    for href in links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
            continue
        if re.search(r"(^|&)(format|download|export)=", parts.query):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def _vietnamese_names() -> dict[str, str]:
    """Vietnamese name → what it names, for every name of data that has an English one."""
    names: dict[str, str] = {}
    for n in Node.objects.select_related("framework"):
        if n.name_en and n.name_en != n.name_vi:
            names[nfc(n.name_vi)] = f"{n.framework.code} {n.code} (“{n.name_en}”)"
        for item in [*(n.rule or {}).get("choices", []), *(n.rule or {}).get("inputs", [])]:
            if item.get("label_en") and item["label_en"] != item.get("label"):
                names[nfc(item["label"])] = f"rule of {n.framework.code} {n.code} (“{item['label_en']}”)"
    for r in Region.objects.exclude(name_en=""):
        names[nfc(r.name_vi)] = f"region {r.code} (“{r.name_en}”)"
    for fw in Framework.objects.exclude(grouping=None):
        for g in (fw.grouping or {}).get("groups") or []:
            if g.get("label_en") and g["label_en"] != g["label"]:
                names[nfc(g["label"])] = f"group of {fw.code} (“{g['label_en']}”)"
    # a one-letter group ("A", "B") reads the same in both languages
    return {vi: what for vi, what in names.items() if len(vi) > 2}


def _offending(run: str, names: dict[str, str]) -> str | None:
    """The data name ``run`` shows in Vietnamese: the whole run, or the run as "code name", "code. name",
    "code – name", "index · code name", "name (code)", "name: …" (how pages label a node)."""
    if run in names:
        return run
    if " · " in run:  # "PAPI · D8 name"
        return _offending(run.rpartition(" · ")[2], names)
    for sep in (" — ", " – ", ": ", ". ", " "):
        head, found, tail = run.partition(sep)
        if found and tail in names and re.fullmatch(r"[\w.]{1,12}", head):
            return tail
        if found and head in names and sep in (": ", " — ", " – "):
            return head
    bare = re.sub(r"\s*\([^()]*\)$", "", run)
    return bare if bare != run and bare in names else None


@pytest.fixture
def demo(settings, tmp_path):
    from chiso.seed.demo_assessment import load_demo_assessment
    from chiso.seed.demo_plans import load_demo_plans

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_plans()
    load_demo_assessment()


def _crawl(client, names: dict[str, str]) -> tuple[list[str], dict[str, str], str]:
    """Pages visited from the dashboard, the Vietnamese data names found (first place each), and all
    the text read."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    queue, seen, visited, found, text = ["/"], set(), [], {}, []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        if _shape(url) in seen:
            continue
        seen.add(_shape(url))
        response = client.get(url)
        visited.append(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Text()
        page.feed(response.content.decode())
        text.extend(page.runs)
        for run in page.runs:
            name = _offending(run, names)
            if name:
                found.setdefault(run, f"{url}: “{run}” — {names[name]}")
        queue.extend(link for link in _local_links(page.links) if _shape(link) not in seen)
    return visited, found, "\n".join(text)


def test_every_page_a_coordinator_and_an_officer_reach_in_english_names_data_in_english(demo, client):
    from chiso.accounts.models import Membership
    from chiso.conftest import _user
    from chiso.seed.demo_plans import demo_province, demo_units

    names = _vietnamese_names()
    assert "Kế hoạch CCHC năm" in names and "Tây Nguyên" in names and "Trung bình thấp" in names

    client.force_login(_user("english_reader", "coordinator"))
    visited, found, text = _crawl(client, names)
    for prefix in ("/phan-tich/", "/ket-qua/", "/ke-hoach/", "/danh-gia/", "/bo-chi-so/", "/khao-sat/"):
        assert any(v.startswith(prefix) for v in visited), (prefix, visited)
    assert found == {}, f"{len(found)} Vietnamese data names on {len(visited)} pages:\n" + "\n".join(
        found.values()
    )
    # what the reader meets instead: the plan's targets, the monitoring by criterion, the demo
    # departments' criteria on their framework's page
    for english in (
        "D8 E-Governance",
        "Participation at Local Levels",
        "Annual PAR plan",
        "Central Highlands",
    ):
        assert english in text, english

    officer = _user("english_officer")
    Membership.objects.create(user=officer, unit=demo_units(demo_province())["tuphap"], role="officer")
    client.force_login(officer)
    visited, found, text = _crawl(client, names)
    assert any(v.startswith("/danh-gia/") for v in visited) and any(
        v.startswith("/ke-hoach/") for v in visited
    )
    assert found == {}, "\n".join(found.values())
    # the department's own sheet: its criteria, the levels it chooses from and the figures it enters
    for english in ("Annual PAR plan", "Issued on time (1)", "Cases settled on time"):
        assert english in text, english
