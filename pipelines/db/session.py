"""Engines and the one session factory; nothing here connects at import time.

``make_engine(url)`` accepts any SQLAlchemy URL. SQLite gets WAL journal mode (readers never
block the crawler's writer), a busy timeout, foreign keys ON, and real transactions: the stdlib
driver's legacy mode would not BEGIN before SELECT/DDL, so we emit BEGIN ourselves (the recipe
from SQLAlchemy's SQLite docs). ``engine.execution_options(sqlite_begin="IMMEDIATE")`` takes
the write lock up front, which the crawl lock and migrations use. ``postgresql://`` URLs use
psycopg 3.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

#: how long (ms) a SQLite connection waits for another writer before "database is locked"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str | URL) -> URL:
    """``postgresql://`` and ``postgres://`` mean psycopg 3; other URLs are kept as given."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    u = make_url(url)
    if u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    return u


#: JSON columns are stored as UTF-8 text, not ``\u`` escapes: readable in ``psql`` and
#: ``sqlite3``, half the size for Chinese, and written as stored by the PostgreSQL export
#: (:mod:`pipelines.db.export_copy`)
_json_text = json.JSONEncoder(ensure_ascii=False).encode


def is_sqlite(url: str | URL) -> bool:
    return normalise_url(url).get_backend_name() == "sqlite"


def make_engine(url: str | URL, *, foreign_keys: bool = True, **kwargs: Any) -> Engine:
    """An engine for ``url`` (SQLite or PostgreSQL); ``foreign_keys=False`` is for migrations.

    Migrations on SQLite rebuild tables ("batch" mode); with foreign keys ON, dropping the old
    parent table would cascade-delete child rows, so the migration engine turns them off.
    """
    u = normalise_url(url)
    kwargs.setdefault("json_serializer", _json_text)
    if u.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(u, **kwargs)

    if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    engine = create_engine(u, connect_args=connect_args, **kwargs)
    fk = "ON" if foreign_keys else "OFF"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # hand transaction control to SQLAlchemy (we emit BEGIN in _on_begin)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if u.database and u.database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute(f"PRAGMA foreign_keys={fk}")
            cursor.execute(
                "PRAGMA synchronous=NORMAL"
            )  # with WAL: a killed process loses nothing committed
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = str(conn.get_execution_options().get("sqlite_begin", "")).upper()
        if mode not in ("", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            raise ValueError(f"sqlite_begin must be DEFERRED, IMMEDIATE or EXCLUSIVE, not {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


_SHARED: dict[str, Engine] = {}


def shared_engine(url: str | URL) -> Engine:
    """One engine per database for the whole process, for many users at once (the sites of a
    fleet crawl): they share its connection pool, so a hundred sites hold a few connections,
    not a hundred. Its users must not dispose of it; it lives as long as the process."""
    key = normalise_url(url).render_as_string(hide_password=False)
    if key not in _SHARED:
        _SHARED[key] = make_engine(url)
    return _SHARED[key]


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """The one ``sessionmaker``; use ``with factory.begin() as session:`` per batch."""
    return sessionmaker(bind=engine, expire_on_commit=False)
