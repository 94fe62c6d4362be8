"""Run a spider in this process with the project settings plus overrides.

Used by ``govnews crawl``, ``govnews demo`` and ``govnews revisit``: one place that builds
settings (database URL, quiet/progress, per-site politeness from the profile) and runs Scrapy.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings

from crawler.runtime.interrupt import handling_interrupts
from crawler.sites import SiteProfile


@dataclass
class CrawlOutcome:
    """What a finished crawl did, for the CLI summary."""

    crawler: Crawler
    seconds: float
    #: why the crawl could not run (a pipeline refused to open, a bad spider argument …)
    error: str | None = None
    #: the signal that stopped the crawl (SIGINT: Ctrl-C, or SIGTERM), see
    #: crawler/runtime/interrupt.py
    stopped_by: signal.Signals | None = None

    @property
    def interrupted(self) -> bool:
        return self.stopped_by is not None

    @property
    def finish_reason(self) -> str | None:
        stats = self.crawler.stats
        reason = stats.get_value("finish_reason") if stats else None
        return str(reason) if reason is not None else None

    def stat(self, key: str, default: int = 0) -> int:
        stats = self.crawler.stats
        value = stats.get_value(key, default) if stats else default
        return int(value or 0)

    @property
    def crawl_run_id(self) -> int | None:
        spider = self.crawler.spider
        run_id = getattr(spider, "crawl_run_id", None) if spider else None
        return int(run_id) if run_id is not None else None


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """The settings of :mod:`crawler.settings`, wherever the command is run from."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def profile_overrides(profile: SiteProfile) -> dict[str, Any]:
    """Per-site politeness from a profile, as Scrapy settings."""
    out: dict[str, Any] = {}
    if profile.concurrency is not None:
        out["CONCURRENT_REQUESTS_PER_DOMAIN"] = profile.concurrency
    if profile.download_delay is not None:
        out["DOWNLOAD_DELAY"] = profile.download_delay
    if profile.autothrottle is not None:
        out["AUTOTHROTTLE_ENABLED"] = profile.autothrottle
    if profile.user_agent:
        out["USER_AGENT"] = profile.user_agent
    if profile.obey_robots is not None:
        out["ROBOTSTXT_OBEY"] = profile.obey_robots
    return out


@dataclass
class CrawlJob:
    """One crawl of a process: the spider, its own settings over the project's, its arguments."""

    spidercls: type[Spider]
    settings: dict[str, Any]
    kwargs: dict[str, Any]


def run_spider(
    spidercls: type[Spider], settings_overrides: dict[str, Any] | None = None, **spider_kwargs: Any
) -> CrawlOutcome:
    """Run one spider to the end (blocking) and return its crawler for stats."""
    return run_crawls([CrawlJob(spidercls, settings_overrides or {}, spider_kwargs)])[0]


def run_crawls(
    jobs: Sequence[CrawlJob], shared: dict[str, Any] | None = None
) -> list[CrawlOutcome]:
    """Run every job concurrently in this process, to the end (blocking); one outcome each.

    ``AsyncCrawlerProcess`` runs the crawls on one asyncio event loop with Twisted's asyncio
    reactor on it, one ``Crawler`` per job: each job's settings (a site's politeness, robots,
    user agent) are that crawler's own, at command-line priority over ``shared``, which
    configures the process (logging, the reactor). One crawl failing to open or ending early
    does not stop the others. Ctrl-C and SIGTERM are handled by :mod:`crawler.runtime.interrupt`
    (for every crawl) instead of Scrapy's handlers.
    """
    process = AsyncCrawlerProcess(
        project_settings(shared if shared is not None else jobs[0].settings)
    )
    opening = _CollectorPause(len(jobs))
    crawlers = [Crawler(job.spidercls, project_settings(job.settings)) for job in jobs]
    for index, crawler in enumerate(crawlers):
        # Scrapy's signals hold receivers weakly: the pause keeps them
        receiver = opening.receivers[index]
        crawler.signals.connect(receiver, signals.engine_started)
    errors: dict[int, str] = {}
    ended: dict[int, float] = {}
    started = time.monotonic()

    with handling_interrupts(crawlers) as interrupts:

        def _done(index: int, task: asyncio.Future[None]) -> None:
            opening.opened(index)  # one that failed to open never starts its engine
            ended[index] = time.monotonic()
            if len(ended) == len(jobs):
                interrupts.done = True
            if not task.cancelled() and task.exception() is not None:
                errors[index] = str(task.exception())

        for index, (job, crawler) in enumerate(zip(jobs, crawlers, strict=True)):
            future = process.crawl(crawler, **job.kwargs)
            future.add_done_callback(functools.partial(_done, index))
        process.start(install_signal_handlers=False)
    opening.resume()
    outcomes = []
    for index, crawler in enumerate(crawlers):
        outcome = CrawlOutcome(
            crawler=crawler,
            seconds=ended.get(index, time.monotonic()) - started,
            error=errors.get(index),
        )
        # a signal that came once the crawl had finished by itself interrupted nothing
        if outcome.finish_reason in (None, "shutdown"):
            outcome.stopped_by = interrupts.first
        outcomes.append(outcome)
    return outcomes


class _CollectorPause:
    """Python's cyclic collector off while the crawlers are built and their engines open.

    Building a crawler allocates thousands of long-lived objects (settings, middlewares, the
    engine), and the collector's passes walk everything built so far again and again: a fleet of
    hundreds of sites spent a good part of its start-up in them (benchmarks/fleet.py). Nothing
    built then is garbage; once every engine has started (or its crawl ended without one), the
    collector is on again and ``GcTuning`` freezes what was built.
    """

    def __init__(self, count: int) -> None:
        self.pending = set(range(count))
        #: one engine_started receiver per crawler (index bound)
        self.receivers = [self._receiver(index) for index in range(count)]
        self.paused = gc.isenabled() and count > 1
        if self.paused:
            gc.disable()

    def _receiver(self, index: int) -> Callable[..., None]:
        # a plain function: Scrapy's dispatcher takes functions and methods, not partials
        def engine_started(**_: Any) -> None:
            self.opened(index)

        return engine_started

    def opened(self, index: int) -> None:
        self.pending.discard(index)
        if not self.pending:
            self.resume()

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            gc.enable()
