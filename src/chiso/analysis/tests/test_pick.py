"""/phan-tich/: the menu's way into the analysis. A GET form (index, year, unit with results that
year) that goes to the analysis page once all three make sense, and says what is wrong otherwise —
never a server error for ``unit=abc`` or a twenty-digit year."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


def test_the_menu_leads_to_the_analysis_form_with_the_users_province_chosen(coordinator_client):
    home = coordinator_client.get(reverse("web:home")).content.decode()
    assert f'href="{reverse("analysis:pick")}"' in home and "Phân tích</a>" in home
    page = coordinator_client.get(reverse("analysis:pick") + "?index=papi")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<select id="pick-unit" name="unit">' in html
    quang_ngai = Unit.objects.filter(kind="province", code="51").order_by("-valid_from").first()
    assert "Kon Tum" in html
    assert f'<option value="{quang_ngai.pk}" selected>' in html or "Quảng Ngãi" in html


def test_a_complete_choice_opens_the_analysis_page(coordinator_client):
    kon_tum = Unit.objects.get(kind="province", code="62")
    response = coordinator_client.get(
        reverse("analysis:pick"), {"index": "papi", "year": 2023, "unit": kon_tum.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "analysis:page", kwargs={"index": "papi", "unit": kon_tum.pk, "year": 2023}
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"index": "papi", "year": "2023", "unit": "abc"}, "Đơn vị đã chọn không có kết quả"),
        ({"index": "papi", "year": "99999999999999999999", "unit": "1"}, "không có kết quả năm «9999999999»"),
        ({"index": "khong-co", "year": "2023"}, "Không có chỉ số này"),
        ({"index": "papi", "year": "1990"}, "không có kết quả năm «1990»"),
    ],
)
def test_nonsense_is_said_on_the_form_not_a_server_error(coordinator_client, params, message):
    response = coordinator_client.get(reverse("analysis:pick"), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert '<select id="pick-index" name="index">' in html  # the form is there to try again


def test_the_analysis_page_in_english_names_the_dimensions_in_english(coordinator_client):
    """Issue 10, item 19: the frameworks carry ``name_en``; an English reader sees them."""
    from django.conf import settings

    kon_tum = Unit.objects.get(kind="province", code="62")
    url = reverse("analysis:page", kwargs={"index": "papi", "unit": kon_tum.pk, "year": 2023})
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = coordinator_client.get(url).content.decode()
    assert "Participation at Local Levels" in html
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = coordinator_client.get(url).content.decode()
    assert "Tham gia của người dân ở cấp cơ sở" in html and "Participation at Local Levels" not in html
