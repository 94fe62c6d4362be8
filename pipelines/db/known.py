"""What a scheduled re-crawl already has, and what it still owes: stored and failed URLs.

The spider asks for its :class:`~crawler.items.CrawlPlan` through the setting
``GOVNEWS_CRAWL_PLANNER`` (this module's :func:`plan_crawl`), so that it never imports the
database side. Read with plain SQL queries against ``articles`` and ``rejects`` (the schema is
a contract), so the spider stays incremental however it is launched (``govnews crawl``,
``scrapy crawl``, Scrapyd). A database without the tables yet (first crawl) simply has no
known URLs. Stored URLs are not loaded up front: :class:`StoredUrls` asks the unique URL indexes
about each list page's links, so the check per page costs the same at a million articles.

An incremental crawl stops paginating at the first list page of known articles, so an article
that failed once deeper in a column would never be seen again. :func:`load_failures` returns
the URLs whose latest reject is transient (:func:`is_transient`: the server or the database
failed this time) and which are still not stored: the spider fetches them again, every crawl,
until they are stored or fail for a permanent reason (404, not an article). Those that did
are settled: an incremental crawl neither fetches nor records them again.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Container
from typing import NamedTuple

from sqlalchemy import Engine, bindparam, create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from crawler.items import FRESH, CrawlPlan, is_transient
from pipelines.db.chunks import chunks
from pipelines.db.session import normalise_url

logger = logging.getLogger(__name__)


def _engine(db_url: str) -> Engine:
    """A plain engine; ``postgres://``/``postgresql://`` mean psycopg 3, as in the store."""
    return create_engine(normalise_url(db_url))


#: one small pool per database for the per-page lookups of every site crawled in the process
#: (a fleet crawls hundreds of sites in one process: one connection each would exhaust
#: PostgreSQL's ``max_connections``); the reactor's thread asks one page at a time
_LOOKUP_ENGINES: dict[str, Engine] = {}
_LOOKUP = text(
    "SELECT url FROM articles WHERE site = :site AND url IN :urls"
    " UNION ALL SELECT url FROM article_urls WHERE site = :site AND url IN :urls"
).bindparams(bindparam("urls", expanding=True))
_LOOKUP_ARTICLES = text("SELECT url FROM articles WHERE site = :site AND url IN :urls").bindparams(
    bindparam("urls", expanding=True)
)


_MAX_LOOKUP_ENGINES = 4


def _lookup_engine(db_url: str) -> Engine:
    """The process's engine for ``db_url``; the least recently used of more than a few is
    disposed (a test session opens hundreds of databases)."""
    engine = _LOOKUP_ENGINES.pop(db_url, None) or _engine(db_url)
    _LOOKUP_ENGINES[db_url] = engine  # now the most recently used
    while len(_LOOKUP_ENGINES) > _MAX_LOOKUP_ENGINES:
        _LOOKUP_ENGINES.pop(next(iter(_LOOKUP_ENGINES))).dispose()
    return engine


class StoredUrls(Container[str]):
    """The site's stored article URLs and their other URLs, asked of the database one list page
    at a time: :meth:`prefetch` looks a page's links up in one query by the unique indexes on
    ``articles.url`` and ``article_urls.url``, so the check costs the same at a million articles
    as at ten thousand, and the crawl holds no set of every URL the site ever had (loading it
    took seconds and hundreds of MiB at a million). A URL outside the prefetched page is looked
    up alone. Empty (false) when the site has no stored article yet."""

    def __init__(self, db_url: str, site: str) -> None:
        self.db_url = db_url
        self.site = site
        #: the answers for the latest page (replaced by each prefetch: memory stays flat)
        self._page: dict[str, bool] = {}
        self._has_aliases = True
        with _lookup_engine(db_url).connect() as conn:
            self._any = (
                conn.execute(
                    text("SELECT 1 FROM articles WHERE site = :site LIMIT 1"), {"site": site}
                ).first()
                is not None
            )

    def __bool__(self) -> bool:
        return self._any

    def prefetch(self, urls: Collection[str]) -> None:
        """Look ``urls`` (a list page's links, as linked and in canonical form) up at once."""
        wanted = sorted(set(urls))
        self._page = dict.fromkeys(wanted, False)
        for chunk in chunks(wanted):
            for url in self._query(chunk):
                self._page[url] = True

    def _query(self, urls: list[str]) -> list[str]:
        params = {"site": self.site, "urls": urls}
        with _lookup_engine(self.db_url).connect() as conn:
            if self._has_aliases:
                try:
                    return list(conn.execute(_LOOKUP, params).scalars())
                except (OperationalError, ProgrammingError):
                    self._has_aliases = False  # a database from before 0004: articles only
                    conn.rollback()
            return list(conn.execute(_LOOKUP_ARTICLES, params).scalars())

    def __contains__(self, url: object) -> bool:
        if not self._any or not isinstance(url, str):
            return False
        found = self._page.get(url)
        if found is None:
            found = self._page[url] = bool(self._query([url]))
        return found


def load_known_urls(db_url: str, site: str) -> StoredUrls | set[str]:
    """Article URLs already stored for ``site``, and their other URLs (``article_urls``), as a
    container answered by the database; an empty set when the database is new."""
    try:
        return StoredUrls(db_url, site)
    except (OperationalError, ProgrammingError):
        return set()  # a new database: nothing known


class Failures(NamedTuple):
    """Article URLs of a site that are not stored, by what their latest reject says."""

    #: transient: fetched again by every crawl until stored or failed for good
    retry: set[str]
    #: permanent (404, not an article, too long): not asked for again, nor recorded
    #: again, by incremental crawls (``--full`` does both)
    settled: set[str]


def load_failures(db_url: str, site: str) -> Failures:
    """The site's unstored article URLs whose latest reject is transient, and the others."""
    # the process's engine (:func:`_lookup_engine`), not a new one per question: a fleet asks
    # these for every site as its sites open, and a new engine was a new connection each time
    engine = _lookup_engine(db_url)
    query = text(
        "SELECT r.url, r.reason FROM rejects r"
        " JOIN (SELECT MAX(id) AS id FROM rejects WHERE site = :site GROUP BY url) last"
        " ON r.id = last.id"
        " WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = r.url)"
        " AND NOT EXISTS (SELECT 1 FROM article_urls u WHERE u.url = r.url)"
    )
    try:
        with engine.connect() as conn:
            rows = conn.execute(query, {"site": site}).all()
    except (OperationalError, ProgrammingError):
        return Failures(set(), set())
    found = Failures(set(), set())
    for url, reason in rows:
        if not reason.startswith("list_"):
            (found.retry if is_transient(reason) else found.settled).add(url)
    return found


def previous_run_incomplete(db_url: str, site: str, exclude_id: int | None = None) -> bool:
    """Whether the site's latest other run did not finish (killed, shut down, abandoned, or
    ``incomplete``: items it could not store) or lost a list page for a transient reason.

    Then the next crawl resumes: it still skips stored articles but does not stop paginating at
    a page of known ones, because the pages after it may never have been read (nor the articles
    a full disk kept even their reject rows from recording).
    """
    # the process's engine (:func:`_lookup_engine`), not a new one per question: a fleet asks
    # these for every site as its sites open, and a new engine was a new connection each time
    engine = _lookup_engine(db_url)
    try:
        with engine.connect() as conn:
            last = conn.execute(
                text(
                    "SELECT id, status FROM crawl_runs WHERE site = :site AND id != :id"
                    " ORDER BY id DESC LIMIT 1"
                ),
                {"site": site, "id": -1 if exclude_id is None else exclude_id},
            ).one_or_none()
            if last is None:
                return False
            if last.status != "finished":
                return True
            reasons = conn.execute(
                text("SELECT DISTINCT reason FROM rejects WHERE crawl_run_id = :id"),
                {"id": last.id},
            ).scalars()
            return any(r.startswith("list_") and is_transient(r) for r in reasons)
    except (OperationalError, ProgrammingError):
        return False


def plan_crawl(db_url: str | None, site: str, *, full: bool, run_id: int | None) -> CrawlPlan:
    """The plan of a crawl of ``site``; ``full`` re-reads everything (retries included)."""
    if not db_url:
        return FRESH
    failures = load_failures(db_url, site)
    retry = sorted(failures.retry)
    if retry:
        logger.info("retrying %d articles that failed before", len(retry))
    if full:
        return CrawlPlan(set(), set(), retry, False)
    known = load_known_urls(db_url, site)
    if known:
        logger.info("incremental: skipping stored articles (looked up per list page)")
    resuming = bool(known) and previous_run_incomplete(db_url, site, run_id)
    if resuming:
        logger.info("resuming: the last run did not finish, reading all list pages")
    return CrawlPlan(known, failures.settled, retry, resuming)
