"""tests/unit/test_aliases.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_aliases import *  # noqa: F403
