"""The view-count step of :class:`crawler.spiders.district.DistrictSpider`: one follow-up
request per counter URL, whose answer completes the article item.

A base class, so the spider module keeps to the list -> article walk; it uses the spider's
``_allowed``, ``_stat`` and ``_counter_keys``. Reads no settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.extract.counters import FAMILY_RESOLVERS, CounterRequest, parse_counter
from crawler.items import ArticleItem
from crawler.spiders.responses import counter_request, request_of, response_text


class CounterSteps(scrapy.Spider):
    """Counter requests and their callbacks: the base of the district spider."""

    # set or defined by the district spider
    _counter_keys: set[tuple[str, str, bytes]]
    _allowed: Callable[[str], bool]
    _stat: Callable[..., None]

    def _counter_allowed(self, counter: CounterRequest) -> bool:
        """Known CMS counters often live on a statistics host of their own (NFCMS:
        statistics.gd.gov.cn); those may leave the allowed domains, the SSRF guard still
        applies. Generic and profile-less guesses stay on the site."""
        if self._allowed(counter.url):
            return True
        return counter.resolver in FAMILY_RESOLVERS and urlsplit(counter.url).scheme in (
            "http",
            "https",
        )

    def _request_counter(self, item: ArticleItem, counter: CounterRequest) -> Iterator[Any]:
        """At most one request per counter URL per crawl: most counters add a hit when read."""
        if counter.key in self._counter_keys or not self._counter_allowed(counter):
            self._stat("counter_skipped")
            yield item
            return
        self._counter_keys.add(counter.key)
        self._stat(f"counter_requests/{counter.resolver}")
        yield counter_request(
            counter, self.parse_counter, self.counter_failed, {"item": item, "counter": counter}
        )

    def parse_counter(
        self, response: Response, item: ArticleItem, counter: CounterRequest
    ) -> Iterator[ArticleItem]:
        views = parse_counter(counter, response_text(response))
        if views is None:
            self._stat("counter_unparsed")
            self.logger.info("counter response not understood for %s", item.url)
        else:
            item.views = views
            item.views_method = counter.resolver
            item.views_self_incremented = counter.self_increments
            if counter.method.upper() == "GET" and not counter.body:
                # lets `govnews revisit` read only the counter next time, not the whole page
                item.methods["views_counter_url"] = counter.url
        yield item

    def counter_failed(self, failure: Failure) -> Iterator[ArticleItem]:
        """The article is still stored, without a count, when its counter fails."""
        self._stat("counter_errors")
        item: ArticleItem = request_of(failure).cb_kwargs["item"]
        yield item
