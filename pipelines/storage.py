"""StoragePipeline: writes articles, view-count readings and rejects in batched transactions.

Settings: ``GOVNEWS_DB`` (SQLAlchemy URL), ``GOVNEWS_BATCH_SIZE`` (items per transaction,
default 100), ``GOVNEWS_FLUSH_SECONDS`` (the longest an item waits in a batch, default 5),
``GOVNEWS_RUN_LOCK`` (refuse a second concurrent run of a site; default on unless
``GOVNEWS_REDIS_URL`` is set, where several workers share one crawl),
``GOVNEWS_LOCK_STALE_SECONDS`` (default 300), ``GOVNEWS_CRAWL_RUN_ID`` (a run started for this
crawl already: a fleet crawl starts all its sites' runs in one transaction). On open it migrates
the database to head and starts a ``crawl_runs`` row (``spider.crawl_run_id``); each batch is one
transaction (articles upserted, one ``view_counts`` row per reading, rejects, the run's
heartbeat), so a killed crawl keeps every committed batch and a rerun upserts the same rows
without duplicates. The buffer is also written when the crawl goes idle, and every write ends
with the :data:`crawler.items.items_stored` signal: a scale-out worker holds the requests behind
buffered items in Redis until then. The run is finished on ``spider_closed`` (which carries the
close reason) with pages, items, rejects, errors and the full stats as JSON. A run with items
that could not be stored (a full disk, a lost connection: ``storage_error`` rejects, or none when
even those cannot be written) counts them in ``errors`` and ends ``incomplete``, not
``finished``: ``govnews crawl`` then exits non-zero and the next crawl reads every list page.

A batch is written when it is full or when its oldest item has waited ``GOVNEWS_FLUSH_SECONDS``.
At production politeness a site yields an article a second or slower, so a size-only batch of
100 would hold a site's articles for minutes (invisible to ``govnews search``, and what a crash
loses) and a fleet's sites would all write their piles at once as they close: with the timer the
writes are spread over the crawl and the close only writes the last few seconds' items
(benchmarks/fleet.py). Batches are written on the crawl's own thread: a writer process was
measured to gain nothing at production politeness (docs/performance.md, "Fleet"). The sites of a
fleet crawl (``GOVNEWS_DB_SHARED_ENGINE``) write their batches together, in one transaction on
one timer (:mod:`pipelines.writegroup`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from twisted.internet.task import LoopingCall

from crawler.items import ArticleItem, RejectItem, ViewReadingItem, items_stored
from pipelines.db.batch import Stored, Target, Written, store_batch
from pipelines.db.migrate import upgrade
from pipelines.db.runs import DEFAULT_STALE_AFTER, finish_run, heartbeat, start_run
from pipelines.db.session import make_engine, make_session_factory, shared_engine
from pipelines.writegroup import WriteGroup

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 30.0
#: the longest an item waits in the buffer before its batch is written (GOVNEWS_FLUSH_SECONDS)
FLUSH_SECONDS = 5.0


class StoragePipeline:
    def __init__(
        self,
        db_url: str,
        batch_size: int = 100,
        *,
        crawler: Crawler | None = None,
        lock: bool = True,
        stale_after: float = DEFAULT_STALE_AFTER,
        shared_engine: bool = False,
        migrate: bool = True,
        flush_seconds: float = FLUSH_SECONDS,
        run_id: int | None = None,
    ) -> None:
        self.db_url = db_url
        self.batch_size = max(1, batch_size)
        self.crawler = crawler
        self.lock = lock
        self.stale_after = stale_after
        self.engine: Engine | None = None
        self.factory: sessionmaker[Session] | None = None
        self.crawl_run_id: int | None = None
        #: GOVNEWS_CRAWL_RUN_ID: a run already started for this crawl (a fleet starts its sites'
        #: runs together, pipelines.db.runs.start_runs), adopted instead of starting one
        self.given_run_id = run_id
        self.site: str | None = None
        self.buffer: list[Stored] = []
        self.articles = self.rejects = self.readings = 0
        #: items that could not be stored (database errors), counted in crawl_runs.errors
        self.store_errors = 0
        self._heartbeat_loop: AsyncioLoopingCall | LoopingCall | None = None
        self._finished = False
        #: True (GOVNEWS_DB_SHARED_ENGINE, on in a fleet crawl): every site of the process
        #: writes through one engine and its pool (:func:`pipelines.db.session.shared_engine`)
        #: instead of an engine per site: a fleet of N sites would otherwise hold N connections
        #: open, beyond PostgreSQL's max_connections (100 by default) at a hundred sites
        self.shared_engine = shared_engine
        #: False (GOVNEWS_DB_UPGRADE, off in a fleet crawl, which upgrades once up front): no
        #: schema check as the spider opens
        self.migrate = migrate
        self.flush_seconds = max(0.1, flush_seconds)
        self.heartbeat_seconds = HEARTBEAT_SECONDS
        #: the process's other pipelines on this database, batched together (shared engine)
        self.group: WriteGroup | None = None
        #: when the last transaction (a batch or a heartbeat) moved the run's heartbeat
        self._last_beat = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        s = crawler.settings
        pipe = cls(
            s.get("GOVNEWS_DB") or "sqlite:///govnews.db",
            s.getint("GOVNEWS_BATCH_SIZE", 100),
            crawler=crawler,
            lock=s.getbool("GOVNEWS_RUN_LOCK", not s.get("GOVNEWS_REDIS_URL")),
            stale_after=s.getfloat("GOVNEWS_LOCK_STALE_SECONDS", DEFAULT_STALE_AFTER),
            shared_engine=s.getbool("GOVNEWS_DB_SHARED_ENGINE", False),
            migrate=s.getbool("GOVNEWS_DB_UPGRADE", True),
            flush_seconds=s.getfloat("GOVNEWS_FLUSH_SECONDS", FLUSH_SECONDS),
            run_id=s.getint("GOVNEWS_CRAWL_RUN_ID") or None,
        )
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipe.spider_idle, signal=signals.spider_idle)
        return pipe

    # -- lifecycle -----------------------------------------------------------------------

    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or (self.crawler.spider if self.crawler else None)
        if self.migrate:
            upgrade(self.db_url)
        self.engine = shared_engine(self.db_url) if self.shared_engine else make_engine(self.db_url)
        self.factory = make_session_factory(self.engine)
        self.site = str(getattr(spider, "site_name", None) or getattr(spider, "name", "") or "?")
        start_urls = [str(u) for u in getattr(spider, "start_urls", None) or []]
        self.crawl_run_id = self.given_run_id or start_run(
            self.engine, self.site, start_urls, lock=self.lock, stale_after=self.stale_after
        )
        if spider is not None:
            spider.crawl_run_id = self.crawl_run_id  # type: ignore[attr-defined]
        logger.info("crawl run %s started for site %s", self.crawl_run_id, self.site)
        if self.shared_engine:
            self.group = WriteGroup.join(self, timer=_crawl_running())
        else:
            self._start_heartbeat()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem | RejectItem | ViewReadingItem):
            self.buffer.append(item)
            held = self.group.pending() if self.group else len(self.buffer)
            if held >= self.batch_size:
                self.flush()
        return item

    def close_spider(self, spider: Spider | None = None) -> Any:
        self.flush()
        self._stop_heartbeat()
        if self.crawler is None:  # no signals: finish here, the reason is unknown
            self.finish("finished")
        return None

    def spider_idle(self) -> None:
        """An idle crawl commits what it holds: a scale-out worker that waits for the others
        must not sit on items whose requests it has taken off the shared queue."""
        self.flush()

    def spider_closed(self, spider: Spider, reason: str = "finished") -> None:
        self.finish(reason)

    def finish(self, reason: str) -> None:
        if self._finished or self.engine is None or self.crawl_run_id is None:
            return
        self._finished = True
        self.flush()
        stats = self.crawler.stats.get_stats() if self.crawler and self.crawler.stats else {}
        pages = stats.get("response_received_count") or stats.get("downloader/response_count") or 0
        spider_exc = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
        # spider exceptions are logged as errors too: count them once; storage errors are
        # counted by the batch writer, not as log records
        errors = max(int(stats.get("log_count/ERROR", 0)), int(spider_exc)) + self.store_errors
        # "shutdown" is Scrapy's reason for a crawl stopped by Ctrl-C or SIGTERM
        status = {"shutdown": "interrupted"}.get(reason, reason)
        if self.store_errors and status == "finished":
            status = "incomplete"
        try:
            finish_run(
                self.engine,
                self.crawl_run_id,
                status=status,
                pages=int(pages),
                items=self.articles,
                rejects=self.rejects,
                errors=errors,
                stats=stats,
            )
        except Exception as exc:  # a full disk: the row stays 'running', the next run resumes
            logger.error("crawl run %s could not be finished: %r", self.crawl_run_id, exc)
            self._inc("govnews/storage/errors")
        finally:
            self._stop_heartbeat()
            if self.group is not None:
                self.group.leave(self)
                self.group = None
            if not self.shared_engine:
                self.engine.dispose()
        if self.store_errors:
            logger.error("crawl run %s: %d items not stored", self.crawl_run_id, self.store_errors)
        logger.info(
            "crawl run %s %s: %d articles, %d rejects, %d view readings",
            self.crawl_run_id,
            status,
            self.articles,
            self.rejects,
            self.readings,
        )

    # -- writing -------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the buffer as one transaction (in a group: with the other members' buffers),
        then say so (:data:`crawler.items.items_stored`, even for an empty buffer: what came
        before is committed all the same)."""
        if self.factory is None:
            return
        if self.group is not None:
            self.group.flush()
            return
        if self.buffer:
            counts = store_batch(self.factory, self.target(), self.take_buffer())
            self.count_written(counts, time.monotonic())
        self.announce_stored()

    # -- what a write group asks of its members -------------------------------------------

    def target(self) -> Target:
        """Where this pipeline's batches go."""
        return Target(self.db_url, self.crawl_run_id, self.site or "?")

    def take_buffer(self) -> list[Stored]:
        """The buffered items, leaving the buffer empty."""
        batch, self.buffer = self.buffer, []
        return batch

    def count_written(self, written: Written, at: float) -> None:
        """Count a batch that was written (at ``at``, monotonic: it moved the heartbeat too)."""
        self._last_beat = at
        self._count(written)

    def announce_stored(self) -> None:
        """Tell the crawl that every item handed over so far is committed."""
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(signal=items_stored)

    def beat_if_quiet(self) -> None:
        """Move the heartbeat when no batch has for ``heartbeat_seconds``."""
        if time.monotonic() - self._last_beat >= self.heartbeat_seconds:
            self._beat()

    def _count(self, written: Written) -> None:
        self.articles += written.articles
        self.rejects += written.rejects
        self.readings += written.readings
        self.store_errors += written.errors
        self._inc("govnews/storage/batches")
        self._inc("govnews/storage/articles", written.articles)
        self._inc("govnews/storage/rejects", written.rejects)
        self._inc("govnews/storage/view_counts", written.readings)
        self._inc("govnews/storage/errors", written.errors)
        self._inc("govnews/storage/revisions", written.revisions)
        self._inc("govnews/storage/removals", written.removals)

    # -- helpers -------------------------------------------------------------------------

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler is not None and self.crawler.stats is not None and count:
            self.crawler.stats.inc_value(key, count)

    def _tick(self) -> None:
        """Every ``flush_seconds``: write what waits; with nothing written for
        ``HEARTBEAT_SECONDS``, move the heartbeat alone. Never raises (a looping call that
        raised would stop)."""
        if self._finished:
            return
        try:
            self.flush()  # an empty buffer only says that what came before is committed
        except Exception as exc:  # store_batch counts its own failures; this is a bug
            logger.error("writing a batch failed: %r", exc)
        self.beat_if_quiet()

    def _beat(self) -> None:
        if self.engine is None or self.crawl_run_id is None or self._finished:
            return
        self._last_beat = time.monotonic()
        try:
            with self.engine.begin() as conn:
                heartbeat(conn, self.crawl_run_id)
        except Exception as exc:  # a missed heartbeat (a full disk too) is not worth failing on
            logger.warning("heartbeat failed: %s", exc)

    def _start_heartbeat(self) -> None:
        if not _crawl_running():
            return  # driven by hand (tests): each batch beats instead
        # Scrapy's looping call (asyncio or Twisted, whichever runs); _tick never raises
        self._heartbeat_loop = create_looping_call(self._tick)
        self._heartbeat_loop.start(min(self.flush_seconds, self.heartbeat_seconds), now=False)

    def _stop_heartbeat(self) -> None:
        if self._heartbeat_loop is not None and self._heartbeat_loop.running:
            self._heartbeat_loop.stop()
        self._heartbeat_loop = None


def _crawl_running() -> bool:
    """Whether Scrapy drives the pipeline (opened on its running event loop) rather than a test
    or a script calling it by hand."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
