"""The conditional-GET cache policy: list pages only, always revalidated, 304 only."""

from __future__ import annotations

from typing import Any

from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings

from crawler.downloadermiddlewares.httpcache import ListPagePolicy


class Spiderish:
    def parse_list(self, response: Any) -> None: ...
    def parse_article(self, response: Any) -> None: ...
    def parse_counter(self, response: Any) -> None: ...


S = Spiderish()
URL = "http://127.0.0.1:1/news/index.html"


def _policy() -> ListPagePolicy:
    return ListPagePolicy(Settings({"HTTPCACHE_IGNORE_SCHEMES": ["file"]}))


def _resp(status: int = 200, **headers: str) -> HtmlResponse:
    return HtmlResponse(URL, status=status, headers=headers, body=b"<html></html>")


def test_only_list_pages_are_cached() -> None:
    policy = _policy()
    assert policy.should_cache_request(Request(URL, callback=S.parse_list))
    assert not policy.should_cache_request(Request(URL, callback=S.parse_article))
    counter = Request(URL, callback=S.parse_list, meta={"govnews_counter": True})
    assert not policy.should_cache_request(counter)
    assert not policy.should_cache_request(Request(URL, callback=S.parse_counter))
    assert not policy.should_cache_request(Request(URL, method="POST", callback=S.parse_list))


def test_only_responses_with_a_validator_are_stored() -> None:
    policy = _policy()
    req = Request(URL, callback=S.parse_list)
    assert policy.should_cache_response(_resp(ETag='"abc"'), req)
    assert policy.should_cache_response(
        _resp(**{"Last-Modified": "Tue, 05 Mar 2024 10:00:00 GMT"}), req
    )
    assert not policy.should_cache_response(_resp(), req)
    assert not policy.should_cache_response(_resp(404, ETag='"abc"'), req)


def test_stored_page_is_always_revalidated_and_used_only_on_304() -> None:
    policy = _policy()
    req = Request(URL, callback=S.parse_list)
    cached = _resp(
        ETag='"abc"',
        **{"Last-Modified": "Tue, 05 Mar 2024 10:00:00 GMT", "Cache-Control": "max-age=99999"},
    )
    assert not policy.is_cached_response_fresh(cached, req)  # even with a long max-age
    assert req.headers[b"If-None-Match"] == b'"abc"'
    assert req.headers[b"If-Modified-Since"] == b"Tue, 05 Mar 2024 10:00:00 GMT"
    assert policy.is_cached_response_valid(cached, _resp(304), req)
    assert not policy.is_cached_response_valid(cached, _resp(200), req)
    assert not policy.is_cached_response_valid(cached, _resp(503), req)  # retried, not hidden
