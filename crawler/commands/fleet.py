"""Many sites in one crawl: ``govnews crawl SITE SITE …``, ``--all`` and ``--sites-file FILE``.

One process, one Scrapy ``AsyncCrawlerProcess``, one ``Crawler`` per site, all on one event
loop (:func:`crawler.runtime.runner.run_crawls`). One crawler per site rather than one spider over
many
sites, because everything a site owns is already per crawler and stays as it is for a single
site: its politeness (``DOWNLOAD_DELAY``, concurrency, AutoThrottle, robots.txt, user agent are
crawler settings), its ``crawl_runs`` row and lock (the storage pipeline), its incremental state
(the spider's plan) and its stats (the run row's figures that ``govnews health`` reads). A site
that fails to open, errors or is stopped by ``--site-timeout`` (``CLOSESPIDER_TIMEOUT``) ends
alone; the others go on. The cost of many crawlers is a few engines' worth of objects per site.

Settings every fleet crawl adds (:data:`FLEET_SETTINGS`): Scrapy's broad-crawl advice where it
applies (a downloader-aware priority queue so that a crawl's hosts share its slots fairly, the
DNS cache and a larger resolver thread pool for hundreds of hosts), no extraction worker and no
writer process per site (each would be a process per site; docs/performance.md), one database
engine and connection pool shared by every site (an engine per site would hold a connection
each: a hundred sites exhaust PostgreSQL's ``max_connections``), and no per-site progress line
(the table at the end has a line per site).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from crawler.commands.summary import crawl_summaries
from crawler.runtime.interrupt import EXIT_INTERRUPTED
from crawler.runtime.runner import CrawlJob, CrawlOutcome, profile_overrides, run_crawls
from crawler.sites import ProfileError, SiteProfile, available_profiles, load_profile
from crawler.spiders.district import DistrictSpider
from pipelines.db.migrate import upgrade
from pipelines.db.runs import CrawlLockedError, ensure_site_free
from pipelines.db.session import shared_engine

FLEET_SETTINGS: dict[str, Any] = {
    "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
    "DNSCACHE_ENABLED": True,
    "REACTOR_THREADPOOL_MAXSIZE": 20,
    "GOVNEWS_EXTRACT_WORKERS": "0",
    "GOVNEWS_PROGRESS": False,
    # one engine and pool for every site, not one each (pipelines/storage.py)
    "GOVNEWS_DB_SHARED_ENGINE": True,
}


def read_sites_file(path: Path) -> list[str]:
    """Site names (or .toml paths) from a file, one a line; blank lines and ``#`` comments
    are skipped, so a fleet's file can say why a site is in it."""
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.append(name)
    return names


def resolve_profiles(
    names: Sequence[str], every: bool, sites_file: Path | None, dirs: Iterable[str]
) -> list[SiteProfile]:
    """The fleet's profiles, each once, in the order given (``--all``: by name)."""
    dirs = list(dirs)
    wanted = list(names) + (read_sites_file(sites_file) if sites_file else [])
    try:
        # every profile is read once (a name at a time would read them all for each name)
        known = available_profiles(dirs)
        found: dict[str, SiteProfile] = {}
        for name in wanted:
            if name.endswith(".toml") or name not in known:
                profile = load_profile(name, dirs)  # a path, or the unknown-site error
            else:
                profile = known[name]
            found[profile.name] = profile
        if every:
            found.update(sorted(known.items()))
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    if not found:
        raise click.UsageError("no site to crawl: the sites file lists none")
    return list(found.values())


def site_failure(outcome: CrawlOutcome, row: dict[str, Any]) -> str | None:
    """Why a site's crawl counts as failed (the same rules as a single-site crawl's exit
    status, plus a crawl cut short by ``--site-timeout``), or None."""
    if outcome.error:
        return f"could not run: {outcome.error}"
    if outcome.crawler.spider is None or outcome.finish_reason is None:
        return "could not start (see the log)"
    if outcome.interrupted:
        return "interrupted"
    failed = outcome.stat("govnews/storage/errors")
    if failed:
        return f"{failed} item(s) could not be stored"
    if outcome.finish_reason not in ("finished", "shutdown"):
        return f"stopped early ({outcome.finish_reason})"
    rejects, errors = int(row.get("rejects", 0)), outcome.stat("log_count/ERROR")
    if int(row.get("articles", 0)) == 0 and (rejects or errors):
        return f"stored no article: {rejects} pages rejected, {errors} errors"
    return None


def crawl_fleet(
    profiles: Sequence[SiteProfile],
    db_url: str,
    shared: dict[str, Any],
    *,
    site_timeout: float | None,
    full: bool,
    since: datetime | None,
    max_pages: int | None,
) -> None:
    """Crawl every profile concurrently, print one line per site, exit as the fleet deserves:
    ``shared`` are the settings of every site (the CLI's, :data:`FLEET_SETTINGS`, ``-s``);
    130 after Ctrl-C, 1 when any site failed or was locked by another run, else 0."""
    problems: dict[str, str] = {}
    jobs, names = [], []
    # the schema once for the fleet, not a migration check per site as each opens
    upgrade(db_url)
    shared = {**shared, "GOVNEWS_DB_UPGRADE": False}
    engine = shared_engine(db_url)  # the storage pipelines' one too (GOVNEWS_DB_SHARED_ENGINE)
    for profile in profiles:
        if not shared.get("GOVNEWS_REDIS_URL"):
            try:
                ensure_site_free(db_url, profile.name, start_urls=profile.start_urls, engine=engine)
            except CrawlLockedError as exc:
                problems[profile.name] = str(exc)
                continue
        settings = {**shared, **profile_overrides(profile)}
        if site_timeout:
            settings["CLOSESPIDER_TIMEOUT"] = site_timeout
        kwargs = {
            "site": profile.name,
            "profile": profile,
            "max_pages": max_pages,
            "full": full,
            "since": since.date().isoformat() if since else None,
        }
        jobs.append(CrawlJob(DistrictSpider, settings, kwargs))
        names.append(profile.name)
    outcomes = run_crawls(jobs, shared) if jobs else []
    rows: dict[str, dict[str, Any]] = dict(
        zip(names, crawl_summaries(outcomes, engine), strict=True)
    )
    for name, outcome in zip(names, outcomes, strict=True):
        failure = site_failure(outcome, rows[name])
        if failure:
            problems[name] = failure
    _print_table([p.name for p in profiles], rows, problems)
    if any(o.interrupted for o in outcomes):
        click.echo("fleet crawl interrupted", err=True)
        if any(o.stopped_by is not None and o.stopped_by.name == "SIGINT" for o in outcomes):
            raise click.exceptions.Exit(EXIT_INTERRUPTED)
        return
    if problems:
        raise click.ClickException(
            f"{len(problems)} of {len(profiles)} sites failed: {', '.join(sorted(problems))}"
        )


def _print_table(
    order: list[str], rows: dict[str, dict[str, Any]], problems: dict[str, str]
) -> None:
    width = max(len(n) for n in order)
    click.echo(f"fleet crawl of {len(order)} sites: {len(order) - len(problems)} ok")
    click.echo(f"  {'site':<{width}}  {'pages':>6} {'articles':>8} {'rejects':>7} {'seconds':>7}")
    for name in order:
        row = rows.get(name, {})
        line = (
            f"  {name:<{width}}  {row.get('pages', 0):>6} {row.get('articles', 0):>8}"
            f" {row.get('rejects', 0):>7} {row.get('seconds', 0):>7}"
        )
        problem = problems.get(name)
        click.echo(f"{line}  {'FAILED: ' + problem if problem else row.get('status', 'ok')}")
