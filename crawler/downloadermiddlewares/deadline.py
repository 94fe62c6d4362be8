"""A site's crawl that ends at its deadline ends there: no new downloads once it is past.

``govnews crawl --site-timeout`` sets Scrapy's ``CLOSESPIDER_TIMEOUT``, whose extension asks the
engine to close the spider at the deadline. Closing still lets every request already handed to
the downloader run, with its retries: a host that accepts connections and never answers kept
one site of a fleet crawl open for (1 + RETRY_TIMES) x DOWNLOAD_TIMEOUT per queued request
(minutes) after its deadline. This downloader middleware, first in the chain, refuses every
request that reaches it after the deadline, retries included, so a site ends at most one
``DOWNLOAD_TIMEOUT`` after it. Reads ``CLOSESPIDER_TIMEOUT`` (off when 0).
"""

from __future__ import annotations

import time
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured


class SiteDeadlineMiddleware:
    """Raise ``IgnoreRequest`` for requests that reach the downloader after the deadline."""

    def __init__(self, crawler: Crawler, timeout: float) -> None:
        self.crawler = crawler
        self.timeout = timeout
        self.deadline: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        timeout = crawler.settings.getfloat("CLOSESPIDER_TIMEOUT")
        if timeout <= 0:
            # the usual case: no reason given, Scrapy would log it as a WARNING every crawl
            raise NotConfigured
        mw = cls(crawler, timeout)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self) -> None:
        self.deadline = time.monotonic() + self.timeout

    def process_request(self, request: Request) -> None:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("govnews/deadline/ignored")
            raise IgnoreRequest(f"the site's crawl is past its {self.timeout:g} s deadline")
