"""Each crawler of a fleet counts its own log records (crawler/extensions/logcount.py).

A fleet crawl runs a crawler per site in one process; ``crawl_runs.errors`` comes from each
crawler's ``log_count/ERROR``. One site's error must not count for the others.
"""

from __future__ import annotations

import logging

from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.extensions.logcount import SiteLogCount
from crawler.runtime.runner import project_settings


def _open(name: str) -> tuple[SiteLogCount, Spider]:
    crawler = get_crawler(Spider, {"LOG_LEVEL": "WARNING"})
    spider = Spider.from_crawler(crawler, name=name)
    counter = SiteLogCount.from_crawler(crawler)
    counter.spider_opened(spider)
    return counter, spider


def _errors(counter: SiteLogCount) -> int:
    stats = counter.crawler.stats
    assert stats is not None
    return int(stats.get_value("log_count/ERROR", 0))


def test_a_sites_error_counts_for_that_site_only() -> None:
    north, north_spider = _open("north")
    south, south_spider = _open("south")
    try:
        north_spider.logger.error("cannot download http://north.test/a.html")
        logging.getLogger("scrapy.core.scraper").error(
            "Spider error processing", extra={"spider": south_spider}
        )
        logging.getLogger("twisted").error("an error that names no site")  # whose? neither's
        logging.getLogger("x").warning("a warning")
        assert (_errors(north), _errors(south)) == (1, 1)
    finally:
        north.spider_closed(north_spider, "finished")
    # alone in the process, a crawler counts every record, as Scrapy's own LogCount does
    try:
        logging.getLogger("twisted").error("an error that names no site")
        assert _errors(south) == 2
        assert _errors(north) == 1  # closed: counts no more
    finally:
        south.spider_closed(south_spider, "finished")


def test_scrapys_log_counter_is_replaced() -> None:
    names = list(project_settings().getwithbase("EXTENSIONS"))
    assert "crawler.extensions.logcount.SiteLogCount" in names
    assert "scrapy.extensions.logcount.LogCount" not in names
