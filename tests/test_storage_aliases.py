"""Nothing doubled under URL variants (issue 23, item 2), on SQLite and PostgreSQL.

Links are requested in their canonical form (:mod:`crawler.extract.canonical`), a page's own
``<link rel=canonical>`` names the article when it is the same page, and a row whose text equals
an article of the same site is that article: its URL is kept in ``article_urls``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from crawler.extract.canonical import article_urls, clean_url, preferred_url
from tests.ops_site import OpsSite, crawl_cmd, crawl_env
from tests.storage_helpers import article, open_run
from tests.test_ops_no_holes import query

SAME_BODY = "3月3日，高新区召开工作会议。\n会议强调“十三五”成果。"


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("http://x.gov.cn/a/1.html?from=timeline", "http://x.gov.cn/a/1.html"),
        (
            "http://x.gov.cn/a/1.html?from=singlemessage&isappinstalled=0",
            "http://x.gov.cn/a/1.html",
        ),
        ("http://x.gov.cn/a/1.html?utm_source=wx&utm_medium=social", "http://x.gov.cn/a/1.html"),
        ("http://x.gov.cn/a/1.html;jsessionid=0A1B2C", "http://x.gov.cn/a/1.html"),
        ("http://x.gov.cn//a///1.html", "http://x.gov.cn/a/1.html"),
        ("http://X.GOV.CN/a/1.html#top", "http://x.gov.cn/a/1.html"),
        ("http://x.gov.cn/a/1.html?spm=a2.b3", "http://x.gov.cn/a/1.html"),
        # what names the page stays: ids, the column id (courlan would drop cid), order aside
        ("http://x.gov.cn/show.jsp?id=7&cid=3", "http://x.gov.cn/show.jsp?cid=3&id=7"),
        ("http://x.gov.cn/show.jsp?source=rss&id=7", "http://x.gov.cn/show.jsp?id=7&source=rss"),
        ("http://x.gov.cn/a/1.htm", "http://x.gov.cn/a/1.htm"),
        ("mailto:web@x.gov.cn", "mailto:web@x.gov.cn"),
    ],
)
def test_clean_url(url: str, clean: str) -> None:
    assert clean_url(url) == clean


@pytest.mark.parametrize(
    ("fetched", "canonical", "stored"),
    [
        ("http://x.cn/a/1.htm", "http://x.cn/a/1.html", "http://x.cn/a/1.html"),
        ("http://x.cn/a/1.html?k=2&id=1", "http://x.cn/a/1.html?id=1", "http://x.cn/a/1.html?id=1"),
        ("http://x.cn/a/1.html", None, "http://x.cn/a/1.html"),
        # templates pointing every page elsewhere are not believed
        ("http://x.cn/a/1.html", "http://x.cn/", "http://x.cn/a/1.html"),
        ("http://x.cn/a/1.html", "http://x.cn/a/index.html", "http://x.cn/a/1.html"),
        ("http://x.cn/show.php?id=1", "http://x.cn/show.php", "http://x.cn/show.php?id=1"),
        ("http://x.cn/show.php?id=1", "http://x.cn/show.php?id=2", "http://x.cn/show.php?id=1"),
        ("http://x.cn/a/1.html", "http://other.cn/a/1.html", "http://x.cn/a/1.html"),
    ],
)
def test_preferred_url(fetched: str, canonical: str | None, stored: str) -> None:
    assert preferred_url(fetched, canonical) == stored


def test_article_urls_keeps_the_urls_that_led_there() -> None:
    url, aliases = article_urls(
        "http://x.cn/a/1.htm", ["http://x.cn/old/1.html?from=timeline"], "http://x.cn/a/1.html"
    )
    assert (url, aliases) == (
        "http://x.cn/a/1.html",
        ["http://x.cn/old/1.html", "http://x.cn/a/1.htm"],
    )
    assert article_urls("http://x.cn/a/1.html?utm_source=x", [], None) == (
        "http://x.cn/a/1.html",
        [],
    )


def _by_url(db_url: str) -> dict[str, Any]:
    return dict(query(db_url, "SELECT url, content_hash FROM articles"))


def test_same_text_under_other_urls_is_one_article(db_url: str) -> None:
    base = "http://127.0.0.1:1/qndt/3"
    first = open_run(db_url, batch_size=3)
    same = [article(3, url=u, body_text=SAME_BODY) for u in (f"{base}.html", f"{base}.htm")]
    first.feed([*same, article(4), article(5)])  # one batch holds both variants
    first.close()
    second = open_run(db_url)  # a later run meets a third variant and a known alias again
    second.feed([article(3, url=f"{base}.html?ref=abc", body_text=SAME_BODY, views=999), same[1]])
    second.close()

    rows = _by_url(db_url)
    assert sorted(rows) == [
        f"{base}.html",
        "http://127.0.0.1:1/qndt/4.html",
        "http://127.0.0.1:1/qndt/5.html",
    ]
    aliases = query(
        db_url,
        "SELECT u.url, a.url, u.site FROM article_urls u JOIN articles a ON a.id = u.article_id"
        " ORDER BY u.url",
    )
    assert aliases == [
        (f"{base}.htm", f"{base}.html", "teststadt"),
        (f"{base}.html?ref=abc", f"{base}.html", "teststadt"),
    ]
    # the later variant is a re-crawl of the article: its reading joins the series
    views = query(
        db_url,
        "SELECT v.views FROM view_counts v JOIN articles a ON a.id = v.article_id"
        f" WHERE a.url = '{base}.html' ORDER BY v.views",
    )
    assert [v for (v,) in views] == [103, 103, 103, 999]


def test_the_url_a_page_names_canonical_becomes_the_article_url(db_url: str) -> None:
    base = "http://127.0.0.1:1/qndt/3"
    first = open_run(db_url)
    first.feed([article(3, url=f"{base}.htm?ref=a", canonical_url=f"{base}.html")])
    first.close()
    second = open_run(db_url)
    second.feed([article(3, url=f"{base}.html", canonical_url=f"{base}.html")])
    second.close()
    assert list(_by_url(db_url)) == [f"{base}.html"]
    assert query(db_url, "SELECT url FROM article_urls") == [(f"{base}.htm?ref=a",)]
    assert query(db_url, "SELECT COUNT(*) FROM view_counts") == [(2,)]


def test_a_stored_url_stays_its_own_article(db_url: str) -> None:
    run = open_run(db_url)
    run.feed([article(1), article(2)])
    run.close()
    again = open_run(db_url)  # page 2's text is now page 1's: a URL wins over a hash
    again.feed([article(2, title=article(1).title, body_text=article(1).body_text)])
    again.close()
    assert len(_by_url(db_url)) == 2
    assert query(db_url, "SELECT COUNT(*) FROM article_urls") == [(0,)]


def test_other_sites_keep_their_copy(db_url: str) -> None:
    run = open_run(db_url)
    run.feed([article(1), article(1, url="http://127.0.0.1:2/x/1.html", site="nachbarstadt")])
    run.close()
    assert len(_by_url(db_url)) == 2


VARIANTS = [
    "art_3.html?from=timeline",
    "art_3.html?from=singlemessage&isappinstalled=0",
    "art_3.html?utm_source=wechat&utm_medium=social",
    "art_3.html;jsessionid=0A1B2C3D",
    "/news//art_3.html",
    "/news///art_3.html?from=groupmessage",
    "./art_3.html",
    "../news/art_3.html#comments",
    "art_3.html?spm=a2c4g.11186623",
    "art_3.htm",
    "art_3.htm?from=timeline",
    "art_3.htm;jsessionid=FFEE",
    "art_3.html?ref=weibo",
    "art_3.htm?ref=weibo",
    "{HOST}/news/art_3.html",
]


@pytest.mark.slow
@pytest.mark.parametrize("canonical", [False, True], ids=["no-canonical", "canonical"])
def test_url_variants_crawl_to_one_row(db_url: str, tmp_path: Path, canonical: bool) -> None:
    with OpsSite(articles=5) as site:
        site.canonical = canonical
        upper = site.base_url.replace("127.0.0.1", "LOCALHOST").replace("http:", "HTTP:")
        site.extra_links = [v.replace("{HOST}", upper) for v in VARIANTS]
        cmd = crawl_cmd(db_url, "--start-url", site.start_url.replace("127.0.0.1", "localhost"))
        proc = subprocess.run(cmd, env=crawl_env(tmp_path), capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        # cleaning leaves four distinct requests for the 16 links: .html, .htm, and ?ref= each
        fetched = {path for path in site.raw if "art_3" in path}
        assert fetched == {
            "/news/art_3.html",
            "/news/art_3.htm",
            "/news/art_3.html?ref=weibo",
            "/news/art_3.htm?ref=weibo",
        }
        assert all(site.raw[path] == 1 for path in fetched)

        site.raw.clear()  # the next crawl knows every variant: no article is fetched again
        site.add(1)
        proc = subprocess.run(cmd, env=crawl_env(tmp_path), capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert {path for path in site.raw if "art_" in path} == {"/news/art_6.html"}

    host = site.base_url.replace("127.0.0.1", "localhost")
    rows = _by_url(db_url)
    assert len(rows) == len(set(rows.values())) == 6
    [stored] = [url for url in rows if "art_3" in url]
    aliases = {u for (u,) in query(db_url, "SELECT url FROM article_urls")}
    assert {stored, *aliases} == {host + path for path in fetched}
    assert len(aliases) == 3
    if canonical:  # the page's canonical link names the row
        assert stored == f"{host}/news/art_3.html"
