"""``govnews health``: per-site health of scheduled crawls; exit code 1 when a site is flagged.

Reads ``crawl_runs`` (and ``articles`` for old runs) through :mod:`pipelines.db.health`; prints
one row per site. Meant for cron: ``govnews health || <alert>``.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click

from crawler.commands.common import db_option, resolve_db
from crawler.commands.output import emit, format_option, open_database

if TYPE_CHECKING:
    from pipelines.db.health import SiteHealth

COLUMNS = (
    "site",
    "last_success",
    "last_run",
    "articles",
    "title%",
    "date%",
    "views%",
    "body%",
    "sure%",
    "columns",
    "removed",
    "rejects",
    "errors",
    "flags",
)


def _profile_columns() -> dict[str, list[str]]:
    """Each profiled site's columns (its start URLs); an invalid profile is left out here,
    as `govnews sites check` is where it is reported."""
    from crawler.settings import GOVNEWS_SITES_DIRS
    from crawler.sites import ProfileError, available_profiles

    try:
        profiles = available_profiles(GOVNEWS_SITES_DIRS)
    except ProfileError:
        return {}
    return {name: list(p.start_urls) for name, p in profiles.items()}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


@click.command()
@db_option
@click.option("--site", "sites", multiple=True, metavar="SITE", help="Only these sites.")
@format_option("table", ("table", "json"))
@click.option(
    "--drop",
    type=click.FloatRange(min=0, max=100),
    default=30.0,
    show_default=True,
    help="Flag a fill rate this many points below the median of earlier runs.",
)
@click.option(
    "--history",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Earlier runs per site to compare against.",
)
@click.option(
    "--max-age",
    type=click.FloatRange(min=0),
    default=None,
    metavar="HOURS",
    help="Also flag a site with no finished run within HOURS (the schedule stopped).",
)
def health(
    sites: tuple[str, ...],
    db: str | None,
    fmt: str,
    drop: float,
    history: int,
    max_age: float | None,
) -> None:
    """Show each site's last crawl: success, articles, fill rates, rejects, errors, flags.

    A site is flagged when its last run stored no article and saw no known one (the list
    pages yield nothing: a redesign or a block), when a fill rate (title, date, views, body)
    or the share of articles extraction was sure of (sure%: no body from a fallback, no date
    from the URL …) dropped more than --drop points below its usual value, when the last run
    did not finish, or (with --max-age) when no run finished recently, or when it read a
    column short of the size the column declares (共N页, 共N条, a last-page link, totalRecord:
    column_short), or when a column its profile names listed no article (column_empty;
    "columns" shows the profile's columns that listed articles, e.g. 4/4). "removed" counts
    the site's articles whose pages are gone (404/410, "该信息已删除"); a note says how many
    edits were kept as revisions. Neither is a flag: they are the site's doing.
    Exit code 1 when any site is flagged, so cron or a monitor can alert.

    \b
    Example:
        govnews health --max-age 26
        govnews health --db postgresql://govnews@db/news --format json
        govnews health > /tmp/health.txt || mail -s 'govnews: sites flagged' ops < /tmp/health.txt
    """
    report = _read_report(db, sites, history, drop, max_age)
    if fmt == "json":
        click.echo(json.dumps([h.as_dict() for h in report], ensure_ascii=False, indent=2))
    elif not report:
        click.echo("no crawl runs recorded yet")
    else:
        _print_table(report)
    _exit_if_flagged(report)


def _read_report(
    db: str | None,
    sites: tuple[str, ...],
    history: int,
    drop: float,
    max_age: float | None,
) -> list[SiteHealth]:
    """Each site's health, read with the engine disposed after: the command holds no
    connection while it prints, and the profiles are read before the database is opened."""
    from pipelines.db.health import site_health

    columns = _profile_columns()
    engine = open_database(resolve_db(db))
    try:
        return site_health(
            engine,
            sites=list(sites) or None,
            history=history,
            drop_points=drop,
            max_age=timedelta(hours=max_age) if max_age is not None else None,
            columns=columns,
        )
    finally:
        engine.dispose()


def _table_row(h: SiteHealth) -> dict[str, Any]:
    """One site's table row; a site with no finished run shows "-" for every run figure."""
    run = h.last_run
    return {
        "site": h.site,
        # a datetime: the table shows it in Asia/Shanghai like every other table
        "last_success": h.last_success_at or "never",
        "last_run": run.status if run else "-",
        "articles": run.articles if run else "-",
        "title%": _pct(run.fill.get("title")) if run else "-",
        "date%": _pct(run.fill.get("published")) if run else "-",
        "views%": _pct(run.fill.get("views")) if run else "-",
        "body%": _pct(run.fill.get("body")) if run else "-",
        "sure%": _pct(run.fill.get("confident")) if run else "-",
        # columns of the profile (discovered) that listed articles (crawled)
        "columns": "/".join(map(str, h.columns_read)) if h.columns_read else "-",
        # articles whose pages are gone (articles.removed_at): the site's doing
        "removed": h.removed,
        "rejects": run.rejects if run else "-",
        "errors": run.errors if run else "-",
        "flags": ", ".join(h.flags) or "ok",
    }


def _print_table(report: list[SiteHealth]) -> None:
    """The table, then every site's notes below it: notes are sentences, too long for a cell."""
    emit([_table_row(h) for h in report], "table", COLUMNS, max_width=60)
    for h in report:
        for note in h.notes:
            click.echo(f"{h.site}: {note}")


def _exit_if_flagged(report: list[SiteHealth]) -> None:
    """Name the flagged sites on stderr and exit 1, so cron or a monitor can alert."""
    flagged = [h.site for h in report if h.flags]
    if flagged:
        click.echo(f"flagged: {', '.join(flagged)}", err=True)
        # sys.exit, not click's Exit: the CLI runs click with standalone_mode=False, which
        # returns an Exit's code instead of exiting with it
        sys.exit(1)
