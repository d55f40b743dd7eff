"""tests/unit/test_monitor_aggregates.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_monitor_aggregates import *  # noqa: F403
