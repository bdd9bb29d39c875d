"""Every database test starts from the real reference data: provinces before and after the 2025
merger (no communes: they are tested on their own), the shipped frameworks, and the real published
results (PAPI 2011–2024, PAR INDEX, SIPAS). Loaded once per test database."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", no_wards=True, no_users=True, verbosity=0, stdout=open("/dev/null", "w"))


def _user(username, role=None, unit_code="51"):
    from chiso.accounts.models import Membership
    from chiso.units.models import Unit

    user = get_user_model().objects.create_user(username=username, password="mat-khau-thu-nghiem")
    if role:
        unit = (
            Unit.objects.filter(kind="province", code=unit_code)
            .order_by(F("valid_from").desc(nulls_last=True))
            .first()
        )
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def coordinator(db):
    return _user("dieuphoi", "coordinator")


@pytest.fixture
def viewer(db):
    return _user("nguoixem", "viewer")


@pytest.fixture
def admin_user(db):
    return _user("quantri", "admin")


@pytest.fixture
def outsider(db):
    """Signed in, but with no role on any unit."""
    return _user("nguoingoai")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture(autouse=True)
def _vietnamese_after_each_test():
    """The test client leaves the last request's language active in the process: every test starts
    and ends in the default language, so test order never matters."""
    from django.conf import settings

    if not settings.configured:  # the pure-Python core runs without Django
        yield
        return
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.activate("vi")
