"""The dashboard and the analysis picker offer the results import only to those who may import."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from chiso.accounts.models import Membership
from chiso.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "offered"), [("officer", False), ("coordinator", True)])
def test_the_import_link_only_for_those_who_may_import(client, role, offered):
    province = Unit.objects.filter(kind="province", code="51").order_by("-valid_from").first()
    ward = Unit.objects.create(kind="ward", code="99902", name="Xã Không Kết Quả", parent=province)
    user = get_user_model().objects.create_user(username=f"u_{role}", password="x")
    Membership.objects.create(user=user, unit=ward, role=role)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Chưa có kết quả công bố nào cho đơn vị này." in html
    assert ('href="/ket-qua/nhap/moi/"' in html) is offered
    if not offered:
        assert client.get("/ket-qua/nhap/moi/").status_code == 403
