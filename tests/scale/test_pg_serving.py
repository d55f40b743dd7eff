"""tests/unit/test_serving.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_serving import *  # noqa: F403
