"""Per-run field fill rates in the crawl stats, for ``govnews health``.

Counts, for every article that left the pipelines (``item_scraped``), whether title, published
date, views and body are filled, and whether extraction was sure of every field (no quality
flag): stats keys ``govnews/fill/articles``, ``govnews/fill/<field>`` and
``govnews/fill/confident``. The storage pipeline saves all stats in ``crawl_runs.stats``, so each
run keeps its own fill rates even after later runs update the same articles in place; a layout
change shows up as a fill rate that drops against the site's history. Always on (cheap).
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.items import ArticleItem

FIELDS = {"title": "title", "published": "published_at", "views": "views", "body": "body_text"}


class FillRateStats:
    """Counts filled fields of scraped articles into the crawler stats."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FillRateStats:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item: Any, spider: Spider) -> None:
        stats = self.crawler.stats
        if stats is None or not isinstance(item, ArticleItem):
            return
        stats.inc_value("govnews/fill/articles")
        for key, attr in FIELDS.items():
            value = getattr(item, attr, None)
            if value is not None and value != "":
                stats.inc_value(f"govnews/fill/{key}")
        # always present once an article is counted: a run without the key predates it
        stats.inc_value("govnews/fill/confident", 0 if item.quality else 1)
