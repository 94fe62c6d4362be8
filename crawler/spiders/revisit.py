"""The revisit spider: fresh view-count readings for articles already in the database.

It is handed its targets (``govnews revisit`` picks the due articles from the database); for
each it reads the counter directly when the counter URL is known, else fetches the article page:
a static number there is the reading, otherwise the page's counter (found with
:func:`crawler.extract.counters.find_counter`) is requested once. Every reading becomes a
:class:`~crawler.items.ViewReadingItem`, which the storage pipeline appends to ``view_counts``.
Counter requests are never cached and each counter is requested at most once per run.

A fetched article page is also yielded as the article (under its stored URL, without its count
or extraction methods, which the reading and the stored row keep), so that storage records an
edit as a revision; a page that answers 404/410 becomes a reject (``http_404``/``http_410``) and
one that says it was deleted becomes ``gone_page`` in validation: storage marks the article
removed. Only the page tells: an article whose counter alone is read is not checked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.extract.counters import CounterRequest, parse_counter
from crawler.items import ArticleItem, RejectItem, ViewReadingItem
from crawler.sites.profile import SiteProfile
from crawler.spiders.prepare import prepare_article
from crawler.spiders.responses import (
    counter_request,
    failure_reason,
    http_charset,
    response_text,
)

#: page statuses that mean the article is gone (a counter's 404 does not)
GONE_STATUSES = ("http_404", "http_410")


@dataclass(frozen=True)
class RevisitTarget:
    """One known article to read again, and what the last reading knew about its counter."""

    url: str
    site: str
    method: str | None = None  # the last reading's method: "static", "phpcms" …
    counter_url: str | None = None  # when stored, the page need not be fetched again
    self_increments: bool = False


class RevisitSpider(scrapy.Spider):
    name = "revisit"

    def __init__(
        self,
        targets: Iterable[RevisitTarget] = (),
        profiles: dict[str, SiteProfile] | None = None,
        site_name: str = "revisit",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.targets = list(targets)
        self.profiles = profiles or {}
        self.site_name = site_name
        # the operator's stored article URLs are what the address guard trusts (as start URLs)
        self.start_urls = [t.url for t in self.targets]
        self._counter_keys: set[tuple[str, str, bytes]] = set()

    async def start(self) -> AsyncIterator[Any]:
        for target in self.targets:
            if target.counter_url and target.method not in (None, "static"):
                counter = CounterRequest(target.method, target.counter_url, target.self_increments)
                for request in self._counter(target, counter):
                    yield request
            else:
                yield scrapy.Request(
                    target.url,
                    callback=self.parse_page,
                    errback=self.failed,
                    cb_kwargs={"target": target},
                    dont_filter=True,
                    meta={"govnews_counter": True},  # never answered from the list-page cache
                )

    def _stat(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"govnews/revisit/{key}")

    def _profile(self, target: RevisitTarget) -> SiteProfile | None:
        return self.profiles.get(target.site)

    def parse_page(self, response: Response, target: RevisitTarget) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self._stat("not_html")
            return
        prepared = prepare_article(
            response.body,
            response.url,
            site=target.site,
            profile=self._profile(target),
            http_charset=http_charset(response),
        )
        item, counter = prepared.item, prepared.counter
        views = item.views
        yield self._article(item, target)
        if views is not None:
            self._stat("readings/static")
            yield self._reading(target, views, "static", False)
            return
        if counter is None:
            self._stat("no_count")
            return
        yield from self._counter(target, counter)

    def _counter(self, target: RevisitTarget, counter: CounterRequest) -> Iterator[scrapy.Request]:
        if counter.key in self._counter_keys:
            self._stat("counter_skipped")
            return
        self._counter_keys.add(counter.key)
        yield counter_request(
            counter, self.parse_counter, self.failed, {"target": target, "counter": counter}
        )

    def parse_counter(
        self, response: Response, target: RevisitTarget, counter: CounterRequest
    ) -> Iterator[ViewReadingItem]:
        views = parse_counter(counter, response_text(response))
        if views is None:
            self._stat("counter_unparsed")
            return
        self._stat(f"readings/{counter.resolver}")
        yield self._reading(target, views, counter.resolver, counter.self_increments)

    def _article(self, item: ArticleItem, target: RevisitTarget) -> ArticleItem:
        """The page's article as stored: its URL, and no count (the reading carries it) nor
        extraction methods (the stored ones keep the counter URL)."""
        self._stat("pages")
        item.url, item.aliases = target.url, []
        item.views = item.views_raw = item.views_method = None
        item.methods = {}
        return item

    def _reading(
        self, target: RevisitTarget, views: int, method: str, self_incremented: bool
    ) -> ViewReadingItem:
        return ViewReadingItem(
            url=target.url,
            views=views,
            method=method,
            self_incremented=self_incremented,
            observed_at=datetime.now(UTC),
        )

    def failed(self, failure: Failure) -> Iterator[RejectItem]:
        request = getattr(failure, "request", None)
        kwargs = request.cb_kwargs if request is not None else {}
        target = kwargs.get("target")
        reason, detail = failure_reason(failure)
        # the article page is gone (not its counter): storage marks the article removed
        gone = reason in GONE_STATUSES and "counter" not in kwargs
        if gone and isinstance(target, RevisitTarget):
            self._stat("gone")
            yield RejectItem(target.url, target.site, reason, detail)
            return
        self._stat("errors")
        host = urlsplit(request.url).hostname if request is not None else "?"
        self.logger.info("revisit request failed (%s): %s", host, failure.getErrorMessage())
