"""The dashboard shows each index's newest result for the user's province, even when that year has
only a published rank (PAR INDEX is often printed "58/63" before its scores); the newest published
score is then named beside it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chiso.analysis import services as analysis_services
from chiso.results.importer import commit_import
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_caches():
    analysis_services.clear_caches()
    yield
    analysis_services.clear_caches()


def _cards(html: str, index_label: str) -> dict[str, str]:
    """{heading: card html} of the dashboard's cards of one index."""
    out = {}
    for part in html.split('<section class="card"')[1:]:
        part = part[: part.index("</section>")]
        heading = re.sub(r"<[^>]+>", "", re.search(r"<h2[^>]*>(.*?)</h2>", part, re.S).group(1)).strip()
        if heading.startswith(index_label + " "):
            out[heading] = part
    return out


def test_the_newest_rank_only_year_is_shown_with_the_last_published_score(
    coordinator_client, admin_user, fresh_caches
):
    kon_tum = Unit.objects.get(kind="province", code="62")
    home = coordinator_client.get(reverse("web:home")).content.decode()
    # Make Kon Tum the viewer's province for this test: a coordinator of Kon Tum.
    from chiso.accounts.models import Membership

    Membership.objects.filter(user__username="dieuphoi").update(unit=kon_tum)
    before = _cards(coordinator_client.get(reverse("web:home")).content.decode(), "PAR INDEX")
    assert home and len(before) == 1, before.keys()
    (heading,) = before
    scored = int(re.search(r"PAR INDEX (\d{4})", heading).group(1))
    assert "chưa có điểm" not in before[heading]

    newest = scored + 1
    data = f"Tỉnh, thành phố;Năm;Xếp hạng;Trên tổng số\nKon Tum;{newest};12;34\n".encode()
    commit_import(data, "par_rank_only.csv", index_code="par", user=admin_user)

    after = _cards(coordinator_client.get(reverse("web:home")).content.decode(), "PAR INDEX")
    (heading,) = after
    card = after[heading]
    assert heading.startswith(f"PAR INDEX {newest}")
    assert "12/34" in card
    assert "Năm này chỉ có thứ hạng công bố, chưa có điểm." in card
    assert "Điểm công bố gần nhất" in card and f"(năm {scored})" in card
