"""axe-core (Deque, MPL-2.0) for the browser tests: the accessibility rules run inside the real page.

Not copied into the repository: the pinned release is fetched once from the npm registry, checked
against the registry's published SHA-512 integrity, and kept in ``.cache/`` (a dependency like the
pinned Python packages, installed by the project's own files). ``CHISO_AXE_TARBALL`` points at a
local copy of the same tarball for offline machines (the integrity is checked all the same)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import urllib.request

from support import REPO

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
CACHE = REPO / ".cache" / f"axe-core-{VERSION}.tgz"

# Rules whose failures a user of assistive technology would meet; "serious" and "critical" fail a test.
FAILING_IMPACTS = ("serious", "critical")


def _verified(data: bytes) -> bytes:
    algo, _, expected = INTEGRITY.partition("-")
    actual = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if actual != expected:
        raise RuntimeError(f"axe-core {VERSION}: tệp tải về sai mã băm ({algo}); không dùng.")
    return data


def _tarball() -> bytes:
    local = os.environ.get("CHISO_AXE_TARBALL")
    if local:
        with open(local, "rb") as f:
            return _verified(f.read())
    if CACHE.exists():
        return _verified(CACHE.read_bytes())
    with urllib.request.urlopen(TARBALL, timeout=60) as resp:  # noqa: S310 — a fixed https URL
        data = _verified(resp.read())
    CACHE.parent.mkdir(exist_ok=True)
    CACHE.write_bytes(data)
    return data


_SOURCE: str | None = None


def source() -> str:
    global _SOURCE
    if _SOURCE is None:
        with tarfile.open(fileobj=io.BytesIO(_tarball()), mode="r:gz") as tar:
            member = tar.extractfile("package/axe.min.js")
            assert member is not None
            _SOURCE = member.read().decode("utf-8")
    return _SOURCE


def violations(page) -> list[dict]:
    """The serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source())  # evaluated by the browser's debugger protocol: not subject to the CSP
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                resultTypes: ['violations'],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n')[1]),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


def report(url: str, found: list[dict]) -> str:
    lines = [f"{url}:"]
    for v in found:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"      {n}" for n in v["nodes"])
    return "\n".join(lines)
