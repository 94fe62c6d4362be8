"""Alembic environment for govnews: target metadata is ``pipelines.db.models.Base``.

Run through :func:`pipelines.db.migrate.upgrade` (or ``govnews db upgrade``), which passes an
open connection in ``config.attributes["connection"]``; plain ``alembic -c pipelines/alembic.ini``
works too and reads the URL from ``-x db=URL``, ``GOVNEWS_DB`` or ``sqlalchemy.url``.
SQLite uses batch mode (``render_as_batch``) because it cannot ALTER most things in place.
Tables that are not in the models (e.g. full-text-search shadow tables created by a migration)
are left out of autogenerate/``alembic check``.
"""

from __future__ import annotations

import os
from typing import Any

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from pipelines.db.models import Base

config = context.config
target_metadata = Base.metadata

#: PostgreSQL advisory lock key held while migrating, so concurrent crawls do not race
PG_MIGRATION_LOCK = 0x676F766E657773  # "govnews"


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if type_ == "table":
        return name in target_metadata.tables
    # the search indexes of migrations 0002 (pg_trgm GIN) and 0007 (characters, GIN) are
    # expression/operator-class indexes the models do not describe
    return not (type_ == "index" and name and name.endswith(("_trgm", "_text_chars")))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
        compare_type=True,
        transactional_ddl=True,
    )


def run_migrations_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from pipelines.db.session import make_engine

    url = (
        context.get_x_argument(as_dictionary=True).get("db")
        or os.environ.get("GOVNEWS_DB")
        or config.get_main_option("sqlalchemy.url")
        or "sqlite:///govnews.db"
    )
    engine = make_engine(url, foreign_keys=False)
    try:
        with engine.connect() as conn:
            _run(conn.execution_options(sqlite_begin="IMMEDIATE"))
    finally:
        engine.dispose()


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or "sqlite:///govnews.db",
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
