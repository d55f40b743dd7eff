"""Predictions keep their label: the predicted class (multi-class) or the risk band.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.add_column(sa.Column("output_label", sa.String(128)))


def downgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.drop_column("output_label")
