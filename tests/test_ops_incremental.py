"""Incremental re-crawls: known articles are not fetched again, no duplicates, conditional GET.

Crawls run as real ``govnews crawl`` subprocesses against :class:`tests.ops_site.OpsSite`
(served in a thread here, so the server's request log is read directly).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.ops_site import OpsSite, crawl_cmd, crawl_env

pytestmark = pytest.mark.slow


def _crawl(site: OpsSite, db_url: str, tmp_path: Path, *args: str) -> None:
    cmd = crawl_cmd(db_url, "--start-url", site.start_url, *args)
    proc = subprocess.run(cmd, env=crawl_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]


def _urls(db_url: str) -> list[str]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("SELECT url FROM articles ORDER BY url"))]
    engine.dispose()
    return rows


def test_second_crawl_fetches_only_new_articles(sqlite_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=25) as site:
        _crawl(site, sqlite_url, tmp_path)
        assert site.article_fetches() == 25
        assert sorted(_urls(sqlite_url)) == sorted(site.article_urls())

        site.add(5)  # five new articles at the top of page 1
        site.requests.clear()
        _crawl(site, sqlite_url, tmp_path)
        fetched = {p for p in site.requests if p.startswith("/news/art_")}
        assert fetched == {f"/news/art_{n}.html" for n in range(26, 31)}
        assert all(site.requests[p] == 1 for p in fetched)
        # page 1 had new links, page 2 only known ones: the column stops there
        assert site.requests["/news/index_2.html"] == 1
        assert "/news/index_3.html" not in site.requests

        urls = _urls(sqlite_url)
        assert len(urls) == len(set(urls)) == 30


def test_unchanged_list_page_is_revalidated_not_refetched(sqlite_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=12) as site:
        _crawl(site, sqlite_url, tmp_path)
        site.requests.clear()
        _crawl(site, sqlite_url, tmp_path)
        # the list page came back 304 Not Modified; its stored copy still told the spider that
        # every link is known, so nothing else was fetched
        assert site.not_modified["/news/index.html"] == 1
        assert site.article_fetches() == 0
        assert "/news/index_2.html" not in site.requests

        site.add(3)  # the page changes: a fresh 200, and the new articles are found
        _crawl(site, sqlite_url, tmp_path)
        assert site.not_modified["/news/index.html"] == 1
        assert len(_urls(sqlite_url)) == 15


def test_full_rereads_every_article(sqlite_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=12) as site:
        _crawl(site, sqlite_url, tmp_path)
        site.requests.clear()
        _crawl(site, sqlite_url, tmp_path, "--full")
        assert site.article_fetches() == 12
        urls = _urls(sqlite_url)
        assert len(urls) == len(set(urls)) == 12


def test_since_skips_older_articles(sqlite_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=25) as site:
        # article n is dated 2024-01-01 + n days: since 2024-01-21 keeps articles 20..25
        _crawl(site, sqlite_url, tmp_path, "--since", "2024-01-21")
        stored = {u.rsplit("/", 1)[1] for u in _urls(sqlite_url)}
        assert stored == {f"art_{n}.html" for n in range(20, 26)}


def test_since_does_not_fetch_older_articles_or_pages(sqlite_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=25) as site:
        _crawl(site, sqlite_url, tmp_path, "--since", "2024-01-21")
        fetched = {p for p in site.requests if p.startswith("/news/art_")}
        assert fetched == {f"/news/art_{n}.html" for n in range(20, 26)}
        # page 1 holds 25..16, page 2 holds 15..6, all older than the date: the column stops
        assert site.requests["/news/index_2.html"] == 1
        assert "/news/index_3.html" not in site.requests
