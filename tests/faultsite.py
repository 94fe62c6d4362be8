"""A fault-injection "district portal" on 127.0.0.x, served from a thread, for the fault tests.

Every path is a fault (or a good page) the crawler must survive; the server counts requests per
path so tests can assert retries, bounded traps and that refused URLs were never contacted.

Columns (start URLs): ``/news/`` (the faults, two list pages), ``/trap/?page=1`` (an endless
``?page=N+1`` pagination whose every page lists two fresh articles), ``/calnews/`` (three articles
beside an endless calendar widget: ``/cal/DAY`` pages link to the next day forever), ``/nolinks/``
(a list page without links); for issue 23: ``/enc/`` (GBK articles sent with a Latin-1 or
ASCII ``Content-Type``, item 3), ``/dates/`` (articles dated 2099, 1900, 1948: item 7),
``/reasons/`` (a gzip bomb, a gzip body cut in half, an https link to this plain-HTTP server:
each must get its own reason, item 7). ``SinkServer`` is a second server (another loopback
address or host name) that must never receive a request: it stands in for offsite hosts and
private addresses.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

PARA = (
    "区委常委会召开会议，传达学习上级有关会议精神，研究部署近期重点工作。会议强调，"
    "要坚持以人民为中心的发展思想，扎实推进各项民生实事，确保取得实效。"
)


def article_html(
    title: str,
    date: str = "2024-03-05 10:21",
    paras: int = 4,
    body_extra: str = "",
    charset: str = "utf-8",
) -> str:
    body = "".join(f"<p>{PARA}（{title}第{i + 1}段）</p>" for i in range(paras))
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}-示范区人民政府'
        '</title></head><body><div class="nav"><a href="/">首页</a> &gt; '
        '<a href="/news/">区内动态</a></div><div class="article">'
        f'<h1 class="title">{title}</h1><div class="info">发布时间：{date}　来源：区政府办公室'
        f'　浏览次数：123</div><div class="content" id="zoom">{body}{body_extra}</div></div>'
        '<div class="footer"><p>主办单位：示范区人民政府</p></div></body></html>'
    )


def list_html(links: list[tuple[str, str]], next_href: str | None = None, extra: str = "") -> str:
    rows = "".join(
        f'<li><a href="{href}" title="{t}">{t}</a><span class="date">2024-03-{i % 28 + 1:02d}'
        "</span></li>"
        for i, (href, t) in enumerate(links)
    )
    pager = f'<div class="page"><a href="{next_href}">下一页</a></div>' if next_href else ""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>区内动态-示范区人民政府</title>'
        '</head><body><div class="nav"><a href="/">首页</a><a href="/news/">区内动态</a>'
        '<a href="javascript:void(0)">无障碍</a><a href="mailto:web@example.gov.cn">联系我们</a>'
        f'</div><div class="main"><ul class="list">{rows}</ul>{pager}</div>{extra}'
        '<div class="footer"><p>主办单位：示范区人民政府</p></div></body></html>'
    )


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: announce this Content-Length but send ``body`` and close (a truncated response)
    claimed_length: int | None = None


def html(text: str, status: int = 200, charset: str = "utf-8", **headers: str) -> Reply:
    ctype = {"Content-Type": f"text/html; charset={charset}"}
    return Reply(status, text.encode(charset, "replace"), {**ctype, **headers})


def column_reply(
    path: str,
    index: str,
    pages: dict[str, str],
    links: list[tuple[str, str]],
    page: Callable[[str, str], Reply],
) -> Reply:
    """A column of the fault site: its list page at ``index`` (``links``), each known path's
    page from ``page(path, value)``, 404 for any other path under it."""
    if path == index:
        return html(list_html(links))
    if path not in pages:
        return html("<h1>not found</h1>", 404)
    return page(path, pages[path])


def slow(reply: Reply, seconds: float) -> Reply:
    reply.delay = seconds
    return reply


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status, b"", {"Location": location})


GOOD = ["good1", "good2", "good3"]


def _gbk(text: str) -> str:
    """``text``'s GBK bytes as the str that ``send_header`` (latin-1) writes back as them."""
    return text.encode("gbk").decode("latin-1")


class QuietServer(ThreadingHTTPServer):
    """A threaded server that does not print tracebacks when the crawler hangs up on purpose."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class FaultSite:
    """The fault site; ``sink`` is the base URL of a server that must never be contacted."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        sink: str = "",
        offsite: str = "",
        giant_bytes: int = 13_000_000,
    ) -> None:
        self.host = host
        self.sink = sink
        self.offsite = offsite
        self.giant_bytes = giant_bytes
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.server = QuietServer((host, 0), _handler(self))
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> FaultSite:
        _ = self.giant, self.huge, self.bomb
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def hit(self, path: str) -> int:
        with self._lock:
            self.counts[path] += 1
            return self.counts[path]

    def hits(self, prefix: str) -> int:
        with self._lock:
            return sum(n for p, n in self.counts.items() if p.startswith(prefix))

    # -- what each URL is for -----------------------------------------------------------------

    #: article links that must each end as one stored article (url as stored)
    good_articles: ClassVar[list[str]] = [
        *(f"/a/{g}.html" for g in GOOD),
        "/a/flaky.html",
        "/a/ratelimited.html",
        "/a/slow.html",
        "/a/chain-end.html",
        "/a/xss.html",
        "/a/controls.html",
        "/a/mixed.html",
        "/a/malformed.html",
        "/a/gbk-headers.html",
    ]
    #: article links that must each end as a reject, with the reason expected
    bad_articles: ClassVar[dict[str, str]] = {
        "/a/missing.html": "http_404",
        "/a/gone.html": "http_410",
        "/a/timeout.html": "timeout",
        "/a/loop1.html": "redirect_loop",
        "/a/truncated.html": "truncated_response",
        "/a/report.html": "not_html",
        "/a/giant.html": "too_large",
        "/a/to-metadata.html": "private_address",
        "/a/to-file.html": "bad_scheme",
        "/a/to-sink.html": "private_address",
        "/a/to-decimal.html": "private_address",
        "/a/to-ipv6-loopback.html": "private_address",
        "/a/always503.html": "http_503",
        "/a/offsite.html": "offsite_redirect",
    }
    #: content faults: each becomes an article or a reject, never a crash
    odd_articles: ClassVar[list[str]] = ["/a/empty.html", "/a/two.html", "/a/huge-paragraph.html"]

    #: column /enc/: GBK pages whose header charset cannot be right -> the title they carry
    encoding_articles: ClassVar[dict[str, str]] = {
        "/enc/latin1-nometa.html": "拉丁头无元标签的国标码文章",
        "/enc/latin1-gbkmeta.html": "拉丁头带国标元标签的文章",
        "/enc/ascii-gb2312meta.html": "美国码头带国标元标签的文章",
        "/enc/latin1-latin1meta.html": "头和元标签都说拉丁的国标码文章",
    }

    def encoding_reply(self, path: str) -> Reply:
        """A GBK article under a Latin-1/ASCII header; the path says what its meta claims."""
        return column_reply(
            path, "/enc/", self.encoding_articles, list(self.encoding_articles.items()), self._gbk
        )

    def _gbk(self, path: str, title: str) -> Reply:
        meta = {"nometa": None, "gbkmeta": "gbk", "gb2312meta": "gb2312", "latin1meta": "latin1"}
        charset = next((v for k, v in meta.items() if k in path), None)
        page = article_html(title, charset=charset or "gbk")
        if charset is None:
            page = page.replace('<meta charset="gbk">', "")
        header = "us-ascii" if "ascii" in path else "ISO-8859-1"
        return Reply(200, page.encode("gbk"), {"Content-Type": f"text/html; charset={header}"})

    #: column /dates/: publication dates that cannot be right (or can) -> the date the page shows
    dated_articles: ClassVar[dict[str, str]] = {
        "/dates/future.html": "2099-01-01 09:00",
        "/dates/qing.html": "1900-01-01 10:00",
        "/dates/before-prc.html": "1948-12-31 08:30",
        "/dates/normal.html": "2024-03-05 10:21",
    }

    def dated_reply(self, path: str) -> Reply:
        def title(date: str) -> str:
            return f"日期为{date[:4]}年的工作动态报道"

        links = [(p, title(d)) for p, d in self.dated_articles.items()]
        return column_reply(
            path,
            "/dates/",
            self.dated_articles,
            links,
            lambda _, date: html(article_html(title(date), date=date)),
        )

    #: column /reasons/: path (or an https URL to this plain-HTTP server) -> the reject reason
    reason_articles: ClassVar[dict[str, str]] = {
        "/reasons/bomb.html": "decompression_bomb",
        "/reasons/half-gzip.html": "truncated_gzip",
        "https:/a/good1.html": "tls_error",
    }

    def reasons_url(self, key: str) -> str:
        """The URL a /reasons/ key stands for (``https:PATH``: TLS to this HTTP server)."""
        if key.startswith("https:"):
            return f"https://{self.host}:{self.port}{key.removeprefix('https:')}"
        return self.url(key)

    @cached_property
    def bomb(self) -> bytes:
        """50 MB of zeros in ~50 kB of gzip: past DOWNLOAD_MAXSIZE once inflated."""
        return gzip.compress(b"\0" * 50_000_000, compresslevel=9)

    def reasons_reply(self, path: str) -> Reply:
        if path == "/reasons/":
            links = [
                (self.reasons_url(k), f"原因测试{i}号工作动态报道")
                for i, k in enumerate(self.reason_articles)
            ]
            return html(list_html(links))
        ctype = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
        if path == "/reasons/bomb.html":
            return Reply(200, self.bomb, ctype)
        if path == "/reasons/half-gzip.html":
            whole = gzip.compress(article_html("压缩正文被截断一半").encode())
            return Reply(200, whole[: len(whole) // 2], ctype)
        return html("<h1>not found</h1>", 404)

    @property
    def sink_port(self) -> int:
        return urlsplit(self.sink).port or 80

    @cached_property
    def giant(self) -> bytes:
        """A page over the size cap (built once: building it per request starves the server)."""
        return article_html("巨大", paras=self.giant_bytes // 200).encode()

    @cached_property
    def huge(self) -> bytes:
        """10 MB of one paragraph, under the size cap."""
        return article_html("超长段落", body_extra=f"<p>{'很长的一段话。' * 500_000}</p>").encode()

    def news_links(self) -> list[tuple[str, str]]:
        titles = {
            "/a/chain1.html": "重定向链三跳后的文章",
            "/a/flaky.html": "服务器先报错后恢复的文章",
            "/a/ratelimited.html": "限流后重试成功的文章",
        }
        paths = [p for p in self.good_articles if p != "/a/chain-end.html"]
        paths += ["/a/chain1.html", *self.bad_articles, *self.odd_articles]
        return [(p, titles.get(p, f"关于{p.rsplit('/', 1)[-1]}的工作动态报道")) for p in paths]

    def route(self, path: str, query: dict[str, list[str]], n: int) -> Reply:
        routes: dict[str, Callable[[], Reply]] = {
            "/robots.txt": lambda: Reply(200, b"User-agent: *\nDisallow: /private/\n"),
            "/news/": lambda: html(
                list_html(
                    self.news_links()[:14],
                    "/news/index_1.html",
                    f'<a href="{self.offsite}/x.html">兄弟单位网站的长标题新闻</a>',
                )
            ),
            "/news/index_1.html": lambda: html(list_html(self.news_links()[14:])),
            "/calnews/": lambda: html(
                list_html(
                    [(f"/a/cal{i}.html", f"日历栏目下的第{i}篇工作动态") for i in (1, 2, 3)],
                    extra=CALENDAR,
                )
            ),
            "/nolinks/": lambda: html("<html><body><p>暂无信息</p></body></html>"),
            "/a/flaky.html": lambda: html("busy", 503) if n <= 2 else html(article_html("恢复")),
            "/a/always503.html": lambda: html("busy", 503, **{"Retry-After": "0"}),
            "/a/ratelimited.html": lambda: (
                html("slow down", 429, **{"Retry-After": "1"})
                if n == 1
                else html(article_html("限流后成功"))
            ),
            "/a/slow.html": lambda: slow(html(article_html("慢")), 0.3),
            "/a/timeout.html": lambda: slow(html(article_html("超时")), 5),
            "/a/chain1.html": lambda: redirect("/a/chain2.html", 301),
            "/a/chain2.html": lambda: redirect(self.url("/a/chain3.html"), 302),
            "/a/chain3.html": lambda: redirect("/a/chain-end.html", 307),
            "/a/chain-end.html": lambda: html(article_html("重定向链终点")),
            "/a/loop1.html": lambda: redirect("/a/loop2.html"),
            "/a/loop2.html": lambda: redirect("/a/loop1.html"),
            "/a/missing.html": lambda: html("<h1>404</h1>", 404),
            "/a/gone.html": lambda: html("<h1>410</h1>", 410),
            "/a/truncated.html": lambda: Reply(
                200,
                article_html("截断")[:300].encode(),
                {"Content-Type": "text/html; charset=utf-8"},
                claimed_length=50_000,
            ),
            "/a/report.html": lambda: Reply(
                200,
                b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 2000,
                {"Content-Type": "application/pdf"},
            ),
            "/a/giant.html": lambda: Reply(200, self.giant, {"Content-Type": "text/html"}),
            "/a/to-metadata.html": lambda: redirect("http://169.254.169.254/latest/meta-data/"),
            "/a/to-file.html": lambda: redirect("file:///etc/passwd"),
            "/a/to-sink.html": lambda: redirect(f"{self.sink}/stolen"),
            # 2130706434 is 127.0.0.2 written as one number; [::1] is IPv6 loopback
            "/a/to-decimal.html": lambda: redirect(f"http://2130706434:{self.sink_port}/x"),
            "/a/to-ipv6-loopback.html": lambda: redirect(f"http://[::1]:{self.port}/a/good1.html"),
            "/a/offsite.html": lambda: redirect(f"{self.offsite}/moved.html"),
            "/a/xss.html": lambda: html(article_html("安全测试", body_extra=XSS)),
            "/a/controls.html": lambda: html(
                article_html("控制\x00字符\x07标题\x1b", body_extra="<p>含\x0b控制\x0c字符\x01</p>")
            ),
            "/a/mixed.html": lambda: Reply(
                200,
                article_html("混合编码").encode("utf-8")
                + "<p>这一段是GBK编码的文字内容</p>".encode("gbk"),
                {"Content-Type": "text/html; charset=utf-8"},
            ),
            "/a/malformed.html": lambda: html(
                article_html("残缺标记", body_extra="<p><b><i>未闭合<div></html><p>之后的内容")
                .replace("</body></html>", "")
                .replace("</div></div>", "<div>")
            ),
            # header values in GBK bytes (send_header writes latin-1, so byte for byte)
            "/a/gbk-headers.html": lambda: html(
                article_html("响应头含GBK字节"),
                **{
                    "Content-Disposition": "inline; filename=" + _gbk("新闻稿.html"),
                    "X-Powered-By": _gbk("政务网站群"),
                },
            ),
            "/a/empty.html": lambda: Reply(200, b"", {"Content-Type": "text/html"}),
            "/a/two.html": lambda: html(
                article_html("第一篇文章").replace(
                    "</body>", article_html("第二篇文章").split("<body>", 1)[1]
                )
            ),
            "/a/huge-paragraph.html": lambda: Reply(200, self.huge, {"Content-Type": "text/html"}),
        }
        if path.startswith("/enc/"):
            return self.encoding_reply(path)
        if path.startswith("/dates/"):
            return self.dated_reply(path)
        if path.startswith("/reasons/"):
            return self.reasons_reply(path)
        if path == "/trap/":
            page = int((query.get("page") or ["1"])[0])
            links = [
                (f"/trap/a{page}_{i}.html", f"陷阱栏目第{page}页的第{i}篇工作动态") for i in (1, 2)
            ]
            return html(list_html(links, f"/trap/?page={page + 1}"))
        if path.startswith(("/trap/a", "/a/cal", "/a/good")):
            return html(article_html(f"陷阱文章{path.rsplit('/', 1)[-1]}"))
        if path.startswith("/cal/"):
            return html(list_html([], f"/cal/{path.rsplit('/', 1)[-1]}x"))
        return routes.get(path, lambda: html("<h1>not found</h1>", 404))()


CALENDAR = (
    '<table class="calendar"><tr>'
    + "".join(f'<td><a href="/cal/2024-03-{d:02d}">{d}</a></td>' for d in range(1, 29))
    + "</tr></table>"
)

XSS = (
    '<p onclick="alert(1)" onmouseover="steal()">点击<a href="javascript:alert(2)">这里</a>'
    '<a href="JaVaScRiPt:alert(3)">那里</a></p><script>alert("x")</script>'
    '<style>body{display:none}</style><iframe src="http://evil.example/"></iframe>'
    '<img src="x.png" onerror="alert(4)"><object data="x.swf"></object>'
    '<form action="http://evil.example/"><input name="q"></form>'
    '<base href="http://evil.example/"><embed src="x.swf"><svg onload="alert(5)"></svg>'
)


def _handler(site: FaultSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            key = parts.path + (f"?{parts.query}" if parts.query else "")
            n = site.hit(key)
            reply = site.route(parts.path, parse_qs(parts.query), n)
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                length = reply.claimed_length or len(reply.body)
                self.send_header("Content-Length", str(length))
                if reply.claimed_length:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply.body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            if reply.claimed_length:
                self.close_connection = True

    return Handler


class SinkServer:
    """A server that must never be contacted; it counts whatever reaches it."""

    def __init__(self, host: str = "127.0.0.2") -> None:
        self.requests: list[str] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                sink.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(article_html("不应抓取").encode())

        self.server = QuietServer((host, 0), Handler)
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SinkServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":  # serve by hand: python -m tests.faultsite
    with SinkServer() as sink, FaultSite(sink=sink.base) as fs:
        print(fs.url("/news/"), fs.url("/trap/?page=1"), fs.url("/nolinks/"), flush=True)
        threading.Event().wait()
