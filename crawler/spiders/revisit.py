"""The revisit spider: fresh view-count readings for articles already in the database.

It is handed its targets (``govnews revisit`` picks the due articles from the database); for
each it reads the counter directly when the counter URL is known, else fetches the article page:
a static number there is the reading, otherwise the page's counter (found with
:func:`crawler.extract.counters.find_counter`) is requested once. Every reading becomes a
:class:`~crawler.items.ViewReadingItem`, which the storage pipeline appends to ``view_counts``.
Counter requests are never cached and each counter is requested at most once per run.
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

from crawler.extract.article import extract_article
from crawler.extract.counters import CounterRequest, find_counter, parse_counter
from crawler.items import ViewReadingItem
from crawler.sites.profile import SiteProfile
from crawler.spiders.responses import counter_request, http_charset, response_text


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
        profile = self._profile(target)
        page = extract_article(
            response.body, response.url, profile=profile, http_charset=http_charset(response)
        )
        if page.views is not None:
            self._stat("readings/static")
            yield self._reading(target, page.views, "static", False)
            return
        counter = find_counter(response.text, response.url, profile)
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

    def failed(self, failure: Failure) -> None:
        self._stat("errors")
        request = getattr(failure, "request", None)
        host = urlsplit(request.url).hostname if request is not None else "?"
        self.logger.info("revisit request failed (%s): %s", host, failure.getErrorMessage())
