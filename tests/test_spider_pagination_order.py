"""A list page's next page is fetched before its articles, whatever the scheduler's queue.

Pagination is the crawl's critical path (crawler/spiders/district.py, ``_follow_listing``):
the spider hands the next page to Scrapy first and with ``LIST_PRIORITY``. Checked on the
requests themselves, on Scrapy's own memory scheduler queue, and on the Redis priority queue of
distributed crawls (a real Redis server), where requests of equal priority come out in the
order of their serialised form rather than the order they went in.
"""

from __future__ import annotations

import uuid

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.extract.types import ExtractedListing
from crawler.spiders.district import LIST_PRIORITY, DistrictSpider

BASE = "http://127.0.0.1:1/news/"
ARTICLES = [f"{BASE}2024{n:02d}/t2024{n:02d}01_{n}.html" for n in range(1, 21)]
NEXT = f"{BASE}index_1.html"


def _requests() -> tuple[DistrictSpider, list[Request]]:
    crawler = get_crawler(DistrictSpider)
    spider = DistrictSpider.from_crawler(crawler, start_url=f"{BASE}index.html", full="1")
    response = HtmlResponse(f"{BASE}index.html", body=b"<html></html>")
    listing = ExtractedListing(article_links=list(ARTICLES), next_page=NEXT)
    return spider, list(spider._follow_listing(response, 1, listing))


def test_next_page_comes_first_with_the_list_priority() -> None:
    _, requests = _requests()
    assert [r.url for r in requests] == [NEXT, *ARTICLES]
    assert requests[0].priority == LIST_PRIORITY and requests[0].callback is not None
    assert requests[0].callback.__name__ == "parse_list"
    assert {r.priority for r in requests[1:]} == {0}


def test_start_requests_carry_the_list_priority() -> None:
    import asyncio

    spider, _ = _requests()

    async def first() -> Request:
        async for request in spider.start():
            return request
        raise AssertionError("no start request")

    assert asyncio.run(first()).priority == LIST_PRIORITY


def test_memory_queue_gives_the_next_page_before_waiting_articles() -> None:
    # the per-download-slot queue of Scrapy's default scheduler: priorities over a LIFO queue
    from scrapy.pqueues import ScrapyPriorityQueue
    from scrapy.squeues import LifoMemoryQueue

    spider, requests = _requests()
    older = [Request(f"{BASE}old/{n}.html") for n in range(5)]  # articles of earlier pages
    queue = ScrapyPriorityQueue.from_crawler(
        spider.crawler, downstream_queue_cls=LifoMemoryQueue, key=""
    )
    for request in [*older, *requests]:  # the next page pushed before this page's articles
        queue.push(request)
    first = queue.pop()
    assert first is not None and first.url == NEXT


@pytest.mark.redis
def test_redis_queue_gives_the_next_page_before_waiting_articles(redis_url: str) -> None:
    import redis
    from scrapy_redis.queue import PriorityQueue

    spider, requests = _requests()
    server = redis.Redis.from_url(redis_url)
    key = f"govnews-test-{uuid.uuid4().hex[:8]}:requests"
    queue = PriorityQueue(server, spider, key)
    try:
        for request in requests[1:] + requests[:1]:  # the next page pushed last
            queue.push(request)
        first = queue.pop()
        assert first is not None and first.url == NEXT
        assert len(queue) == len(ARTICLES)
    finally:
        server.delete(key)
