"""Unit tables for crawler/downloadermiddlewares/guards.py: which addresses are public, Retry-After
parsing,
retry delays, and the guards' decisions (IP literals only: no DNS, no reactor, no traffic).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.downloadermiddlewares.guards import (
    AddressGuardMiddleware,
    BackoffRetryMiddleware,
    RedirectGuardMiddleware,
    Refused,
    is_public_ip,
    retry_after_seconds,
)


@pytest.mark.parametrize(
    ("addr", "public"),
    [
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("10.1.2.3", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:169.254.169.254", False),
        ("8.8.8.8", True),
        ("114.114.114.114", True),
        ("2001:4860:4860::8888", True),
        ("::ffff:8.8.8.8", True),
        ("not-an-ip", False),
        ("", False),
    ],
)
def test_is_public_ip(addr: str, public: bool) -> None:
    assert is_public_ip(addr) is public


NOW = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (b"120", 120.0),
        ("0", 0.0),
        (" 7 ", 7.0),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),  # in the past
        (b"soon", None),
        (b"-5", None),
        (None, None),
        (b"", None),
    ],
)
def test_retry_after_seconds(value: bytes | str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds


class _Spider(Spider):
    name = "t"
    start_urls = ["http://127.0.0.1:8000/news/"]  # noqa: RUF012
    allowed_domains = ["127.0.0.1", "example.gov.cn"]  # noqa: RUF012


def _crawler(**settings: Any) -> Any:
    crawler = get_crawler(_Spider, settings_dict=settings)
    crawler.spider = _Spider()
    crawler.stats.open_spider()
    return crawler


def test_backoff_delays() -> None:
    mw = BackoffRetryMiddleware.from_crawler(
        _crawler(
            GOVNEWS_RETRY_BACKOFF_BASE=1.0,
            GOVNEWS_RETRY_BACKOFF_MAX=5.0,
            GOVNEWS_RETRY_AFTER_MAX=60,
        )
    )
    req = Request("http://127.0.0.1:8000/a.html")
    assert mw.delay_for(req, None) == (1.0, "backoff")
    assert mw.delay_for(req.replace(meta={"retry_times": 2}), None) == (4.0, "backoff")
    assert mw.delay_for(req.replace(meta={"retry_times": 9}), None) == (5.0, "backoff")
    r429 = Response(req.url, status=429, headers={"Retry-After": "12"})
    assert mw.delay_for(req, r429) == (12.0, "retry_after")
    r503 = Response(req.url, status=503, headers={"Retry-After": "3600"})
    assert mw.delay_for(req, r503) == (60.0, "retry_after")  # capped
    r500 = Response(req.url, status=500, headers={"Retry-After": "12"})
    assert mw.delay_for(req, r500) == (
        1.0,
        "backoff",
    )  # Retry-After only means something on 429/503


def _refusal(mw: Any, method: str, *args: Any) -> str | None:
    try:
        asyncio.run(getattr(mw, method)(*args))
    except Refused as exc:
        return exc.govnews_reason
    return None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/a.html", None),  # the operator's start host:port is trusted
        ("http://127.0.0.1:6379/", "private_address"),  # ...but not another port on it
        ("http://127.0.0.2:8000/", "private_address"),
        ("http://169.254.169.254/latest/meta-data/", "private_address"),
        ("http://10.0.0.1/", "private_address"),
        ("http://[::1]:8000/", "private_address"),
        ("http://[::ffff:7f00:1]:8000/", "private_address"),
        ("http://8.8.8.8/", None),
        ("file:///etc/passwd", "bad_scheme"),
        ("ftp://127.0.0.1/x", "bad_scheme"),
        ("data:text/html,<h1>x</h1>", "bad_scheme"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "bad_scheme"),
    ],
)
def test_address_guard(url: str, reason: str | None) -> None:
    crawler = _crawler()
    mw = AddressGuardMiddleware.from_crawler(crawler)
    assert _refusal(mw, "process_request", Request(url)) == reason
    if reason:
        assert crawler.stats.get_value(f"govnews/guard/{reason}") == 1


def test_trusted_hosts_setting() -> None:
    mw = AddressGuardMiddleware.from_crawler(_crawler(GOVNEWS_SSRF_TRUSTED_HOSTS=["10.0.0.7"]))
    assert _refusal(mw, "process_request", Request("http://10.0.0.7:81/")) is None
    assert _refusal(mw, "process_request", Request("http://10.0.0.8/")) == "private_address"


def test_guard_can_be_switched_off() -> None:
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        AddressGuardMiddleware.from_crawler(_crawler(GOVNEWS_SSRF_GUARD=False))


def _redirect(location: str, url: str = "http://127.0.0.1:8000/a.html", **meta: Any) -> Any:
    return (Request(url, meta=meta), Response(url, status=302, headers={"Location": location}))


@pytest.mark.parametrize(
    ("location", "meta", "reason"),
    [
        ("/b.html", {}, None),
        ("http://169.254.169.254/", {}, "private_address"),
        ("http://127.0.0.1:22/", {}, "private_address"),
        ("file:///etc/passwd", {}, "bad_scheme"),
        ("http://8.8.8.8/page", {}, "offsite_redirect"),
        ("/a.html", {}, "redirect_loop"),
        ("/b.html", {"redirect_urls": ["http://127.0.0.1:8000/b.html"]}, "redirect_loop"),
        ("/c.html", {"redirect_times": 3}, "too_many_redirects"),
        ("/c.html", {"redirect_times": 2}, None),
        ("http://8.8.8.8/page", {"allow_offsite": True}, None),
        ("http://169.254.169.254/", {"dont_redirect": True}, None),  # not followed anyway
    ],
)
def test_redirect_guard(location: str, meta: dict[str, Any], reason: str | None) -> None:
    mw = RedirectGuardMiddleware.from_crawler(_crawler(REDIRECT_MAX_TIMES=3))
    assert _refusal(mw, "process_response", *_redirect(location, **meta)) == reason


# -- meta refresh: Scrapy's redirects, without decoding bodies that have none ---------------------

REFRESH = '<meta http-equiv="Refresh" content="0; url=/zwgk/zwdt/index.html">'
QUIET = "<p>区政府召开常务会议，研究部署重点工作。</p>"


def _html(body: bytes, content_type: bytes = b"text/html; charset=utf-8") -> Any:
    from scrapy.http import HtmlResponse

    url = "http://127.0.0.1:8000/index.html"
    return HtmlResponse(
        url, body=body, headers={b"Content-Type": content_type}, request=Request(url)
    )


def _meta_refresh() -> Any:
    from crawler.downloadermiddlewares.guards import MetaRefreshMiddleware

    return MetaRefreshMiddleware.from_crawler(get_crawler(Spider))


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (f"<html><head>{REFRESH}</head><body>{QUIET}</body></html>".encode(), b"text/html"),
        (  # GBK, the refresh after 3000 Chinese characters (past 4096 bytes, within 4096 chars)
            f"<html><head><title>{'区' * 3000}</title>{REFRESH}</head></html>".encode("gbk"),
            b"text/html; charset=gbk",
        ),
        (f"<html><head>{REFRESH}</head></html>".encode("utf-16"), b"text/html; charset=utf-16"),
        (
            f"<html><head>{REFRESH.replace('Refresh', 'REFRESH')}</head></html>".encode(),
            b"text/html",
        ),
    ],
)
def test_meta_refresh_is_followed_as_scrapy_does(body: bytes, content_type: bytes) -> None:
    response = _html(body, content_type)
    out = _meta_refresh().process_response(response.request, response)
    assert isinstance(out, Request)
    assert out.url == "http://127.0.0.1:8000/zwgk/zwdt/index.html"


def test_page_without_refresh_passes_untouched() -> None:
    response = _html(f"<html><head><title>动态</title></head><body>{QUIET}</body></html>".encode())
    assert _meta_refresh().process_response(response.request, response) is response
    # the word in the text but not in a refresh tag: Scrapy's check runs and finds nothing
    response = _html(f"<html><body><p>refresh 刷新</p>{QUIET}</body></html>".encode())
    assert _meta_refresh().process_response(response.request, response) is response
