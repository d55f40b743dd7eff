"""tests/unit/test_batches.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_batches import *  # noqa: F403
