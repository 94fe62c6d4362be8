"""What an extraction worker does with one article page: extract it, build the item, and find
the request that reads its view count when the page shows none.

The item leaves uncleaned: cleaning is the pipelines' step (``CleaningPipeline``), and data
flows one way. Counter detection (:func:`crawler.extract.counters.find_counter`, regular
expressions over the whole page) runs here too, on the text the extraction decoded, instead of
decoding the page a second time on the reactor thread.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from crawler.extract.article import extract_article
from crawler.extract.counters import CounterRequest, find_counter
from crawler.extract.decode import decode_html
from crawler.extract.redirect import script_redirect
from crawler.items import ArticleItem
from crawler.sites import SiteProfile


class PreparedArticle(NamedTuple):
    """One article page, ready for the spider to yield."""

    item: ArticleItem
    #: the request that reads the view count, when the page shows none and a counter is known
    counter: CounterRequest | None = None
    #: where a page with (next to) no body sends the reader by script (a 链接型 document)
    redirect: str | None = None


def prepare_article(
    html: bytes,
    url: str,
    *,
    site: str,
    profile: SiteProfile | None = None,
    http_charset: str | None = None,
) -> PreparedArticle:
    """The :class:`ArticleItem` of one article page (``views_method`` "static" when
    the page shows its count) and, when it shows none, its counter request if one is found."""
    text, encoding = decode_html(html, http_charset, profile.encoding if profile else None)
    page = extract_article(text, url, profile=profile)
    # the charset the bytes were read with, so a garbled article can be traced to it
    page.methods["encoding"] = encoding
    item = ArticleItem.from_page(
        page,
        url=url,
        site=site,
        views_method="static" if page.views is not None else None,
        fetched_at=datetime.now(UTC),
    )
    counter = find_counter(text, url, profile) if item.views is None else None
    redirect = script_redirect(text, url, item.body_text) if item.body_kind == "text" else None
    return PreparedArticle(item, counter, redirect)
