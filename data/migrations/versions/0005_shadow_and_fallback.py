"""Predictions say which challenger shadowed them, its label, and any fallback that answered.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.add_column(sa.Column("challenger_version", sa.String(64)))
        batch.add_column(sa.Column("challenger_label", sa.String(128)))
        batch.add_column(sa.Column("fallback", sa.String(300)))
        batch.create_index(
            "ix_predictions_shadow_pending", ["challenger_version", "challenger_output"]
        )


def downgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.drop_index("ix_predictions_shadow_pending")
        batch.drop_column("fallback")
        batch.drop_column("challenger_label")
        batch.drop_column("challenger_version")
