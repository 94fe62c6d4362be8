"""DedupePipeline: one article per URL per run; same text under another URL is counted.

The second item for a URL already seen in this run is dropped (stat
``govnews/dedupe/duplicate_url``, logged at INFO, not as a warning: it is expected on portals
that link one article from several columns), unless it brings other URLs of the article not
seen yet (``ArticleItem.aliases``: a ``.htm`` page whose canonical link names the ``.html`` one),
which storage must record. An article whose content hash (normalised title+body) equals an
earlier one under a different URL is passed on and counted as ``govnews/dedupe/duplicate_content``:
storage folds it into the article of the same site with that text and keeps its URL as an alias
(pipelines/db/aliases.py). Across runs the storage upsert (unique URL) makes re-crawls
idempotent. Reads no settings.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.items import ArticleItem
from pipelines.fingerprint import item_content_hash

logger = logging.getLogger(__name__)


class DedupePipeline:
    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats
        self.seen_urls: set[str] = set()
        self.seen_aliases: set[str] = set()
        self.seen_hashes: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        new_aliases = set(item.aliases) - self.seen_aliases
        if item.url in self.seen_urls and not new_aliases:
            self._inc("govnews/dedupe/duplicate_url")
            raise DropItem(f"duplicate URL in this run: {item.url}", log_level="INFO")
        self.seen_urls.add(item.url)
        self.seen_aliases.update(new_aliases)
        digest = item.content_hash or item_content_hash(item)
        first = self.seen_hashes.setdefault(digest, item.url)
        if first != item.url:
            self._inc("govnews/dedupe/duplicate_content")
            logger.info("same content as %s: %s (stored as its alias)", first, item.url)
        return item

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
