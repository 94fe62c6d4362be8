"""The document step of :class:`crawler.spiders.district.DistrictSpider`: a list row that links
straight to a file (a tender notice as a PDF, a 名单 as a spreadsheet) is an article.

通知公告 columns often list files instead of pages. Fetching one as a page gives no HTML and a
``not_html`` reject, and the notice would be lost; a reader of the list sees a notice with a
title and a date. So the file is checked with a ``HEAD`` request (no download; a server that
refuses ``HEAD`` is asked with ``GET``), and the article is made from the list row: its link
text is the title, the row's date the publication date, the file its only attachment
(``body_kind`` ``attachments``, empty ``body_text``). A file that does not answer is a reject
with the reason, like any article. Reads no settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from html import escape
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import CHINA_TIME, ArticleItem, RejectItem
from crawler.spiders.responses import failure_reason, request_of

#: answers of a server that does not do HEAD for files: ask again with GET
_NO_HEAD = frozenset(["http_403", "http_405", "http_501"])


def document_item(url: str, site: str, title: str, listed: date | None) -> ArticleItem:
    """The article of a list row linking to a file (cleaned by the pipelines, like any)."""
    published = (
        datetime(listed.year, listed.month, listed.day, tzinfo=CHINA_TIME) if listed else None
    )
    return ArticleItem(
        url=url,
        site=site,
        title=title,
        published_at=published,
        published_raw=listed.isoformat() if listed else None,
        body_html=f'<p><a href="{escape(url)}">{escape(title)}</a></p>',
        attachments=[{"url": url, "name": title}],
        methods={"title": "list-link", "body": "document"}
        | ({"published": "list-row"} if listed else {}),
        fetched_at=datetime.now(UTC),
        body_kind="attachments",
        quality=[] if listed else ["no_date"],
    )


class DocumentSteps(scrapy.Spider):
    """File requests and their callbacks: a base of the district spider."""

    # set or defined by the district spider
    site_name: str
    _stat: Callable[..., None]
    article_failed: Callable[[Failure], Iterator[RejectItem]]

    def document_request(
        self, url: str, title: str, listed: date | None, list_url: str
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            method="HEAD",
            callback=self.parse_document,
            errback=self.document_failed,
            cb_kwargs={"title": title, "listed": listed, "list_url": list_url},
        )

    def parse_document(
        self, response: Response, title: str, listed: date | None, list_url: str
    ) -> Iterator[Any]:
        self._stat("documents")
        # the URL the list linked to, not the last hop of a redirect
        url = (response.request.meta.get("redirect_urls") if response.request else None) or [
            response.url
        ]
        yield document_item(url[0], self.site_name, title, listed)

    def document_failed(self, failure: Failure) -> Iterator[Any]:
        request = request_of(failure)
        reason, _ = failure_reason(failure)
        if request.method == "HEAD" and reason in _NO_HEAD:
            self._stat("documents_head_refused")
            yield request.replace(method="GET", dont_filter=True)
            return
        yield from self.article_failed(failure)


__all__ = ["DocumentSteps", "document_item"]
