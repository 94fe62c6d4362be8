"""A fleet split over worker processes (``govnews crawl --workers N``, crawler/runtime/workers.py).

Real ``govnews crawl`` subprocesses over local sites on 127.0.0.1 into a real SQLite file: the
sites are dealt to forked workers (each site's run row names its worker's pid), the parent prints
one table and exits as one crawl would; Ctrl-C at the terminal reaches the parent only and is
passed on to every worker once; a worker killed outright fails its own sites, not the others.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.ops_site import FAST, OpsSite, crawl_env

pytestmark = pytest.mark.slow


def _profiles(folder: Path, sites: dict[str, str]) -> None:
    folder.mkdir(exist_ok=True)
    for name, url in sites.items():
        (folder / f"{name}.toml").write_text(
            f'name = "{name}"\nstart_urls = ["{url}"]\n[politeness]\nautothrottle = false\n',
            encoding="utf-8",
        )


def _fleet_cmd(db_url: str, *args: str) -> list[str]:
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--db", db_url, "--quiet", *FAST]
    return [*cmd, "-s", "GOVNEWS_RETRY_BACKOFF_BASE=0", *args]


def _query(db_url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    except Exception:  # the crawl has not created the tables yet
        return []
    finally:
        engine.dispose()


def _wait(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[dict[str, OpsSite]]:
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(OpsSite(articles=count))
            for name, count in (("north", 5), ("south", 6), ("east", 7), ("west", 8))
        }


def test_sites_are_dealt_to_workers_and_reported_in_one_table(
    sqlite_url: str, tmp_path: Path, sites: dict[str, OpsSite]
) -> None:
    folder = tmp_path / "sites"
    _profiles(folder, {name: site.start_url for name, site in sites.items()})
    _profiles(folder, {"refused": "http://127.0.0.1:9/news/index.html"})
    env = crawl_env(tmp_path, GOVNEWS_SITES_DIR=str(folder))
    names = ["north", "south", "east", "west", "refused"]
    done = subprocess.run(
        _fleet_cmd(sqlite_url, *names, "--workers", "2"),
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 1, done.stderr[-3000:]
    assert "1 of 5 sites failed: refused" in done.stderr
    assert "fleet crawl of 5 sites: 4 ok" in done.stdout
    assert "Traceback" not in done.stderr
    stored = dict(_query(sqlite_url, "SELECT site, count(*) FROM articles GROUP BY site"))
    assert stored == {"north": 5, "south": 6, "east": 7, "west": 8}
    runs = _query(sqlite_url, "SELECT site, status, owner FROM crawl_runs")
    assert sorted(site for site, _, _ in runs) == sorted(names)  # one run row per site
    assert {status for site, status, _ in runs if site != "refused"} == {"finished"}
    # dealt round-robin to two processes: north, east, refused / south, west
    pid = {site: str(owner).rsplit(":", 1)[1] for site, _, owner in runs}
    assert pid["north"] == pid["east"] == pid["refused"] != pid["south"] == pid["west"]


def test_workers_go_with_a_fleet_only() -> None:
    from click.testing import CliRunner

    from crawler.cli import cli

    result = CliRunner().invoke(cli, ["crawl", "--start-url", "http://x.test/", "--workers", "2"])
    assert result.exit_code == 2
    assert "--workers goes with several sites" in result.output


def _slow_fleet(sqlite_url: str, tmp_path: Path, slow: dict[str, OpsSite]) -> subprocess.Popen[str]:
    folder = tmp_path / "sites"
    _profiles(folder, {name: site.start_url for name, site in slow.items()})
    env = crawl_env(tmp_path, GOVNEWS_SITES_DIR=str(folder), GOVNEWS_FLUSH_SECONDS="0.2")
    cmd = _fleet_cmd(sqlite_url, *slow, "--workers", "2", "-s", "CONCURRENT_REQUESTS=1")
    return subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's job
    )


def _stored_sites(db_url: str) -> set[Any]:
    return {row[0] for row in _query(db_url, "SELECT DISTINCT site FROM articles")}


def test_ctrl_c_stops_every_worker_cleanly(sqlite_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=40, delay=0.2) as one, OpsSite(articles=40, delay=0.2) as two:
        proc = _slow_fleet(sqlite_url, tmp_path, {"one": one, "two": two})
        try:
            _wait(lambda: _stored_sites(sqlite_url) == {"one", "two"})
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C at a terminal does
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err[-3000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "forced stop" not in err  # each worker got the signal once
    statuses = dict(_query(sqlite_url, "SELECT site, status FROM crawl_runs"))
    assert statuses == {"one": "interrupted", "two": "interrupted"}
    assert int(_query(sqlite_url, "SELECT count(*) FROM articles")[0][0]) < 80


def test_a_killed_worker_fails_its_own_sites_only(sqlite_url: str, tmp_path: Path) -> None:
    with OpsSite(articles=40, delay=0.2) as doomed, OpsSite(articles=8) as fine:
        proc = _slow_fleet(sqlite_url, tmp_path, {"doomed": doomed, "fine": fine})
        try:
            _wait(lambda: "doomed" in _stored_sites(sqlite_url))
            owner = _query(sqlite_url, "SELECT owner FROM crawl_runs WHERE site = 'doomed'")
            os.kill(int(str(owner[0][0]).rsplit(":", 1)[1]), signal.SIGKILL)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1, err[-3000:]
    assert "1 of 2 sites failed: doomed" in err
    line = next(x for x in out.splitlines() if x.split()[:1] == ["doomed"])
    assert "FAILED: its worker process died" in line
    stored = dict(_query(sqlite_url, "SELECT site, count(*) FROM articles GROUP BY site"))
    assert stored["fine"] == 8
    assert 0 < int(stored["doomed"]) < 40
    # the dead worker's run is ended by the fleet, not left running for the lock to time out
    statuses = dict(_query(sqlite_url, "SELECT site, status FROM crawl_runs"))
    assert statuses == {"doomed": "failed", "fine": "finished"}
