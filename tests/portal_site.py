"""A small local portal server and the page templates of the fixture portals (tests/portals.py).

A :class:`Portal` is a whole small site: a home page (hand-written per navigation style), hub
and noise pages, the columns' list pages and their articles, built by :func:`build_portal`.
List pages come in four shapes (TRS with createPageHTML, a Hanweb datastore, a table, a plain
list); noise pages may hold a dated list that is no news column (letters, annual reports).
:class:`PortalServer` serves a portal on 127.0.0.1 (with an optional robots.txt; a request
for ``localhost`` is redirected to 127.0.0.1, as a bare domain to its www. host) and logs every
request.
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


def page(title: str, body: str) -> str:
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
    return page(
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
    return page(title, f'<h2>{title}</h2><ul class="list">{rows}</ul>')


_LATEST = (
    '<div class="latest"><h3>最新信息</h3><ul>'
    '<li><a href="/tzgg/202403/t20240318_3990.html">关于2024年清明节放假的通知</a>'
    "<span>2024-03-18</span></li>"
    '<li><a href="/zwgk/info/3991.html">区政府采购中心公告</a><span>2024-03-17</span></li>'
    "</ul></div>"
)


def build_portal(
    name: str,
    home_nav: str,
    columns: tuple[Column, ...],
    extra: dict[str, str],
    dated: dict[str, str],
) -> Portal:
    """A portal from its home navigation; ``extra`` pages say their name, ``dated`` pages hold
    a dated list that is no news column."""
    portal = Portal(name, columns)
    portal.pages["/"] = page("首页", home_nav + _LATEST)
    for column in columns:
        portal.pages[column.path] = page(
            column.name, f"<h2>{column.name}</h2>" + _rows(portal, column)
        )
        for i, path in enumerate(portal.article_paths(column)):
            portal.pages[path] = _article(column, i)
    for path, title in extra.items():
        portal.pages[path] = page(title, f"<p>{title}</p>")
    for path, title in dated.items():
        portal.pages[path] = _noise_list(title)
    return portal


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
