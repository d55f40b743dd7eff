"""tests/unit/test_scenarios.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_scenarios import *  # noqa: F403
