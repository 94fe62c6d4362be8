"""Many sites in one crawl: ``govnews crawl SITE SITE …``, ``--all`` and ``--sites-file FILE``.

One command, one Scrapy ``Crawler`` per site, all of a process's on one event loop
(:func:`crawler.runtime.runner.run_crawls`); a fleet of more than :data:`SITES_PER_WORKER` sites
on a machine with several cores is split over one forked worker process per core
(:mod:`crawler.runtime.workers`, ``--workers``), because what one loop does per site outside its
pages (opening and closing its crawler) is serial. One crawler per site rather than one spider
over many sites, because everything a site owns is already per crawler and stays as it is for a
single site: its politeness (``DOWNLOAD_DELAY``, concurrency, AutoThrottle, robots.txt, user
agent are crawler settings), its ``crawl_runs`` row and lock (the storage pipeline), its
incremental state (the spider's plan) and its stats (the run row's figures that ``govnews
health`` reads). A site that fails to open, errors or is stopped by ``--site-timeout``
(``CLOSESPIDER_TIMEOUT``) ends alone; the others go on. The cost of many crawlers is a few
engines' worth of objects per site.

Settings every fleet crawl adds (:data:`FLEET_SETTINGS`): Scrapy's broad-crawl advice where it
applies (a downloader-aware priority queue so that a crawl's hosts share its slots fairly, the
DNS cache and a larger resolver thread pool for hundreds of hosts), one database engine and
connection pool shared by every site (an engine per site would hold a connection each: a hundred
sites exhaust PostgreSQL's ``max_connections``), and no per-site progress line (the table at the
end has a line per site).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine

from crawler.commands.summary import crawl_summaries
from crawler.runtime.interrupt import EXIT_INTERRUPTED
from crawler.runtime.runner import (
    CrawlJob,
    CrawlOutcome,
    profile_overrides,
    project_settings,
    run_crawls,
)
from crawler.runtime.workers import run_forked, split, usable_cores
from crawler.sites import ProfileError, SiteProfile, available_profiles, load_profile
from crawler.spiders.district import DistrictSpider
from pipelines.db.migrate import upgrade
from pipelines.db.runs import (
    DEFAULT_STALE_AFTER,
    CrawlLockedError,
    claim_runs,
    end_runs,
    start_runs,
)
from pipelines.db.session import shared_engine

FLEET_SETTINGS: dict[str, Any] = {
    "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
    "DNSCACHE_ENABLED": True,
    "REACTOR_THREADPOOL_MAXSIZE": 20,
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


@dataclass
class FleetOptions:
    """What every site of a fleet crawl is crawled with."""

    db_url: str
    #: the settings of every site: the CLI's, :data:`FLEET_SETTINGS`, ``-s``
    shared: dict[str, Any]
    site_timeout: float | None = None
    full: bool = False
    since: datetime | None = None
    max_pages: int | None = None
    #: each site's crawl_runs row, started by the fleet (:func:`_start_runs`)
    run_ids: dict[str, int] = field(default_factory=dict)


@dataclass
class PartResult:
    """What crawling some of a fleet's sites gave: a summary row and any failure per site, and
    the signal (by name) that interrupted it."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    stopped_by: str | None = None


def crawl_fleet(
    profiles: Sequence[SiteProfile], options: FleetOptions, workers: int | None = None
) -> None:
    """Crawl every profile concurrently, print one line per site, exit as the fleet deserves:
    130 after Ctrl-C, 1 when any site failed or was locked by another run, else 0.

    ``workers``: processes to split the sites over (None: one per core, at most one per
    :data:`SITES_PER_WORKER` sites; see :mod:`crawler.runtime.workers`)."""
    problems: dict[str, str] = {}
    # the schema once for the fleet, not a migration check per site as each opens
    upgrade(options.db_url)
    engine = shared_engine(options.db_url)  # the storage pipelines' one too
    run_ids, locked = _start_runs(profiles, options, engine)
    problems.update({name: str(exc) for name, exc in locked.items()})
    free = [profile for profile in profiles if profile.name in run_ids]
    shared = {**options.shared, "GOVNEWS_DB_UPGRADE": False}
    options = dataclasses.replace(options, shared=shared, run_ids=run_ids)
    groups = split(free, workers or auto_workers(len(free)))
    if len(groups) > 1:
        # no connection crosses the fork: the workers' engines start with empty pools
        engine.dispose()
        results = run_forked(groups, functools.partial(crawl_part, options=options))
    else:
        results = [crawl_part(group, options) for group in groups]
    rows: dict[str, dict[str, Any]] = {}
    stopped: list[str] = []
    for group, result in zip(groups, results, strict=True):
        if result is None:
            problems.update({p.name: "its worker process died (see the log)" for p in group})
            end_runs(engine, [run_ids[p.name] for p in group], "failed")
            continue
        rows.update(result.rows)
        problems.update(result.problems)
        if result.stopped_by:
            stopped.append(result.stopped_by)
    _print_table([p.name for p in profiles], rows, problems)
    if stopped:
        click.echo("fleet crawl interrupted", err=True)
        if "SIGINT" in stopped:
            raise click.exceptions.Exit(EXIT_INTERRUPTED)
        return
    if problems:
        raise click.ClickException(
            f"{len(problems)} of {len(profiles)} sites failed: {', '.join(sorted(problems))}"
        )


def _start_runs(
    profiles: Sequence[SiteProfile], options: FleetOptions, engine: Engine
) -> tuple[dict[str, int], dict[str, CrawlLockedError]]:
    """Every site's ``crawl_runs`` row, started in one transaction before any crawler opens
    (each pipeline adopts its own: ``GOVNEWS_CRAWL_RUN_ID``), and the sites a live run holds,
    with the same lock rules as a single-site crawl (off for scale-out workers)."""
    settings = project_settings(options.shared)
    lock = settings.getbool("GOVNEWS_RUN_LOCK", not settings.get("GOVNEWS_REDIS_URL"))
    stale = settings.getfloat("GOVNEWS_LOCK_STALE_SECONDS", DEFAULT_STALE_AFTER)
    wanted = {profile.name: profile.start_urls for profile in profiles}
    return start_runs(engine, wanted, lock=lock, stale_after=stale)


#: the fewest sites that get a worker process of their own: below it, the start-up and close of
#: the sites' crawlers is a tenth of a second and one process is simpler to watch; at 50 sites
#: two workers already took PostgreSQL from 0.94 to 0.96 of the politeness bound
#: (benchmarks/fleet.py)
SITES_PER_WORKER = 20


def auto_workers(sites: int) -> int:
    """One process per core, at most one per :data:`SITES_PER_WORKER` sites."""
    return max(1, min(usable_cores(), math.ceil(sites / SITES_PER_WORKER)))


def crawl_part(profiles: Sequence[SiteProfile], options: FleetOptions) -> PartResult:
    """Crawl ``profiles`` concurrently in this process; their summary rows and failures."""
    jobs = []
    for profile in profiles:
        settings = {**options.shared, **profile_overrides(profile)}
        if options.site_timeout:
            settings["CLOSESPIDER_TIMEOUT"] = options.site_timeout
        if profile.name in options.run_ids:
            settings["GOVNEWS_CRAWL_RUN_ID"] = options.run_ids[profile.name]
        kwargs = {
            "site": profile.name,
            "profile": profile,
            "max_pages": options.max_pages,
            "full": options.full,
            "since": options.since.date().isoformat() if options.since else None,
        }
        jobs.append(CrawlJob(DistrictSpider, settings, kwargs))
    engine = shared_engine(options.db_url)
    claim_runs(engine, [options.run_ids[p.name] for p in profiles if p.name in options.run_ids])
    outcomes = run_crawls(jobs, options.shared) if jobs else []
    names = [p.name for p in profiles]
    unopened: dict[str, list[int]] = {}  # runs whose crawl never opened its pipeline
    for name, outcome in zip(names, outcomes, strict=True):
        if name in options.run_ids and outcome.crawl_run_id is None:
            status = "interrupted" if outcome.interrupted else "failed"
            unopened.setdefault(status, []).append(options.run_ids[name])
    for status, run_ids in unopened.items():
        end_runs(engine, run_ids, status)
    summaries = crawl_summaries(outcomes, engine)
    result = PartResult(rows=dict(zip(names, summaries, strict=True)))
    for name, outcome in zip(names, outcomes, strict=True):
        failure = site_failure(outcome, result.rows[name])
        if failure:
            result.problems[name] = failure
        if outcome.stopped_by is not None and result.stopped_by is None:
            result.stopped_by = outcome.stopped_by.name
    return result


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
