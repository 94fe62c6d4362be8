"""``govnews serve``: Datasette with the govnews plugin, over HTTP and in headless Chromium.

Search of any length from the table's own search box (rows equal ``govnews search``'s, passages
highlighted), the ranked canned query, the month facet, Asia/Shanghai times in pages and UTC in
JSON, hidden plumbing, the charts (datasette-vega renders a canvas), and one-line refusals.
Set GOVNEWS_KEEP_SCREENSHOT=DIR to keep the screenshots.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.commands.serve import serve as serve_command
from pipelines.db.search import search
from pipelines.db.session import make_engine
from tests.analyst_seed import seed

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.slow
Server = tuple[str, str, list[dict[str, object]]]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return str(resp.read().decode("utf-8"))


def q(term: str) -> str:
    return urllib.parse.quote(term)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module: seeding and starting Datasette take seconds."""
    db = tmp_path_factory.mktemp("serve") / "news.db"
    url = f"sqlite:///{db}"
    rows = seed(url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(base + "/-/versions.json")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode() if proc.stdout else ""
                    pytest.fail(f"govnews serve did not start: {out}")
                time.sleep(0.2)
        yield base, url, rows
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("term", ["会议", "高新", "区", "人才引进", "会议 高新"])
def test_table_search_box_finds_any_length(server: Server, term: str) -> None:
    base, url, rows = server
    expected = [r for r in rows if all(t in f"{r['title']}{r['body_text']}" for t in term.split())]
    assert expected
    page = get(f"{base}/news/articles?_search={q(term)}")
    assert f"{len(expected)} row" in page
    data = get(f"{base}/news/articles.json?_search={q(term)}&_shape=array&_size=max")
    ids = {int(r["id"]) for r in json.loads(data)}
    assert ids == {r["id"] for r in expected}
    engine = make_engine(url)
    try:
        with engine.connect() as conn:  # the same rows as `govnews search`
            assert {h.id for h in search(conn, term, limit=1000)} == ids
    finally:
        engine.dispose()
    assert f"<mark>{term.split()[0]}</mark>" in page


def test_ranked_search_matches_govnews_search(server: Server) -> None:
    base, url, _ = server
    data = json.loads(get(f"{base}/news/search.json?q={q('会议')}&_shape=array"))
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            hits = search(conn, "会议", limit=200)
    finally:
        engine.dispose()
    assert [r["id"] for r in data] == [h.id for h in hits]
    assert [r["score"] for r in data] == [h.score for h in hits]
    page = get(f"{base}/news/search?q={q('会议')}")
    assert page.count("<mark>会议</mark>") >= len(hits)


def test_rows_first_plumbing_hidden_times_labelled(server: Server) -> None:
    base, _, rows = server
    with urllib.request.urlopen(base + "/", timeout=30) as resp:
        assert resp.url.endswith("/news/articles")  # the home page is the articles table
        page = resp.read().decode()
    assert 'class="column-descriptions"' not in page  # notes are folded in <details>
    assert "<details>" in page
    # the month facet (Asia/Shanghai), site and column facets
    for facet in ('data-column="site"', 'data-column="column_name"', 'data-column="published_at"'):
        assert facet in page
    assert "_month=published_at%3A2025-03" in page  # newest month first
    # times: Asia/Shanghai, labelled, no microseconds in pages; UTC as stored in JSON
    assert "2025-03-25 00:00 +08:00" in page  # 2025-03-24 16:00 UTC
    assert ".000000" not in page.split('class="rows-and-columns"', 1)[1]
    data = json.loads(get(f"{base}/news/articles.json?_shape=array&_size=1&_sort=id"))
    assert data[0]["published_at"].startswith("2024-01-15 02:00")
    listing = get(f"{base}/news")
    for plumbing in ("alembic_version", "articles_fts_src", "articles_fts_vocab"):
        assert f'href="/news/{plumbing}"' not in listing
    january = json.loads(get(f"{base}/news/articles.json?_month=published_at:2024-01&_shape=array"))
    assert len(january) == sum(1 for r in rows if str(r["published_at"])[:7] == "2024-01")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    flags = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,1400",
        "--virtual-time-budget=15000",  # let the chart's script fetch and draw
    ]
    return subprocess.run([*flags, *args], check=True, capture_output=True, timeout=120)


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def _keep(png: Path) -> None:
    assert _png_size(png) == (1280, 1400)
    assert png.stat().st_size > 10_000  # a rendered page, not a blank image
    if keep := os.environ.get("GOVNEWS_KEEP_SCREENSHOT"):
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)


def test_browser_two_character_search_and_charts(server: Server, tmp_path: Path) -> None:
    base, _, rows = server
    search_url = f"{base}/news/articles?_search={q('高新')}"
    dom = _chromium(tmp_path, "--dump-dom", search_url).stdout.decode("utf-8")
    expected = [r for r in rows if "高新" in f"{r['title']}{r['body_text']}"]
    assert f"{len(expected)} rows where search matches" in dom
    assert dom.count("<mark>高新</mark>") >= len(expected)
    assert 'value="高新"' in dom  # the search box keeps the query
    # beside the box: the same query ranked, with passages
    assert f'id="govnews-ranked" href="/news/search?q={q("高新")}"' in dom
    _chromium(tmp_path, f"--screenshot={tmp_path / 'search-gaoxin.png'}", search_url)
    _keep(tmp_path / "search-gaoxin.png")
    ranked_url = f"{base}/news/search?q={q('会议')}"
    dom = _chromium(tmp_path, "--dump-dom", ranked_url).stdout.decode("utf-8")
    assert dom.count("<mark>会议</mark>") >= len([r for r in rows if "会议" in str(r["body_text"])])
    _chromium(tmp_path, f"--screenshot={tmp_path / 'ranked-huiyi.png'}", ranked_url)
    _keep(tmp_path / "ranked-huiyi.png")

    month = (
        f"{base}/news/articles_per_month#g.mark=bar&g.x_column=month&g.x_type=ordinal"
        "&g.y_column=articles&g.color_column=site"
    )
    dom = _chromium(tmp_path, "--dump-dom", month).stdout.decode("utf-8")
    assert 'class="marks"' in dom and "vega-embed" in dom  # a drawn chart, not just its form
    _chromium(tmp_path, f"--screenshot={tmp_path / 'chart-per-month.png'}", month)
    _keep(tmp_path / "chart-per-month.png")

    page = get(f"{base}/news/articles?_sort=id")
    link = page.split('<td class="col-views type-int"><a href="', 1)[1].split('"', 1)[0]
    views = base + link.replace("&amp;", "&")
    dom = _chromium(tmp_path, "--dump-dom", views).stdout.decode("utf-8")
    assert 'class="marks"' in dom
    _chromium(tmp_path, f"--screenshot={tmp_path / 'chart-views.png'}", views)
    _keep(tmp_path / "chart-views.png")


def test_serve_refusals_are_one_line(tmp_path: Path) -> None:
    run = CliRunner().invoke
    res = run(serve_command, ["--db", "postgresql+psycopg://u@127.0.0.1/x"])
    assert res.exit_code == 1 and "SQLite" in res.output and len(res.output.splitlines()) == 1
    res = run(serve_command, ["--db", f"sqlite:///{tmp_path}/nope.db"])
    assert res.exit_code == 1 and "no database" in res.output
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database", "utf-8")
    res = run(serve_command, ["--db", f"sqlite:///{text_file}"])
    assert res.exit_code == 1 and "not a SQLite database" in res.output
    assert str(text_file) in res.output and len(res.output.splitlines()) == 1
    db = tmp_path / "ok.db"
    seed(f"sqlite:///{db}", n=2)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = run(serve_command, ["--db", f"sqlite:///{db}", "--port", str(port)])
    assert res.exit_code == 1 and f"port {port}" in res.output and "--port" in res.output
    assert len(res.output.splitlines()) == 1


def test_serve_without_the_extra_names_the_pip_line(tmp_path: Path) -> None:
    db = tmp_path / "ok.db"
    seed(f"sqlite:///{db}", n=2)
    code = (
        "import sys; sys.modules['datasette'] = None; sys.modules['datasette.cli'] = None\n"
        "from crawler.cli import main; sys.argv = ['govnews', 'serve', '--db', sys.argv[1]]; main()"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, f"sqlite:///{db}"], capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [
        "Error: the web view (Datasette and datasette-vega) needs the 'serve' extra "
        "(datasette is not installed): pip install 'govnews[serve]'"
    ]
