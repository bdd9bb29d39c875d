"""Fixtures of the plans API tests: `world` (units and one user per role) and `make_plan`, shared with
the plans tests, and `fast_passwords` (a cheap password hasher: `world` creates eight accounts)."""

import pytest

from chiso.plans.tests.conftest import make_plan, world  # noqa: F401


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
