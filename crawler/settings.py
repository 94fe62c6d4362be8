"""Scrapy settings for govnews; the one place that reads ``GOVNEWS_*`` environment variables.

Environment variables (all optional):
- ``GOVNEWS_DB``: SQLAlchemy URL of the store (default ``sqlite:///govnews.db``).
- ``GOVNEWS_SITES_DIR``: extra folder(s) of site profiles, separated by ``os.pathsep``.
- ``GOVNEWS_CONTACT_URL``: put into the User-Agent so site operators can reach you.
- ``GOVNEWS_REDIS_URL``: when set, crawls share a scrapy-redis scheduler and dupefilter.
- ``GOVNEWS_BATCH_SIZE``: rows per storage transaction (default 100).
- ``GOVNEWS_FLUSH_SECONDS``: the longest a row waits for its batch to fill (default 5).
- ``GOVNEWS_LOG_LEVEL``: Scrapy log level (default INFO).
- ``GOVNEWS_REDIS_MAX_IDLE``: seconds a Redis worker waits, idle, before it stops (default 10).
- ``GOVNEWS_REDIS_WORKER_STALE``: seconds without a heartbeat before a Redis worker counts as dead
  and its unfinished requests go back into the queue (default 30).
- ``GOVNEWS_HTTPCACHE``: ``0`` turns off conditional GET of list pages (default on).
- ``GOVNEWS_HTTPCACHE_DIR``: where list pages are kept for it (default ~/.cache/govnews/httpcache).

Pages are extracted and batches written on the crawl's own thread, on asyncio's own event loop:
an extraction worker process, a writer process and uvloop were measured by the fleet benchmark
(benchmarks/fleet.py, docs/performance.md) to gain nothing at production politeness, so they are
gone; what a fleet on several cores gets instead is a worker process per group of sites
(``govnews crawl --workers``).
"""

from __future__ import annotations

import os

from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE as _SCRAPY_DL_MIDDLEWARES
from scrapy.settings.default_settings import EXTENSIONS_BASE as _SCRAPY_EXTENSIONS

from crawler import __version__


def _switch(name: str) -> bool:
    """An on-by-default environment switch: ``0``, ``false`` or ``no`` turns it off."""
    return os.environ.get(name, "1").lower() not in ("0", "false", "no")


BOT_NAME = "govnews"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

GOVNEWS_DB = os.environ.get("GOVNEWS_DB", "sqlite:///govnews.db")
GOVNEWS_SITES_DIRS = [d for d in os.environ.get("GOVNEWS_SITES_DIR", "").split(os.pathsep) if d]
GOVNEWS_CONTACT_URL = os.environ.get("GOVNEWS_CONTACT_URL", "https://example.org/govnews-bot")
GOVNEWS_REDIS_URL = os.environ.get("GOVNEWS_REDIS_URL", "")
GOVNEWS_BATCH_SIZE = int(os.environ.get("GOVNEWS_BATCH_SIZE", "100"))
GOVNEWS_FLUSH_SECONDS = float(os.environ.get("GOVNEWS_FLUSH_SECONDS", "5"))
GOVNEWS_MAX_PAGES = 200  # list pages per column: bounds pagination traps
GOVNEWS_MAX_BODY_BYTES = 10 * 1024 * 1024

USER_AGENT = f"govnews/{__version__} (+{GOVNEWS_CONTACT_URL})"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy starts this many asyncio worker tasks (plus one) for *every* response's callback output;
# our pipelines are synchronous, so one is all they use, and Scrapy's default 100 costs ~1.5 ms of
# CPU per page (benchmarks/crawl.py, docs/performance.md).
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 0.25
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's RemoteControl extension serves an HTTP endpoint that runs any Python sent to it
# (its token in a file under the user's home); a crawler has no use for that, and importing it
# alone (aiohttp) costs 0.2-0.4 s of every crawl's start. Not even loaded: it is left out of the
# base list itself, because Scrapy imports every key of EXTENSIONS, those set to None included.
REMOTE_CONTROL_ENABLED = False
EXTENSIONS_BASE = {k: v for k, v in _SCRAPY_EXTENSIONS.items() if not k.endswith(".RemoteControl")}
# log_count/* stats of the crawler's own records only: in a fleet, Scrapy's counted every site's
# errors for every site (crawler/extensions/logcount.py)
EXTENSIONS_BASE = {
    ("crawler.extensions.logcount.SiteLogCount" if k.endswith(".LogCount") else k): v
    for k, v in EXTENSIONS_BASE.items()
}

#: what the store knows before a crawl (stored, failed-for-good and to-retry URLs): a callable
#: ``(db_url, site, *, full, run_id) -> crawler.items.CrawlPlan``, named here like a pipeline so
#: that the spider never imports the database side
GOVNEWS_CRAWL_PLANNER = "pipelines.db.known.plan_crawl"
#: marks a run ``interrupted`` when a second Ctrl-C forces a crawl to stop
#: (crawler/runtime/interrupt.py)
GOVNEWS_RUN_INTERRUPTED = "pipelines.db.runs.mark_interrupted"

ITEM_PIPELINES = {
    "pipelines.cleaning.CleaningPipeline": 100,
    "pipelines.validation.ValidationPipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.storage.StoragePipeline": 400,
}

LOG_LEVEL = os.environ.get("GOVNEWS_LOG_LEVEL", "INFO")
# no per-page "Crawled"/"Scraped from" records below LOG_LEVEL (crawler/extensions/logformatter.py)
LOG_FORMATTER = "crawler.extensions.logformatter.LogFormatter"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# Scrapy's default stack: Twisted's asyncio reactor and its HTTP/1.1 download handler. The
# reactor-less aiohttp stack measured faster only with no download delay; at production
# politeness the fleet benchmark shows no difference (docs/performance.md), and it needed a
# private Scrapy module and a demoted "experimental" warning.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

EXTENSIONS = {
    "crawler.extensions.core.ProgressReporter": 500,
    "crawler.extensions.core.GcTuning": 0,
    "crawler.extensions.core.LogFilters": 0,
}
# Components a govnews crawl has no use for, each a layer every request or item passes through:
# depth tracking (pagination is bounded by GOVNEWS_MAX_PAGES, not DEPTH_LIMIT) and a check that
# warns spider authors who copy request meta.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    # an over-long URL becomes a reject row instead of a stats counter (issue 23, item 4)
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "crawler.spidermiddlewares.urllength.UrlLengthRejects": 800,
}
GOVNEWS_PROGRESS = False
GOVNEWS_PROGRESS_INTERVAL = 5.0

# -- operations (issue 5): scale-out, conditional GET, per-run fill rates ----------------------
# With GOVNEWS_REDIS_URL set, worker processes (on one or several machines) share one crawl: a
# Redis request queue and dupefilter per site (crawler.runtime.distributed.SiteScheduler, a thin
# layer over scrapy-redis). Any worker seeds the start URLs (the shared dupefilter keeps one
# copy); a worker stops by itself once the queue is empty and no other worker has been busy for
# GOVNEWS_REDIS_MAX_IDLE seconds; the last worker out clears the dupefilter so the next
# scheduled crawl starts fresh, and a queue left by killed workers is resumed by the next ones.
# A dead worker's unfinished requests go back into the queue once it has had no heartbeat for
# GOVNEWS_REDIS_WORKER_STALE seconds (crawler/runtime/inflight.py).
GOVNEWS_REDIS_MAX_IDLE = float(os.environ.get("GOVNEWS_REDIS_MAX_IDLE", "10"))
# seconds without a heartbeat: a worker counts as dead, and its in-flight requests are requeued
GOVNEWS_REDIS_WORKER_STALE = float(os.environ.get("GOVNEWS_REDIS_WORKER_STALE", "30"))
if GOVNEWS_REDIS_URL:
    REDIS_URL = GOVNEWS_REDIS_URL
    SCHEDULER = "crawler.runtime.distributed.SiteScheduler"
    DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
    SCHEDULER_QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"
    SCHEDULER_QUEUE_KEY = "govnews:%(spider)s:requests"
    SCHEDULER_DUPEFILTER_KEY = "govnews:%(spider)s:dupefilter"
    SCHEDULER_PERSIST = True  # SiteScheduler clears when the last worker leaves an empty queue
    SCHEDULER_IDLE_BEFORE_CLOSE = 0

# Conditional GET for list pages: a list page stored with an ETag/Last-Modified is always
# revalidated (If-None-Match / If-Modified-Since), never served stale; a 304 reuses the stored
# copy. Articles and counter requests are never cached
# (crawler.downloadermiddlewares.httpcache.ListPagePolicy).
# GOVNEWS_HTTPCACHE=0 turns it off; GOVNEWS_HTTPCACHE_DIR moves it (default ~/.cache/govnews).
HTTPCACHE_ENABLED = _switch("GOVNEWS_HTTPCACHE")
HTTPCACHE_POLICY = "crawler.downloadermiddlewares.httpcache.ListPagePolicy"
HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.FilesystemCacheStorage"
HTTPCACHE_DIR = os.environ.get("GOVNEWS_HTTPCACHE_DIR") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
    "govnews",
    "httpcache",
)
HTTPCACHE_EXPIRATION_SECS = 0
HTTPCACHE_GZIP = True

# per-run field fill rates into the stats (and so into crawl_runs.stats) for `govnews health`
EXTENSIONS["crawler.extensions.fillstats.FillRateStats"] = 510

# Safety and patience (crawler/downloadermiddlewares/guards.py): SSRF guard before robots.txt,
# redirect guard just
# before RedirectMiddleware (600), Retry-After/backoff retry in place of Scrapy's RetryMiddleware.
# cookies are off (COOKIES_ENABLED) and no site needs HTTP auth: their middlewares are left out
# of the base list, not set to None, because Scrapy imports every key (the cookie middleware's
# public-suffix imports alone cost ≈ 0.15 s of each crawl's start)
DOWNLOADER_MIDDLEWARES_BASE = {
    k: v
    for k, v in _SCRAPY_DL_MIDDLEWARES.items()
    if not k.endswith((".CookiesMiddleware", ".HttpAuthMiddleware"))
}
DOWNLOADER_MIDDLEWARES = {
    # with CLOSESPIDER_TIMEOUT (govnews crawl --site-timeout): nothing downloads past it
    "crawler.downloadermiddlewares.deadline.SiteDeadlineMiddleware": 30,
    "crawler.downloadermiddlewares.guards.AddressGuardMiddleware": 40,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.downloadermiddlewares.guards.BackoffRetryMiddleware": 550,
    "crawler.downloadermiddlewares.guards.RedirectGuardMiddleware": 610,
    # the same redirects without decoding every HTML body first
    # (crawler/downloadermiddlewares/guards.py)
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.downloadermiddlewares.guards.MetaRefreshMiddleware": 580,
    # the same decompression, with reasons for bombs and cut-off gzip
    # (crawler/downloadermiddlewares/decompression.py)
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.downloadermiddlewares.decompression.CheckedDecompressionMiddleware": 590,
}
if GOVNEWS_REDIS_URL:
    # when a popped request is done, so that a dead worker's unfinished ones can be requeued
    # (crawler/runtime/inflight.py); both next to the engine, to see what the others let through
    SPIDER_MIDDLEWARES["crawler.spidermiddlewares.inflight.InFlightOutput"] = 10
    DOWNLOADER_MIDDLEWARES["crawler.downloadermiddlewares.inflight.InFlightFailure"] = 10
# only http(s) is ever fetched: no file://, s3://, ftp:// or data: handlers at all
DOWNLOAD_HANDLERS: dict[str, str | None] = {"file": None, "s3": None, "ftp": None, "data": None}
GOVNEWS_SSRF_GUARD = True
GOVNEWS_SSRF_TRUSTED_HOSTS: list[str] = []
GOVNEWS_RETRY_AFTER_MAX = 120.0
GOVNEWS_RETRY_BACKOFF_BASE = 1.0
GOVNEWS_RETRY_BACKOFF_MAX = 60.0
# a request that still fails after its retries becomes a reject row, not a crawl error
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
