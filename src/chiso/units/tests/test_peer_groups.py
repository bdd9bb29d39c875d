"""Peer groups: a coordinator groups provinces to compare with ("Tây Nguyên", neighbours); the
analysis page then ranks the province within the group. Bad input changes nothing and says why in
Vietnamese; viewers cannot create or change groups; socio-economic regions are reference data."""

from __future__ import annotations

import pytest

from chiso.analysis.services import analyse, clear_caches
from chiso.units.models import Region, Unit


def legacy(code: str) -> Unit:
    return Unit.objects.get(kind="province", code=code, valid_from__isnull=True)


@pytest.fixture(autouse=True)
def _fresh():
    clear_caches()
    yield
    clear_caches()


def test_coordinator_creates_a_peer_group_and_the_analysis_ranks_within_it(coordinator_client):
    kon_tum, gia_lai, dak_lak = legacy("62"), legacy("64"), legacy("66")
    response = coordinator_client.post(
        "/vung/moi/", {"name": "Giáp ranh Kon Tum", "members": [kon_tum.pk, gia_lai.pk, dak_lak.pk]}
    )
    assert response.status_code == 302
    group = Region.objects.get(name_vi="Giáp ranh Kon Tum")
    assert group.kind == "peer" and set(group.members.all()) == {kon_tum, gia_lai, dak_lak}
    assert group.history.first().history_user.username == "dieuphoi"

    a = analyse("papi", kon_tum, 2023)
    in_group = next(r for r in a.regions if r["region"].pk == group.pk)
    assert in_group["rank_of"] == 3
    assert in_group["rank"] == 3  # Kon Tum 39.96 < Đắk Lắk 42.33 and Gia Lai 40.32 in PAPI 2023
    page = coordinator_client.get(f"/phan-tich/papi/{kon_tum.pk}/2023/").content.decode()
    assert "Giáp ranh Kon Tum" in page


@pytest.mark.parametrize(
    ("name", "codes", "phrase"),
    [
        ("", ["62", "64"], "không được để trống"),
        ("Một tỉnh", ["62"], "ít nhất 2"),
        ("Tây Nguyên", ["62", "64"], "Đã có vùng hoặc nhóm tên"),
    ],
)
def test_bad_peer_group_changes_nothing(coordinator_client, name, codes, phrase):
    before = Region.objects.count()
    response = coordinator_client.post("/vung/moi/", {"name": name, "members": [legacy(c).pk for c in codes]})
    assert response.status_code == 400
    assert phrase in response.content.decode()
    assert Region.objects.count() == before


def test_socio_economic_regions_cannot_be_edited_here(coordinator_client):
    region = Region.objects.filter(kind="socioeconomic").first()
    assert coordinator_client.get(f"/vung/{region.pk}/sua/").status_code == 404


def test_viewers_see_groups_but_cannot_create_them(viewer_client):
    before = Region.objects.count()
    assert viewer_client.get("/vung/moi/").status_code == 403
    assert viewer_client.post("/vung/moi/", {"name": "X", "members": []}).status_code == 403
    assert viewer_client.get("/vung/").status_code == 200
    assert Region.objects.count() == before
