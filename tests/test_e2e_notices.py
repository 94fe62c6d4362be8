"""A 通知公告 column of scanned notices, crawled end to end (``govnews crawl`` subprocess) into
real databases: every notice is stored with its title, date and scans, none rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.db.session import make_engine
from tests.ops_site import OpsSite, crawl_site
from tests.storage_helpers import rows

pytestmark = pytest.mark.slow


def test_column_of_scanned_notices_is_stored_whole(db_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=12) as site:
        site.scanned = True
        crawl_site(db_url, site, tmp_path)
    engine = make_engine(db_url)
    try:
        got = rows(
            engine,
            "SELECT url, title, published_at, body_kind, body_text, body_html FROM articles",
        )
        rejects = rows(engine, "SELECT url, reason FROM rejects")
    finally:
        engine.dispose()
    assert rejects == []
    assert len(got) == 12
    for url, title, published, kind, text, html in got:
        n = int(url.rsplit("_", 1)[-1].removesuffix(".html"))
        assert title == f"区政府召开第{n}次重点工作推进会议部署近期任务"
        assert published is not None
        assert kind == "images" and text == ""
        assert f"/upload/scan_{n}_1.jpg" in html and f"/upload/scan_{n}_2.jpg" in html


def test_links_that_redirect_by_script_are_followed_or_rejected(
    db_url: str, tmp_path: Path
) -> None:
    """A 链接型 document is a page whose script sends the reader on: the article it leads to is
    stored with the listed URL as its alias; one that leaves the site or loops is a reject."""
    with OpsSite(articles=3) as site:
        site.unlisted = {3}
        site.script_redirects = {
            "/news/link_1.html": "art_3.html",  # an article no list shows
            "/news/link_2.html": "/news/art_2.html",  # one the list shows too
            "/news/link_3.html": "http://www.example.org/news/1.html",
            "/news/link_4.html": "link_5.html",
            "/news/link_5.html": "link_4.html",
        }
        site.extra_links = [p.rsplit("/", 1)[-1] for p in site.script_redirects]
        crawl_site(db_url, site, tmp_path)
        base = site.base_url
    engine = make_engine(db_url)
    try:
        stored = rows(engine, "SELECT url FROM articles ORDER BY url")
        aliases = rows(engine, "SELECT url FROM article_urls ORDER BY url")
        rejects = rows(engine, "SELECT url, reason, detail FROM rejects ORDER BY url")
    finally:
        engine.dispose()
    assert [r[0] for r in stored] == [f"{base}/news/art_{n}.html" for n in (1, 2, 3)]
    assert [r[0] for r in aliases] == [f"{base}/news/link_{n}.html" for n in (1, 2)]
    assert rejects == [
        (f"{base}/news/link_3.html", "redirect_offsite", "http://www.example.org/news/1.html"),
        (f"{base}/news/link_4.html", "redirect_loop", f"{base}/news/link_4.html"),
        (f"{base}/news/link_5.html", "redirect_loop", f"{base}/news/link_5.html"),
    ]
