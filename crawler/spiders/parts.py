"""The later pages of an article that its CMS split over several: one request per page, each
answer's body appended to the item, which then goes on (to its view counter, or out).

A base class, so the spider module keeps to the list -> article walk; it uses the spider's
``_stat``, ``_request_counter``, ``site_name`` and ``profile``. A page that cannot be read
ends the walk (see :meth:`PartSteps._part_missing`). Reads no settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.extract.continuation import MAX_PARTS
from crawler.extract.counters import CounterRequest
from crawler.extract.fields import add_attachments
from crawler.extract.redirect import MAX_BODY
from crawler.items import ArticleItem, RejectItem, is_transient
from crawler.sites import SiteProfile
from crawler.spiders.prepare import PreparedArticle, prepare_article
from crawler.spiders.responses import failure_reason, http_charset, request_of
from textkit.normalise import squash


class PartSteps(scrapy.Spider):
    """Requests for an article's later pages and their callbacks: a base of the district
    spider."""

    # set or defined by the district spider
    site_name: str
    profile: SiteProfile
    _stat: Callable[..., None]
    _request_counter: Callable[[ArticleItem, CounterRequest], Iterator[Any]]

    def _prepare(self, response: Response, **extra: Any) -> PreparedArticle:
        """The extraction worker's answer for one page of this site (``extra``: ``listed``,
        ``part_of``)."""
        return prepare_article(
            response.body,
            response.url,
            site=self.site_name,
            profile=self.profile,
            http_charset=http_charset(response),
            **extra,
        )

    def _request_part(
        self, item: ArticleItem, counter: CounterRequest | None, url: str, first: str, read: int
    ) -> scrapy.Request:
        """The request for the page after the ``read`` pages of ``item`` (first at ``first``).
        Not filtered: the item rides on it, and the page numbers only go up."""
        self._stat("article_parts")
        return scrapy.Request(
            url,
            callback=self.parse_part,
            errback=self.part_failed,
            cb_kwargs={"item": item, "counter": counter, "first": first, "read": read},
            dont_filter=True,
        )

    def parse_part(
        self,
        response: Response,
        item: ArticleItem,
        counter: CounterRequest | None,
        first: str,
        read: int,
    ) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            yield from self._part_missing(item, counter, response.url, "not_html", None)
            return
        try:
            part = self._prepare(response, part_of=first)
        except Exception as exc:
            self.logger.exception("extraction failed for %s", response.url)
            yield from self._part_missing(
                item, counter, response.url, "extraction_error", repr(exc)
            )
            return
        if not append_part(item, part.item):
            self._stat("article_part_repeats")  # a CMS that ignores the page number
            yield from self._article_done(item, counter)
            return
        if part.next_part is not None and read + 1 < MAX_PARTS:
            yield self._request_part(item, counter, part.next_part, first, read + 1)
            return
        yield from self._article_done(item, counter)

    def part_failed(self, failure: Failure) -> Iterator[Any]:
        request = request_of(failure)
        reason, detail = failure_reason(failure)
        kwargs = request.cb_kwargs
        yield from self._part_missing(
            kwargs["item"], kwargs["counter"], request.url, reason, detail
        )

    def _part_missing(
        self,
        item: ArticleItem,
        counter: CounterRequest | None,
        url: str,
        reason: str,
        detail: str | None,
    ) -> Iterator[Any]:
        """A later page that could not be read. When it may answer next time (a 5xx, a
        timeout), the article is not stored in part: it is a reject with that reason, and the
        next crawl reads it again. When it will not (a 404), the article is stored as read so
        far, flagged ``body_partial``, and the page is a reject row of its own."""
        self._stat("article_part_errors")
        self.logger.warning("page %s of %s could not be read: %s", url, item.url, reason)
        about = f"page {url}: {detail or reason}"
        if is_transient(reason):
            yield RejectItem(item.url, self.site_name, reason, about)
            return
        yield RejectItem(url, self.site_name, f"part_{reason}", detail)
        if "body_partial" not in item.quality:
            item.quality = sorted([*item.quality, "body_partial"])
        yield from self._article_done(item, counter)

    def _article_done(self, item: ArticleItem, counter: CounterRequest | None) -> Iterator[Any]:
        """The item, or the request for its view counter that will carry it on."""
        if counter is not None:
            yield from self._request_counter(item, counter)
            return
        yield item


def append_part(item: ArticleItem, part: ArticleItem) -> bool:
    """Add a later page's body, HTML and attachments to ``item`` (in place); False, adding
    nothing, when the page only repeats text the article has already, or when the article has
    no body yet (a frame's page) and the page has none of its own either (a widget's few
    words are not an article's text)."""
    text = part.body_text or ""
    if text and text in (item.body_text or ""):
        return False
    if not item.has_body and len(squash(text)) < MAX_BODY:
        return False
    if part.body_text:
        item.body_text = "\n".join(t for t in (item.body_text, part.body_text) if t)
    if part.body_html:
        item.body_html = "".join(h for h in (item.body_html, part.body_html) if h)
    item.attachments = add_attachments(item.attachments, part.attachments)
    item.methods["parts"] = str(int(item.methods.get("parts", "1")) + 1)
    return True
