"""``govnews probe``: drafts a site profile that loads back through the validator."""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from crawler.commands.probe import probe
from crawler.extract.listing import extract_listing
from crawler.extract.urlrules import article_regexes
from crawler.sites.profile import SiteProfile, parse_profile

LISTS = Path(__file__).parent / "fixtures" / "lists"
TRS_URL = "http://www.shili.gov.cn/xwzx/gzdt/index_1.html"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(probe, list(args))
    return result.exit_code, result.stdout, result.stderr


def _profile(toml: str) -> SiteProfile:
    return parse_profile(tomllib.loads(toml), "<probe output>")


def test_probe_trs_file() -> None:
    code, out, _ = _run(str(LISTS / "trs_createpage.html"), "--url", TRS_URL)
    assert code == 0
    profile = _profile(out)
    assert profile.name == "shili"
    assert profile.allowed_domains == ("shili.gov.cn",)
    assert profile.start_urls == (TRS_URL,)
    assert profile.article_patterns == (r"/\d{6}/t\d{8}_\d+\.html$",)
    assert "createPageHTML" in profile.caveats
    assert "TRS WCM" in out
    links = extract_listing((LISTS / "trs_createpage.html").read_bytes(), TRS_URL).article_links
    assert all(re.search(profile.article_patterns[0], u) for u in links)
    # the drafted profile gives the same article links as the generic rule
    assert (
        extract_listing(
            (LISTS / "trs_createpage.html").read_bytes(), TRS_URL, profile=profile
        ).article_links
        == links
    )


def test_probe_hanweb_gbk_and_query_pages() -> None:
    url = "http://www.shixian.gov.cn/col/col102/index_2.html"
    code, out, _ = _run(str(LISTS / "xiayiye_stray_html.html"), "--url", url, "--name", "shixian")
    assert code == 0
    profile = _profile(out)
    assert profile.article_patterns == (r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",)
    assert profile.next_page_xpath == "//a[normalize-space()='下一页']"
    assert "Hanweb" in out

    code, out, _ = _run(str(LISTS / "gbk_xiaye.html"), "--url", "http://www.shiliqu.gov.cn/zjdt/")
    assert code == 0
    assert _profile(out).article_patterns == (r"/\d{6}/t\d{8}_\d+\.html$",)

    code, out, _ = _run(
        str(LISTS / "page_query.html"),
        "--url",
        "https://kfq.example.gov.cn/notice/list?cat=3&page=2",
    )
    assert code == 0
    profile = _profile(out)
    assert profile.article_patterns == (r"/news/detail\?id=\d+$",)
    assert "query parameter" in profile.caveats


def test_probe_with_article_finds_field_selectors(seed_article: Path) -> None:
    code, out, _ = _run(
        str(LISTS / "trs_createpage.html"),
        "--url",
        "http://www.tangshan-gxq.gov.cn/qndt/qndt/",
        "--article",
        str(seed_article),
    )
    assert code == 0
    profile = _profile(out)
    assert profile.name == "tangshan_gxq"
    assert profile.fields["title"].css == ("h1.title",)
    assert profile.fields["body"].css == ("#zoom",)
    assert profile.fields["views"].css == ("div.info",)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([str(LISTS / "page_query.html")], "give its address with --url"),
        (["/nonexistent/list.html", "--url", TRS_URL], "cannot read /nonexistent/list.html"),
        (["ftp://example.gov.cn/list.html"], "only http(s) URLs or local files"),
        ([str(LISTS / "page_query.html"), "--url", "file:///x"], "is not an http(s) URL"),
        ([str(LISTS / "page_query.html"), "--url", TRS_URL, "--name", "Bad Name"], "--name"),
    ],
)
def test_probe_errors_are_one_line(args: list[str], message: str) -> None:
    code, out, err = _run(*args)
    assert code == 1 and out == ""
    assert message in err and err.count("\n") == 1


def test_probe_page_without_list() -> None:
    code, _, err = _run(
        str(LISTS / "page_query.html").replace("page_query", "nope"), "--url", TRS_URL
    )
    assert code == 1 and "cannot read" in err


class _Handler(BaseHTTPRequestHandler):
    agents: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Handler.agents.append(self.headers.get("User-Agent", ""))
        body = (LISTS / "gbk_xiaye.html").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=gbk")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/zjdt/index.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_probe_fetches_url_with_govnews_user_agent(server: str) -> None:
    code, out, _ = _run(server, "--timeout", "5")
    assert code == 0
    profile = _profile(out)
    assert profile.start_urls == (server,)
    assert profile.article_patterns == (r"/\d{6}/t\d{8}_\d+\.html$",)
    assert _Handler.agents and _Handler.agents[-1].startswith("govnews/")


def test_probe_unreachable_url() -> None:
    code, _, err = _run("http://127.0.0.1:9/list.html", "--timeout", "2")
    assert code == 1 and err.startswith("Error: cannot fetch http://127.0.0.1:9/list.html")


@pytest.mark.parametrize(
    ("urls", "expected"),
    [
        (
            [
                "http://a.gov.cn/art/2024/3/1/art_1229_5501.html",
                "http://a.gov.cn/art/2024/2/27/art_1229_5488.html",
            ],
            [r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"],
        ),
        (
            [
                "http://a.gov.cn/xwdt/content/post_9360641.html",
                "http://a.gov.cn/xwdt/content/post_9360002.html",
            ],
            [r"/content/post_\d+\.html$"],
        ),
        (
            [
                "http://a.gov.cn/contents/2020/7/2-b51327b18dff4d8aa163774fcd9240e6.html",
                "http://a.gov.cn/contents/2020/6/28-7171ca77b18547bcbc9b0547be4e8ad6.html",
            ],
            [r"/contents/\d{4}/\d{1,2}/\d{1,2}\-[0-9a-f]*\d[0-9a-f]*\.html$"],
        ),
    ],
)
def test_article_regexes(urls: list[str], expected: list[str]) -> None:
    assert article_regexes(urls) == expected
    assert all(re.search(expected[0], u) for u in urls)


def test_probe_is_registered_with_help() -> None:
    from crawler.cli import cli

    assert "probe" in cli.commands
    result = CliRunner().invoke(cli, ["probe", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
