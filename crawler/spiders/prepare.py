"""What an extraction worker does with one article page: extract it, build the item, and find
the request that reads its view count when the page shows none.

The item leaves uncleaned: cleaning is the pipelines' step (``CleaningPipeline``), and data
flows one way. Counter detection (:func:`crawler.extract.counters.find_counter`, regular
expressions over the whole page) runs here too, on the text the extraction decoded, instead of
decoding the page a second time on the reactor thread.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import NamedTuple

from crawler.extract.article import extract_article
from crawler.extract.continuation import next_part
from crawler.extract.counters import CounterRequest, find_counter
from crawler.extract.decode import decode_html
from crawler.extract.redirect import frame_page, script_redirect
from crawler.items import CHINA_TIME, ArticleItem
from crawler.sites import SiteProfile


class PreparedArticle(NamedTuple):
    """One article page, ready for the spider to yield."""

    item: ArticleItem
    #: the request that reads the view count, when the page shows none and a counter is known
    counter: CounterRequest | None = None
    #: where a page with (next to) no body sends the reader by script (a 链接型 document)
    redirect: str | None = None
    #: the next page of an article its CMS split over several (crawler.extract.continuation),
    #: or the page a text-less article shows in a frame (crawler.extract.redirect.frame_page)
    next_part: str | None = None


def prepare_article(
    html: bytes,
    url: str,
    *,
    site: str,
    profile: SiteProfile | None = None,
    http_charset: str | None = None,
    listed: date | None = None,
    part_of: str | None = None,
) -> PreparedArticle:
    """The :class:`ArticleItem` of one article page (``views_method`` "static" when
    the page shows its count) and, when it shows none, its counter request if one is found.
    ``listed`` is the day the column's list printed beside the link (:func:`dated_by_list`);
    ``part_of`` the address of the article's first page when this is a later one."""
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
    if part_of is not None:  # a later page: only its body and the page after it are read
        return PreparedArticle(
            item, next_part=next_part(text, url, part_of) if item.has_body else None
        )
    if listed is not None:
        dated_by_list(item, listed)
    counter = find_counter(text, url, profile) if item.views is None else None
    redirect = script_redirect(text, url, item.body_text) if item.body_kind == "text" else None
    if item.has_body:
        more = next_part(text, url)
    elif redirect is None and item.body_kind == "text":
        more = frame_page(text, url, item.body_text)  # read like a next page, see parts
    else:
        more = None
    return PreparedArticle(item, counter, redirect, more)


#: how a page date was found that is weaker than the list's: a labelled date far from the
#: headline (a sidebar's, a footer's)
_WEAKER_THAN_LIST = frozenset({"page-label"})


def dated_by_list(item: ArticleItem, listed: date) -> None:
    """Date an article by its list row (in place) when its page shows no date, or only a
    labelled date far from the headline on another day: the column itself states the day the
    article was published, as a reader scanning the list sees it (``methods.published`` "list",
    at 00:00 China time). A far date on the list's day is confirmed, and loses its flag."""
    method = item.methods.get("published")
    if item.published_at is not None and method not in _WEAKER_THAN_LIST:
        return
    if item.published_at is not None and item.published_at.astimezone(CHINA_TIME).date() == listed:
        item.quality = [q for q in item.quality if q != "date_far_from_title"]
        return
    item.published_at = datetime.combine(listed, time(), tzinfo=CHINA_TIME)
    item.published_raw = None
    item.methods["published"] = "list"
    item.quality = [q for q in item.quality if q not in ("no_date", "date_far_from_title")]
