"""Names that are data follow the reader's language: an index's short name in the menu and on its
pages, regions, a framework's name and its groups come from the data files' English fields
(``index_short_name_en``, ``name_en``, ``label_en``) on the English pages; the Vietnamese pages and the
documents keep the Vietnamese names."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from chiso.frameworks.models import Index
from chiso.frameworks.services import index_labels
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_indices(db):
    """The demo province's own indices (departments, communes), installed from their files."""
    from chiso.seed.demo_assessment import install_demo_frameworks
    from chiso.seed.demo_plans import demo_province

    install_demo_frameworks(demo_province())


def _get(client, url, language, **params):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_menu_names_the_provinces_own_indices_in_the_readers_language(own_indices, coordinator_client):
    departments = Index.objects.get(code="cchc-so")
    assert departments.short_name == "CCHC sở, ngành" and departments.short_name_en == "PAR – departments"
    english = _get(coordinator_client, reverse("web:home"), "en")
    assert ">PAR – departments</a>" in english and ">PAR – communes</a>" in english
    assert "CCHC sở, ngành" not in english and "CCHC cấp xã" not in english
    vietnamese = _get(coordinator_client, reverse("web:home"), "vi")
    assert ">CCHC sở, ngành</a>" in vietnamese and "PAR – departments" not in vietnamese
    # an index whose short name is the same in both languages keeps it
    assert ">PAPI</a>" in english and ">PAPI</a>" in vietnamese


def test_the_analysis_page_names_the_region_in_the_readers_language(coordinator_client):
    kon_tum = Unit.objects.get(kind="province", code="62")
    url = reverse("analysis:page", kwargs={"index": "papi", "unit": kon_tum.pk, "year": 2023})
    english = _get(coordinator_client, url, "en")
    assert "<strong>Central Highlands</strong>" in english and "<strong>Tây Nguyên</strong>" not in english
    vietnamese = _get(coordinator_client, url, "vi")
    assert "<strong>Tây Nguyên</strong>" in vietnamese and "Central Highlands" not in vietnamese


def test_the_results_table_offers_regions_and_groups_in_english(coordinator_client):
    url = reverse("results:table", args=["papi", 2023])
    english = _get(coordinator_client, url, "en")
    assert ">Central Highlands</option>" in english and ">Tây Nguyên</option>" not in english
    # the group filter shows the English label and still sends the Vietnamese one it filters on
    assert '<option value="Trung bình thấp" >Low-average</option>' in english
    filtered = _get(coordinator_client, url, "en", group="Trung bình thấp")
    assert '<option value="Trung bình thấp" selected>Low-average</option>' in filtered
    vietnamese = _get(coordinator_client, url, "vi")
    assert ">Tây Nguyên</option>" in vietnamese and ">Trung bình thấp</option>" in vietnamese


def test_the_regions_page_in_english(coordinator_client):
    english = _get(coordinator_client, reverse("units:regions"), "en")
    assert "Red River Delta" in english and "Đồng bằng sông Hồng" not in english
    assert "Đồng bằng sông Hồng" in _get(coordinator_client, reverse("units:regions"), "vi")


def test_documents_keep_the_vietnamese_short_name_whatever_the_page_language(own_indices):
    with translation.override("en"):
        assert index_labels()["cchc-so"] == "CCHC sở, ngành"
        assert index_labels(translation.get_language())["cchc-so"] == "PAR – departments"
