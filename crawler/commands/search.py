"""``govnews search``: ranked full-text search over article titles and bodies.

Finds 1-, 2- and longer Chinese terms and mixed Chinese/ASCII (see :mod:`pipelines.db.search`);
the query is always passed as bound parameters.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import click

from crawler.commands.common import db_option, resolve_db
from crawler.commands.output import DATE, cut, emit, format_option, open_database

TABLE_COLUMNS = ("published_at", "site", "views", "title", "snippet")
ALL_COLUMNS = (
    "id",
    "site",
    "title",
    "published_at",
    "views",
    "column_name",
    "url",
    "score",
    "snippet",
)


@click.command()
@click.argument("query")
@db_option
@click.option("--site", help="Only this site.")
@click.option("--since", type=DATE, help="Published on or after this day (YYYY-MM-DD).")
@click.option("--until", type=DATE, help="Published before this day (YYYY-MM-DD).")
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="At most this many results.",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Highlight matches in colour in table output [default: when a terminal].",
)
@format_option()
def search(
    query: str,
    db: str | None,
    site: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    color: bool | None,
    fmt: str,
) -> None:
    """Search titles and bodies for QUERY (every whitespace-separated term must occur).

    Results are ranked: title matches first, then how often the terms occur in the body, then
    newest first; a term with more than 1000 matches is ranked among its 1000 newest. Snippets
    mark matches with 【】 (colour in a terminal table).

    \b
    Example:
        govnews search 人才
        govnews search "招商引资 签约" --site tangshan_gxq --since 2024-01-01 --format jsonl
    """
    from pipelines.db.search import search as run_search

    if not query.split():
        raise click.BadParameter("give at least one search term", param_hint="QUERY")
    engine = open_database(resolve_db(db))
    try:
        with engine.connect() as conn:
            hits = run_search(conn, query, site=site, since=since, until=until, limit=limit)
    finally:
        engine.dispose()
    rows: list[dict[str, Any]] = [h.as_dict() for h in hits]
    if fmt == "table":
        if not rows:
            click.echo("no matches", err=True)
            return
        if color if color is not None else sys.stdout.isatty():
            for row in rows:
                short = cut(row["snippet"], 60)
                row["snippet"] = (
                    short.replace("【", "\x1b[1;31m").replace("】", "\x1b[0m") + "\x1b[0m"
                )
        emit(rows, fmt, TABLE_COLUMNS, max_width=60)
    else:
        emit(rows, fmt, ALL_COLUMNS)
