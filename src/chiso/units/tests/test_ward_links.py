"""Commune-level links of 1 July 2025 (from data/units/vn_ward_map_2025.csv).

Loading the 13,000 communes takes a while, so one test checks several facts after a single load
(the session database holds provinces only; each test's changes are rolled back)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chiso.units.models import Unit, UnitLink
from chiso.units.services import _read_csv, load_reference_units

pytestmark = pytest.mark.django_db

MERGER = dt.date(2025, 7, 1)

# Phường Hoàn Kiếm (Hà Nội, 00070), as listed in converter_2025.json of vietnamadminunits 1.0.4:
# seven old wards wholly, seven in part.
HOAN_KIEM_WHOLE = {"00043", "00046", "00049", "00052", "00058", "00061", "00064"}
HOAN_KIEM_PART = {"00019", "00040", "00055", "00070", "00073", "00076", "00079"}


def _ward_links():
    return UnitLink.objects.filter(successor__kind=Unit.Kind.WARD)


def test_commune_links_of_the_2025_reform(viewer_client):
    counts = load_reference_units(with_wards=True)
    rows = _read_csv("vn_ward_map_2025.csv")
    assert counts["ward_links_created"] == len(rows) == _ward_links().count()
    assert _ward_links().filter(kind="merge").count() == sum(r["kind"] == "merge" for r in rows)
    assert not _ward_links().exclude(date=MERGER).exists()
    # Every link runs from a pre-2025 commune to a commune of 1 July 2025.
    assert not _ward_links().exclude(predecessor__valid_to=dt.date(2025, 6, 30)).exists()
    assert not _ward_links().exclude(successor__valid_from=MERGER).exists()

    hoan_kiem = Unit.objects.get(kind="ward", code="00070", valid_from=MERGER)
    assert hoan_kiem.name == "Phường Hoàn Kiếm"
    links = {
        link.predecessor.code: link.kind for link in hoan_kiem.predecessor_links.select_related("predecessor")
    }
    assert links == {**dict.fromkeys(HOAN_KIEM_WHOLE, "merge"), **dict.fromkeys(HOAN_KIEM_PART, "split")}

    # Phường Cửa Nam (Quận Hoàn Kiếm) was divided between four new wards.
    cua_nam = Unit.objects.get(kind="ward", code="00073", valid_from=None)
    assert {u.name for u in cua_nam.successors()} == {
        "Phường Ba Đình",
        "Phường Cửa Nam",
        "Phường Hoàn Kiếm",
        "Phường Văn Miếu - Quốc Tử Giám",
    }
    # An old commune that went wholly into one new commune has exactly one successor.
    hang_bac = Unit.objects.get(kind="ward", code="00061", valid_from=None)
    assert list(hang_bac.successors()) == [hoan_kiem]

    # The unit pages say so.
    page = viewer_client.get(reverse("web:unit", args=[hoan_kiem.pk])).content.decode()
    assert "Hình thành ngày 01/07/2025 từ:" in page
    assert "Phường Hàng Bạc</a> (Quận Hoàn Kiếm)" in page
    assert "Phường Cửa Nam</a> (Quận Hoàn Kiếm, một phần)" in page
    assert "các tỉnh cũ" not in page
    page = viewer_client.get(reverse("web:unit", args=[cua_nam.pk])).content.decode()
    assert "Từ ngày 01/07/2025 đã được chia tách, nhập vào:" in page and "Phường Văn Miếu" in page
    page = viewer_client.get(reverse("web:unit", args=[hang_bac.pk])).content.decode()
    assert "Từ ngày 01/07/2025 đã sáp nhập vào:" in page and "Phường Hoàn Kiếm" in page

    # A second load creates nothing.
    again = load_reference_units(with_wards=True)
    assert again["ward_links_created"] == 0 and again["wards_created"] == 0
    assert _ward_links().count() == len(rows)
