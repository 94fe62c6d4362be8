"""Small Scrapy extensions for govnews.

:class:`ProgressReporter` prints one progress line (pages, articles, rejects, rate, and a total
with an ETA where the columns declare their size) to stderr every ``GOVNEWS_PROGRESS_INTERVAL``
seconds; it is on when ``GOVNEWS_PROGRESS`` is true (the
CLI sets it unless ``--quiet``), so long unattended crawls show they are alive.

:class:`LogFilters` (always on) installs :mod:`crawler.extensions.logfilters`.

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

from crawler.extensions import logfilters
from crawler.items import ArticleItem, RejectItem
from crawler.runtime.periodic import Every
from crawler.spiders.columns import COLUMNS_KEY, DATA_PAGERS


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def declared_size(columns: dict[str, Any], elapsed: float) -> str:
    """`` of 350 declared (23%, ETA 1m40s)`` from the sizes the columns declare (共N条 counts
    items, 共N页 pages; ``govnews/pagination/columns``), or "" when none does.

    Columns stopped on purpose (incremental, ``--since``, page limit) and data pagers' request
    counts are left out: their size is not what this crawl will read. The share of declared
    items (else of declared list pages) reached so far, at the rate so far, gives the ETA.
    """
    items = [
        (min(c.get("reached_items") or 0, c["declared_items"]), c["declared_items"])
        for c in columns.values()
        if isinstance(c, dict) and c.get("declared_items") and not c.get("stopped")
    ]
    pages = [
        (min(c.get("reached_pages") or 0, c["declared_pages"]), c["declared_pages"])
        for c in columns.values()
        if isinstance(c, dict)
        and c.get("declared_pages")
        and not c.get("stopped")
        and c.get("pager") not in DATA_PAGERS
    ]
    if items:
        done, total = sum(d for d, _ in items), sum(t for _, t in items)
        head, notes = f" of {total} declared", []
    elif pages:
        done, total = sum(d for d, _ in pages), sum(t for _, t in pages)
        head, notes = "", [f"list pages {done}/{total} declared"]
    else:
        return ""
    share = done / total
    if 0 < share < 1:
        notes += [f"{share:.0%}", f"ETA {_duration(elapsed * (1 - share) / share)}"]
    return head + (f" ({', '.join(notes)})" if notes else "")


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
        columns = stats.get_value(COLUMNS_KEY) if stats else None
        size = declared_size(columns if isinstance(columns, dict) else {}, elapsed)
        return (
            f"pages {pages} · articles {self.articles}{size} · rejects {self.rejects} · "
            f"{pages / elapsed:.1f} pages/s · {elapsed:.0f}s"
        )

    def report(self) -> None:
        print(f"govnews: {self.line()}", file=sys.stderr, flush=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop is not None:
            self._loop.stop()


class LogFilters:
    """Always on: installs :mod:`crawler.extensions.logfilters` (one-line robots.txt errors) before
    the
    downloader logs anything."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LogFilters:
        logfilters.install(crawler.settings.get("LOG_LEVEL", "INFO"))
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
    #: engines running in this process (a fleet runs many): the first to start freezes, the
    #: last to stop thaws, so that one site ending does not undo it under the others
    running = 0
    saved: tuple[int, int, int] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcTuning:
        ext = cls()
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self) -> None:
        cls = type(self)
        cls.running += 1
        if cls.running > 1:
            return
        gc.freeze()  # no collect() first: a full pass here would cost more than it frees
        cls.saved = gen0, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(max(self.GEN0_THRESHOLD, gen0), gen1, gen2)

    def engine_stopped(self) -> None:
        cls = type(self)
        cls.running = max(0, cls.running - 1)
        if cls.running == 0 and cls.saved is not None:
            gc.unfreeze()
            gc.set_threshold(*cls.saved)
            cls.saved = None
