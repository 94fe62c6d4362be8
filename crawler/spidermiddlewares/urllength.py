"""UrlLengthRejects: a URL too long to fetch becomes a reject row, not a stats counter.

Scrapy's own ``UrlLengthMiddleware`` drops such a request with an INFO line and a counter, so an
article behind an over-long link vanished without a trace (issue 23, item 4). This middleware
takes its place (same ``URLLENGTH_LIMIT`` setting, same stats key) and puts a
:class:`~crawler.items.RejectItem` (reason ``url_too_long``) in the request's stead. A view-counter
request carries its article (``cb_kwargs["item"]``): that article is passed on without a count
rather than lost with the request. Reads ``URLLENGTH_LIMIT`` (0 switches it off).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any, Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.items import ArticleItem, RejectItem

logger = logging.getLogger(__name__)


class UrlLengthRejects:
    def __init__(self, crawler: Crawler, maxlength: int) -> None:
        self.crawler = crawler
        self.maxlength = maxlength

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        maxlength = crawler.settings.getint("URLLENGTH_LIMIT")
        if not maxlength:
            raise NotConfigured("URLLENGTH_LIMIT is 0: URLs of any length are fetched")
        return cls(crawler, maxlength)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for out in start:
            yield self._checked(out)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        for out in result:
            yield self._checked(out)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for out in result:
            yield self._checked(out)

    def _checked(self, out: Any) -> Any:
        """``out`` itself, or what stands for a request whose URL is too long."""
        if not isinstance(out, Request) or len(out.url) <= self.maxlength:
            return out
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("urllength/request_ignored_count")
        carried = out.cb_kwargs.get("item")
        if isinstance(carried, ArticleItem):  # a counter request: keep its article
            logger.info(
                "view counter URL too long (%d), article kept: %s", len(out.url), carried.url
            )
            return carried
        logger.info(
            "not fetched, URL too long (%d > %d): %s", len(out.url), self.maxlength, out.url
        )
        detail = f"URL of {len(out.url)} characters, over URLLENGTH_LIMIT {self.maxlength}"
        return RejectItem(out.url, _site(self.crawler.spider), "url_too_long", detail)


def _site(spider: Spider | None) -> str:
    return str(getattr(spider, "site_name", None) or getattr(spider, "name", None) or "?")
