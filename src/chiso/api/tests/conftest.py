"""Fixtures of the plans API tests (`world` and `make_plan` come from chiso/conftest.py):
`fast_passwords` (a cheap password hasher: `world` creates eight accounts)."""

import pytest


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
