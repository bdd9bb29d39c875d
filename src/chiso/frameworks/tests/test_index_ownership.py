"""Who may change an index and its results. National indices (PAPI, PAR INDEX, SIPAS) are national data:
only administrators install their frameworks and import their results. A province's own index belongs
to it: its coordinators install and import it, other provinces neither see nor change it. Every refusal
changes nothing."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.test import Client
from django.urls import reverse

from chiso.accounts.models import Membership
from chiso.core import framework as fwcore
from chiso.frameworks.models import Framework, Index
from chiso.frameworks.services import DATA_DIR, install_framework
from chiso.results.importer import commit_import
from chiso.results.models import ImportBatch, Result
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db

OWN = """\
index: cchc-so
code: cchc-so-2025
name_vi: Chỉ số CCHC các sở 2025 (minh họa)
index_name_vi: Chỉ số cải cách hành chính các sở, ban, ngành
index_name_en: Administrative reform index of departments
index_short_name: CCHC sở
levels:
  - {code: total, name_vi: Tổng hợp, name_en: Overall}
  - {code: field, name_vi: Lĩnh vực, name_en: Field}
valid_from: 2025
complete: true
unit_kind: department
root:
  code: TONG
  level: total
  name_vi: Tổng điểm
  max: 20
  min: 0
  children:
    - {code: LV1, level: field, name_vi: "Công tác chỉ đạo, điều hành", max: 10, min: 0}
    - {code: LV2, level: field, name_vi: Cải cách thủ tục hành chính, max: 10, min: 0}
"""


def _province(code: str) -> Unit:
    return (
        Unit.objects.filter(kind="province", code=code)
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )


def _coordinator(username: str, province: Unit):
    user = get_user_model().objects.create_user(username=username, password="x")
    Membership.objects.create(user=user, unit=province, role="coordinator")
    return user


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def setting(fast_hasher):
    quang_ngai, gia_lai = _province("51"), _province("64")
    tuphap = Unit.objects.create(kind="department", code="QNG-STP", name="Sở Tư pháp", parent=quang_ngai)
    noivu = Unit.objects.create(kind="department", code="QNG-SNV", name="Sở Nội vụ", parent=quang_ngai)
    return dataclasses.make_dataclass("S", ["qn", "gl", "tuphap", "noivu", "mine", "theirs"])(
        quang_ngai, gia_lai, tuphap, noivu, _coordinator("dp_qn", quang_ngai), _coordinator("dp_gl", gia_lai)
    )


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _own_index(user) -> Index:
    install_framework(fwcore.parse_dict(__import__("yaml").safe_load(OWN)), user=user)
    return Index.objects.get(code="cchc-so")


def test_a_coordinator_changes_nothing_national(setting, admin_user):
    fw = fwcore.load_yaml(DATA_DIR / "par-2022.yaml")
    fw.nodes[-1].note = "Ghi chú của tỉnh"
    versions = Framework.objects.count()
    with pytest.raises(PermissionDenied, match="chỉ quản trị hệ thống"):
        install_framework(fw, user=setting.mine)
    data = "Tỉnh;Năm;D1.1\nKon Tum;2023;0,9\n".encode()
    with pytest.raises(PermissionDenied, match="chỉ quản trị hệ thống"):
        commit_import(data, "kt.csv", index_code="papi", year=2023, user=setting.mine)
    assert (
        Framework.objects.count() == versions and not ImportBatch.objects.filter(file_name="kt.csv").exists()
    )
    # The administrator may.
    _framework, outcome = install_framework(fw, user=admin_user)
    assert outcome == "new_version"
    assert commit_import(data, "kt.csv", index_code="papi", year=2023, user=admin_user).rows_changed == 1


def test_a_province_owns_the_index_its_coordinator_makes(setting):
    index = _own_index(setting.mine)
    assert index.owner == setting.qn and not index.is_national
    # Her departments are the units it scores; results import by name within her province.
    batch = commit_import(
        "Đơn vị;LV1;LV2\nSở Tư pháp;8;7,5\nSở Nội vụ;9;9\n".encode(), "so.csv", index_code="cchc-so", year=2025,
        user=setting.mine,
    )  # fmt: skip
    assert batch.rows_changed == 4
    assert Result.objects.get(unit=setting.tuphap, node__code="LV2", year=2025).value == 7.5
    # Another province's coordinator neither changes nor sees it.
    with pytest.raises(PermissionDenied, match="chỉ số riêng của"):
        commit_import(
            "Đơn vị;LV1\nSở Tư pháp;1\n".encode(),
            "x.csv",
            index_code="cchc-so",
            year=2025,
            user=setting.theirs,
        )
    other = _client(setting.theirs)
    assert other.get(reverse("results:table", args=["cchc-so", 2025])).status_code == 404
    assert "cchc-so" not in [i["code"] for i in other.get("/api/indices/").json()]
    mine = _client(setting.mine)
    assert mine.get(reverse("results:table", args=["cchc-so", 2025])).status_code == 200
    assert "cchc-so" in [i["code"] for i in mine.get("/api/indices/").json()]


def test_the_web_import_offers_only_the_indices_one_may_change(setting, tmp_path, monkeypatch):
    from chiso.results import jobs as result_jobs

    monkeypatch.setattr(result_jobs, "UPLOAD_DIR", tmp_path)
    _own_index(setting.mine)
    mine = _client(setting.mine)
    page = mine.get(reverse("results:import_new")).content.decode()
    assert 'value="cchc-so"' in page and 'value="papi"' not in page
    upload = io.BytesIO("Tỉnh;Năm;D1.1\nKon Tum;2023;0,9\n".encode())
    upload.name = "kt.csv"
    refused = mine.post(reverse("results:import_new"), {"file": upload, "index": "papi", "year": "2023"})
    assert refused.status_code == 400 and "quản trị hệ thống" in refused.content.decode()
    assert not ImportBatch.objects.filter(file_name="kt.csv").exists()
    # A preview someone else started for a national index is refused to her too.
    batch = ImportBatch.objects.create(
        index=Index.objects.get(code="papi"), file_name="b.csv", file_hash="0" * 64
    )
    assert mine.get(reverse("results:import_preview", args=[batch.pk])).status_code == 403
    assert mine.post(reverse("results:import_commit", args=[batch.pk])).status_code == 403


def test_the_analysis_of_a_province_index_stays_closed_to_other_provinces_once_cached(setting, monkeypatch):
    """The analysis page caches its body with the index and unit it names: a second reader from another
    province must still be refused (404), whether the page is cached or not, its charts and what-if too."""
    _own_index(setting.mine)
    commit_import(
        "Đơn vị;LV1;LV2\nSở Tư pháp;8;7,5\nSở Nội vụ;9;9\n".encode(), "so.csv", index_code="cchc-so", year=2025,
        user=setting.mine,
    )  # fmt: skip
    page = reverse("analysis:page", args=["cchc-so", setting.tuphap.pk, 2025])
    other, mine = _client(setting.theirs), _client(setting.mine)
    assert other.get(page).status_code == 404  # before anyone opened it
    first = mine.get(page)
    assert first.status_code == 200 and "Sở Tư pháp" in first.content.decode()
    # now from the cache: nothing is analysed again
    monkeypatch.setattr("chiso.analysis.views.analyse", lambda *a, **k: pytest.fail("not cached"))
    again = mine.get(page)
    assert again.status_code == 200 and "Sở Tư pháp" in again.content.decode()
    monkeypatch.undo()
    assert other.get(page).status_code == 404
    chart = reverse("analysis:chart", args=["cchc-so", setting.tuphap.pk, 2025, "profile"])
    assert other.get(chart).status_code == 404 and mine.get(chart).status_code == 200
    whatif = reverse("analysis:whatif", args=["cchc-so", setting.tuphap.pk, 2025])
    assert other.get(whatif).status_code == 404
