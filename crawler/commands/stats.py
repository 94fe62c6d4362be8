"""``govnews stats``: per-site article counts, date range and view-count coverage."""

from __future__ import annotations

from typing import Any

import click

from crawler.commands.common import db_option, resolve_db
from crawler.commands.output import emit, format_option, open_database

COLUMNS = (
    "site",
    "articles",
    "first_published_at",
    "last_published_at",
    "undated",
    "with_views",
    "views_coverage",
    "view_readings",
    "last_seen_at",
    "rejects",
    "low_confidence_share",
    "media_only",
)


@click.command()
@db_option
@format_option(choices=("table", "json", "jsonl", "csv"))
def stats(db: str | None, fmt: str) -> None:
    """Per-site figures: articles, published date range, how many have a view count.

    The last row, site "*", holds the totals. views_coverage is the percentage of articles with
    a view count; view_readings counts rows of the view_counts time series;
    low_confidence_share the percentage of articles with a quality flag (body from a fallback
    extractor, date from the URL …); media_only counts articles whose content is images,
    attachments or a player.

    \b
    Example:
        govnews stats
        govnews stats --format json --db postgresql+psycopg://user@localhost/govnews
    """
    from pipelines.db.stats import site_stats

    engine = open_database(resolve_db(db))
    try:
        with engine.connect() as conn:
            rows: list[dict[str, Any]] = [dict(r) for r in site_stats(conn)]
    finally:
        engine.dispose()
    if fmt == "table":
        for row in rows:
            row["views_coverage"] = f"{row['views_coverage']:.1f}%"
            row["low_confidence_share"] = f"{row['low_confidence_share']:.1f}%"
    emit(rows, fmt, COLUMNS)
