"""Run a spider in this process with the project settings plus overrides.

Used by ``govnews crawl``, ``govnews demo`` and ``govnews revisit``: one place that builds
settings (database URL, quiet/progress, per-site politeness from the profile) and runs Scrapy.
"""

from __future__ import annotations

import asyncio
import signal
import time
from dataclasses import dataclass
from typing import Any

from scrapy import Spider
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


def run_spider(
    spidercls: type[Spider], settings_overrides: dict[str, Any] | None = None, **spider_kwargs: Any
) -> CrawlOutcome:
    """Run one spider to the end (blocking) and return its crawler for stats.

    ``AsyncCrawlerProcess`` runs the crawl on an asyncio event loop, with Twisted's asyncio
    reactor on it or, by default, without a reactor (``TWISTED_REACTOR_ENABLED``). Ctrl-C and
    SIGTERM are handled by :mod:`crawler.runtime.interrupt` instead of Scrapy's handlers.
    """
    process = AsyncCrawlerProcess(project_settings(settings_overrides))
    crawler = process.create_crawler(spidercls)
    started = time.monotonic()
    errors: list[str] = []

    with handling_interrupts(crawler) as interrupts:

        def _done(task: asyncio.Task[None]) -> None:
            interrupts.done = True
            if not task.cancelled() and task.exception() is not None:
                errors.append(str(task.exception()))

        process.crawl(crawler, **spider_kwargs).add_done_callback(_done)
        process.start(install_signal_handlers=False)
    outcome = CrawlOutcome(
        crawler=crawler,
        seconds=time.monotonic() - started,
        error=errors[0] if errors else None,
    )
    # a signal that came once the crawl had finished by itself interrupted nothing
    if outcome.finish_reason in (None, "shutdown"):
        outcome.stopped_by = interrupts.first
    return outcome
