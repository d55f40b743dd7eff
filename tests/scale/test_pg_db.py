"""tests/unit/test_db.py on PostgreSQL (see tests/scale/conftest.py)."""

from tests.unit.test_db import *  # noqa: F403
