"""End to end: a crawl with no profile follows every pager family to the last page.

tests/pager_site.py serves one column per family on 127.0.0.1 (links, an argument-list script,
an object-literal script, onclick + select, a select template, 共N页 text, no pager on a
numbered URL, no pager on a plain ``index.html`` whose page 2 is ``index_2``, no pager on a
``?page=`` URL, Hanweb jpage with its data proxy, a JSON list
endpoint). ``govnews crawl --start-url …`` must request every list page, data request and
article, and nothing else: no navigation, sidebar or footer link. Its run records each column's
declared and reached size; a column cut short by a failing page is flagged by ``govnews health``.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops_site import FAST
from tests.pager_site import ARTICLES, FAMILIES, PAGES, PagerSite

pytestmark = pytest.mark.slow


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _crawl(site: PagerSite, db: Path) -> subprocess.CompletedProcess[str]:
    starts = [a for u in site.start_urls() for a in ("--start-url", u)]
    return _cli("crawl", *starts, "--db", f"sqlite:///{db}", "--full", *FAST)


def _stats(db: Path) -> dict[str, object]:
    with sqlite3.connect(db) as conn:
        (raw,) = conn.execute("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    stats: dict[str, object] = json.loads(raw)
    return stats


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PagerSite, Path]]:
    db = tmp_path_factory.mktemp("pagers") / "news.db"
    with PagerSite() as site:
        done = _crawl(site, db)
        assert done.returncode == 0, done.stderr[-3000:]
        yield site, db


def test_every_pager_family_is_followed_to_the_last_page(crawled: tuple[PagerSite, Path]) -> None:
    site, _ = crawled
    assert set(site.requests) == site.expected()
    assert all(n == 1 for n in site.requests.values()), site.requests.most_common(3)


def test_articles_of_every_column_are_stored(crawled: tuple[PagerSite, Path]) -> None:
    _, db = crawled
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    assert stored == ARTICLES * len(FAMILIES)


def test_run_records_declared_and_reached_size(crawled: tuple[PagerSite, Path]) -> None:
    _, db = crawled
    stats = _stats(db)
    columns = stats["govnews/pagination/columns"]
    assert isinstance(columns, dict)
    by_family = {url.split("/")[3]: v for url, v in columns.items()}
    assert by_family["call"] == {
        "declared_pages": PAGES,
        "reached_pages": PAGES,
        "declared_items": None,
        "reached_items": ARTICLES,
        "pager": "script_call",
        "stopped": None,
        "short": False,
    }
    assert by_family["text"]["declared_items"] == ARTICLES
    assert by_family["jpage"]["declared_items"] == by_family["jpage"]["reached_items"] == ARTICLES
    assert by_family["numbering"]["declared_pages"] is None  # nothing declared, nothing owed
    assert {v["reached_items"] for v in columns.values()} == {ARTICLES}
    assert stats["govnews/pagination/columns_short"] == 0
    # numbering: list_4.html is 404; plain: index_1.html is 404 (retried as index_2), then
    # index_4.html is
    assert stats["govnews/spider/guessed_page_missing"] == 2
    assert stats["govnews/spider/guessed_page_retried"] == 1
    assert stats["govnews/spider/guessed_page_stops"] == 1  # query: page=4 repeats page 3
    assert _cli("health", "--db", f"sqlite:///{db}").returncode == 0


def test_health_flags_a_column_crawled_short(tmp_path: Path) -> None:
    db = tmp_path / "short.db"
    with PagerSite() as site:
        site.broken = "/object/index_1.html"
        assert _crawl(site, db).returncode == 0
    stats = _stats(db)
    assert stats["govnews/pagination/columns_short"] == 1
    columns = stats["govnews/pagination/columns"]
    assert isinstance(columns, dict)
    short = next(v for u, v in columns.items() if "/object/" in u)
    assert (short["declared_pages"], short["reached_pages"]) == (PAGES, 1)
    health = _cli("health", "--db", f"sqlite:///{db}")
    assert health.returncode == 1
    assert "column_short" in health.stdout
    assert "/object/index.html: reached 1 of 3 pages" in health.stdout, health.stdout
