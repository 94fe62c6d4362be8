"""Writing one batch of items (articles, view readings, rejects) in one transaction.

Used by :class:`pipelines.storage.StoragePipeline`. A batch that fails for any reason (a
database error, or a value the driver cannot bind: SQLite raises ``OverflowError`` for an
integer over 64 bits) is retried item by item, and an item that still fails becomes a reject, so
one bad row never costs the rest of its batch. The reject's reason says whether to try again:
``storage_error`` when the database could not write at all (full disk, lost connection, locked:
the next crawl retries the URL) and ``storage_refused`` when it refused this row's values
(retrying the same page would not help). Before the upsert, each article row is folded into the
article it already is (same URL, a known alias, or the same text on the same site:
:mod:`pipelines.db.aliases`), and a stored article whose text changed keeps its old text as a
revision; rejects saying a known article's page is gone mark it removed
(:mod:`pipelines.db.revisions`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crawler.items import ArticleItem, RejectItem, ViewReadingItem
from pipelines.db.aliases import merge_same_articles, store_aliases
from pipelines.db.models import Article, Reject, ViewCount
from pipelines.db.revisions import GONE_REASONS, mark_removed, record_revisions
from pipelines.db.runs import RUNS, heartbeat, utcnow
from pipelines.db.upsert import article_row, as_utc, set_latest_views, upsert_articles

logger = logging.getLogger(__name__)
Stored = ArticleItem | RejectItem | ViewReadingItem
VIEW_COUNTS: Table = ViewCount.__table__  # type: ignore[assignment]
REJECTS: Table = Reject.__table__  # type: ignore[assignment]
#: rejects.url's length: a longer URL (one refused as too long to fetch) is cut there, and kept
#: whole in the detail, since PostgreSQL would refuse the row and the reason would be lost
URL_MAX: int = getattr(REJECTS.c.url.type, "length", None) or 2048


class Written(NamedTuple):
    """What one batch wrote."""

    articles: int
    rejects: int
    readings: int
    errors: int = 0
    #: stored articles whose text changed (``article_revisions`` rows)
    revisions: int = 0
    #: known articles newly found gone (``articles.removed_at`` set)
    removals: int = 0


class Target(NamedTuple):
    """Where a batch goes: the database, the run and the site."""

    db_url: str
    run_id: int | None
    site: str


def store_batch(factory: sessionmaker[Session], target: Target, batch: list[Stored]) -> Written:
    """Write one batch in one transaction; if that fails, item by item (bad ones rejected).

    ``errors`` counts the items that could not be stored, whether or not their reject row could
    be written (on a full disk it cannot): the run is then not ``finished``.
    """
    errors = 0
    try:
        counts = _write(factory, target, batch)
    except Exception as exc:  # any failure: the rows below find out which item it was
        logger.warning("batch of %d failed (%r); writing item by item", len(batch), exc)
        counts = (0, 0, 0, 0, 0)
        for item in batch:
            try:
                one = _write(factory, target, [item])
            except Exception as item_exc:
                # a warning: the pipeline counts these itself (crawl_runs.errors) and logs one
                # error for the run, so Scrapy's log counter does not count them twice
                logger.warning("cannot store %s: %r", getattr(item, "url", "?"), item_exc)
                errors += 1
                site = getattr(item, "site", None) or target.site
                reason = storage_reason(item_exc)
                reject = RejectItem(item.url, site or "?", reason, repr(item_exc)[:2000])
                try:
                    one = _write(factory, target, [reject])
                except Exception:
                    continue
            counts = tuple(a + b for a, b in zip(counts, one, strict=True))
    articles, rejects, readings, revisions, removals = counts
    return Written(articles, rejects, readings, errors, revisions, removals)


def storage_reason(exc: BaseException) -> str:
    """``storage_error`` when the database could not write (worth another try next crawl),
    ``storage_refused`` when it would refuse these values again."""
    transient = (OperationalError, InterfaceError, DisconnectionError, OSError, TimeoutError)
    return "storage_error" if isinstance(exc, transient) else "storage_refused"


def _write(factory: sessionmaker[Session], target: Target, batch: list[Stored]) -> tuple[int, ...]:
    """One transaction; returns (articles upserted, rejects, view_counts rows, revisions,
    removals)."""
    now = utcnow()
    run_id = target.run_id
    articles = [i for i in batch if isinstance(i, ArticleItem)]
    rejects = [i for i in batch if isinstance(i, RejectItem)]
    readings = [i for i in batch if isinstance(i, ViewReadingItem)]
    reject_rows: list[dict[str, Any]] = []
    view_rows: list[dict[str, Any]] = []
    with factory.begin() as session:
        # SQLite: the write lock first (waiting out another writer), since the batch reads
        # (aliases, hashes) before it writes, and a read snapshot cannot become a write once
        # another process has committed: that fails at once, busy timeout or not
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        rows = []
        for art in articles:
            if art.title and art.has_body:
                rows.append(article_row(art, seen_at=art.fetched_at or now, crawl_run_id=run_id))
            else:  # validation should have caught this; never lose it silently
                reason = "missing_title" if not art.title else "missing_body"
                rejects.append(RejectItem(art.url, art.site, reason, "reached storage"))
        final, aliases = merge_same_articles(session, rows, {a.url: a.aliases for a in articles})
        revisions = record_revisions(session, rows)
        ids = upsert_articles(session, rows)
        store_aliases(session, aliases, ids, now)
        for art in articles:
            stored_as = final.get(art.url, art.url)
            if art.views is not None and stored_as in ids:
                view_rows.append(
                    _view_row(
                        run_id,
                        ids[stored_as],
                        art.views,
                        art.views_method,
                        art.views_self_incremented,
                        art.fetched_at or now,
                    )
                )
        if readings:
            known = _ids_for(session, [r.url for r in readings])
            latest: dict[int, int] = {}
            for r in readings:
                if r.url not in known:
                    detail = f"view reading {r.views} for an unknown URL"
                    rejects.append(RejectItem(r.url, target.site, "unknown_article", detail))
                    continue
                obs = r.observed_at or now
                view_rows.append(
                    _view_row(run_id, known[r.url], r.views, r.method, r.self_incremented, obs)
                )
                latest[known[r.url]] = r.views
            set_latest_views(session, latest)
        for rej in rejects:
            reject_rows.append(
                {
                    "url": rej.url[:URL_MAX],
                    "site": rej.site,
                    "reason": rej.reason[:100],
                    "detail": _detail(rej),
                    "crawl_run_id": run_id,
                    "created_at": now,
                }
            )
        gone = [r.url for r in rejects if r.reason in GONE_REASONS]
        removals = mark_removed(session, gone, now) if gone else 0
        if view_rows:
            session.execute(insert(VIEW_COUNTS), view_rows)
        if reject_rows:
            session.execute(insert(REJECTS), reject_rows)
        if run_id is not None:  # running totals move with the rows, in the same transaction
            heartbeat(
                session.connection(),
                run_id,
                now,
                items=RUNS.c["items"] + len(ids),
                rejects=RUNS.c.rejects + len(reject_rows),
            )
    return len(ids), len(reject_rows), len(view_rows), revisions, removals


def _detail(reject: RejectItem) -> str | None:
    if len(reject.url) <= URL_MAX:
        return reject.detail
    return f"{reject.detail or ''}\nfull URL: {reject.url}".lstrip()


def _view_row(
    run_id: int | None,
    article_id: int,
    views: int,
    method: str | None,
    self_inc: bool,
    at: datetime,
) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "observed_at": as_utc(at),
        "views": views,
        "method": method[:50] if method else None,
        "self_incremented": bool(self_inc),
        "crawl_run_id": run_id,
    }


def _ids_for(session: Session, urls: list[str]) -> dict[str, int]:
    stmt = select(Article.url, Article.id).where(Article.url.in_(set(urls)))
    return {url: int(id_) for url, id_ in session.execute(stmt)}
