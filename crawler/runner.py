"""Run a spider in this process with the project settings plus overrides.

Used by ``govnews crawl``, ``govnews demo`` and ``govnews revisit``: one place that builds
settings (database URL, quiet/progress, per-site politeness from the profile) and runs Scrapy.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from twisted.python.failure import Failure

from crawler.sites import SiteProfile


@dataclass
class CrawlOutcome:
    """What a finished crawl did, for the CLI summary."""

    crawler: Crawler
    seconds: float
    #: why the crawl could not run (a pipeline refused to open, a bad spider argument …)
    error: str | None = None

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


class _OneLineErrors(logging.Filter):
    """Scrapy's robots.txt middleware logs an unreachable host with a full traceback; the
    failure is already a reject row with its reason, so one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            exc, message = record.exc_info[1], record.getMessage()
            record.msg = message if str(exc) in message else f"{message} ({exc})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def run_spider(
    spidercls: type[Spider], settings_overrides: dict[str, Any] | None = None, **spider_kwargs: Any
) -> CrawlOutcome:
    """Run one spider to the end (blocking) and return its crawler for stats."""
    process = CrawlerProcess(project_settings(settings_overrides))
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_OneLineErrors())
    crawler = process.create_crawler(spidercls)
    started = time.monotonic()
    errors: list[str] = []

    def _failed(failure: Failure) -> None:
        errors.append(failure.getErrorMessage())

    process.crawl(crawler, **spider_kwargs).addErrback(_failed)
    process.start()
    return CrawlOutcome(
        crawler=crawler, seconds=time.monotonic() - started, error=errors[0] if errors else None
    )
