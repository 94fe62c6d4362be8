"""A realistic store of N articles for the storage benchmarks, filled fast.

Eight sites with several columns; about 5 % undated, 10 % without a view count, 5 % with a
quality flag, 2 % media-only, 1 % removed; three ``view_counts`` readings per article, a revision
for 1 in 200, a reject (some transient, some without a site) for 1 in 50, and one finished
``crawl_runs`` row per 200 articles with the fill stats a crawl records, every article pointing
at its run. The first 10 000 articles are written by ``executemany`` in one transaction; the
rest are copies of them by ``INSERT … SELECT`` under new URLs (building a million rows in Python
would take longer than what is measured), and the other tables follow by ``INSERT … SELECT``
over the new ids. The database's triggers (``site_counts``, the SQLite search index) fire on
every row, as they would for crawled rows.

    from store_fill import grow
    grow(url, have=0, target=1_000_000)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

SITES = [f"site{i}" for i in range(8)]
COLUMNS_OF_SITE = ["要闻动态", "通知公告", "政策文件", "部门动态"]
SEED = 10_000
RUN_EVERY = 200
BODY = (
    "会议传达学习了上级有关会议和文件精神，通报了前一阶段工作进展情况，研究部署了下一步重点任务。"
    "会议强调，要坚持以人民为中心的发展思想，把群众满意作为检验工作成效的根本标准。"
    "各部门要进一步提高政治站位，压实工作责任，细化任务分工，确保各项措施落地见效。"
)
ARTICLE_COLUMNS = [
    "site",
    "url",
    "title",
    "published_at",
    "published_raw",
    "views",
    "body_text",
    "body_html",
    "body_kind",
    "quality",
    "source",
    "column_name",
    "attachments",
    "methods",
    "content_hash",
    "first_seen_at",
    "last_seen_at",
    "last_crawl_run_id",
    "removed_at",
]
BASE = datetime(2024, 1, 1, tzinfo=UTC)


def _time(value: datetime | None, sqlite: bool) -> Any:
    if value is None or not sqlite:
        return value
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _seed_article(i: int, sqlite: bool, body_repeat: int) -> dict[str, Any]:
    site = SITES[i % len(SITES)]
    body = f"第{i}号。" + BODY * body_repeat
    seen = BASE + timedelta(days=400, minutes=i)
    return {
        "site": site,
        "url": f"http://www.{site}.gov.cn/xwzx/2024/t2024_{i}.html",
        "title": f"高新区召开第{i}次重点项目建设推进会",
        "published_at": None if i % 20 == 7 else _time(BASE + timedelta(minutes=i), sqlite),
        "published_raw": "发布时间：2024-01-01",
        "views": None if i % 10 == 3 else 100 + i,
        "body_text": body,
        "body_html": "<div>" + "".join(f"<p>{p}</p>" for p in body.split("。")) + "</div>",
        "body_kind": "images" if i % 50 == 11 else "text",
        "quality": json.dumps(["body_fallback"]) if i % 20 == 5 else None,
        "source": "高新区融媒体中心",
        "column_name": COLUMNS_OF_SITE[(i // len(SITES)) % len(COLUMNS_OF_SITE)],
        "attachments": json.dumps([{"url": f"http://www.{site}.gov.cn/f/{i}.pdf", "name": "附件"}]),
        "methods": json.dumps({"title": "h1", "published": "label", "body": "density"}),
        "content_hash": f"{i:064x}",
        "first_seen_at": _time(seen, sqlite),
        "last_seen_at": _time(seen, sqlite),
        "last_crawl_run_id": None,
        "removed_at": _time(seen, sqlite) if i % 100 == 13 else None,
    }


def _runs(conn: Connection, sqlite: bool, first: int, count: int) -> None:
    """``count`` finished runs, spread over the sites, with a crawl's fill stats."""
    stats = json.dumps(
        {
            "govnews/fill/articles": RUN_EVERY // len(SITES),
            "govnews/fill/title": RUN_EVERY // len(SITES),
            "govnews/fill/published": RUN_EVERY // len(SITES) - 1,
            "govnews/fill/views": RUN_EVERY // len(SITES) - 2,
            "govnews/fill/body": RUN_EVERY // len(SITES),
            "govnews/fill/confident": RUN_EVERY // len(SITES) - 1,
            "govnews/spider/known_articles_skipped": 40,
        }
    )
    rows = []
    for k in range(first, first + count):
        started = BASE + timedelta(hours=k)
        rows.append(
            {
                "site": SITES[k % len(SITES)],
                "start_urls": json.dumps([f"http://www.{SITES[k % len(SITES)]}.gov.cn/xwzx/"]),
                "started_at": _time(started, sqlite),
                "finished_at": _time(started + timedelta(minutes=20), sqlite),
                "status": "finished",
                "pages": RUN_EVERY // len(SITES) + 3,
                "items": RUN_EVERY // len(SITES),
                "rejects": 0,
                "errors": 0,
                "stats": stats,
            }
        )
    conn.execute(
        text(
            "INSERT INTO crawl_runs (site, start_urls, started_at, finished_at, status, pages,"
            " items, rejects, errors, stats) VALUES (:site, :start_urls, :started_at,"
            " :finished_at, :status, :pages, :items, :rejects, :errors, :stats)"
        ),
        rows,
    )


def _children(conn: Connection, low: int, sqlite: bool) -> None:
    """Readings, revisions and rejects of the articles with id > ``low``."""
    for k in range(3):
        shift = (
            f"datetime(a.last_seen_at, '-{k} days')"
            if sqlite
            else f"a.last_seen_at - {k} * interval '1 day'"
        )
        conn.execute(
            text(
                "INSERT INTO view_counts (article_id, observed_at, views, method,"
                f" self_incremented) SELECT a.id, {shift}, coalesce(a.views, 0) - {k},"
                " 'static', false FROM articles a WHERE a.id > :low"
            ),
            {"low": low},
        )
    conn.execute(
        text(
            "INSERT INTO article_revisions (article_id, seen_at, changed, title, published_at,"
            " body_text, body_html, content_hash) SELECT a.id, a.last_seen_at, 'title',"
            " a.title, a.published_at, a.body_text, NULL, a.content_hash FROM articles a"
            " WHERE a.id > :low AND a.id % 200 = 17"
        ),
        {"low": low},
    )
    site = "CASE WHEN a.id % 7 = 0 THEN NULL ELSE a.site END"
    reason = "CASE WHEN a.id % 3 = 0 THEN 'timeout' ELSE 'http_404' END"
    conn.execute(
        text(
            "INSERT INTO rejects (url, site, reason, detail, crawl_run_id, created_at)"
            f" SELECT a.url || '?r', {site}, {reason}, NULL, NULL, a.last_seen_at"
            " FROM articles a WHERE a.id > :low AND a.id % 50 = 29"
        ),
        {"low": low},
    )


def grow(url: str, have: int, target: int, body_repeat: int = 2) -> None:
    """Grow the store at ``url`` (migrated, holding ``have`` articles of this fill) to
    ``target`` articles with their readings, revisions, rejects and runs."""
    from pipelines.db.session import make_engine

    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    cols = ", ".join(ARTICLE_COLUMNS)
    with engine.begin() as conn:
        low = conn.execute(text("SELECT coalesce(max(id), 0) FROM articles")).scalar_one()
        # the runs first: every new article points at its site's latest run
        runs = conn.execute(text("SELECT count(*) FROM crawl_runs")).scalar_one()
        _runs(conn, sqlite, runs, max(len(SITES), target // RUN_EVERY - runs))
        latest = dict(
            conn.execute(text("SELECT site, max(id) FROM crawl_runs GROUP BY site")).all()
        )
        seed = min(target, SEED)
        if have < seed:
            rows = [_seed_article(i, sqlite, body_repeat) for i in range(have, seed)]
            for row in rows:
                row["last_crawl_run_id"] = latest[row["site"]]
            values = ", ".join(f":{c}" for c in ARTICLE_COLUMNS)
            conn.execute(text(f"INSERT INTO articles ({cols}) VALUES ({values})"), rows)
            have = seed
        run_of = " ".join(f"WHEN '{s}' THEN {i}" for s, i in latest.items())
        replaced = {
            "url": "url || '#' || CAST(id + :k AS TEXT)",
            "last_crawl_run_id": f"CASE site {run_of} END",
        }
        copied = ", ".join(replaced.get(c, c) for c in ARTICLE_COLUMNS)
        while have < target:
            n = min(have, target - have)
            conn.execute(
                text(
                    f"INSERT INTO articles ({cols}) SELECT {copied} FROM articles "
                    "WHERE id IN (SELECT id FROM articles ORDER BY id LIMIT :n)"
                ),
                {"k": have, "n": n},
            )
            have += n
        _children(conn, low, sqlite)
    if not sqlite:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
