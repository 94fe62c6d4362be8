"""``govnews crawl``: run the generic spider for a site profile or bare start URLs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from crawler.commands.common import db_option, quiet_option, resolve_db, settings_option
from crawler.commands.output import DateParam
from crawler.commands.running import finish_command, run_checked
from crawler.runtime.runner import profile_overrides
from crawler.sites import ProfileError, SiteProfile, load_profile
from crawler.spiders.district import DistrictSpider


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="--start-url")
    return url


def crawl_settings(db_url: str, quiet: bool, verbose: bool = False) -> dict[str, Any]:
    """Settings every CLI crawl shares: the database, and quiet logs plus progress lines."""
    return {
        "GOVNEWS_DB": db_url,
        "GOVNEWS_PROGRESS": not quiet,
        "LOG_LEVEL": "INFO" if verbose else "WARNING" if not quiet else "ERROR",
        # Scrapy formats its stats dump (an INFO line) whether or not INFO is shown; the stats
        # are in the run's row (crawl_runs.stats) anyway
        "STATS_DUMP": verbose,
    }


@click.command()
@click.argument("sites", nargs=-1, metavar="[SITE]...")
@click.option("--all", "every", is_flag=True, help="Crawl every site profile, concurrently.")
@click.option(
    "--sites-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Crawl the sites named in FILE (one name or .toml path a line, # comments).",
)
@click.option(
    "--site-timeout",
    type=click.FloatRange(min=1),
    default=None,
    metavar="SECONDS",
    help="With several sites: stop a site's crawl after SECONDS (it counts as failed).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="With several sites: split them over N processes (default: one per core, "
    "one per 20 sites at most).",
)
@click.option(
    "--start-url",
    "start_urls",
    multiple=True,
    metavar="URL",
    help="Column list page to start from (repeatable). Without SITE: no profile, "
    "generic heuristics, stays on this URL's host.",
)
@db_option
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=None,
    help="List pages to follow per column (default: profile, else 200, or the column's "
    "declared page count while its pages show new links).",
)
@click.option(
    "--full", is_flag=True, help="Re-read every article, not only new ones (default: incremental)."
)
@click.option(
    "--since",
    type=DateParam(),
    default=None,
    help="Skip articles dated before DATE (YYYY-MM-DD) and stop a column at a page of older ones.",
)
@settings_option
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's INFO log.")
@quiet_option
def crawl(
    sites: tuple[str, ...],
    every: bool,
    sites_file: Path | None,
    site_timeout: float | None,
    workers: int | None,
    start_urls: tuple[str, ...],
    db: str | None,
    max_pages: int | None,
    full: bool,
    since: datetime | None,
    extra: dict[str, str],
    verbose: bool,
    quiet: bool,
) -> None:
    """Crawl a site's news columns into the database; or many sites at once.

    SITE is the name of a profile (see `govnews sites list`) or a path to a .toml profile.
    Several SITEs, --all or --sites-file crawl them concurrently in this one process, each
    with its own politeness, run row, lock and incremental state; one failing or hanging
    site (see --site-timeout) does not stop the others. A table with a line per site ends
    the run, and the exit status is 1 if any site failed.

    Incremental by default: articles already in the database are not fetched again and a
    column stops at the first list page with only known articles; --full re-reads everything
    (use `govnews revisit` for fresh view counts of known articles).
    Articles that failed for a passing reason (a 5xx, a timeout, a storage error) are tried
    again by the next crawl until they are stored or fail for good (404, not an article).
    Exits 0 when the crawl finished, even if some pages were rejected (see the rejects table);
    1 when items could not be stored (a full disk, a lost database) or when it stored nothing
    because pages failed (every start URL unreachable); 130 when stopped by Ctrl-C (a first
    Ctrl-C stops cleanly and keeps what was stored, a second forces).

    \b
    Example:
        govnews crawl tangshan_gxq
        govnews crawl --all --site-timeout 3600
        govnews crawl --sites-file hebei.txt --db postgresql+psycopg://u@h/news
        govnews crawl --start-url http://www.example.gov.cn/xwzx/qndt/ --db sqlite:///news.db
    """
    if every or sites_file or len(sites) > 1:
        if start_urls:
            raise click.UsageError("--start-url goes with one SITE, not a fleet of sites")
        from crawler.commands.fleet import (
            FLEET_SETTINGS,
            FleetOptions,
            crawl_fleet,
            resolve_profiles,
        )
        from crawler.settings import GOVNEWS_SITES_DIRS

        profiles = resolve_profiles(sites, every, sites_file, GOVNEWS_SITES_DIRS)
        shared = {**crawl_settings(resolve_db(db), quiet, verbose), **FLEET_SETTINGS, **extra}
        options = FleetOptions(resolve_db(db), shared, site_timeout, full, since, max_pages)
        crawl_fleet(profiles, options, workers)
        return
    if workers is not None:
        raise click.UsageError("--workers goes with several sites (a fleet), not one")
    site = sites[0] if sites else None
    if not site and not start_urls:
        raise click.UsageError("give a SITE profile name or at least one --start-url")
    urls = [_check_url(u) for u in start_urls]
    profile: SiteProfile | None = None
    if site:
        from crawler.settings import GOVNEWS_SITES_DIRS

        try:
            profile = load_profile(site, GOVNEWS_SITES_DIRS)
        except ProfileError as exc:
            raise click.ClickException(str(exc)) from None
    overrides = crawl_settings(resolve_db(db), quiet, verbose)
    if profile is not None:
        overrides.update(profile_overrides(profile))
    overrides.update(extra)
    db_url = resolve_db(db)
    name = profile.name if profile else SiteProfile.generic(urls).name
    outcome = run_checked(
        DistrictSpider,
        overrides,
        site=name,
        db_url=db_url,
        start_urls=urls or (profile.start_urls if profile else None),
        profile=profile,
        start_url=urls or None,
        max_pages=max_pages,
        full=full,
        since=since.date().isoformat() if since else None,
    )
    finish_command(outcome, db_url, f"crawl of {name}")
