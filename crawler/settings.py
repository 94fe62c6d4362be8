"""Scrapy settings for govnews; the one place that reads ``GOVNEWS_*`` environment variables.

Environment variables (all optional):
- ``GOVNEWS_DB``: SQLAlchemy URL of the store (default ``sqlite:///govnews.db``).
- ``GOVNEWS_SITES_DIR``: extra folder(s) of site profiles, separated by ``os.pathsep``.
- ``GOVNEWS_CONTACT_URL``: put into the User-Agent so site operators can reach you.
- ``GOVNEWS_REDIS_URL``: when set, crawls share a scrapy-redis scheduler and dupefilter.
- ``GOVNEWS_BATCH_SIZE``: rows per storage transaction (default 100).
- ``GOVNEWS_LOG_LEVEL``: Scrapy log level (default INFO).
"""

from __future__ import annotations

import os

from crawler import __version__

BOT_NAME = "govnews"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

GOVNEWS_DB = os.environ.get("GOVNEWS_DB", "sqlite:///govnews.db")
GOVNEWS_SITES_DIRS = [d for d in os.environ.get("GOVNEWS_SITES_DIR", "").split(os.pathsep) if d]
GOVNEWS_CONTACT_URL = os.environ.get("GOVNEWS_CONTACT_URL", "https://example.org/govnews-bot")
GOVNEWS_REDIS_URL = os.environ.get("GOVNEWS_REDIS_URL", "")
GOVNEWS_BATCH_SIZE = int(os.environ.get("GOVNEWS_BATCH_SIZE", "100"))
GOVNEWS_MAX_PAGES = 200  # list pages per column: bounds pagination traps
GOVNEWS_MAX_BODY_BYTES = 10 * 1024 * 1024

USER_AGENT = f"govnews/{__version__} (+{GOVNEWS_CONTACT_URL})"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
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
DEPTH_LIMIT = 0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

ITEM_PIPELINES = {
    "pipelines.cleaning.CleaningPipeline": 100,
    "pipelines.validation.ValidationPipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.storage.StoragePipeline": 400,
}

LOG_LEVEL = os.environ.get("GOVNEWS_LOG_LEVEL", "INFO")
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

EXTENSIONS = {
    "crawler.extensions.ProgressReporter": 500,
}
GOVNEWS_PROGRESS = False
GOVNEWS_PROGRESS_INTERVAL = 5.0
