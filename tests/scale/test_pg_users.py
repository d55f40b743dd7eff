"""tests/unit/test_users.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_users import *  # noqa: F403
