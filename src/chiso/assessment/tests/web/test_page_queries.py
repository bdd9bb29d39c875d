"""A page's queries are bounded: the header (memberships, the unit subtree, the nav) and the permission
checks read each user's memberships once per request and the unit subtree once per worker and units
version, whatever number of role sets and permission predicates a page asks."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chiso.accounts.scope import covered
from chiso.frameworks.permissions import visible_indices
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db

#: Queries of the sheet page on a second GET (its rows cached): the session and the user, the memberships
#: (once), the sheet, the data versions (one query: the subtree's and the suggestions' key, the rows'), the
#: appraiser's assignment, the scores' key, then the header (reminders; for a unit's officer, rounds and
#: surveys; the indices are cached per results version). Before the memberships were shared the same GETs
#: made 19 (officer) and 15 (coordinator); before the versions were read together and the indices cached,
#: 12 and 10.
BOUND = {"officer_unit": 10, "coordinator": 8}


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("role", sorted(BOUND))
def test_sheet_page_queries_are_bounded_and_memberships_read_once(ui, role):
    client = ui.client_for(role)
    url = reverse("assessment:sheet", args=[ui.round.pk, ui.tuphap.pk])
    client.get(url)  # fills the worker's caches (rows, subtree)
    response, queries = _get(client, url)
    assert response.status_code == 200
    assert "Sở Tư pháp" in response.content.decode()
    assert len(queries) <= BOUND[role], "\n".join(queries)
    memberships = [q for q in queries if 'FROM "accounts_membership"' in q]
    assert len(memberships) == 1, memberships
    # no permission table is read for chiso's own permissions (the rules decide them)
    assert not [q for q in queries if "auth_permission" in q]
    assert not [q for q in queries if 'FROM "units_unit" WHERE "units_unit"."parent_id" IN' in q]


def test_a_new_unit_is_covered_at_once_despite_the_cached_subtree(ui):
    """The subtree is cached per worker, keyed by the units' version: a department created under the
    province is the coordinator's on the very next request, and its sheet page is hers to read."""
    client = ui.client_for("coordinator")
    client.get(reverse("assessment:round", args=[ui.round.pk]))  # caches the province's subtree
    new = Unit.objects.create(kind="department", code="QNG-SNV", name="Sở Nội vụ", parent=ui.province)
    fresh = get_user_model().objects.get(pk=ui.coordinator.pk)
    assert new.pk in covered(fresh, ("coordinator",))
    officer = get_user_model().objects.get(pk=ui.officer_tp.pk)
    assert new.pk not in (covered(officer, ("officer",)) or set())


def test_header_for_an_officer_of_a_department_shows_the_provinces_index(ui, client):
    """The officer of a department reads her province's own index (its provinces found from the
    memberships read once, with their ancestors)."""
    client.force_login(ui.officer_tp)
    response = client.get(reverse("assessment:sheet", args=[ui.round.pk, ui.tuphap.pk]))
    codes = set(visible_indices(ui.officer_tp).values_list("code", flat=True))
    assert ui.framework.index.code in codes
    assert response.status_code == 200
