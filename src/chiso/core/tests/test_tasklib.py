"""Task library: shipped seed files load, validate, quote their seed, and serve nodes."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from chiso.core.framework import load_yaml
from chiso.core.tasklib import (
    CROSSWALK_FILE,
    LibraryTask,
    TaskLibraryFormatError,
    activity_of,
    load_crosswalk,
    load_file,
    load_library,
    shipped_library_dir,
    tasks_for,
    validate_crosswalk,
    validate_library,
)

DATA = Path(__file__).resolve().parents[2] / "data"
LIB = DATA / "task_library"
SEEDS = LIB / "seeds"
#: The indices chiso knows (the caller passes them: in the app they come from the Index table).
INDICES = {"papi": "PAPI", "par": "PAR INDEX", "sipas": "SIPAS"}


def _known_nodes() -> dict[str, set[str]]:
    known: dict[str, set[str]] = {}
    for p in sorted((DATA / "frameworks").glob("*.yaml")):
        fw = load_yaml(p)
        codes = {n.code for n in fw.nodes}
        known.setdefault(fw.index, set()).update(codes)
        known[fw.code] = codes
    return known


def _norm(s: str) -> str:
    s = re.sub(r"<sup>\d+</sup>", "", s).replace("*", "")
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", s)).casefold()


@pytest.fixture(scope="module")
def library() -> list[LibraryTask]:
    return load_library(LIB)


def test_shipped_dir_is_the_data_folder():
    assert shipped_library_dir() == LIB
    assert len(load_library()) == len(load_library(LIB))


def test_every_file_loads_and_validates(library):
    files = sorted(p.name for p in LIB.glob("*.yaml") if p.name != CROSSWALK_FILE)
    assert files == ["kon-tum-2019.yaml", "kon-tum-2024.yaml", "quang-nam-2023.yaml"]
    for name in files:
        assert load_file(LIB / name), name
    assert validate_library(library, _known_nodes()) == []
    # the crosswalk names tasks and codes that exist (2018 PAR codes → par-2022 fields and blocks, SIPAS 2022)
    assert validate_crosswalk(load_crosswalk(), library, _known_nodes()) == []


def test_activity_of_reads_the_words():
    assert activity_of("Tăng cường công tác tuyên truyền, phổ biến các quy định") == "direction"
    assert (
        activity_of("Tiếp tục tăng cường công tác kiểm tra đột xuất việc chấp hành kỷ luật") == "inspection"
    )
    assert activity_of("Chủ trì tổ chức triển khai Kế hoạch khảo sát, đánh giá mức độ hài lòng") == "survey"
    assert activity_of("Tổ chức các lớp tập huấn cho cán bộ, công chức cấp xã") == "training"
    assert activity_of("Thực hiện nghiêm túc chỉ đạo của cơ quan có thẩm quyền trong xử lý phản ánh") == ""


def test_sources_and_frameworks(library):
    known = _known_nodes()
    for t in library:
        assert t.seed and (SEEDS / t.seed).is_file(), t.id
        assert t.issuer.startswith("UBND tỉnh"), t.id
        assert t.year in (2019, 2023, 2024), t.id
        if t.nodes:
            assert t.framework in known, t.id
            assert set(t.nodes) <= known[t.framework], t.id


def test_quote_lines_point_at_the_seed(library):
    cache: dict[str, list[str]] = {}
    for t in library:
        lines = cache.setdefault(t.seed, (SEEDS / t.seed).read_text(encoding="utf-8").split("\n"))
        assert t.quote_line is not None and 1 <= t.quote_line <= len(lines), t.id
        probe = _norm(t.text[:20])
        assert probe in _norm(lines[t.quote_line - 1]), (t.id, t.quote_line, t.text[:20])


def test_ids_are_stable_prefixes(library):
    prefixes = {
        "kon-tum-2019.yaml": "kt2019-",
        "kon-tum-2024.yaml": "kt2024-",
        "quang-nam-2023.yaml": "qn2023-",
    }
    for t in library:
        assert t.id.startswith(prefixes[t.file]), t.id


def test_seed_copies_are_nfc_text():
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert names == ["000_17d1a0f542e56a53.txt", "002_4ec0cf1c12908f77.txt", "004_21a38fb740f6c4d0.txt"]
    for n in names:
        assert unicodedata.is_normalized("NFC", (SEEDS / n).read_text(encoding="utf-8"))


def test_tasks_for_d81_gives_d8_tasks_most_specific_first(library):
    got = tasks_for(library, "papi", ["D8.1"])
    d8 = [t for t in library if t.index == "papi" and ("D8" in t.nodes or "D8.1" in t.nodes)]
    assert {t.id for t in got} == {t.id for t in d8}
    assert len(got) >= 4
    exact = [t for t in got if "D8.1" in t.nodes]
    assert exact and got[: len(exact)] == exact
    assert all("D8.1" not in t.nodes for t in got[len(exact) :])
    # library order kept inside a rank
    pos = {t.id: i for i, t in enumerate(library)}
    assert [pos[t.id] for t in exact] == sorted(pos[t.id] for t in exact)
    # other index or unrelated node: nothing
    assert tasks_for(library, "par", ["D8.1"]) == []
    assert all("D8" not in t.nodes for t in tasks_for(library, "papi", ["D7.2"]))


def test_tasks_for_with_parent_map_and_ranks():
    tasks = [
        LibraryTask(id="a", text="A", index="par", nodes=("F7",)),
        LibraryTask(id="b", text="B", index="par", nodes=("F7", "F7.TP4")),
        LibraryTask(id="c", text="C", index="par", nodes=("PAR",)),
        LibraryTask(id="d", text="D", index="par", nodes=("F3",)),
        LibraryTask(id="e", text="E", index="papi", nodes=("F7",)),
    ]
    assert [t.id for t in tasks_for(tasks, "par", ["F7.TP4"])] == ["b", "a"]
    parents = {"F7.TP4": "F7", "F7": "PAR", "F3": "PAR", "PAR": None}
    assert [t.id for t in tasks_for(tasks, "par", ["F7.TP4"], parents)] == ["b", "a", "c"]
    assert [t.id for t in tasks_for(tasks, "par", ["F7.TP4", "F3"], parents)] == ["b", "d", "a", "c"]


def test_broken_inputs_give_messages(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Tăng cường công tác")
    tasks = [
        LibraryTask(id="x-1", text="Một", index="papi", nodes=("D8",)),
        LibraryTask(id="x-1", text="Hai", index="papi"),
        LibraryTask(id="x-2", text="Ba", index="pci"),
        LibraryTask(id="x-3", text="Bốn", index="par", recurrence="monthly"),
        LibraryTask(id="x-4", text="", index="sipas"),
        LibraryTask(id="x-5", text=decomposed, index="sipas"),
        LibraryTask(id="x-6", text="Sáu", index="papi", nodes=("D9", "D8.1")),
        LibraryTask(id="x-7", text="Bảy", index="general", nodes=("D8",)),
    ]
    msgs = validate_library(tasks, {"papi": {"PAPI", "D8", "D8.1"}}, INDICES)
    joined = "\n".join(msgs)
    assert "Mã nhiệm vụ 'x-1' bị trùng" in joined
    assert "chỉ số 'pci' không hợp lệ" in joined
    assert "tần suất 'monthly' không hợp lệ" in joined
    assert "Nhiệm vụ 'x-4': nội dung nhiệm vụ trống." in msgs
    assert "Nhiệm vụ 'x-5': nội dung nhiệm vụ chưa chuẩn hóa Unicode NFC." in msgs
    assert "Nhiệm vụ 'x-6': mã 'D9' không có trong chỉ số PAPI." in msgs
    assert "nhiệm vụ chung (index: general) không gắn với mã chỉ tiêu" in joined
    assert not any("D8.1" in m for m in msgs)
    assert len(msgs) == 7
    # without known nodes, node codes are not checked
    assert not any("D9" in m for m in validate_library(tasks, None, INDICES))
    # framework-specific check
    fw_task = LibraryTask(id="y", text="Y", index="par", nodes=("F7.TP4",), framework="par-2022")
    assert validate_library([fw_task], {"par": {"F7.TP4"}, "par-2022": {"F7"}}) == [
        "Nhiệm vụ 'y': mã 'F7.TP4' không có trong bộ chỉ số par-2022."
    ]

    # a broken file
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "source: {seed: s.txt}\ntasks:\n  - id: b-1\n    text: ''\n    index: papi\n", encoding="utf-8"
    )
    loaded = load_library(tmp_path)
    assert [t.id for t in loaded] == ["b-1"]
    assert validate_library(loaded) == ["Nhiệm vụ 'b-1' (bad.yaml): nội dung nhiệm vụ trống."]
    (tmp_path / "worse.yaml").write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(TaskLibraryFormatError, match="worse.yaml"):
        load_library(tmp_path)
