"""StoragePipeline: writes articles, view-count readings and rejects in batched transactions.

Settings: ``GOVNEWS_DB`` (SQLAlchemy URL), ``GOVNEWS_BATCH_SIZE`` (items per transaction,
default 100), ``GOVNEWS_RUN_LOCK`` (refuse a second concurrent run of a site; default on unless
``GOVNEWS_REDIS_URL`` is set, where several workers share one crawl), ``GOVNEWS_LOCK_STALE_SECONDS``
(default 300). On open it migrates the database to head and starts a ``crawl_runs`` row
(``spider.crawl_run_id``); each batch is one transaction (articles upserted, one ``view_counts``
row per reading, rejects, the run's heartbeat), so a killed crawl keeps every committed batch and
a rerun upserts the same rows without duplicates. The run is finished on ``spider_closed`` (which
carries the close reason) with pages, items, rejects, errors and the full stats as JSON.

While Scrapy's reactor runs, batches are written by one writer thread, in order, with at most
``MAX_PENDING_BATCHES`` waiting: the database's own work (SQLite's B-tree and FTS index updates,
commits; PostgreSQL round trips) releases the GIL, so it overlaps with fetching and parsing
instead of stopping the reactor thread, the crawl's bottleneck. Driven by hand (tests,
scripts), each batch is written at once. Either way every batch is written before the run is
finished, and the counts and stats are updated on the caller's thread.
"""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any, NamedTuple

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler.items import ArticleItem, RejectItem, ViewReadingItem
from pipelines.db.migrate import upgrade
from pipelines.db.models import Article, Reject, ViewCount
from pipelines.db.runs import DEFAULT_STALE_AFTER, finish_run, heartbeat, start_run, utcnow
from pipelines.db.session import make_engine, make_session_factory
from pipelines.db.upsert import article_row, as_utc, set_latest_views, upsert_articles

logger = logging.getLogger(__name__)
Stored = ArticleItem | RejectItem | ViewReadingItem
HEARTBEAT_SECONDS = 30.0
#: batches handed to the writer thread and not yet written; one more waits for the oldest
MAX_PENDING_BATCHES = 2
VIEW_COUNTS: Table = ViewCount.__table__  # type: ignore[assignment]
REJECTS: Table = Reject.__table__  # type: ignore[assignment]


class Written(NamedTuple):
    """What one batch wrote."""

    articles: int
    rejects: int
    readings: int
    errors: int = 0


class StoragePipeline:
    def __init__(
        self,
        db_url: str,
        batch_size: int = 100,
        *,
        crawler: Crawler | None = None,
        lock: bool = True,
        stale_after: float = DEFAULT_STALE_AFTER,
    ) -> None:
        self.db_url = db_url
        self.batch_size = max(1, batch_size)
        self.crawler = crawler
        self.lock = lock
        self.stale_after = stale_after
        self.engine: Engine | None = None
        self.factory: sessionmaker[Session] | None = None
        self.crawl_run_id: int | None = None
        self.site: str | None = None
        self.buffer: list[Stored] = []
        self.articles = self.rejects = self.readings = 0
        self._heartbeat_loop: Any = None
        self._finished = False
        self._writer: ThreadPoolExecutor | None = None
        self._pending: deque[Future[Written]] = deque()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        s = crawler.settings
        pipe = cls(
            s.get("GOVNEWS_DB") or "sqlite:///govnews.db",
            s.getint("GOVNEWS_BATCH_SIZE", 100),
            crawler=crawler,
            lock=s.getbool("GOVNEWS_RUN_LOCK", not s.get("GOVNEWS_REDIS_URL")),
            stale_after=s.getfloat("GOVNEWS_LOCK_STALE_SECONDS", DEFAULT_STALE_AFTER),
        )
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    # -- lifecycle -----------------------------------------------------------------------

    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or (self.crawler.spider if self.crawler else None)
        upgrade(self.db_url)
        self.engine = make_engine(self.db_url)
        self.factory = make_session_factory(self.engine)
        self.site = str(getattr(spider, "site_name", None) or getattr(spider, "name", "") or "?")
        start_urls = [str(u) for u in getattr(spider, "start_urls", None) or []]
        self.crawl_run_id = start_run(
            self.engine, self.site, start_urls, lock=self.lock, stale_after=self.stale_after
        )
        if spider is not None:
            spider.crawl_run_id = self.crawl_run_id  # type: ignore[attr-defined]
        logger.info("crawl run %s started for site %s", self.crawl_run_id, self.site)
        self._start_heartbeat()
        if _reactor_running():
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govnews-store")

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem | RejectItem | ViewReadingItem):
            self.buffer.append(item)
            if len(self.buffer) >= self.batch_size:
                self.flush()
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        self.flush()
        self._drain()
        self._stop_heartbeat()
        if self.crawler is None:  # no signals: finish here, the reason is unknown
            self.finish("finished")

    def spider_closed(self, spider: Spider, reason: str = "finished") -> None:
        self.finish(reason)

    def finish(self, reason: str) -> None:
        if self._finished or self.engine is None or self.crawl_run_id is None:
            return
        self._finished = True
        self.flush()
        self._drain()
        stats = self.crawler.stats.get_stats() if self.crawler and self.crawler.stats else {}
        pages = stats.get("response_received_count") or stats.get("downloader/response_count") or 0
        spider_exc = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
        # spider exceptions are logged as errors too: count them once
        errors = max(int(stats.get("log_count/ERROR", 0)), int(spider_exc))
        status = "finished" if reason == "finished" else reason
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
        finally:
            self._stop_heartbeat()
            self.engine.dispose()
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
        """Hand the buffer to the writer: the writer thread while the reactor runs, else now."""
        self._collect()
        if not self.buffer or self.factory is None:
            return
        batch, self.buffer = self.buffer, []
        if self._writer is None:
            self._count(self._store(batch))
            return
        if len(self._pending) >= MAX_PENDING_BATCHES:  # back-pressure: the database is behind
            self._collect(wait=1)
        self._pending.append(self._writer.submit(self._store, batch))

    def _collect(self, wait: int = 0) -> None:
        """Count the batches the writer has finished (on the reactor thread), waiting for the
        oldest ``wait`` of them."""
        while self._pending and (wait > 0 or self._pending[0].done()):
            wait -= 1
            future = self._pending.popleft()
            try:
                counts = future.result()
            except Exception:  # _store handles database errors; this is a bug, say so loudly
                logger.exception("storage writer failed on a batch")
                self._inc("govnews/storage/errors")
                continue
            self._count(counts)

    def _drain(self) -> None:
        """Wait for every batch handed to the writer, then stop it."""
        self._collect(wait=len(self._pending))
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None

    def _count(self, written: Written) -> None:
        self._inc("govnews/storage/batches")
        self._inc("govnews/storage/articles", written.articles)
        self._inc("govnews/storage/rejects", written.rejects)
        self._inc("govnews/storage/view_counts", written.readings)
        self._inc("govnews/storage/errors", written.errors)

    def _store(self, batch: list[Stored]) -> Written:
        """Write one batch in one transaction; if that fails, item by item (bad ones rejected).

        Runs on the writer thread (one batch at a time, in order), so it alone moves the totals.
        """
        errors = 0
        try:
            counts = self._write(batch)
        except SQLAlchemyError as exc:
            logger.warning("batch of %d failed (%s); writing item by item", len(batch), exc)
            counts = (0, 0, 0)
            for item in batch:
                try:
                    one = self._write([item])
                except SQLAlchemyError as item_exc:
                    logger.error("cannot store %s: %s", getattr(item, "url", "?"), item_exc)
                    errors += 1
                    site = getattr(item, "site", None) or self.site
                    reject = RejectItem(
                        item.url, site or "?", "storage_error", str(item_exc)[:2000]
                    )
                    try:
                        one = self._write([reject])
                    except SQLAlchemyError:
                        continue
                counts = (counts[0] + one[0], counts[1] + one[1], counts[2] + one[2])
        self.articles += counts[0]
        self.rejects += counts[1]
        self.readings += counts[2]
        return Written(*counts, errors=errors)

    def _write(self, batch: list[Stored]) -> tuple[int, int, int]:
        """One transaction; returns (articles upserted, rejects, view_counts rows)."""
        assert self.factory is not None
        now = utcnow()
        run_id = self.crawl_run_id
        articles = [i for i in batch if isinstance(i, ArticleItem)]
        rejects = [i for i in batch if isinstance(i, RejectItem)]
        readings = [i for i in batch if isinstance(i, ViewReadingItem)]
        reject_rows: list[dict[str, Any]] = []
        view_rows: list[dict[str, Any]] = []
        with self.factory.begin() as session:
            rows = []
            for art in articles:
                if art.title and art.body_text:
                    rows.append(
                        article_row(art, seen_at=art.fetched_at or now, crawl_run_id=run_id)
                    )
                else:  # validation should have caught this; never lose it silently
                    reason = "missing_title" if not art.title else "missing_body"
                    rejects.append(RejectItem(art.url, art.site, reason, "reached storage"))
            ids = upsert_articles(session, rows)
            for art in articles:
                if art.views is not None and art.url in ids:
                    view_rows.append(
                        self._view_row(
                            ids[art.url],
                            art.views,
                            art.views_method,
                            art.views_self_incremented,
                            art.fetched_at or now,
                        )
                    )
            if readings:
                known = self._ids_for(session, [r.url for r in readings])
                latest: dict[int, int] = {}
                for r in readings:
                    if r.url not in known:
                        rejects.append(
                            RejectItem(
                                r.url,
                                self.site or "?",
                                "unknown_article",
                                f"view reading {r.views} for an unknown URL",
                            )
                        )
                        continue
                    obs = r.observed_at or now
                    view_rows.append(
                        self._view_row(known[r.url], r.views, r.method, r.self_incremented, obs)
                    )
                    latest[known[r.url]] = r.views
                set_latest_views(session, latest)
            for rej in rejects:
                reject_rows.append(
                    {
                        "url": rej.url,
                        "site": rej.site,
                        "reason": rej.reason[:100],
                        "detail": rej.detail,
                        "crawl_run_id": run_id,
                        "created_at": now,
                    }
                )
            if view_rows:
                session.execute(insert(VIEW_COUNTS), view_rows)
            if reject_rows:
                session.execute(insert(REJECTS), reject_rows)
            if run_id is not None:
                heartbeat(
                    session.connection(),
                    run_id,
                    now,
                    items=self.articles + len(ids),
                    rejects=self.rejects + len(reject_rows),
                )
        return len(ids), len(reject_rows), len(view_rows)

    def _view_row(
        self, article_id: int, views: int, method: str | None, self_inc: bool, at: datetime
    ) -> dict[str, Any]:
        return {
            "article_id": article_id,
            "observed_at": as_utc(at),
            "views": views,
            "method": method[:50] if method else None,
            "self_incremented": bool(self_inc),
            "crawl_run_id": self.crawl_run_id,
        }

    @staticmethod
    def _ids_for(session: Session, urls: list[str]) -> dict[str, int]:
        stmt = select(Article.url, Article.id).where(Article.url.in_(set(urls)))
        return {url: int(id_) for url, id_ in session.execute(stmt)}

    # -- helpers -------------------------------------------------------------------------

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler is not None and self.crawler.stats is not None and count:
            self.crawler.stats.inc_value(key, count)

    def _beat(self) -> None:
        if self.engine is None or self.crawl_run_id is None or self._finished:
            return
        try:
            with self.engine.begin() as conn:
                heartbeat(conn, self.crawl_run_id)
        except SQLAlchemyError as exc:  # a missed heartbeat is not worth failing the crawl
            logger.warning("heartbeat failed: %s", exc)

    def _start_heartbeat(self) -> None:
        from twisted.internet import task

        if not _reactor_running():
            return  # driven by hand (tests): each batch beats instead
        self._heartbeat_loop = task.LoopingCall(self._beat)
        self._heartbeat_loop.start(HEARTBEAT_SECONDS, now=False)

    def _stop_heartbeat(self) -> None:
        if self._heartbeat_loop is not None and self._heartbeat_loop.running:
            self._heartbeat_loop.stop()
        self._heartbeat_loop = None


def _reactor_running() -> bool:
    """Whether Scrapy drives the pipeline (a running reactor) rather than a test or a script."""
    from twisted.internet import reactor

    return bool(getattr(reactor, "running", False))
