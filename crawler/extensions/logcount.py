"""``log_count/<LEVEL>`` stats that count a crawler's own log records, for fleets of crawlers.

Scrapy's ``LogCount`` extension puts one handler per crawler on the root logger, and each counts
every record it sees: in a fleet crawl (a crawler per site in one process) one site's error was
counted by every site, so healthy sites' runs showed errors and ``govnews health`` flagged them.
This one counts a record for a crawler when the record names that crawler or its spider (Scrapy
and spider loggers pass ``extra={"spider": …}``), and counts a record that names none only when
its crawler is the only one counting in the process (one site: every record is its own, as
before). It replaces Scrapy's in ``crawler.settings.EXTENSIONS_BASE``, under the same stats
names, which the storage pipeline writes into ``crawl_runs.errors``.
"""

from __future__ import annotations

import logging
from typing import ClassVar, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler


class _OwnRecordsCounter(logging.Handler):
    """Counts the records of one crawler into its stats (see the module docstring)."""

    #: the counters installed in this process, to tell whether a record naming no crawler is
    #: unambiguous
    live: ClassVar[set[_OwnRecordsCounter]] = set()

    def __init__(self, crawler: Crawler, level: int | str) -> None:
        super().__init__(level=level)
        self.crawler = crawler

    def owns(self, record: logging.LogRecord) -> bool:
        spider = getattr(record, "spider", None)
        crawler = getattr(record, "crawler", None) or getattr(spider, "crawler", None)
        if crawler is not None:
            return crawler is self.crawler
        return len(self.live) == 1

    def emit(self, record: logging.LogRecord) -> None:
        if self.owns(record) and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"log_count/{record.levelname}")


class SiteLogCount:
    """Scrapy's ``LogCount``, counting only the crawler's own records."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.handler: _OwnRecordsCounter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.handler = _OwnRecordsCounter(self.crawler, self.crawler.settings.get("LOG_LEVEL"))
        _OwnRecordsCounter.live.add(self.handler)
        logging.root.addHandler(self.handler)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.handler is not None:
            logging.root.removeHandler(self.handler)
            _OwnRecordsCounter.live.discard(self.handler)
            self.handler = None
