"""Documents rendered once per test session: the 100-task Kon Tum plan (sections I–IV, an appendix table
of 100 tasks), a report with a cơ quan chủ quản and no number or date, and a công văn."""

from __future__ import annotations

import os
import shutil

import pytest

from chiso.documents.model import Layout
from chiso.documents.samples import sample_letter, sample_plan, sample_report


def need_tool(name: str) -> str:
    """The path of a poppler tool; without it the test is skipped, or fails under CI=true (scripts/test
    installs poppler-utils)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} missing: install poppler-utils (apt-get install -y poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def layout() -> Layout:
    return Layout()


@pytest.fixture(scope="session")
def plan():
    return sample_plan(100)


@pytest.fixture(scope="session")
def report():
    return sample_report()


@pytest.fixture(scope="session")
def letter():
    return sample_letter()


@pytest.fixture(scope="session")
def plan_docx(plan, layout) -> bytes:
    from chiso.documents.docx_render import render_docx

    return render_docx(plan, layout)


@pytest.fixture(scope="session")
def plan_pdf(plan, layout) -> bytes:
    from chiso.documents.pdf_render import render_pdf

    return render_pdf(plan, layout)
