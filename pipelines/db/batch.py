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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crawler.items import ArticleItem, RejectItem, ViewReadingItem
from pipelines.db.aliases import merge_same_articles, store_aliases
from pipelines.db.models import Article, Reject, ViewCount
from pipelines.db.revisions import GONE_REASONS, mark_removed, record_revisions
from pipelines.db.runs import add_to_runs, utcnow
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
        counts = _write(factory, [(target, batch)])[0]
    except Exception as exc:  # any failure: the rows below find out which item it was
        logger.warning("batch of %d failed (%r); writing item by item", len(batch), exc)
        counts = (0, 0, 0, 0, 0)
        for item in batch:
            try:
                one = _write(factory, [(target, [item])])[0]
            except Exception as item_exc:
                # a warning: the pipeline counts these itself (crawl_runs.errors) and logs one
                # error for the run, so Scrapy's log counter does not count them twice
                logger.warning("cannot store %s: %r", getattr(item, "url", "?"), item_exc)
                errors += 1
                site = getattr(item, "site", None) or target.site
                reason = storage_reason(item_exc)
                reject = RejectItem(item.url, site or "?", reason, repr(item_exc)[:2000])
                try:
                    one = _write(factory, [(target, [reject])])[0]
                except Exception:
                    continue
            counts = tuple(a + b for a, b in zip(counts, one, strict=True))
    articles, rejects, readings, revisions, removals = counts
    return Written(articles, rejects, readings, errors, revisions, removals)


def store_batches(
    factory: sessionmaker[Session], parts: Sequence[tuple[Target, list[Stored]]]
) -> list[Written]:
    """Write several runs' batches (a fleet's sites in one process) in one transaction; what
    each wrote, in order. If that transaction fails, each batch is written on its own by
    :func:`store_batch`, so one site's bad row costs no other site anything.

    Why together: a batch's fixed cost (the write lock, the alias, hash and revision lookups,
    the commit) is the same for three rows as for three hundred, and a polite fleet's sites each
    have a few rows every few seconds: written one site at a time, batches were a third of a
    fleet crawl's CPU (benchmarks/fleet.py)."""
    if len(parts) == 1:
        return [store_batch(factory, *parts[0])]
    try:
        counts = _write(factory, parts)
    except Exception as exc:
        logger.warning("batches of %d runs failed together (%r); one by one", len(parts), exc)
        return [store_batch(factory, target, batch) for target, batch in parts]
    return [Written(*c) for c in counts]


def storage_reason(exc: BaseException) -> str:
    """``storage_error`` when the database could not write (worth another try next crawl),
    ``storage_refused`` when it would refuse these values again."""
    transient = (OperationalError, InterfaceError, DisconnectionError, OSError, TimeoutError)
    return "storage_error" if isinstance(exc, transient) else "storage_refused"


@dataclass
class _Part:
    """One run's share of a transaction: its items sorted by kind, and the rows made of them."""

    target: Target
    articles: list[ArticleItem]
    rows: list[dict[str, Any]]
    rejects: list[RejectItem]
    readings: list[ViewReadingItem]
    view_rows: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, target: Target, batch: list[Stored], now: datetime) -> _Part:
        part = cls(target, [], [], [], [])
        for item in batch:
            if isinstance(item, ArticleItem):
                part.articles.append(item)
            elif isinstance(item, RejectItem):
                part.rejects.append(item)
            elif isinstance(item, ViewReadingItem):
                part.readings.append(item)
        for art in part.articles:
            if art.title and art.has_body:
                seen = art.fetched_at or now
                part.rows.append(article_row(art, seen_at=seen, crawl_run_id=target.run_id))
            else:  # validation should have caught this; never lose it silently
                reason = "missing_title" if not art.title else "missing_body"
                part.rejects.append(RejectItem(art.url, art.site, reason, "reached storage"))
        return part


def _write(
    factory: sessionmaker[Session], batches: Sequence[tuple[Target, list[Stored]]]
) -> list[tuple[int, ...]]:
    """One transaction for every batch; per batch (articles upserted, rejects, view_counts
    rows, revisions, removals)."""
    now = utcnow()
    parts = [_Part.of(target, batch, now) for target, batch in batches]
    with factory.begin() as session:
        # SQLite: the write lock first (waiting out another writer), since the batch reads
        # (aliases, hashes) before it writes, and a read snapshot cannot become a write once
        # another process has committed: that fails at once, busy timeout or not
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        rows = [row for part in parts for row in part.rows]
        aliases_of = {a.url: a.aliases for part in parts for a in part.articles}
        final, aliases = merge_same_articles(session, rows, aliases_of)
        revised = record_revisions(session, rows)
        ids = upsert_articles(session, rows)
        store_aliases(session, aliases, ids, now)
        for part in parts:
            part.view_rows += _article_views(part, final, ids, now)
        _store_readings(session, parts, now)
        removals = [_mark_gone(session, part, now) for part in parts]
        reject_rows = [[_reject_row(r, p.target.run_id, now) for r in p.rejects] for p in parts]
        view_rows = [row for part in parts for row in part.view_rows]
        if view_rows:
            session.execute(insert(VIEW_COUNTS), view_rows)
        if any(reject_rows):
            session.execute(insert(REJECTS), [row for rows_ in reject_rows for row in rows_])
        stored = [{row["url"] for row in part.rows} for part in parts]
        # running totals move with the rows, in the same transaction
        add_to_runs(
            session.connection(),
            now,
            [
                (part.target.run_id, len(urls), len(rejected))
                for part, urls, rejected in zip(parts, stored, reject_rows, strict=True)
                if part.target.run_id is not None
            ],
        )
    return [
        (len(urls), len(rejected), len(part.view_rows), len(urls & revised), removed)
        for part, urls, rejected, removed in zip(parts, stored, reject_rows, removals, strict=True)
    ]


def _article_views(
    part: _Part, final: dict[str, str], ids: dict[str, int], now: datetime
) -> list[dict[str, Any]]:
    """The view readings the part's articles carry, under the ids they were stored as."""
    out = []
    for art in part.articles:
        stored_as = final.get(art.url, art.url)
        if art.views is not None and stored_as in ids:
            out.append(
                _view_row(
                    part.target.run_id,
                    ids[stored_as],
                    art.views,
                    art.views_method,
                    art.views_self_incremented,
                    art.fetched_at or now,
                )
            )
    return out


def _store_readings(session: Session, parts: Sequence[_Part], now: datetime) -> None:
    """Readings of stored articles become view rows (and the articles' latest views); a
    reading for a URL with no article becomes an ``unknown_article`` reject."""
    urls = [r.url for part in parts for r in part.readings]
    if not urls:
        return
    known = _ids_for(session, urls)
    latest: dict[int, int] = {}
    for part in parts:
        run_id = part.target.run_id
        for r in part.readings:
            if r.url not in known:
                detail = f"view reading {r.views} for an unknown URL"
                part.rejects.append(RejectItem(r.url, part.target.site, "unknown_article", detail))
                continue
            obs = r.observed_at or now
            part.view_rows.append(
                _view_row(run_id, known[r.url], r.views, r.method, r.self_incremented, obs)
            )
            latest[known[r.url]] = r.views
    set_latest_views(session, latest)


def _mark_gone(session: Session, part: _Part, now: datetime) -> int:
    gone = [r.url for r in part.rejects if r.reason in GONE_REASONS]
    return mark_removed(session, gone, now) if gone else 0


def _reject_row(rej: RejectItem, run_id: int | None, now: datetime) -> dict[str, Any]:
    return {
        "url": rej.url[:URL_MAX],
        "site": rej.site,
        "reason": rej.reason[:100],
        "detail": _detail(rej),
        "crawl_run_id": run_id,
        "created_at": now,
    }


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
