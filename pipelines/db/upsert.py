"""One dialect-aware upsert for articles (unique by URL), batched, returning the article ids.

``INSERT … ON CONFLICT (url) DO UPDATE`` on SQLite and PostgreSQL, sent as one multi-row
statement per batch (SQLAlchemy's "insertmanyvalues"), so a rerun after a crash writes the same
rows again without duplicates. A new row gets ``first_seen_at = last_seen_at = seen``; a known
one keeps ``first_seen_at`` and moves ``last_seen_at``, and is online again (``removed_at``
cleared; :mod:`pipelines.db.revisions` keeps the text it replaces). Optional fields that a
re-crawl did not find (``None``) keep their stored value, so one flaky page does not erase good
data.
Other dialects fall back to select-then-insert/update in the same transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from crawler.items import CHINA_TIME, ArticleItem
from pipelines.db.models import Article
from pipelines.fingerprint import item_content_hash

ARTICLES: Table = Article.__table__  # type: ignore[assignment]
SHANGHAI = CHINA_TIME  # naive page times are China's fixed +08:00 (crawler/items.py)

#: columns a re-crawl overwrites only when it found a value (None keeps the stored one)
KEEP_IF_MISSING = (
    "published_at",
    "published_raw",
    "views",
    "body_html",
    "source",
    "author",
    "column_name",
    "canonical_url",
    "methods",
    "last_crawl_run_id",
)
#: columns a re-crawl always overwrites
OVERWRITE = (
    "site",
    "title",
    "body_text",
    "body_kind",
    "quality",
    "attachments",
    "content_hash",
    "last_seen_at",
    "removed_at",  # None: an article stored again is online again
)


def as_utc(value: datetime | None, naive_zone: Any = UTC) -> datetime | None:
    """Aware UTC datetime for storage; naive values are taken to be in ``naive_zone``."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=naive_zone)
    return value.astimezone(UTC)


def article_row(
    item: ArticleItem, *, seen_at: datetime, crawl_run_id: int | None = None
) -> dict[str, Any]:
    """The ``articles`` row for an item (title and body must be present: validation's job)."""
    if not item.title or not item.has_body:
        raise ValueError(f"article without title or body cannot be stored: {item.url}")
    seen = as_utc(seen_at)
    return {
        "site": item.site,
        "url": item.url,
        "title": item.title,
        # a naive publication time from a Chinese government site is Beijing time
        "published_at": as_utc(item.published_at, SHANGHAI),
        "published_raw": item.published_raw,
        "views": item.views,
        "body_text": item.body_text or "",
        "body_html": item.body_html,
        "body_kind": item.body_kind,
        "quality": list(item.quality) or None,
        "source": item.source,
        "author": item.author,
        "column_name": item.column_name,
        "canonical_url": item.canonical_url,
        "attachments": list(item.attachments or []),
        "methods": dict(item.methods) if item.methods else None,
        "content_hash": item.content_hash or item_content_hash(item),
        "first_seen_at": seen,
        "last_seen_at": seen,
        "last_crawl_run_id": crawl_run_id,
        "removed_at": None,
    }


def upsert_articles(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert or update ``rows`` (from :func:`article_row`); returns ``{url: article id}``.

    Several rows for one URL in a batch: the last wins (one statement may not touch a row twice).
    """
    by_url = {row["url"]: row for row in rows}
    if not by_url:
        return {}
    batch = list(by_url.values())
    dialect = session.get_bind().dialect.name
    stmt = _upsert_statement(dialect)
    if stmt is None:
        return _upsert_portable(session, batch)
    if dialect == "postgresql":
        # With RETURNING, SQLAlchemy sends one multi-row VALUES statement per batch, which
        # psycopg re-parses on every batch (too long for its query cache): a plain executemany
        # (pipelined by psycopg) plus one SELECT of the ids costs half the client CPU.
        session.execute(stmt, batch)
        ids = select(ARTICLES.c.url, ARTICLES.c.id).where(ARTICLES.c.url.in_(list(by_url)))
        return {url: int(id_) for url, id_ in session.execute(ids)}
    result = session.execute(stmt.returning(ARTICLES.c.url, ARTICLES.c.id), batch)
    return {url: int(id_) for url, id_ in result}


@functools.cache
def _upsert_statement(dialect: str) -> Any:
    """The dialect's ``INSERT … ON CONFLICT (url) DO UPDATE``, built once: the construct is
    immutable, and building it (an ``excluded`` alias of the whole table) cost as much client
    CPU as running it for the few rows a polite crawl writes a batch; None: no upsert."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(ARTICLES)
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(ARTICLES)
    else:
        return None
    excluded = stmt.excluded
    set_: dict[str, Any] = {name: excluded[name] for name in OVERWRITE}
    for name in KEEP_IF_MISSING:
        set_[name] = func.coalesce(excluded[name], ARTICLES.c[name])
    return stmt.on_conflict_do_update(index_elements=[ARTICLES.c.url], set_=set_)


def _upsert_portable(session: Session, batch: list[dict[str, Any]]) -> dict[str, int]:
    urls = [row["url"] for row in batch]
    known = dict(
        session.execute(select(ARTICLES.c.url, ARTICLES.c.id).where(ARTICLES.c.url.in_(urls))).all()
    )
    new = [row for row in batch if row["url"] not in known]
    if new:
        session.execute(ARTICLES.insert(), new)
    for row in batch:
        if row["url"] not in known:
            continue
        values = {name: row[name] for name in OVERWRITE}
        values.update({name: row[name] for name in KEEP_IF_MISSING if row[name] is not None})
        session.execute(update(ARTICLES).where(ARTICLES.c.id == known[row["url"]]).values(values))
    return dict(
        session.execute(select(ARTICLES.c.url, ARTICLES.c.id).where(ARTICLES.c.url.in_(urls))).all()
    )


def set_latest_views(session: Session, views_by_id: dict[int, int]) -> None:
    """Move ``articles.views`` to the latest reading, one executemany for the batch."""
    if not views_by_id:
        return
    stmt = (
        update(ARTICLES)
        .where(ARTICLES.c.id == bindparam("b_id"))
        .values(views=bindparam("b_views"))
    )
    params = [{"b_id": k, "b_views": v} for k, v in views_by_id.items()]
    session.connection().execute(stmt, params)
