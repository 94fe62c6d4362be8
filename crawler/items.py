"""Items that flow from the spider into the pipelines.

This module is the contract between crawling and storing: of `crawler`, `pipelines` imports only
it and shared utilities (the HTML sanitiser, the worker-process pool). Raw strings
(``published_raw``, ``views_raw``) travel beside the normalised values so that a bad
normalisation can be found and fixed later from stored data.
"""

from __future__ import annotations

from collections.abc import Collection, Container
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

#: China's time for dates read off pages: a fixed +08:00. Not ZoneInfo("Asia/Shanghai"), whose
#: history gives 1900 a local mean time of +08:05:43 (a page's 1900-01-01 became 1899-12-31
#: 15:54 UTC) and 1986-1991 summers a daylight-saving +09:00 that pages never meant.
CHINA_TIME = timezone(timedelta(hours=8), "+08:00")
#: the body kinds of an article whose content is a player (a 视频新闻, a recorded broadcast)
PLAYER_KINDS = frozenset({"video", "audio"})

#: Scrapy signal (no arguments) the storage pipeline sends once every item it has been given so
#: far is committed (after each batch, and when the crawl goes idle): a scale-out worker then
#: releases the requests behind those items (crawler/runtime/inflight.py)
items_stored = object()


@dataclass
class Attachment:
    """A linked file (pdf/doc/xls/zip …) that belongs to an article."""

    url: str
    name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "name": self.name}


@dataclass(kw_only=True)
class ArticleFields:
    """What a reader sees on an article page, each field with the method that found it: the one
    definition of an article's fields. Extraction returns these (``crawler.extract``); the
    spider's :class:`ArticleItem` adds where and when it was read."""

    title: str | None = None
    published_at: datetime | None = None
    published_raw: str | None = None
    views: int | None = None
    views_raw: str | None = None
    #: a view label was found whose number a script fills in (the counter resolver reads it)
    views_dynamic: bool = False
    body_text: str | None = None
    body_html: str | None = None
    source: str | None = None
    author: str | None = None
    column_name: str | None = None
    canonical_url: str | None = None
    #: [{"url": absolute URL, "name": link text or None}]
    attachments: list[dict[str, Any]] = field(default_factory=list)
    #: which method produced each field, e.g. {"title": "headline", "published": "label"}
    methods: dict[str, str] = field(default_factory=dict)
    #: "text", or "images"/"attachments" for a notice whose content is scans or files, or
    #: "video"/"audio" (:data:`PLAYER_KINDS`) for one that is a player: such an article is
    #: complete with an empty ``body_text`` (its images, files and players are in body_html and
    #: ``attachments``)
    body_kind: str = "text"
    #: low-confidence flags set by extraction (body_fallback, date_from_url, no_date …); empty
    #: when every field was found the sure way
    quality: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class ArticleItem(ArticleFields):
    """One article as the spider read it: the page's fields, plus its URL, site and crawl
    bookkeeping."""

    url: str
    site: str
    #: how ``views`` was obtained: "static", a resolver name ("phpcms", "dedecms" …) or None
    views_method: str | None = None
    #: whether our own request to a counter endpoint added a hit (then ``views`` is corrected)
    views_self_incremented: bool = False
    fetched_at: datetime | None = None
    #: sha256 of the cleaned, normalised title and body (set when the item is cleaned)
    content_hash: str | None = None
    #: once cleaned by CleaningPipeline: (boilerplate lines dropped, doubled quotation marks
    #: collapsed)
    cleaned: tuple[int, int] | None = None
    #: other URLs of this article the spider saw (the URL it fetched, when the page's canonical
    #: link named the one in ``url``; the link it followed, when that redirected): stored in
    #: ``article_urls`` so that incremental crawls know them
    aliases: list[str] = field(default_factory=list)

    @classmethod
    def from_page(cls, page: ArticleFields, **crawl: Any) -> ArticleItem:
        """The item of an extracted page (its fields copied) with the crawl's own fields."""
        shared = {f.name: getattr(page, f.name) for f in fields(ArticleFields)}
        shared["attachments"] = list(page.attachments)
        shared["methods"] = dict(page.methods)
        shared["quality"] = list(page.quality)
        return cls(**shared, **crawl)

    @property
    def has_body(self) -> bool:
        """Text, or content that is images or attachments (never rejected for lack of text)."""
        return self.body_kind != "text" or bool(self.body_text and not self.body_text.isspace())

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as one tuple of plain values.

        Every article crosses two process boundaries (extraction worker → reactor → writer,
        docs/performance.md), and both the load and the dump on the reactor's side count: that
        thread is the crawl's bottleneck. The default pickle of a dataclass holding two aware
        datetimes looks up the class, ``datetime`` and the time zone by name on every load
        (≈ 2× this one's cost); here the only lookup is :func:`_article_from_values`.
        """
        values = [getattr(self, name) for name in _ARTICLE_FIELDS]
        for i in _ARTICLE_DATETIMES:
            values[i] = _pack_datetime(values[i])
        return (_article_from_values, (tuple(values),))


_ARTICLE_FIELDS = tuple(f.name for f in fields(ArticleItem))
_ARTICLE_DATETIMES = tuple(_ARTICLE_FIELDS.index(name) for name in ("published_at", "fetched_at"))


def _pack_datetime(value: Any) -> Any:
    """A datetime in UTC or a named zone as a tuple of ints and the zone's key; anything else
    (None, a fixed-offset or other tzinfo) as it is, for pickle's own handling."""
    if type(value) is not datetime:
        return value
    tz = value.tzinfo
    if tz is UTC:
        zone = ""
    elif tz is CHINA_TIME:
        zone = "+08:00"
    elif type(tz) is ZoneInfo and tz.key:
        zone = tz.key
    elif tz is None:
        zone = None
    else:
        return value
    v = value
    return (v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, v.fold, zone)


def _unpack_datetime(value: Any) -> Any:
    if type(value) is not tuple:
        return value
    year, month, day, hour, minute, second, micro, fold, zone = value
    tz = (
        None
        if zone is None
        else UTC
        if zone == ""
        else CHINA_TIME
        if zone == "+08:00"
        else ZoneInfo(zone)
    )
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz, fold=fold)


def _article_from_values(values: tuple[Any, ...]) -> ArticleItem:
    """Rebuild an :class:`ArticleItem` from :meth:`ArticleItem.__reduce__`'s tuple."""
    item = ArticleItem(**dict(zip(_ARTICLE_FIELDS, values, strict=True)))
    for i in _ARTICLE_DATETIMES:
        setattr(item, _ARTICLE_FIELDS[i], _unpack_datetime(values[i]))
    return item


@dataclass
class RejectItem:
    """A URL that was meant to become an article and did not, with the reason why.

    Never dropped: the storage pipeline writes it to the ``rejects`` table.
    """

    url: str
    site: str
    reason: str
    detail: str | None = None


#: reject reasons worth another fetch: the server, the network or the database failed this time
TRANSIENT_REASONS = frozenset(
    {
        "timeout",
        "dns_error",
        "connection_refused",
        "connection_lost",
        "truncated_response",
        "download_error",
        "storage_error",
        "http_408",
        "http_425",
        "http_429",
    }
)


def is_transient(reason: str) -> bool:
    """Whether a reject reason may go away by itself (a 5xx, a timeout, a full disk), as
    opposed to one the page will give again (404/410, not HTML, no article on it)."""
    reason = reason.removeprefix("list_")
    return reason in TRANSIENT_REASONS or (reason.startswith("http_5") and reason[5:].isdigit())


@dataclass
class ViewReadingItem:
    """A fresh view-count reading for an already stored article (from ``govnews revisit``).

    The storage pipeline appends it to ``view_counts`` and moves ``articles.views``.
    """

    url: str
    views: int
    method: str | None = None
    self_incremented: bool = False
    observed_at: datetime | None = None


#: the length of ``rejects.url``: a longer URL (``url_too_long``) is recorded cut to it
REJECT_URL_MAX = 2048


class CrawlPlan(NamedTuple):
    """What an incremental crawl of a site skips, fetches again, and whether it resumes."""

    #: stored article URLs and their aliases: not fetched again (a set, or the store's
    #: container looked up per list page, ``pipelines.db.known.StoredUrls``)
    known: Container[str]
    #: URLs that failed for good: not fetched, nor recorded, again
    settled: set[str]
    #: URLs that failed for a passing reason, fetched again wherever pagination stops
    retry: list[str]
    #: the last run did not finish (or lost a list page): read every list page
    resuming: bool

    def prefetch(self, urls: Collection[str]) -> None:
        """Let a store-backed ``known`` answer a list page's links in one query."""
        prefetch = getattr(self.known, "prefetch", None)
        if prefetch is not None:
            prefetch(urls)

    def is_known(self, link: str, url: str) -> bool:
        """Whether a list page's ``link`` (``url`` in canonical form) is a stored article."""
        return url in self.known or link in self.known

    def is_settled(self, url: str) -> bool:
        """Whether ``url`` failed for good (a URL too long to fetch was recorded cut)."""
        cut = url[:REJECT_URL_MAX]
        return url in self.settled or (cut != url and cut in self.settled)


#: a crawl without a database: nothing known, nothing owed
FRESH = CrawlPlan(set(), set(), [], False)
