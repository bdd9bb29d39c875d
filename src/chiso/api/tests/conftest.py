"""Fixtures of the plans API tests (`world` and `make_plan` come from chiso/conftest.py):
`fast_passwords` (a cheap password hasher: `world` creates eight accounts)."""

import pytest


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The assessment API tests build on the assessment services' own fixtures (a province's index of its
# departments, three departments, a coordinator, an appraiser, officers; `open_round`).
from chiso.assessment.tests.conftest import open_round, scene  # noqa: E402, F401
