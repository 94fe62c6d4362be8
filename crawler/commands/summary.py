"""The short table printed after a crawl: read back from the database, so it shows what stuck."""

from __future__ import annotations

import click
from sqlalchemy import Engine, func, select

from crawler.runner import CrawlOutcome
from pipelines.db.models import Article, CrawlRun, Reject, ViewCount
from pipelines.db.session import make_engine


def crawl_summary(
    outcome: CrawlOutcome, db_url: str, engine: Engine | None = None
) -> dict[str, int | float | str]:
    """Figures of one finished run, from its ``crawl_runs`` row and the rows it wrote
    (``engine``: one to use and keep, e.g. a fleet's shared one, instead of a new one)."""
    run_id = outcome.crawl_run_id
    row: dict[str, int | float | str] = {
        "pages": outcome.stat("response_received_count"),
        "seconds": round(outcome.seconds, 1),
    }
    own = engine is None
    engine = make_engine(db_url) if engine is None else engine
    try:
        with engine.connect() as conn:
            if run_id is not None:
                run = conn.execute(select(CrawlRun).where(CrawlRun.id == run_id)).one_or_none()
                if run is not None:
                    row["status"] = run.status
                row["articles"] = (
                    conn.scalar(
                        select(func.count())
                        .select_from(Article)
                        .where(Article.last_crawl_run_id == run_id)
                    )
                    or 0
                )
                row["rejects"] = (
                    conn.scalar(
                        select(func.count())
                        .select_from(Reject)
                        .where(Reject.crawl_run_id == run_id)
                    )
                    or 0
                )
                row["views found"] = (
                    conn.scalar(
                        select(func.count())
                        .select_from(ViewCount)
                        .where(ViewCount.crawl_run_id == run_id)
                    )
                    or 0
                )
            row["articles in database"] = (
                conn.scalar(select(func.count()).select_from(Article)) or 0
            )
    finally:
        if own:
            engine.dispose()
    return row


def print_summary(title: str, row: dict[str, int | float | str]) -> None:
    width = max(len(k) for k in row)
    click.echo(title)
    for key, value in row.items():
        click.echo(f"  {key:<{width}}  {value}")
