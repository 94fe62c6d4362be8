"""Log filters for records of Scrapy's that say more, or louder, than a govnews crawl needs.

Installed once per process by the always-on :class:`crawler.extensions.core.LogFilters` extension,
so that ``govnews crawl`` and ``scrapy crawl`` (Scrapyd) log alike.
"""

from __future__ import annotations

import logging

from crawler.extensions.netmessages import plain


class OneLineErrors(logging.Filter):
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


class InOurWords(logging.Filter):
    """Scrapy's network-error lines, in govnews's words and under its name: ``gave up on URL
    after 3 tries: cannot connect to 127.0.0.1:9 (connection refused)`` instead of aiohttp's
    ``ssl:<ssl.SSLContext object at 0x…>`` for a plain-http URL
    (:mod:`crawler.extensions.netmessages`).
    With the log level at DEBUG (``GOVNEWS_LOG_LEVEL=DEBUG``) Scrapy's own text is kept."""

    #: set by :func:`install` from the crawl's LOG_LEVEL
    keep_scrapy_text = False

    def filter(self, record: logging.LogRecord) -> bool:
        if self.keep_scrapy_text:
            return OneLineErrors().filter(record)
        if record.levelno < logging.WARNING:
            return True
        OneLineErrors().filter(record)  # the message, without a traceback
        record.msg, record.args = plain(record.getMessage()), None
        record.name = "govnews"
        return True


class SecondOpinionFailed(logging.Filter):
    """readability-lxml logs a page it cannot summarise with a full traceback; it is only the
    second opinion on a weak body (crawler/extract/fallback.py), and our own pick stands, so
    the line is for DEBUG logs only, in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        OneLineErrors().filter(record)
        return InOurWords.keep_scrapy_text


FILTERS: dict[str, type[logging.Filter]] = {
    "readability.readability": SecondOpinionFailed,
    "scrapy.downloadermiddlewares.robotstxt": InOurWords,
    "scrapy.downloadermiddlewares.retry": InOurWords,
    "scrapy.core.scraper": InOurWords,
}


def install(log_level: str = "INFO") -> None:
    """Add each filter to its logger, once however many crawlers a process runs; at DEBUG,
    Scrapy's network-error lines keep their own words."""
    InOurWords.keep_scrapy_text = str(log_level).upper() == "DEBUG"
    for name, kind in FILTERS.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
