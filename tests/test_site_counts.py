"""``site_counts`` (migration 0008) stays exact: after inserts, re-crawls (upserts), updates,
site moves and deletes (with their cascades), on real SQLite and PostgreSQL, the triggers' counts
equal the counts recomputed from the rows, and ``govnews stats``/``health`` read them. And the
incremental check that replaced loading every stored URL (``pipelines.db.known.StoredUrls``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select, text, update

from pipelines.db.export import as_utc
from pipelines.db.models import Article, ArticleRevision, Reject, SiteCount, ViewCount
from pipelines.db.revisions import changes_per_site
from pipelines.db.session import make_session_factory
from pipelines.db.stats import site_stats
from pipelines.db.upsert import upsert_articles

T0 = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
A, V, R, J = (t.__table__ for t in (Article, ViewCount, ArticleRevision, Reject))

#: the counts recomputed from the rows, as ``stats`` and ``health`` computed them before 0008
RECOUNT = """
SELECT s.site,
  (SELECT count(*) FROM articles a WHERE a.site = s.site),
  (SELECT count(*) FROM articles a WHERE a.site = s.site AND a.published_at IS NULL),
  (SELECT count(a.views) FROM articles a WHERE a.site = s.site),
  (SELECT count(a.quality) FROM articles a WHERE a.site = s.site),
  (SELECT count(*) FROM articles a WHERE a.site = s.site AND a.body_kind != 'text'),
  (SELECT count(a.removed_at) FROM articles a WHERE a.site = s.site),
  (SELECT count(*) FROM view_counts v JOIN articles a ON a.id = v.article_id
    WHERE a.site = s.site),
  (SELECT count(*) FROM article_revisions r JOIN articles a ON a.id = r.article_id
    WHERE a.site = s.site),
  (SELECT count(*) FROM rejects j WHERE coalesce(j.site, '') = s.site)
FROM (SELECT site FROM articles UNION SELECT coalesce(site, '') FROM rejects
      UNION SELECT site FROM site_counts) s
"""
COUNTED = (
    "articles",
    "undated",
    "with_views",
    "low_confidence",
    "media_only",
    "removed",
    "view_readings",
    "revisions",
    "rejects",
)


def _row(site: str, n: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "site": site,
        "url": f"http://{site}.gov.cn/a/{n}.html",
        "title": f"标题{n}",
        "published_at": T0 + timedelta(days=n),
        "published_raw": None,
        "views": 10 * n,
        "body_text": f"正文{n}",
        "body_html": None,
        "body_kind": "text",
        "quality": None,
        "source": None,
        "author": None,
        "column_name": None,
        "canonical_url": None,
        "attachments": [],
        "methods": None,
        "content_hash": f"h{n}",
        "first_seen_at": T0,
        "last_seen_at": T0,
        "last_crawl_run_id": None,
        "removed_at": None,
    }
    return row | over


def _counts(engine: Engine) -> dict[str, tuple[int, ...]]:
    c = SiteCount.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(c.c.site, *(c.c[k] for k in COUNTED))).all()
    return {r[0]: tuple(r[1:]) for r in rows if any(r[1:])}


def _recount(engine: Engine) -> dict[str, tuple[int, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(text(RECOUNT)).all()
    return {r[0]: tuple(int(v) for v in r[1:]) for r in rows if any(r[1:])}


def _latest_revision(engine: Engine, site: str) -> datetime | None:
    with engine.connect() as conn:
        stored = conn.execute(
            select(SiteCount.last_revision_at).where(SiteCount.site == site)
        ).scalar()
        recount = conn.execute(
            select(R.c.seen_at)
            .join(A, A.c.id == R.c.article_id)
            .where(A.c.site == site)
            .order_by(R.c.seen_at.desc())
            .limit(1)
        ).scalar()
    assert stored == recount
    return as_utc(stored)


def _check(engine: Engine) -> dict[str, tuple[int, ...]]:
    counts = _counts(engine)
    assert counts == _recount(engine)
    for site in counts:
        _latest_revision(engine, site)
    return counts


def test_counters_stay_exact(migrated_engine: Engine) -> None:
    engine = migrated_engine
    factory = make_session_factory(engine)
    with factory.begin() as s:
        ids = upsert_articles(
            s,
            [
                _row("xian", 1),
                _row("xian", 2, published_at=None, views=None),
                _row("xian", 3, quality=["body_fallback"], body_kind="images"),
                _row("baodi", 4),
            ],
        )
    pairs = [("xian", 1), ("xian", 2), ("xian", 3), ("baodi", 4)]
    one, two, three, four = (ids[f"http://{site}.gov.cn/a/{n}.html"] for site, n in pairs)
    with engine.begin() as conn:
        conn.execute(
            insert(V),
            [
                {"article_id": i, "observed_at": T0 + timedelta(days=d), "views": d}
                for i in (one, three, four)
                for d in range(3)
            ],
        )
        conn.execute(
            insert(R),
            [
                {
                    "article_id": i,
                    "seen_at": T0 + timedelta(days=d),
                    "changed": "title",
                    "title": "旧",
                    "body_text": "旧",
                    "content_hash": "old",
                }
                for i, d in ((one, 1), (one, 5), (four, 2))
            ],
        )
        conn.execute(
            insert(J).values(created_at=T0),
            [
                {"url": "http://xian.gov.cn/x", "site": "xian", "reason": "http_404"},
                {"url": "http://x/1", "site": None, "reason": "timeout"},
                {"url": "http://only.gov.cn/1", "site": "only", "reason": "timeout"},
            ],
        )
    counts = _check(engine)
    assert counts["xian"] == (3, 1, 2, 1, 1, 0, 6, 2, 1)
    assert counts["baodi"] == (1, 0, 1, 0, 0, 0, 3, 1, 0)
    assert counts[""] == (0,) * 8 + (1,) and counts["only"] == (0,) * 8 + (1,)
    assert _latest_revision(engine, "xian") == T0 + timedelta(days=5)

    # a re-crawl: the same URLs again, one now dated and with views, one flagged
    with factory.begin() as s:
        upsert_articles(
            s,
            [
                _row("xian", 2, last_seen_at=T0 + timedelta(days=9)),
                _row("xian", 1, quality=["date_from_url"]),
            ],
        )
    assert _check(engine)["xian"] == (3, 0, 3, 2, 1, 0, 6, 2, 1)

    # updates: removed, views cleared, then an article moved to another site
    with engine.begin() as conn:
        conn.execute(update(A).where(A.c.id == three).values(removed_at=T0, views=None))
        conn.execute(update(A).where(A.c.id == one).values(site="baodi"))
    counts = _check(engine)
    assert counts["xian"] == (2, 0, 1, 1, 1, 1, 3, 0, 1)
    assert counts["baodi"] == (2, 0, 2, 1, 0, 0, 6, 3, 0)
    assert _latest_revision(engine, "xian") is None
    assert _latest_revision(engine, "baodi") == T0 + timedelta(days=5)

    # deletes: a reading, a revision, a reject, then an article with its cascade
    with engine.begin() as conn:
        first_reading = conn.execute(select(V.c.id).where(V.c.article_id == four)).scalar()
        conn.execute(delete(V).where(V.c.id == first_reading))
        conn.execute(delete(R).where(R.c.article_id == one, R.c.seen_at == T0 + timedelta(5)))
        conn.execute(delete(J).where(J.c.site.is_(None)))
    assert _latest_revision(engine, "baodi") == T0 + timedelta(days=2)
    with engine.begin() as conn:
        conn.execute(delete(A).where(A.c.id == four))
    counts = _check(engine)
    assert counts["baodi"] == (1, 0, 1, 1, 0, 0, 3, 1, 0)
    assert "" not in counts
    assert _latest_revision(engine, "baodi") == T0 + timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(delete(A).where(A.c.id.in_([one, two, three])))
    assert _check(engine) == {"xian": (0,) * 8 + (1,), "only": (0,) * 8 + (1,)}


def test_reports_read_the_counters(migrated_engine: Engine) -> None:
    """``stats`` rows, the rejects-only sites (a site-less reject shown as "?") and health's
    removed/revision counts with their latest times."""
    engine = migrated_engine
    factory = make_session_factory(engine)
    with factory.begin() as s:
        ids = upsert_articles(
            s,
            [
                _row("xian", 1, last_seen_at=T0 + timedelta(days=3)),
                _row("xian", 2, published_at=None),
                _row("xian", 3, removed_at=T0 + timedelta(hours=5)),
            ],
        )
    with engine.begin() as conn:
        conn.execute(
            insert(R).values(
                article_id=ids["http://xian.gov.cn/a/1.html"],
                seen_at=T0 + timedelta(days=4),
                changed="title",
                title="旧",
                body_text="旧",
                content_hash="old",
            )
        )
        conn.execute(
            insert(J).values(created_at=T0),
            [
                {"url": "u1", "site": None, "reason": "timeout"},
                {"url": "u2", "site": "z", "reason": "x"},
            ],
        )
    with engine.connect() as conn:
        rows = {r["site"]: r for r in site_stats(conn)}
    assert list(rows) == ["xian", "?", "z", "*"]
    xian = rows["xian"]
    assert (xian["articles"], xian["undated"], xian["rejects"]) == (3, 1, 0)
    assert xian["first_published_at"] == T0 + timedelta(days=1)
    assert xian["last_published_at"] == T0 + timedelta(days=3)
    assert xian["last_seen_at"] == T0 + timedelta(days=3)
    assert rows["?"]["rejects"] == 1 and rows["*"]["rejects"] == 2
    changes = changes_per_site(engine)
    assert changes["xian"].removed == 1 and changes["xian"].revisions == 1
    assert changes["xian"].last_removed_at == T0 + timedelta(hours=5)
    assert changes["xian"].last_revision_at == T0 + timedelta(days=4)


def test_known_urls_are_looked_up_per_page(migrated_engine: Engine, db_url: str) -> None:
    """The incremental check (``StoredUrls``): a page's links in one lookup, stored URLs and
    other URLs of the site known, another site's and new ones not; a link outside the page is
    looked up alone; a database without tables knows nothing."""
    from pipelines.db.known import StoredUrls
    from pipelines.db.models import ArticleUrl

    factory = make_session_factory(migrated_engine)
    with factory.begin() as s:
        ids = upsert_articles(s, [_row("xian", 1), _row("baodi", 2)])
    with migrated_engine.begin() as conn:
        conn.execute(
            insert(ArticleUrl.__table__).values(
                article_id=ids["http://xian.gov.cn/a/1.html"],
                site="xian",
                url="http://xian.gov.cn/a/1.htm",
                first_seen_at=T0,
            )
        )
    known = StoredUrls(db_url, "xian")
    assert known
    page = ["http://xian.gov.cn/a/1.html", "http://xian.gov.cn/a/1.htm", "http://xian.gov.cn/n"]
    known.prefetch([*page, "http://baodi.gov.cn/a/2.html"])
    assert [u in known for u in page] == [True, True, False]
    assert "http://baodi.gov.cn/a/2.html" not in known  # stored, but for another site
    known.prefetch([])
    assert "http://xian.gov.cn/a/1.htm" in known and "http://xian.gov.cn/m" not in known
    assert not StoredUrls(db_url, "nowhere")


def test_known_urls_of_a_new_database(tmp_path: object) -> None:
    from pipelines.db.known import load_known_urls

    assert load_known_urls(f"sqlite:///{tmp_path}/new.db", "xian") == set()
