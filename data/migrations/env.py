"""Alembic environment: runs on the connection Database.migrate hands it, or on DATABASE_URL."""

from __future__ import annotations

from alembic import context

from data.tables import metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs by copy
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # `alembic upgrade head` from a shell: the app's own settings say where the database is.
    from config import Settings
    from data.db import Database

    database = Database(Settings.from_env().database)
    database.make_sqlite_folder()
    with database.engine.begin() as fresh:
        _run(fresh)


main()
