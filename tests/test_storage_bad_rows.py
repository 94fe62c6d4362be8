"""One bad row never takes its batch with it (issue 23, item 1), on SQLite and PostgreSQL.

A view count of 10^30 or 2^63-1 next to good articles: the exact integer is parsed (never a
float), validation rejects what no BIGINT holds, and the batch writer falls back to row by row
on any failure, whatever the driver raises (SQLite: ``OverflowError``), one reject per bad row.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.extract.views import parse_views
from crawler.items import ViewReadingItem
from pipelines.db.batch import Target, store_batch
from pipelines.db.migrate import upgrade
from pipelines.db.session import make_engine, make_session_factory
from tests.ops_site import OpsSite, crawl_site
from tests.storage_helpers import article, open_run, rows, scalar

BIG = 2**63 - 1


@pytest.fixture
def engine(db_url: str) -> Iterator[Any]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.mark.parametrize(
    ("text", "views"),
    [
        ("浏览次数：9223372036854775807", BIG),
        ("浏览次数：1000000000000000000000000000000", 10**30),
        ("阅读量：1.2万", 12000),
        ("点击：2.5k", 2500),
        ("浏览次数：1,234", 1234),
    ],
)
def test_view_counts_are_exact_integers(text: str, views: int) -> None:
    assert parse_views(text) == views


@pytest.mark.parametrize("views", [10**30, BIG + 1, -1])
def test_out_of_range_view_count_rejects_that_article_only(
    db_url: str, engine: Any, views: int
) -> None:
    run = open_run(db_url, batch_size=50)
    run.feed([*(article(n) for n in range(1, 30)), article(30, views=views, views_raw=str(views))])
    run.feed(article(n) for n in range(31, 60))
    run.close()
    assert scalar(engine, "SELECT count(*) FROM articles") == 58
    got = rows(engine, "SELECT url, reason FROM rejects")
    assert got == [("http://127.0.0.1:1/qndt/30.html", "views_out_of_range")]
    assert rows(engine, "SELECT status, errors FROM crawl_runs") == [("finished", 0)]


def test_largest_bigint_view_count_is_stored_exactly(db_url: str, engine: Any) -> None:
    run = open_run(db_url)
    run.feed([article(1, views=BIG), article(2)])
    run.close()
    views = rows(
        engine,
        "SELECT a.views, v.views FROM articles a JOIN view_counts v"
        " ON v.article_id = a.id WHERE a.url LIKE '%/1.html'",
    )
    assert views == [(BIG, BIG)]


def test_batch_writer_rejects_the_row_the_driver_refuses(db_url: str, engine: Any) -> None:
    """Past validation (a reading from ``revisit``, an item built by hand): the batch falls back
    to row by row, whatever the driver raises, and the bad row becomes a reject."""
    upgrade(db_url)
    factory = make_session_factory(engine)
    good = [article(n) for n in range(1, 20)]
    bad: list[Any] = [article(20, views=10**30), ViewReadingItem(good[0].url, 10**30)]
    written = store_batch(factory, Target(db_url, None, "teststadt"), [*good, *bad])
    assert (written.articles, written.rejects, written.errors) == (19, 2, 2)
    assert scalar(engine, "SELECT count(*) FROM articles") == 19
    got = rows(engine, "SELECT url, reason FROM rejects ORDER BY id")
    assert got == [
        ("http://127.0.0.1:1/qndt/20.html", "storage_refused"),
        ("http://127.0.0.1:1/qndt/1.html", "storage_refused"),
    ]


@pytest.mark.slow
def test_crawl_with_a_huge_view_count_stores_the_rest(db_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=150) as site:
        site.views = {75: "1000000000000000000000000000000", 76: str(BIG)}
        crawl_site(db_url, site, tmp_path)
    engine = make_engine(db_url)
    try:
        assert scalar(engine, "SELECT count(*) FROM articles") == 149
        assert scalar(engine, "SELECT views FROM articles WHERE url LIKE '%/art_76.html'") == BIG
        assert rows(engine, "SELECT reason FROM rejects") == [("views_out_of_range",)]
    finally:
        engine.dispose()
