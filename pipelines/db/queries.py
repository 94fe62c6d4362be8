"""Small read helpers for the storage layer and the CLI (analyst queries live in search/export).

Each takes an ``Engine`` and opens a short connection; nothing connects at import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Engine, func, select

from pipelines.db.chunks import chunks
from pipelines.db.models import Article, CrawlRun, Reject, ViewCount


def count_articles(engine: Engine, site: str | None = None) -> int:
    stmt = select(func.count()).select_from(Article)
    if site is not None:
        stmt = stmt.where(Article.site == site)
    with engine.connect() as conn:
        return int(conn.scalar(stmt) or 0)


def count_rejects(engine: Engine, crawl_run_id: int | None = None) -> int:
    stmt = select(func.count()).select_from(Reject)
    if crawl_run_id is not None:
        stmt = stmt.where(Reject.crawl_run_id == crawl_run_id)
    with engine.connect() as conn:
        return int(conn.scalar(stmt) or 0)


def get_crawl_run(engine: Engine, run_id: int) -> CrawlRun | None:
    """The ``crawl_runs`` row (detached: read its attributes freely)."""
    from sqlalchemy.orm import Session

    with Session(engine, expire_on_commit=False) as session:
        return session.get(CrawlRun, run_id)


def known_urls(engine: Engine, urls: Iterable[str]) -> set[str]:
    """The subset of ``urls`` already stored as articles (for incremental crawls)."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    with engine.connect() as conn:
        for chunk in chunks(wanted):
            found.update(conn.scalars(select(Article.url).where(Article.url.in_(chunk))))
    return found


class RunFigures(NamedTuple):
    """A run's status and the rows it wrote."""

    status: str
    articles: int
    rejects: int
    readings: int


#: the column that ties each table's rows to their run, per figure of :class:`RunFigures`
_PER_RUN: dict[str, Any] = {
    "articles": Article.last_crawl_run_id,
    "rejects": Reject.crawl_run_id,
    "readings": ViewCount.crawl_run_id,
}


def run_figures(engine: Engine, run_ids: Sequence[int]) -> dict[int, RunFigures]:
    """:class:`RunFigures` of each run found, one grouped query a table (per chunk of runs): a
    fleet's sites finish together, and four queries a site were a second of its tail."""
    status: dict[int, str] = {}
    counts: dict[str, dict[int, int]] = {key: {} for key in _PER_RUN}
    wanted = list(dict.fromkeys(run_ids))
    with engine.connect() as conn:
        for chunk in chunks(wanted):
            query = select(CrawlRun.id, CrawlRun.status).where(CrawlRun.id.in_(chunk))
            status.update((int(run), str(st)) for run, st in conn.execute(query))
            for key, column in _PER_RUN.items():
                query = select(column, func.count()).where(column.in_(chunk)).group_by(column)
                counts[key].update((int(run), int(n)) for run, n in conn.execute(query))
    return {
        run: RunFigures(st, *(counts[key].get(run, 0) for key in _PER_RUN))
        for run, st in status.items()
    }
