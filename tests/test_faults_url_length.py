"""Every URL the crawler decides not to fetch gets a reason row (issue 23, item 4).

An article link longer than ``URLLENGTH_LIMIT`` used to vanish with only a stats counter; now it
is a ``url_too_long`` reject, and a view-counter request that is too long still lets its article
through (without a count).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem, RejectItem
from crawler.spidermiddlewares.urllength import UrlLengthRejects
from tests.ops_site import OpsSite, crawl_site
from tests.test_ops_no_holes import query

LONG = "art_7.html?ref=" + "x" * 2100


class SiteSpider(Spider):
    name = "urllength_test"
    site_name = "teststadt"


def middleware(limit: int = 2083) -> UrlLengthRejects:
    crawler = get_crawler(SiteSpider, {"URLLENGTH_LIMIT": limit})
    crawler.spider = SiteSpider.from_crawler(crawler)
    return UrlLengthRejects.from_crawler(crawler)


def test_long_request_becomes_a_reject() -> None:
    mw = middleware(100)
    short = Request("http://127.0.0.1/a.html")
    long_url = "http://127.0.0.1/" + "a" * 100
    out: list[Any] = list(mw.process_spider_output(None, [short, Request(long_url)]))  # type: ignore[arg-type]
    assert out[0] is short
    assert out[1] == RejectItem(
        long_url, "teststadt", "url_too_long", "URL of 117 characters, over URLLENGTH_LIMIT 100"
    )
    assert mw.crawler.stats is not None
    assert mw.crawler.stats.get_value("urllength/request_ignored_count") == 1


def test_long_counter_request_passes_its_article_on() -> None:
    item = ArticleItem(url="http://127.0.0.1/a.html", site="teststadt", title="t", body_text="b")
    counter = Request("http://127.0.0.1/count?" + "x" * 200, cb_kwargs={"item": item})
    assert list(middleware(100).process_spider_output(None, [counter])) == [item]  # type: ignore[arg-type]


@pytest.mark.slow
def test_crawl_records_the_long_link(db_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=12) as site:
        site.extra_links = [LONG]
        crawl_site(db_url, site, tmp_path)
        assert not any("?ref=" in path for path in site.requests)  # never fetched
        site.add(1)  # the next crawl reads page 1 again: the link is settled, not recorded again
        crawl_site(db_url, site, tmp_path)
    assert query(db_url, "SELECT COUNT(*) FROM articles") == [(13,)]
    url = f"{site.base_url}/news/{LONG}"
    [(stored, reason, detail)] = query(db_url, "SELECT url, reason, detail FROM rejects")
    # cut to the column's 2048 characters (PostgreSQL enforces it), whole in the detail
    assert (stored, reason) == (url[:2048], "url_too_long")
    assert str(detail).endswith(f"full URL: {url}")
