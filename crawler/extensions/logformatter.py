"""Scrapy's log formatter, minus the two DEBUG lines per page when they would not be shown.

Scrapy builds a log record for "Crawled (200) <GET …>" on every response and "Scraped from …"
(the whole item) on every item, and only then lets the handler drop it below ``LOG_LEVEL``:
about 2 % of a crawl's reactor time at govnews's default INFO (``benchmarks/crawl.py``). Returning
None from the formatter is Scrapy's documented way to log nothing. At ``LOG_LEVEL = DEBUG`` both
lines are logged as usual. Selected by ``LOG_FORMATTER``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.spiders import Spider
from twisted.python.failure import Failure


class LogFormatter(logformatter.LogFormatter):
    """Skips ``crawled`` and ``scraped`` messages below the crawl's ``LOG_LEVEL``."""

    def __init__(self, level: int = logging.DEBUG) -> None:
        self.debug = level <= logging.DEBUG

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LogFormatter:
        level = crawler.settings.get("LOG_LEVEL", "DEBUG")
        numeric = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
        return cls(numeric if isinstance(numeric, int) else logging.DEBUG)

    # Scrapy's stubs do not say so, but its callers check for None (the documented way to skip)
    def crawled(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider
    ) -> logformatter.LogFormatterResult | None:
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(  # type: ignore[override]
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> logformatter.LogFormatterResult | None:
        return super().scraped(item, response, spider) if self.debug else None
