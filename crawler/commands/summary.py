"""The short table printed after a crawl: read back from the database, so it shows what stuck."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import click
from sqlalchemy import Engine, func, select

from crawler.runtime.runner import CrawlOutcome
from pipelines.db.models import Article, CrawlRun, Reject, ViewCount
from pipelines.db.session import make_engine


def crawl_summary(
    outcome: CrawlOutcome, db_url: str, engine: Engine | None = None
) -> dict[str, int | float | str]:
    """Figures of one finished run, from its ``crawl_runs`` row and the rows it wrote
    (``engine``: one to use and keep instead of a new one), and the database's article count."""
    own = engine is None
    engine = make_engine(db_url) if engine is None else engine
    try:
        row = crawl_summaries([outcome], engine)[0]
        with engine.connect() as conn:
            row["articles in database"] = (
                conn.scalar(select(func.count()).select_from(Article)) or 0
            )
    finally:
        if own:
            engine.dispose()
    return row


def crawl_summaries(
    outcomes: Sequence[CrawlOutcome], engine: Engine
) -> list[dict[str, int | float | str]]:
    """Figures of finished runs, one dict each: a fleet's sites are read back in one query a
    table, grouped by run, rather than four queries a site as they all finish together."""
    rows: list[dict[str, int | float | str]] = []
    for outcome in outcomes:
        row: dict[str, int | float | str] = {
            "pages": outcome.stat("response_received_count"),
            "seconds": round(outcome.seconds, 1),
        }
        # what the site changed since the last crawl (a --full re-crawl sees it): shown when any
        for key, stat in (("edits kept", "revisions"), ("removed", "removals")):
            if count := outcome.stat(f"govnews/storage/{stat}"):
                row[key] = count
        rows.append(row)
    run_ids = [o.crawl_run_id for o in outcomes if o.crawl_run_id is not None]
    if not run_ids:
        return rows
    status: dict[int, str] = {}
    counts: dict[str, dict[int, int]] = {}
    with engine.connect() as conn:
        for chunk in _chunks(run_ids):
            query = select(CrawlRun.id, CrawlRun.status).where(CrawlRun.id.in_(chunk))
            status.update((int(i), str(st)) for i, st in conn.execute(query))
            for key, column in _PER_RUN.items():
                query = select(column, func.count()).where(column.in_(chunk)).group_by(column)
                counts.setdefault(key, {}).update((int(i), int(n)) for i, n in conn.execute(query))
    for outcome, row in zip(outcomes, rows, strict=True):
        run_id = outcome.crawl_run_id
        if run_id is None:
            continue
        if run_id in status:
            row["status"] = status[run_id]
        for key in _PER_RUN:
            row[key] = counts[key].get(run_id, 0)
    return rows


#: the figures counted per run, and the column that ties each table's rows to their run
_PER_RUN: dict[str, Any] = {
    "articles": Article.last_crawl_run_id,
    "rejects": Reject.crawl_run_id,
    "views found": ViewCount.crawl_run_id,
}


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    """``ids`` in slices small enough for any driver's limit on bound parameters."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def print_summary(title: str, row: dict[str, int | float | str]) -> None:
    width = max(len(k) for k in row)
    click.echo(title)
    for key, value in row.items():
        click.echo(f"  {key:<{width}}  {value}")


def failed_pages(outcome: CrawlOutcome, db_url: str) -> int:
    """Rejects of the run that say a page could not be read (a list page, or a transient
    failure: 5xx, timeout, refused connection), not that an article is gone for good (a 404
    is an answer, and an incremental run that meets only one has not failed)."""
    from pipelines.db.known import is_transient

    if outcome.crawl_run_id is None:
        return 0
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            reasons = conn.execute(
                select(Reject.reason, func.count())
                .where(Reject.crawl_run_id == outcome.crawl_run_id)
                .group_by(Reject.reason)
            ).all()
    finally:
        engine.dispose()
    return sum(n for reason, n in reasons if reason.startswith("list_") or is_transient(reason))
