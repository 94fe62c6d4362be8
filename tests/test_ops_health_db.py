"""Health flags computed from ``crawl_runs`` rows (real SQLite and PostgreSQL, no crawl)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from pipelines.db.health import site_health
from pipelines.db.migrate import upgrade
from pipelines.db.models import Article, CrawlRun
from pipelines.db.session import make_engine

T0 = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)


def _fill(
    n: int, title: int, published: int, views: int, body: int, confident: int | None = None
) -> dict[str, int]:
    return {
        "govnews/fill/articles": n,
        "govnews/fill/title": title,
        "govnews/fill/published": published,
        "govnews/fill/views": views,
        "govnews/fill/body": body,
        "govnews/fill/confident": n if confident is None else confident,
    }


def _runs(db_url: str, runs: list[dict[str, Any]]) -> Any:
    upgrade(db_url)
    engine = make_engine(db_url)
    rows = []
    for i, run in enumerate(runs):
        start = T0 + timedelta(days=i)
        rows.append(
            {
                "site": run.get("site", "xq"),
                "start_urls": [],
                "started_at": start,
                "finished_at": start + timedelta(minutes=5),
                "heartbeat_at": start + timedelta(minutes=5),
                "status": run.get("status", "finished"),
                "pages": 10,
                "items": run["items"],
                "rejects": run.get("rejects", 0),
                "errors": run.get("errors", 0),
                "stats": run.get("stats"),
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(CrawlRun.__table__), rows)
    return engine


def test_healthy_history_has_no_flags(db_url: str) -> None:
    engine = _runs(db_url, [{"items": 10, "stats": _fill(10, 10, 10, 8, 10)}] * 3)
    [h] = site_health(engine)
    engine.dispose()
    assert h.flags == []
    assert h.last_run is not None and h.last_run.articles == 10
    assert h.last_run.fill == {
        "title": 100.0,
        "published": 100.0,
        "views": 80.0,
        "body": 100.0,
        "confident": 100.0,
    }
    assert h.last_success_at is not None


@pytest.mark.parametrize(
    ("last", "flags"),
    [
        # nothing stored, nothing known seen: the list pages yield nothing
        ({"items": 0, "stats": _fill(0, 0, 0, 0, 0)}, ["no_articles"]),
        # nothing new but known links seen: a quiet day, not a failure
        (
            {
                "items": 0,
                "stats": {**_fill(0, 0, 0, 0, 0), "govnews/spider/known_articles_skipped": 9},
            },
            [],
        ),
        # views vanished from the pages: 100% -> 10%
        ({"items": 10, "stats": _fill(10, 10, 10, 1, 10)}, ["views_fill_drop"]),
        # a 20-point dip stays under the 30-point threshold
        ({"items": 10, "stats": _fill(10, 10, 8, 10, 10)}, []),
        # half the articles now found the weak way (body from a fallback, date from the URL)
        ({"items": 10, "stats": _fill(10, 10, 10, 10, 10, confident=5)}, ["low_confidence_jump"]),
        # the last run was killed
        (
            {"items": 4, "status": "abandoned", "stats": _fill(4, 4, 4, 4, 4)},
            ["last_run_abandoned"],
        ),
    ],
)
def test_flags(db_url: str, last: dict[str, Any], flags: list[str]) -> None:
    history = [{"items": 10, "stats": _fill(10, 10, 10, 10, 10)}] * 3
    engine = _runs(db_url, [*history, last])
    [h] = site_health(engine)
    engine.dispose()
    assert h.flags == flags


def test_fill_from_articles_when_stats_lack_it(sqlite_url: str) -> None:
    engine = _runs(sqlite_url, [{"items": 2, "stats": {}}])
    now = T0
    common = {"site": "xq", "content_hash": "h", "first_seen_at": now, "last_seen_at": now}
    with engine.begin() as conn:
        conn.execute(
            insert(Article.__table__),
            [
                {
                    **common,
                    "url": "http://x/1",
                    "title": "a",
                    "body_text": "b",
                    "views": 3,
                    "published_at": now,
                    "quality": None,  # an executemany takes its columns from the first row
                    "last_crawl_run_id": 1,
                },
                {
                    **common,
                    "url": "http://x/2",
                    "title": "a",
                    "body_text": "b",
                    "views": None,
                    "published_at": None,
                    "quality": ["no_date"],
                    "last_crawl_run_id": 1,
                },
            ],
        )
    [h] = site_health(engine)
    engine.dispose()
    assert h.last_run is not None
    assert h.last_run.fill == {
        "title": 100.0,
        "published": 50.0,
        "views": 50.0,
        "body": 100.0,
        "confident": 50.0,
    }


def test_runs_from_before_quality_flags_are_not_a_drop(db_url: str) -> None:
    old = {**_fill(10, 10, 10, 10, 10)}
    del old["govnews/fill/confident"]
    engine = _runs(
        db_url,
        [{"items": 10, "stats": old}] * 3 + [{"items": 10, "stats": _fill(10, 10, 10, 10, 10, 0)}],
    )
    [h] = site_health(engine)
    engine.dispose()
    assert h.flags == []  # no history to compare with
    assert h.last_run is not None and h.last_run.fill["confident"] == 0.0


def test_stale_and_unknown_sites(sqlite_url: str) -> None:
    engine = _runs(sqlite_url, [{"items": 5, "stats": _fill(5, 5, 5, 5, 5)}])
    finished = T0 + timedelta(minutes=5)
    fresh = site_health(engine, max_age=timedelta(hours=30), now=finished + timedelta(hours=29))
    stale = site_health(engine, max_age=timedelta(hours=30), now=finished + timedelta(hours=31))
    other = site_health(engine, sites=["never_crawled"])
    engine.dispose()
    assert fresh[0].flags == []
    assert stale[0].flags == ["stale"]
    assert other[0].flags == ["no_runs"]


def test_columns_discovered_vs_crawled(sqlite_url: str) -> None:
    """A profile's column whose list showed no article in the last run is flagged."""
    cols = {"http://x.gov.cn/qndt/": {"reached_items": 12}, "http://x.gov.cn/tzgg/": {}}
    stats = {**_fill(5, 5, 5, 5, 5), "govnews/pagination/columns": cols}
    engine = _runs(sqlite_url, [{"items": 5, "stats": stats}])
    profile = {"xq": ["http://x.gov.cn/qndt/", "http://x.gov.cn/tzgg/", "http://x.gov.cn/bmdt/"]}
    [h] = site_health(engine, columns=profile)
    [plain] = site_health(engine)
    engine.dispose()
    assert h.columns_read == (1, 3)
    assert h.flags == ["column_empty"]
    assert h.notes == [
        "column listed no article: http://x.gov.cn/tzgg/",
        "column listed no article: http://x.gov.cn/bmdt/",
    ]
    assert plain.columns_read is None and plain.flags == []


@pytest.mark.parametrize("site", ["revisit", "revisit:xq"])
def test_a_revisit_run_is_not_a_site_without_articles(sqlite_url: str, site: str) -> None:
    readings = {"govnews/storage/view_counts": 12, "govnews/revisit/errors": 1}
    engine = _runs(
        sqlite_url,
        [
            {"items": 5, "stats": _fill(5, 5, 5, 5, 5)},
            {"site": site, "items": 0, "stats": readings},
        ],
    )
    report = {h.site: h for h in site_health(engine)}
    engine.dispose()
    assert report["xq"].flags == []
    assert report[site].flags == [] and report[site].kind == "revisit"
    assert report[site].notes == ["revisit run: 12 view-count readings stored, 1 errors"]


def test_a_failed_revisit_run_is_flagged(sqlite_url: str) -> None:
    engine = _runs(sqlite_url, [{"site": "revisit", "items": 0, "status": "failed"}])
    report = site_health(engine)
    engine.dispose()
    assert report[0].flags == ["last_run_failed"]
