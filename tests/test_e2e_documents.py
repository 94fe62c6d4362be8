"""A notices column whose rows link straight to files, crawled end to end (``govnews crawl``
subprocess, local server): each file is an article made from its list row, checked with HEAD
(GET where the server refuses HEAD), never downloaded as a page; a missing file is a reject."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipelines.db.session import make_engine
from tests.ops_site import crawl_cmd, crawl_env
from tests.storage_helpers import rows, utc

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.slow

FILES = {  # path -> (title, listed date)
    "/tzgg/2024/zb0501.pdf": ("某区道路改造工程招标公告", "2024-05-01"),
    "/tzgg/2024/md0502.xlsx": ("2024年第一批就业补贴人员名单公示", "2024-05-02"),
    "/tzgg/2024/gone0503.pdf": ("已撤下的采购公告", "2024-05-03"),  # 404
}
PAGE = "/tzgg/2024/t20240504_9.html"
TITLE = "区里召开重点项目推进会议部署工作"


class _Site(BaseHTTPRequestHandler):
    log: list[tuple[str, str]]

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, body: bool) -> None:
        self.log.append((self.command, self.path))
        if self.path == "/tzgg/index.html":
            rows_html = "".join(
                f"<li><a href='{p}'>{t}</a><span>{d}</span></li>" for p, (t, d) in FILES.items()
            )
            rows_html += f"<li><a href='{PAGE}'>{TITLE}</a><span>2024-05-04</span></li>"
            page = f"<html><body><ul>{rows_html}</ul></body></html>"
            self._send(200, "text/html; charset=utf-8", page.encode(), body)
        elif self.path == PAGE:
            html = (
                f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head>"
                f"<body><h1>{TITLE}</h1><div>发布日期：2024-05-04</div><div class='content'>"
                "<p>5月4日，区里召开重点项目推进会议，听取项目进展汇报，研究部署下一步工作。</p>"
                "<p>会议要求，各部门要压实责任，加快推进，确保项目按期建成投用。</p></div>"
                "</body></html>"
            )
            self._send(200, "text/html; charset=utf-8", html.encode(), body)
        elif self.path.endswith(".xlsx") and self.command == "HEAD":
            self._send(405, "text/plain", b"", body)  # a server that refuses HEAD for files
        elif self.path in FILES and "gone" not in self.path:
            self._send(200, "application/octet-stream", b"%PDF-1.4 fake file body" * 100, body)
        else:
            self._send(404, "text/plain", b"not found", body)

    def _send(self, status: int, ctype: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_GET(self) -> None:
        self._answer(True)

    def do_HEAD(self) -> None:
        self._answer(False)


@pytest.fixture
def site() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    log: list[tuple[str, str]] = []
    handler = type("Handler", (_Site,), {"log": log})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", log
    server.shutdown()
    server.server_close()


def test_rows_linking_to_files_are_articles(
    site: tuple[str, list[tuple[str, str]]], sqlite_url: str, tmp_path: Path
) -> None:
    base, log = site
    cmd = crawl_cmd(sqlite_url, "--start-url", f"{base}/tzgg/index.html")
    proc = subprocess.run(cmd, env=crawl_env(tmp_path), capture_output=True, text=True, timeout=90)
    engine = make_engine(sqlite_url)
    try:
        got = {
            r[0].removeprefix(base): r[1:]
            for r in rows(
                engine,
                "SELECT url, title, published_at, body_kind, body_text, attachments FROM articles",
            )
        }
        rejects = [
            (r[0].removeprefix(base), r[1]) for r in rows(engine, "SELECT url, reason FROM rejects")
        ]
    finally:
        engine.dispose()
    assert rejects == [("/tzgg/2024/gone0503.pdf", "http_404")]
    assert set(got) == {"/tzgg/2024/zb0501.pdf", "/tzgg/2024/md0502.xlsx", PAGE}
    for path in ("/tzgg/2024/zb0501.pdf", "/tzgg/2024/md0502.xlsx"):
        title, published, kind, text, attachments = got[path]
        assert title == FILES[path][0]
        day = date.fromisoformat(FILES[path][1])
        assert utc(published) == datetime(*day.timetuple()[:3], tzinfo=SHANGHAI).astimezone(UTC)
        assert kind == "attachments" and text == ""
        assert f"{base}{path}" in str(attachments)
    assert got[PAGE][2] == "text"
    # a file is checked with HEAD, fetched with GET only where HEAD is refused
    assert ("GET", "/tzgg/2024/zb0501.pdf") not in log
    assert ("HEAD", "/tzgg/2024/zb0501.pdf") in log
    assert ("GET", "/tzgg/2024/md0502.xlsx") in log
    assert proc.returncode == 0, proc.stderr[-2000:]
