"""The bundled demo portal: pages, pagination, the GBK column, counters that behave like the real
CMS endpoints (including the hit they add), robots.txt and 404s. Served on 127.0.0.1."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from crawler.extract.counters import find_counter, parse_counter
from crawler.extract.listing import extract_listing
from demoportal.server import DemoSite


@pytest.fixture
def site() -> Iterator[DemoSite]:
    with DemoSite() as demo:
        yield demo


def fetch(
    url: str, method: str = "GET", body: bytes | None = None, headers: Mapping[str, str] = {}
) -> tuple[int, bytes, str]:
    req = urllib.request.Request(url, data=body, headers=dict(headers), method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")


def test_columns_paginate_and_list_every_article(site: DemoSite) -> None:
    assert site.base_url.startswith("http://127.0.0.1:")
    assert len(site.start_urls) >= 3
    linked: set[str] = set()
    pages = 0
    pagers: set[str | None] = set()
    for start in site.start_urls:
        url: str | None = start
        while url:
            status, body, ctype = fetch(url)
            assert status == 200
            charset = ctype.split("charset=")[1]
            pages += 1
            listing = extract_listing(body, url, http_charset=charset)
            linked |= set(listing.article_links)
            pagers.add(listing.pager)
            url = listing.next_page
    expected = {a.url for a in site.expected_articles}
    assert len(expected) >= 30
    assert linked == expected
    assert pages > len(site.start_urls)  # some columns have several list pages
    # the columns show several pager families (crawler/extract/pagination.py)
    assert pagers >= {"link", "script_call", "onclick", "jpage"}


def test_pager_styles(site: DemoSite) -> None:
    status, body, _ = fetch(site.base_url + "/qndt/qndt/index_1.html")
    assert status == 200 and b"createPageHTML(countPage, currentPage" in body
    status, body, _ = fetch(site.base_url + "/qndt/bmdt/index.html")
    assert b"onclick=\"location.href=encodeURI('index_1.html')\">" in body
    assert b'<select onchange="location.href=this.value">' in body
    status, _, _ = fetch(site.base_url + "/zwgk/gzdt/list_2.html")
    assert status == 200
    proxy = "/module/web/jpage/dataproxy.jsp?columnid=zwdt&startrecord=5&endrecord=8&perpage=2"
    status, body, ctype = fetch(site.base_url + proxy)
    assert status == 200 and ctype.startswith("text/xml")
    assert body.count(b"<record>") == 4


def test_seed_article_is_served_byte_for_byte(site: DemoSite, seed_article: Path) -> None:
    seed = next(a for a in site.expected_articles if a.views == 16701)
    status, body, ctype = fetch(seed.url)
    assert status == 200 and "utf-8" in ctype
    assert body == seed_article.read_bytes()
    assert seed.title == "启新程!再出发! 高新区召开2021年工作会议"
    assert seed.published.startswith("2021-03-01") and seed.column == "区内动态"


def test_gbk_column_bytes_are_gbk(site: DemoSite) -> None:
    gbk = [a for a in site.expected_articles if a.encoding == "gbk"]
    assert gbk
    status, body, ctype = fetch(gbk[0].url)
    assert status == 200 and ctype == "text/html; charset=gbk"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    html = body.decode("gbk")
    assert gbk[0].title in html and 'charset="gbk"' in html
    start = next(u for u in site.start_urls if "/gzdt/" in u)
    _, body, ctype = fetch(start)
    assert "charset=gbk" in ctype and "工作动态".encode("gbk") in body


def test_every_counter_style_and_static_labels_present(site: DemoSite) -> None:
    styles = {a.counter for a in site.expected_articles}
    assert styles >= {
        "static",
        "phpcms",
        "dedecms",
        "empirecms",
        "vsb",
        "hanweb",
        "nfcms",
        "generic",
    }
    labels = set()
    for a in site.expected_articles:
        if a.counter == "static":
            _, body, ctype = fetch(a.url)
            text = body.decode(ctype.split("charset=")[1])
            labels |= {m for m in ("阅览量:", "浏览次数：", "点击数：") if m in text}
    assert labels == {"阅览量:", "浏览次数：", "点击数："}
    thousands = next(a for a in site.expected_articles if a.views == 1234)
    assert "浏览次数：1,234" in fetch(thousands.url)[1].decode("utf-8")


def _counter_url(site: DemoSite, style: str) -> tuple[int, str, str]:
    art = next(a for a in site.expected_articles if a.counter == style)
    _, body, ctype = fetch(art.url)
    html = body.decode(ctype.split("charset=")[1])
    return art.key, art.url, html


@pytest.mark.parametrize(
    ("path", "response_re", "adds"),
    [
        ("/api.php?op=count&id={k}&modelid=1", r"\$\('#hits'\)\.html\('(\d+)'\)", True),
        ("/plus/count.php?view=yes&aid={k}&mid=1", r"document\.write\('(\d+)'\)", True),
        (
            "/system/resource/code/news/click/dynclicks.jsp?clickid={k}&owner=1580883286"
            "&clicktype=wbnews",
            r"^(\d+)$",
            True,
        ),
        (
            "/module/visitcount/articlehits.jsp?colid=1861&artid={k}",
            r'document\.write\("(\d+)"\)',
            False,
        ),
        ("/jsonp/post/sum?post={k}&site=200001&callback=cb", r'^cb\(\{"count":(\d+)', False),
        ("/count/click.js?artid={k}", r"document\.write\('(\d+)'\)", True),
    ],
)
def test_counters_add_hits_where_the_cms_does(
    site: DemoSite, path: str, response_re: str, adds: bool
) -> None:
    family = {
        "api.php": "phpcms",
        "plus": "dedecms",
        "system": "vsb",
        "module": "hanweb",
        "jsonp": "nfcms",
        "count": "generic",
    }[path.split("/")[1].split("?")[0]]
    art = next(a for a in site.expected_articles if a.counter == family)
    before = site.current_views(art.key)
    assert before == art.views
    readings = []
    for _ in range(2):
        status, body, _ = fetch(site.base_url + path.format(k=art.key))
        assert status == 200
        m = re.search(response_re, body.decode())
        assert m, body
        readings.append(int(m.group(1)))
    step = 1 if adds else 0
    assert readings == [art.views + step, art.views + 2 * step]
    assert site.current_views(art.key) == art.views + 2 * step
    hits = [h for h in site.hits if h.key == art.key]
    assert len(hits) == 2 and all(h.added is adds for h in hits)


def test_script_counter_is_posted_and_counts(site: DemoSite) -> None:
    art = next(a for a in site.expected_articles if a.counter == "script")
    url = f"{site.base_url}/EWB-FRONT/rest/frontAppCustomAction/getInfoClickCount"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, body, _ = fetch(url, "POST", f"infoid={art.key}&siteGuid=x".encode(), form)
    assert status == 200 and f'"count":"{art.views + 1}"'.encode() in body
    assert site.current_views(art.key) == art.views + 1
    assert fetch(url)[0] == 404  # the endpoint needs the form


def test_empirecms_read_only_and_addclick(site: DemoSite) -> None:
    art = next(a for a in site.expected_articles if a.counter == "empirecms")
    base = f"{site.base_url}/e/public/ViewClick/?classid=7&id={art.key}"
    assert fetch(base)[1] == f"document.write('{art.views + 1}');".encode()
    assert site.current_views(art.key) == art.views  # read-only
    assert fetch(base + "&addclick=1")[1] == f"document.write('{art.views + 1}');".encode()
    assert site.current_views(art.key) == art.views + 1


def test_hanweb_visit_jsp_records_a_visit(site: DemoSite) -> None:
    key, _, html = _counter_url(site, "hanweb")
    assert "visitcount/visit.jsp" in html
    fetch(f"{site.base_url}/module/visitcount/visit.jsp?type=3&i_columnid=1861&i_articleid={key}")
    assert site.hits[-1].family == "hanweb-visit" and site.hits[-1].added


def test_resolvers_read_what_a_reader_sees_on_every_article(site: DemoSite) -> None:
    """The demo's markup and the resolvers agree; each counter is requested once."""
    for art in site.expected_articles:
        _, body, ctype = fetch(art.url)
        request = find_counter(body.decode(ctype.split("charset=")[1]), art.url)
        if art.counter == "static":
            assert request is None, art.url
            continue
        assert request is not None and request.resolver == art.counter, art.url
        _, answer, _ = fetch(request.url, request.method, request.body, request.headers)
        assert parse_counter(request, answer.decode()) == art.views, art.url
    per_article: dict[int, int] = {}
    for hit in site.hits:
        per_article[hit.key] = per_article.get(hit.key, 0) + 1
        assert hit.family != "hanweb-visit"
    assert set(per_article.values()) == {1}


def test_attachments_are_linked_and_served(site: DemoSite) -> None:
    with_files = [a for a in site.expected_articles if a.attachments]
    assert len(with_files) >= 3
    for art in with_files:
        _, body, ctype = fetch(art.url)
        html = body.decode(ctype.split("charset=")[1])
        for url in art.attachments:
            assert url.removeprefix(site.base_url) in html
            status, data, kind = fetch(url)
            assert status == 200 and kind in ("application/pdf", _XLSX)
            assert data.startswith((b"%PDF", b"PK"))


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_robots_and_404(site: DemoSite) -> None:
    status, body, _ = fetch(site.base_url + "/robots.txt")
    assert status == 200 and b"User-agent: *" in body and b"Disallow: /" not in body
    status, body, _ = fetch(site.base_url + "/no/such/page.html")
    assert status == 404 and "页面不存在".encode() in body
    assert fetch(site.base_url + "/../../etc/passwd")[0] == 404
    assert fetch(site.base_url + "/plus/count.php?aid=999999")[0] == 404
