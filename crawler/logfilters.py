"""Log filters for records of Scrapy's that say more, or louder, than a govnews crawl needs.

Installed once per process by the always-on :class:`crawler.extensions.LogFilters` extension,
so that ``govnews crawl`` and ``scrapy crawl`` (Scrapyd) log alike.
"""

from __future__ import annotations

import logging


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


FILTERS: dict[str, type[logging.Filter]] = {
    "scrapy.downloadermiddlewares.robotstxt": OneLineErrors,
}


def install() -> None:
    """Add each filter to its logger, once however many crawlers a process runs."""
    for name, kind in FILTERS.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
