"""tests/unit/test_shadow.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_shadow import *  # noqa: F403
