"""extract_listing on list pages written for these tests (tests/fixtures/lists, raw bytes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract.listing import extract_listing
from crawler.extract.pagination import page_number
from crawler.sites.profile import SiteProfile, parse_profile

LISTS = Path(__file__).parent / "fixtures" / "lists"


def _read(name: str) -> bytes:
    return (LISTS / name).read_bytes()


def test_trs_create_page_html_computes_next_page() -> None:
    url = "http://www.shili.gov.cn/xwzx/gzdt/index_1.html"
    got = extract_listing(_read("trs_createpage.html"), url)
    base = "http://www.shili.gov.cn/xwzx/gzdt/"
    assert got.article_links == [
        base + "202403/t20240310_1234567.html",
        base + "202403/t20240308_1234501.html",
        base + "202403/t20240305_1234488.html",
        base + "202402/t20240228_1234402.html",
        base + "202402/t20240226_1234399.html",
        base + "202402/t20240221_1234350.html",
        base + "202402/t20240219_1234321.html",  # absolute link, fragment removed
    ]  # the off-host mp.weixin.qq.com link and the sidebar are not in the list
    assert got.next_page == base + "index_2.html"
    assert got.page_links[0] == base + "index.html"
    assert base + "index_11.html" in got.page_links
    assert len(got.page_links) == 11  # 12 pages minus the current one


def test_trs_last_page_has_no_next() -> None:
    html = _read("trs_createpage.html").replace(b"currentPage = 1;", b"currentPage = 11;")
    got = extract_listing(html, "http://www.shili.gov.cn/xwzx/gzdt/index_11.html")
    assert got.next_page is None
    assert len(got.article_links) == 7


def test_xiayiye_survives_stray_html_end_tag() -> None:
    url = "http://www.shixian.gov.cn/col/col102/index_2.html"
    got = extract_listing(_read("xiayiye_stray_html.html"), url)
    assert got.article_links == [
        "http://www.shixian.gov.cn/art/2023/11/20/art_102_40001.html",
        "http://www.shixian.gov.cn/art/2023/11/18/art_102_39987.html",
        "http://www.shixian.gov.cn/art/2023/11/15/art_102_39950.html",
        "http://www.shixian.gov.cn/art/2023/11/12/art_102_39901.html",
        "http://www.shixian.gov.cn/art/2023/11/9/art_102_39877.html",
    ]
    assert got.next_page == "http://www.shixian.gov.cn/col/col102/index_3.html"
    assert "http://www.shixian.gov.cn/col/col102/index_4.html" in got.page_links
    assert url not in got.page_links


def test_page_query_style() -> None:
    url = "https://kfq.example.gov.cn/notice/list?cat=3&page=2"
    got = extract_listing(_read("page_query.html"), url)
    assert got.article_links == [
        f"https://kfq.example.gov.cn/news/detail?id={n}" for n in (8812, 8809, 8790, 8766)
    ]
    assert got.next_page == "https://kfq.example.gov.cn/notice/list?cat=3&page=3"
    assert got.page_links == [
        "https://kfq.example.gov.cn/notice/list?cat=3&page=1",
        "https://kfq.example.gov.cn/notice/list?cat=3&page=3",
        "https://kfq.example.gov.cn/notice/list?cat=3&page=4",
    ]


def test_gbk_page_from_bytes() -> None:
    body = _read("gbk_xiaye.html")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    got = extract_listing(body, "http://www.shiliqu.gov.cn/zjdt/index.html")
    assert len(got.article_links) == 6
    assert got.article_links[0] == "http://www.shiliqu.gov.cn/zjdt/202401/t20240115_501.html"
    assert got.article_links[-1] == "http://www.shiliqu.gov.cn/zjdt/202312/t20231225_466.html"
    assert got.next_page == "http://www.shiliqu.gov.cn/zjdt/index_1.html"
    assert got.page_links == [
        "http://www.shiliqu.gov.cn/zjdt/index_1.html",
        "http://www.shiliqu.gov.cn/zjdt/index_2.html",
    ]


def test_profile_article_pattern_and_deny_override() -> None:
    url = "http://www.shili.gov.cn/xwzx/gzdt/index_1.html"
    profile = parse_profile(
        {
            "name": "shili",
            "start_urls": [url],
            "links": {"article": [r"/t\d{8}_\d+\.html$"], "deny": [r"/tzgg/", r"_1234501\."]},
        }
    )
    got = extract_listing(_read("trs_createpage.html"), url, profile=profile)
    assert len(got.article_links) == 6
    assert all("/tzgg/" not in u and "1234501" not in u for u in got.article_links)


def test_profile_css_and_next_page_selectors() -> None:
    url = "http://www.shixian.gov.cn/col/col102/index_2.html"
    profile = SiteProfile(
        name="shixian",
        allowed_domains=("shixian.gov.cn",),
        start_urls=(url,),
        article_css="div.left-menu a",
        next_page_xpath="//div[@class='pager']/a[text()='尾页']/@href",
    )
    got = extract_listing(_read("xiayiye_stray_html.html"), url, profile=profile)
    assert got.article_links == [
        "http://www.shixian.gov.cn/col/col101/index.html",
        "http://www.shixian.gov.cn/col/col102/index.html",
        "http://www.shixian.gov.cn/col/col103/index.html",
    ]
    # the XPath runs on lxml after the stray </html> is repaired, so the pager is still found
    assert got.next_page == "http://www.shixian.gov.cn/col/col102/index_4.html"


def test_no_links_no_crash() -> None:
    got = extract_listing("", "http://www.example.gov.cn/")
    assert got.article_links == [] and got.next_page is None and got.page_links == []


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("http://a.gov.cn/x/index_3.html", 3),
        ("http://a.gov.cn/x/list_12.shtml", 12),
        ("http://a.gov.cn/x/index2.html", 2),
        ("http://a.gov.cn/list?cat=3&page=7", 7),
        ("http://a.gov.cn/x/index.html", None),
        ("http://a.gov.cn/x/t20240310_123456.html", None),
    ],
)
def test_page_number(url: str, number: int | None) -> None:
    assert page_number(url) == number
