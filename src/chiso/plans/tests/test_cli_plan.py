"""``chiso plan draft`` and ``chiso plan list`` on the command line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chiso.plans.models import Plan, Target, Task
from chiso.plans.services.library import load_shipped_library

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _run(*args) -> str:
    out = io.StringIO()
    call_command("plan", *args, stdout=out)
    return out.getvalue()


def test_draft_prints_a_summary_and_keeps_nothing_without_save(world):
    load_shipped_library()
    data = json.loads(
        _run("draft", "--index", "papi", "--unit", "Kon Tum", "--year", "2024", "--places", "5")
    )
    assert data["title"] == "Cải thiện, nâng cao Chỉ số PAPI tỉnh Quảng Ngãi năm 2025"
    assert data["unit"] == "Tỉnh Kon Tum" and data["saved"] is False and data["id"] is None
    overall, *nodes = data["targets"]
    assert overall["node"] is None and overall["kind"] == "places" and overall["needed_points"] > 0
    assert len([n for n in nodes if n["node"]]) == 8 and nodes[0]["node"] == "D3"
    assert sum(n["needed_points"] for n in nodes[:5]) >= overall["needed_points"] - 1e-9
    assert data["tasks"] > 0 and data["shortcomings"] > 0
    assert not Plan.objects.exists() and not Target.objects.exists() and not Task.objects.exists()


def test_draft_with_save_and_a_user(world):
    data = json.loads(
        _run(
            "draft",
            "--index",
            "papi",
            "--unit",
            "62",
            "--year",
            "2024",
            "--top",
            "30",
            "--weakest",
            "3",
            "--user",
            world.coordinator.username,
            "--save",
        )
    )
    plan = Plan.objects.get()
    assert data["saved"] is True and data["id"] == plan.pk
    assert plan.created_by == world.coordinator and plan.issuing_unit == world.province
    assert plan.targets.order_by("order").first().kind == "top"
    listed = json.loads(_run("list", "--json"))
    assert [r["id"] for r in listed] == [plan.pk]
    assert "Cải thiện, nâng cao Chỉ số PAPI tỉnh Quảng Ngãi năm 2025" in _run("list")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--unit", "Không Có Tỉnh Này", "--year", "2024"], "Không tìm thấy đơn vị"),
        (["--unit", "Kon Tum", "--year", "2024", "--places", "99"], "Không thể tăng"),
        (["--unit", "Kon Tum", "--year", "2024", "--group", "Xuất sắc"], "không có"),
        (["--unit", "Kon Tum", "--year", "2024", "--user", "khongai"], "Không có tài khoản"),
        (
            ["--unit", "Kon Tum", "--year", "2024", "--user", "canbo_tuphap"],
            "không phải chuyên viên điều phối",
        ),
    ],
)
def test_errors_exit_with_code_2_and_change_nothing(world, args, message):
    with pytest.raises(CommandError) as exc:
        _run("draft", "--index", "papi", *args, "--save")
    assert exc.value.returncode == 2
    assert message in str(exc.value)
    assert not Plan.objects.exists()


def test_the_chiso_command_exits_2_on_an_unknown_unit(world, capsys):
    from chiso.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["plan", "draft", "--index", "papi", "--unit", "Atlantis", "--year", "2024"])
    assert exc.value.code == 2
    assert "Atlantis" in capsys.readouterr().err


def _documents_installed() -> bool:
    from django.conf import settings

    return any(
        app == "chiso.documents" or app.startswith("chiso.documents.") for app in settings.INSTALLED_APPS
    )


@pytest.mark.skipif(not _documents_installed(), reason="chiso.documents chưa được cài (mô-đun xuất văn bản)")
def test_draft_writes_a_docx_with_the_title_and_targets(world, tmp_path):
    import docx

    out = tmp_path / "ke-hoach.docx"
    data = json.loads(
        _run(
            "draft",
            "--index",
            "papi",
            "--unit",
            "Kon Tum",
            "--year",
            "2024",
            "--places",
            "5",
            "--out",
            str(out),
        )
    )
    assert data["files"] == [str(out)]
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            text += "\n" + " | ".join(c.text for c in row.cells)
    assert "cải thiện, nâng cao Chỉ số PAPI tỉnh Quảng Ngãi năm 2025".lower() in text.lower()
    for target in data["targets"]:
        assert target["label"].split(" (")[0][:60] in text
    assert not Plan.objects.exists()
