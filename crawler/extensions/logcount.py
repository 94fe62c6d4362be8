"""``log_count/<LEVEL>`` stats that count a crawler's own log records, for fleets of crawlers.

Scrapy's ``LogCount`` extension puts one handler per crawler on the root logger, and each counts
every record it sees: in a fleet crawl (a crawler per site in one process) one site's error was
counted by every site, so healthy sites' runs showed errors and ``govnews health`` flagged them.
This one is Scrapy's extension and handler with one rule added: a record counts for a crawler
when it names that crawler or its spider (Scrapy and spider loggers pass ``extra={"spider": …}``),
and a record that names none counts only when its crawler is the only one counting in the process
(one site: every record is its own, as before). It replaces Scrapy's in
``crawler.settings.EXTENSIONS_BASE``, under the same stats names, which the storage pipeline
writes into ``crawl_runs.errors``.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from scrapy import Spider
from scrapy.extensions.logcount import LogCount
from scrapy.utils.log import LogCounterHandler


class _OwnRecordsCounter(LogCounterHandler):
    """Scrapy's counting handler, for the records of its own crawler only."""

    #: the counters installed in this process, to tell whether a record naming no crawler is
    #: unambiguous
    live: ClassVar[set[_OwnRecordsCounter]] = set()

    def owns(self, record: logging.LogRecord) -> bool:
        spider = getattr(record, "spider", None)
        crawler = getattr(record, "crawler", None) or getattr(spider, "crawler", None)
        if crawler is not None:
            return crawler is self.crawler
        return len(self.live) == 1

    def emit(self, record: logging.LogRecord) -> None:
        if self.owns(record):
            super().emit(record)


class SiteLogCount(LogCount):
    """Scrapy's ``LogCount``, counting only the crawler's own records."""

    def spider_opened(self, spider: Spider) -> None:
        handler = _OwnRecordsCounter(self.crawler, level=self.crawler.settings.get("LOG_LEVEL"))
        _OwnRecordsCounter.live.add(handler)
        self.handler = handler
        logging.root.addHandler(handler)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if isinstance(self.handler, _OwnRecordsCounter):
            _OwnRecordsCounter.live.discard(self.handler)
        super().spider_closed(spider, reason)
