"""Incremental crawls leave no holes (issue 22, part 3): what failed is fetched again.

Real ``govnews crawl`` subprocesses against :class:`tests.ops_site.OpsSite`. A 100-article
column whose five articles answer 503 during the first crawl is complete after the next
incremental crawl, without ``--full``; an article that is gone (404) is not asked for again.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crawler.items import RejectItem, is_transient
from pipelines.db.known import previous_run_incomplete
from tests.ops_site import OpsSite, crawl_cmd, crawl_env
from tests.storage_helpers import open_run

pytestmark = pytest.mark.slow
#: one retry without backoff: a test need not wait for the real schedule
QUICK_RETRY = ("-s", "RETRY_TIMES=1", "-s", "GOVNEWS_RETRY_BACKOFF_BASE=0")
#: spread over the column: page 10 (art 3) to page 1 (art 95)
FAILING = {3, 27, 48, 66, 95}


def crawl(
    site: OpsSite, db_url: str, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    cmd = crawl_cmd(db_url, "--start-url", site.start_url, *QUICK_RETRY, *args)
    return subprocess.run(cmd, env=crawl_env(tmp_path), capture_output=True, text=True, timeout=120)


def query(db_url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def stored_numbers(db_url: str) -> set[int]:
    urls = [str(r[0]) for r in query(db_url, "SELECT url FROM articles")]
    return {int(u.rsplit("_", 1)[1].removesuffix(".html")) for u in urls}


@pytest.mark.parametrize(
    ("reason", "transient"),
    [
        ("http_503", True),
        ("http_500", True),
        ("http_429", True),
        ("timeout", True),
        ("connection_lost", True),
        ("storage_error", True),
        ("list_http_502", True),
        ("http_404", False),
        ("http_410", False),
        ("not_html", False),
        ("missing_body", False),
        ("storage_refused", False),
        ("views_out_of_range", False),
        ("url_too_long", False),
        ("http_5xx", False),
    ],
)
def test_transient_reasons(reason: str, transient: bool) -> None:
    assert is_transient(reason) is transient


def test_failed_articles_are_fetched_again_until_stored(db_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=100) as site:
        site.failing = set(FAILING)
        first = crawl(site, db_url, tmp_path)
        assert first.returncode == 0, first.stderr[-2000:]  # fetch failures are rejects
        assert stored_numbers(db_url) == set(range(1, 101)) - FAILING
        reasons = query(db_url, "SELECT reason, COUNT(*) FROM rejects GROUP BY reason")
        assert reasons == [("http_503", 5)]

        site.failing.clear()
        for _ in range(3):
            site.requests.clear()
            again = crawl(site, db_url, tmp_path)
            assert again.returncode == 0, again.stderr[-2000:]
        assert stored_numbers(db_url) == set(range(1, 101))
        # the last two crawls owed nothing: only page 1 (all known) was read, no article
        assert site.article_fetches() == 0
        assert "/news/index_2.html" not in site.requests
        runs = query(db_url, "SELECT status, errors FROM crawl_runs ORDER BY id")
        assert runs == [("finished", 0)] * 4


def test_retry_stops_at_a_permanent_failure(sqlite_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=30) as site:
        site.failing = {5}
        assert crawl(site, sqlite_url, tmp_path).returncode == 0
        site.failing.clear()
        site.count = 4  # articles 5..30 are gone: page 1 lists 1..4, art_5 answers 404
        site.requests.clear()
        assert crawl(site, sqlite_url, tmp_path).returncode == 0
        assert site.requests["/news/art_5.html"] == 1
        site.requests.clear()
        assert crawl(site, sqlite_url, tmp_path).returncode == 0
        assert "/news/art_5.html" not in site.requests  # 404 is the last word
        last = query(sqlite_url, "SELECT reason FROM rejects WHERE url LIKE '%/art_5.html'")
        assert last == [("http_503",), ("http_404",)]


def test_a_permanent_failure_is_recorded_once_and_not_asked_for_again(
    db_url: str, tmp_path: Path
) -> None:
    with OpsSite(articles=12) as site:
        site.extra_links = ["art_999.html"]
        for _ in range(2):
            site.add(1)  # page 1 always has news: the crawl reads it and sees both links
            assert crawl(site, db_url, tmp_path).returncode == 0
        assert site.requests["/news/art_999.html"] == 1
        reasons = query(db_url, "SELECT url, reason FROM rejects")
        assert reasons == [(f"{site.base_url}/news/art_999.html", "http_404")]
        site.requests.clear()
        assert crawl(site, db_url, tmp_path, "--full").returncode == 0
        assert site.requests["/news/art_999.html"] == 1  # --full asks again


@pytest.mark.parametrize(
    ("reason", "resume"),
    [("list_http_503", True), ("list_timeout", True), ("list_http_404", False)],
)
def test_a_list_page_lost_for_a_passing_reason_makes_the_next_run_read_every_page(
    sqlite_url: str, reason: str, resume: bool
) -> None:
    run = open_run(sqlite_url)
    run.feed([RejectItem("http://127.0.0.1:1/qndt/index_3.html", "teststadt", reason)])
    run.close()
    assert previous_run_incomplete(sqlite_url, "teststadt") is resume
