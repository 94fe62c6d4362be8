"""When a popped request's in-flight entry goes (crawler/runtime/inflight.py), against a real Redis.

The entry of a request that yielded only requests goes once its output is consumed; one that
yielded items waits for the storage commit (``items_stored``); a retry releases its original;
a failure waits for the commit of its errback's reject row; an idle worker's leftovers wait for
the commit too. The spider middleware strips the ticket from the requests a callback yields.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import items_stored
from crawler.runtime.inflight import META_KEY, InFlight, Ticket
from crawler.spidermiddlewares.inflight import InFlightOutput

pytestmark = pytest.mark.redis


@pytest.fixture
def inflight(redis_url: str) -> Iterator[tuple[InFlight, Crawler, redis.Redis]]:
    server = redis.Redis.from_url(redis_url)
    key = f"govnews-test-{uuid.uuid4().hex[:8]}:district:xq:inflight"
    crawler = get_crawler()
    yield InFlight(crawler, server, key, "w"), crawler, server
    server.delete(key)


def _popped(tracker: InFlight, server: redis.Redis, url: str) -> tuple[Request, Ticket]:
    """A request as the scheduler hands it out: claimed in the hash, carrying its ticket."""
    field = tracker.claim()
    server.hset(tracker.key, field, f"0|{url}")
    request = Request(url)
    tracker.track(request, field)
    ticket = request.meta[META_KEY]
    assert isinstance(ticket, Ticket)
    return request, ticket


def _claimed(tracker: InFlight, server: redis.Redis) -> set[str]:
    return {f.decode().split("|", 1)[1] for f in server.hkeys(tracker.key)}


def test_output_of_requests_only_is_released_at_once(
    inflight: tuple[InFlight, Crawler, redis.Redis],
) -> None:
    tracker, _crawler, server = inflight
    request, _ticket = _popped(tracker, server, "http://x/list.html")
    follow = Request("http://x/art_1.html", meta=dict(request.meta))  # a copied meta
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    out = list(InFlightOutput().process_spider_output(response, [follow]))
    assert out == [follow] and META_KEY not in follow.meta  # must not release the list page
    assert _claimed(tracker, server) == set()


def test_items_wait_for_the_commit(inflight: tuple[InFlight, Crawler, redis.Redis]) -> None:
    tracker, crawler, server = inflight
    request, _ticket = _popped(tracker, server, "http://x/art_1.html")
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    item = {"url": request.url}
    assert list(InFlightOutput().process_spider_output(response, [item])) == [item]
    assert _claimed(tracker, server) == {"1"}  # the item is still in the pipelines
    crawler.signals.send_catch_log(signals.item_scraped, item=item, response=response)
    assert _claimed(tracker, server) == {"1"}  # in the storage buffer, not yet committed
    crawler.signals.send_catch_log(items_stored)
    assert _claimed(tracker, server) == set()


def test_retry_failure_and_idle(inflight: tuple[InFlight, Crawler, redis.Redis]) -> None:
    tracker, crawler, server = inflight
    _retried, retried = _popped(tracker, server, "http://x/art_1.html")
    _failed, failed = _popped(tracker, server, "http://x/art_2.html")
    _pending, _ = _popped(tracker, server, "http://x/art_3.html")
    retried.replaced()  # the scheduler queued its retry
    assert _claimed(tracker, server) == {"2", "3"}
    failed.failed()  # its errback writes a reject row
    tracker.idle()  # the engine is empty: art_3's callback raised, say
    assert _claimed(tracker, server) == {"2", "3"}
    crawler.signals.send_catch_log(items_stored)
    assert _claimed(tracker, server) == set()
