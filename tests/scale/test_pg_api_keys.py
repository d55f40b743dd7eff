"""tests/unit/test_api_keys.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_api_keys import *  # noqa: F403
