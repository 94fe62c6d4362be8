"""A small local "district portal" served on 127.0.0.1 for the demo command and the tests.

:class:`DemoSite` runs a ``ThreadingHTTPServer`` in a background thread so that a crawler can
run in the same process. Columns have paginated list pages (index_N.html or list_N.html with
下一页 links); one column is served in GBK; articles show their view count either as a static
number or through a CMS counter endpoint that behaves like the real one (see ``counters.py``):
per-article hit counts live in memory and go up where the real CMS adds a hit, and every counter
request is logged in :attr:`DemoSite.hits` so tests can check what a crawler did to the counters.
"""

from __future__ import annotations

import mimetypes
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from demoportal import templates
from demoportal.counters import CounterBoard, Hit
from demoportal.data import ARTICLES, COLUMNS, SEED_FILE, column_articles

SITE_DIR = Path(__file__).parent / "site"
#: ``govnews demo`` and ``python -m demoportal`` alike: stored article URLs include the port,
#: so the foreground server answers for URLs a demo crawl stored (e.g. for govnews revisit)
DEFAULT_PORT = 8760
SEED_BODY = ("3月1日,高新区召开2021年工作会议", "逐梦启新程,扬帆再出发!")


@dataclass(frozen=True)
class ExpectedArticle:
    """What a reader of the demo site sees on one article before any crawler touched it."""

    url: str
    title: str
    published: str  # "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (Asia/Shanghai)
    views: int
    counter: str  # "static" or the counter family: phpcms, dedecms, empirecms, vsb …
    column: str
    encoding: str
    key: int
    #: absolute URLs of the files the article links (pdf, xlsx)
    attachments: tuple[str, ...] = ()
    source: str | None = None
    #: snippets the body text must contain: the start of the first and the end of the last paragraph
    body_contains: tuple[str, ...] = ()


class DemoSite:
    """The demo portal; use as a context manager or call :meth:`start` / :meth:`stop`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.board = CounterBoard({a.key: a.views for a in ARTICLES if a.counter != "static"})
        self._pages: dict[str, tuple[bytes, str]] = {}
        self._requests: list[str] = []
        self._requests_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> str:
        """Bind, render the pages for this host:port, serve in a daemon thread; the base URL."""
        if self._server is not None:
            return self.base_url
        server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._render(f"{self.host}:{self.port}")
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits at most this long
            name="govnews-demo-site",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def serve_forever(self) -> None:
        """Foreground serving (``python -m demoportal``)."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> DemoSite:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what tests look at -------------------------------------------------------------------

    @property
    def start_urls(self) -> list[str]:
        """The first list page of every column."""
        return [f"{self.base_url}{c.path}index.html" for c in COLUMNS]

    @property
    def expected_articles(self) -> list[ExpectedArticle]:
        enc = {c.slug: c.encoding for c in COLUMNS}
        return [
            ExpectedArticle(
                url=f"{self.base_url}{a.path}",
                title=a.title,
                published=a.published,
                views=a.views,
                counter=a.counter,
                column=next(c.name for c in COLUMNS if c.slug == a.column),
                encoding=enc[a.column],
                key=a.key,
                attachments=tuple(f"{self.base_url}{path}" for path, _ in a.attachments),
                source=a.source or None,
                body_contains=_snippets(a.paragraphs) or SEED_BODY,
            )
            for a in ARTICLES
        ]

    @property
    def hits(self) -> list[Hit]:
        """Every counter request so far, in order (thread-safe copy)."""
        return self.board.log()

    @property
    def requests(self) -> list[str]:
        """Every request target served so far (path and query), in order."""
        with self._requests_lock:
            return list(self._requests)

    def current_views(self, key: int) -> int | None:
        """The count the counter holds now (None for static articles)."""
        return self.board.value(key)

    # -- rendering and dispatch ---------------------------------------------------------------

    def _render(self, netloc: str) -> None:
        pages: dict[str, tuple[bytes, str]] = {}
        by_slug = {c.slug: c for c in COLUMNS}
        for column in COLUMNS:
            items = column_articles(column.slug)
            if column.style == "jpage":  # one page: the first group; the proxy serves the rest
                first = items[: templates.JPAGE_PER_PAGE * templates.JPAGE_GROUP]
                html = templates.list_page(column, first, 0, len(items))
                pages[column.path] = pages[f"{column.path}index.html"] = _encode(html, "utf-8")
                continue
            n = max(1, -(-len(items) // column.per_page))
            for page in range(n):
                chunk = items[page * column.per_page : (page + 1) * column.per_page]
                html = templates.list_page(column, chunk, page, n)
                pages[templates.list_page_url(column, page)] = _encode(html, column.encoding)
            pages[column.path] = pages[templates.list_page_url(column, 0)]
        for article in ARTICLES:
            if article.path.endswith(SEED_FILE):
                continue
            column = by_slug[article.column]
            html = templates.article_page(article, column, netloc)
            pages[article.path] = _encode(html, column.encoding)
            for path, _name in article.attachments:
                pages[path] = (_attachment_bytes(path), _attachment_type(path))
        for column in COLUMNS:
            channel = "/" + column.path.strip("/").split("/")[0] + "/"
            if channel not in pages:
                members = [c for c in COLUMNS if c.path.startswith(channel)]
                html = templates.channel_page(column.parent, members)
                pages[channel] = pages[channel + "index.html"] = _encode(html, "utf-8")
        pages["/"] = _encode(templates.home_page(), "utf-8")
        pages["/index.html"] = pages["/"]
        self._pages = pages

    def respond(self, method: str, target: str, form: bytes = b"") -> tuple[int, bytes, str]:
        """(status, body, content type) for a request target; used by the handler."""
        with self._requests_lock:
            self._requests.append(target)
        parts = urlsplit(target)
        path = parts.path or "/"
        counted = self.board.handle(path, parts.query, form.decode("utf-8", "replace"))
        if counted is not None:
            return 200, counted.encode("utf-8"), "application/javascript; charset=utf-8"
        if path == templates.PROXY_PATH:
            return _proxy(parts.query)
        if path in self._pages:
            body, ctype = self._pages[path]
            return 200, body, ctype
        static = _static_file(path)
        if static is not None:
            return 200, static[0], static[1]
        return 404, templates.not_found_page().encode("utf-8"), "text/html; charset=utf-8"


def _proxy(query: str) -> tuple[int, bytes, str]:
    """The Hanweb data proxy: the records ``startrecord``..``endrecord`` of a column."""
    args = {k.lower(): v for k, v in parse_qsl(query)}
    slug, start, end = (
        args.get("columnid", ""),
        args.get("startrecord", ""),
        args.get("endrecord", ""),
    )
    if not (start.isdigit() and end.isdigit()) or slug not in {c.slug for c in COLUMNS}:
        return 404, templates.not_found_page().encode("utf-8"), "text/html; charset=utf-8"
    items = column_articles(slug)[int(start) - 1 : int(end)]
    return 200, templates.proxy_answer(items).encode("utf-8"), "text/xml; charset=utf-8"


def _snippets(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    if not paragraphs:
        return ()
    return (paragraphs[0][:16], paragraphs[-1][-16:])


def _encode(html: str, encoding: str) -> tuple[bytes, str]:
    if encoding == "gbk":
        return html.encode("gbk", errors="xmlcharrefreplace"), "text/html; charset=gbk"
    return html.encode("utf-8"), "text/html; charset=utf-8"


def _attachment_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def _attachment_bytes(path: str) -> bytes:
    """A tiny stand-in file (a crawler records attachment links; it need not open them)."""
    if path.endswith(".pdf"):
        return b"%PDF-1.4\n% govnews demo attachment\n%%EOF\n"
    return b"PK\x05\x06" + b"\x00" * 18  # an empty zip container, as xlsx/docx are zips


def _static_file(path: str) -> tuple[bytes, str] | None:
    """Files shipped under ``site/`` (the seed page, robots.txt, css); never outside it."""
    rel = path.lstrip("/")
    if not rel or ".." in rel.split("/"):
        return None
    file = (SITE_DIR / rel).resolve()
    if not file.is_file() or SITE_DIR.resolve() not in file.parents:
        return None
    ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if ctype.startswith("text/"):
        ctype += "; charset=utf-8"
    return file.read_bytes(), ctype


def _handler_for(site: DemoSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "Apache"
        sys_version = ""

        def _reply(self, head_only: bool, form: bytes = b"") -> None:
            status, body, ctype = site.respond(self.command, self.path, form)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head_only:
                self.wfile.write(body)

        def do_GET(self) -> None:
            self._reply(head_only=False)

        def do_POST(self) -> None:  # counters such as Epoint's are POSTed
            length = int(self.headers.get("Content-Length") or 0)
            self._reply(head_only=False, form=self.rfile.read(min(length, 65536)))

        def do_HEAD(self) -> None:
            self._reply(head_only=True)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the crawler's log is the interesting one

    return Handler
