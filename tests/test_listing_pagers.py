"""Script pagers, page lists, page text, data proxies and JSON endpoints, one family per page.

Each page under tests/fixtures/lists/pagers was written for this test and shows one general
pager shape (see crawler/extract/pagination.py): the next page, the pager family and the size
the page declares must be exactly these.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract.listing import extract_listing
from crawler.extract.pagination import next_by_numbering
from crawler.extract.scriptpager import script_href
from crawler.extract.types import ExtractedListing
from crawler.sites.profile import SiteProfile

PAGERS = Path(__file__).parent / "fixtures" / "lists" / "pagers"
H = "http://www.shili.gov.cn"
LIST_2 = f"{H}/xwzx/gzdt/list_2.html"
PROXY = (
    f"{H}/module/web/jpage/dataproxy.jsp?appid=1&webid=7&path=%2F&columnid=1234&unitid=5501"
    "&webname=%E7%A4%BA%E4%BE%8B&permissiontype=0"
)

# (fixture, page URL, next page, pager family, declared pages, declared items, next is a guess)
CASES = [
    # Pager({size: 15, current: 0, prefix: 'index', suffix: 'html'}): an object literal
    ("object_literal.html", f"{H}/xwzx/gzdt/", f"{H}/xwzx/gzdt/index_1.html",
     "object_literal", 15, None, False),
    # writePager('pages', total, current, 'list', 'shtml') with variables: an argument list
    ("argument_list.html", f"{H}/xwzx/gzdt/list_2.shtml", f"{H}/xwzx/gzdt/list_3.shtml",
     "script_call", 7, None, False),
    # <a href="#" onclick="location.href=encodeURI('index_3.jhtml')">下一页</a> + <select>
    ("onclick_select.html", f"{H}/xwzx/gzdt/index_2.jhtml", f"{H}/xwzx/gzdt/index_3.jhtml",
     "onclick", 9, None, False),
    # <select onchange="window.location='list_'+this.options[…].value+'.html'">
    ("select_template.html", f"{H}/xwzx/gzdt/list_3.html", f"{H}/xwzx/gzdt/list_4.html",
     "select", 4, None, False),
    # 共6页 当前第3页 共83条 with javascript:void(0) links: the URL's own numbering goes on
    ("page_text.html", f"{H}/xwzx/gzdt/index_2.html", f"{H}/xwzx/gzdt/index_3.html",
     "page_text", 6, 83, False),
    # Hanweb jpage: 4 records shipped, totalRecord 11, perPage 2, groupSize 2
    ("jpage.html", f"{H}/col/col1234/index.html",
     f"{PROXY}&startrecord=5&endrecord=8&perpage=2", "jpage", 6, 11, False),
    # $.ajax({url: '/api/article/list', data: {channel: channelId, pageNo: 1, pageSize: 3}})
    ("json_endpoint.html", f"{H}/tzgg/index.html",
     f"{H}/api/article/list?channel=tzgg&pageNo=1&pageSize=3", "json", None, None, True),
    # no pager at all on a numbered page: the next number is probed
    ("numbering.html", f"{H}/xwzx/gzdt/list_1.html", f"{H}/xwzx/gzdt/list_2.html",
     "numbering", None, None, True),
]  # fmt: skip


@pytest.mark.parametrize(("name", "url", "nxt", "pager", "pages", "items", "guess"), CASES)
def test_pager_family(
    name: str,
    url: str,
    nxt: str,
    pager: str,
    pages: int | None,
    items: int | None,
    guess: bool,
) -> None:
    got = extract_listing((PAGERS / name).read_bytes(), url)
    assert (got.next_page, got.pager) == (nxt, pager)
    assert (got.declared_pages, got.declared_items, got.next_is_guess) == (pages, items, guess)
    # an AJAX-only column shows no list in its HTML: the endpoint's answers hold it
    assert len(got.article_links) == {"json": 0, "jpage": 4}.get(pager, 3)
    assert nxt not in got.article_links


def test_object_literal_last_page_has_no_next() -> None:
    got = extract_listing((PAGERS / "object_literal.html").read_bytes(), f"{H}/x/index_14.html")
    assert (got.next_page, got.pager, got.declared_pages) == (None, "object_literal", 15)


def test_onclick_pager_lists_every_page_of_the_select() -> None:
    got = extract_listing((PAGERS / "onclick_select.html").read_bytes(), f"{H}/a/index_2.jhtml")
    want = {f"{H}/a/index.jhtml"} | {f"{H}/a/index_{n}.jhtml" for n in range(3, 10)}
    assert set(got.page_links) == want


def test_jpage_proxy_answer_continues_by_record_range() -> None:
    url = f"{PROXY}&startrecord=5&endrecord=8&perpage=2"
    got = extract_listing((PAGERS / "jpage_proxy_answer.xml").read_bytes(), url)
    assert got.article_links == [
        f"{H}/art/2024/4/30/art_1234_880.html",
        f"{H}/art/2024/4/28/art_1234_876.html",
        f"{H}/art/2024/4/25/art_1234_870.html",
        f"{H}/art/2024/4/22/art_1234_866.html",
    ]
    assert got.next_page == f"{PROXY}&startrecord=9&endrecord=12&perpage=2"
    assert got.pager == "jpage"
    # a short answer is the last group
    short = (PAGERS / "jpage_proxy_answer.xml").read_bytes().replace(b"<record>", b"<r>", 1)
    assert extract_listing(short, url).next_page is None


def test_json_answer_gives_articles_size_and_next_page() -> None:
    url = f"{H}/api/article/list?channel=tzgg&pageNo=1&pageSize=3"
    got = extract_listing((PAGERS / "json_answer.json").read_bytes(), url)
    assert got.article_links == [
        f"{H}/tzgg/2024/05/30/a71.html",
        f"{H}/tzgg/2024/05/21/a70.html",
        "https://www.shili.gov.cn/tzgg/2024/05/12/a69.html",
    ]  # an absolute URL on another scheme of the same host is still the site
    assert got.next_page == f"{H}/api/article/list?channel=tzgg&pageNo=2&pageSize=3"
    assert (got.pager, got.declared_pages, got.declared_items) == ("json", 3, 8)
    last = extract_listing((PAGERS / "json_answer.json").read_bytes(), url.replace("=1&", "=3&"))
    assert last.next_page is None


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("http://a.cn/x/index.html", "http://a.cn/x/index_1.html"),
        ("http://a.cn/x/list_1.html", "http://a.cn/x/list_2.html"),
        ("http://a.cn/x/index_9.shtml", "http://a.cn/x/index_10.shtml"),
        ("http://a.cn/news?cat=3&page=2", "http://a.cn/news?cat=3&page=3"),
        ("http://a.cn/x/", None),  # a directory names no numbering
        ("http://a.cn/x/t20240510_301.html", None),  # an article, not a page series
    ],
)
def test_next_by_numbering(url: str, want: str | None) -> None:
    assert next_by_numbering(url) == want


@pytest.mark.parametrize(
    ("code", "want"),
    [
        ("location.href=encodeURI('index_2.jhtml')", "index_2.jhtml"),
        ('window.location.href = "list_3.html";', "list_3.html"),
        ("window.open('/col/col12/index_4.html')", "/col/col12/index_4.html"),
        ("javascript:goPage('?page=3')", "?page=3"),
        ("javascript:goPage(3)", None),  # a number alone says nothing about the URL
        ("javascript:void(0)", None),
    ],
)
def test_script_href(code: str, want: str | None) -> None:
    assert script_href(code) == want


def _numbered_page_with(markup: str) -> ExtractedListing:
    """The pager-less numbered fixture page with ``markup`` added before ``</body>``."""
    page = (PAGERS / "numbering.html").read_text(encoding="utf-8")
    html = page.replace("</body>", markup + "</body>").encode()
    return extract_listing(html, f"{H}/xwzx/gzdt/list_1.html")


def test_lookalikes_are_not_pagers() -> None:
    """A carousel's {size, current} and a year <select> lead nowhere: the page's own links
    (none here) decide, and the page is a single numbered page to probe."""
    got = _numbered_page_with(
        "<script>$('.banner').slide({size: 5, current: 0, autoPlay: true});</script>"
        '<select onchange="location.href=this.value">'
        '<option value="/y/2023.html">2023</option><option value="/y/2024.html">2024</option>'
        "</select>"
    )
    assert (got.pager, got.next_page, got.declared_pages) == ("numbering", LIST_2, None)
    assert got.page_links == []


def test_json_record_link_is_its_page_not_its_image() -> None:
    doc = (
        b'{"total": 1, "list": [{"imgUrl": "/upload/a.jpg", "title": "t", '
        b'"linkUrl": "/tzgg/2024/a1.html"}, {"coverUrl": "/upload/b.png", "url": "b2.html"}]}'
    )
    got = extract_listing(doc, f"{H}/api/list?page=1")
    assert got.article_links == [f"{H}/tzgg/2024/a1.html", f"{H}/api/b2.html"]


def test_button_with_onclick_is_a_next_link() -> None:
    got = _numbered_page_with(
        """<input type="button" value="下一页" onclick="window.location.href='list_2.html'">"""
    )
    assert (got.pager, got.next_page, got.next_is_guess) == ("onclick", LIST_2, False)


def test_profile_rule_reads_the_datastore_records() -> None:
    """A profile's article regex applies to a Hanweb list held in datastore records too
    (a profile drafted by probe or discover must not lose a jpage column's first page)."""
    url = f"{H}/col/col1234/index.html"
    body = (PAGERS / "jpage.html").read_bytes()
    generic = extract_listing(body, url)
    profile = SiteProfile(
        name="shili",
        allowed_domains=("shili.gov.cn",),
        start_urls=(url,),
        article_patterns=(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",),
    )
    ruled = extract_listing(body, url, profile=profile)
    assert len(generic.article_links) == 4
    assert ruled.article_links == generic.article_links
    assert ruled.link_dates == generic.link_dates
    assert ruled.next_page == generic.next_page


def test_a_definition_list_dates_each_link_by_its_dd() -> None:
    """``<dl><dt><a>…</a></dt><dd>2024-06-12</dd> …</dl>``: one list holds every row, so no
    single ancestor is a row; each ``<dt>`` with the ``<dd>`` after it is (written for this
    test)."""
    titles = [f"县政府召开第{i}次常务会议研究部署重点工作" for i in range(1, 9)]
    rows = "".join(
        f"<dt><a href='/news/show-{i}.html' title='{t}'>{t[:10]}…</a></dt><dd>2024-06-{i:02d}</dd>"
        for i, t in enumerate(titles, 1)
    )
    page = (
        f"<html><head><meta charset='utf-8'></head><body><div><dl>{rows}</dl></div></body></html>"
    )
    listing = extract_listing(page, "http://www.x.gov.cn/news/index.html")
    assert len(listing.article_links) == 8
    assert [d.day for d in listing.link_dates.values()] == list(range(1, 9))
