"""The shipped task library in the database: loaded once, idempotent, searchable without accents,
coordinators' own tasks never touched."""

from __future__ import annotations

import pytest

from chiso.core.tasklib import load_library
from chiso.core.text import fold
from chiso.plans.models import LibraryTask
from chiso.plans.services.library import (
    LibraryError,
    load_shipped_library,
    save_library_task,
    search_library,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_load_is_idempotent_and_keeps_the_source():
    from chiso.core.tasklib import apply_crosswalk, load_crosswalk

    # the 124 tasks of the real plans, and 17 of them serving the SIPAS 2022 elements too (crosswalk.yaml)
    shipped = apply_crosswalk(load_library(), load_crosswalk(), {})
    first = load_shipped_library()
    assert LibraryTask.objects.filter(shipped=True).count() == len(shipped) == 124 + 17
    assert first["created"] + first["unchanged"] + first["updated"] == len(shipped)
    again = load_shipped_library()
    assert again == {"created": 0, "updated": 0, "unchanged": len(shipped), "kept": 0}
    assert LibraryTask.objects.count() == len(shipped)

    row = LibraryTask.objects.get(key="kt2019-01")
    assert row.shipped and row.index == "papi" and row.nodes == ["D1"]
    assert row.lead == "Ủy ban nhân dân các huyện, thành phố"
    # issuer, document/year, seed file, line
    assert row.source == "UBND tỉnh Kon Tum, Kế hoạch số /KH-UBND năm 2019, 002_4ec0cf1c12908f77.txt, dòng 51"
    assert row.quote_line == 51


def test_a_changed_shipped_task_is_restored_but_coordinator_tasks_are_never_touched(world):
    load_shipped_library()
    row = LibraryTask.objects.get(key="kt2019-02")
    row.text = "sửa tay"
    row.save()
    own = save_library_task(
        world.coordinator, {"text": "Nhiệm vụ riêng của tỉnh", "index": "papi", "nodes": "D3"}
    )
    # a coordinator row whose key collides with a shipped id is kept as it is
    LibraryTask.objects.filter(key="kt2019-03").update(text="Bản của tỉnh", shipped=False)
    counts = load_shipped_library()
    assert counts["updated"] == 1 and counts["kept"] == 1
    assert LibraryTask.objects.get(key="kt2019-02").text.startswith("Kiểm tra, rà soát")
    assert LibraryTask.objects.get(key="kt2019-03").text == "Bản của tỉnh"
    own.refresh_from_db()
    assert own.text == "Nhiệm vụ riêng của tỉnh" and not own.shipped


def test_search_ignores_accents_and_filters_by_index_and_node():
    load_shipped_library()
    found = search_library("tuyen truyen")
    assert found, "tìm không dấu phải ra nhiệm vụ có chữ “tuyên truyền”"
    assert any("tuyên truyền" in t.text.lower() for t in found)
    assert all(
        "tuyen" in fold(t.text + " " + t.lead) and "truyen" in fold(t.text + " " + t.lead) for t in found
    )
    assert search_library("Tuyên Truyền") == found
    papi = search_library("", index="papi")
    assert papi and all(t.index == "papi" for t in papi)
    d2 = search_library("", index="papi", node="D2")
    assert d2 and all(any(c == "D2" or c.startswith("D2.") for c in t.nodes) for t in d2)
    # a sub-node: only tasks tied to it
    d23 = search_library("", index="papi", node="D2.3")
    assert d23 and set(d23) < set(d2)
    assert search_library("khong co tu nay dau xyz") == []


def test_bad_library_input_is_refused(world):
    with pytest.raises(LibraryError) as exc:
        save_library_task(world.coordinator, {"text": "  ", "index": "xyz"})
    assert len(exc.value.messages) == 2
    with pytest.raises(LibraryError):
        save_library_task(world.coordinator, {"text": "Chung", "index": "general", "nodes": "D1"})
    with pytest.raises(PermissionError):
        save_library_task(world.officer_tp, {"text": "Việc", "index": "papi"})
    assert not LibraryTask.objects.filter(shipped=False).exists()
