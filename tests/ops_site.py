"""A tiny district news site for the operations tests, with a server-side request log.

One column, ``/news/index.html`` then ``index_2.html`` …, ten dated links per page, newest first;
articles ``/news/art_<n>.html`` with a title, a labelled date and view count, and a body. The
site can grow (``add``), lose its article list (``empty``), its dates (``undated``) or its
headline (``no_headline``: the title is then only in ``<title>``); ``scanned`` articles are
notices whose content is two scanned pages (images, no text). List
pages carry an ETag and answer ``If-None-Match`` with 304 (conditional GET). ``delay`` slows
every response (the resume test kills a crawl halfway); articles numbered in ``held`` get no
answer until ``release`` is set (a worker killed with them in flight). Articles numbered in
``failing`` answer 503 until taken out of it; ``views`` overrides an article's view count text
(``10**30``); ``extra_links`` (relative hrefs) are listed at the top of page 1. An article is
also served under URL variants (``.htm``, ``;jsessionid=``, ``//`` in the path, any query) and,
with ``canonical``, names ``art_<n>.html`` in a ``<link rel=canonical>``; ``raw`` counts requests
with their query. Articles numbered in ``edited`` carry a corrected second paragraph (an edit
after publication), those in ``removed`` answer 404 and those in ``gone`` a short "该信息已删除"
page (both stay listed, as a stale list page would).

Run in a thread (:class:`OpsSite`) or as a process: ``python tests/ops_site.py N DELAY`` prints
``PORT <port>`` and serves until killed; ``GET /__log`` returns the request counts as JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

PER_PAGE = 10
ARTICLE_PATH = re.compile(r"/+news/+art_(\d+)\.html?(?:;jsessionid=[^/]*)?")
#: a later page of a split article: /news/art_N_K.html is page K
PART_PATH = re.compile(r"/news/art_(\d+)_(\d+)\.html")
#: the framed text of an article: /news/content_N.html
FRAME_PATH = re.compile(r"/news/content_(\d+)\.html")
FIRST_DAY = date(2024, 1, 1)
#: what many CMSes answer (200) for an article taken down
GONE_PAGE = (
    "<html><head><meta charset='utf-8'><title>提示信息</title></head><body>"
    "<div class='nav'><a href='/'>首页</a></div>"
    "<div class='msg'>对不起，该信息已删除！</div><a href='/'>返回首页</a></body></html>"
).encode()


def script_redirect_page(target: str) -> bytes:
    """A 链接型 document as CMSs publish one: a title, a line, a script that moves on."""
    return (
        "<html><head><meta charset='utf-8'><title>正在跳转</title>"
        f"<script type='text/javascript'>window.location.href = \"{target}\";</script>"
        "</head><body><p>页面跳转中，请稍候……</p></body></html>"
    ).encode()


class OpsSite:
    def __init__(self, articles: int = 30, delay: float = 0.0) -> None:
        self.count = articles
        self.delay = delay
        self.empty = False
        self.undated = False
        #: article pages without a date while their list rows show one
        self.undated_pages = False
        self.no_headline = False
        self.scanned = False
        self.failing: set[int] = set()
        self.held: set[int] = set()
        self.release = threading.Event()
        self.edited: set[int] = set()
        self.removed: set[int] = set()
        self.gone: set[int] = set()
        self.views: dict[int, str] = {}
        self.extra_links: list[str] = []
        #: list-page links that are 链接型 documents: path -> where their script sends the reader
        self.script_redirects: dict[str, str] = {}
        #: articles served but not listed (reachable only through a redirect)
        self.unlisted: set[int] = set()
        #: articles split over pages, DedeCMS-style: n -> page count (art_n.html, art_n_2.html …)
        self.split: dict[int, int] = {}
        #: later pages answering with this status instead: (n, page) -> 404, 503 …
        self.part_status: dict[tuple[int, int], int] = {}
        #: articles whose text is in a frame (/news/content_N.html), as older portals show it
        self.framed: set[int] = set()
        self.canonical = False
        self.raw: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.base_url = ""

    # -- content ------------------------------------------------------------------------------

    def add(self, n: int) -> None:
        self.count += n

    def day(self, n: int) -> date:
        return FIRST_DAY + timedelta(days=n)

    @property
    def start_url(self) -> str:
        return f"{self.base_url}/news/index.html"

    def article_urls(self) -> list[str]:
        return [f"{self.base_url}/news/art_{n}.html" for n in range(1, self.count + 1)]

    def list_page(self, page: int) -> bytes | None:
        newest = list(range(self.count, 0, -1))
        pages = max(1, -(-len(newest) // PER_PAGE))
        if page > pages:
            return None
        rows = []
        if page == 1:
            rows += [
                f"<li><a href='{href}'>区政府召开专题会议研究部署重点工作</a></li>"
                for href in self.extra_links
            ]
        if not self.empty:
            for n in newest[(page - 1) * PER_PAGE : page * PER_PAGE]:
                if n in self.unlisted:
                    continue
                when = "" if self.undated else f"<span class='date'>{self.day(n)}</span>"
                rows.append(
                    f"<li><a href='art_{n}.html' target='_blank'>区政府召开第{n}次重点工作推进会议"
                    f"部署近期任务</a>{when}</li>"
                )
        nxt = f"<a href='index_{page + 1}.html'>下一页</a>" if page < pages else ""
        prev = (
            ""
            if page == 1
            else f"<a href='{'index' if page == 2 else f'index_{page - 1}'}.html'>上一页</a>"
        )
        return (
            "<html><head><meta charset='utf-8'><title>区内动态 - 示范区人民政府</title></head>"
            "<body>"
            "<div class='nav'><a href='/'>首页</a> <a href='/news/index.html'>区内动态</a>"
            " <a href='/about.html'>机构概况</a></div>"
            f"<div class='list'><h2>区内动态</h2><ul>{''.join(rows)}</ul>"
            f"<div class='pages'>{prev} 第{page}页 共{pages}页 {nxt}</div></div>"
            "<div class='footer'>主办：示范区人民政府办公室</div></body></html>"
        ).encode()

    def article(self, n: int, page: int = 1) -> bytes | None:
        if not 1 <= n <= self.count or n in self.removed:
            return None
        if n in self.gone:
            return GONE_PAGE
        when = "" if self.undated or self.undated_pages else f"发布时间：{self.day(n)} 09:30 "
        views = self.views.get(n, str(100 + n))
        canonical = ""
        if self.canonical:
            canonical = f"<link rel='canonical' href='/news/art_{n}.html'>"
        headline = (
            "" if self.no_headline else f"<h1>区政府召开第{n}次重点工作推进会议部署近期任务</h1>"
        )
        scans = "".join(
            f"<p><img src='/upload/scan_{n}_{k}.jpg' width='800' alt=''></p>" for k in (1, 2)
        )
        body = (
            scans
            if self.scanned
            else "".join(
                f"<p>第{n}次会议第{k}段：会议听取了各部门关于重点项目建设、民生实事推进和安全生产"
                f"工作的情况汇报，研究部署了下一阶段的重点任务，要求各单位压实责任、狠抓落实。</p>"
                if k != 2 or n not in self.edited
                else f"<p>第{n}次会议第2段（更正）：会议审议通过了年度重点项目清单。</p>"
                for k in range(1, 5)
            )
        )
        if n in self.framed and page == 1:
            body = f"<iframe src='content_{n}.html' width='100%' height='800'></iframe>"
        if n in self.split:
            body = (
                f"<p>第{n}篇第{page}页："
                + "会议要求各单位压实责任、狠抓落实，确保各项任务按期完成。" * 2
                + "</p>"
            )
        return (
            f"<html><head><meta charset='utf-8'>{canonical}"
            f"<title>区政府召开第{n}次重点工作推进会议部署近期任务</title></head><body>"
            "<div class='crumb'>首页 &gt; 区内动态</div>"
            f"{headline}"
            f"<div class='info'>{when}来源：区政府办公室 浏览次数：{views}</div>"
            f"<div class='content'>{body}</div>{self._part_pager(n, page)}"
            "<div class='footer'>主办：示范区人民政府办公室</div></body></html>"
        ).encode()

    def _part_pager(self, n: int, page: int) -> str:
        """A DedeCMS article pager: 共N页 and numbered links, 下一页 but on the last page."""
        pages = self.split.get(n, 0)
        if not pages:
            return ""
        links = "".join(
            f"<li><a href='art_{n}{'' if k == 1 else f'_{k}'}.html'>{k}</a></li>"
            for k in range(1, pages + 1)
        )
        nxt = f"<li><a href='art_{n}_{page + 1}.html'>下一页</a></li>" if page < pages else ""
        items = f"<li>共{pages}页:</li>{links}{nxt}"
        return f"<div class='dede_pages'><ul class='pagelist'>{items}</ul></div>"

    def record(self, path: str) -> None:
        """Count a request when it arrives (before the delay): a killed client's ones count."""
        with self.lock:
            self.requests[path] += 1

    def respond(self, path: str, headers: Any) -> tuple[int, bytes, dict[str, str]]:
        if path == "/__log":
            data = {"requests": dict(self.requests), "not_modified": dict(self.not_modified)}
            return 200, json.dumps(data).encode(), {"Content-Type": "application/json"}
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path.startswith("/news/index"):
            stem = path.rsplit("/", 1)[-1].removesuffix(".html")
            page = 1 if stem == "index" else int(stem.partition("_")[2] or 0)
            body = self.list_page(page)
            if body is None:
                return 404, b"not found", html
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if headers.get("If-None-Match") == etag:
                with self.lock:
                    self.not_modified[path] += 1
                return 304, b"", {"ETag": etag}
            return 200, body, {**html, "ETag": etag}
        if frame := FRAME_PATH.fullmatch(path):
            n = int(frame.group(1))
            if n not in self.framed:
                return 404, b"not found", html
            paragraphs = "".join(
                f"<p>第{n}篇框架正文第{k}段：会议听取了重点项目建设情况汇报，研究部署下一阶段工作。</p>"
                for k in (1, 2)
            )
            page = f"<html><body><div id='zoom'>{paragraphs}</div></body></html>"
            return 200, page.encode(), html
        if part := PART_PATH.fullmatch(path):
            n, k = int(part.group(1)), int(part.group(2))
            if (status := self.part_status.get((n, k))) is not None:
                return status, b"unavailable", html
            body = self.article(n, k) if 2 <= k <= self.split.get(n, 0) else None
            return (200, body, html) if body else (404, b"not found", html)
        if path in self.script_redirects:
            return 200, script_redirect_page(self.script_redirects[path]), html
        if variant := ARTICLE_PATH.fullmatch(path):
            n = int(variant.group(1))
            if n in self.failing:
                return 503, b"busy", html
            body = self.article(n)
            return (200, body, html) if body else (404, b"not found", html)
        return 404, b"not found", html

    # -- serving ------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                site.record(path)
                with site.lock:
                    site.raw[self.path] += 1
                held = ARTICLE_PATH.fullmatch(path)
                if held and int(held.group(1)) in site.held:
                    site.release.wait(60)
                if site.delay:
                    time.sleep(site.delay)
                status, body, headers = site.respond(path, self.headers)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def article_fetches(self) -> int:
        return sum(v for k, v in self.requests.items() if k.startswith("/news/art_"))


if __name__ == "__main__":
    with OpsSite(int(sys.argv[1]), float(sys.argv[2])) as running:
        print("PORT", running.base_url.rsplit(":", 1)[1], flush=True)
        while True:
            time.sleep(3600)


# -- helpers shared by the tests/test_ops_*.py files -------------------------------------------

FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false")


def crawl_env(tmp: Any, **extra: str) -> dict[str, str]:
    """The environment of a crawl subprocess: own HTTP cache, no Redis unless asked."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVNEWS_")}
    env["GOVNEWS_HTTPCACHE_DIR"] = str(tmp / "httpcache")
    env.update(extra)
    return env


def crawl_cmd(db_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "crawl", "--db", db_url, "--quiet", *FAST, *args]


def crawl_site(db_url: str, site: OpsSite, tmp: Any, timeout: float = 90) -> None:
    """One ``govnews crawl --start-url`` of ``site`` into ``db_url``, which must exit 0."""
    import subprocess

    cmd = crawl_cmd(db_url, "--start-url", site.start_url)
    proc = subprocess.run(cmd, env=crawl_env(tmp), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]


def upgrade_db(db_url: str) -> None:
    """The schema, once, before several workers start (they must not race to create it)."""
    import subprocess

    up = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "db", "upgrade", "--db", db_url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert up.returncode == 0, up.stderr
