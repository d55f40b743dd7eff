"""Monitoring: event time and key on each prediction, outcomes, and maintained aggregates.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

Rows logged before this revision take their request time as event time; their aggregates
are written by `python -m model.monitor rebuild`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KEY = {"primary_key": True}


def _aggregate(name: str, keys: list[sa.Column], sums: list[str]) -> None:
    op.create_table(
        name,
        sa.Column("day", sa.Date, **KEY),
        sa.Column("version", sa.String(64), **KEY),
        sa.Column("source", sa.String(16), **KEY),
        *keys,
        sa.Column("n", sa.Integer, nullable=False),
        *(sa.Column(s, sa.Float, nullable=False, server_default="0") for s in sums),
    )


def upgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.add_column(sa.Column("event_time", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("event_key", sa.String(200)))
        batch.add_column(sa.Column("probabilities", sa.Text))
    op.execute("UPDATE predictions SET event_time = created_at")
    with op.batch_alter_table("predictions") as batch:
        batch.alter_column(
            "event_time", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch.create_index("ix_predictions_event_time", ["event_time"])
        batch.create_index("ix_predictions_event_key", ["event_key"])
        batch.create_index(
            "ix_predictions_version_event", ["model_version", "event_time"]
        )
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(36), nullable=False, unique=True),
        sa.Column("actual", sa.String(128), nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
    )
    _aggregate(
        "monitor_traffic",
        [sa.Column("latency_bucket", sa.Integer, **KEY)],
        ["out_of_range", "fallback"],
    )
    _aggregate(
        "monitor_features",
        [
            sa.Column("feature", sa.String(64), **KEY),
            sa.Column("bin", sa.Integer, **KEY),
        ],
        [],
    )
    _aggregate(
        "monitor_scores",
        [
            sa.Column("segment", sa.String(64), **KEY),
            sa.Column("value", sa.String(128), **KEY),
            sa.Column("channel", sa.Integer, **KEY),
            sa.Column("bin", sa.Integer, **KEY),
        ],
        [
            "p_sum",
            "p2_sum",
            "cal_sum",
            "labeled",
            "positives",
            "brier_sum",
            "logloss_sum",
            "abs_err_sum",
            "sq_err_sum",
        ],
    )
    _aggregate(
        "monitor_challenger",
        [sa.Column("challenger", sa.String(64), **KEY)],
        ["agree", "diff_sum", "abs_diff_sum"],
    )


def downgrade() -> None:
    for name in (
        "monitor_challenger",
        "monitor_scores",
        "monitor_features",
        "monitor_traffic",
        "outcomes",
    ):
        op.drop_table(name)
    with op.batch_alter_table("predictions") as batch:
        batch.drop_index("ix_predictions_version_event")
        batch.drop_index("ix_predictions_event_key")
        batch.drop_index("ix_predictions_event_time")
        batch.drop_column("probabilities")
        batch.drop_column("event_key")
        batch.drop_column("event_time")
