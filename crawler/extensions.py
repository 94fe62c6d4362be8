"""Small Scrapy extensions for govnews.

:class:`ProgressReporter` prints one progress line (pages, articles, rejects, rate) to stderr
every ``GOVNEWS_PROGRESS_INTERVAL`` seconds; it is on when ``GOVNEWS_PROGRESS`` is true (the
CLI sets it unless ``--quiet``), so long unattended crawls show they are alive.

:class:`LogFilters` (always on) installs :mod:`crawler.logfilters`.

:class:`GcTuning` (always on) makes the cyclic garbage collector cheaper for a crawl.
"""

from __future__ import annotations

import gc
import sys
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler import logfilters
from crawler.items import ArticleItem, RejectItem
from crawler.periodic import Every


class ProgressReporter:
    """Periodic one-line progress on stderr, plus counts the CLI summary reads."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.articles = 0
        self.rejects = 0
        self.with_views = 0
        self.started = time.monotonic()
        self._loop: Every | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        if not crawler.settings.getbool("GOVNEWS_PROGRESS"):
            # off is the usual case (quiet runs, every site of a fleet crawl): no reason given,
            # because Scrapy logs a NotConfigured reason as a WARNING, once per crawler
            raise NotConfigured
        ext = cls(crawler, crawler.settings.getfloat("GOVNEWS_PROGRESS_INTERVAL", 5.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self._loop = Every(self.interval, self.report)
        self._loop.start()

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if isinstance(item, ArticleItem):
            self.articles += 1
            self.with_views += item.views is not None
        elif isinstance(item, RejectItem):
            self.rejects += 1

    def line(self) -> str:
        stats = self.crawler.stats
        pages = int(stats.get_value("response_received_count", 0)) if stats else 0
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return (
            f"pages {pages} · articles {self.articles} · rejects {self.rejects} · "
            f"{pages / elapsed:.1f} pages/s · {elapsed:.0f}s"
        )

    def report(self) -> None:
        print(f"govnews: {self.line()}", file=sys.stderr, flush=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop is not None:
            self._loop.stop()


class LogFilters:
    """Always on: installs :mod:`crawler.logfilters` (one-line robots.txt errors) before the
    downloader logs anything."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LogFilters:
        logfilters.install()
        return cls()


class GcTuning:
    """Freeze what exists when the engine starts, and collect the youngest objects less often.

    Everything imported and built before the first request (Scrapy, Twisted, lxml, SQLAlchemy,
    the extraction tables) lives as long as the process; the collector's full passes still
    walked all of it, and a crawl allocates so fast that a pass ran every few pages: ≈ 1.2 s of a
    3000-page crawl's reactor thread, 0.4 s after (``benchmarks/crawl.py``,
    docs/performance.md). Objects allocated later are still collected as usual. When the engine
    stops, both are undone, so a process that runs several crawls (a script, the tests) does not
    keep each one's leftovers frozen.
    """

    #: allocations (net of deallocations) between two youngest-generation passes (Python: 700)
    GEN0_THRESHOLD = 10_000

    def __init__(self) -> None:
        self.saved: tuple[int, int, int] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcTuning:
        ext = cls()
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self) -> None:
        gc.freeze()  # no collect() first: a full pass here would cost more than it frees
        self.saved = gen0, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(max(self.GEN0_THRESHOLD, gen0), gen1, gen2)

    def engine_stopped(self) -> None:
        if self.saved is not None:
            gc.unfreeze()
            gc.set_threshold(*self.saved)
            self.saved = None
