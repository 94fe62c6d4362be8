"""A page that only sends the reader on by script (a 链接型 document): where to, and when a
script's ``location`` is not a redirect. Pages written for this test."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from crawler.extract.redirect import frame_page, script_redirect

BASE = "http://www.example.gov.cn/qndt/202406/t20240612_5.html"
NAV = "".join(f"<a href='/c{i}/'>政务动态栏目{i}</a>" for i in range(12))


def _page(script: str = "", body: str = "", onload: str = "") -> str:
    handler = f' onload="{onload}"' if onload else ""
    return (
        f"<html><head><meta charset='utf-8'><title>跳转</title>{script}</head>"
        f"<body{handler}>{body}</body></html>"
    )


@pytest.mark.parametrize(
    ("page", "target"),
    [
        (
            _page("<script>window.location.href = 'http://www.hebei.gov.cn/a/1.html';</script>"),
            "http://www.hebei.gov.cn/a/1.html",
        ),
        (
            _page('<script>location.replace("/xwzx/202406/t20240612_9.html")</script>'),
            "http://www.example.gov.cn/xwzx/202406/t20240612_9.html",
        ),
        (_page("<script>top.location='t20240612_6.html'</script>"), BASE.replace("5.", "6.")),
        (_page(onload="location.href='/a/2.html'"), "http://www.example.gov.cn/a/2.html"),
        (
            _page(
                '<script>var u = 1;\ndocument.location = "/a/3.html";</script>',
                "<p>页面跳转中，如果没有自动跳转，请点击这里</p>",
            ),
            "http://www.example.gov.cn/a/3.html",
        ),
    ],
)
def test_a_text_less_page_that_moves_on_by_script(page: str, target: str) -> None:
    assert script_redirect(page, BASE, None) == target


@pytest.mark.parametrize(
    ("page", "body_text"),
    [
        # an article: its body is text of its own
        (
            _page("<script>location.href='/a/1.html'</script>", "<p>" + "区政府召开会议。" * 10),
            "区政府召开会议。" * 10,
        ),
        # a search box that builds its address
        (_page("<script>function s(){location.href='/search?q=' + q;}</script>"), None),
        # a portal page (its menus are text) whose button script goes home
        (_page("<script>function home(){location.href='/';}</script>", NAV * 3), None),
        # two places to go: not a redirect
        (_page("<script>if (m) { location.href='/m/1.html' } else { location='/a/1.html' }"), None),
        # to itself, to an anchor, to a script URL
        (_page(f"<script>location.href='{BASE}'</script>"), None),
        (_page("<script>location.href='#top'</script>"), None),
        (_page("<script>location.href='javascript:void(0)'</script>"), None),
        # no script at all
        (_page(body="<p>暂无内容</p>"), None),
    ],
)
def test_pages_that_are_not_redirects(page: str, body_text: str | None) -> None:
    assert script_redirect(page, BASE, body_text) is None


@pytest.mark.parametrize(
    ("frames", "target"),
    [
        ("<iframe src='content_123.html' width='100%' height='800'></iframe>", "content_123.html"),
        ("<iframe src='/Item/Show.asp?m=1&amp;d=123'></iframe>", "/Item/Show.asp?m=1&d=123"),
        # a player and a page: the page
        (
            "<iframe src='https://v.qq.com/txp/iframe/player.html?vid=x1'></iframe>"
            "<iframe src='text_123.htm'></iframe>",
            "text_123.htm",
        ),
        ("<iframe src='about:blank'></iframe>", None),
        ("<iframe src='/images/banner.jpg'></iframe>", None),
        ("<iframe src='a.html'></iframe><iframe src='b.html'></iframe>", None),  # which one?
        ("", None),
    ],
)
def test_the_page_a_text_less_article_shows_in_a_frame(frames: str, target: str | None) -> None:
    page = _page(body=f"<h1>区政府召开常务会议</h1><p>发布时间：2024-06-12</p>{frames}")
    expected = urljoin(BASE, target) if target else None
    assert frame_page(page, BASE, None) == expected
    assert frame_page(page, BASE, "区政府召开常务会议，研究部署近期重点工作。" * 3) is None
