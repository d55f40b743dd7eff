"""The prediction log's and outcomes' ids are 64-bit on PostgreSQL.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24

SQLite's INTEGER PRIMARY KEY is already 64 bits (and must stay INTEGER to remain the rowid),
so this changes nothing there. PostgreSQL's SERIAL is 32 bits: at 300 predictions a second
its 2,147,483,647 ids last about 80 days. The column and its sequence become bigint; on a
large log this rewrites the table under a lock, so run it in a quiet moment.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("predictions", "outcomes")


def _retype(old: type[sa.Integer], new: type[sa.Integer], sequence_as: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.alter_column(
            table, "id", type_=new, existing_type=old, existing_nullable=False
        )
        op.execute(f"ALTER SEQUENCE {table}_id_seq AS {sequence_as}")


def upgrade() -> None:
    _retype(sa.Integer, sa.BigInteger, "bigint")


def downgrade() -> None:
    _retype(sa.BigInteger, sa.Integer, "integer")
