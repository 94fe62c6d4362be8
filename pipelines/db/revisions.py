"""Edits and removals of stored articles: ``article_revisions`` rows and ``articles.removed_at``.

Government pages are edited after publication and taken down; analysts study exactly that, so
a re-crawl must not overwrite the old text silently nor forget that a page disappeared.

- :func:`record_revisions` runs in the batch's transaction just before the upsert: one query
  (per 500 URLs) reads the stored title, body, date and content hash of the batch's URLs, and
  every row whose content hash differs keeps the stored values as an ``article_revisions`` row
  (``seen_at``: when the new text was fetched; ``changed``: which fields differ). Plain SELECT
  and INSERT, so it is the same on SQLite and PostgreSQL; the upsert then writes the new text.
- :func:`mark_removed` turns the batch's rejects that say a page is gone (:data:`GONE_REASONS`:
  404, 410, or a page saying it was deleted) into ``removed_at`` on the article of that URL or of
  that other URL (``article_urls``); an article already marked keeps the time it was first seen
  gone. The upsert clears ``removed_at`` when the article is stored again.
- :func:`changes_per_site` counts both per site for ``govnews health``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Engine, Table, insert, select, update
from sqlalchemy.orm import Session

from crawler.items import CHINA_TIME
from pipelines.db.aliases import ALIASES, ARTICLES, select_in
from pipelines.db.chunks import chunks
from pipelines.db.models import ArticleRevision, SiteCount
from pipelines.db.upsert import as_utc

REVISIONS: Table = ArticleRevision.__table__  # type: ignore[assignment]
#: reject reasons that mean the page is gone, not that this fetch failed
GONE_REASONS = frozenset({"http_404", "http_410", "gone_page"})
#: the article fields a revision keeps, in the order ``changed`` names them
KEPT = ("title", "published_at", "body_text", "body_html")


def record_revisions(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert a revision for each row (from ``article_row``, URLs already folded onto stored
    articles) whose stored article has another content hash; returns their URLs (a batch of
    several runs counts each run's own)."""
    by_url = {row["url"]: row for row in rows}  # the last row of a URL wins, as in the upsert
    if not by_url:
        return set()
    cols = select(ARTICLES.c.url, ARTICLES.c.id, ARTICLES.c.content_hash, *ARTICLES.c[KEPT])
    revisions: dict[str, dict[str, Any]] = {}
    for url, article_id, digest, *old in select_in(session, cols, ARTICLES.c.url, set(by_url)):
        new = by_url[url]
        if digest == new["content_hash"]:
            continue
        before = dict(zip(KEPT, old, strict=True))
        before["published_at"] = as_utc(before["published_at"])
        revisions[url] = {
            "article_id": article_id,
            "seen_at": new["last_seen_at"],
            "changed": ",".join(_changed(before, new)),
            **before,
            "content_hash": digest,
        }
    if revisions:
        session.execute(insert(REVISIONS), list(revisions.values()))
    return set(revisions)


def _changed(before: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The kept fields the new row changes; a field the re-crawl did not find (None) keeps its
    stored value in the upsert, so it is no change. ``content_hash`` alone when none differs
    (the same text normalised another way)."""
    out = []
    for name in KEPT:
        value = new[name]
        if value is not None and value != before[name]:
            out.append(name)
    return out or ["content_hash"]


def mark_removed(session: Session, urls: Iterable[str], at: datetime) -> int:
    """Set ``removed_at = at`` on the articles stored under ``urls`` (or with them as another
    URL) that are not marked yet; returns how many were newly marked."""
    wanted = set(urls)
    if not wanted:
        return 0
    ids = set(select_in(session, select(ARTICLES.c.id), ARTICLES.c.url, wanted))
    ids |= set(select_in(session, select(ALIASES.c.article_id), ALIASES.c.url, wanted))
    if not ids:
        return 0
    marked = 0
    for chunk in chunks(sorted(ids)):
        stmt = (
            update(ARTICLES)
            .where(ARTICLES.c.id.in_(chunk), ARTICLES.c.removed_at.is_(None))
            .values(removed_at=as_utc(at))
        )
        marked += session.execute(stmt).rowcount or 0  # type: ignore[attr-defined]
    return marked


class Changes(NamedTuple):
    """A site's removed articles and recorded edits, for ``govnews health``."""

    removed: int = 0
    last_removed_at: datetime | None = None
    revisions: int = 0
    last_revision_at: datetime | None = None

    def notes(self) -> list[str]:
        """One line for the removals and one for the edits, each with its latest day."""
        out = []
        if self.removed:
            day = _day(self.last_removed_at)
            out.append(f"articles removed from the site: {self.removed} (latest {day})")
        if self.revisions:
            day = _day(self.last_revision_at)
            out.append(f"edits kept as revisions: {self.revisions} (latest {day})")
        return out


def _day(value: datetime | None) -> str:
    """An Asia/Shanghai calendar day, as the notes' readers count days."""
    return value.astimezone(CHINA_TIME).date().isoformat() if value else "?"


def changes_per_site(engine: Engine) -> dict[str, Changes]:
    """Per site: articles marked removed, revisions recorded, and the latest time of each.

    The counts and the latest revision come from ``site_counts`` (kept by triggers, migration
    0008) and the latest removal from a partial index on ``(site, removed_at)``: counting at
    read time scanned every article and revision."""
    counts = SiteCount.__table__
    out: dict[str, Changes] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(counts.c.site, counts.c.removed, counts.c.revisions, counts.c.last_revision_at)
            .where((counts.c.removed > 0) | (counts.c.revisions > 0))
            .order_by(counts.c.site)
        ).all()
        for site, removed, revisions, last_revision in rows:
            last_removed = None
            if removed:
                last_removed = conn.execute(
                    select(ARTICLES.c.removed_at)
                    .where(ARTICLES.c.site == site, ARTICLES.c.removed_at.is_not(None))
                    .order_by(ARTICLES.c.removed_at.desc())
                    .limit(1)
                ).scalar()
            out[site] = Changes(
                int(removed), as_utc(last_removed), int(revisions), as_utc(last_revision)
            )
    return out
