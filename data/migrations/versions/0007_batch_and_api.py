"""Batch scoring and the JSON API: API keys, batches, idempotency keys, and which batch or
idempotency key each logged prediction came with.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.add_column(sa.Column("batch_id", sa.String(32)))
        batch.add_column(sa.Column("idempotency_key", sa.String(128)))
        batch.create_index("ix_predictions_batch_id", ["batch_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_used_at", WHEN),
        sa.Column("revoked_at", WHEN),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user", sa.String(64), nullable=False, index=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("model_version", sa.String(64)),
        sa.Column("rows_in", sa.Integer, nullable=False),
        sa.Column("rows_scored", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_refused", sa.Integer, nullable=False, server_default="0"),
        sa.Column("output", sa.String(255)),
        sa.Column("message", sa.String(500)),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("user", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", WHEN, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("batches")
    op.drop_table("api_keys")
    with op.batch_alter_table("predictions") as batch:
        batch.drop_index("ix_predictions_batch_id")
        batch.drop_column("idempotency_key")
        batch.drop_column("batch_id")
