"""Per-site figures for ``govnews stats``: article counts, date range, view-count coverage, the
share of low-confidence articles (any quality flag) and of image/attachment-only notices.

Plain aggregates over ``articles``, ``view_counts`` and ``rejects`` (one query each, grouped by
site), identical on SQLite and PostgreSQL; times come back timezone-aware (UTC).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import Connection, case, func, select

from pipelines.db.export import as_utc
from pipelines.db.models import Article, Reject, ViewCount


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


def site_stats(conn: Connection) -> list[SiteStats]:
    """One row per site (sorted by name) plus a final ``site="*"`` row with the totals."""
    a = Article.__table__
    rows = conn.execute(
        select(
            a.c.site,
            func.count(),
            func.min(a.c.published_at),
            func.max(a.c.published_at),
            func.count() - func.count(a.c.published_at),
            func.count(a.c.views),
            func.max(a.c.last_seen_at),
            func.count(a.c.quality),
            func.count(case((a.c.body_kind != "text", 1))),
        )
        .group_by(a.c.site)
        .order_by(a.c.site)
    ).all()
    vc = ViewCount.__table__
    readings: dict[str, int] = {
        site: n
        for site, n in conn.execute(
            select(a.c.site, func.count())
            .select_from(vc.join(a, a.c.id == vc.c.article_id))
            .group_by(a.c.site)
        )
    }
    r = Reject.__table__
    rejects: dict[str | None, int] = {
        site: n for site, n in conn.execute(select(r.c.site, func.count()).group_by(r.c.site))
    }
    out: list[SiteStats] = []
    for site, n, first, last, undated, with_views, seen, low, media in rows:
        out.append(
            SiteStats(
                site=site,
                articles=n,
                first_published_at=as_utc(first),
                last_published_at=as_utc(last),
                undated=undated,
                with_views=with_views,
                views_coverage=_share(with_views, n),
                view_readings=readings.get(site, 0),
                last_seen_at=as_utc(seen),
                rejects=rejects.get(site, 0),
                low_confidence=low,
                low_confidence_share=_share(low, n),
                media_only=media,
            )
        )
    for site, count in rejects.items():  # sites that only ever produced rejects
        if site not in {s["site"] for s in out}:
            out.append(
                SiteStats(
                    site=site or "?",
                    articles=0,
                    first_published_at=None,
                    last_published_at=None,
                    undated=0,
                    with_views=0,
                    views_coverage=0.0,
                    view_readings=0,
                    last_seen_at=None,
                    rejects=count,
                    low_confidence=0,
                    low_confidence_share=0.0,
                    media_only=0,
                )
            )
    out.append(_total(out))
    return out


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
