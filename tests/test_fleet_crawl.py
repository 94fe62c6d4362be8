"""Many sites in one crawl (issue 24): ``govnews crawl SITE SITE …``, ``--sites-file``, ``--all``.

Local sites on 127.0.0.1, each on its own port and named by a profile in a ``GOVNEWS_SITES_DIR``
folder: two healthy columns (:class:`tests.ops_site.OpsSite`), one answering 500 to everything,
one refusing connections, one that accepts and never answers. Every crawl is a real ``govnews
crawl`` subprocess into a real database (SQLite, and PostgreSQL where configured).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from crawler.commands.fleet import read_sites_file, resolve_profiles
from tests.ops_site import FAST, OpsSite, crawl_env
from tests.storage_helpers import hold_run

pytestmark = pytest.mark.slow


class _Broken(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.server.hang:  # type: ignore[attr-defined]
            time.sleep(60)  # accepts, never answers (the client gives up first)
            return
        body = b"server error"
        self.send_response(500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _broken_server(hang: bool) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    server.daemon_threads = True
    server.hang = hang  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/news/index.html"


def _profile(folder: Path, name: str, url: str) -> None:
    (folder / f"{name}.toml").write_text(
        f'name = "{name}"\nstart_urls = ["{url}"]\n[politeness]\nautothrottle = false\n',
        encoding="utf-8",
    )


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Profiles of five local sites in their own folder, and the servers behind them."""
    folder = tmp_path / "sites"
    folder.mkdir()
    with OpsSite(articles=12) as good_a, OpsSite(articles=25) as good_b:
        errors, hanging = _broken_server(hang=False), _broken_server(hang=True)
        try:
            _profile(folder, "good_a", good_a.start_url)
            _profile(folder, "good_b", good_b.start_url)
            _profile(folder, "errors_500", f"http://127.0.0.1:{errors.server_port}/news/")
            _profile(folder, "refused", _refused_url())
            _profile(folder, "hanging", f"http://127.0.0.1:{hanging.server_port}/news/")
            yield {"folder": folder, "good_a": good_a, "good_b": good_b}
        finally:
            for server in (errors, hanging):
                server.shutdown()
                server.server_close()


def _crawl(
    db_url: str, tmp_path: Path, folder: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--db", db_url, "--quiet", *FAST]
    cmd += ["-s", "GOVNEWS_RETRY_BACKOFF_BASE=0", *args]
    env = crawl_env(tmp_path, GOVNEWS_SITES_DIR=str(folder))
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180, check=False)


def _runs(db_url: str) -> dict[str, tuple[str, int]]:
    """site -> (status, articles of that run) for every crawl_runs row."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.site, r.status, COUNT(a.id) FROM crawl_runs r"
                " LEFT JOIN articles a ON a.last_crawl_run_id = r.id"
                " GROUP BY r.id, r.site, r.status"
            )
        ).all()
    engine.dispose()
    assert len(rows) == len({r[0] for r in rows}), rows  # one run row per site
    return {str(site): (str(status), int(count)) for site, status, count in rows}


def _line(stdout: str, site: str) -> str:
    return next(line for line in stdout.splitlines() if line.split()[:1] == [site])


def test_failing_and_hanging_sites_do_not_stop_the_others(
    db_url: str, tmp_path: Path, fleet: dict[str, Any]
) -> None:
    names = ["good_a", "errors_500", "refused", "hanging", "good_b"]
    # the hanging site ends at its deadline plus one download timeout, not after all retries
    timeouts = ("--site-timeout", "4", "-s", "DOWNLOAD_TIMEOUT=3")
    done = _crawl(db_url, tmp_path, fleet["folder"], *names, *timeouts)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "3 of 5 sites failed: errors_500, hanging, refused" in done.stderr
    assert "Traceback" not in done.stderr
    assert "fleet crawl of 5 sites: 2 ok" in done.stdout
    assert _line(done.stdout, "good_a").split()[2] == "12"  # articles of this run
    assert _line(done.stdout, "good_b").split()[2] == "25"
    assert float(_line(done.stdout, "hanging").split()[4]) < 30  # seconds
    assert "FAILED: stored no article: 1 pages rejected" in _line(done.stdout, "errors_500")
    assert "FAILED: stored no article: 1 pages rejected" in _line(done.stdout, "refused")
    assert "FAILED: stopped early (closespider_timeout)" in _line(done.stdout, "hanging")
    runs = _runs(db_url)
    assert runs["good_a"] == ("finished", 12)
    assert runs["good_b"] == ("finished", 25)
    assert runs["errors_500"] == ("finished", 0)
    assert runs["refused"] == ("finished", 0)
    assert runs["hanging"][1] == 0
    assert set(runs) == set(names)
    # every article of each healthy site, stored under that site
    engine = create_engine(db_url)
    with engine.connect() as conn:
        by_site = dict(
            conn.execute(text("SELECT site, COUNT(*) FROM articles GROUP BY site")).all()
        )
    engine.dispose()
    assert by_site == {"good_a": 12, "good_b": 25}
    # the failing sites' errors are theirs: the healthy ones in the same process count none
    with engine.connect() as conn:
        errors = dict(conn.execute(text("SELECT site, errors FROM crawl_runs")).all())
    engine.dispose()
    assert errors["good_a"] == errors["good_b"] == 0
    assert errors["refused"] > 0

    # a second fleet run is incremental per site: only good_b's three new articles are fetched
    good_a, good_b = fleet["good_a"], fleet["good_b"]
    fetched_a, fetched_b = good_a.article_fetches(), good_b.article_fetches()
    good_b.add(3)
    again = _crawl(db_url, tmp_path, fleet["folder"], "good_a", "good_b")
    assert again.returncode == 0, again.stderr[-3000:]
    assert good_a.article_fetches() == fetched_a
    assert good_b.article_fetches() == fetched_b + 3
    assert _line(again.stdout, "good_b").split()[2] == "3"


def test_sites_file_and_a_locked_site(
    sqlite_url: str, tmp_path: Path, fleet: dict[str, Any]
) -> None:
    listing = tmp_path / "fleet.txt"
    listing.write_text("# the county portals\ngood_a\n\ngood_b  # 区内动态\n", encoding="utf-8")
    assert read_sites_file(listing) == ["good_a", "good_b"]
    hold_run(sqlite_url, "good_a")  # a live run elsewhere holds good_a
    done = _crawl(sqlite_url, tmp_path, fleet["folder"], "--sites-file", str(listing))
    assert done.returncode == 1
    assert "1 of 2 sites failed: good_a" in done.stderr
    assert "FAILED: site 'good_a' is already being crawled" in _line(done.stdout, "good_a")
    assert _runs(sqlite_url)["good_b"] == ("finished", 25)


def test_runs_of_sites_that_could_not_open_are_ended(
    sqlite_url: str, tmp_path: Path, fleet: dict[str, Any]
) -> None:
    """The fleet starts every site's run before the crawlers open; a crawler that cannot open
    (here: a downloader middleware that does not exist) has its run ended, not left running
    to block the next crawl until its heartbeat goes stale."""
    broken = 'DOWNLOADER_MIDDLEWARES={"tests.no_such_module.Middleware": 1}'
    done = _crawl(sqlite_url, tmp_path, fleet["folder"], "good_a", "good_b", "-s", broken)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "2 of 2 sites failed: good_a, good_b" in done.stderr
    assert "FAILED: could not run" in _line(done.stdout, "good_a")
    assert _runs(sqlite_url) == {"good_a": ("failed", 0), "good_b": ("failed", 0)}
    again = _crawl(sqlite_url, tmp_path, fleet["folder"], "good_a", "good_b")
    assert again.returncode == 0, again.stderr[-3000:]


def test_all_is_every_profile_once(fleet: dict[str, Any]) -> None:
    folder = str(fleet["folder"])
    names = [p.name for p in resolve_profiles(["good_b"], True, None, [folder])]
    assert names[0] == "good_b"  # named first, then the rest by name, each once
    assert sorted(names) == sorted(
        ["errors_500", "good_a", "good_b", "hanging", "refused", "tangshan_gxq"]
    )


def test_start_url_does_not_go_with_a_fleet() -> None:
    from click.testing import CliRunner

    from crawler.cli import cli

    result = CliRunner().invoke(cli, ["crawl", "a", "b", "--start-url", "http://x.test/"])
    assert result.exit_code == 2
    assert "--start-url goes with one SITE" in result.output


def test_fleet_sites_share_one_engine_and_its_connections(pg_url: str) -> None:
    """A fleet crawl's storage pipelines write through one engine: a hundred sites in one
    process must not hold a hundred PostgreSQL connections (max_connections)."""
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawler.commands.fleet import FLEET_SETTINGS
    from crawler.items import RejectItem
    from pipelines.storage import StoragePipeline

    def backends() -> int:
        engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as conn:
            count = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            ).scalar_one()
        engine.dispose()
        return int(count)

    before = backends()
    pipes = []
    for i in range(3):
        crawler = get_crawler(Spider, {"GOVNEWS_DB": pg_url, **FLEET_SETTINGS})
        pipe = StoragePipeline.from_crawler(crawler)
        pipe.open_spider(Spider(f"site_{i}"))
        pipe.process_item(RejectItem(f"http://h{i}.test/a.html", f"site_{i}", "not_article"))
        pipe.flush()
        pipes.append(pipe)
    assert len({id(p.engine) for p in pipes}) == 1
    assert backends() <= before + 1  # three open sites, at most one connection between them
    for pipe in pipes:
        pipe.finish("finished")
    assert [p.rejects for p in pipes] == [1, 1, 1]
