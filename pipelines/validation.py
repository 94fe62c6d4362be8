"""ValidationPipeline: an article that cannot be stored becomes a RejectItem, never vanishes.

Runs after cleaning. An ``ArticleItem`` without a usable URL, title or body, or with a view
count no database column holds, is replaced by a ``RejectItem`` (reason ``bad_url``,
``missing_title``, ``missing_body`` or ``views_out_of_range``) that the storage pipeline writes
to ``rejects``; each reason is counted as ``govnews/validation/<reason>``.
Reads no settings.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.items import ArticleItem, RejectItem

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
    if _blank(item.body_text):
        return "missing_body", f"no body text after cleaning (title {item.title!r})"[:500]
    if item.views is not None and not 0 <= item.views <= MAX_VIEWS:
        return "views_out_of_range", f"view count {item.views} (raw {item.views_raw!r})"[:500]
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
            if self.stats is not None:
                self.stats.inc_value("govnews/validation/ok")
            return item
        reason, detail = found
        if self.stats is not None:
            self.stats.inc_value(f"govnews/validation/{reason}")
        logger.info("rejected %s: %s", item.url, reason)
        return RejectItem(url=item.url, site=item.site, reason=reason, detail=detail)
