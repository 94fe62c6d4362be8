"""The last page of a column may hold a single article; it must still be found."""

from __future__ import annotations

from datetime import date

from crawler.extract.listing import extract_listing

PAGE = """<html><body>
<div class="nav"><a href="/">首页</a><a href="/qndt/">区内动态</a>
<a href="/zwgk/">政务公开</a></div>
<ul class="news-list">
<li><a href="/zwgk/gzdt/2023/0506/4105.html">区市场监管局开展食品安全专项检查</a>
<span>2023-05-06</span></li>
</ul>
<div class="page"><a href="index.html">首页</a> <a href="list_2.html">上一页</a>
<span>下一页</span></div>
<div class="footer"><a href="/about.html">关于我们</a><a href="/map.html">网站地图</a></div>
</body></html>"""


def test_a_single_dated_article_link_is_the_list() -> None:
    listing = extract_listing(PAGE, "http://www.example.gov.cn/zwgk/gzdt/list_3.html")
    assert listing.article_links == ["http://www.example.gov.cn/zwgk/gzdt/2023/0506/4105.html"]
    assert listing.next_page is None


def test_navigation_alone_is_not_an_article_list() -> None:
    page = PAGE.replace(
        '<li><a href="/zwgk/gzdt/2023/0506/4105.html">区市场监管局开展食品安全专项检查</a>\n'
        "<span>2023-05-06</span></li>",
        "",
    )
    listing = extract_listing(page, "http://www.example.gov.cn/zwgk/gzdt/list_3.html")
    assert listing.article_links == []


def test_each_article_link_carries_its_listed_date() -> None:
    listing = extract_listing(PAGE, "http://www.example.gov.cn/zwgk/gzdt/list_3.html")
    url = "http://www.example.gov.cn/zwgk/gzdt/2023/0506/4105.html"
    assert listing.link_dates == {url: date(2023, 5, 6)}
