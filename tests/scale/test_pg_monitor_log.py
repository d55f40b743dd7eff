"""tests/unit/test_monitor_log.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_monitor_log import *  # noqa: F403
