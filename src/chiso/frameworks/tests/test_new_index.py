"""An index chiso has never heard of, installed from its framework file alone, works everywhere with no
code change: results import (CLI and web), derived figures, analysis, gap and what-if (CLI, web, API),
plan drafting and the plan's DOCX. The index here is made up ("QTS", a provincial digital-governance
index with two dimensions of two indicators); its file declares its names and levels."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from chiso.frameworks.models import Framework, Index
from chiso.results.models import Result

pytestmark = pytest.mark.django_db

FRAMEWORK = """\
index: qts
code: qts-2024
name_vi: Chỉ số quản trị số thử nghiệm 2024
name_en: Experimental digital governance index 2024
index_name_vi: Chỉ số quản trị số cấp tỉnh (QTS)
index_name_en: Provincial Digital Governance Index
index_short_name: QTS
levels:
  - {code: total, name_vi: Tổng hợp, name_en: Overall}
  - {code: pillar, name_vi: Trụ cột, name_en: Pillar}
  - {code: measure, name_vi: Chỉ tiêu, name_en: Measure}
valid_from: 2024
complete: true
unit_kind: province
value_kind: points
precision: 2
grouping: {kind: threshold, on: percent, groups: [{label: Tốt, label_en: Good, lower: 75}, {label: Khá, label_en: Fair, lower: 50}, {label: Yếu, label_en: Weak}]}
root:
  code: QTS
  level: total
  name_vi: Chỉ số QTS
  max: 40
  min: 0
  children:
    - code: T1
      level: pillar
      name_vi: Dịch vụ công trực tuyến
      max: 20
      min: 0
      children:
        - {code: T1.1, level: measure, name_vi: Hồ sơ trực tuyến toàn trình, max: 10, min: 0}
        - {code: T1.2, level: measure, name_vi: Thanh toán trực tuyến, max: 10, min: 0}
    - code: T2
      level: pillar
      name_vi: Dữ liệu mở
      max: 20
      min: 0
      children:
        - {code: T2.1, level: measure, name_vi: Bộ dữ liệu mở được công bố, max: 10, min: 0}
        - {code: T2.2, level: measure, name_vi: Dữ liệu được cập nhật đúng hạn, max: 10, min: 0}
"""

# Made-up scores of twelve provinces in 2024 (before the 2025 merger); Kon Tum is 10th of 12.
SCORES = [
    ("Đà Nẵng", 9.5, 9.0, 9.2, 8.8),
    ("Khánh Hòa", 8.6, 8.1, 7.9, 8.0),
    ("Thừa Thiên Huế", 8.4, 7.7, 8.3, 7.5),
    ("Bình Định", 7.9, 7.5, 7.1, 7.4),
    ("Lâm Đồng", 7.2, 7.0, 6.8, 6.6),
    ("Quảng Nam", 6.9, 6.1, 6.5, 6.2),
    ("Quảng Ngãi", 6.4, 5.8, 6.0, 5.9),
    ("Gia Lai", 6.0, 5.5, 5.2, 5.6),
    ("Đắk Lắk", 5.8, 5.0, 5.1, 4.9),
    ("Kon Tum", 5.1, 4.2, 3.9, 4.4),
    ("Phú Yên", 4.6, 4.0, 3.5, 3.8),
    ("Đắk Nông", 4.0, 3.1, 3.0, 3.2),
]


def _run(command: str, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def qts(tmp_path) -> Index:
    """The index installed from its file alone, and its 2024 results imported from a CSV."""
    path = tmp_path / "qts-2024.yaml"
    path.write_text(FRAMEWORK, encoding="utf-8")
    assert "đã tạo" in _run("import_framework", str(path))
    results = tmp_path / "qts-2024.csv"
    lines = ["Tỉnh;T1.1;T1.2;T2.1;T2.2"] + [
        ";".join([n, *(f"{v}".replace(".", ",") for v in vs)]) for n, *vs in SCORES
    ]
    results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = _run("import_results", str(results), index="qts", year=2024, commit=True)
    assert "48 giá trị thay đổi" in out
    return Index.objects.get(code="qts")


def test_the_file_declares_the_index(qts):
    assert qts.name_vi == "Chỉ số quản trị số cấp tỉnh (QTS)" and qts.label == "QTS"
    assert [lv["code"] for lv in qts.levels] == ["total", "pillar", "measure"]
    assert qts.is_national  # installed by the operator from the command line
    node = Framework.objects.get(code="qts-2024").nodes.get(code="T1")
    assert node.level_label == "Trụ cột"
    assert Result.objects.filter(framework__index=qts, year=2024).count() == 48


def test_analysis_gap_and_what_if_on_the_command_line(qts):
    a = json.loads(_run("analyse", index="qts", unit="Kon Tum", year=2024, format="json"))
    assert a["total"] == pytest.approx(17.6) and a["rank"] == 10 and a["rank_of"] == 12
    assert a["group"] == "Yếu"  # 44 % of the maximum, below the 50 % of "Khá"
    g = json.loads(_run("gap", index="qts", unit="Kon Tum", year=2024, places=2, format="json"))
    assert g["target_rank"] == 8 and g["needed_increase"] > 0 and g["suggestions"]
    with pytest.raises(CommandError, match="Không có chỉ số “qtx”"):
        _run("analyse", index="qtx", unit="Kon Tum", year=2024)


def test_pages_and_api_show_the_new_index(qts, admin_member_client):
    from chiso.units.models import Unit

    kon_tum = Unit.objects.get(kind="province", code="62")
    table = admin_member_client.get(reverse("results:table", args=["qts", 2024]))
    assert table.status_code == 200 and "Đà Nẵng" in table.content.decode()
    page = admin_member_client.get(reverse("analysis:page", args=["qts", kon_tum.pk, 2024]))
    html = page.content.decode()
    assert page.status_code == 200 and "Trụ cột" in html and "Dữ liệu mở" in html
    gap = admin_member_client.get(
        reverse("analysis:gap", args=["qts", kon_tum.pk, 2024]), {"goal": "places", "value": "2"}
    )
    assert gap.status_code == 200 and "8/12" in gap.content.decode()
    whatif = admin_member_client.get(
        reverse("analysis:whatif", args=["qts", kon_tum.pk, 2024]), {"T2.1": "9"}
    )
    assert whatif.status_code == 200
    indices = admin_member_client.get("/api/indices/").json()
    declared = next(i for i in indices if i["code"] == "qts")
    assert [lv["name_vi"] for lv in declared["levels"]] == ["Tổng hợp", "Trụ cột", "Chỉ tiêu"]
    assert declared["years"] == [2024]
    rows = admin_member_client.get("/api/results/", {"index": "qts", "year": 2024, "unit": kon_tum.pk}).json()
    assert {r["node"] for r in rows["results"]} >= {"T1.1", "T1.2", "T2.1", "T2.2"}


def test_a_plan_drafted_from_the_new_index_prints_it(qts, tmp_path, world):
    from chiso.plans.services.library import load_shipped_library

    load_shipped_library()
    out = tmp_path / "ke-hoach.docx"
    summary = json.loads(
        _run(
            "plan",
            "draft",
            "--index",
            "qts",
            "--unit",
            "Kon Tum",
            "--year",
            "2024",
            "--places",
            "2",
            "--out",
            str(out),
        )
    )
    assert summary["title"] == "Cải thiện, nâng cao Chỉ số QTS tỉnh Quảng Ngãi năm 2025"
    overall = summary["targets"][0]
    assert overall["kind"] == "places" and overall["needed_points"] > 0
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Phấn đấu Chỉ số QTS năm 2025 tăng tối thiểu 02 bậc (từ 10/12 lên 8/12)" in text
    assert "Phấn đấu nội dung Dữ liệu mở (Chỉ số QTS) năm 2025" in text  # a weakest pillar, by name


def test_a_province_index_names_its_province_as_people_say_it():
    """`--province "Quảng Ngãi"` is the province in force (the merged one), not its predecessor."""
    from chiso.units.models import Unit

    demo = Path(__file__).resolve().parents[2] / "data" / "demo" / "frameworks" / "cchc-so-2025.yaml"
    assert "đã tạo" in _run("import_framework", str(demo), province="Quảng Ngãi")
    owner = Index.objects.get(code="cchc-so").owner
    assert owner.name.endswith("Quảng Ngãi") and owner.valid_to is None
    assert Unit.objects.filter(kind="province", code="51").count() == 2  # the predecessor exists too
