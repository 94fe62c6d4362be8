"""StoragePipeline on a real SQLite file and a real PostgreSQL: upserts, time series, batches,
rejects and the crawl_runs row."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from crawler.items import RejectItem, ViewReadingItem
from pipelines.db.session import make_engine
from tests.storage_helpers import article, open_run, rows, scalar, utc


@pytest.fixture
def engine(db_url: str) -> Any:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def test_first_run_stores_articles_views_and_run(db_url: str, engine: Any) -> None:
    run = open_run(db_url, batch_size=4)
    run.feed(article(n) for n in range(1, 11))
    run.close()

    assert scalar(engine, "SELECT count(*) FROM articles") == 10
    assert scalar(engine, "SELECT count(*) FROM view_counts") == 10
    got = rows(
        engine,
        "SELECT title, views, site, content_hash FROM articles WHERE url = :u",
        u="http://127.0.0.1:1/qndt/3.html",
    )
    assert got[0][0] == "高新区召开第3次工作会议"
    assert got[0][1] == 103
    assert got[0][2] == "teststadt"
    assert len(got[0][3]) == 64
    vc = rows(
        engine,
        "SELECT views, method, self_incremented, crawl_run_id FROM view_counts ORDER BY views",
    )
    assert [r[0] for r in vc] == list(range(101, 111))
    assert {r[1] for r in vc} == {"static"}
    assert {bool(r[2]) for r in vc} == {False}
    assert {r[3] for r in vc} == {run.storage.crawl_run_id}

    cr = rows(
        engine,
        "SELECT id, site, status, items, rejects, errors, finished_at, stats, "
        "start_urls FROM crawl_runs",
    )
    assert len(cr) == 1
    run_id, site, status, items, rejects, errors, finished_at, stats, start_urls = cr[0]
    assert run_id == run.storage.crawl_run_id == run.spider.crawl_run_id  # type: ignore[attr-defined]
    assert (site, status, items, rejects, errors) == ("teststadt", "finished", 10, 0, 0)
    assert finished_at is not None
    stats = stats if isinstance(stats, dict) else json.loads(stats)
    assert stats["govnews/storage/articles"] == 10
    assert stats["govnews/validation/ok"] == 10
    assert isinstance(stats["start_time"], str)  # datetimes made JSON-serialisable
    start_urls = start_urls if isinstance(start_urls, list) else json.loads(start_urls)
    assert start_urls == ["http://127.0.0.1:1/qndt/"]


def test_recrawl_upserts_moves_last_seen_and_appends_view_counts(db_url: str, engine: Any) -> None:
    first = open_run(db_url, batch_size=3)
    first.feed(article(n) for n in range(1, 6))
    first.close()
    before = {
        r[0]: (utc(r[1]), utc(r[2]))
        for r in rows(engine, "SELECT url, first_seen_at, last_seen_at FROM articles")
    }

    second = open_run(db_url, batch_size=3)
    # a re-crawl: new counts, an edited title, and one page whose count was not found
    second.feed(article(n, views=200 + n) for n in range(1, 5))
    second.feed([article(5, title="改过的标题", views=None)])
    second.close()

    assert scalar(engine, "SELECT count(*) FROM articles") == 5
    assert scalar(engine, "SELECT count(DISTINCT url) FROM articles") == 5
    after = {
        r[0]: (utc(r[1]), utc(r[2]))
        for r in rows(engine, "SELECT url, first_seen_at, last_seen_at FROM articles")
    }
    for url, (first_seen, last_seen) in after.items():
        assert first_seen == before[url][0]
        assert last_seen > before[url][1]
    assert scalar(engine, "SELECT views FROM articles WHERE url LIKE '%/2.html'") == 202
    # no new reading for article 5: its stored count stays, its title follows the page
    assert scalar(engine, "SELECT views FROM articles WHERE url LIKE '%/5.html'") == 105
    assert scalar(engine, "SELECT title FROM articles WHERE url LIKE '%/5.html'") == "改过的标题"
    series = rows(
        engine,
        "SELECT v.views, v.crawl_run_id FROM view_counts v JOIN articles a "
        "ON a.id = v.article_id WHERE a.url LIKE '%/2.html' ORDER BY v.id",
    )
    assert series == [(102, first.storage.crawl_run_id), (202, second.storage.crawl_run_id)]
    assert scalar(engine, "SELECT count(*) FROM view_counts") == 9
    assert scalar(engine, "SELECT count(*) FROM crawl_runs WHERE status = 'finished'") == 2
    assert (
        scalar(engine, "SELECT last_crawl_run_id FROM articles WHERE url LIKE '%/1.html'")
        == second.storage.crawl_run_id
    )


@pytest.mark.parametrize(("n", "batch"), [(10, 4), (12, 4), (7, 100), (1, 1)])
def test_one_transaction_per_batch(db_url: str, n: int, batch: int) -> None:
    run = open_run(db_url, batch_size=batch)
    assert run.storage.engine is not None
    commits: list[int] = []
    event.listen(run.storage.engine, "commit", lambda conn: commits.append(1))
    run.feed(article(i) for i in range(n))
    run.storage.close_spider(run.spider)  # flushes the last partial batch
    assert len(commits) == math.ceil(n / batch)
    assert run.stat("govnews/storage/batches") == math.ceil(n / batch)
    run.close()


def test_rejects_are_stored_with_the_run(db_url: str, engine: Any) -> None:
    run = open_run(db_url, batch_size=2)
    run.feed(
        [
            article(1),
            article(2, title="  \u3000 "),
            article(3, body_text=None),
            article(4, url="javascript:void(0)"),
            RejectItem(url="http://127.0.0.1:1/qndt/404.html", site="teststadt", reason="http_404"),
        ]
    )
    run.close()
    got = rows(engine, "SELECT url, reason, crawl_run_id, site FROM rejects ORDER BY reason")
    assert [(r[1]) for r in got] == ["bad_url", "http_404", "missing_body", "missing_title"]
    assert {r[2] for r in got} == {run.storage.crawl_run_id}
    assert {r[3] for r in got} == {"teststadt"}
    assert scalar(engine, "SELECT count(*) FROM articles") == 1
    assert run.stat("govnews/validation/missing_title") == 1
    assert run.stat("govnews/validation/missing_body") == 1
    assert run.stat("govnews/validation/bad_url") == 1
    assert rows(engine, "SELECT items, rejects FROM crawl_runs") == [(1, 4)]


def test_view_readings_append_and_move_latest(db_url: str, engine: Any) -> None:
    run = open_run(db_url)
    run.feed([article(1, views=None), article(2)])
    run.close()

    revisit = open_run(db_url, batch_size=10)
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    revisit.feed(
        [
            ViewReadingItem(
                url=article(1).url, views=41, method="phpcms", self_incremented=True, observed_at=at
            ),
            ViewReadingItem(url=article(2).url, views=500, method="static"),
            ViewReadingItem(url="http://127.0.0.1:1/qndt/unknown.html", views=7),
        ]
    )
    revisit.close()
    assert scalar(engine, "SELECT views FROM articles WHERE url = :u", u=article(1).url) == 41
    assert scalar(engine, "SELECT views FROM articles WHERE url = :u", u=article(2).url) == 500
    got = rows(
        engine,
        "SELECT v.views, v.method, v.self_incremented, v.observed_at FROM "
        "view_counts v JOIN articles a ON a.id = v.article_id WHERE a.url = :u",
        u=article(1).url,
    )
    assert len(got) == 1
    assert (got[0][0], got[0][1], bool(got[0][2])) == (41, "phpcms", True)
    assert utc(got[0][3]) == at
    assert scalar(engine, "SELECT count(*) FROM view_counts") == 3  # 1 + 2 readings
    assert rows(engine, "SELECT reason FROM rejects") == [("unknown_article",)]


def test_close_reason_and_published_time_zone(db_url: str, engine: Any) -> None:
    from zoneinfo import ZoneInfo

    run = open_run(db_url)
    published = datetime(2021, 3, 1, 10, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
    run.feed([article(1, published_at=published)])
    run.close(reason="shutdown")  # Scrapy's reason after Ctrl-C or SIGTERM
    assert scalar(engine, "SELECT status FROM crawl_runs") == "interrupted"
    stored = utc(scalar(engine, "SELECT published_at FROM articles"))
    assert stored == published
    assert stored.astimezone(UTC).hour == 2


def test_read_helpers(db_url: str, engine: Any) -> None:
    from pipelines.db.queries import count_articles, count_rejects, get_crawl_run, known_urls

    run = open_run(db_url)
    run.feed([article(1), article(2), article(3, title=None)])
    run.close()
    run_id = run.storage.crawl_run_id
    assert run_id is not None
    assert count_articles(engine) == 2
    assert count_articles(engine, site="teststadt") == 2
    assert count_articles(engine, site="nowhere") == 0
    assert count_rejects(engine, run_id) == 1
    got = get_crawl_run(engine, run_id)
    assert got is not None and (got.status, got.items, got.rejects) == ("finished", 2, 1)
    urls = [article(n).url for n in range(1, 5)]
    assert known_urls(engine, urls) == {article(1).url, article(2).url}


def test_batches_are_written_in_order(db_url: str, engine: Any) -> None:
    """Every batch is written before the run finishes, later batches after earlier ones (an
    article in two batches ends with the second's values), and counts reach the stats and the
    run's running totals."""
    run = open_run(db_url, batch_size=3)
    items = [article(i) for i in range(10)] + [article(0, title="第二次写入的标题", views=999)]
    for item in items:  # straight to storage: dedupe would drop the second item for one URL
        assert run.storage.process_item(item) is item
    assert scalar(engine, "SELECT items FROM crawl_runs") == 9  # moved by each full batch
    run.close()
    assert scalar(engine, "SELECT count(*) FROM articles") == 10
    assert scalar(engine, "SELECT title FROM articles WHERE url LIKE '%/0.html'") == (
        "第二次写入的标题"
    )
    assert scalar(engine, "SELECT views FROM articles WHERE url LIKE '%/0.html'") == 999
    assert scalar(engine, "SELECT count(*) FROM view_counts") == 11
    assert run.stat("govnews/storage/batches") == 4  # 3 + 3 + 3 + the 2 flushed on close
    assert run.stat("govnews/storage/articles") == 11
    assert scalar(engine, "SELECT items FROM crawl_runs") == 11
    assert scalar(engine, "SELECT status FROM crawl_runs") == "finished"
