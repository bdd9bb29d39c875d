"""Units across the 1 July 2025 merger, as a user meets them: every way people write a province name
finds the same unit; a name resolves to the unit valid in the year asked ("Quảng Ngãi" in 2022 is the
old province, in 2026 the merged one, which carries Kon Tum and old Quảng Ngãi as predecessors); an
unknown or still ambiguous name is an error that says so (listing the candidates); loading the
reference units twice creates nothing the second time, and with wards it creates the real 696
districts and 10,040 + 3,321 communes; a coordinator adds a department from the unit page, a viewer
may not."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.urls import reverse

from chiso.units.models import Region, Unit, UnitLink
from chiso.units.services import UnitLookupError, load_reference_units, resolve_unit

pytestmark = pytest.mark.django_db

LAST_DAY = dt.date(2025, 6, 30)
MERGER = dt.date(2025, 7, 1)


@pytest.mark.parametrize(
    "name",
    [
        "Dak Lak",
        "Đắk Lắk",
        "Đăk Lăk",
        "Tỉnh Đắk Lắk",
        "tinh dak lak",
        "ĐẮK LẮK",
        "  Đắk   Lắk ",
        unicodedata.normalize("NFD", "Đắk Lắk"),
        unicodedata.normalize("NFD", "Tỉnh Đắk Lắk"),
    ],
)
def test_every_spelling_of_dak_lak_finds_the_same_unit(name):
    unit = resolve_unit(name, 2023)
    assert (unit.code, unit.short_name, unit.valid_from) == ("66", "Đắk Lắk", None)


def test_nfd_kon_tum_and_gso_code_resolve():
    assert resolve_unit(unicodedata.normalize("NFD", "Kon Tum"), 2023).code == "62"
    assert resolve_unit("62", 2023).short_name == "Kon Tum"
    assert resolve_unit("Thừa Thiên Huế", 2020).code == "46"


def test_quang_ngai_resolves_to_the_unit_valid_in_the_year_asked():
    old = resolve_unit("Quảng Ngãi", 2022)
    assert old.valid_from is None and old.valid_to == LAST_DAY
    new = resolve_unit("Quảng Ngãi", 2026)
    assert new.valid_from == MERGER and new.valid_to is None
    assert old.pk != new.pk and old.code == new.code == "51"
    assert sorted(p.short_name for p in new.predecessors()) == ["Kon Tum", "Quảng Ngãi"]
    assert {p.pk for p in new.predecessors()} >= {old.pk}
    link = UnitLink.objects.get(predecessor__code="62", successor=new)
    assert link.date == MERGER and "202/2025/QH15" in link.source
    # Kon Tum ended with the merger; its successor is today's Quảng Ngãi.
    kon_tum = resolve_unit("Kon Tum", 2024)
    assert list(kon_tum.successors()) == [new]
    with pytest.raises(UnitLookupError, match="không có hiệu lực trong năm 2026"):
        resolve_unit("Kon Tum", 2026)


def test_a_province_that_absorbed_nobody_is_one_continuous_unit():
    # Hà Nội was not merged: one unit valid before and after.
    assert resolve_unit("Hà Nội", 2020).pk == resolve_unit("Hà Nội", 2026).pk


def test_unknown_name_is_an_error():
    with pytest.raises(UnitLookupError) as exc:
        resolve_unit("Tỉnh Phù Tang", 2023)
    assert str(exc.value) == "Không tìm thấy đơn vị “Tỉnh Phù Tang”."


def test_empty_name_is_an_error():
    with pytest.raises(UnitLookupError, match="trống"):
        resolve_unit("  ", 2023)


def test_ambiguous_name_lists_the_candidates():
    with pytest.raises(UnitLookupError) as exc:
        resolve_unit("Quảng Ngãi", None)
    message = str(exc.value)
    assert "chưa rõ là đơn vị nào" in message
    assert "01/07/2025–nay" in message and "…–30/06/2025" in message
    assert len(exc.value.candidates) == 2


def test_load_reference_units_is_idempotent():
    n_units, n_links, n_regions = Unit.objects.count(), UnitLink.objects.count(), Region.objects.count()
    counts = load_reference_units(with_wards=False)
    assert counts.get("provinces_created", 0) == 0
    assert counts.get("links_created", 0) == 0
    assert (Unit.objects.count(), UnitLink.objects.count(), Region.objects.count()) == (
        n_units,
        n_links,
        n_regions,
    )


def test_provinces_before_and_after_the_merger():
    provinces = Unit.objects.filter(kind="province")
    assert provinces.filter(valid_from__isnull=True).count() == 63
    assert sum(1 for u in provinces if u.valid_on(dt.date(2026, 1, 1))) == 34
    assert sum(1 for u in provinces if u.valid_on(dt.date(2024, 12, 31))) == 63


def test_regions_group_units():
    tay_nguyen = Region.objects.get(code="TAYNGUYEN_PEERS")
    assert {u.short_name for u in tay_nguyen.members.all()} >= {"Kon Tum", "Đắk Lắk", "Gia Lai", "Lâm Đồng"}


def test_with_wards_creates_the_real_districts_and_communes():
    counts = load_reference_units(with_wards=True)
    assert counts["districts_created"] == 696
    # 10,040 rows in the legacy list, five of them island districts without any commune.
    assert counts["wards_created"] == 10_035 + 3_321
    wards = Unit.objects.filter(kind="ward")
    assert wards.filter(valid_to=LAST_DAY).count() == 10_035
    assert not wards.filter(code="").exists()
    assert wards.filter(valid_from=MERGER).count() == 3_321
    assert Unit.objects.filter(kind="district").count() == 696
    # Every commune after the merger hangs directly under a 2025 province (no district level).
    assert not wards.filter(valid_from=MERGER).exclude(parent__kind="province").exists()
    # Idempotent with wards too.
    again = load_reference_units(with_wards=True)
    assert again["districts_created"] == 0 and again["wards_created"] == 0


def _merged_quang_ngai() -> Unit:
    return Unit.objects.get(kind="province", code="51", valid_from=MERGER)


def test_coordinator_adds_a_department_from_the_unit_page(coordinator_client):
    province = _merged_quang_ngai()
    page = coordinator_client.get(reverse("web:unit", args=[province.pk]))
    assert page.status_code == 200
    action = reverse("web:department_add", args=[province.pk])
    assert action in page.content.decode()

    response = coordinator_client.post(action, {"name": "Sở Nội vụ", "code": "SNV-51"}, follow=True)

    assert response.status_code == 200
    dept = Unit.objects.get(kind="department", code="SNV-51")
    assert dept.parent == province and dept.name == "Sở Nội vụ"
    assert "Đã thêm Sở Nội vụ" in response.content.decode()
    assert "Sở Nội vụ" in coordinator_client.get(reverse("web:unit", args=[province.pk])).content.decode()
    # The same code twice is refused with a message, nothing added.
    again = coordinator_client.post(action, {"name": "Sở Nội vụ (trùng)", "code": "SNV-51"}, follow=True)
    assert "đã được dùng" in again.content.decode()
    assert Unit.objects.filter(kind="department", code="SNV-51").count() == 1


def test_department_without_code_or_name_is_refused(coordinator_client):
    province = _merged_quang_ngai()
    action = reverse("web:department_add", args=[province.pk])
    r = coordinator_client.post(action, {"name": "Sở Tư pháp", "code": ""}, follow=True)
    assert "Cần nhập mã cơ quan" in r.content.decode()
    r = coordinator_client.post(action, {"name": "  ", "code": "STP"}, follow=True)
    assert "không được để trống" in r.content.decode()
    assert not Unit.objects.filter(kind="department").exists()


def test_viewer_cannot_add_a_department(viewer_client):
    province = _merged_quang_ngai()
    r = viewer_client.post(reverse("web:department_add", args=[province.pk]), {"name": "Sở X", "code": "SX"})
    assert r.status_code == 403
    assert not Unit.objects.filter(kind="department").exists()


def test_merged_province_page_shows_its_predecessors_series(viewer_client):
    province = _merged_quang_ngai()
    html = viewer_client.get(reverse("web:unit", args=[province.pk])).content.decode()
    assert "Kon Tum" in html
    assert "39,9613" in html  # Kon Tum's PAPI 2023 total, carried by today's Quảng Ngãi


@pytest.mark.django_db
def test_two_undated_units_with_one_code_are_refused_by_the_database():
    """NULL valid_from escaped the (kind, code, valid_from) constraint on PostgreSQL and SQLite."""
    from django.db import IntegrityError, transaction

    Unit.objects.create(kind=Unit.Kind.DEPARTMENT, code="ZZ-TEST", name="Sở Thử nghiệm")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(kind=Unit.Kind.DEPARTMENT, code="ZZ-TEST", name="Sở Thử nghiệm 2")
    # a dated unit with the same code (the same body after a merger) is still allowed
    Unit.objects.create(
        kind=Unit.Kind.DEPARTMENT, code="ZZ-TEST", name="Sở Thử nghiệm", valid_from=dt.date(2025, 7, 1)
    )
