"""``govnews discover``: every column of the fixture portals found, and no navigation noise.

The portals (tests/portal_site.py) draw their menus five ways; discovery is scored on the
profile it writes (one start URL per column) against each portal's true columns, and the
figures are printed. Also: the kinds, robots.txt and the delay obeyed, noise never requested,
saved pages read offline, and one-line errors.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crawler.commands.discover import discover
from crawler.commands.discover_fetch import PortalFetcher
from crawler.extract.columns_nav import classify, clean_name, column_key, nav_links
from crawler.extract.decode import decode_html
from crawler.settings import USER_AGENT
from crawler.sites.profile import load_file
from tests.portal_site import Portal, PortalServer
from tests.portals import PORTALS


def _discover(*args: str) -> Result:
    return CliRunner().invoke(discover, [*args, "--delay", "0", "--format", "json"])


def _score(portal: Portal, base: str, profile: Path) -> tuple[int, int, int]:
    """(true positives, found, true) over column addresses."""
    found = {column_key(u) for u in load_file(profile).start_urls}
    truth = {column_key(base + c.path) for c in portal.columns}
    return len(found & truth), len(found), len(truth)


def test_precision_and_recall_on_the_fixture_portals(tmp_path: Path) -> None:
    totals = [0, 0, 0]
    lines = []
    for name, portal in PORTALS.items():
        with PortalServer(portal) as server:
            result = _discover(server.base_url + "/", "--name", name, "-o", str(tmp_path), "-q")
            assert result.exit_code == 0, result.output
            tp, found, true = _score(portal, server.base_url, tmp_path / f"{name}.toml")
            rows = json.loads(result.stdout)
            kinds = {r["name"]: r["kind"] for r in rows if r["status"] == "column"}
            assert kinds == {c.name: c.kind for c in portal.columns}, name
            # noise is never even requested; one host, a few pages
            noise = {p for p in portal.pages if "/info/" not in p and "/art/" not in p}
            noise -= {c.path for c in portal.columns} | {"/"}
            asked = {r for r in server.requests if r != "/robots.txt"}
            assert not asked & (noise - {"/xwzx/", "/xxgk/", "/ywdt/", "/zwgk/"}), name
            assert len(server.requests) <= 2 + 2 * len(portal.columns) + 2
        totals = [a + b for a, b in zip(totals, (tp, found, true), strict=True)]
        lines.append(f"{name:<9} precision {tp / found:.2f} recall {tp / true:.2f} ({tp}/{true})")
    precision, recall = totals[0] / totals[1], totals[0] / totals[2]
    print("\n" + "\n".join(lines) + f"\nall       precision {precision:.2f} recall {recall:.2f}")
    assert (precision, recall) == (1.0, 1.0)


def test_saved_folder_offline(tmp_path: Path) -> None:
    portal = PORTALS["zwgk"]
    portal.save(tmp_path / "www.shili.gov.cn")
    out = tmp_path / "sites"
    args = [str(tmp_path), "--url", "http://www.shili.gov.cn/", "-o", str(out), "-q"]
    result = _discover(*args)
    assert result.exit_code == 0, result.output
    profile = load_file(out / "shili.toml")
    assert profile.allowed_domains == ("shili.gov.cn",)
    assert [u.removeprefix("http://www.shili.gov.cn") for u in profile.start_urls] == [
        "/xwzx/",
        "/zwgk/zcwj/",
        "/zwgk/tzgg/",
    ]
    # a saved home page alone: the columns it links are checked in its folder
    home = tmp_path / "www.shili.gov.cn" / "index.html"
    result = _discover(str(home), "--url", "http://www.shili.gov.cn/", "-o", str(out), "--force")
    assert result.exit_code == 0 and len(load_file(out / "shili.toml").start_urls) == 3


def test_lone_saved_home_page_lists_columns_and_keeps_them_with_unchecked(tmp_path: Path) -> None:
    home = tmp_path / "home.html"
    home.write_bytes(PORTALS["dropdown"].body("/") or b"")
    args = [str(home), "--url", "http://www.shili.gov.cn/", "-o", str(tmp_path)]
    result = _discover(*args)
    assert result.exit_code == 1
    assert "(6 navigation links checked, 6 not read: try --unchecked)" in result.stderr
    assert {r["status"] for r in json.loads(result.stdout)} == {"not in the saved copy"}
    result = _discover(*args, "--unchecked")
    assert result.exit_code == 0, result.output
    profile = load_file(tmp_path / "shili.toml")
    # every column name of the menu, no noise; hubs (信息公开) are no columns
    assert [u.removeprefix("http://www.shili.gov.cn") for u in profile.start_urls] == [
        "/xxgk/zcwj/",
        "/xxgk/zcjd/",
        "/xwdt/",
        "/xwdt/jddt/",
        "/xwdt/bmdt/",
    ]
    assert profile.article_patterns == ()
    assert "not checked: not in the saved copy" in (tmp_path / "shili.toml").read_text("utf-8")


def test_robots_txt_and_delay_are_obeyed(tmp_path: Path) -> None:
    portal = PORTALS["trs"]
    with PortalServer(portal, robots="User-agent: *\nDisallow: /tzgg/\n") as server:
        started = time.monotonic()
        result = CliRunner().invoke(
            discover, [server.base_url + "/", "--delay", "0.2", "-o", str(tmp_path), "-q"]
        )
        took = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert not any(r.startswith("/tzgg/") for r in server.requests)
    assert "disallowed by robots.txt" in result.stdout
    assert took >= 0.2 * (len(server.requests) - 1)
    profile = load_file(next(tmp_path.glob("*.toml")))
    assert profile.download_delay == 0.2
    assert len(profile.start_urls) == len(portal.columns) - 1


def test_robots_crawl_delay_raises_the_delay() -> None:
    with PortalServer(PORTALS["trs"], robots="User-agent: *\nCrawl-delay: 1\n") as server:
        fetcher = PortalFetcher(delay=0, timeout=5, budget=5, user_agent=USER_AGENT)
        started = time.monotonic()
        fetcher.get_home(server.base_url + "/")
    assert fetcher.delay == 1.0
    assert time.monotonic() - started >= 1.0  # robots.txt, then the home page a second later
    assert server.requests == ["/robots.txt", "/"]


def test_home_redirect_to_another_host_makes_it_the_portal_host(tmp_path: Path) -> None:
    with PortalServer(PORTALS["hanweb"]) as server:
        port = server.base_url.rsplit(":", 1)[1]
        result = _discover(f"http://localhost:{port}/", "--name", "hw", "-o", str(tmp_path), "-q")
    assert result.exit_code == 0, result.output
    profile = load_file(tmp_path / "hw.toml")
    assert profile.allowed_domains == ("127.0.0.1",)
    assert len(profile.start_urls) == 4
    assert all(u.startswith(server.base_url) for u in profile.start_urls)


def test_progress_lines_and_table(tmp_path: Path) -> None:
    with PortalServer(PORTALS["script"]) as server:
        result = CliRunner().invoke(
            discover, [server.base_url + "/", "--delay", "0", "-o", str(tmp_path)]
        )
    assert result.exit_code == 0
    assert "discover: page 1/" in result.stderr
    assert f"wrote {tmp_path}" in result.stderr
    assert "政策文件" in result.stdout.splitlines()[-1] or "政策文件" in result.stdout


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("区内动态", ("news", False)),
        ("通知公告", ("notices", False)),
        ("政策解读", ("policy", False)),
        ("新闻中心", ("news", True)),
        ("政务公开", (None, True)),
        ("政府信息公开", (None, True)),
        ("领导信息", None),
        ("领导动态", ("news", False)),
        ("政府公报", ("policy", False)),
        ("政务服务", None),
        ("English", None),
        ("无障碍", None),
        ("政府信息公开年报", None),
        ("关于2024年清明节放假的通知", None),
        ("财政预决算", None),
    ],
)
def test_classify(name: str, want: tuple[str | None, bool] | None) -> None:
    assert classify(name) == want


@pytest.mark.parametrize(
    ("text", "name"),
    [("» 区内动态 >", "区内动态"), ("通知公告NOTICE", "通知公告"), ("【政策 解读】", "政策解读"),
     ("English", "English")],
)  # fmt: skip
def test_clean_name(text: str, name: str) -> None:
    assert clean_name(text) == name


def test_script_menus_and_more_links() -> None:
    html = (
        "<div class='box'><h3>通知公告<span>NOTICE</span></h3>"
        "<a href='/tzgg/'>更多&gt;&gt;</a></div>"
        "<script>var m = [['部门动态', '/bmdt/'], ['首页', '/']];"
        "var c = {data: [{chnlName: '政策解读', chnlUrl: './zcjd/'}, {chnlName: '联系我们'}]};"
        "var s = '<a href=\"/xzdt/\">乡镇' + '动态</a>'; document.write(s);</script>"
        "<ul><li><a href='/tzgg/t1.html'>区政府采购中心公告</a> 2024-03-17</li></ul>"
    )
    links = nav_links(html, "http://www.shili.gov.cn/")
    assert [(x.name, x.url, x.source) for x in links] == [
        ("通知公告", "http://www.shili.gov.cn/tzgg/", "more"),
        ("乡镇动态", "http://www.shili.gov.cn/xzdt/", "script"),
        ("部门动态", "http://www.shili.gov.cn/bmdt/", "script"),
        ("政策解读", "http://www.shili.gov.cn/zcjd/", "script"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/portal"], "cannot read /nonexistent/portal"),
        (["ftp://www.shili.gov.cn/"], "give an http(s) URL or a saved page or folder"),
        ([str(Path(__file__))], "give its address with --url"),
        ([str(Path(__file__)), "--url", "file:///x"], "--url 'file:///x' is not an http(s) URL"),
        (["http://127.0.0.1:9/", "--timeout", "2"], "cannot fetch http://127.0.0.1:9/"),
        (["http://127.0.0.1:9/", "--name", "Bad Name"], "--name 'Bad Name'"),
    ],
)
def test_errors_are_one_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(discover, args)
    assert result.exit_code == 1 and result.stdout == ""
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_no_column_found_exits_1(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<a href='/ldxx/'>领导信息</a>", encoding="utf-8")
    result = CliRunner().invoke(discover, [str(tmp_path), "--url", "http://x.gov.cn/", "-q"])
    assert result.exit_code == 1
    assert "no news column found from http://x.gov.cn/ (0 navigation links checked)" in (
        result.stderr
    )


def test_existing_profile_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "shili.toml").write_text("x", encoding="utf-8")
    PORTALS["trs"].save(tmp_path / "site")
    args = [str(tmp_path / "site"), "--url", "http://www.shili.gov.cn/", "-o", str(tmp_path)]
    result = CliRunner().invoke(discover, args)
    assert result.exit_code == 1 and "shili.toml exists: use --force" in result.stderr
    assert (tmp_path / "shili.toml").read_text(encoding="utf-8") == "x"


def test_navigation_of_list_pages_written_for_other_tests() -> None:
    """The list-page fixtures (written for the listing tests, not for discovery) carry real
    CMS menus: their column names are kept and none of their navigation noise."""
    lists = Path(__file__).parent / "fixtures" / "lists"
    kept: set[str] = set()
    for page in sorted(lists.glob("*.html")) + sorted((lists / "templates").glob("*.html")):
        html, _ = decode_html(page.read_bytes(), None)
        kept |= {x.name for x in nav_links(html, "http://www.shili.gov.cn/xwzx/gzdt/")}
    noise = {"首页", "网站首页", "互动交流", "办事服务", "政务服务", "联系我们", "关于我们",
             "网站地图", "政府概况", "在线留言", "政民互动", "搜索", "下一页", "尾页"}  # fmt: skip
    assert not kept & noise
    assert {"区内动态", "通知公告", "政策解读", "部门动态", "街乡动态", "图片新闻"} <= kept
