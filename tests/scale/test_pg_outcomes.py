"""tests/unit/test_outcomes.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_outcomes import *  # noqa: F403
