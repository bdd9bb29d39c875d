"""Every name a shipped data file gives a page has its English twin, so that a reader who chose English
never meets a Vietnamese criterion, dimension, level, group or region name where the data could have
named it in English: every node of every framework chiso ships (the national indices and the demo
province's own indices), every level, every group, every level and figure of a scoring rule, and every
region of ``regions.yaml``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chiso.core.framework import load_yaml, shipped_framework_paths
from chiso.seed.demo_assessment import FRAMEWORK_FILES
from chiso.seed.demo_assessment import FRAMEWORKS_DIR as DEMO_FRAMEWORKS_DIR

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SHIPPED = [*shipped_framework_paths(), *(DEMO_FRAMEWORKS_DIR / name for name in FRAMEWORK_FILES)]


def test_the_demo_province_s_own_frameworks_are_among_those_checked():
    names = {p.name for p in SHIPPED}
    assert {"cchc-so-2024.yaml", "cchc-so-2025.yaml", "cchc-xa-2025.yaml", "papi-2021.yaml"} <= names
    assert sorted(p.name for p in DEMO_FRAMEWORKS_DIR.glob("*.yaml")) == sorted(FRAMEWORK_FILES)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_node_level_and_group_of_a_shipped_framework_has_an_english_name(path):
    fw = load_yaml(path)
    assert fw.name_en, "the framework itself"
    unnamed = [f"{n.code} {n.name_vi}" for n in fw.nodes if not n.name_en.strip()]
    assert unnamed == [], f"{path.name}: nodes without name_en"
    # an English name is a translation, not the Vietnamese name copied (codes and acronyms aside)
    copied = [n.code for n in fw.nodes if n.name_en == n.name_vi and n.name_vi != n.name_vi.upper()]
    assert copied == []
    if fw.index_def is not None:
        assert fw.index_def.name_en
        assert [lv.code for lv in fw.index_def.levels if not lv.name_en] == []
    rules = [n.rule for n in fw.nodes if n.rule]
    labels = [item for rule in rules for item in [*rule.get("choices", []), *rule.get("inputs", [])]]
    assert [item["label"] for item in labels if not item.get("label_en")] == [], "levels and figures of rules"
    groups = (fw.grouping or {}).get("groups") or []
    assert [g["label"] for g in groups if not g.get("label_en")] == []


def test_the_departments_index_names_its_criteria_and_sub_criteria_in_english():
    fw = {n.code: n for n in load_yaml(DEMO_FRAMEWORKS_DIR / "cchc-so-2025.yaml").nodes}
    assert fw["TONG"].name_en == "PAR index"
    assert fw["1.1"].name_en == "Annual PAR plan"
    assert fw["1.1.1"].name_en == "Issuance of the annual PAR plan"
    assert fw["3.4"].name_en == "Implementation of the one-stop-shop and inter-agency one-stop-shop mechanism"


def test_papi_names_its_dimensions_as_the_papi_reports_do():
    fw = {n.code: n.name_en for n in load_yaml(DATA_DIR / "frameworks" / "papi-2021.yaml").nodes}
    assert [fw[f"D{i}"] for i in range(1, 9)] == [
        "Participation at Local Levels",
        "Transparency in Local Decision-making",
        "Vertical Accountability Towards Citizens",
        "Control of Corruption in the Public Sector",
        "Public Administrative Procedures",
        "Public Service Delivery",
        "Environmental Governance",
        "E-Governance",
    ]


def test_every_region_has_an_english_name():
    regions = yaml.safe_load((DATA_DIR / "units" / "regions.yaml").read_text(encoding="utf-8"))["regions"]
    assert len(regions) >= 6
    assert [r["code"] for r in regions if not str(r.get("name_en") or "").strip()] == []
