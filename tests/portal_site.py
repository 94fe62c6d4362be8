"""Fixture portals for ``govnews discover``: five home pages, five ways CMSs draw navigation.

Each :class:`Portal` is a whole small site: a home page whose navigation is written the way one
CMS family writes it, hub and noise pages, the columns' list pages and their articles. The
navigation styles are a TRS ``<ul>`` with relative links, Hanweb tables with ``<span>`` names and
a 更多 link under a block heading, a dropdown with second-level ``<ul>`` menus, a menu built by
scripts (an array of ``{name, url, children}`` records and ``document.write``), and a column
reachable only from a 政务公开 sub-page. Noise is real noise: 互动交流 and 政府信息公开年报
pages hold dated lists too, and home pages list article titles ending in 通知 and 公告. One
portal is GBK, named only by its <meta charset>.
``Portal.columns`` is the truth a test scores discovery against; :class:`PortalServer` serves a
portal on 127.0.0.1 (with an optional robots.txt) and logs every request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

PER_PAGE = 4
_TEXT = (
    "会议传达学习了上级有关会议和文件精神，通报了前一阶段工作进展情况，研究部署了下一步重点任务。",
    "各部门要进一步提高政治站位，压实工作责任，细化任务分工，确保各项措施落地见效，推动工作开展。",
    "下一步，将持续完善工作机制，加强督导检查，推动工作常态化、制度化、规范化开展，取得更大成效。",
)


@dataclass(frozen=True)
class Column:
    """One true column: its name, kind, first list page and how its list is drawn."""

    name: str
    kind: str
    path: str  # first list page, e.g. "/qndt/" or "/col/col1861/index.html"
    style: str  # "trs" | "hanweb" | "table" | "plain"
    articles: int = PER_PAGE


@dataclass
class Portal:
    """A fixture site: the true columns and every page (path -> HTML)."""

    name: str
    columns: tuple[Column, ...]
    pages: dict[str, str] = field(default_factory=dict)
    #: served and saved in this encoding, named only by the pages' <meta charset>
    encoding: str = "utf-8"

    def body(self, path: str) -> bytes | None:
        html = self.pages.get(path)
        if html is None:
            return None
        return html.replace('charset="utf-8"', f'charset="{self.encoding}"').encode(self.encoding)

    def article_paths(self, column: Column) -> list[str]:
        return [_article_path(self, column, i) for i in range(column.articles)]

    def save(self, folder: Path) -> None:
        """Write the pages as a saved copy (a directory URL becomes ``dir/index.html``)."""
        for path in self.pages:
            file = folder / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(self.body(path) or b"")


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}-示例区人民政府</title>'
        f'</head><body>{body}\n<div class="footer">主办：示例区人民政府办公室</div></body></html>\n'
    )


def _article_path(portal: Portal, column: Column, i: int) -> str:
    day, ident = 20 - i, 3000 + 10 * portal.columns.index(column) + i
    base = column.path.rsplit("/", 1)[0] if not column.path.endswith("/") else column.path[:-1]
    if column.style == "trs":
        return f"{base}/202403/t202403{day:02d}_{ident}.html"
    if column.style == "hanweb":
        return f"/art/2024/3/{day}/art_{base.rsplit('col', 1)[-1]}_{ident}.html"
    return f"{base}/info/{ident}.html"  # no date in the URL: only the list row has one


def _title(column: Column, i: int) -> str:
    return f"{column.name}第{i + 1}条：示例区召开专题工作推进会议"


def _rows(portal: Portal, column: Column) -> str:
    items = [
        (p, _title(column, i), f"2024-03-{20 - i:02d}")
        for i, p in enumerate(portal.article_paths(column))
    ]
    if column.style == "table":
        return (
            "<table class='list'>"
            + "".join(
                f"<tr><td><a href='{p}' target='_blank'>{t}</a></td><td>[{d}]</td></tr>"
                for p, t, d in items
            )
            + "</table>"
        )
    rows = "".join(
        f'<li><a href="{p}" title="{t}">{t}</a><span>{d}</span></li>' for p, t, d in items
    )
    if column.style == "hanweb":
        records = "".join(
            f"<record><![CDATA[<li><a href='{p}'>{t}</a><span>{d}</span></li>]]></record>"
            for p, t, d in items
        )
        return (
            f'<div id="4455"><script type="text/xml"><datastore><recordset>{records}'
            "</recordset></datastore></script></div>"
        )
    pager = (
        '<script>createPageHTML(1, 0, "index", "html");</script>' if column.style == "trs" else ""
    )
    return f'<ul class="list">{rows}</ul>{pager}'


def _article(column: Column, i: int) -> str:
    paras = "".join(f"<p>{s}</p>" for s in _TEXT)
    return _page(
        _title(column, i),
        f'<div class="article"><h1>{_title(column, i)}</h1><div class="info">发布时间：'
        f'2024-03-{20 - i:02d} 来源：示例区融媒体中心</div><div id="zoom">{paras}</div></div>',
    )


def _noise_list(title: str) -> str:
    """A page with a dated list that is not a news column (letters, annual reports)."""
    rows = "".join(
        f'<li><a href="/hdjl/xj/{7000 + i}.html">关于小区停车问题的咨询{i}</a>'
        f"<span>2024-03-{10 + i:02d}</span></li>"
        for i in range(6)
    )
    return _page(title, f'<h2>{title}</h2><ul class="list">{rows}</ul>')


_LATEST = (
    '<div class="latest"><h3>最新信息</h3><ul>'
    '<li><a href="/tzgg/202403/t20240318_3990.html">关于2024年清明节放假的通知</a>'
    "<span>2024-03-18</span></li>"
    '<li><a href="/zwgk/info/3991.html">区政府采购中心公告</a><span>2024-03-17</span></li>'
    "</ul></div>"
)


def _build(
    name: str,
    home_nav: str,
    columns: tuple[Column, ...],
    extra: dict[str, str],
    dated: dict[str, str],
) -> Portal:
    """A portal from its home navigation; ``extra`` pages say their name, ``dated`` pages hold
    a dated list that is no news column."""
    portal = Portal(name, columns)
    portal.pages["/"] = _page("首页", home_nav + _LATEST)
    for column in columns:
        portal.pages[column.path] = _page(
            column.name, f"<h2>{column.name}</h2>" + _rows(portal, column)
        )
        for i, path in enumerate(portal.article_paths(column)):
            portal.pages[path] = _article(column, i)
    for path, title in extra.items():
        portal.pages[path] = _page(title, f"<p>{title}</p>")
    for path, title in dated.items():
        portal.pages[path] = _noise_list(title)
    return portal


def trs_portal() -> Portal:
    """TRS WCM: a ``<ul>`` nav of ``./`` links; 新闻中心 is a hub holding 要闻."""
    cols = (
        Column("区内动态", "news", "/qndt/", "trs"),
        Column("通知公告", "notices", "/tzgg/", "trs"),
        Column("图片新闻", "news", "/tpxw/", "trs"),
        Column("要闻", "news", "/xwzx/yw/", "trs"),
    )
    nav = (
        '<div class="nav"><ul><li><a href="./">首页</a></li><li><a href="./jggk/">机构概况</a>'
        '</li><li><a href="./ldxx/">领导信息</a></li><li><a href="./xwzx/">新闻中心</a></li>'
        '<li><a href="./qndt/">区内动态</a></li><li><a href="./tzgg/">通知公告</a></li>'
        '<li><a href="./tpxw/">图片新闻</a></li><li><a href="./hdjl/">互动交流</a></li>'
        '<li><a href="./bsfw/">办事服务</a></li><li><a href="javascript:void(0)">无障碍</a></li>'
        '<li><a href="./en/">English</a></li><li><a href="./lxwm/">联系我们</a></li></ul></div>'
    )
    hub = '<div class="sub"><a href="./yw/">要闻</a> <a href="../qndt/">区内动态</a></div>'
    extra = {
        "/jggk/": "机构概况",
        "/ldxx/": "领导信息",
        "/bsfw/": "办事服务",
        "/en/": "English",
        "/lxwm/": "联系我们",
    }
    dated = {"/hdjl/": "互动交流"}
    portal = _build("trs", nav, cols, extra, dated)
    portal.pages["/xwzx/"] = _page("新闻中心", hub)
    return portal


def hanweb_portal() -> Portal:
    """Hanweb JCMS: table nav with ``<span>`` names; 部门动态 only behind a block's 更多>>."""
    cols = (
        Column("政务动态", "news", "/col/col1861/index.html", "hanweb"),
        Column("乡镇动态", "news", "/col/col1862/index.html", "hanweb"),
        Column("公示公告", "notices", "/col/col1863/index.html", "table"),
        Column("部门动态", "news", "/col/col1864/index.html", "hanweb"),
    )
    cells = [
        ("/index.html", "网站首页"),
        ("/col/col1001/index.html", "走进示例"),
        ("/col/col1861/index.html", "政务动态"),
        ("/col/col1862/index.html", "乡镇动态"),
        ("/col/col1863/index.html", "公示公告"),
        ("/col/col1002/index.html", "政务服务"),
        ("/col/col1003/index.html", "政民互动"),
        ("/col/col1004/index.html", "网站地图"),
    ]
    nav = "".join(f'<td><a href="{h}" target="_blank"><span>{n}</span></a></td>' for h, n in cells)
    nav = f'<table class="nav"><tr>{nav}</tr></table>'
    block = (
        '<div class="box"><div class="tit"><span>部门动态</span><a href="/col/col1864/'
        'index.html">更多&gt;&gt;</a></div><ul><li><a href="/art/2024/3/20/art_1864_3030.'
        'html">区市场监管局开展春季食品安全检查</a></li></ul></div>'
    )
    extra = {
        "/col/col1001/index.html": "走进示例",
        "/col/col1002/index.html": "政务服务",
        "/col/col1004/index.html": "网站地图",
    }
    dated = {"/col/col1003/index.html": "政民互动"}
    return _build("hanweb", nav + block, cols, extra, dated)


def dropdown_portal() -> Portal:
    """A dropdown menu: second-level ``<ul>``s under 信息公开, 新闻动态 and 互动交流."""
    cols = (
        Column("新闻动态", "news", "/xwdt/", "plain"),
        Column("街道动态", "news", "/xwdt/jddt/", "table"),
        Column("部门动态", "news", "/xwdt/bmdt/", "plain"),
        Column("政策文件", "policy", "/xxgk/zcwj/", "table"),
        Column("政策解读", "policy", "/xxgk/zcjd/", "plain"),
    )
    nav = (
        '<ul class="menu"><li><a href="/">首页</a></li><li class="drop"><a href="/xxgk/">信息公开'
        '</a><ul class="sub"><li><a href="/xxgk/zcwj/">政策文件</a></li><li><a href="/xxgk/zcjd/">'
        '政策解读</a></li><li><a href="/xxgk/gkzn/">政府信息公开指南</a></li><li><a href='
        '"/xxgk/ysqgk/">依申请公开</a></li></ul></li><li class="drop"><a href="/xwdt/">新闻动态'
        '</a><ul class="sub"><li><a href="/xwdt/jddt/">街道动态</a></li><li><a href="/xwdt/bmdt/">'
        '部门动态</a></li></ul></li><li class="drop"><a href="/hdjl/">互动交流</a><ul class="sub">'
        '<li><a href="/hdjl/ldxx/">领导信箱</a></li><li><a href="/hdjl/zxft/">在线访谈</a></li>'
        '</ul></li><li><a href="/login.jsp">登录</a></li></ul>'
    )
    extra = {
        "/xxgk/": "信息公开",
        "/xxgk/gkzn/": "政府信息公开指南",
        "/xxgk/ysqgk/": "依申请公开",
        "/hdjl/": "互动交流",
        "/hdjl/zxft/": "在线访谈",
    }
    dated = {"/hdjl/ldxx/": "领导信箱"}
    return _build("dropdown", nav, cols, extra, dated)


def script_portal() -> Portal:
    """A menu built by scripts: a ``navData`` array with children, and ``document.write``."""
    cols = (
        Column("区内要闻", "news", "/ywdt/qnyw/", "plain"),
        Column("乡镇动态", "news", "/ywdt/xzdt/", "table"),
        Column("通知公告", "notices", "/tzgg/", "plain"),
        Column("政策文件", "policy", "/zcwj/", "table"),
    )
    nav = (
        '<div id="nav"></div><script type="text/javascript">\nvar navData = [{name: "首页", '
        'url: "/"}, {name: "要闻动态", url: "/ywdt/", children: [{name: "区内要闻", url: '
        '"/ywdt/qnyw/"}, {name: "乡镇动态", url: "/ywdt/xzdt/"}]}, {name: "通知公告", url: '
        '"/tzgg/"}, {name: "互动交流", url: "/hdjl/"}, {name: "办事服务", url: "/bsfw/"}];\n'
        'renderNav(navData);\n</script>\n<script>\ndocument.write(\'<li><a href="/zcwj/">'
        "政策文件</a></li>');\ndocument.write('<li><a href=\"/en/\">English</a></li>');\n"
        "</script>"
    )
    extra = {"/ywdt/": "要闻动态", "/bsfw/": "办事服务", "/en/": "English"}
    dated = {"/hdjl/": "互动交流"}
    return _build("script", nav, cols, extra, dated)


def zwgk_portal() -> Portal:
    """政务公开's own sub-page holds columns the home page never links (and a dated 年报 list);
    served in GBK."""
    cols = (
        Column("新闻资讯", "news", "/xwzx/", "plain"),
        Column("政策文件", "policy", "/zwgk/zcwj/", "table"),
        Column("通知公告", "notices", "/zwgk/tzgg/", "plain"),
    )
    nav = (
        '<div class="topnav"><a href="/">首页</a> | <a href="/bqgk/">本区概况</a> | <a href='
        '"/xwzx/">新闻资讯</a> | <a href="/zwgk/">政务公开</a> | <a href="/hdjl/">互动交流</a>'
        ' | <a href="/bsfw/">办事服务</a></div>'
    )
    side = (
        '<div class="left"><h3>政务公开</h3><ul><li><a href="/zwgk/gkzn/">政府信息公开指南</a>'
        '</li><li><a href="/zwgk/ndbg/">政府信息公开年报</a></li><li><a href="/zwgk/zcwj/">政策'
        '文件</a></li><li><a href="/zwgk/tzgg/">通知公告</a></li><li><a href="/zwgk/czyjs/">'
        "财政预决算</a></li></ul></div>"
    )
    extra = {"/bqgk/": "本区概况", "/bsfw/": "办事服务", "/zwgk/gkzn/": "政府信息公开指南"}
    dated = {"/hdjl/": "互动交流", "/zwgk/ndbg/": "政府信息公开年报", "/zwgk/czyjs/": "财政预决算"}
    portal = _build("zwgk", nav, cols, extra, dated)
    portal.pages["/zwgk/"] = _page("政务公开", side)
    portal.encoding = "gbk"
    return portal


PORTALS = {
    p.name: p
    for p in (trs_portal(), hanweb_portal(), dropdown_portal(), script_portal(), zwgk_portal())
}


class PortalServer:
    """Serve one portal on 127.0.0.1 in a thread; ``requests`` logs every path asked for."""

    def __init__(self, portal: Portal, robots: str = "User-agent: *\nAllow: /\n") -> None:
        self.portal, self.robots = portal, robots
        self.requests: list[str] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                if (self.headers.get("Host") or "").startswith("localhost"):
                    # the bare name moves to the canonical host, as x.gov.cn -> www.x.gov.cn
                    self.send_response(301)
                    self.send_header("Location", site.base_url + self.path)
                    self.end_headers()
                    return
                path = "/" if self.path == "/index.html" else self.path
                if path == "/robots.txt":
                    body: bytes | None = site.robots.encode("utf-8")
                else:
                    body = site.portal.body(path)
                self.send_response(200 if body is not None else 404)
                kind = "text/plain" if path == "/robots.txt" else "text/html"
                self.send_header("Content-Type", kind)
                body = body or b"<html><body>404</body></html>"
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> PortalServer:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
