"""``govnews serve``: Datasette on 127.0.0.1 renders search results over HTTP, and headless
Chromium renders (and screenshots) the search page. Also the one-line errors."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.commands.serve import serve as serve_command
from tests.analyst_seed import seed

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.slow


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return str(resp.read().decode("utf-8"))


@pytest.fixture
def server(
    sqlite_url: str, free_port: Callable[[], int]
) -> Iterator[tuple[str, list[dict[str, object]]]]:
    rows = seed(sqlite_url)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "serve", "--db", sqlite_url, "--port", str(port)],
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
        yield base, rows
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_search_page_renders_results(server: tuple[str, list[dict[str, object]]]) -> None:
    base, rows = server
    term = "招商引资"
    html = get(f"{base}/govnews/articles?_search={urllib.parse.quote(term)}")
    expected = [r for r in rows if term in str(r["title"]) + str(r["body_text"])]
    assert expected
    assert f"{len(expected)} row" in html
    assert any(str(r["title"]) in html for r in expected)
    assert "Articles" in html  # the metadata title
    # the canned query finds a 2-character term the trigram table search cannot
    short = get(f"{base}/govnews/search?q={urllib.parse.quote('人才')}")
    n = sum(1 for r in rows if "人才" in str(r["title"]) + str(r["body_text"]))
    assert n and (f"{n} row" in short or short.count("example.gov.cn/a/") >= n)
    facets = get(f"{base}/govnews/v_articles_latest.json?_facet=month&_facet=site")
    assert "2024-01" in facets and "haidian" in facets


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_chromium_screenshot(server: tuple[str, list[dict[str, object]]], tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    base, _ = server
    url = f"{base}/govnews/articles?_search={urllib.parse.quote('人才引进')}"
    flags = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,2200",
    ]
    png = tmp_path / "search.png"
    subprocess.run(
        [*flags, f"--screenshot={png}", url], check=True, capture_output=True, timeout=120
    )
    assert _png_size(png) == (1280, 2200)
    assert png.stat().st_size > 10_000  # a rendered page, not a blank image
    dom = subprocess.run(
        [*flags, "--dump-dom", url], check=True, capture_output=True, timeout=120
    ).stdout.decode("utf-8")
    assert "人才引进政策解读" in dom
    if os.environ.get("GOVNEWS_KEEP_SCREENSHOT"):
        shutil.copy(png, os.environ["GOVNEWS_KEEP_SCREENSHOT"])


def test_serve_refuses_postgres_and_missing_files(tmp_path: Path) -> None:
    res = CliRunner().invoke(serve_command, ["--db", "postgresql+psycopg://u@127.0.0.1/x"])
    assert res.exit_code == 1 and "SQLite" in res.output and len(res.output.splitlines()) == 1
    res = CliRunner().invoke(serve_command, ["--db", f"sqlite:///{tmp_path}/nope.db"])
    assert res.exit_code == 1 and "no database" in res.output
