"""An article its CMS split over several pages is stored whole: which link is its next page
(unit cases on pages written here), and a crawl end to end on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crawler.extract.continuation import next_part
from pipelines.db.session import make_engine
from tests.ops_site import OpsSite, crawl_site
from tests.storage_helpers import rows

DIR = "http://www.example.gov.cn/xwzx/2024/"


def _page(pager: str) -> str:
    return (
        "<html><body><h1>标题</h1><div class='content'><p>正文</p></div>"
        f"<div class='pages'>{pager}</div>"
        "<div>上一篇：<a href='122.html'>旧闻</a> 下一篇：<a href='124.html'>新闻</a></div>"
        "<ul class='related'><li><a href='125.html'>2</a></li></ul></body></html>"
    )


@pytest.mark.parametrize(
    ("url", "first", "pager", "expected"),
    [
        # DedeCMS / EmpireCMS: 123.html, 123_2.html …
        (
            "123.html",
            None,
            "<a href='#'>1</a><a href='123_2.html'>2</a><a href='123_3.html'>3</a>"
            "<a href='123_2.html'>下一页</a>",
            "123_2.html",
        ),
        (
            "123_2.html",
            "123.html",
            "<a href='123.html'>1</a><a href='123_3.html'>3</a>",
            "123_3.html",
        ),
        ("123_3.html", "123.html", "<a href='123.html'>1</a><a href='123_2.html'>2</a>", None),
        # TRS: the second page is _1
        (
            "t20240612_456.html",
            None,
            "<a href='t20240612_456_1.html'>2</a><a href='t20240612_456_2.html'>3</a>",
            "t20240612_456_1.html",
        ),
        # PHPCMS: the first page's own number is 1
        (
            "show-12-345-1.html",
            None,
            "<a href='show-12-345-2.html'>2</a><a href='show-12-345-2.html'>下一页</a>",
            "show-12-345-2.html",
        ),
        # not parts: the next article, however its link reads
        ("t20240612_456.html", None, "<a href='t20240612_457.html'>下一页</a>", None),
        ("show-12-345-1.html", None, "<a href='show-12-346-1.html'>下一页</a>", None),
        ("123.html", None, "", None),
        ("123.html", None, "<a href='/other/123_2.html'>2</a>", None),  # another directory
        ("123.html", None, "<a href='123_2.html'>相关文件</a>", None),  # not a pager's text
    ],
)
def test_the_next_page_of_a_split_article(
    url: str, first: str | None, pager: str, expected: str | None
) -> None:
    found = next_part(_page(pager), DIR + url, DIR + first if first else None)
    assert found == (DIR + expected if expected else None)


def _stored(db_url: str, columns: str) -> tuple[dict[str, Any], list[Any]]:
    """The stored articles by file name (``columns`` of each), and the rejects by URL."""
    engine = make_engine(db_url)
    try:
        got = {
            r[0].rsplit("/", 1)[-1]: r[1:]
            for r in rows(engine, f"SELECT url, {columns} FROM articles")
        }
        return got, rows(engine, "SELECT url, reason FROM rejects ORDER BY url")
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_split_article_is_stored_whole(db_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=4) as site:
        site.split = {2: 3, 3: 3, 4: 2}
        site.part_status = {(3, 3): 404, (4, 2): 503}
        crawl_site(db_url, site, tmp_path)
        base = site.base_url
        fetched = dict(site.requests)
        got, rejects = _stored(db_url, "body_text, body_html, quality")
        # three pages, in order, one article; its later pages are no articles of their own
        text, html, quality = got["art_2.html"]
        assert [line.split("：")[0] for line in text.splitlines()] == [
            "第2篇第1页",
            "第2篇第2页",
            "第2篇第3页",
        ]
        assert html.count("<p>") == 3 and "下一页" not in text
        assert quality is None
        # a last page that is gone for good: stored as read, flagged, the page a reject
        text, _, quality = got["art_3.html"]
        assert text.count("第3篇") == 2 and "body_partial" in str(quality)
        # a page that may answer next time: not stored in part, the article retried
        assert "art_4.html" not in got
        assert rejects == [
            (f"{base}/news/art_3_3.html", "part_http_404"),
            (f"{base}/news/art_4.html", "http_503"),
        ]
        assert fetched["/news/art_2_2.html"] == fetched["/news/art_2_3.html"] == 1
        site.part_status.clear()
        crawl_site(db_url, site, tmp_path)  # incremental: the failed article is read again
        engine = make_engine(db_url)
        try:
            text = rows(engine, "SELECT body_text FROM articles WHERE url LIKE '%art_4.html'")
        finally:
            engine.dispose()
    assert [line.split("：")[0] for line in text[0][0].splitlines()] == ["第4篇第1页", "第4篇第2页"]


@pytest.mark.parametrize(
    ("url", "call", "expected"),
    [
        (
            "t20240612_456.html",
            'createPageHTML(3, 0, "t20240612_456", "html");',
            "t20240612_456_1.html",
        ),
        (
            "t20240612_456_1.html",
            'createPageHTML(3, 1, "t20240612_456", "html");',
            "t20240612_456_2.html",
        ),
        ("t20240612_456_2.html", 'createPageHTML(3, 2, "t20240612_456", "html");', None),
        ("t20240612_456.html", 'createPageHTML(1, 0, "t20240612_456", "html");', None),
        ("t20240612_456.html", 'createPageHTML(5, 0, "index", "html");', None),  # a column's
    ],
)
def test_a_pager_drawn_by_a_script_from_the_articles_file_name(
    url: str, call: str, expected: str | None
) -> None:
    page = f"<html><body><h1>标题</h1><div>正文</div><script>{call}</script></body></html>"
    found = next_part(page, DIR + url, DIR + "t20240612_456.html")
    assert found == (DIR + expected if expected else None)


def test_a_page_that_repeats_the_article_adds_nothing() -> None:
    """A CMS that ignores the page number serves page 1 again: the article is not doubled."""
    from datetime import UTC, datetime

    from crawler.items import ArticleItem
    from crawler.spiders.parts import append_part

    def item(text: str) -> ArticleItem:
        return ArticleItem(
            url="http://x.test/1.html", site="s", title="t", body_text=text,
            body_html=f"<p>{text}</p>", fetched_at=datetime.now(UTC),
        )  # fmt: skip

    first = item("第一页正文。")
    assert append_part(first, item("第二页正文。"))
    assert not append_part(first, item("第一页正文。"))
    assert first.body_text == "第一页正文。\n第二页正文。"
    assert first.methods["parts"] == "2"


@pytest.mark.slow
def test_an_article_shown_in_a_frame_is_stored_with_the_frames_text(
    db_url: str, tmp_path: Path
) -> None:
    with OpsSite(articles=3) as site:
        site.framed = {2}
        crawl_site(db_url, site, tmp_path)
        got, rejects = _stored(db_url, "title, body_text, published_at")
    assert sorted(got) == ["art_1.html", "art_2.html", "art_3.html"]  # no content_2 article
    title, text, published = got["art_2.html"]
    assert title == "区政府召开第2次重点工作推进会议部署近期任务"  # the outer page's headline
    assert [line.split("：")[0] for line in text.splitlines()] == [
        "第2篇框架正文第1段",
        "第2篇框架正文第2段",
    ]
    assert published is not None and rejects == []
