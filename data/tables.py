"""The SQL tables, as SQLAlchemy Core objects for queries. Alembic migrations create them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
# 64-bit ids for the tables that grow with traffic: SQLite's INTEGER key already is (and
# must stay INTEGER to be the rowid); PostgreSQL's is BIGINT (revision 0009).
LOG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def fit(column: sa.Column, text: str | None) -> str | None:
    """`text` cut to the column's length: SQLite keeps a longer VARCHAR value, PostgreSQL
    refuses it, so free text from users and files is cut the same way on both."""
    length = column.type.length
    return text if text is None or len(text) <= length else text[:length]


predictions = sa.Table(
    "predictions",
    metadata,
    sa.Column("id", LOG_ID, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(36), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("user", sa.String(64)),
    sa.Column("model_version", sa.String(64), nullable=False, index=True),
    sa.Column("model_sha256", sa.String(64), nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("output", sa.Float, nullable=False),
    sa.Column("output_label", sa.String(128)),
    sa.Column("challenger_output", sa.Float),
    sa.Column("latency_ms", sa.Float, nullable=False),
    # The challenger that shadows this row (its output is filled in after the answer),
    # and why another version answered when the champion could not (else NULL).
    sa.Column("challenger_version", sa.String(64)),
    sa.Column("challenger_label", sa.String(128)),
    sa.Column("fallback", sa.String(300)),
    # When the event happened (a replayed flight's scheduled time; else the request's time),
    # the spec's key columns as one text (to match outcomes), multi-class probabilities.
    sa.Column("event_time", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("event_key", sa.String(200), index=True),
    sa.Column("probabilities", sa.Text),
    # The batch a row was scored in, and the API client's idempotency key (else NULL).
    sa.Column("batch_id", sa.String(32), index=True),
    sa.Column("idempotency_key", sa.String(128)),
    sa.Index(
        "ix_predictions_shadow_pending", "challenger_version", "challenger_output"
    ),
    # The Monitor's log grid: one version's rows in event-time order, a page at a time.
    sa.Index("ix_predictions_version_event", "model_version", "event_time"),
)

# What actually happened, attached after the fact to a logged prediction.
outcomes = sa.Table(
    "outcomes",
    metadata,
    sa.Column("id", LOG_ID, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(36), nullable=False, unique=True),
    sa.Column("actual", sa.String(128), nullable=False),
    sa.Column("origin", sa.String(200), nullable=False),
    sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
)


def _aggregate(name: str, keys: list[sa.Column], sums: list[str]) -> sa.Table:
    """A monitoring aggregate: counts and sums per day of event time, version and source,
    kept up to date in the transaction that logs each prediction (monitor/store.py)."""
    return sa.Table(
        name,
        metadata,
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(16), primary_key=True),
        *keys,
        sa.Column("n", sa.Integer, nullable=False),
        *(sa.Column(s, sa.Float, nullable=False, server_default="0") for s in sums),
    )


def _key(name: str, kind=None) -> sa.Column:
    return sa.Column(
        name, kind if kind is not None else sa.String(64), primary_key=True
    )


MONITOR_TABLES = {
    "monitor_traffic": (
        [_key("latency_bucket", sa.Integer)],
        ["out_of_range", "fallback"],
    ),
    "monitor_features": (
        [_key("feature"), _key("bin", sa.Integer)],
        [],
    ),
    "monitor_scores": (
        [
            _key("segment"),
            _key("value", sa.String(128)),
            _key("channel", sa.Integer),
            _key("bin", sa.Integer),
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
    ),
    "monitor_challenger": (
        [_key("challenger")],
        ["agree", "diff_sum", "abs_diff_sum"],
    ),
}
monitor_traffic, monitor_features, monitor_scores, monitor_challenger = (
    _aggregate(name, keys, sums) for name, (keys, sums) in MONITOR_TABLES.items()
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("session_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# One throwaway insert, rolled back, proves the database takes writes (see Database).
write_probe = sa.Table(
    "write_probe",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
)

# Which version each alias of a dataset points at (champion, challenger), and every move.
model_aliases = sa.Table(
    "model_aliases",
    metadata,
    sa.Column("dataset", sa.String(64), primary_key=True),
    sa.Column("alias", sa.String(16), primary_key=True),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("set_by", sa.String(64), nullable=False),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
)

alias_history = sa.Table(
    "alias_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset", sa.String(64), nullable=False, index=True),
    sa.Column("alias", sa.String(16), nullable=False),
    sa.Column("from_version", sa.String(64)),
    sa.Column("to_version", sa.String(64)),
    sa.Column("user", sa.String(64), nullable=False),
    sa.Column("note", sa.String(500), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),  # set, rollback, forced, clear
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# Per-user keys for the JSON API: only a sha256 of the key is kept (a key is 256 random
# bits, so a fast hash is enough); `prefix` is its first characters, to tell keys apart.
api_keys = sa.Table(
    "api_keys",
    metadata,
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
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

# One scored file (Batch page or `python -m model.batch`): who, what, how far, and where
# its scored output lies (a file name under the home's batches folder).
batches = sa.Table(
    "batches",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("user", sa.String(64), nullable=False, index=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column(
        "status", sa.String(16), nullable=False
    ),  # running, done, cancelled, failed
    sa.Column("model_version", sa.String(64)),
    sa.Column("rows_in", sa.Integer, nullable=False),
    sa.Column("rows_scored", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_refused", sa.Integer, nullable=False, server_default="0"),
    sa.Column("output", sa.String(255)),
    sa.Column("message", sa.String(500)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
)

# An API answer kept under the client's Idempotency-Key, written in the transaction that
# logs its predictions: a retry gets the same answer and logs nothing twice.
idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("user", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("body_sha256", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("response", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

# A Predict form's inputs saved under a name by one user (Predict's scenarios). Anyone
# signed in who is sent its link may open it; only its owner lists or deletes it.
scenarios = sa.Table(
    "scenarios",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("user", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("model_version", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
