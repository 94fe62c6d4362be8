"""Test data for the analysts' surface (export, search, stats, serve): written with the ORM.

Deterministic: a seeded generator combines Chinese phrases, so 1-, 2- and 4-character terms occur
at the start, middle and end of titles and bodies, plus a few hand-written edge cases (a title
that is exactly a 2-character term, LIKE wildcards, mixed Chinese/ASCII in both cases).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from pipelines.db.migrate import upgrade
from pipelines.db.models import Article, CrawlRun, ViewCount
from pipelines.db.session import make_engine, make_session_factory

PHRASES = [
    "高新区召开2021年工作会议",
    "人才引进政策解读",
    "招商引资项目签约仪式",
    "全区GDP增长6.5%",
    "召开安全生产会议",
    "优化营商环境",
    "乡村振兴示范村建设",
    "区委理论学习中心组学习",
    "高层次人才座谈",
    "防汛抗旱工作部署",
    "深化“放管服”改革",
    "gdp数据发布",
    "政务公开_专栏",
]
SITES = ("tangshan_gxq", "haidian", "pudong")
COLUMNS = ("区内动态", "政务动态", "工作动态")
EDGE_CASES = [
    ("会议", "无"),  # title is exactly a 2-character term, body a 1-character one
    ("通知", "本次培训聚焦人才"),  # 2-character term at the very end of the body
    ("GDP增长快报", "增长100%完成 a_b 目标"),  # mixed case ASCII, LIKE wildcards
]


def seed(db_url: str, n: int = 60) -> list[dict[str, object]]:
    """Migrate ``db_url`` to head and insert ``n`` + edge-case articles; return them as dicts."""
    upgrade(db_url)
    rng = random.Random(6)
    base = datetime(2024, 1, 15, 2, 0, tzinfo=UTC)
    rows: list[dict[str, object]] = []
    for i in range(n):
        title = rng.choice(PHRASES) + ("" if i % 3 else rng.choice(PHRASES))
        body = "。".join(rng.sample(PHRASES, k=rng.randint(1, 4))) + "。"
        rows.append({"title": title, "body_text": body})
    rows += [{"title": t, "body_text": b} for t, b in EDGE_CASES]
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    out: list[dict[str, object]] = []
    with factory.begin() as session:
        run = CrawlRun(site="test", start_urls=[], started_at=base, status="finished")
        session.add(run)
        session.flush()
        for i, row in enumerate(rows):
            published = base + timedelta(days=7 * i, hours=i % 24)
            views = None if i % 4 == 3 else 100 + i * 10
            art = Article(
                site=SITES[i % len(SITES)],
                url=f"http://www.example.gov.cn/a/{i}.html",
                title=row["title"],
                body_text=row["body_text"],
                body_html=f"<p>{row['body_text']}</p>",
                published_at=published,
                published_raw=published.isoformat(),
                views=views,
                column_name=COLUMNS[i % len(COLUMNS)],
                attachments=[{"url": f"http://www.example.gov.cn/f/{i}.pdf", "name": "附件"}]
                if i % 5 == 0
                else [],
                content_hash=f"{i:064x}",
                first_seen_at=base,
                last_seen_at=base + timedelta(days=1),
                last_crawl_run_id=run.id,
            )
            if views is not None:
                art.view_counts = [
                    ViewCount(observed_at=base + timedelta(days=d), views=views + 5 * d)
                    for d in range(3)
                ]
            session.add(art)
            session.flush()
            out.append(
                {
                    "id": art.id,
                    "title": art.title,
                    "body_text": art.body_text,
                    "site": art.site,
                    "views": art.views,
                    "published_at": published,
                }
            )
    engine.dispose()
    return out
