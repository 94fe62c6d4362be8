"""ValidationPipeline: an article that cannot be stored becomes a RejectItem, never vanishes.

Runs after cleaning. An ``ArticleItem`` without a usable URL, title or body (text, or the images
or attachments of a notice whose content is scans or files), or with a view count no database
column holds, is replaced by a ``RejectItem`` (reason ``bad_url``, ``missing_title``,
``missing_body`` or ``views_out_of_range``) that the storage pipeline writes to ``rejects``;
each reason is counted as ``govnews/validation/<reason>``.
A publication date that cannot be right (before 1949, or later than the page was fetched) is
kept as the page gives it, since the raw value is evidence, but flagged in
``methods["published_flag"]`` (``before_1949`` or ``in_future``), with the quality flag
``date_implausible``, and counted as ``govnews/validation/published_<flag>``. Reads no settings.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.items import CHINA_TIME, ArticleItem, RejectItem

logger = logging.getLogger(__name__)
#: ``articles.views`` and ``view_counts.views`` are BIGINT: a larger count (a page showing
#: 10^30) would make the database refuse the row, so it is refused here, with its reason
MAX_VIEWS = 2**63 - 1


def _blank(text: str | None) -> bool:
    """None, empty or whitespace only (what ``str.split`` splits on), without copying a body."""
    return not text or text.isspace()


def rejection(item: ArticleItem) -> tuple[str, str] | None:
    """(reason, detail) when ``item`` must not be stored as an article, else None."""
    parts = urlsplit(item.url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "bad_url", f"not an absolute http(s) URL: {item.url!r}"[:500]
    if _blank(item.title):
        return "missing_title", "no title after cleaning"
    if not item.has_body:
        return "missing_body", f"no body text after cleaning (title {item.title!r})"[:500]
    if item.views is not None and not 0 <= item.views <= MAX_VIEWS:
        return "views_out_of_range", f"view count {item.views} (raw {item.views_raw!r})"[:500]
    return None


#: the earliest year a government news page can plausibly date an article in
EARLIEST_YEAR = 1949
#: how far past the fetch a date may lie (a page dated "tomorrow" by a clock a few hours ahead)
FUTURE_SLACK = timedelta(days=1)


def date_flag(item: ArticleItem, now: datetime | None = None) -> str | None:
    """``before_1949`` or ``in_future`` when ``item``'s publication date cannot be right."""
    published = item.published_at
    if published is None:
        return None
    if published.tzinfo is None:
        published = published.replace(tzinfo=CHINA_TIME)
    if published.astimezone(CHINA_TIME).year < EARLIEST_YEAR:
        return f"before_{EARLIEST_YEAR}"
    if published > (now or item.fetched_at or datetime.now(UTC)) + FUTURE_SLACK:
        return "in_future"
    return None


class ValidationPipeline:
    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        found = rejection(item)
        if found is None:
            flag = date_flag(item)
            if flag is not None:
                item.methods["published_flag"] = flag
                # an implausible date is a low-confidence one (articles.quality)
                item.quality = sorted({*item.quality, "date_implausible"})
            if self.stats is not None:
                self.stats.inc_value("govnews/validation/ok")
                if flag is not None:
                    self.stats.inc_value(f"govnews/validation/published_{flag}")
            return item
        reason, detail = found
        if self.stats is not None:
            self.stats.inc_value(f"govnews/validation/{reason}")
        logger.info("rejected %s: %s", item.url, reason)
        return RejectItem(url=item.url, site=item.site, reason=reason, detail=detail)
