"""End to end: ``govnews crawl`` over the fault-injection site (tests/faultsite.py).

One crawl (a subprocess, as an operator runs it) of four columns, then one test per promise:
it ends by itself with exit 0 and a summary; every good article is stored once; every bad URL has
a rejects row with its reason; traps are bounded (counted on the server); nothing offsite and no
private address is contacted; stored HTML is sanitised.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faultsite import FaultSite, SinkServer

MAX_PAGES = 4


@dataclass
class Crawl:
    site: FaultSite
    sink: SinkServer
    offsite: SinkServer
    proc: subprocess.CompletedProcess[str]
    db: Path

    def rows(self, sql: str, *args: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db) as conn:
            return list(conn.execute(sql, args))

    def articles(self) -> dict[str, str]:
        return {str(u): str(t) for u, t in self.rows("SELECT url, title FROM articles")}

    def rejects(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for url, reason in self.rows("SELECT url, reason FROM rejects"):
            out.setdefault(str(url), []).append(str(reason))
        return out


def crawl_args(site: FaultSite, db: Path, *paths: str) -> list[str]:
    """The command line of a fast fault crawl (short timeouts, no delays, no HTTP cache)."""
    args = [sys.executable, "-m", "crawler.cli", "crawl", "--db", f"sqlite:///{db}", "--full"]
    for path in paths:
        args += ["--start-url", site.url(path)]
    settings = {
        "DOWNLOAD_TIMEOUT": "3",  # /a/timeout.html answers after 5 s, /a/slow.html after 0.3 s
        "DOWNLOAD_MAXSIZE": str(11 * 1024 * 1024),
        "HTTPCACHE_ENABLED": "0",
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "0",
        "RETRY_TIMES": "2",
        "GOVNEWS_RETRY_AFTER_MAX": "1",
        "GOVNEWS_RETRY_BACKOFF_BASE": "0.05",
        # "localhost" plays a public offsite host (it cannot be private-refused, so the
        # offsite rules are what keeps the crawler away from it)
        "GOVNEWS_SSRF_TRUSTED_HOSTS": "localhost",
    }
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    return [*args, "--max-pages", str(MAX_PAGES)]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    db = tmp_path_factory.mktemp("faults") / "faults.db"
    with (
        SinkServer("127.0.0.2") as sink,
        SinkServer("localhost") as offsite,
        FaultSite(sink=sink.base, offsite=offsite.base) as site,
    ):
        args = crawl_args(site, db, "/news/", "/trap/?page=1", "/calnews/", "/nolinks/")
        proc = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
        yield Crawl(site, sink, offsite, proc, db)


def test_crawl_ends_by_itself_with_exit_0_and_a_summary(crawl: Crawl) -> None:
    assert crawl.proc.returncode == 0, crawl.proc.stderr[-3000:]
    assert "finished" in crawl.proc.stdout
    assert "Traceback" not in crawl.proc.stderr
    (status,) = crawl.rows("SELECT status FROM crawl_runs")
    assert status == ("finished",)


def test_every_good_article_is_stored_once(crawl: Crawl) -> None:
    articles = crawl.articles()
    for path in crawl.site.good_articles:
        assert crawl.site.url(path) in articles, (path, crawl.rejects().get(crawl.site.url(path)))
    urls = [u for (u,) in crawl.rows("SELECT url FROM articles")]
    assert len(urls) == len(set(urls))
    # a retried page was fetched again but stored once; Retry-After was honoured with one retry
    assert crawl.site.counts["/a/flaky.html"] == 3
    assert crawl.site.counts["/a/ratelimited.html"] == 2
    assert "限流后成功" in articles[crawl.site.url("/a/ratelimited.html")]
    # response headers in GBK bytes do not lose the page (Twisted's handler keeps the bytes)
    assert "响应头含GBK字节" in articles[crawl.site.url("/a/gbk-headers.html")]
    # the redirect chain is stored under its final URL, each hop fetched once
    assert crawl.site.url("/a/chain1.html") not in articles
    assert [crawl.site.counts[f"/a/chain{i}.html"] for i in (1, 2, 3)] == [1, 1, 1]


@pytest.mark.parametrize("path", sorted(FaultSite.bad_articles))
def test_every_bad_url_has_a_reject_with_its_reason(crawl: Crawl, path: str) -> None:
    url = crawl.site.url(path)
    assert crawl.rejects().get(url) == [FaultSite.bad_articles[path]]
    assert url not in crawl.articles()


def test_content_faults_become_an_article_or_a_reject(crawl: Crawl) -> None:
    articles, rejects = crawl.articles(), crawl.rejects()
    for path in FaultSite.odd_articles:
        url = crawl.site.url(path)
        assert (url in articles) != (url in rejects), path
    assert rejects[crawl.site.url("/a/empty.html")][0].startswith("missing_")


def test_ten_megabytes_of_one_paragraph_is_stored_whole(crawl: Crawl) -> None:
    (length,) = crawl.rows(
        "SELECT length(body_text) FROM articles WHERE url = ?",
        crawl.site.url("/a/huge-paragraph.html"),
    )[0]
    assert isinstance(length, int) and length > 3_000_000


def test_no_url_meant_as_article_is_lost(crawl: Crawl) -> None:
    stored = set(crawl.articles()) | set(crawl.rejects())
    for path, _title in crawl.site.news_links():
        url = crawl.site.url(path)
        final = crawl.site.url("/a/chain-end.html") if path == "/a/chain1.html" else url
        assert final in stored, path


def test_control_characters_are_cleaned(crawl: Crawl) -> None:
    (title, body) = crawl.rows(
        "SELECT title, body_text FROM articles WHERE url = ?", crawl.site.url("/a/controls.html")
    )[0]
    for text in (str(title), str(body)):
        assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in text), repr(text[:80])
    assert "控制" in str(title)


def test_traps_are_bounded(crawl: Crawl) -> None:
    trap_lists = [p for p in crawl.site.counts if p.startswith("/trap/?page=")]
    assert len(trap_lists) == MAX_PAGES
    assert all(crawl.site.counts[p] == 1 for p in trap_lists)
    # the calendar's next-day links are never followed from a calendar page
    assert all(p.count("x") == 0 for p in crawl.site.counts if p.startswith("/cal/"))
    assert crawl.site.counts["/news/index_1.html"] == 1
    # a list page without links is read once and is not an error
    assert crawl.site.counts["/nolinks/"] == 1
    assert crawl.site.url("/nolinks/") not in crawl.rejects()


def test_list_beside_a_calendar_widget_finds_the_articles(crawl: Crawl) -> None:
    articles = crawl.articles()
    assert all(crawl.site.url(f"/a/cal{i}.html") in articles for i in (1, 2, 3))


def test_nothing_offsite_or_private_is_contacted(crawl: Crawl) -> None:
    assert crawl.sink.requests == []
    assert crawl.offsite.requests == []
    assert not any(u.startswith(crawl.offsite.base) for u in crawl.articles())
    stats = json.loads(str(crawl.rows("SELECT stats FROM crawl_runs")[0][0]))
    # 169.254.169.254, 127.0.0.2, 2130706434 (127.0.0.2 as a number) and [::1]
    assert stats["govnews/guard/private_address"] == 4
    assert stats["govnews/guard/bad_scheme"] == 1  # file:///etc/passwd
    assert stats["govnews/guard/offsite_redirect"] == 1


def test_retry_after_is_honoured(crawl: Crawl) -> None:
    stats = json.loads(str(crawl.rows("SELECT stats FROM crawl_runs")[0][0]))
    # one 429 on /a/ratelimited.html, two 503 + Retry-After on /a/always503.html
    assert stats["govnews/retry/retry_after"] == 3
    assert crawl.site.counts["/a/always503.html"] == 3  # RETRY_TIMES=2: then a reject


def test_javascript_and_mailto_links_are_ignored(crawl: Crawl) -> None:
    urls = [str(u) for (u,) in crawl.rows("SELECT url FROM rejects UNION SELECT url FROM articles")]
    assert not any(u.startswith(("javascript:", "mailto:")) for u in urls)


def test_stored_body_html_is_sanitised(crawl: Crawl) -> None:
    (html,) = crawl.rows(
        "SELECT body_html FROM articles WHERE url = ?", crawl.site.url("/a/xss.html")
    )[0]
    low = str(html).lower()
    assert "点击" in low and "这里" in low
    for bad in (
        "<script",
        "<style",
        "<iframe",
        "<object",
        "<form",
        "javascript:",
        "onclick",
        "onmouseover",
        "onerror",
        "alert(",
        "<embed",
        "onload",
    ):
        assert bad not in low, bad


def test_stored_body_html_has_no_base_element(crawl: Crawl) -> None:
    (html,) = crawl.rows(
        "SELECT body_html FROM articles WHERE url = ?", crawl.site.url("/a/xss.html")
    )[0]
    assert "<base" not in str(html).lower()
