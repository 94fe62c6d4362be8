"""Result types of the pure extraction functions (no I/O, no clock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from crawler.items import ArticleFields

#: an article page's fields as extraction returns them (defined once, in crawler.items)
ExtractedArticle = ArticleFields


@dataclass
class ExtractedListing:
    """What a column list page links to."""

    article_links: list[str] = field(default_factory=list)
    next_page: str | None = None
    #: further pagination pages seen on the page (index_2.html, index_3.html …)
    page_links: list[str] = field(default_factory=list)
    #: article URL -> the date shown beside its link in the list row (Asia/Shanghai calendar
    #: day); absent for links without a date. Lets ``--since`` skip old articles unfetched.
    link_dates: dict[str, date] = field(default_factory=dict)
    #: which pager family gave the next page ("link", "script_call", "object_literal",
    #: "onclick", "select", "page_text", "jpage", "json", "numbering"), None without one
    pager: str | None = None
    #: the column's size as the page declares it (共N页, a last-page link, countPage …) and
    #: its item count (共N条, totalRecord …): completeness is measured against them
    declared_pages: int | None = None
    declared_items: int | None = None
    #: the next page is a guess from the URL's numbering, not shown by the page: follow it only
    #: while pages bring new article links, and a 404 there ends the column quietly
    next_is_guess: bool = False
    #: article links that point at a file (PDF, Office, archive), with their link text: the
    #: row is the article (crawler.spiders.documents)
    documents: dict[str, str] = field(default_factory=dict)
