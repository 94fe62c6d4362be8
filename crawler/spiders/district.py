"""The one generic spider: column list -> pagination -> article -> view-count request.

Driven by a :class:`~crawler.sites.SiteProfile` (``-a site=NAME``) or, with no profile, by the
generic heuristics of :mod:`crawler.extract` and the start URLs (``-a start_url=URL``, several
separated by whitespace or commas). Every article URL that does not become an article yields a
:class:`~crawler.items.RejectItem` with the reason, so nothing is lost silently. Article links
are requested in their canonical form, and an article is named by its page's canonical link
when that is the same page (:mod:`crawler.extract.canonical`); the other URLs that led to it
travel as ``ArticleItem.aliases``.

Incremental by default: article URLs already in the database (``GOVNEWS_DB``) are not fetched
again, and a column stops paginating at the first list page that holds only known articles.
Articles that failed for a transient reason and are still not stored (the store's plan, asked
through ``GOVNEWS_CRAWL_PLANNER``) are fetched again whether or not a list page still reaches
them; those that failed for good (404, not an article) are not asked for, nor
recorded, again. ``-a full=1`` re-reads everything (``govnews demo`` and ``govnews crawl
--full`` do).

Settings read: ``GOVNEWS_SITES_DIRS`` (extra profile folders), ``GOVNEWS_MAX_PAGES`` (list pages
per column when the profile sets none), ``GOVNEWS_DB`` (known articles).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from crawler.extract.canonical import article_urls, clean_url
from crawler.extract.listing import extract_listing
from crawler.extract.pagenumbers import other_second_page
from crawler.extract.types import ExtractedListing
from crawler.items import FRESH, RejectItem
from crawler.sites import SiteProfile, host_in_domains, load_profile
from crawler.spiders.columns import ColumnBook
from crawler.spiders.counters import CounterSteps
from crawler.spiders.documents import DocumentSteps
from crawler.spiders.parts import PartSteps
from crawler.spiders.prepare import PreparedArticle
from crawler.spiders.responses import (
    content_type,
    failure_reason,
    http_charset,
    request_of,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_SPLIT = re.compile(r"[\s,]+")
SHANGHAI = ZoneInfo("Asia/Shanghai")
HTML_TYPES = ("text/html", "application/xhtml", "text/plain")  # or no Content-Type at all
#: Scrapy request priority of list pages (articles and counters keep 0): see _follow_listing
LIST_PRIORITY = 10
#: the most list pages a declared size takes a column to (the profile schema's own bound)
DECLARED_PAGES_CEILING = 100_000


class DistrictSpider(CounterSteps, DocumentSteps, PartSteps):
    """Walks the columns of one site (profile or generic) and yields articles and rejects."""

    name = "district"

    def __init__(
        self,
        site: str | None = None,
        start_url: str | list[str] | None = None,
        profile: SiteProfile | None = None,
        max_pages: int | str | None = None,
        full: bool | str = False,
        since: str | date | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        urls = _SPLIT.split(start_url) if isinstance(start_url, str) else list(start_url or [])
        urls = [u for u in urls if u]
        if profile is None and site:
            # settings are not bound yet in __init__; the settings module holds the env value
            from crawler.settings import GOVNEWS_SITES_DIRS

            profile = load_profile(site, GOVNEWS_SITES_DIRS)
        if profile is None:
            if not urls:
                raise ValueError("give a site profile (-a site=NAME) or start URLs (-a start_url=)")
            profile = SiteProfile.generic(urls)
        self.profile = profile
        self.site_name = profile.name
        self.start_urls = urls or list(profile.start_urls)
        # start URLs typed by the operator are trusted: their hosts are always allowed
        hosts = [urlsplit(u).hostname or "" for u in self.start_urls]
        self.allowed_domains = list(dict.fromkeys([*profile.allowed_domains, *hosts]))
        self.max_pages = int(max_pages) if max_pages else profile.max_pages
        self.full = str(full).lower() in ("1", "true", "yes") if isinstance(full, str) else full
        #: known, settled and retried URLs, and whether to read every list page (start())
        self.plan = FRESH
        # --since: articles dated before this Asia/Shanghai day are neither fetched nor stored
        self.since = date.fromisoformat(since) if isinstance(since, str) and since else None
        self.since = since if isinstance(since, date) else self.since
        self._counter_keys: set[tuple[str, str, bytes]] = set()
        self._columns: ColumnBook | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # the profile's politeness as spider-priority settings (the settings are not frozen
        # yet): `scrapy crawl district -a site=NAME` gets it too, and a -s on the command line
        # still wins; Scrapy's download_delay spider attribute is deprecated
        from crawler.runtime.runner import profile_overrides

        for key, value in profile_overrides(spider.profile).items():
            crawler.settings.set(key, value, priority="spider")
        return spider

    # -- helpers ------------------------------------------------------------------------------

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = parts.hostname or ""
        return parts.scheme in ("http", "https") and host_in_domains(host, self.allowed_domains)

    def _stat(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"govnews/spider/{key}", count)

    def _book(self) -> ColumnBook:
        if self._columns is None:
            self._columns = ColumnBook(self.crawler.stats)
        return self._columns

    def _max_pages(self) -> int:
        return self.max_pages or int(self.settings.getint("GOVNEWS_MAX_PAGES", 200))

    def _page_limit(self, listing: ExtractedListing, new_links: int) -> int:
        """How many list pages this column may be read to. GOVNEWS_MAX_PAGES bounds pagination
        traps (a calendar, a search that pages forever); a column that declares more pages
        (共523页) is read on to its declared end while each page shows links it had not shown,
        so a big column's first full crawl is complete. A limit set for the site or the crawl
        (``max_pages``) is kept as set."""
        limit = self._max_pages()
        declared = listing.declared_pages or 0
        if self.max_pages is None and declared > limit and new_links:
            return min(declared, DECLARED_PAGES_CEILING)
        return limit

    # -- list pages ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # the store answers through a setting (pipelines.db.known.plan_crawl by default): the
        # spider never imports the database side; without one, nothing is known
        planner = self.settings.get("GOVNEWS_CRAWL_PLANNER")
        self.plan = plan = (
            load_object(planner)(
                self.settings.get("GOVNEWS_DB"),
                self.site_name,
                full=self.full,
                run_id=getattr(self, "crawl_run_id", None),
            )
            if planner
            else FRESH
        )
        for url in self.start_urls:
            yield scrapy.Request(
                url,
                callback=self.parse_list,
                errback=self.list_failed,
                cb_kwargs={"page": 1, "column": url},
                priority=LIST_PRIORITY,
            )
        # what earlier runs failed to store for a passing reason: the list page that linked it
        # may lie past where this run stops paginating
        if plan.retry:
            self._stat("retried_failures", len(plan.retry))
        for url in plan.retry:
            if self._allowed(url):
                yield self._article_request(url, None)

    # Callbacks return lists, not generators of either kind: Scrapy then sends their output
    # through the spider middlewares' plain-iterable path, which costs far less per page than the
    # async-generator one (docs/performance.md).

    def parse_list(
        self, response: Response, page: int, column: str = "", guess: bool = False
    ) -> list[Any]:
        self._stat("list_pages")
        if not isinstance(response, TextResponse):
            return [RejectItem(response.url, self.site_name, "list_not_html")]
        listing = extract_listing(
            response.body, response.url, profile=self.profile, http_charset=http_charset(response)
        )
        return list(self._follow_listing(response, page, listing, column or response.url, guess))

    def _follow_listing(
        self,
        response: Response,
        page: int,
        listing: ExtractedListing,
        column: str = "",
        guess: bool = False,
    ) -> Iterator[scrapy.Request]:
        """Requests for a list page's next page, then its new articles.

        A page reached by a guess (the next number of a URL with no pager shown) ends its
        column when it shows no article link the column had not shown yet (a repeat, an
        unrelated page); a guessed page that is not found ends it quietly (:meth:`list_failed`).
        A column whose declared items have all been seen asks for no further page.

        Pagination is the crawl's critical path: each list page is known only once the one
        before it is read, while articles only need to be fetched eventually. So the next page
        is handed to Scrapy first and with a higher priority (:data:`LIST_PRIORITY`), and is
        downloaded before waiting articles whatever the scheduler's queue: Scrapy's LIFO memory
        queue or the Redis priority queue of a distributed crawl (which orders requests of
        equal priority by their serialised form, not by when they came).
        """
        column = column or response.url
        new_links = self._book().read(column, listing)
        if listing.pager:
            self._stat(f"pager/{listing.pager}")
        if guess and not new_links:
            self.logger.info("no new article links on guessed page %s, column done", response.url)
            self._stat("guessed_page_stops")
            return
        if not listing.article_links and not listing.next_page:
            self.logger.warning("no article links on list page %s", response.url)
            self._stat("list_pages_without_links")
        articles = self._article_requests(listing, response.url)
        next_page = self._next_list_page(listing, column, bool(articles), response.url)
        if next_page and self._allowed(next_page):
            request = self._list_request(next_page, page, column, listing, response.url, new_links)
            if request is not None:
                yield request
        yield from articles

    def _article_requests(self, listing: ExtractedListing, list_url: str) -> list[scrapy.Request]:
        """Requests for the article links worth fetching; a link to a file is a document."""
        articles: list[scrapy.Request] = []
        # one lookup of the page's links in the store, not one per link
        self.plan.prefetch([*listing.article_links, *map(clean_url, listing.article_links)])
        for link in listing.article_links:
            if not self._allowed(link):
                self._stat("offsite_links")
                continue
            url = clean_url(link)  # one request for ?utm_=, ;jsessionid=, // … variants
            listed = listing.link_dates.get(link)
            if (skipped := self._skip_reason(link, url, listed)) is not None:
                self._stat(skipped)
                continue
            if link in listing.documents:  # the row links to a file: the row is the article
                articles.append(
                    self.document_request(url, listing.documents[link], listed, list_url)
                )
                continue
            articles.append(self._article_request(url, list_url, listed))
        return articles

    def _skip_reason(self, link: str, url: str, listed: date | None) -> str | None:
        """Why an on-site article link is not fetched (its stats key), or None to fetch it:
        stored already, failed for good, or listed with a date before ``--since``."""
        if self.plan.is_known(link, url):
            return "known_articles_skipped"
        if self.plan.is_settled(url):
            return "settled_skipped"
        if self.since and listed and listed < self.since:
            return "older_than_since"
        return None

    def _next_list_page(
        self, listing: ExtractedListing, column: str, new_articles: bool, list_url: str
    ) -> str | None:
        """The list page to read next, or None when the column is done: an incremental crawl
        (or ``--since``) stops at a page whose links bring no article to fetch, and a column
        whose declared items have all been seen has nothing more to show."""
        stop = not self.full and not self.plan.resuming
        if listing.article_links and not new_articles and (stop or self.since):
            self.logger.info("incremental: no new article on %s, column done", list_url)
            self._stat("incremental_stops")
            self._book().stop(column, "since" if self.since and not stop else "incremental")
            return None
        if listing.next_page and self._book().complete(column):
            self._stat("columns_complete")
            return None
        return listing.next_page

    def _list_request(
        self,
        next_page: str,
        page: int,
        column: str,
        listing: ExtractedListing,
        list_url: str,
        new_links: int,
    ) -> scrapy.Request | None:
        """The request for list page ``page + 1``, unless the column reached its page limit
        (:meth:`_page_limit`; ``new_links``: article links this page showed first)."""
        if page >= self._page_limit(listing, new_links):
            self.logger.info("stopping pagination at %d pages: %s", page, list_url)
            self._stat("pagination_limit_reached")
            self._book().stop(column, "page_limit")
            return None
        return scrapy.Request(
            next_page,
            callback=self.parse_list,
            errback=self.list_failed,
            cb_kwargs={"page": page + 1, "column": column, "guess": listing.next_is_guess},
            priority=LIST_PRIORITY,
        )

    def _article_request(
        self, url: str, list_url: str | None, listed: date | None = None
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"list_url": list_url, "listed": listed},
        )

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        reason, detail = failure_reason(failure)
        request = request_of(failure)
        if request.cb_kwargs.get("guess") and reason in ("http_404", "http_410"):
            # a guessed next number that does not exist is the end of the column, unless it
            # was the first guess at page 2 and the other numbering is still untried
            other = other_second_page(request.url)
            if other is not None and not request.meta.get("govnews_other_guess"):
                self._stat("guessed_page_retried")
                yield request.replace(url=other, meta={**request.meta, "govnews_other_guess": True})
                return
            self._stat("guessed_page_missing")
            return
        self.logger.warning("list page failed %s: %s", request.url, detail)
        self._stat("list_errors")
        yield RejectItem(request.url, self.site_name, f"list_{reason}", detail)

    # -- articles -----------------------------------------------------------------------------

    def parse_article(
        self, response: Response, list_url: str | None = None, listed: date | None = None
    ) -> list[Any]:
        ctype = content_type(response).split(";")[0].strip().lower()
        if not isinstance(response, TextResponse) or not (
            ctype == "" or ctype.startswith(HTML_TYPES)
        ):
            self._stat("not_html")
            return [RejectItem(response.url, self.site_name, "not_html", ctype or None)]
        try:
            prepared = self._prepare(response, listed=listed)
        except Exception as exc:
            self.logger.exception("extraction failed for %s", response.url)
            return [RejectItem(response.url, self.site_name, "extraction_error", repr(exc)[:500])]
        return list(self._article_output(prepared, response))

    def _article_output(self, prepared: PreparedArticle, response: Response) -> Iterator[Any]:
        """The article item, or the request that carries it on (its next page, its view
        counter), or the request for the page a body-less page sends the reader to by script."""
        item, counter, redirect, more = prepared
        redirects = response.meta.get("redirect_urls") or []
        if redirect is not None:
            yield self._script_redirect(response, redirect, redirects)
            return
        item.url, item.aliases = article_urls(response.url, redirects, item.canonical_url)
        published = item.published_at
        if self.since and published and published.astimezone(SHANGHAI).date() < self.since:
            self._stat("older_than_since")
            return
        if more is not None and self._allowed(more):
            yield self._request_part(item, counter, more, response.url, 1)
            return
        yield from self._article_done(item, counter)

    def _script_redirect(self, response: Response, target: str, redirects: list[str]) -> Any:
        """Follow a script redirect as Scrapy follows an HTTP one (the hops kept in
        ``redirect_urls``, so that the listed URL becomes the article's alias); one that leaves
        the site, loops or runs past ``REDIRECT_MAX_TIMES`` is a reject, never a silent drop."""
        chain = [*redirects, response.url]
        origin = chain[0]
        if not self._allowed(target):
            self._stat("script_redirect_offsite")
            return RejectItem(origin, self.site_name, "redirect_offsite", target)
        if target in chain or len(chain) > self.settings.getint("REDIRECT_MAX_TIMES", 20):
            self._stat("script_redirect_loop")
            return RejectItem(origin, self.site_name, "redirect_loop", target)
        self._stat("script_redirect")
        request = response.request
        assert request is not None  # a response handed to a callback has its request
        return request.replace(
            url=target,
            dont_filter=True,  # the chain above stops loops; the listed URL must not vanish
            meta={**response.meta, "redirect_urls": chain},
        )

    def article_failed(self, failure: Failure) -> Iterator[RejectItem]:
        reason, detail = failure_reason(failure)
        self._stat(f"article_{reason}")
        # the URL the list linked to, not the last hop of its redirect chain
        url = (request_of(failure).meta.get("redirect_urls") or [request_of(failure).url])[0]
        yield RejectItem(url, self.site_name, reason, detail)
