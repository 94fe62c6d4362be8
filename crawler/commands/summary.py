"""The short table printed after a crawl: read back from the database, so it shows what stuck."""

from __future__ import annotations

from collections.abc import Sequence

import click
from sqlalchemy import Engine, func, select

from crawler.runtime.runner import CrawlOutcome
from pipelines.db.models import Reject
from pipelines.db.queries import count_articles, run_figures
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
        row["articles in database"] = count_articles(engine)
    finally:
        if own:
            engine.dispose()
    return row


def crawl_summaries(
    outcomes: Sequence[CrawlOutcome], engine: Engine
) -> list[dict[str, int | float | str]]:
    """Figures of finished runs, one dict each; the database's part read for all of them at
    once (:func:`pipelines.db.queries.run_figures`)."""
    figures = run_figures(engine, [o.crawl_run_id for o in outcomes if o.crawl_run_id is not None])
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
        run_id = outcome.crawl_run_id
        if run_id is not None:
            found = figures.get(run_id)
            if found is not None:
                row["status"] = found.status
            row["articles"] = found.articles if found else 0
            row["rejects"] = found.rejects if found else 0
            row["views found"] = found.readings if found else 0
        rows.append(row)
    return rows


def print_summary(title: str, row: dict[str, int | float | str]) -> None:
    width = max(len(k) for k in row)
    click.echo(title)
    for key, value in row.items():
        click.echo(f"  {key:<{width}}  {value}")


def failed_pages(outcome: CrawlOutcome, db_url: str) -> int:
    """Rejects of the run that say a page could not be read (a list page, or a transient
    failure: 5xx, timeout, refused connection), not that an article is gone for good (a 404
    is an answer, and an incremental run that meets only one has not failed)."""
    from crawler.items import is_transient

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
