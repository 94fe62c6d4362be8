"""How much of each column a crawl reached, against the size the column declares.

A column that paginates by script can silently stop at page 1; the only way to notice is to
compare what the crawl reached with what the column says it holds (共N页, 共N条, a last-page
link, a script's page count, jpage's ``totalRecord``: :attr:`ExtractedListing.declared_pages`).
:class:`ColumnBook` keeps, per start URL, the list pages read, the distinct article links
seen and the largest declared size, and publishes them in the crawl's stats after every list
page (so the figures are in ``crawl_runs.stats`` however the crawl ends):

- ``govnews/pagination/columns``: ``{start URL: {declared_pages, reached_pages, declared_items,
  reached_items, pager, stopped, short}}``;
- ``govnews/pagination/columns_short``: how many columns were read short of their size with
  no deliberate stop (incremental, ``--since``, the page limit); ``govnews health`` flags them.

It also decides when a guessed next page (:attr:`ExtractedListing.next_is_guess`) ends the
column: when it brings no article link the column had not shown yet. Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.extract.types import ExtractedListing

#: pagers whose "pages" are data requests of their own size, not the column's pages
DATA_PAGERS = frozenset({"jpage", "json"})
#: share of the declared items a column must show: counts include links a crawl leaves out
#: (other sites, 微信 posts), so a few missing items are not a short column
ITEMS_SHARE = 0.9
COLUMNS_KEY = "govnews/pagination/columns"
SHORT_KEY = "govnews/pagination/columns_short"


@dataclass
class ColumnProgress:
    """One column (a start URL) as far as the crawl got."""

    reached_pages: int = 0
    links: set[str] = field(default_factory=set)
    declared_pages: int | None = None
    declared_items: int | None = None
    pager: str | None = None
    #: why the crawl stopped before the end on purpose ("incremental", "page_limit" …)
    stopped: str | None = None

    def short(self) -> bool:
        """Read short of the declared size, with no deliberate stop."""
        if self.stopped is not None:
            return False
        if self.declared_items and len(self.links) < self.declared_items * ITEMS_SHARE:
            return True
        if self.declared_pages is None or self.pager in DATA_PAGERS:
            return False
        return self.reached_pages < self.declared_pages

    def as_dict(self) -> dict[str, Any]:
        return {
            "declared_pages": self.declared_pages,
            "reached_pages": self.reached_pages,
            "declared_items": self.declared_items,
            "reached_items": len(self.links),
            "pager": self.pager,
            "stopped": self.stopped,
            "short": self.short(),
        }


class ColumnBook:
    """Progress of every column of a crawl, published into a Scrapy stats collector."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats
        self.columns: dict[str, ColumnProgress] = {}

    def read(self, column: str, listing: ExtractedListing) -> int:
        """Count one list page of ``column``; the number of its article links new to it."""
        progress = self.columns.setdefault(column, ColumnProgress())
        if listing.pager not in DATA_PAGERS or progress.reached_pages == 0:
            progress.reached_pages += 1
        new = [u for u in listing.article_links if u not in progress.links]
        progress.links.update(new)
        for name in ("declared_pages", "declared_items"):
            value = getattr(listing, name)
            if value is not None:
                setattr(progress, name, max(value, getattr(progress, name) or 0))
        progress.pager = progress.pager or listing.pager
        self.publish()
        return len(new)

    def complete(self, column: str) -> bool:
        """Every declared item has been seen: a further page can only repeat them."""
        progress = self.columns.get(column)
        if progress is None or not progress.declared_items:
            return False
        return len(progress.links) >= progress.declared_items

    def stop(self, column: str, reason: str) -> None:
        self.columns.setdefault(column, ColumnProgress()).stopped = reason
        self.publish()

    def publish(self) -> None:
        if self.stats is None:
            return
        self.stats.set_value(COLUMNS_KEY, {k: v.as_dict() for k, v in self.columns.items()})
        self.stats.set_value(SHORT_KEY, sum(v.short() for v in self.columns.values()))


__all__ = ["ColumnBook", "ColumnProgress"]
