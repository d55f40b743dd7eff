"""tests/unit/test_stores.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_stores import *  # noqa: F403
