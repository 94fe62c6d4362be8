"""Shared fixtures: where the shared corpus is, and real databases (SQLite file, PostgreSQL).

PostgreSQL and Redis tests need a server; ``scripts/services.sh`` starts both on 127.0.0.1 and
exports ``GOVNEWS_TEST_PG_URL`` / ``GOVNEWS_TEST_REDIS_URL``. Without them those tests skip with
the reason, except in CI (``CI=true``), where a missing server is a failure, not a skip.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS_DEV = SHARED / "corpus" / "dev"
SEED_ARTICLE = SHARED / "fixtures" / "seed_article.html"
FIXTURES = Path(__file__).parent / "fixtures"


def _missing(what: str, env: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI but {env} is not set (scripts/services.sh)")
    pytest.skip(f'no {what}: set {env} (eval "$(bash scripts/services.sh)")')


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (it lies beside the checkout in development and CI)")
    return SHARED


@pytest.fixture(scope="session")
def corpus_dev() -> Path:
    if not CORPUS_DEV.is_dir():
        pytest.skip(f"{CORPUS_DEV} is absent: the labelled dev corpus lies beside the checkout")
    return CORPUS_DEV


@pytest.fixture(scope="session")
def seed_article() -> Path:
    if not SEED_ARTICLE.is_file():
        pytest.skip(f"{SEED_ARTICLE} is absent (../shared lies beside the checkout)")
    return SEED_ARTICLE


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A real SQLite file, fresh per test."""
    return f"sqlite:///{tmp_path / 'govnews.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database per test on the server from GOVNEWS_TEST_PG_URL."""
    base = os.environ.get("GOVNEWS_TEST_PG_URL")
    if not base:
        _missing("PostgreSQL server", "GOVNEWS_TEST_PG_URL")
    assert base is not None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"govnews_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage/export/search test runs on a real SQLite file and a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'govnews.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def migrated_engine(db_url: str) -> Iterator[Any]:
    """An engine on ``db_url`` (SQLite and PostgreSQL), migrated to head."""
    from pipelines.db.migrate import upgrade
    from pipelines.db.session import make_engine

    upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("GOVNEWS_TEST_REDIS_URL")
    if not url:
        _missing("Redis server", "GOVNEWS_TEST_REDIS_URL")
    assert url is not None
    return url


def _pick_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """Call it for a port on 127.0.0.1 that is free right now (for a server a test starts)."""
    return _pick_port
