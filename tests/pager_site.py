"""A local site with one column per pager family, for the end-to-end pagination test.

Every column holds seven articles, three per list page (so three pages, the last with one
article), and each list page also links the site's navigation, a sidebar of another column and
a footer, which a crawl must not request. The pager of each column is drawn the way one general
family draws it (crawler/extract/pagination.py); ``PagerSite.expected`` lists every request a
complete crawl makes and nothing else. ``broken`` makes one list page answer 500 (a column
crawled short). Past its last page the ``query`` column repeats that page (a guess ends on a
repeat) and the ``numbering`` and ``plain`` columns answer 404 (a guess ends on a 404); the
``plain`` column's first page names no number, and its page 2 is ``index_2`` where the first
guess is TRS's ``index_1``.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PER_PAGE = 3
ARTICLES = 7
PAGES = -(-ARTICLES // PER_PAGE)
#: family -> (path of list page n, 0-based)
FAMILIES: dict[str, Any] = {
    "link": lambda n: "/link/index.html" if n == 0 else f"/link/index_{n}.html",
    "call": lambda n: "/call/index.html" if n == 0 else f"/call/index_{n}.html",
    "object": lambda n: "/object/index.html" if n == 0 else f"/object/index_{n}.html",
    "onclick": lambda n: "/onclick/index.jhtml" if n == 0 else f"/onclick/index_{n + 1}.jhtml",
    "select": lambda n: f"/select/list_{n + 1}.html",
    "text": lambda n: f"/text/list_{n + 1}.html",
    "numbering": lambda n: f"/numbering/list_{n + 1}.html",
    # a plain first page whose page 2 is index_2 (not TRS's index_1), no pager shown
    "plain": lambda n: "/plain/index.html" if n == 0 else f"/plain/index_{n + 1}.html",
    "query": lambda n: f"/query/list.php?cat=2&page={n + 1}",
    "jpage": lambda n: "/jpage/index.html",
    "json": lambda n: "/json/index.html",
}
PROXY = "/module/web/jpage/dataproxy.jsp"
API = "/api/article/list"


def article_path(family: str, i: int) -> str:
    return f"/{family}/202405/t202405{10 + i:02d}_{100 + i}.html"


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _rows(family: str, items: range) -> str:
    return "\n".join(
        f'<li><a href="{article_path(family, i)}" title="{family}栏目第{i}条工作动态新闻标题">'
        f"{family}栏目第{i}条工作动态新闻标题</a><span>2024-05-{10 + i:02d}</span></li>"
        for i in items
    )


def _records(items: range) -> str:
    """jpage's datastore records: one CDATA list row each."""
    rows = _rows("jpage", items).split("\n")
    return "".join(f"<record><![CDATA[{r}]]></record>" for r in rows)


def _pager(family: str, n: int) -> str:
    page = FAMILIES[family]
    nxt = _name(page(n + 1)) if n + 1 < PAGES else None
    if family == "link":
        return f'<a href="{_name(page(0))}">首页</a>' + (
            f'<a href="{nxt}">下一页</a>' if nxt else ""
        )
    if family == "call":
        return f'<script>createPageHTML({PAGES}, {n}, "index", "html");</script>'
    if family == "object":
        config = f"size: {PAGES}, current: {n}, prefix: 'index', suffix: 'html'"
        return f"<script>new Pager({{{config}}});</script>"
    if family == "onclick":
        options = "".join(
            f'<option value="{_name(page(k))}"{" selected" if k == n else ""}>{k + 1}</option>'
            for k in range(PAGES)
        )
        link = f'<a href="#" onclick="location.href=encodeURI(\'{nxt}\')">下一页</a>' if nxt else ""
        return f'{link}<select onchange="location.href=this.value">{options}</select>'
    if family == "select":
        options = "".join(
            f'<option value="{k + 1}"{" selected" if k == n else ""}>第{k + 1}页</option>'
            for k in range(PAGES)
        )
        return f"<select onchange=\"location.href='list_'+this.value+'.html'\">{options}</select>"
    if family == "text":
        return f'共{PAGES}页 当前第{n + 1}页 共{ARTICLES}条 <a href="javascript:void(0)">下一页</a>'
    return ""  # numbering, plain, query: no pager shown at all


def _page(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        '<div class="nav"><a href="/">首页</a> <a href="/about/">机构概况</a> '
        '<a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a></div>'
        f"{body}"
        '<div class="side"><h3>热点排行</h3><ul><li><a href="/hot/1.html">热点</a></li></ul></div>'
        '<div class="footer"><a href="/sitemap.html">网站地图</a> <a href="/contact/">联系我们</a>'
        "</div></body></html>"
    ).encode()


class PagerSite:
    """The site, served on 127.0.0.1 in a thread; ``requests`` counts every request target."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.broken: str | None = None
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.base_url = ""

    def start_urls(self) -> list[str]:
        return [self.base_url + FAMILIES[f](0) for f in FAMILIES]

    def expected(self) -> set[str]:
        """Every request target of a complete crawl: list pages, data requests, articles."""
        out = {"/robots.txt"}
        for family, page in FAMILIES.items():
            out |= {article_path(family, i) for i in range(ARTICLES)}
            out |= {page(n) for n in range(PAGES)}
        out.add("/numbering/list_4.html")  # the probe past the last page (a 404)
        out.add("/plain/index_1.html")  # the first guess at page 2 (a 404), then index_2
        out.add("/plain/index_4.html")  # the probe past the last page (a 404)
        out.add("/query/list.php?cat=2&page=4")  # the probe past the end: a repeat
        # the data request's query as the extractor encodes it (w3lib: "/" as %2F) and Scrapy's
        # HTTP/1.1 handler sends it; the same parameters as the page's own link, path=/
        common = "appid=1&webid=7&path=%2F&columnid=70&unitid=5501&permissiontype=0"
        out.add(f"{PROXY}?{common}&startrecord=5&endrecord=8&perpage=2")
        out |= {f"{API}?channel=tzgg&pageNo={p}&pageSize={PER_PAGE}" for p in (1, 2, 3)}
        return out

    def route(self, target: str) -> tuple[int, bytes, str]:
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        html = "text/html; charset=utf-8"
        if target == self.broken:
            return 500, b"error", html
        if parts.path == PROXY:
            start, end = int(query["startrecord"]), int(query["endrecord"])
            records = _records(range(start - 1, min(end, ARTICLES)))
            xml = '<?xml version="1.0" encoding="UTF-8"?>'
            xml += f"<datastore><recordset>{records}</recordset></datastore>"
            return 200, xml.encode(), "text/xml; charset=utf-8"
        if parts.path == API:
            page = int(query["pageNo"])
            items = range((page - 1) * PER_PAGE, min(page * PER_PAGE, ARTICLES))
            records = [
                {"id": 100 + i, "title": f"json第{i}条", "url": article_path("json", i)}
                for i in items
            ]
            doc = {"code": 0, "data": {"total": ARTICLES, "pages": PAGES, "records": records}}
            return 200, json.dumps(doc).encode(), "application/json; charset=utf-8"
        if parts.path == "/query/list.php" and int(query.get("page", "1")) > PAGES:
            # like many list scripts, a page past the end shows the last page again
            return 200, self.list_page("query", PAGES - 1), html
        for family, page in FAMILIES.items():
            for n in range(PAGES):
                if target == page(n):
                    return 200, self.list_page(family, n), html
            if parts.path.startswith(f"/{family}/2024"):
                i = int(parts.path.rsplit("_", 1)[1].split(".")[0]) - 100
                title = f"{family}栏目第{i}条工作动态新闻标题"
                body = f"<h1>{title}</h1><p>发布时间：2024-05-{10 + i:02d}</p>"
                body += (
                    "<div class='content'>"
                    + "<p>会议强调，要压实责任，确保各项措施落地见效。</p>" * 3
                )
                return 200, _page(title, body + "</div>"), html
        return 404, _page("404", "<h1>页面不存在</h1>"), html

    def list_page(self, family: str, n: int) -> bytes:
        if family == "jpage":
            records = _records(range(4))  # the first group: perPage 2 x groupSize 2
            link = f"{PROXY}?page=1&appid=1&webid=7&path=/&columnid=70&unitid=5501&permissiontype=0"
            body = (
                '<div id="5501"><script type="text/xml"><datastore>'
                f'<nextgroup><![CDATA[<a href="{link}"></a>]]></nextgroup>'
                f"<recordset>{records}</recordset></datastore></script></div><script>"
                "$(document).ready(function(){ $('#5501').jpage({ dataStore: dataStore, perPage: 2,"
                f" totalRecord: {ARTICLES}, proxyUrl: '{PROXY}', groupSize: 2 }}); }});</script>"
            )
            return _page("jpage", body)
        if family == "json":
            script = (
                "<script>var channelId = 'tzgg'; $.ajax({ url: '" + API + "', dataType: 'json',"
                f" data: {{ channel: channelId, pageNo: 1, pageSize: {PER_PAGE} }},"
                " success: function (res) { render(res.data.records); } });</script>"
            )
            return _page("json", '<ul id="list"></ul>' + script)
        items = range(n * PER_PAGE, min((n + 1) * PER_PAGE, ARTICLES))
        body = f'<div class="list"><ul>{_rows(family, items)}</ul>'
        body += f'<div class="page">{_pager(family, n)}</div></div>'
        return _page(family, body)

    def __enter__(self) -> PagerSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with site.lock:
                    site.requests[self.path] += 1
                status, body, ctype = site.route(self.path)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
