"""Test settings: chiso's test environment, and the reference data every database test starts with."""

import os

os.environ.setdefault("CHISO_ENV", "test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
