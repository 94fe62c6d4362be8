"""Per-site figures for ``govnews stats``: article counts, date range, view-count coverage, the
share of low-confidence articles (any quality flag) and of image/attachment-only notices.

The counts come from ``site_counts``, which database triggers keep exact on every write
(migration 0008): counting over ``articles``, ``view_counts`` and ``rejects`` at every call grew
with the tables, a second per 100k articles. The dates are index seeks per site (the first and
last ``published_at``, the latest ``last_seen_at``), so the report costs the same at a million
articles as at ten thousand. Identical on SQLite and PostgreSQL; times come back
timezone-aware (UTC).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import Connection, Row, ScalarSelect, bindparam, select

from pipelines.db.export import as_utc
from pipelines.db.models import Article, SiteCount

ARTICLES = Article.__table__
COUNTS = SiteCount.__table__


class SiteStats(TypedDict):
    site: str
    articles: int
    first_published_at: datetime | None
    last_published_at: datetime | None
    undated: int
    with_views: int
    views_coverage: float
    view_readings: int
    last_seen_at: datetime | None
    rejects: int
    low_confidence: int
    low_confidence_share: float
    media_only: int


def _edge(column: Any, *, last: bool) -> ScalarSelect[Any]:
    """A site's first or last non-NULL ``column``: one seek in an index led by ``site``."""
    order = column.desc() if last else column
    return (
        select(column)
        .where(ARTICLES.c.site == bindparam("site"), column.is_not(None))
        .order_by(order)
        .limit(1)
        .scalar_subquery()
    )


#: built once: the statement is compiled once and run per site
_DATES = select(
    _edge(ARTICLES.c.published_at, last=False),
    _edge(ARTICLES.c.published_at, last=True),
    _edge(ARTICLES.c.last_seen_at, last=True),
)


def site_stats(conn: Connection) -> list[SiteStats]:
    """One row per site (sorted by name) plus a final ``site="*"`` row with the totals."""
    counts = conn.execute(select(COUNTS).order_by(COUNTS.c.site)).all()
    out = [_site_row(conn, c) for c in counts if c.articles]
    # sites that only ever produced rejects ('': rejects without a site) come after the others
    out += [_rejects_only_row(c) for c in counts if not c.articles and c.rejects]
    out.append(_total(out))
    return out


def _site_row(conn: Connection, c: Row[Any]) -> SiteStats:
    """A site with articles: its ``site_counts`` row plus the dates, seeks run per site."""
    first, last, seen = conn.execute(_DATES, {"site": c.site}).one()
    return SiteStats(
        site=c.site,
        articles=c.articles,
        first_published_at=as_utc(first),
        last_published_at=as_utc(last),
        undated=c.undated,
        with_views=c.with_views,
        views_coverage=_share(c.with_views, c.articles),
        view_readings=c.view_readings,
        last_seen_at=as_utc(seen),
        rejects=c.rejects,
        low_confidence=c.low_confidence,
        low_confidence_share=_share(c.low_confidence, c.articles),
        media_only=c.media_only,
    )


def _rejects_only_row(c: Row[Any]) -> SiteStats:
    """A site with rejects but no article: listed so its rejects are not lost from the
    report, under "?" when the rejects were recorded without a site."""
    return SiteStats(
        site=c.site or "?",
        articles=0,
        first_published_at=None,
        last_published_at=None,
        undated=0,
        with_views=0,
        views_coverage=0.0,
        view_readings=0,
        last_seen_at=None,
        rejects=c.rejects,
        low_confidence=0,
        low_confidence_share=0.0,
        media_only=0,
    )


def _total(rows: list[SiteStats]) -> SiteStats:
    def pick(key: str, fn: Any) -> datetime | None:
        values = [r[key] for r in rows if r[key] is not None]  # type: ignore[literal-required]
        return fn(values) if values else None

    n = sum(r["articles"] for r in rows)
    with_views = sum(r["with_views"] for r in rows)
    low = sum(r["low_confidence"] for r in rows)
    return SiteStats(
        site="*",
        articles=n,
        first_published_at=pick("first_published_at", min),
        last_published_at=pick("last_published_at", max),
        undated=sum(r["undated"] for r in rows),
        with_views=with_views,
        views_coverage=_share(with_views, n),
        view_readings=sum(r["view_readings"] for r in rows),
        last_seen_at=pick("last_seen_at", max),
        rejects=sum(r["rejects"] for r in rows),
        low_confidence=low,
        low_confidence_share=_share(low, n),
        media_only=sum(r["media_only"] for r in rows),
    )


def _share(part: int, total: int) -> float:
    return round(100.0 * part / total, 1) if total else 0.0
